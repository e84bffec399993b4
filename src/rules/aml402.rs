use super::{declare_rule, Context};
use crate::arm::value::Tri;
use crate::model::Field;
use crate::net::endpoint::{Endpoint, Prefix};
use crate::net::nsg::{evaluate, Access, Decider, Direction, Protocol, RuleView, Traffic, Verdict};

declare_rule! {
    /// ## What it does
    /// Reports an NSG rule that allows inbound traffic from anywhere (`*`, `Internet`,
    /// `0.0.0.0/0`) to SSH (22) or RDP (3389), through any protocol or port form that covers them
    /// (`*`, a range, a list), and that decides that traffic: a higher-priority rule that denies
    /// it first makes the allow harmless, and it is not reported.
    ///
    /// ## Why is this bad?
    /// Management ports open to the internet are scanned and brute-forced within minutes. Azure
    /// Machine Learning does not need them: use the studio's terminal, Azure Bastion or a jump
    /// host, or restrict the source to known addresses.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     { "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-05-01", "name": "nsg-ml",
    ///       "properties": { "securityRules": [
    ///         { "name": "AllowSSH", "properties": { "priority": 100, "direction": "Inbound", "access": "Allow",
    ///           "protocol": "Tcp", "sourceAddressPrefix": "*", "sourcePortRange": "*",
    ///           "destinationAddressPrefix": "*", "destinationPortRange": "22" } } ] } }
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
    ///         { "name": "AllowSSHFromBastion", "properties": { "priority": 100, "direction": "Inbound", "access": "Allow",
    ///           "protocol": "Tcp", "sourceAddressPrefix": "10.0.250.0/26", "sourcePortRange": "*",
    ///           "destinationAddressPrefix": "*", "destinationPortRange": "22" } } ] } }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - [Network security groups](https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview)
    /// - [Azure security baseline: restrict management ports](https://learn.microsoft.com/security/benchmark/azure/mcsb-network-security)
    pub struct NsgManagementPortOpenToInternet {
        code: "AML402",
        name: "nsg-management-port-open-to-internet",
        severity: Warning,
        summary: "NSG inbound allow from `*` / `Internet` / `0.0.0.0/0` reaching port 22 or 3389",
    }
}

const PORTS: &[(u16, &str)] = &[(22, "SSH"), (3389, "RDP")];

/// Whether a prefix is "anywhere on the internet".
fn is_anywhere(p: &Prefix) -> bool {
    match p {
        Prefix::Any | Prefix::Internet => true,
        Prefix::Cidr(c) => c.prefix_len() == 0,
        _ => false,
    }
}

pub(super) fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for nsg in &model.nsgs {
        for rule in &nsg.rules {
            let view = RuleView::new(rule);
            if view.direction != Tri::Known(Direction::Inbound)
                || view.access != Tri::Known(Access::Allow)
            {
                continue;
            }
            let Tri::Known(sources) = &view.sources else {
                continue;
            };
            if !sources.iter().any(is_anywhere) {
                continue;
            }
            let Tri::Known(ports) = &view.destination_ports else {
                continue;
            };
            let Tri::Known(protocols) = &view.protocols else {
                continue;
            };
            if !protocols.contains(&Protocol::Tcp) {
                continue;
            }
            let open: Vec<String> = PORTS
                .iter()
                .filter(|(port, _)| ports.contains(*port))
                .filter(|(port, _)| decides(nsg, rule, *port))
                .map(|(port, name)| format!("{port} ({name})"))
                .collect();
            if open.is_empty() {
                continue;
            }
            let span = match rule.prop("sourceAddressPrefix") {
                Field::Present(v) => v.span().or(rule.span),
                Field::Absent => rule
                    .prop("sourceAddressPrefixes")
                    .value()
                    .map_or(rule.span, |v| v.span().or(rule.span)),
            };
            let message = format!(
                "rule `{}` of NSG `{}` allows {} {} from anywhere on the internet",
                rule.name,
                nsg.e.display_name(),
                if open.len() == 1 { "port" } else { "ports" },
                open.join(" and ")
            );
            let finding = cx
                .finding(&nsg.e, span, message)
                .label("any source")
                .help("restrict `sourceAddressPrefix` to the addresses that manage the machines (a Bastion subnet, a VPN range), or remove the rule; AML compute needs no inbound SSH or RDP")
                .related(rule.span, "the allowing rule");
            cx.report(finding);
        }
    }
}

/// Whether `rule` is what admits TCP `port` from an arbitrary internet address to the addresses
/// it protects: no higher-priority rule denies that traffic first. Unknown is no.
fn decides(nsg: &crate::model::Nsg, rule: &crate::model::NsgRule, port: u16) -> bool {
    let prefixes = match &RuleView::new(rule).destinations {
        Tri::Known(list) => list
            .iter()
            .filter_map(|p| match p {
                Prefix::Cidr(c) => Some(*c),
                _ => None,
            })
            .collect(),
        Tri::Unknown(_) => return false,
    };
    let t = Traffic {
        direction: Direction::Inbound,
        protocol: Protocol::Tcp,
        source: Endpoint::AnyInternet,
        destination: Endpoint::Subnet { prefixes },
        port,
    };
    matches!(evaluate(nsg, &t), Verdict::Allow(Decider::Rule(r)) if std::ptr::eq(r, rule))
}
