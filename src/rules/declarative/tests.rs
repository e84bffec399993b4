use super::*;
use crate::arm::value::{Tri, Value};
use crate::model::{Entity, UnitId};
use crate::source::Span;
use serde_json::json;
use std::sync::Arc;

const RULE: &str = r#"
code = "ORG001"
name = "workspace-public"
severity = "warning"
summary = "workspace reachable from the internet"
types = ["Microsoft.MachineLearningServices/workspaces"]
when = "@.kind != 'Hub'"
assert = "@.properties.publicNetworkAccess == 'Disabled'"
at = "$.properties.publicNetworkAccess"
message = "workspace `{name}` has public network access `{value}`"
help = "set `publicNetworkAccess` to `Disabled`"
doc = """
## What it does
Flags public workspaces.
"""
"#;

fn rule(text: &str) -> Result<DeclarativeRule, Box<RuleFileError>> {
    parse_rule(
        "org/rule.toml",
        text,
        Source::User("org/rule.toml".into()),
        &Settings::default(),
    )
}

fn entity(body: serde_json::Value) -> Entity {
    Entity {
        unit: UnitId(0),
        full_type: Arc::from("Microsoft.MachineLearningServices/workspaces"),
        name: Value::str("ws", Span::NONE),
        id: None,
        span: Span::NONE,
        name_span: Span::NONE,
        condition: Tri::Known(true),
        body: Value::from_serde(&body, Span::NONE),
    }
}

fn with_unknown(mut body: serde_json::Value, path: &[&str]) -> Entity {
    // Build the entity, then replace the value at `path` with an unknown.
    fn put(v: &Value, path: &[&str]) -> Value {
        match path.split_first() {
            None => Value::unknown("parameter `access` has no value", Span::NONE),
            Some((k, rest)) => {
                let obj = v.as_object().expect("object on the path");
                let entries = obj
                    .entries()
                    .iter()
                    .map(|(key, val)| {
                        if &**key == *k {
                            (key.clone(), put(val, rest))
                        } else {
                            (key.clone(), val.clone())
                        }
                    })
                    .collect();
                Value::object(entries, v.span())
            }
        }
    }
    let e = entity(body.take());
    Entity {
        body: put(&e.body, path),
        ..e
    }
}

/// The outcome, without the reason.
fn outcome(r: &DeclarativeRule, e: &Entity) -> Verdict {
    outcome_with_parent(r, e, None)
}

