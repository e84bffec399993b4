//! The output formats through the real binary: snapshots on scenarios whose findings and related
//! locations span several files, SARIF validated against the OASIS schema, JUnit parsed as XML,
//! `--statistics`, and templates with hostile names that must not inject anything into any format.

mod common;

use common::{amlint, amlint_in, code, root, stderr, stdout};
use std::path::Path;

/// One hop in two files: findings in `spoke.json`, the route in `hub.json`.
const FORCED_TUNNEL: &str = "fixtures/scenarios/forced-tunnel";
/// Findings in three files, parameter files, related locations in other files.
const SCENARIOS: &str = "fixtures/scenarios";

const FORMATS: [&str; 7] = [
    "human", "concise", "json", "sarif", "github", "azure", "junit",
];

fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let o = amlint_in(dir).args(args).output().expect("amlint runs");
    (code(&o), stdout(&o), stderr(&o))
}

fn run(args: &[&str]) -> (i32, String, String) {
    run_in(&root(), args)
}

/// The `file:` URI of a directory as SARIF's `originalUriBaseIds` gives it.
fn root_uri(dir: &Path) -> String {
    let path = dir.to_string_lossy().replace('\\', "/");
    format!("file://{}/", path.trim_end_matches('/'))
}

/// SARIF for a snapshot: the machine's directory replaced, and the rules (tested on their own in
/// `sarif_describes_every_rule`) shortened to `code name level`.
fn sarif_for_snapshot(text: &str, dir: &Path) -> String {
    let mut log: serde_json::Value = serde_json::from_str(text).expect("SARIF is JSON");
    let run = &mut log["runs"][0];
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        root_uri(dir),
        "the base of relative URIs is the working directory"
    );
    run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///[ROOT]/".into();
    let rules: Vec<String> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {} {}",
                r["id"].as_str().unwrap(),
                r["name"].as_str().unwrap(),
                r["defaultConfiguration"]["level"].as_str().unwrap()
            )
        })
        .collect();
    run["tool"]["driver"]["rules"] = rules.into();
    run["tool"]["driver"]["version"] = "[VERSION]".into();
    run["tool"]["driver"]["semanticVersion"] = "[VERSION]".into();
    serde_json::to_string_pretty(&log).unwrap()
}

fn snapshot(name: &str, format: &str, path: &str) {
    let (status, out, err) = run(&["--color", "never", "--format", format, path]);
    assert_eq!(status, 1, "{err}");
    assert_eq!(err, "");
    let shown = match format {
        "sarif" => {
            validate_sarif(&out);
            sarif_for_snapshot(&out, &root())
        }
        "junit" => {
            roxmltree::Document::parse(&out).expect("JUnit is XML");
            out
        }
        _ => out,
    };
    insta::assert_snapshot!(format!("{name}_{format}"), shown);
}

#[test]
fn every_format_on_the_forced_tunnel_scenario() {
    for format in FORMATS {
        snapshot("forced_tunnel", format, FORCED_TUNNEL);
    }
}

#[test]
fn every_format_on_all_scenarios() {
    for format in FORMATS {
        snapshot("scenarios", format, SCENARIOS);
    }
}

/// Validates a SARIF log against the OASIS SARIF 2.1.0 schema (a copy of
/// `../shared/schemas/sarif-schema-2.1.0.json`, so that a clean clone can run it).
fn validate_sarif(text: &str) {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("schemas/sarif-schema-2.1.0.json"))
            .expect("the schema is JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles");
    let log: serde_json::Value = serde_json::from_str(text).expect("SARIF is JSON");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema errors:\n{}",
        errors.join("\n")
    );
}

#[test]
fn the_schema_check_catches_invalid_sarif() {
    let (_, out, _) = run(&["--format", "sarif", FORCED_TUNNEL]);
    let mut log: serde_json::Value = serde_json::from_str(&out).unwrap();
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    let broken = serde_json::to_string(&log).unwrap();
    let caught = std::panic::catch_unwind(|| validate_sarif(&broken));
    assert!(caught.is_err(), "a 0 line passed the schema");
}

