//! Every rule's documentation: the example fires the rule, and the fix does not.

mod common;

use amlint::lint::{lint, LintOptions};
use amlint::rules::{Catalog, RuleSelection};

/// The first ```json block after `marker`.
fn json_block<'d>(doc: &'d str, marker: &str) -> Option<&'d str> {
    let after = &doc[doc.find(marker)? + marker.len()..];
    let start = after.find("```json")? + "```json".len();
    let end = after[start..].find("```")?;
    Some(&after[start..start + end])
}

fn findings(code: &str, text: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("example.json");
    std::fs::write(&path, text).unwrap();
    let options = LintOptions {
        // The rules about suppressions need the suppressed rules to run as well.
        selection: if ["AML004", "AML005", "AML006"].contains(&code) {
            RuleSelection::new(&metas(), &[], &[]).unwrap()
        } else {
            RuleSelection::new(&metas(), &[code.to_owned()], &[]).unwrap()
        },
        cwd: dir.path().to_path_buf(),
        ..LintOptions::default()
    };
    lint(&[path], &options)
        .unwrap()
        .findings
        .into_iter()
        .filter(|f| f.code == code)
        .map(|f| f.message)
        .collect()
}

#[test]
fn examples_fire_and_fixes_do_not() {
    let mut failures = Vec::new();
    for rule in metas() {
        let doc = rule.documentation();
        let (Some(example), Some(fix)) = (
            json_block(&doc, "## Example"),
            json_block(&doc, "Use instead:"),
        ) else {
            failures.push(format!(
                "{}: the docs need a ```json example and a ```json fix",
                rule.code
            ));
            continue;
        };
        if findings(rule.code, example).is_empty() {
            failures.push(format!("{}: the example does not fire", rule.code));
        }
        let fixed = findings(rule.code, fix);
        if !fixed.is_empty() {
            failures.push(format!("{}: the fix still fires: {fixed:?}", rule.code));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every rule: built-in and declarative.
fn metas() -> Vec<&'static amlint::rules::RuleMeta> {
    Catalog::default()
        .rules()
        .into_iter()
        .map(|(m, _)| m)
        .collect()
}