fn outcome_with_parent(r: &DeclarativeRule, e: &Entity, parent: Option<&Entity>) -> Verdict {
    match r.outcome(&Subject::new(e, parent)) {
        Outcome::Pass => Verdict::Pass,
        Outcome::Fail => Verdict::Fail,
        Outcome::Unknown(_) => Verdict::Unknown,
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Pass,
    Fail,
    Unknown,
}

#[test]
fn parses_and_decides() {
    let r = rule(RULE).unwrap();
    assert_eq!(r.meta.code, "ORG001");
    assert!(r.applies_to("microsoft.machinelearningservices/workspaces"));
    let open = entity(json!({"kind": "Default", "properties": {"publicNetworkAccess": "Enabled"}}));
    assert_eq!(outcome(&r, &open), Verdict::Fail);
    let closed =
        entity(json!({"kind": "Default", "properties": {"publicNetworkAccess": "Disabled"}}));
    assert_eq!(outcome(&r, &closed), Verdict::Pass);
    let unset = entity(json!({"kind": "Default", "properties": {}}));
    assert_eq!(outcome(&r, &unset), Verdict::Fail);
    let hub = entity(json!({"kind": "Hub", "properties": {"publicNetworkAccess": "Enabled"}}));
    assert_eq!(outcome(&r, &hub), Verdict::Pass, "`when` does not hold");
}

#[test]
fn unknown_values_touched_by_a_condition_do_not_fire() {
    let r = rule(RULE).unwrap();
    let unknown = with_unknown(
        json!({"kind": "Default", "properties": {"publicNetworkAccess": "x"}}),
        &["properties", "publicNetworkAccess"],
    );
    assert_eq!(outcome(&r, &unknown), Verdict::Unknown);
    // An unknown the conditions do not mention changes nothing.
    let elsewhere = with_unknown(
        json!({"kind": "Default", "description": "x", "properties": {"publicNetworkAccess": "Enabled"}}),
        &["description"],
    );
    assert_eq!(outcome(&r, &elsewhere), Verdict::Fail);
    // Unknown in `when`: the kind could be `Hub`.
    let kind = with_unknown(
        json!({"kind": "x", "properties": {"publicNetworkAccess": "Enabled"}}),
        &["kind"],
    );
    assert_eq!(outcome(&r, &kind), Verdict::Unknown);
}

#[test]
fn errors_point_at_the_line() {
    for (assert, needle) in [
        (
            "@.properties[?",
            "`assert` is not a JSONPath filter expression",
        ),
        (
            "frobnicate(@.properties)",
            "`assert` is not a JSONPath filter expression",
        ),
        (
            "match(@.kind, '(unclosed')",
            "invalid regular expression `(unclosed`",
        ),
    ] {
        let broken = RULE.replace("@.properties.publicNetworkAccess == 'Disabled'", assert);
        let e = rule(&broken).unwrap_err();
        assert_eq!(e.line, 8, "{e}");
        assert!(e.to_string().contains(needle), "{e}");
    }
    let bad_severity = RULE.replace("severity = \"warning\"", "severity = \"fatal\"");
    let e = rule(&bad_severity).unwrap_err();
    assert_eq!(e.line, 4);
    assert!(e.to_string().contains("unknown severity `fatal`"), "{e}");
    let missing = RULE.replace(
        "message = \"workspace `{name}` has public network access `{value}`\"\n",
        "",
    );
    let e = rule(&missing).unwrap_err();
    assert!(e.to_string().contains("missing field `message`"), "{e}");
    let unknown_key = format!("{RULE}\nsevertiy = \"error\"\n");
    assert!(rule(&unknown_key)
        .unwrap_err()
        .to_string()
        .contains("unknown field `severtiy`"));
    let bad_code = RULE.replace("ORG001", "org-1");
    assert!(rule(&bad_code)
        .unwrap_err()
        .to_string()
        .contains("is not a rule code"));
    let bad_name = RULE.replace("workspace-public", "Workspace Public");
    assert!(rule(&bad_name)
        .unwrap_err()
        .to_string()
        .contains("kebab-case"));
    let setting = RULE.replace("'Disabled'", "'{{no.such.setting}}'");
    assert!(rule(&setting)
        .unwrap_err()
        .to_string()
        .contains("unknown setting `{{no.such.setting}}`"));
}

#[test]
fn settings_fill_placeholders() {
    let text = RULE.replace(
        "@.properties.publicNetworkAccess == 'Disabled'",
        "@.properties.max <= {{aml.max-cluster-nodes}}",
    );
    let r = parse_rule(
        "r.toml",
        &text,
        Source::Declarative,
        &Settings {
            max_cluster_nodes: 100,
        },
    )
    .unwrap();
    assert_eq!(r.assert.text, "@.properties.max <= 100");
    let small = entity(json!({"kind": "Default", "properties": {"max": 100}}));
    let big = entity(json!({"kind": "Default", "properties": {"max": 101}}));
    assert_eq!(outcome(&r, &small), Verdict::Pass);
    assert_eq!(outcome(&r, &big), Verdict::Fail);
}

/// A rule with the given conditions, for the workspace type.
fn conditions(when: Option<&str>, assert: &str) -> DeclarativeRule {
    let mut text = RULE.replace(
        "assert = \"@.properties.publicNetworkAccess == 'Disabled'\"",
        &format!("assert = '''{assert}'''"),
    );
    text = match when {
        Some(w) => text.replace("when = \"@.kind != 'Hub'\"", &format!("when = '''{w}'''")),
        None => text.replace("when = \"@.kind != 'Hub'\"\n", ""),
    };
    rule(&text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn kleene_logic_decides_despite_unknowns() {
    let body = json!({"kind": "x", "properties": {"a": "x", "b": 5}});
    let e = with_unknown(body, &["properties", "a"]);
    // `false && unknown` is false: `when` does not hold, whatever `a` is.
    let r = conditions(
        Some("@.properties.b > 10 && @.properties.a == 'y'"),
        "@.kind == 'z'",
    );
    assert_eq!(outcome(&r, &e), Verdict::Pass);
    // `true || unknown` is true: the assertion holds.
    let r = conditions(None, "@.properties.b == 5 || @.properties.a == 'y'");
    assert_eq!(outcome(&r, &e), Verdict::Pass);
    // `false || unknown` is unknown.
    let r = conditions(None, "@.properties.b == 6 || @.properties.a == 'y'");
    assert_eq!(outcome(&r, &e), Verdict::Unknown);
    // Negation keeps it unknown.
    let r = conditions(None, "!(@.properties.a == 'y')");
    assert_eq!(outcome(&r, &e), Verdict::Unknown);
    // An unknown `when` with a failing assertion is unknown; with a passing one, a pass.
    let r = conditions(Some("@.properties.a == 'y'"), "@.properties.b == 6");
    assert_eq!(outcome(&r, &e), Verdict::Unknown);
    let r = conditions(Some("@.properties.a == 'y'"), "@.properties.b == 5");
    assert_eq!(outcome(&r, &e), Verdict::Pass);
}

#[test]
fn unknown_containers_leave_existence_and_counts_open() {
    let e = with_unknown(
        json!({"properties": {"list": [1], "o": {}}}),
        &["properties", "list"],
    );
    for assert in [
        "@.properties.list[0]",
        "@.properties.list[*]",
        "count(@.properties.list[*]) == 1",
        "length(@.properties.list) == 1",
        "@.properties.list[?@ == 1]",
        "@..deep",
    ] {
        let r = conditions(None, assert);
        assert_eq!(outcome(&r, &e), Verdict::Unknown, "{assert}");
    }
    // The unknown is not on the path of these.
    for (assert, expected) in [
        ("@.properties.o.x", Verdict::Fail),
        ("@.properties.o", Verdict::Pass),
        ("@.properties.list", Verdict::Pass),
        ("length(@.properties.o) == 0", Verdict::Pass),
    ] {
        let r = conditions(None, assert);
        assert_eq!(outcome(&r, &e), expected, "{assert}");
    }
}

#[test]
fn queries_follow_rfc_9535() {
    let e = entity(json!({
        "kind": "Default",
        "tags": {"owner": "ml", "cost": "42"},
        "properties": {
            "n": 3, "f": 2.5, "flag": true, "none": null,
            "list": [{"action": "Stop", "status": "Enabled"}, {"action": "Start"}],
            "nested": {"deep": {"sshPublicAccess": "Enabled"}}
        }
    }));
    let cases = [
        ("@.properties.n == 3.0", true),
        ("@.properties.n < 3.5 && @.properties.f >= 2.5", true),
        ("@.properties.n > 'a'", false),
        ("@.properties.n != 'a'", true),
        ("@.properties.none == null", true),
        ("@.properties.none", true),
        ("@.properties.missing == null", false),
        ("@.properties.missing == @.properties.other", true),
        ("@.properties.flag == true", true),
        ("@.tags.owner > ''", true),
        ("@.properties > ''", false),
        (
            "@.properties.list[?@.action == 'Stop' && @.status != 'Disabled']",
            true,
        ),
        (
            "@.properties.list[?@.action == 'Stop' && @.status == 'Disabled']",
            false,
        ),
        ("@.properties.list[-1].action == 'Start'", true),
        ("@.properties.list[5]", false),
        ("count(@.properties.list[*]) == 2", true),
        ("count(@.properties.list[0:1]) == 1", true),
        ("count(@.properties.list[::-1]) == 2", true),
        ("length(@.tags.owner) == 2", true),
        ("length(@.properties.nested) == 1", true),
        ("value(@..sshPublicAccess) == 'Enabled'", true),
        ("@..sshPublicAccess", true),
        ("match(@.kind, 'Def.*')", true),
        ("match(@.kind, 'Def')", false),
        ("search(@.kind, 'fau')", true),
        ("match(@.kind, '(?i)default')", true),
        ("match(@.properties.n, '3')", false),
        ("@.PROPERTIES.N == 3", true),
        (
            "@.type == 'Microsoft.MachineLearningServices/workspaces'",
            true,
        ),
        ("@.name == 'ws'", true),
        ("$.properties.n == 3", true),
        ("@.parent", false),
    ];
    for (assert, holds) in cases {
        let r = conditions(None, assert);
        let expected = if holds { Verdict::Pass } else { Verdict::Fail };
        assert_eq!(outcome(&r, &e), expected, "{assert}");
    }
}

#[test]
fn strings_with_holes_compare_by_their_known_ends() {
    use crate::arm::hole::{make, HoleKind};
    let mut e = entity(json!({"properties": {}}));
    e.name = Value::str(
        format!("ws-{}", make(HoleKind::Parameter, "env", 0)),
        Span::NONE,
    );
    let verdict = |assert: &str| outcome(&conditions(None, assert), &e);
    assert_eq!(verdict("@.name == 'ws-prod'"), Verdict::Unknown);
    assert_eq!(verdict("@.name != 'mlw-prod'"), Verdict::Pass);
    assert_eq!(verdict("match(@.name, 'ws-.*')"), Verdict::Unknown);
    assert_eq!(
        verdict("@.name > 'w'"),
        Verdict::Pass,
        "`ws-…` is after `w`"
    );
    assert_eq!(verdict("@.name > ''"), Verdict::Pass);
    assert_eq!(verdict("@.name < 'wt'"), Verdict::Pass);
    assert_eq!(
        verdict("@.name > 'ws-'"),
        Verdict::Unknown,
        "the hole may be empty"
    );
    assert_eq!(verdict("@.name < 'ws-a'"), Verdict::Unknown);
    assert_eq!(verdict("@.name < 'a'"), Verdict::Fail);
}

#[test]
fn the_parent_is_a_member() {
    let compute = entity(json!({"properties": {"computeType": "AmlCompute"}}));
    let managed = entity(
        json!({"properties": {"managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound"}}}),
    );
    let r = conditions(
        Some("@.parent.type"),
        "@.parent.properties.managedNetwork.isolationMode != 'Disabled'",
    );
    assert_eq!(
        outcome_with_parent(&r, &compute, Some(&managed)),
        Verdict::Pass
    );
    assert_eq!(
        outcome(&r, &compute),
        Verdict::Pass,
        "no parent: `when` fails"
    );
    let unknown = with_unknown(
        json!({"properties": {"managedNetwork": {"isolationMode": "x"}}}),
        &["properties", "managedNetwork"],
    );
    assert_eq!(
        outcome_with_parent(&r, &compute, Some(&unknown)),
        Verdict::Unknown
    );
    assert!(r.reads_parent());
    assert!(!conditions(None, "@.properties.parentId").reads_parent());
    assert!(conditions(None, "@['parent'].kind").reads_parent());
}

#[test]
fn rules_checked_together_report_what_each_reports_alone() {
    use crate::arm::eval::EvalResource;
    use crate::model::{build, UnitInfo, UnitInput};
    use crate::source::FileId;
    let resource = |name: &str, access: &str| {
        EvalResource {
        full_type: Arc::from("Microsoft.MachineLearningServices/workspaces"),
        name: Value::str(name, Span::NONE),
        id: Value::str(
            format!("/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/{name}"),
            Span::NONE,
        ),
        parsed_id: None,
        symbolic: None,
        condition: Tri::Known(true),
        existing: false,
        body: Some(Value::from_serde(
            &json!({"properties": {"publicNetworkAccess": access}}),
            Span::NONE,
        )),
        span: Span::NONE,
        name_span: Span::NONE,
        copy_index: None,
        deployments: Vec::new(),
    }
    };
    let model = build(vec![UnitInput {
        info: UnitInfo {
            file: FileId(0),
            parameters: None,
        },
        resources: vec![
            resource("a", "Enabled"),
            resource("b", "Disabled"),
            resource("c", "enabled"),
        ],
        unexpanded: Vec::new(),
    }]);
    let public = rule(RULE).expect("rule parses");
    let private = rule(
        &RULE
            .replace("ORG001", "ORG002")
            .replace("workspace-public", "workspace-private")
            .replace("== 'Disabled'", "!= 'Disabled'"),
    )
    .expect("rule parses");
    let messages = |cx: crate::rules::Context<'_>| -> Vec<String> {
        cx.into_findings().into_iter().map(|f| f.message).collect()
    };
    let mut together: Vec<crate::rules::Context<'_>> = [&public, &private]
        .iter()
        .map(|r| crate::rules::Context::for_rule(&model, r.meta))
        .collect();
    check_all(&[&public, &private], &mut together);
    let together: Vec<Vec<String>> = together.into_iter().map(messages).collect();
    for (i, r) in [&public, &private].into_iter().enumerate() {
        let mut alone = crate::rules::Context::for_rule(&model, r.meta);
        check_all(&[r], std::slice::from_mut(&mut alone));
        assert_eq!(messages(alone), together[i], "{}", r.meta.code);
    }
    assert_eq!(together[0].len(), 2, "{together:?}");
    assert_eq!(together[1].len(), 1, "{together:?}");
}
