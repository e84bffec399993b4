//! Configuration files and suppressions, through the real binary: discovery, `--config`,
//! `--isolated`, every setting, every suppression form, and the errors (exit status 2).

mod common;

use common::{amlint_in, code, codes, stderr, stdout};
use std::path::Path;

/// An NSG that opens SSH to the internet (AML402, warning) and is attached to nothing (AML606,
/// info). `comment` goes on the line before the flagged `sourceAddressPrefix`; `metadata` is the
/// resource's `metadata` member.
fn nsg(name: &str, metadata: &str, comment: &str) -> String {
    let metadata = if metadata.is_empty() {
        String::new()
    } else {
        format!("\"metadata\": {metadata},\n      ")
    };
    format!(
        r#"{{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {{
      "type": "Microsoft.Network/networkSecurityGroups",
      "apiVersion": "2024-05-01",
      "name": "{name}",
      "location": "westeurope",
      {metadata}"properties": {{
        "securityRules": [
          {{
            "name": "AllowSSH",
            "properties": {{
              "priority": 110,
              "direction": "Inbound",
              "access": "Allow",
              "protocol": "Tcp",
              {comment}
              "sourceAddressPrefix": "*",
              "sourcePortRange": "*",
              "destinationAddressPrefix": "*",
              "destinationPortRange": "22"
            }}
          }}
        ]
      }}
    }}
  ]
}}
"#
    )
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Runs amlint in `dir` with `--format json` and the arguments; returns the status and report.
fn run(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let o = amlint_in(dir)
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&o), stderr(&o)));
    (code(&o), report)
}

/// `code file:line` of each diagnostic.
fn found(report: &serde_json::Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}:{}",
                d["code"].as_str().unwrap(),
                d["file"].as_str().unwrap(),
                d["line"]
            )
        })
        .collect()
}

/// Runs amlint in `dir` expecting exit status 2; returns standard error, with the lines that
/// the renderer wraps joined again.
fn fails_with(dir: &Path, args: &[&str]) -> String {
    let o = amlint_in(dir).args(args).output().unwrap();
    assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).is_empty(), "no report: {}", stdout(&o));
    stderr(&o)
        .lines()
        .map(|l| l.trim_start_matches([' ', '│']))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn without_a_configuration_the_defaults_apply() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "nsg.json", &nsg("nsg-a", "", ""));
    let (status, report) = run(dir.path(), &[]);
    assert_eq!(
        status, 1,
        "AML402 is a warning and fail-on defaults to warning"
    );
    assert_eq!(found(&report), ["AML606 nsg.json:8", "AML402 nsg.json:20"]);
}

#[test]
fn fail_on_comes_from_the_configuration_unless_given() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "nsg.json", &nsg("nsg-a", "", ""));
    write(dir.path(), "amlint.toml", "fail-on = \"error\"\n");
    assert_eq!(run(dir.path(), &[]).0, 0);
    assert_eq!(run(dir.path(), &["--fail-on", "warning"]).0, 1);
    assert_eq!(run(dir.path(), &["--isolated"]).0, 1);
}

#[test]
fn rules_levels_change_severities_and_turn_rules_off() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "nsg.json", &nsg("nsg-a", "", ""));
    write(
        dir.path(),
        ".amlint.toml",
        "[rules]\nAML402 = \"error\"\nunattached-network-resource = \"off\"\n",
    );
    let (status, report) = run(dir.path(), &[]);
    assert_eq!(status, 1);
    let diags = report["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{report}");
    assert_eq!(diags[0]["code"], "AML402");
    assert_eq!(diags[0]["severity"], "error");
    assert_eq!(report["summary"]["errors"], 1);
    // Down to info: no longer fails at the default threshold.
    write(dir.path(), ".amlint.toml", "[rules]\nAML402 = \"info\"\n");
    let (status, report) = run(dir.path(), &[]);
    assert_eq!(status, 0);
    assert_eq!(report["summary"]["infos"], 2);
}

