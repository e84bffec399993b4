use super::suppress::{in_file, Scope};
use super::*;
use crate::source::FileId;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, text).unwrap();
    path
}

fn load_text(text: &str) -> Result<Config, Box<ConfigError>> {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "amlint.toml", text);
    Config::load(&path)
}

fn error_of(text: &str) -> String {
    load_text(text)
        .expect_err("the configuration is rejected")
        .to_string()
}

#[test]
fn dates_parse_and_count_from_the_epoch() {
    assert_eq!(
        Date::parse("2027-03-31"),
        Some(Date {
            year: 2027,
            month: 3,
            day: 31
        })
    );
    assert_eq!(Date::parse("2024-02-29").map(|d| d.day), Some(29));
    assert_eq!(Date::parse("2023-02-29"), None);
    assert_eq!(Date::parse("2023-13-01"), None);
    assert_eq!(Date::parse("2023-1-01"), None);
    assert_eq!(Date::parse("tomorrow"), None);
    assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
    assert_eq!(
        Date::from_days_since_epoch(11_016).to_string(),
        "2000-02-29"
    );
    assert_eq!(
        Date::from_days_since_epoch(19_723).to_string(),
        "2024-01-01"
    );
    assert_eq!(Date::from_days_since_epoch(-1).to_string(), "1969-12-31");
    // Every day of four centuries round-trips through parse, in order.
    let mut previous = Date::from_days_since_epoch(-1);
    for day in 0..146_097 {
        let date = Date::from_days_since_epoch(day);
        assert!(date > previous, "{date} follows {previous}");
        assert_eq!(Date::parse(&date.to_string()), Some(date));
        previous = date;
    }
}

#[test]
fn a_full_configuration_loads() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "infra/main.json", "{}");
    write(dir.path(), "infra/main.dev.json", "{}");
    let path = write(
        dir.path(),
        "amlint.toml",
        r#"
fail-on = "error"
exclude = ["legacy/**", "generated"]
rule-dirs = ["policy"]

[rules]
AML102 = "info"
nsg-rule-shadowed = "off"

[aml]
max-cluster-nodes = 100

[[parameters]]
template = "infra/main.json"
files = ["infra/main.dev.json"]

[[suppress]]
rule = "AML101"
resource = "Microsoft.MachineLearningServices/workspaces/computes/ws/legacy-*"
reason = "decommissioned in Q1"
expires = "2027-03-31"

[[suppress]]
rule = "AML402"
path = "infra/jump/*.json"
reason = "jump box"
expires = 2027-04-01
"#,
    );
    let c = Config::load(&path).unwrap();
    assert_eq!(c.fail_on, Some(FailOn::Error));
    assert_eq!(c.level("AML102", "x"), Some(Level::On(Severity::Info)));
    assert_eq!(c.level("AML604", "nsg-rule-shadowed"), Some(Level::Off));
    assert_eq!(c.level("AML101", "y"), None);
    assert_eq!(c.aml.max_cluster_nodes, 100);
    assert_eq!(c.rule_dirs, vec![dir.path().join("policy")]);
    assert_eq!(c.parameters.len(), 1);
    assert_eq!(
        c.parameters[0].files,
        vec![dir.path().join("infra/main.dev.json")]
    );
    assert_eq!(c.suppress.len(), 2);
    assert_eq!(c.suppress[0].expires, Date::parse("2027-03-31"));
    assert_eq!(c.suppress[1].expires, Date::parse("2027-04-01"));
    assert_eq!(
        c.suppress[0].reason.as_deref(),
        Some("decommissioned in Q1")
    );
    // `exclude`: a glob with `/` from the configuration's directory, a bare name at any depth,
    // and whatever is below an excluded directory.
    let d = dir.path();
    assert!(c.excludes(&d.join("legacy/old.json")));
    assert!(c.excludes(&d.join("legacy/deep/old.json")));
    assert!(c.excludes(&d.join("generated")));
    assert!(c.excludes(&d.join("infra/generated/x.json")));
    assert!(!c.excludes(&d.join("infra/main.json")));
    assert!(!c.excludes(&d.join("infra/legacy/old.json")));
    assert!(!c.excludes(Path::new("/elsewhere/legacy/old.json")));
}