#[test]
fn sarif_describes_every_rule() {
    let (_, out, _) = run(&["--format", "sarif", FORCED_TUNNEL]);
    let log: serde_json::Value = serde_json::from_str(&out).unwrap();
    let run = &log["runs"][0];
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(
        log["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "amlint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    let catalog = amlint::rules::Catalog::default();
    let metas = catalog.rules();
    assert_eq!(rules.len(), metas.len());
    for (rule, (meta, _)) in rules.iter().zip(&metas) {
        assert_eq!(rule["id"], meta.code);
        assert_eq!(rule["name"], meta.name);
        assert_eq!(rule["shortDescription"]["text"], meta.summary);
        let full = rule["fullDescription"]["text"].as_str().unwrap();
        assert!(
            !full.is_empty() && !full.contains('\n'),
            "{}: {full}",
            meta.code
        );
        assert_eq!(rule["help"]["markdown"], meta.documentation());
        assert_eq!(rule["help"]["text"], meta.documentation());
        let level = match meta.severity {
            amlint::report::Severity::Error => "error",
            amlint::report::Severity::Warning => "warning",
            amlint::report::Severity::Info => "note",
        };
        assert_eq!(rule["defaultConfiguration"]["level"], level);
    }
    for result in run["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
}

#[test]
fn sarif_code_flow_follows_the_hops_in_order() {
    let (_, out, _) = run(&["--format", "sarif", FORCED_TUNNEL]);
    let (_, json, _) = run(&["--format", "json", FORCED_TUNNEL]);
    let log: serde_json::Value = serde_json::from_str(&out).unwrap();
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(results.len(), diagnostics.len());
    for (result, d) in results.iter().zip(diagnostics) {
        let primary = &result["locations"][0]["physicalLocation"];
        assert_eq!(primary["artifactLocation"]["uri"], d["file"]);
        assert_eq!(primary["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(primary["region"]["startLine"], d["line"]);
        assert_eq!(primary["region"]["startColumn"], d["column"]);
        assert_eq!(primary["region"]["endLine"], d["end_line"]);
        assert_eq!(primary["region"]["endColumn"], d["end_column"]);
        let related = result["relatedLocations"].as_array().unwrap();
        let hops = d["related"].as_array().unwrap();
        assert_eq!(related.len(), hops.len());
        let steps = result["codeFlows"][0]["threadFlows"][0]["locations"]
            .as_array()
            .unwrap();
        assert_eq!(steps.len(), hops.len() + 1, "the primary, then each hop");
        assert_eq!(
            steps[0]["location"]["physicalLocation"],
            result["locations"][0]["physicalLocation"]
        );
        for (i, hop) in hops.iter().enumerate() {
            for loc in [&related[i], &steps[i + 1]["location"]] {
                let physical = &loc["physicalLocation"];
                assert_eq!(physical["artifactLocation"]["uri"], hop["file"]);
                assert_eq!(physical["region"]["startLine"], hop["line"]);
                assert_eq!(physical["region"]["startColumn"], hop["column"]);
                assert_eq!(loc["message"]["text"], hop["message"]);
            }
            assert_eq!(related[i]["id"], i + 1);
        }
    }
    // AML202's last hop is the route in the hub's file.
    let last = results[0]["codeFlows"][0]["threadFlows"][0]["locations"]
        .as_array()
        .unwrap()
        .last()
        .unwrap();
    assert_eq!(
        last["location"]["physicalLocation"]["artifactLocation"]["uri"],
        "fixtures/scenarios/forced-tunnel/hub.json"
    );
}

fn fingerprints(dir: &Path, path: &str) -> Vec<(String, String)> {
    let (_, out, err) = run_in(dir, &["--format", "sarif", path]);
    let log: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_owned(),
                r["partialFingerprints"]["amlintIdentity/v1"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect()
}

#[test]
fn sarif_fingerprints_do_not_depend_on_lines() {
    let all = fingerprints(&root(), SCENARIOS);
    let mut unique: Vec<&String> = all.iter().map(|(_, f)| f).collect();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        all.len(),
        "one fingerprint per result: {all:?}"
    );

    // The same scenario with lines added above everything: same fingerprints.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("fixtures/scenarios/forced-tunnel");
    std::fs::create_dir_all(&copy).unwrap();
    for name in ["hub.json", "spoke.json"] {
        let text = std::fs::read_to_string(root().join(FORCED_TUNNEL).join(name)).unwrap();
        let moved = text.replacen('{', "{\n\n\n", 1);
        std::fs::write(copy.join(name), moved).unwrap();
    }
    assert_eq!(
        fingerprints(dir.path(), FORCED_TUNNEL),
        fingerprints(&root(), FORCED_TUNNEL)
    );
}

#[test]
fn statistics_follow_the_report_for_people_and_go_to_stderr_for_machines() {
    let (status, out, err) = run(&["--color", "never", "--statistics", SCENARIOS]);
    assert_eq!(status, 1);
    assert_eq!(err, "");
    let table: Vec<&str> = out
        .lines()
        .rev()
        .skip(1)
        .take_while(|l| l.starts_with("AML"))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    insta::assert_snapshot!(table.join("\n"), @r"
    AML201  no-public-ip-compute-without-egress       3
    AML204  required-outbound-blocked                 2
    AML202  forced-tunnel-asymmetric-route            1
    AML301  managed-network-compute-in-custom-subnet  1
    AML304  managed-network-fqdn-rule-to-storage      1
    AML305  workspace-unreachable                     1
    AML306  workspace-public-network-access           1
    ");
    assert!(out.ends_with(" skipped).\n"), "the summary line stays last");

    let (_, concise, _) = run(&["--format", "concise", "--statistics", SCENARIOS]);
    assert!(concise.contains(&format!("{}\n", table[0])));

    let (_, plain, _) = run(&["--format", "json", SCENARIOS]);
    for format in ["json", "sarif", "github", "azure", "junit"] {
        let (status, out, err) = run(&["--format", format, "--statistics", SCENARIOS]);
        assert_eq!(status, 1);
        assert_eq!(err.lines().collect::<Vec<_>>(), table, "{format}");
        assert!(!out.contains("no-public-ip-compute-without-egress       3"));
        if format == "json" {
            assert_eq!(out, plain, "the JSON contract does not change");
        }
    }

    // Nothing found: no table.
    let (status, out, err) = run(&[
        "--statistics",
        "--format",
        "json",
        "--select",
        "AML201",
        "fixtures/AML201/pass.json",
    ]);
    assert_eq!((status, err.as_str()), (0, ""), "{out}");
}

#[test]
fn concise_and_github_lines() {
    let (_, out, _) = run(&["--format", "concise", "--quiet", FORCED_TUNNEL]);
    assert_eq!(out.lines().count(), 3);
    assert!(out.starts_with("fixtures/scenarios/forced-tunnel/spoke.json:178:29: AML202 compute cluster `mlw-spoke/cpu-public` has a public IP"));
    let (_, out, _) = run(&["--format", "github", FORCED_TUNNEL]);
    assert!(out.starts_with("::error file=fixtures/scenarios/forced-tunnel/spoke.json,line=178,col=29,endLine=178,endColumn=62,title=AML202 (forced-tunnel-asymmetric-route)::compute cluster"));
    let (_, out, _) = run(&["--format", "azure", FORCED_TUNNEL]);
    assert!(out.starts_with("##vso[task.logissue type=error;sourcepath=fixtures/scenarios/forced-tunnel/spoke.json;linenumber=178;columnnumber=29;code=AML202]AML202 (forced-tunnel-asymmetric-route): compute cluster"));
}

#[test]
fn junit_has_a_test_case_per_file_and_rule() {
    let (_, out, _) = run(&["--format", "junit", SCENARIOS]);
    let doc = roxmltree::Document::parse(&out).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    let names: Vec<&str> = suites
        .iter()
        .map(|s| s.attribute("name").unwrap())
        .collect();
    assert!(names.contains(&"fixtures/scenarios/forced-tunnel/hub.json"));
    let spoke = suites
        .iter()
        .find(|s| s.attribute("name") == Some("fixtures/scenarios/forced-tunnel/spoke.json"))
        .unwrap();
    let cases: Vec<(&str, &str)> = spoke
        .children()
        .filter(|n| n.is_element())
        .map(|c| {
            (
                c.attribute("name").unwrap(),
                c.attribute("classname").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        cases,
        [
            ("AML202", "fixtures/scenarios/forced-tunnel/spoke.json"),
            ("AML204", "fixtures/scenarios/forced-tunnel/spoke.json")
        ]
    );
    let aml204 = spoke.children().filter(|n| n.is_element()).nth(1).unwrap();
    let failure = aml204.first_element_child().unwrap();
    assert_eq!(failure.attribute("type"), Some("error"));
    assert!(failure
        .text()
        .unwrap()
        .contains("178:29: compute cluster `mlw-spoke/cpu-public`"));
    assert!(failure
        .text()
        .unwrap()
        .contains("198:29: compute cluster `mlw-spoke/cpu-private`"));
    let total: usize = root.attribute("tests").unwrap().parse().unwrap();
    let counted: usize = suites
        .iter()
        .map(|s| s.attribute("tests").unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(total, counted);
}

// ---------------------------------------------------------------------------------------------
// Hostile names

/// A name with every character that means something to a CI log, XML or a command line, but no
/// terminal escape, so that it can be compared after each format's unescaping.
const NSG: &str = "nsg\n::error file=x.json,line=1::forged\r\n##vso[task.complete result=Succeeded;]done 100%0A %25 , <b>&amp;\"q\"'a'";
/// A name with terminal escapes: colour, window title (OSC … BEL), C1 CSI, and CI markers.
const RULE: &str =
    "rule \u{1b}[31mRED\u{1b}]0;title\u{7} \u{9b}2J ##[error]old ::warning::x \u{7f}";

fn hostile_template() -> String {
    let json = |s: &str| serde_json::to_string(s).unwrap();
    format!(
        r#"{{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {{
      "type": "Microsoft.Network/networkSecurityGroups",
      "apiVersion": "2024-05-01",
      "name": {nsg},
      "location": "westeurope", /* {comment} */
      "properties": {{
        "securityRules": [
          {{
            "name": {rule},
            "properties": {{ "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": {protocol}, "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22" }}
          }},
          {{
            "name": "dup</failure><x>]]>&amp;",
            "properties": {{ "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "Internet", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22" }}
          }}
        ]
      }}
    }}
  ]
}}
"#,
        nsg = json(NSG),
        rule = json(RULE),
        protocol = json("Tcp\n::notice::p%;]"),
        comment = "\u{1b}[2J \u{9b}31m ##vso[task.setvariable variable=x]y",
    )
}

/// A file name as hostile as a file system allows.
const FILE: &str = "we\nird,:;]%25 ##vso[x]\u{1b}[1m.jsonc";

fn hostile_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("evil.jsonc"), hostile_template()).unwrap();
    std::fs::write(
        dir.path().join(FILE),
        r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
  "resources": [{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-05-01", "name": "nsg-plain", "location": "westeurope", "properties": {"securityRules": []}}]}"#,
    )
    .unwrap();
    dir
}

fn hostile(format: &str, extra: &[&str]) -> (tempfile::TempDir, String) {
    let dir = hostile_dir();
    let mut args = vec!["--format", format];
    args.extend_from_slice(extra);
    let (status, out, err) = run_in(dir.path(), &args);
    assert_eq!(status, 1, "{format}: {err}");
    assert_eq!(err, "", "{format}");
    (dir, out)
}

/// The findings of the hostile files, as JSON.
fn hostile_findings() -> Vec<serde_json::Value> {
    let (_, out) = hostile("json", &[]);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let diagnostics = report["diagnostics"].as_array().unwrap().clone();
    let codes: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    for code in ["AML402", "AML601", "AML603", "AML606"] {
        assert!(codes.contains(&code), "{codes:?}");
    }
    assert!(diagnostics.iter().any(|d| d["file"] == FILE));
    diagnostics
}

/// What a terminal, a GitHub runner or an Azure agent would act on in text meant for people.
fn assert_inert_text(format: &str, out: &str) {
    for (i, c) in out.char_indices() {
        assert!(
            !c.is_control() || c == '\n' || (c == '\u{1b}' && sgr(&out[i..])),
            "{format}: raw control {c:?} at {i}: {:?}",
            &out[i.saturating_sub(40)..(i + 40).min(out.len())]
        );
    }
    let plain = strip_sgr(out);
    for line in plain.lines() {
        assert!(!line.trim_start().starts_with("::"), "{format}: {line:?}");
        assert!(!line.contains("##vso["), "{format}: {line:?}");
        assert!(!line.contains("##["), "{format}: {line:?}");
    }
}

/// Whether `s` starts with an SGR sequence (`ESC [ digits ; m`), which miette writes for colour.
fn sgr(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("\u{1b}[") else {
        return false;
    };
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ';'))
        .unwrap_or(rest.len());
    rest[end..].starts_with('m')
}

fn strip_sgr(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('\u{1b}') {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 2..];
        let end = tail.find('m').map_or(tail.len(), |e| e + 1);
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn hostile_names_in_human_output() {
    let findings = hostile_findings();
    for color in ["never", "always"] {
        let (_, out) = hostile("human", &["--color", color]);
        assert_inert_text(&format!("human --color {color}"), &out);
        let plain = strip_sgr(&out);
        // The values are still there, shown escaped.
        assert!(plain.contains("rule \\u{1b}[31mRED\\u{1b}]0;title\\u{7} \\u{9b}2J ##\\u{5b}error]old \\u{3a}:warning::x \\u{7f}"), "{plain}");
        assert!(
            plain.contains("/* \\u{1b}[2J \\u{9b}31m ##vso\\u{5b}task.setvariable"),
            "{plain}"
        );
        if color == "never" {
            assert!(!out.contains('\u{1b}'));
            insta::assert_snapshot!("hostile_human", out);
        }
    }
    assert_eq!(findings.len(), 5);
}

#[test]
fn hostile_names_in_concise_output() {
    let (_, out) = hostile("concise", &[]);
    assert_inert_text("concise", &out);
    let findings = hostile_findings();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.len(),
        findings.len() + 1,
        "one line per finding, and the summary"
    );
    for line in &lines[..findings.len()] {
        assert!(
            line.starts_with("evil.jsonc:")
                || line.starts_with("we\\nird,:;]%25 ##vso\\u{5b}x]\\u{1b}[1m.jsonc:"),
            "{line}"
        );
    }
    insta::assert_snapshot!("hostile_concise", out);
}

/// GitHub's decoding of a workflow command's data and properties.
fn github_unescape(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

#[test]
fn hostile_names_in_github_output() {
    let (_, out) = hostile("github", &[]);
    let findings = hostile_findings();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.len(),
        findings.len(),
        "one command per finding: {out}"
    );
    assert!(!out.contains('\r'));
    for (line, finding) in lines.iter().zip(&findings) {
        // Parsed as the runner does: `::command properties::data`.
        let rest = line.strip_prefix("::").expect("starts with ::");
        let end = rest.find("::").expect("ends its properties");
        let (info, data) = (&rest[..end], &rest[end + 2..]);
        let (command, props) = info.split_once(' ').unwrap();
        let severity = finding["severity"].as_str().unwrap();
        assert_eq!(
            command,
            if severity == "info" {
                "notice"
            } else {
                severity
            }
        );
        let props: Vec<(&str, String)> = props
            .split(',')
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap();
                (k, github_unescape(v))
            })
            .collect();
        let keys: Vec<&str> = props.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            keys,
            ["file", "line", "col", "endLine", "endColumn", "title"]
        );
        let file = finding["file"].as_str().unwrap();
        assert_eq!(props[0].1, file.replace('\u{1b}', "\\u{1b}"));
        assert_eq!(props[1].1, finding["line"].to_string());
        let message = github_unescape(data);
        let expected = finding["message"].as_str().unwrap();
        if !expected
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r')
        {
            // Without terminal escapes, the message reads back exactly.
            assert!(message.starts_with(expected), "{message}");
        }
        for c in message.chars() {
            assert!(
                !c.is_control() || c == '\n' || c == '\r',
                "{c:?} in {message:?}"
            );
        }
    }
    assert!(out.contains(&crate_github_data(NSG)));
    insta::assert_snapshot!("hostile_github", out);
}