#[test]
fn the_closest_configuration_governs_each_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "amlint.toml", "[rules]\nAML606 = \"off\"\n");
    write(dir.path(), "a/nsg.json", &nsg("nsg-a", "", ""));
    write(dir.path(), "b/nsg.json", &nsg("nsg-b", "", ""));
    // No merging: b's file does not inherit AML606 = "off".
    write(dir.path(), "b/amlint.toml", "[rules]\nAML402 = \"off\"\n");
    let (_, report) = run(dir.path(), &[]);
    assert_eq!(
        found(&report),
        ["AML402 a/nsg.json:20", "AML606 b/nsg.json:8"]
    );
    // Linting only `b` finds b's configuration too.
    let (_, report) = run(dir.path(), &["b"]);
    assert_eq!(found(&report), ["AML606 b/nsg.json:8"]);
    // `--config` overrides discovery for every file.
    let (_, report) = run(dir.path(), &["--config", "b/amlint.toml"]);
    assert_eq!(
        found(&report),
        ["AML606 a/nsg.json:8", "AML606 b/nsg.json:8"]
    );
    // `--isolated` ignores them all.
    let (_, report) = run(dir.path(), &["--isolated"]);
    assert_eq!(found(&report).len(), 4);
}

#[test]
fn extend_inherits_from_another_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "shared/base.toml",
        "fail-on = \"never\"\n[rules]\nAML606 = \"off\"\nAML402 = \"error\"\n",
    );
    write(
        dir.path(),
        "infra/amlint.toml",
        "extend = \"../shared/base.toml\"\n[rules]\nAML402 = \"info\"\n",
    );
    write(dir.path(), "infra/nsg.json", &nsg("nsg-a", "", ""));
    let (status, report) = run(dir.path(), &["infra"]);
    assert_eq!(status, 0, "fail-on inherited");
    assert_eq!(found(&report), ["AML402 infra/nsg.json:20"]);
    assert_eq!(report["diagnostics"][0]["severity"], "info", "overridden");
}

#[test]
fn exclude_skips_walked_and_named_files() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "amlint.toml",
        "exclude = [\"legacy\", \"gen/*.json\"]\n",
    );
    write(dir.path(), "legacy/old/nsg.json", "{ not json");
    write(dir.path(), "gen/nsg.json", "{ not json");
    write(dir.path(), "gen/deep/nsg.json", &nsg("nsg-deep", "", ""));
    write(dir.path(), "nsg.json", &nsg("nsg-a", "", ""));
    let (_, report) = run(dir.path(), &["--select", "AML001,AML402"]);
    assert_eq!(
        found(&report),
        ["AML402 gen/deep/nsg.json:20", "AML402 nsg.json:20"],
        "`*` does not cross directories"
    );
    // pre-commit names files: they are excluded too.
    let (status, report) = run(dir.path(), &["legacy/old/nsg.json", "gen/nsg.json"]);
    assert_eq!((status, found(&report).len()), (0, 0), "{report}");
    assert_eq!(report["summary"]["files"], 0);
}

#[test]
fn parameters_tables_pair_files_by_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let template = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": { "source": { "type": "string", "defaultValue": "10.0.0.0/24" } },
  "resources": [
    {
      "type": "Microsoft.Network/networkSecurityGroups",
      "apiVersion": "2024-05-01",
      "name": "nsg",
      "location": "westeurope",
      "properties": { "securityRules": [ { "name": "AllowSSH", "properties": {
        "priority": 110, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
        "sourceAddressPrefix": "[parameters('source')]", "sourcePortRange": "*",
        "destinationAddressPrefix": "*", "destinationPortRange": "22" } } ] }
    }
  ]
}"#;
    let params = |source: &str| {
        format!(
            r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0", "parameters": {{ "source": {{ "value": "{source}" }} }}}}"#
        )
    };
    write(dir.path(), "infra/network.json", template);
    // Names that pair with nothing by convention, outside the linted directory.
    write(dir.path(), "env/open.json", &params("*"));
    write(dir.path(), "env/closed.json", &params("10.1.0.0/16"));
    write(
        dir.path(),
        "amlint.toml",
        "[[parameters]]\ntemplate = \"infra/network.json\"\nfiles = [\"env/open.json\", \"env/closed.json\"]\n",
    );
    let (_, report) = run(dir.path(), &["--select", "AML402", "infra"]);
    let diags = report["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{report}");
    assert_eq!(diags[0]["parameters_file"], "env/open.json");
    // Without the table, the default value applies and nothing fires.
    let (_, report) = run(dir.path(), &["--select", "AML402", "--isolated", "infra"]);
    assert_eq!(found(&report).len(), 0, "{report}");
}

#[test]
fn rule_dirs_and_aml_settings_reach_the_rules() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "policy/org.toml",
        r#"code = "ORG001"
