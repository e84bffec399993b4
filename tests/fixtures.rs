//! Every rule's fixtures: `fixtures/<CODE>/fail*` must raise the rule, `pass*` must not, each run
//! with only that rule enabled. The human report of each failing fixture is snapshotted.

mod common;

use amlint::config::Date;
use amlint::lint::{lint, LintOptions};
use amlint::report::human;
use amlint::rules::{Catalog, RuleSelection};
use std::path::PathBuf;

fn fixtures(code: &str) -> Vec<PathBuf> {
    let dir = common::root().join("fixtures").join(code);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// The rules about suppressions need the suppressed rules to run as well.
const SUPPRESSION_RULES: &[&str] = &["AML004", "AML005", "AML006"];

/// The day fixtures are linted on, so that expiry dates next to it are near misses.
const TODAY: &str = "2026-11-27";

fn run(code: &str, file: &PathBuf) -> amlint::lint::LintResult {
    let select = if SUPPRESSION_RULES.contains(&code) {
        Vec::new()
    } else {
        vec![code.to_owned()]
    };
    let options = LintOptions {
        selection: RuleSelection::new(&metas(), &select, &[]).expect("selection"),
        cwd: common::root(),
        today: Date::parse(TODAY),
        ..LintOptions::default()
    };
    let mut result = lint(std::slice::from_ref(file), &options).expect("lint runs");
    if SUPPRESSION_RULES.contains(&code) {
        result.findings.retain(|f| f.code == code);
    }
    result
}

#[test]
fn every_rule_has_failing_and_passing_fixtures() {
    for rule in metas() {
        let files = fixtures(rule.code);
        let name = |p: &PathBuf| p.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            files.iter().any(|f| name(f).starts_with("fail")),
            "{} has no fail fixture",
            rule.code
        );
        assert!(
            files.iter().any(|f| name(f).starts_with("pass")),
            "{} has no pass fixture",
            rule.code
        );
        assert!(
            files
                .iter()
                .all(|f| name(f).starts_with("fail") || name(f).starts_with("pass")),
            "{}: fixture names start with fail or pass",
            rule.code
        );
    }
}

#[test]
fn fixtures_fire_exactly_where_they_should() {
    let mut failures = Vec::new();
    for rule in metas() {
        for file in fixtures(rule.code) {
            let result = run(rule.code, &file);
            let hits = result
                .findings
                .iter()
                .filter(|f| f.code == rule.code)
                .count();
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("fail") && hits == 0 {
                failures.push(format!(
                    "{}: expected {}, got nothing",
                    file.display(),
                    rule.code
                ));
            }
            if name.starts_with("pass") && hits > 0 {
                let msgs: Vec<_> = result.findings.iter().map(|f| f.message.clone()).collect();
                failures.push(format!(
                    "{}: expected no {}, got {msgs:?}",
                    file.display(),
                    rule.code
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn passing_fixtures_are_valid_templates() {
    // A near miss must be a real template: no syntax or template errors hiding the verdict.
    for rule in metas()
        .into_iter()
        .filter(|r| r.code != "AML001" && r.code != "AML003")
    {
        for file in fixtures(rule.code) {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let options = LintOptions {
                selection: RuleSelection::new(
                    &metas(),
                    &["AML001".to_owned(), "AML003".to_owned()],
                    &[],
                )
                .unwrap(),
                cwd: common::root(),
                ..LintOptions::default()
            };
            let result = lint(std::slice::from_ref(&file), &options).unwrap();
            let msgs: Vec<_> = result
                .findings
                .iter()
                .map(|f| format!("{} {}", f.code, f.message))
                .collect();
            assert!(msgs.is_empty(), "{name}: {msgs:?}");
        }
    }
}

#[test]
fn failing_fixtures_render_for_people() {
    for rule in metas() {
        for file in fixtures(rule.code) {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            if !name.starts_with("fail") {
                continue;
            }
            let result = run(rule.code, &file);
            let text = human::render(
                &result.findings,
                &result.sources,
                human::Style {
                    color: false,
                    width: 100,
                },
            );
            let snapshot = format!("{}__{}", rule.code, name.replace('.', "_"));
            insta::assert_snapshot!(snapshot, text);
        }
    }
}

/// Every rule: built-in and declarative.
fn metas() -> Vec<&'static amlint::rules::RuleMeta> {
    Catalog::default()
        .rules()
        .into_iter()
        .map(|(m, _)| m)
        .collect()
}