#[test]
fn errors_name_the_file_and_line() {
    let e = error_of("fail-on = \"error\"\nfial-on = \"warning\"\n");
    assert!(e.contains("amlint.toml:2:"), "{e}");
    assert!(e.contains("fial-on"), "{e}");

    let e = error_of("\n\nfail-on = \"sometimes\"\n");
    assert!(e.contains(":3:") && e.contains("`sometimes`"), "{e}");

    let e = error_of("[rules]\nAML101 = \"loud\"\n");
    assert!(e.contains(":2:") && e.contains("off"), "{e}");

    let e = error_of("[aml]\nmax-cluster-nodes = 0\n");
    assert!(e.contains(":2:") && e.contains("at least 1"), "{e}");

    let e = error_of("[aml]\nmax-nodes = 5\n");
    assert!(e.contains(":2:") && e.contains("max-nodes"), "{e}");

    let e = error_of("[[suppress]]\nrule = \"AML101\"\npath = \"a/*.json\"\n");
    assert!(e.contains(":1:") && e.contains("no `reason`"), "{e}");

    let e = error_of("[[suppress]]\nrule = \"AML101\"\npath = \"a\"\nreason = \"  \"\n");
    assert!(e.contains(":4:") && e.contains("empty"), "{e}");

    let e = error_of(
        "[[suppress]]\nrule = \"AML101\"\npath = \"a\"\nreason = \"r\"\nexpires = \"next week\"\n",
    );
    assert!(e.contains(":5:") && e.contains("YYYY-MM-DD"), "{e}");

    let e = error_of("[[suppress]]\nrule = \"AML101\"\nreason = \"r\"\n");
    assert!(e.contains("neither `resource` nor `path`"), "{e}");

    let e = error_of("[[suppress]]\nrule = \"AML101\"\npath = \"a/[\"\nreason = \"r\"\n");
    assert!(e.contains(":3:") && e.contains("invalid"), "{e}");

    let e = error_of("[[parameters]]\ntemplate = \"missing.json\"\nfiles = []\n");
    assert!(e.contains(":2:") && e.contains("not a file"), "{e}");

    let e = error_of("extend = \"base.toml\"\n");
    assert!(e.contains(":1:") && e.contains("not a file"), "{e}");

    let e = error_of("fail-on = [\n");
    assert!(e.contains("amlint.toml:"), "{e}");
}

#[test]
fn extend_inherits_and_overrides() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "shared/base.toml",
        "fail-on = \"info\"\nexclude = [\"gen/**\"]\n[rules]\nAML102 = \"off\"\nAML103 = \"error\"\n[[suppress]]\nrule = \"AML101\"\npath = \"old/**\"\nreason = \"base\"\n",
    );
    let path = write(
        dir.path(),
        "amlint.toml",
        "extend = \"shared/base.toml\"\nfail-on = \"error\"\n[rules]\nAML102 = \"warning\"\n[[suppress]]\nrule = \"AML402\"\npath = \"x.json\"\nreason = \"child\"\n",
    );
    let c = Config::load(&path).unwrap();
    assert_eq!(c.fail_on, Some(FailOn::Error));
    assert_eq!(c.level("AML102", ""), Some(Level::On(Severity::Warning)));
    assert_eq!(c.level("AML103", ""), Some(Level::On(Severity::Error)));
    assert_eq!(c.suppress.len(), 2);
    assert_eq!(c.path, path);
    // The base's globs stay relative to the base.
    assert!(c.excludes(&dir.path().join("shared/gen/a.json")));
    assert!(!c.excludes(&dir.path().join("gen/a.json")));
    // The base's entries remember their own file, for error positions.
    assert_eq!(
        c.rules["AML103"].file.path,
        dir.path().join("shared/base.toml")
    );
}

#[test]
fn extend_cycles_are_an_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.toml", "extend = \"b.toml\"\n");
    let path = write(dir.path(), "b.toml", "extend = \"a.toml\"\n");
    let e = Config::load(&path).expect_err("a cycle").to_string();
    assert!(e.contains("deeper than"), "{e}");
}