name = "nsg-rule-priority-over-setting"
severity = "warning"
summary = "an NSG rule priority above the configured number"
types = ["Microsoft.Network/networkSecurityGroups"]
assert = "@.properties.securityRules[0].properties.priority <= {{aml.max-cluster-nodes}}"
message = "the first NSG rule has a priority above {{aml.max-cluster-nodes}}"
doc = "Test rule."
"#,
    );
    write(dir.path(), "nsg.json", &nsg("nsg-a", "", ""));
    write(
        dir.path(),
        "amlint.toml",
        "rule-dirs = [\"policy\"]\n[aml]\nmax-cluster-nodes = 100\n",
    );
    let o = amlint_in(dir.path()).args(["rules"]).output().unwrap();
    assert!(stdout(&o).contains("ORG001"), "{}", stdout(&o));
    let (_, report) = run(dir.path(), &["--select", "ORG001", "nsg.json"]);
    assert!(
        codes(&report).iter().all(|(c, _)| c == "ORG001"),
        "{report}"
    );
    write(
        dir.path(),
        "amlint.toml",
        "rule-dirs = [\"policy\"]\n[aml]\nmax-cluster-nodes = 200\n",
    );
    let (_, report2) = run(dir.path(), &["--select", "ORG001", "nsg.json"]);
    // The rule asserts that the priority is at most the setting: 110 > 100 fires, 200 does not.
    assert_eq!(found(&report), ["ORG001 nsg.json:8"], "{report}");
    assert!(found(&report2).is_empty(), "{report2}");
}

#[test]
fn configuration_errors_name_the_file_and_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "nsg.json", &nsg("nsg-a", "", ""));
    let cases: &[(&str, &str)] = &[
        ("fail-on = \"error\"\nfial-on = \"x\"\n", "amlint.toml:2:"),
        ("[rules]\nAML999 = \"off\"\n", "`[rules]` names `AML999`, which is not a rule"),
        ("[rules]\nAML402 = \"loud\"\n", "rule `AML402` is set to `loud`"),
        ("fail-on = \"sometimes\"\n", "amlint.toml:1:"),
        (
            "[[suppress]]\nrule = \"AML402\"\npath = \"*.json\"\n",
            "has no `reason`",
        ),
        (
            "\n[[suppress]]\nrule = \"AML42\"\npath = \"*.json\"\nreason = \"x\"\n",
            "amlint.toml:3: `[[suppress]]` names `AML42`, which is not a rule",
        ),
        (
            "[[suppress]]\nrule = \"AML402\"\npath = \"*.json\"\nreason = \"x\"\nexpires = \"31/03/2027\"\n",
            "amlint.toml:5:",
        ),
        ("exclude = [\"[\"]\n", "amlint.toml:1:"),
        ("extend = \"nowhere.toml\"\n", "not a file"),
        ("[[parameters]]\ntemplate = \"nsg.json\"\nfiles = [\"missing.json\"]\n", "amlint.toml:3:"),
        ("[aml]\nmax-cluster-nodes = -1\n", "amlint.toml:2:"),
    ];
    for (text, expected) in cases {
        write(dir.path(), "amlint.toml", text);
        let err = fails_with(dir.path(), &["--color", "never"]);
        assert!(err.contains(expected), "{text:?}: {err}");
        // `rules` and `explain` read the configuration too.
        let o = amlint_in(dir.path()).args(["rules"]).output().unwrap();
        assert_eq!(code(&o), 2, "{text:?}");
        // `--isolated` does not read it.
        let o = amlint_in(dir.path())
            .args(["--isolated", "-q"])
            .output()
            .unwrap();
        assert_eq!(code(&o), 1, "{text:?}: {}", stderr(&o));
    }
    std::fs::remove_file(dir.path().join("amlint.toml")).unwrap();
    let err = fails_with(dir.path(), &["--config", "missing.toml"]);
    assert!(
        err.contains("cannot read configuration `missing.toml`"),
        "{err}"
    );
    let o = amlint_in(dir.path())
        .args(["--config", "x.toml", "--isolated"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2, "--config and --isolated conflict");
}

