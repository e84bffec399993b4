use super::{declare_rule, Context};
use crate::arm::value::Tri;
use crate::arm::value::Value;
use crate::model::{Field, NsgRule};
use crate::net::endpoint::Prefix;
use crate::net::nsg::{Ports, RuleView, DESTINATION, SOURCE};

declare_rule! {
    /// ## What it does
    /// Reports a value in an NSG rule that Azure rejects: a protocol other than `*`, `Tcp`,
    /// `Udp`, `Icmp`, `Esp`, `Ah`; a direction other than `Inbound` / `Outbound`; an access other
    /// than `Allow` / `Deny`; a port that is not `*`, a number in 0..65535 or a range `a-b` with
    /// `a <= b`; an address prefix that is not `*`, an IP address, a CIDR or a tag name; or more
    /// than one service tag in one rule's prefix list.
    ///
    /// ## Why is this bad?
    /// The deployment fails validation, often far from where the value was written (a parameter
    /// file, a copy loop over a parameter array).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     { "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-05-01", "name": "nsg-ml",
    ///       "properties": { "securityRules": [
    ///         { "name": "AllowWeb", "properties": { "priority": 100, "direction": "Inbound", "access": "Allow",
    ///           "protocol": "Http", "sourceAddressPrefix": "10.0.0.0/33", "sourcePortRange": "*",
    ///           "destinationAddressPrefix": "*", "destinationPortRange": "443-80" } } ] } }
    ///   ]
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     { "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-05-01", "name": "nsg-ml",
    ///       "properties": { "securityRules": [
    ///         { "name": "AllowWeb", "properties": { "priority": 100, "direction": "Inbound", "access": "Allow",
    ///           "protocol": "Tcp", "sourceAddressPrefix": "10.0.0.0/16", "sourcePortRange": "*",
    ///           "destinationAddressPrefix": "*", "destinationPortRange": "80-443" } } ] } }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - [Network security groups: security rules](https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules)
    ///   (protocols, port ranges 0-65535, prefixes; a rule holds at most one service tag)
    pub struct NsgInvalidRuleValue {
        code: "AML603",
        name: "nsg-invalid-rule-value",
        severity: Error,
        summary: "a port, port range, address prefix or protocol that Azure would reject",
    }
}

/// The invalid values of a rule, each with why.
fn check_rule(rule: &NsgRule) -> Vec<(Value, String)> {
    let mut out: Vec<(Value, String)> = Vec::new();
    for (key, allowed) in [
        ("protocol", &["*", "Tcp", "Udp", "Icmp", "Esp", "Ah"][..]),
        ("direction", &["Inbound", "Outbound"][..]),
        ("access", &["Allow", "Deny"][..]),
    ] {
        let Field::Present(v) = rule.prop(key) else {
            continue;
        };
        let Some(text) = v.as_known_str() else {
            continue;
        };
        if !allowed.iter().any(|a| a.eq_ignore_ascii_case(text)) {
            let list: Vec<String> = allowed.iter().map(|a| format!("`{a}`")).collect();
            out.push((
                v.clone(),
                format!("`{key}` {} is not one of {}", shown(text), list.join(", ")),
            ));
        }
    }
    for keys in [&SOURCE, &DESTINATION] {
        let side = keys.side;
        for (item, key) in entries(rule, keys.port, keys.ports, &mut out) {
            let Some(text) = item.as_known_str() else {
                continue;
            };
            if Ports::parse_one(text).is_none() {
                out.push((
                    item.clone(),
                    format!(
                        "port range {} in `{key}` is not `*`, a port in 0..65535 or `low-high`",
                        shown(text)
                    ),
                ));
            }
        }
        let mut tags: Vec<(Value, String)> = Vec::new();
        for (item, key) in entries(rule, keys.prefix, keys.prefixes, &mut out) {
            let Some(text) = item.as_known_str() else {
                continue;
            };
            match Prefix::parse(text) {
                None => out.push((
                    item.clone(),
                    format!(
                        "address prefix {} in `{key}` is not `*`, an IP address, a CIDR or a service tag",
                        shown(text)
                    ),
                )),
                Some(p) if is_tag(&p) => tags.push((item.clone(), text.to_owned())),
                Some(_) => {}
            }
        }
        if tags.len() > 1 {
            let names: Vec<String> = tags.iter().map(|(_, t)| format!("`{t}`")).collect();
            out.push((
                tags[1].0.clone(),
                format!(
                    "the {side} prefixes hold {} service tags ({}); a rule holds at most one",
                    tags.len(),
                    names.join(", ")
                ),
            ));
        }
    }
    out
}

/// A value as a message quotes it: `` `x` ``, or "an empty string".
fn shown(text: &str) -> String {
    if text.is_empty() {
        "an empty string".to_owned()
    } else {
        format!("`{text}`")
    }
}

/// The entries of a singular / plural pair, with the key each comes from. An empty singular means
/// "see the plural": reported when the plural lists nothing.
fn entries(
    rule: &NsgRule,
    singular: &'static str,
    plural: &'static str,
    out: &mut Vec<(Value, String)>,
) -> Vec<(Value, &'static str)> {
    let mut list = Vec::new();
    let plural_value = rule.prop(plural).value().cloned();
    for item in plural_value.as_ref().map(items).unwrap_or_default() {
        list.push((item.clone(), plural));
    }
    if let Field::Present(v) = rule.prop(singular) {
        if v.as_known_str() == Some("") {
            let plural_known = plural_value.as_ref().is_some_and(|p| !p.is_unknown());
            if list.is_empty() && (plural_value.is_none() || plural_known) {
                out.push((
                    v.clone(),
                    format!("`{singular}` is empty and `{plural}` lists nothing"),
                ));
            }
        } else {
            list.push((v, singular));
        }
    }
    list
}

/// A value's items: the array's, or the value itself.
fn items(v: &Value) -> Vec<&Value> {
    match v.as_array() {
        Some(list) => list.iter().collect(),
        None => vec![v],
    }
}

/// Whether the fields the NSG evaluator read (once, for every rule) already show the rule valid:
/// every field known, hence well-formed, and at most one service tag a side. Only the other rules
/// are read again value by value, to say what is wrong and where.
fn known_valid(rule: &NsgRule) -> bool {
    let view = RuleView::new(rule);
    let at_most_one_tag = |prefixes: &Tri<Vec<Prefix>>| match prefixes {
        Tri::Known(list) => list.iter().filter(|p| is_tag(p)).count() <= 1,
        Tri::Unknown(_) => false,
    };
    matches!(view.protocols, Tri::Known(_))
        && matches!(view.direction, Tri::Known(_))
        && matches!(view.access, Tri::Known(_))
        && matches!(view.source_ports, Tri::Known(_))
        && matches!(view.destination_ports, Tri::Known(_))
        && at_most_one_tag(&view.sources)
        && at_most_one_tag(&view.destinations)
}

/// A prefix that names a service tag (one of them per rule side).
fn is_tag(prefix: &Prefix) -> bool {
    matches!(
        prefix,
        Prefix::Tag { .. } | Prefix::Internet | Prefix::VirtualNetwork | Prefix::AzureLoadBalancer
    )
}

pub(super) fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for nsg in &model.nsgs {
        for rule in &nsg.rules {
            if known_valid(rule) {
                continue;
            }
            for (value, what) in check_rule(rule) {
                let message = format!(
                    "rule `{}` of NSG `{}`: {what}; Azure rejects it",
                    rule.name,
                    nsg.e.display_name()
                );
                let finding = cx
                    .finding(&nsg.e, value.span().or(rule.span), message)
                    .label("invalid value")
                    .help("protocols: `*`, `Tcp`, `Udp`, `Icmp`, `Esp`, `Ah`; ports: `*`, `443`, `1024-65535`; prefixes: `*`, `10.0.0.0/16`, `10.0.0.4`, or one service tag such as `AzureMachineLearning`");
                cx.report(finding);
            }
        }
    }
}