#[test]
fn the_closest_configuration_governs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "amlint.toml", "fail-on = \"error\"\n");
    write(d, "team/.amlint.toml", "fail-on = \"info\"\n");
    write(d, "team/sub/x.json", "{}");
    write(d, "other/y.json", "{}");
    write(d, "node_modules/amlint.toml", "not toml at all [");
    let configs = Configs::discover(&[d.to_path_buf()]).unwrap();
    assert_eq!(configs.loaded.len(), 2, "node_modules is not searched");
    let fail_on = |p: &str| configs.for_path(&d.join(p)).and_then(|c| c.fail_on);
    assert_eq!(fail_on("team/sub/x.json"), Some(FailOn::Info));
    assert_eq!(fail_on("other/y.json"), Some(FailOn::Error));
    assert_eq!(
        configs.primary().and_then(|c| c.fail_on),
        Some(FailOn::Error)
    );
    assert!(Configs::isolated()
        .for_path(&d.join("other/y.json"))
        .is_none());
    let forced = Configs::forced(&d.join("team/.amlint.toml")).unwrap();
    assert_eq!(
        forced
            .for_path(&d.join("other/y.json"))
            .and_then(|c| c.fail_on),
        Some(FailOn::Info)
    );
}

#[test]
fn comments_cover_the_next_code_line_or_their_own() {
    let text = "{\n  // amlint-ignore AML101, AML102: accepted\n\n  \"a\": 1, // amlint-ignore AML103: trailing\n  /* amlint-ignore AML104 */ \"b\": 2,\n  // amlint-ignored AML105: not the marker\n  \"c\": 3\n}\n";
    let s = in_file(FileId(0), text);
    assert_eq!(s.len(), 3, "{s:?}");
    let line_of = |i: usize| match s[i].scope {
        Scope::Line { start, .. } => text[..start].matches('\n').count() + 1,
        _ => 0,
    };
    assert_eq!(s[0].rules, vec!["AML101", "AML102"]);
    assert_eq!(s[0].reason.as_deref(), Some("accepted"));
    assert_eq!(line_of(0), 4, "skips the blank line");
    assert_eq!(line_of(1), 4, "a trailing comment covers its own line");
    assert_eq!(s[1].reason.as_deref(), Some("trailing"));
    assert_eq!(line_of(2), 5);
    assert_eq!(s[2].reason, None, "no reason: reported, never applied");
}

#[test]
fn metadata_suppressions_are_read_from_any_resource() {
    let text = r#"{
  "resources": [
    {
      "type": "Microsoft.Network/networkSecurityGroups",
      "name": "nsg",
      "metadata": { "amlint": { "suppress": [
        { "rule": "AML402", "reason": "jump box", "expires": "2030-01-01" },
        { "rule": ["AML604", "AML601"], "reason": "both" },
        { "rule": "AML606" },
        { "rule": "AML606", "reason": "r", "expires": "soon" },
        { "rule": "AML606", "reason": "r", "because": "typo" },
        "AML101"
      ] } }
    },
    {
      "type": "Microsoft.Resources/deployments",
      "name": "inner",
      "properties": { "template": { "resources": [
        { "type": "Microsoft.Network/routeTables", "name": "rt",
          "metadata": { "amlint": { "suppress": { "rule": "AML605" } } } }
      ] } }
    }
  ]
}"#;
    let s = in_file(FileId(3), text);
    assert_eq!(s.len(), 7, "{s:?}");
    assert_eq!(s[0].rules, vec!["AML402"]);
    assert_eq!(s[0].expires, Date::parse("2030-01-01"));
    assert!(s[0].invalid.is_none());
    assert_eq!(s[1].rules, vec!["AML604", "AML601"]);
    assert!(s[2].reason.is_none());
    assert!(s[3].invalid.as_deref().unwrap().contains("YYYY-MM-DD"));
    assert!(s[4].invalid.as_deref().unwrap().contains("because"));
    assert!(s[5].invalid.is_some());
    assert!(
        s[6].invalid.as_deref().unwrap().contains("array"),
        "nested deployments count"
    );
    match s[0].scope {
        Scope::Resource { file, start, end } => {
            assert_eq!(file, FileId(3));
            assert!(text[start..end].starts_with('{') && text[start..end].contains("\"nsg\""));
        }
        _ => panic!("a resource scope"),
    }
}

#[test]
fn files_without_markers_are_not_parsed() {
    // Invalid JSON, but no marker: nothing to find, and no work done.
    assert!(in_file(FileId(0), "{ not json").is_empty());
    // With a marker but invalid: AML001 reports the file; no suppression is guessed.
    assert!(in_file(FileId(0), "{ // amlint-ignore AML101: x\n not json").is_empty());
}
