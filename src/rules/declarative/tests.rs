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
                    .entries
                    .iter()
                    .map(|(key, val)| {
                        if &**key == *k {
                            (Arc::clone(key), put(val, rest))
                        } else {
                            (Arc::clone(key), val.clone())
                        }
                    })
                    .collect();
                Value::object(entries, v.span)
            }
        }
    }
    let e = entity(body.take());
    Entity {
        body: put(&e.body, path),
        ..e
    }
}

fn outcome(r: &DeclarativeRule, e: &Entity) -> Outcome {
    r.outcome(&document::Document::new(e, None))
}

#[test]
fn parses_and_decides() {
    let r = rule(RULE).unwrap();
    assert_eq!(r.meta.code, "ORG001");
    assert!(r.applies_to("microsoft.machinelearningservices/workspaces"));
    let open = entity(json!({"kind": "Default", "properties": {"publicNetworkAccess": "Enabled"}}));
    assert_eq!(outcome(&r, &open), Outcome::Fail);
    let closed =
        entity(json!({"kind": "Default", "properties": {"publicNetworkAccess": "Disabled"}}));
    assert_eq!(outcome(&r, &closed), Outcome::Pass);
    let unset = entity(json!({"kind": "Default", "properties": {}}));
    assert_eq!(outcome(&r, &unset), Outcome::Fail);
    let hub = entity(json!({"kind": "Hub", "properties": {"publicNetworkAccess": "Enabled"}}));
    assert_eq!(outcome(&r, &hub), Outcome::Pass, "`when` does not hold");
}

#[test]
fn unknown_values_touched_by_a_condition_do_not_fire() {
    let r = rule(RULE).unwrap();
    let unknown = with_unknown(
        json!({"kind": "Default", "properties": {"publicNetworkAccess": "x"}}),
        &["properties", "publicNetworkAccess"],
    );
    assert_eq!(outcome(&r, &unknown), Outcome::Unknown);
    // An unknown the conditions do not mention changes nothing.
    let elsewhere = with_unknown(
        json!({"kind": "Default", "description": "x", "properties": {"publicNetworkAccess": "Enabled"}}),
        &["description"],
    );
    assert_eq!(outcome(&r, &elsewhere), Outcome::Fail);
    // Unknown in `when`: the kind could be `Hub`.
    let kind = with_unknown(
        json!({"kind": "x", "properties": {"publicNetworkAccess": "Enabled"}}),
        &["kind"],
    );
    assert_eq!(outcome(&r, &kind), Outcome::Unknown);
}

#[test]
fn errors_point_at_the_line() {
    let bad_path = RULE.replace(
        "@.properties.publicNetworkAccess == 'Disabled'",
        "@.properties[?",
    );
    let e = rule(&bad_path).unwrap_err();
    assert_eq!(e.line, 8, "{e}");
    assert!(
        e.to_string()
            .contains("`assert` is not a JSONPath filter expression"),
        "{e}"
    );
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
    assert_eq!(outcome(&r, &small), Outcome::Pass);
    assert_eq!(outcome(&r, &big), Outcome::Fail);
}

#[test]
fn literals_are_collected() {
    let l = literals_of("@.a == 'x' && @.b > 10 && @.c == \"y\"");
    assert!(l.contains(&json!("x")) && l.contains(&json!("y")));
    assert!(l.contains(&json!(10.0)) && l.contains(&json!(11.0)) && l.contains(&json!(9.0)));
}
