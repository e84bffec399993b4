use super::*;
use crate::arm::value::{Tri, Value};
use crate::model::{Entity, Nsg, NsgRule, UnitId};
use crate::net::address::Cidr;
use crate::source::Span;
use serde_json::json;
use std::sync::Arc;

fn rule(name: &str, props: serde_json::Value) -> NsgRule {
    NsgRule::new(
        UnitId(0),
        name.into(),
        Span::NONE,
        Tri::Known(true),
        Value::from_serde(&json!({ "name": name, "properties": props }), Span::NONE),
    )
}

fn allow_in(name: &str, prio: i64, src: &str, port: &str) -> NsgRule {
    rule(
        name,
        json!({"priority": prio, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
               "sourceAddressPrefix": src, "sourcePortRange": "*",
               "destinationAddressPrefix": "*", "destinationPortRange": port}),
    )
}

fn deny_in(name: &str, prio: i64, src: &str, port: &str) -> NsgRule {
    rule(
        name,
        json!({"priority": prio, "direction": "Inbound", "access": "Deny", "protocol": "*",
               "sourceAddressPrefix": src, "sourcePortRange": "*",
               "destinationAddressPrefix": "*", "destinationPortRange": port}),
    )
}

/// An inbound rule on TCP 44224 whose source is not known offline: it may or may not match.
fn maybe_in(name: &str, prio: i64, access: &str) -> NsgRule {
    let mut r = rule(
        name,
        json!({"priority": prio, "direction": "Inbound", "access": access, "protocol": "Tcp",
               "sourcePortRange": "*", "destinationAddressPrefix": "*",
               "destinationPortRange": "44224"}),
    );
    let mut props = r
        .body
        .get("properties")
        .unwrap()
        .as_object()
        .unwrap()
        .entries()
        .to_vec();
    props.push((
        arcstr::ArcStr::from("sourceAddressPrefix"),
        Value::unknown("parameter `src` has no value", Span::NONE),
    ));
    r.body = Value::object(
        vec![(
            arcstr::ArcStr::from("properties"),
            Value::object(props, Span::NONE),
        )],
        Span::NONE,
    );
    r
}

fn nsg(rules: Vec<NsgRule>) -> Nsg {
    Nsg {
        e: Entity {
            unit: UnitId(0),
            full_type: Arc::from("Microsoft.Network/networkSecurityGroups"),
            name: Value::str("nsg", Span::NONE),
            id: None,
            span: Span::NONE,
            name_span: Span::NONE,
            condition: Tri::Known(true),
            body: Value::null(Span::NONE),
        },
        rules,
        rules_unknown: None,
        by_priority: std::sync::OnceLock::new(),
    }
}

fn aml_inbound(port: u16) -> Traffic {
    Traffic {
        direction: Direction::Inbound,
        protocol: Protocol::Tcp,
        source: Endpoint::service("AzureMachineLearning"),
        destination: Endpoint::Subnet {
            prefixes: vec![Cidr::parse("10.0.1.0/24").unwrap()],
        },
        port,
    }
}

fn name_of(v: &Verdict<'_>) -> String {
    match v {
        Verdict::Allow(d) | Verdict::Deny(d) => match d {
            Decider::Rule(r) => r.name.to_string(),
            Decider::Default(d) => d.name.to_owned(),
        },
        Verdict::Unknown(u) => format!("unknown: {}", u.reason),
    }
}

#[test]
fn default_rules_deny_service_traffic_inbound_and_allow_it_outbound() {
    let n = nsg(vec![]);
    let v = evaluate(&n, &aml_inbound(44224));
    assert!(matches!(v, Verdict::Deny(_)));
    assert_eq!(name_of(&v), "DenyAllInBound");
    let out = Traffic {
        direction: Direction::Outbound,
        protocol: Protocol::Tcp,
        source: Endpoint::Subnet { prefixes: vec![] },
        destination: Endpoint::service("Storage.westeurope"),
        port: 443,
    };
    let v = evaluate(&n, &out);
    assert!(matches!(v, Verdict::Allow(_)));
    assert_eq!(name_of(&v), "AllowInternetOutBound");
    let vnet = Traffic {
        direction: Direction::Inbound,
        protocol: Protocol::Udp,
        source: Endpoint::Subnet { prefixes: vec![] },
        destination: Endpoint::Subnet { prefixes: vec![] },
        port: 53,
    };
    assert_eq!(name_of(&evaluate(&n, &vnet)), "AllowVnetInBound");
}

