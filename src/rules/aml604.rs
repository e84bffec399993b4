use super::{declare_rule, Context};
use crate::arm::value::Tri;
use crate::net::endpoint::Prefix;
use crate::net::nsg::{Ports, RuleView};

declare_rule! {
    /// ## What it does
    /// Reports an NSG rule that can never match because rules with a higher priority (a lower
    /// number) of the same direction cover all of its traffic: every protocol, source, source
    /// port, destination and destination port it names. The cover must be proven: one earlier rule
    /// that contains the rule in every respect, or several that each contain it except for the
    /// destination ports and whose ports together cover its ports. Prefixes are contained by `*`,
    /// by a larger CIDR, by their parent tag (`Storage` holds `Storage.westeurope`), by `AzureCloud`
    /// and by `Internet` (which holds every service tag). Rules with unknown values, or
    /// application security groups, prove nothing.
    ///
    /// ## Why is this bad?
    /// The rule does nothing, and whoever wrote it believes it does: an allow that never applies
    /// leaves traffic blocked, a deny that never applies leaves it open.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     { "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-05-01", "name": "nsg-ml",
    ///       "properties": { "securityRules": [
    ///         { "name": "DenyInternet", "properties": { "priority": 100, "direction": "Inbound", "access": "Deny",
    ///           "protocol": "*", "sourceAddressPrefix": "Internet", "sourcePortRange": "*",
    ///           "destinationAddressPrefix": "*", "destinationPortRange": "*" } },
    ///         { "name": "AllowAzureMachineLearning", "properties": { "priority": 200, "direction": "Inbound", "access": "Allow",
    ///           "protocol": "Tcp", "sourceAddressPrefix": "AzureMachineLearning", "sourcePortRange": "*",
    ///           "destinationAddressPrefix": "VirtualNetwork", "destinationPortRange": "44224" } } ] } }
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
    ///         { "name": "AllowAzureMachineLearning", "properties": { "priority": 100, "direction": "Inbound", "access": "Allow",
    ///           "protocol": "Tcp", "sourceAddressPrefix": "AzureMachineLearning", "sourcePortRange": "*",
    ///           "destinationAddressPrefix": "VirtualNetwork", "destinationPortRange": "44224" } },
    ///         { "name": "DenyInternet", "properties": { "priority": 200, "direction": "Inbound", "access": "Deny",
    ///           "protocol": "*", "sourceAddressPrefix": "Internet", "sourcePortRange": "*",
    ///           "destinationAddressPrefix": "*", "destinationPortRange": "*" } } ] } }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - [How network security groups filter traffic](https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works)
    ///   (rules are processed in priority order; processing stops at the first match)
    /// - [Service tags](https://learn.microsoft.com/azure/virtual-network/service-tags-overview)
    pub struct NsgRuleShadowed {
        code: "AML604",
        name: "nsg-rule-shadowed",
        severity: Warning,
        summary: "a rule that can never match because higher-priority rules cover all of its traffic",
    }
}

/// Whether prefix `a` holds every address of `b`, proven.
fn prefix_contains(a: &Prefix, b: &Prefix) -> bool {
    match (a, b) {
        (Prefix::Any, _) => true,
        (x, y) if x == y => true,
        (Prefix::Cidr(x), Prefix::Cidr(y)) => x.contains(*y),
        (
            Prefix::Tag {
                base: ab,
                suffix: None,
            },
            Prefix::Tag { base: bb, .. },
        ) if ab == bb => true,
        (Prefix::Tag { base, suffix: None }, Prefix::Tag { .. }) if base == "azurecloud" => true,
        (
            Prefix::Tag {
                base,
                suffix: Some(r),
            },
            Prefix::Tag {
                suffix: Some(s), ..
            },
        ) if base == "azurecloud" && r == s => true,
        (Prefix::Internet, Prefix::Tag { base, .. }) => base != "azureloadbalancer",
        _ => false,
    }
}

fn list_contains(a: &[Prefix], b: &[Prefix]) -> bool {
    b.iter().all(|y| a.iter().any(|x| prefix_contains(x, y)))
}

