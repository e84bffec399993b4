use super::{declare_rule, Context};
use crate::arm::value::Value;
use crate::model::{Field, NsgRule};
use crate::net::endpoint::Prefix;
use crate::net::nsg::Ports;

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

/// An invalid value and why.
struct Invalid<'v> {
    value: &'v Value,
    what: String,
}

fn check_rule(rule: &NsgRule) -> Vec<(Value, String)> {
    let mut out: Vec<(Value, String)> = Vec::new();
    let mut push = |i: Invalid<'_>| out.push((i.value.clone(), i.what));
    let one_of = |key: &str, allowed: &[&str]| -> Option<(Value, String)> {
        let Field::Present(v) = rule.prop(key) else {
            return None;
        };
        let text = v.as_known_str()?;
        if allowed.iter().any(|a| a.eq_ignore_ascii_case(text)) {
            return None;
        }
        Some((
            v.clone(),
            format!(
                "`{key}` `{text}` is not one of {}",
                allowed
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ))
    };
    let mut extra = Vec::new();
    extra.extend(one_of(
        "protocol",
        &["*", "Tcp", "Udp", "Icmp", "Esp", "Ah"],
    ));
    extra.extend(one_of("direction", &["Inbound", "Outbound"]));
    extra.extend(one_of("access", &["Allow", "Deny"]));
    for key in [
        "sourcePortRange",
        "destinationPortRange",
        "sourcePortRanges",
        "destinationPortRanges",
    ] {
        let field = rule.prop(key);
        let Some(v) = field.value() else { continue };
        for item in items(v) {
            if let Some(text) = item
                .as_known_str()
                .filter(|t| !t.is_empty() || v.as_array().is_some())
            {
                if Ports::parse_one(text).is_none() {
                    push(Invalid {
                        value: item,
                        what: format!("port range `{text}` in `{key}` is not `*`, a port in 0..65535 or `low-high`"),
                    });
                }
            }
        }
    }
    for key in [
        "sourceAddressPrefix",
        "destinationAddressPrefix",
        "sourceAddressPrefixes",
        "destinationAddressPrefixes",
    ] {
        let field = rule.prop(key);
        let Some(v) = field.value() else { continue };
        let mut tags = Vec::new();
        for item in items(v) {
            let Some(text) = item.as_known_str() else {
                continue;
            };
            // `""` in the singular form means "see the plural form".
            if text.is_empty() && v.as_array().is_none() {
                continue;
            }
            match Prefix::parse(text) {
                None => push(Invalid {
                    value: item,
                    what: format!("address prefix `{text}` in `{key}` is not `*`, an IP address, a CIDR or a service tag"),
                }),
                Some(Prefix::Tag { .. } | Prefix::Internet | Prefix::VirtualNetwork | Prefix::AzureLoadBalancer) => {
                    tags.push((item, text))
                }
                Some(_) => {}
            }
        }
        if tags.len() > 1 {
            let (second, _) = tags[1];
            let names: Vec<String> = tags.iter().map(|(_, t)| format!("`{t}`")).collect();
            push(Invalid {
                value: second,
                what: format!(
                    "`{key}` holds {} service tags ({}); a rule holds at most one",
                    tags.len(),
                    names.join(", ")
                ),
            });
        }
    }
    out.extend(extra);
    out
}

/// A value's items: the array's, or the value itself.
fn items(v: &Value) -> Vec<&Value> {
    match v.as_array() {
        Some(list) => list.iter().collect(),
        None => vec![v],
    }
}

pub(super) fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for nsg in &model.nsgs {
        for rule in &nsg.rules {
            for (value, what) in check_rule(rule) {
                let message = format!(
                    "rule `{}` of NSG `{}`: {what}; Azure rejects it",
                    rule.name,
                    nsg.e.display_name()
                );
                let finding = cx
                    .finding(&nsg.e, value.span.or(rule.span), message)
                    .label("invalid value")
                    .help("protocols: `*`, `Tcp`, `Udp`, `Icmp`, `Esp`, `Ah`; ports: `*`, `443`, `1024-65535`; prefixes: `*`, `10.0.0.0/16`, `10.0.0.4`, or one service tag such as `AzureMachineLearning`");
                cx.report(finding);
            }
        }
    }
}