fn crate_github_data(s: &str) -> String {
    amlint::report::escape::github_data(s)
}

/// The Azure agent's decoding of a logging command's data and properties.
fn azure_unescape(s: &str) -> String {
    s.replace("%3B", ";")
        .replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%5D", "]")
        .replace("%AZP25", "%")
}

#[test]
fn hostile_names_in_azure_output() {
    let (_, out) = hostile("azure", &[]);
    let findings = hostile_findings();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.len(),
        findings.len(),
        "one command per finding: {out}"
    );
    assert!(!out.contains('\r'));
    for (line, finding) in lines.iter().zip(&findings) {
        // Parsed as the agent does: the first `##vso[`, up to the first `]`, `;`-separated.
        assert_eq!(line.find("##vso["), Some(0), "{line}");
        let end = line.find(']').unwrap();
        let props: Vec<(&str, String)> = line[6..end]
            .strip_prefix("task.logissue ")
            .unwrap()
            .split(';')
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap();
                (k, azure_unescape(v))
            })
            .collect();
        let keys: Vec<&str> = props.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            keys,
            ["type", "sourcepath", "linenumber", "columnnumber", "code"]
        );
        assert_eq!(
            props[1].1,
            finding["file"]
                .as_str()
                .unwrap()
                .replace('\u{1b}', "\\u{1b}")
        );
        assert_eq!(props[4].1, finding["code"].as_str().unwrap());
        let message = azure_unescape(&line[end + 1..]);
        for c in message.chars() {
            assert!(
                !c.is_control() || c == '\n' || c == '\r',
                "{c:?} in {message:?}"
            );
        }
    }
    assert!(out.contains(&amlint::report::escape::azure(NSG)));
    insta::assert_snapshot!("hostile_azure", out);
}