#[test]
fn priority_order_decides_not_document_order() {
    let n = nsg(vec![
        allow_in("AllowAml", 200, "AzureMachineLearning", "44224"),
        deny_in("DenyInternet", 100, "Internet", "*"),
    ]);
    let v = evaluate(&n, &aml_inbound(44224));
    assert!(matches!(v, Verdict::Deny(_)));
    assert_eq!(name_of(&v), "DenyInternet");
    let n = nsg(vec![
        deny_in("DenyInternet", 300, "Internet", "*"),
        allow_in("AllowAml", 200, "AzureMachineLearning", "44224"),
    ]);
    assert_eq!(name_of(&evaluate(&n, &aml_inbound(44224))), "AllowAml");
}

#[test]
fn ports_ranges_lists_and_star() {
    for port in ["44224", "44000-45000", "*"] {
        let n = nsg(vec![allow_in("a", 100, "AzureMachineLearning", port)]);
        assert!(
            matches!(evaluate(&n, &aml_inbound(44224)), Verdict::Allow(_)),
            "{port}"
        );
    }
    let n = nsg(vec![rule(
        "plural",
        json!({"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "*",
               "sourceAddressPrefixes": ["BatchNodeManagement", "AzureMachineLearning"], "sourcePortRange": "*",
               "destinationAddressPrefix": "VirtualNetwork", "destinationPortRanges": ["22", "44224"]}),
    )]);
    assert!(matches!(
        evaluate(&n, &aml_inbound(44224)),
        Verdict::Allow(_)
    ));
    assert!(matches!(
        evaluate(&n, &aml_inbound(44225)),
        Verdict::Deny(_)
    ));
}

#[test]
fn protocol_star_covers_tcp_udp_icmp() {
    let n = nsg(vec![rule(
        "udp",
        json!({"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Udp",
               "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*"}),
    )]);
    assert!(
        matches!(evaluate(&n, &aml_inbound(44224)), Verdict::Deny(_)),
        "UDP does not cover TCP"
    );
}

#[test]
fn unknowns_make_the_verdict_unknown_unless_it_does_not_matter() {
    let unknown_source = maybe_in("maybe", 100, "Allow");
    let n = nsg(vec![unknown_source.clone()]);
    let v = evaluate(&n, &aml_inbound(44224));
    assert!(
        name_of(&v).contains("parameter `src` has no value"),
        "{}",
        name_of(&v)
    );
    // An allow rule before it decides regardless.
    let n = nsg(vec![
        allow_in("first", 90, "AzureMachineLearning", "44224"),
        unknown_source.clone(),
    ]);
    assert_eq!(name_of(&evaluate(&n, &aml_inbound(44224))), "first");
    // A deny that may match, followed by the default deny: denied either way.
    let maybe_deny = maybe_in("maybe", 100, "Deny");
    let n = nsg(vec![maybe_deny]);
    assert!(matches!(
        evaluate(&n, &aml_inbound(44224)),
        Verdict::Deny(_)
    ));
}

#[test]
fn regional_tags_and_public_cidrs() {
    let n = nsg(vec![allow_in(
        "we",
        100,
        "AzureMachineLearning.westeurope",
        "44224",
    )]);
    let mut t = aml_inbound(44224);
    t.source = Endpoint::service("AzureMachineLearning.westeurope");
    assert!(matches!(evaluate(&n, &t), Verdict::Allow(_)));
    t.source = Endpoint::service("AzureMachineLearning.eastus");
    assert!(matches!(evaluate(&n, &t), Verdict::Deny(_)));
    t.source = Endpoint::Service {
        base: "azuremachinelearning".into(),
        suffix: Err(()),
    };
    assert!(matches!(evaluate(&n, &t), Verdict::Unknown(_)));
    let n = nsg(vec![allow_in("cidr", 100, "20.0.0.0/8", "44224")]);
    assert!(matches!(
        evaluate(&n, &aml_inbound(44224)),
        Verdict::Unknown(_)
    ));
    let n = nsg(vec![allow_in("private", 100, "10.0.0.0/8", "44224")]);
    assert!(
        matches!(evaluate(&n, &aml_inbound(44224)), Verdict::Deny(_)),
        "private ranges hold no service"
    );
}

