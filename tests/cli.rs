//! The command line, through the real binary: formats, exit codes, options, bad input.

mod common;

use common::{amlint, amlint_in, code, codes, json, stderr, stdout};
use std::io::Write;
use std::time::{Duration, Instant};

const SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

fn template(resources: &str) -> String {
    format!(r#"{{"$schema": "{SCHEMA}", "contentVersion": "1.0.0.0", "resources": [{resources}]}}"#)
}

#[test]
fn version_and_help() {
    let o = amlint().arg("--version").output().unwrap();
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).starts_with("amlint "));
    let o = amlint().arg("--help").output().unwrap();
    assert_eq!(code(&o), 0);
    for word in [
        "check",
        "rules",
        "explain",
        "--format",
        "--fail-on",
        "--parameters",
    ] {
        assert!(stdout(&o).contains(word), "help lacks {word}");
    }
}

#[test]
fn human_report_of_a_failing_fixture() {
    let o = amlint()
        .args(["--color", "never", "fixtures/AML201/fail.json"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 1);
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn check_subcommand_is_the_default() {
    let a = amlint()
        .args(["check", "--color", "never", "fixtures/AML201/fail.json"])
        .output()
        .unwrap();
    let b = amlint()
        .args(["--color", "never", "fixtures/AML201/fail.json"])
        .output()
        .unwrap();
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(code(&a), 1);
}

#[test]
fn json_report_of_the_cross_file_scenario() {
    // The bytes users get, key order included.
    let o = amlint()
        .args(["--format", "json", "fixtures/scenarios/cross-file"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 1);
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn cross_file_scenario_reports_only_the_subnet_without_egress() {
    let (_, report) = json(&["fixtures/scenarios/cross-file"]);
    let diags = report["diagnostics"].as_array().unwrap();
    let names: Vec<(&str, &str)> = diags
        .iter()
        .map(|d| {
            (
                d["resource"]["name"].as_str().unwrap(),
                d["parameters_file"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            (
                "mlw-prod/cpu-training",
                "fixtures/scenarios/cross-file/aml.parameters.dev.json"
            ),
            (
                "mlw-prod/cpu-training",
                "fixtures/scenarios/cross-file/aml.parameters.prod.json"
            ),
            (
                "mlw-prod/gpu-training",
                "fixtures/scenarios/cross-file/aml.parameters.prod.json"
            ),
        ],
        "the NAT gateway and firewall subnets pass; the public GPU cluster of dev passes"
    );
    for d in diags {
        assert_eq!(d["code"], "AML201");
        let related_files: Vec<&str> = d["related"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["file"].as_str().unwrap())
            .collect();
        assert!(
            related_files.contains(&"fixtures/scenarios/cross-file/network.json"),
            "{related_files:?}"
        );
    }
    assert_eq!(report["summary"]["templates"], 2);
    assert_eq!(report["summary"]["files"], 4);
}

#[test]
fn json_positions_are_one_based_scalar_columns() {
    let dir = tempfile::tempdir().unwrap();
    // `ä` is two bytes, one column.
    std::fs::write(dir.path().join("bad.json"), "{\n  \"ä\": 1,,\n}").unwrap();
    let o = amlint_in(dir.path())
        .args(["--format", "json", "."])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let d = &v["diagnostics"][0];
    assert_eq!(
        (d["file"].as_str(), d["line"].as_u64(), d["column"].as_u64()),
        (Some("bad.json"), Some(2), Some(10))
    );
}

#[test]
fn fail_on_decides_the_exit_status() {
    let info_only = "fixtures/AML002/fail_subnet_parameter.json";
    assert_eq!(
        code(&amlint().arg(info_only).output().unwrap()),
        0,
        "infos do not fail by default"
    );
    assert_eq!(
        code(
            &amlint()
                .args(["--fail-on", "info", info_only])
                .output()
                .unwrap()
        ),
        1
    );
    let error = "fixtures/AML201/fail.json";
    assert_eq!(
        code(
            &amlint()
                .args(["--fail-on", "error", error])
                .output()
                .unwrap()
        ),
        1
    );
    assert_eq!(
        code(
            &amlint()
                .args(["--fail-on", "never", error])
                .output()
                .unwrap()
        ),
        0
    );
    assert_eq!(
        code(&amlint().arg("fixtures/AML201/pass.json").output().unwrap()),
        0
    );
}

#[test]
fn select_and_ignore() {
    let (_, r) = json(&[
        "--select",
        "AML002",
        "fixtures/AML201/fail.json",
        "fixtures/AML002/fail_subnet_parameter.json",
    ]);
    assert_eq!(codes(&r), [("AML002".to_owned(), 17)]);
    let (status, r) = json(&["--ignore", "AML201", "fixtures/AML201/fail.json"]);
    assert_eq!((status, codes(&r).len()), (0, 0));
    let (_, r) = json(&[
        "--select",
        "no-public-ip-compute-without-egress",
        "fixtures/AML201/fail.json",
    ]);
    assert_eq!(codes(&r).len(), 1);
    let o = amlint()
        .args(["--select", "AML999", "fixtures"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("`AML999` names no rule"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn missing_paths_exit_2_after_linting_the_rest() {
    let o = amlint()
        .args([
            "--format",
            "json",
            "does-not-exist",
            "fixtures/AML201/fail.json",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("cannot lint `does-not-exist`: no such file or directory"),
        "{}",
        stderr(&o)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(codes(&v).len(), 1, "the other path is still linted");
}

#[test]
fn output_file_and_unwritable_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let o = amlint()
        .args(["--format", "json", "-o"])
        .arg(&out)
        .arg("fixtures/AML201/fail.json")
        .output()
        .unwrap();
    assert_eq!(code(&o), 1);
    assert!(o.stdout.is_empty());
    let written = std::fs::read_to_string(&out).unwrap();
    let v: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(v["version"], 1);
    // The machine formats are written straight to their destination; the file holds what
    // standard output gets.
    let printed = amlint()
        .args(["--format", "json", "fixtures/AML201/fail.json"])
        .output()
        .unwrap();
    assert_eq!(stdout(&printed), written);
    let sarif = dir.path().join("report.sarif");
    let o = amlint()
        .args(["--format", "sarif", "-o"])
        .arg(&sarif)
        .arg("fixtures/AML201/fail.json")
        .output()
        .unwrap();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let printed = amlint()
        .args(["--format", "sarif", "fixtures/AML201/fail.json"])
        .output()
        .unwrap();
    assert_eq!(stdout(&printed), std::fs::read_to_string(&sarif).unwrap());
    std::fs::remove_file(&sarif).unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    // A device is written to, never replaced by a rename (amlint may run as root).
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let o = amlint()
            .args(["-o", "/dev/null", "fixtures/AML201/fail.json"])
            .output()
            .unwrap();
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        let o = amlint()
            .args([
                "--format",
                "json",
                "-o",
                "/dev/null",
                "fixtures/AML201/fail.json",
            ])
            .output()
            .unwrap();
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        assert!(std::fs::symlink_metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());
    }
    let o = amlint()
        .args([
            "-o",
            "/nonexistent-dir/report.txt",
            "fixtures/AML201/fail.json",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("cannot write"), "{}", stderr(&o));
    let o = amlint()
        .args([
            "--format",
            "json",
            "-o",
            "/nonexistent-dir/report.json",
            "fixtures/AML201/fail.json",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("cannot write"), "{}", stderr(&o));
    // Standard output that cannot be written (a full device) is an error too.
    #[cfg(target_os = "linux")]
    {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
        if let Ok(full) = full {
            for format in ["json", "sarif"] {
                let o = amlint()
                    .args(["--format", format, "fixtures/AML201/fail.json"])
                    .stdout(full.try_clone().unwrap())
                    .output()
                    .unwrap();
                assert_eq!(code(&o), 2, "{format}");
                assert!(
                    stderr(&o).contains("cannot write to standard output"),
                    "{format}: {}",
                    stderr(&o)
                );
            }
        }
    }
}

#[test]
fn output_is_identical_for_any_thread_count() {
    let run = |j: &str| {
        amlint()
            .args(["--format", "json", "-j", j, "fixtures", "tests/corpus"])
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    assert!(!one.is_empty());
    assert_eq!(one, run("2"));
    assert_eq!(one, run("8"));
}

#[test]
fn parameters_option_pairs_files_with_a_single_template() {
    let dir = "fixtures/scenarios/cross-file";
    let o = amlint()
        .args([
            &format!("{dir}/aml.json"),
            &format!("{dir}/network.json"),
            "--parameters",
            &format!("{dir}/aml.parameters.prod.json"),
        ])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2, "two templates: --parameters is ambiguous");
    assert!(
        stderr(&o).contains("needs exactly one template among the inputs, found 2"),
        "{}",
        stderr(&o)
    );
    let o = amlint()
        .args([
            "--format",
            "json",
            "--fail-on",
            "error",
            &format!("{dir}/aml.json"),
            "--parameters",
            &format!("{dir}/aml.parameters.prod.json"),
        ])
        .output()
        .unwrap();
    // Without network.json the subnets are unknown (AML002) and the workspace's private endpoint
    // is missing (warnings); no error.
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let infos: Vec<_> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["parameters_file"].clone())
        .collect();
    assert!(!infos.is_empty());
    assert!(infos
        .iter()
        .all(|p| p == &serde_json::json!(format!("{dir}/aml.parameters.prod.json"))));
}

#[test]
fn color_follows_the_flag_and_no_color() {
    let colored = amlint()
        .args(["--color", "always", "fixtures/AML201/fail.json"])
        .output()
        .unwrap();
    assert!(stdout(&colored).contains('\u{1b}'));
    let plain = amlint()
        .args(["--color", "never", "fixtures/AML201/fail.json"])
        .output()
        .unwrap();
    assert!(!stdout(&plain).contains('\u{1b}'));
    let auto = amlint()
        .env("NO_COLOR", "1")
        .arg("fixtures/AML201/fail.json")
        .output()
        .unwrap();
    assert!(!stdout(&auto).contains('\u{1b}'));
}

#[test]
fn quiet_and_verbose() {
    let q = amlint()
        .args(["--quiet", "--color", "never", "fixtures/AML201/pass.json"])
        .output()
        .unwrap();
    assert!(stdout(&q).is_empty());
    let v = amlint()
        .args([
            "--verbose",
            "--color",
            "never",
            "tests/corpus/Azure__azureml-examples",
        ])
        .output()
        .unwrap();
    assert!(
        stderr(&v).contains("pairs with no template"),
        "{}",
        stderr(&v)
    );
    let v = amlint()
        .args(["--verbose", "tests/corpus/Azure__azure-rest-api-specs"])
        .output()
        .unwrap();
    assert!(stderr(&v).contains("skipped"), "{}", stderr(&v));
    assert!(
        stdout(&v).contains("2 files (0 templates, 2 skipped)"),
        "{}",
        stdout(&v)
    );
    // Every phase, in order, with the time it took.
    let v = amlint()
        .args(["--verbose", "--format", "json", "fixtures/AML201"])
        .output()
        .unwrap();
    let err = stderr(&v);
    let phases: Vec<&str> = err
        .lines()
        .filter_map(|l| l.strip_suffix(" ms")?.rsplit_once(": "))
        .filter(|(_, ms)| ms.parse::<f64>().is_ok())
        .map(|(phase, _)| phase)
        .collect();
    assert_eq!(
        phases,
        [
            "find the files",
            "read and classify",
            "pair parameter files",
            "evaluate",
            "build the model",
            "run the rules",
            "apply the configuration and sort",
            "render the report",
        ],
        "{err}"
    );
}

#[test]
fn broken_pipe_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let fail = std::fs::read_to_string("fixtures/AML201/fail.json").unwrap();
    for i in 0..300 {
        std::fs::write(dir.path().join(format!("t{i:03}.json")), &fail).unwrap();
    }
    let o = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "\"{}\" --color never . | head -n 1 >/dev/null; echo \"${{PIPESTATUS[0]}}\"",
            env!("CARGO_BIN_EXE_amlint")
        ))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(stdout(&o).trim(), "0", "{}", stderr(&o));
    // The JSON report is written while it is made: a reader that goes away then is not an
    // error either, and nothing is said about it.
    let o = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "for f in json sarif; do \"{}\" --format $f . | head -c 10 >/dev/null; echo \"${{PIPESTATUS[0]}}\"; done",
            env!("CARGO_BIN_EXE_amlint")
        ))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(stdout(&o), "0\n0\n", "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
}

#[test]
fn rules_lists_every_rule() {
    let o = amlint().arg("rules").output().unwrap();
    assert_eq!(code(&o), 0);
    insta::assert_snapshot!(stdout(&o));
    let o = amlint()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let codes: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"AML201"));
    for r in v.as_array().unwrap() {
        for key in ["code", "name", "severity", "source", "summary"] {
            assert!(r[key].is_string(), "{key} in {r}");
        }
    }
}

#[test]
fn explain_prints_the_documentation() {
    let o = amlint().args(["explain", "AML201"]).output().unwrap();
    assert_eq!(code(&o), 0);
    insta::assert_snapshot!(stdout(&o));
    let by_name = amlint()
        .args(["explain", "no-public-ip-compute-without-egress"])
        .output()
        .unwrap();
    assert_eq!(o.stdout, by_name.stdout);
    let o = amlint().args(["explain", "AML999"]).output().unwrap();
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no rule is called `AML999`"));
}

/// Each kind of bad input gives a clear diagnostic within a second, and the valid file next to it
/// is still linted.
#[test]
fn bad_input_is_diagnosed_quickly_and_the_rest_is_linted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy("fixtures/AML201/fail.json", d.join("good.json")).unwrap();
    std::fs::write(d.join("malformed.json"), "{\n  \"a\": [1, 2\n}").unwrap();
    std::fs::write(d.join("empty.json"), "").unwrap();
    std::fs::write(
        d.join("deep.json"),
        format!("{}{}", "[".repeat(200_000), "]".repeat(200_000)),
    )
    .unwrap();
    std::fs::write(d.join("latin1.json"), b"{\"name\": \"caf\xe9\"}").unwrap();
    std::fs::write(
        d.join("cyclic.json"),
        format!(
            r#"{{"$schema": "{SCHEMA}", "contentVersion": "1.0.0.0", "variables": {{"a": "[variables('b')]", "b": "[variables('a')]"}}, "resources": [{{"type": "Microsoft.Network/natGateways", "apiVersion": "1", "name": "[variables('a')]"}}]}}"#
        ),
    )
    .unwrap();
    std::fs::write(
        d.join("copy.json"),
        template(r#"{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "1", "name": "[string(copyIndex())]", "copy": {"name": "x", "count": 1000000000}}"#),
    )
    .unwrap();
    // Sparse: 65 MiB without writing them.
    std::fs::File::create(d.join("huge.json"))
        .unwrap()
        .set_len(65 * 1024 * 1024)
        .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(d.join("nowhere.json"), d.join("dangling.json")).unwrap();
    // A FIFO is never opened: opening it would wait for a writer.
    #[cfg(unix)]
    assert!(std::process::Command::new("mkfifo")
        .arg(d.join("pipe.json"))
        .status()
        .unwrap()
        .success());
    let start = Instant::now();
    let o = amlint_in(d)
        .args(["--format", "json", "."])
        .output()
        .unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "took {:?}",
        start.elapsed()
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let by_file: Vec<(String, String, String)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_owned(),
                d["code"].as_str().unwrap().to_owned(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let find = |file: &str| -> Vec<&(String, String, String)> {
        by_file.iter().filter(|(f, _, _)| f == file).collect()
    };
    let expect = |file: &str, code: &str, needle: &str| {
        let hits = find(file);
        assert!(
            hits.iter().any(|(_, c, m)| c == code && m.contains(needle)),
            "{file}: expected {code} containing {needle:?}, got {hits:?}"
        );
    };
    expect("good.json", "AML201", "has no public IP");
    expect("malformed.json", "AML001", "");
    expect("empty.json", "AML001", "file is empty");
    expect("deep.json", "AML001", "nesting deeper than 512 levels");
    expect("latin1.json", "AML001", "not valid UTF-8");
    expect("cyclic.json", "AML003", "depends on itself");
    expect("copy.json", "AML003", "exceeds 800");
    expect("huge.json", "AML001", "amlint reads files up to 64 MiB");
    #[cfg(unix)]
    expect("dangling.json", "AML001", "cannot read file");
    #[cfg(unix)]
    expect("pipe.json", "AML001", "not a regular file");
    let malformed = find("malformed.json")[0];
    let _ = malformed;
    let line = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["file"] == "malformed.json")
        .unwrap();
    assert_eq!(
        (line["line"].as_u64(), line["column"].as_u64()),
        (Some(3), Some(1)),
        "at the `}}` that ends the unclosed array"
    );
}

#[test]
fn amlint_never_writes_to_its_inputs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("fixtures/AML201/fail.json", dir.path().join("t.json")).unwrap();
    let before = std::fs::metadata(dir.path().join("t.json"))
        .unwrap()
        .modified()
        .unwrap();
    let o = amlint_in(dir.path()).arg(".").output().unwrap();
    assert_eq!(code(&o), 1);
    let after = std::fs::metadata(dir.path().join("t.json"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn stdin_is_not_read() {
    let mut child = amlint()
        .args(["fixtures/AML201/pass.json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Leave stdin open: amlint must finish anyway.
    let _stdin = child.stdin.take().map(|mut s| s.write_all(b"{}"));
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

const USER_RULE: &str = r#"code = "ORG001"
name = "workspace-without-owner-tag"
severity = "warning"
summary = "workspace without an `owner` tag"
types = ["Microsoft.MachineLearningServices/workspaces"]
assert = "@.tags.owner"
at = "$.name"
message = "workspace `{name}` has no `owner` tag"
help = "add `\"tags\": { \"owner\": \"<team>\" }`"
doc = """
## What it does
Reports workspaces without an owner.
"""
"#;

#[test]
fn user_rules_are_picked_up_and_reported_with_their_own_span() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("policy");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(rules.join("org001.toml"), USER_RULE).unwrap();
    let text = template(
        r#"{"type": "Microsoft.MachineLearningServices/workspaces", "apiVersion": "2024-04-01", "name": "mlw-tagged", "tags": {"owner": "ml"}, "properties": {}},
               {"type": "Microsoft.MachineLearningServices/workspaces", "apiVersion": "2024-04-01", "name": "mlw-orphan", "properties": {}}"#,
    );
    let (line, column) = {
        let at = text.find("\"mlw-orphan\"").unwrap();
        let before = &text[..at];
        (
            before.matches('\n').count() + 1,
            at - before.rfind('\n').map_or(0, |i| i + 1) + 1,
        )
    };
    std::fs::write(dir.path().join("main.json"), &text).unwrap();
    let o = amlint_in(dir.path())
        .args([
            "--format",
            "json",
            "--select",
            "ORG001",
            "--rule-dir",
            "policy",
            "main.json",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let d = &v["diagnostics"].as_array().unwrap();
    assert_eq!(d.len(), 1, "{v}");
    assert_eq!(d[0]["code"], "ORG001");
    assert_eq!(d[0]["file"], "main.json");
    assert_eq!(d[0]["message"], "workspace `mlw-orphan` has no `owner` tag");
    assert_eq!(
        (d[0]["line"].as_u64(), d[0]["column"].as_u64()),
        (Some(line as u64), Some(column as u64)),
        "the name of the second workspace"
    );
    let o = amlint_in(dir.path())
        .args(["rules", "--rule-dir", "policy"])
        .output()
        .unwrap();
    assert!(
        stdout(&o).contains("ORG001  workspace-without-owner-tag"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("user: policy/org001.toml"),
        "{}",
        stdout(&o)
    );
    let o = amlint_in(dir.path())
        .args(["explain", "ORG001", "--rule-dir", "policy"])
        .output()
        .unwrap();
    assert!(
        stdout(&o).contains("Reports workspaces without an owner."),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_declarative_verdict_on_an_unknown_value_is_aml002() {
    let file = "fixtures/AML404/pass_unknown_parameter.json";
    let (status, r) = json(&["--select", "AML404,AML002", file]);
    assert_eq!(status, 0);
    let d = r["diagnostics"].as_array().unwrap();
    assert_eq!(d.len(), 1, "{r}");
    assert_eq!(d[0]["code"], "AML002");
    assert_eq!(
        d[0]["message"],
        "cannot verify compute `mlw-prod/ci-alice`: parameter `disableLocalAuth` has no value"
    );
    assert!(
        d[0]["help"]
            .as_str()
            .unwrap()
            .starts_with("not checked: AML404;"),
        "{r}"
    );
    // Pointing at the value that is not known.
    assert_eq!(
        (d[0]["line"].as_u64(), d[0]["column"].as_u64()),
        (Some(16), Some(29))
    );
    // Given a value, the rule decides.
    let dir = tempfile::tempdir().unwrap();
    let parameters = dir.path().join("local-auth.parameters.json");
    std::fs::write(
        &parameters,
        r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
            "contentVersion": "1.0.0.0", "parameters": {"disableLocalAuth": {"value": false}}}"#,
    )
    .unwrap();
    let (status, r) = json(&[
        "--select",
        "AML404,AML002",
        "--parameters",
        parameters.to_str().unwrap(),
        file,
    ]);
    assert_eq!(status, 0, "AML404 is an info: {r}");
    assert_eq!(codes(&r), [("AML404".to_owned(), 16)]);
}

#[test]
fn user_rules_quote_the_parent_and_point_at_it() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("policy");
    std::fs::create_dir(&rules).unwrap();
    let rule = r#"
code = "ORG002"
name = "cluster-without-owner"
severity = "warning"
summary = "cluster without an owner tag"
types = ["Microsoft.MachineLearningServices/workspaces/computes"]
assert = "@.tags.owner"
message = "cluster `{name}` in workspace `{parent}` has no owner"
doc = """
## What it does
Reports clusters without an owner.
"""
"#;
    std::fs::write(rules.join("org002.toml"), rule).unwrap();
    let text = template(
        r#"{"type": "Microsoft.MachineLearningServices/workspaces", "apiVersion": "2024-04-01", "name": "mlw-team", "properties": {}},
           {"type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2024-04-01", "name": "mlw-team/cpu",
            "dependsOn": ["[resourceId('Microsoft.MachineLearningServices/workspaces', 'mlw-team')]"],
            "properties": {"computeType": "AmlCompute"}}"#,
    );
    std::fs::write(dir.path().join("main.json"), &text).unwrap();
    let o = amlint_in(dir.path())
        .args([
            "--format",
            "json",
            "--select",
            "ORG002",
            "--rule-dir",
            "policy",
            "main.json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let d = &v["diagnostics"][0];
    assert_eq!(
        d["message"], "cluster `mlw-team/cpu` in workspace `mlw-team` has no owner",
        "{v}"
    );
    assert_eq!(d["related"][0]["message"], "parent `mlw-team`", "{v}");
    assert_eq!(d["related"][0]["line"], 1, "{v}");
}

#[test]
fn broken_user_rules_exit_2_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.json"), template("")).unwrap();
    for (broken, line, needle) in [
        (
            USER_RULE.replace("@.tags.owner", "@.tags[?"),
            6,
            "`assert` is not a JSONPath filter expression",
        ),
        (
            USER_RULE.replace("\"warning\"", "\"critical\""),
            3,
            "unknown severity `critical`",
        ),
        (
            USER_RULE.replace("@.tags.owner", "match(@.tags.owner, '[a-z')"),
            6,
            "`[a-z`",
        ),
        (
            USER_RULE.replace("ORG001", "AML201"),
            0,
            "rule code `AML201` is already used",
        ),
    ] {
        let rules = dir.path().join("policy");
        let _ = std::fs::remove_dir_all(&rules);
        std::fs::create_dir(&rules).unwrap();
        std::fs::write(rules.join("org001.toml"), &broken).unwrap();
        let o = amlint_in(dir.path())
            .args(["--rule-dir", "policy", "main.json"])
            .output()
            .unwrap();
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(needle), "{err}");
        if line > 0 {
            assert!(
                err.contains(&format!("policy/org001.toml:{line}:")),
                "{err}"
            );
        }
    }
    let o = amlint_in(dir.path())
        .args(["--rule-dir", "missing-dir", "main.json"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("cannot read rule directory `missing-dir`"),
        "{}",
        stderr(&o)
    );
}

/// A template recognised from its first bytes is decoded whole when it is evaluated: a bad byte
/// far from the start is still AML001 at its line and column, and a UTF-16 template is named so.
#[test]
fn encoding_errors_past_the_start_of_a_template() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut late =
        template(r#"{"type": "Microsoft.Network/natGateways", "apiVersion": "1", "name": "n"}"#)
            .into_bytes();
    let close = late.len() - 1;
    let padding = format!("\n{}\n  \"x\": \"caf\u{e9} ", " ".repeat(6_000));
    let mut tail = padding.into_bytes();
    tail.extend_from_slice(b"\xff\"\n");
    late.splice(close..close, std::iter::once(b',').chain(tail));
    std::fs::write(d.join("late.json"), &late).unwrap();
    let utf16: Vec<u8> = std::iter::once(0xFEFF_u16)
        .chain(template("").encode_utf16())
        .flat_map(u16::to_le_bytes)
        .collect();
    std::fs::write(d.join("utf16.json"), utf16).unwrap();
    let o = amlint_in(d)
        .args(["--format", "json", "."])
        .output()
        .unwrap();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let found: Vec<(String, String, u64, u64)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_owned(),
                d["message"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "late.json".to_owned(),
                "file is not valid UTF-8: byte 0xFF cannot start or continue a character"
                    .to_owned(),
                3,
                14
            ),
            (
                "utf16.json".to_owned(),
                "file is UTF-16; ARM templates must be UTF-8".to_owned(),
                1,
                1
            ),
        ],
        "{}",
        stdout(&o)
    );
}