/// Whether `a` covers `b` in every respect except the destination ports.
fn covers_but_ports(a: &RuleView<'_>, b: &RuleView<'_>) -> bool {
    let known = |v: &RuleView<'_>| v.rule.condition == Tri::Known(true);
    if !known(a) || a.rule.unit != b.rule.unit {
        return false;
    }
    match (&a.direction, &b.direction) {
        (Tri::Known(x), Tri::Known(y)) if x == y => {}
        _ => return false,
    }
    match (&a.protocols, &b.protocols) {
        (Tri::Known(x), Tri::Known(y)) if y.iter().all(|p| x.contains(p)) => {}
        _ => return false,
    }
    match (&a.source_ports, &b.source_ports) {
        (Tri::Known(x), Tri::Known(y)) if x.covers(y) => {}
        _ => return false,
    }
    match ((&a.sources, &b.sources), (&a.destinations, &b.destinations)) {
        ((Tri::Known(sa), Tri::Known(sb)), (Tri::Known(da), Tri::Known(db))) => {
            list_contains(sa, sb) && list_contains(da, db)
        }
        _ => false,
    }
}

pub(super) fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for nsg in &model.nsgs {
        let views: Vec<RuleView<'_>> = nsg.rules.iter().map(RuleView::new).collect();
        for b in &views {
            let (Tri::Known(pb), Tri::Known(ports_b)) = (&b.priority, &b.destination_ports) else {
                continue;
            };
            let earlier: Vec<&RuleView<'_>> = views
                .iter()
                .filter(|a| a.priority.known().is_some_and(|pa| pa < pb))
                .filter(|a| covers_but_ports(a, b))
                .collect();
            let mut union = Vec::new();
            let mut covering: Vec<&RuleView<'_>> = Vec::new();
            for a in &earlier {
                let Tri::Known(pa) = &a.destination_ports else {
                    continue;
                };
                union.extend(pa.0.iter().copied());
                covering.push(a);
                if Ports(union.clone()).covers(ports_b) {
                    break;
                }
            }
            if covering.is_empty() || !Ports(union).covers(ports_b) {
                continue;
            }
            // With one rule that covers alone, name only that one.
            if let Some(single) = covering
                .iter()
                .find(|a| matches!(&a.destination_ports, Tri::Known(p) if p.covers(ports_b)))
            {
                covering = vec![single];
            }
            let names: Vec<String> = covering
                .iter()
                .map(|a| {
                    format!(
                        "`{}` (priority {})",
                        a.rule.name,
                        a.priority.known().copied().unwrap_or_default()
                    )
                })
                .collect();
            let head = format!(
                "rule `{}` (priority {pb}) of NSG `{}` can never match:",
                b.rule.name,
                nsg.e.display_name()
            );
            let message = match names.as_slice() {
                [one] => format!("{head} rule {one} covers all of its traffic first"),
                many => format!(
                    "{head} rules {} together cover all of its traffic first",
                    many.join(" and ")
                ),
            };
            let span = b
                .rule
                .prop("priority")
                .value()
                .map_or(b.rule.span, |v| v.span().or(b.rule.span));
            let mut finding = cx
                .finding(&nsg.e, span, message)
                .label("never reached")
                .help("give this rule a lower number than the rules that cover it, narrow those rules, or remove this one");
            for a in covering {
                finding = finding.related(
                    a.rule.span,
                    format!("rule `{}` matches this traffic first", a.rule.name),
                );
            }
            cx.report(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Prefix {
        Prefix::parse(s).unwrap()
    }

    #[test]
    fn containment() {
        assert!(prefix_contains(&p("*"), &p("10.0.0.0/8")));
        assert!(prefix_contains(&p("10.0.0.0/8"), &p("10.1.0.0/16")));
        assert!(!prefix_contains(&p("10.1.0.0/16"), &p("10.0.0.0/8")));
        assert!(prefix_contains(&p("Storage"), &p("Storage.westeurope")));
        assert!(!prefix_contains(&p("Storage.westeurope"), &p("Storage")));
        assert!(prefix_contains(
            &p("AzureCloud"),
            &p("AzureMachineLearning")
        ));
        assert!(prefix_contains(&p("Internet"), &p("AzureMachineLearning")));
        assert!(
            !prefix_contains(&p("Internet"), &p("20.0.0.0/8")),
            "a public CIDR may be a VNet's"
        );
        assert!(!prefix_contains(&p("VirtualNetwork"), &p("10.0.0.0/8")));
        assert!(!prefix_contains(&p("Storage"), &p("Sql")));
    }
}