#[test]
fn application_security_groups_are_unknown() {
    let n = nsg(vec![rule(
        "asg",
        json!({"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
               "sourceAddressPrefix": "AzureMachineLearning", "sourcePortRange": "*",
               "destinationApplicationSecurityGroups": [{"id": "/x"}], "destinationPortRange": "44224"}),
    )]);
    let v = evaluate(&n, &aml_inbound(44224));
    assert!(
        name_of(&v).contains("application security groups"),
        "{}",
        name_of(&v)
    );
}

#[test]
fn port_sets_cover() {
    let all = Ports(vec![Ports::ALL]);
    assert!(all.is_all());
    let split = Ports(vec![(0, 1000), (1001, 65535)]);
    assert!(split.is_all());
    let gap = Ports(vec![(0, 1000), (1002, 65535)]);
    assert!(!gap.is_all());
    assert!(Ports(vec![(20, 30)]).covers(&Ports(vec![(22, 22), (25, 30)])));
    assert_eq!(Ports::parse_one("65536"), None);
    assert_eq!(Ports::parse_one("20-10"), None);
    assert_eq!(Ports::parse_one(" 22 "), Some((22, 22)));
}

/// The one-pass reading of a rule's properties gives what reading each property on its own
/// gives, whatever `properties` is.
#[test]
fn properties_read_in_one_pass_as_one_by_one() {
    let open = Value::new(
        crate::arm::value::Kind::Object(crate::arm::value::Object::new(
            vec![("priority".into(), Value::int(100, Span::NONE))],
            Some(crate::arm::value::Unknown::new("runtime state of `nsg`")),
        )),
        Span::NONE,
    );
    let bodies = vec![
        // Keys in another case, twice (the last wins), null and empty values.
        Value::from_serde(
            &json!({"properties": {"Priority": 100, "PRIORITY": 200, "direction": null,
                "access": "", "sourceAddressPrefixes": ["10.0.0.0/8"], "extra": 1}}),
            Span::NONE,
        ),
        Value::from_serde(&json!({"properties": null}), Span::NONE),
        Value::from_serde(&json!({"properties": "text"}), Span::NONE),
        Value::from_serde(&json!({"name": "no properties"}), Span::NONE),
        Value::from_serde(&json!("not an object"), Span::NONE),
        Value::unknown("parameter `rules` has no value", Span::NONE),
        Value::object(vec![("properties".into(), open)], Span::NONE),
    ];
    for body in bodies {
        let r = NsgRule::new(
            UnitId(0),
            "r".into(),
            Span::NONE,
            Tri::Known(true),
            body.clone(),
        );
        let props = Props::of(&r);
        for key in RULE_KEYS {
            assert_eq!(
                format!("{:?}", props.prop(key).as_deref()),
                format!("{:?}", r.prop(key).value()),
                "{key} of {body:?}"
            );
        }
    }
}