#[test]
fn hostile_names_in_junit_output() {
    let (_, out) = hostile("junit", &[]);
    let doc = roxmltree::Document::parse(&out).expect("well-formed XML");
    // Nothing for a CI log either.
    assert_inert_text("junit", &out);
    let texts: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .map(|n| n.text().unwrap_or_default().to_owned())
        .collect();
    assert!(
        texts.iter().any(|t| t.contains(NSG)),
        "the name reads back as it was"
    );
    let suites: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .map(|n| n.attribute("name").unwrap())
        .collect();
    assert_eq!(
        suites,
        ["evil.jsonc", "we\nird,:;]%25 ##vso[x]\\u{1b}[1m.jsonc"]
    );
    for node in doc.descendants().filter(|n| n.has_tag_name("failure")) {
        let message = node.attribute("message").unwrap();
        assert!(!message.contains('\u{1b}'));
    }
    insta::assert_snapshot!("hostile_junit", out);
}

#[test]
fn hostile_names_in_sarif_and_json_output() {
    let findings = hostile_findings();
    for format in ["sarif", "json"] {
        let (dir, out) = hostile(format, &[]);
        assert_inert_text(format, &out);
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        // JSON's escaping only: the names read back exactly.
        if format == "sarif" {
            validate_sarif(&out);
            let results = value["runs"][0]["results"].as_array().unwrap();
            assert_eq!(results.len(), findings.len());
            for (r, f) in results.iter().zip(&findings) {
                assert_eq!(r["message"]["text"], f["message"]);
                let logical = &r["locations"][0]["logicalLocations"][0];
                assert_eq!(logical["name"], f["resource"]["name"]);
            }
            assert!(results
                .iter()
                .any(|r| r["locations"][0]["logicalLocations"][0]["name"] == NSG));
            let uris: Vec<&str> = results
                .iter()
                .map(|r| {
                    r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                        .as_str()
                        .unwrap()
                })
                .collect();
            assert!(
                uris.contains(&"we%0Aird,%3A;%5D%2525%20%23%23vso%5Bx%5D%1B%5B1m.jsonc"),
                "{uris:?}"
            );
            insta::assert_snapshot!("hostile_sarif", sarif_for_snapshot(&out, dir.path()));
        } else {
            assert_eq!(value["diagnostics"].as_array().unwrap(), &findings);
            assert!(value["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["resource"]["name"] == NSG));
        }
    }
}

#[test]
fn statistics_escape_names_and_unknown_formats_are_listed() {
    let dir = hostile_dir();
    let (_, out, _) = run_in(dir.path(), &["--statistics", "--color", "never"]);
    assert_inert_text("statistics", &out);
    let o = amlint().args(["--format", "nope"]).output().unwrap();
    assert_eq!(code(&o), 2);
    for format in FORMATS {
        assert!(stderr(&o).contains(format), "{format}");
    }
}