#[test]
fn a_configuration_error_is_shown_with_its_source() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "nsg.json", &nsg("nsg-a", "", ""));
    write(
        dir.path(),
        "amlint.toml",
        "fail-on = \"error\"\n\n[rules]\nAML402 = \"loud\"\n",
    );
    let o = amlint_in(dir.path())
        .args(["--color", "never"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    insta::assert_snapshot!(stderr(&o));
}

#[test]
fn config_suppressions_match_resource_or_path_and_report_what_they_did() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "infra/nsg.json", &nsg("nsg-jump", "", ""));
    write(dir.path(), "infra/other.json", &nsg("nsg-other", "", ""));
    write(
        dir.path(),
        "amlint.toml",
        r#"[rules]
AML606 = "off"

[[suppress]]
rule = "AML402"
resource = "microsoft.network/networksecuritygroups/nsg-jump*"
reason = "jump box behind just-in-time access"

[[suppress]]
rule = "nsg-management-port-open-to-internet"
path = "infra/other.json"
reason = "migration window"
expires = "2020-01-31"

[[suppress]]
rule = "AML101"
path = "infra/**"
reason = "the cluster was removed"

[[suppress]]
rule = "AML606"
path = "infra/**"
reason = "the rule is off: not reported as unused"
"#,
    );
    let (status, report) = run(dir.path(), &[]);
    assert_eq!(
        found(&report),
        [
            "AML005 amlint.toml:10",
            "AML006 amlint.toml:16",
            "AML402 infra/other.json:20",
        ],
        "{report}"
    );
    assert_eq!(status, 1, "the expired suppression's finding is back");
    let o = amlint_in(dir.path())
        .args(["--color", "never"])
        .output()
        .unwrap();
    insta::assert_snapshot!(stdout(&o));
    // A suppressed rule that does not run is not reported as unused.
    let (_, report) = run(dir.path(), &["--ignore", "AML101"]);
    assert!(
        !found(&report).iter().any(|f| f.starts_with("AML006")),
        "{report}"
    );
}

#[test]
fn template_and_comment_suppressions() {
    let dir = tempfile::tempdir().unwrap();
    let meta = r#"{ "amlint": { "suppress": [ { "rule": "AML402", "reason": "jump box" }, { "rule": ["AML606"], "reason": "attached elsewhere", "expires": "2999-12-31" } ] } }"#;
    write(dir.path(), "meta.json", &nsg("nsg-meta", meta, ""));
    write(
        dir.path(),
        "comment.jsonc",
        &nsg("nsg-comment", "", "// amlint-ignore AML402: jump box"),
    );
    write(
        dir.path(),
        "no-reason.json",
        &nsg("nsg-no-reason", "", "// amlint-ignore AML402"),
    );
    write(
        dir.path(),
        "stale.json",
        &nsg(
            "nsg-stale",
            "",
            "/* amlint-ignore AML601: was a duplicate */",
        ),
    );
    let (status, report) = run(dir.path(), &["--select", "AML4,AML6,AML004,AML005,AML006"]);
    assert_eq!(
        found(&report),
        [
            "AML606 comment.jsonc:8",
            "AML606 no-reason.json:8",
            "AML004 no-reason.json:19",
            "AML402 no-reason.json:20",
            "AML606 stale.json:8",
            "AML006 stale.json:19",
            "AML402 stale.json:20",
        ],
        "{report}"
    );
    assert_eq!(status, 1);
    // Two suppressions of the same finding are both used.
    let both = r#"{ "amlint": { "suppress": [ { "rule": "AML402", "reason": "jump box" } ] } }"#;
    write(
        dir.path(),
        "meta.json",
        &nsg("nsg-meta", both, "// amlint-ignore AML402: also here"),
    );
    let (_, report) = run(dir.path(), &["--select", "AML402,AML006", "meta.json"]);
    assert!(found(&report).is_empty(), "{report}");
    // Suppressions are ignored with their files: nothing else changes.
    let (_, report) = run(dir.path(), &["--select", "AML402", "meta.json"]);
    assert!(found(&report).is_empty(), "{report}");
}

/// A template is recognised from its first bytes and read whole once, when it is evaluated: a
/// suppression comment far from its start is still found there.
#[test]
fn comment_suppressions_past_the_start_of_a_long_template() {
    let dir = tempfile::tempdir().unwrap();
    let padding = format!("// {}\n              ", "x".repeat(8_000));
    write(
        dir.path(),
        "suppressed.json",
        &nsg(
            "nsg-a",
            "",
            &format!("{padding}// amlint-ignore AML402: jump box"),
        ),
    );
    write(
        dir.path(),
        "reported.json",
        &nsg("nsg-b", "", &format!("{padding}// no suppression here")),
    );
    let (_, report) = run(dir.path(), &["--select", "AML402,AML004,AML006"]);
    assert_eq!(found(&report), ["AML402 reported.json:21"], "{report}");
}