/// A side's singular and plural forms read together, in order; an unknown text decides before an
/// invalid one, an empty singular is no value, and neither form is unknown with a reason.
#[test]
fn address_prefixes_read_from_both_forms_in_order() {
    let unknown_entry = Value::object(
        vec![(
            "properties".into(),
            Value::object(
                vec![
                    (
                        "sourceAddressPrefix".into(),
                        Value::str("nonsense!", Span::NONE),
                    ),
                    (
                        "sourceAddressPrefixes".into(),
                        Value::array(
                            vec![Value::unknown("parameter `cidrs` has no value", Span::NONE)],
                            Span::NONE,
                        ),
                    ),
                ],
                Span::NONE,
            ),
        )],
        Span::NONE,
    );
    let cases: Vec<(Value, Result<Vec<Prefix>, &str>)> = vec![
        (
            Value::from_serde(
                &json!({"properties": {"sourceAddressPrefix": "Internet",
                    "sourceAddressPrefixes": ["10.0.0.0/8", "Storage.WestEurope"]}}),
                Span::NONE,
            ),
            Ok(vec![
                Prefix::Internet,
                Prefix::Cidr(Cidr::parse("10.0.0.0/8").unwrap()),
                Prefix::Tag {
                    base: "storage".into(),
                    suffix: Some("westeurope".into()),
                },
            ]),
        ),
        (
            Value::from_serde(
                &json!({"properties": {"sourceAddressPrefix": "", "sourceAddressPrefixes": ["*"]}}),
                Span::NONE,
            ),
            Ok(vec![Prefix::Any]),
        ),
        (
            Value::from_serde(
                &json!({"properties": {"sourceAddressPrefix": "",
                    "sourceAddressPrefixes": []}}),
                Span::NONE,
            ),
            Err("rule `r` has neither `sourceAddressPrefix` nor `sourceAddressPrefixes`"),
        ),
        (
            Value::from_serde(
                &json!({"properties": {"sourceAddressPrefixes": ["10.0.0.0/8", "10.0.0.0/33"]}}),
                Span::NONE,
            ),
            Err("rule `r` has an invalid address prefix `10.0.0.0/33`"),
        ),
        (
            Value::from_serde(
                &json!({"properties": {"sourceAddressPrefixes": "10.0.0.0/8"}}),
                Span::NONE,
            ),
            Err("`sourceAddressPrefixes` is a String, not an array"),
        ),
        (unknown_entry, Err("parameter `cidrs` has no value")),
    ];
    for (body, expected) in cases {
        let r = NsgRule::new(UnitId(0), "r".into(), Span::NONE, Tri::Known(true), body);
        let got = match RuleFields::read(&r).sources {
            Tri::Known(p) => Ok(p),
            Tri::Unknown(u) => Err(u.reason.clone()),
        };
        assert_eq!(got, expected.map_err(str::to_owned));
    }
}

#[test]
fn the_first_sure_match_decides_and_uncertain_rules_before_it_fold_onto_it() {
    // An allow that may match, before a sure deny: unknown, because of the allow.
    let n = nsg(vec![
        deny_in("DenyAll", 200, "*", "*"),
        maybe_in("MaybeAllow", 100, "Allow"),
    ]);
    let v = evaluate(&n, &aml_inbound(44224));
    assert!(name_of(&v).contains("rule `MaybeAllow`"), "{}", name_of(&v));
    // A deny that may match, before a sure deny: the sure deny decides (and is named).
    let n = nsg(vec![
        maybe_in("MaybeDeny", 100, "Deny"),
        deny_in("DenyAll", 200, "*", "*"),
    ]);
    assert_eq!(name_of(&evaluate(&n, &aml_inbound(44224))), "DenyAll");
    // After a sure match nothing counts, not even a rule that may match with another access;
    // before it, a rule that cannot match changes nothing.
    let n = nsg(vec![
        maybe_in("MaybeDenyAfter", 300, "Deny"),
        allow_in("AllowAml", 200, "AzureMachineLearning", "44224"),
        deny_in("DenyOtherPort", 100, "*", "22"),
    ]);
    assert_eq!(name_of(&evaluate(&n, &aml_inbound(44224))), "AllowAml");
    // The order is worked out once per NSG and serves every question asked of it.
    assert_eq!(
        n.by_priority.get().map(Vec::as_slice),
        Some(&[2u32, 1, 0][..])
    );
    assert_eq!(name_of(&evaluate(&n, &aml_inbound(22))), "DenyOtherPort");
    // No sure match: uncertain rules fold onto the default rules' verdict.
    let n = nsg(vec![maybe_in("MaybeAllow", 100, "Allow")]);
    assert!(name_of(&evaluate(&n, &aml_inbound(44224))).contains("rule `MaybeAllow`"));
}
