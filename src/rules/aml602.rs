use super::{declare_rule, Context};
use crate::arm::value::Tri;
use crate::net::nsg::RuleView;

declare_rule! {
    /// ## What it does
    /// Reports an NSG rule whose priority is outside 100..4096.
    ///
    /// ## Why is this bad?
    /// Azure rejects the deployment. Priorities 65000 and above belong to the default rules.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     { "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-05-01", "name": "nsg-ml",
    ///       "properties": { "securityRules": [
    ///         { "name": "DenyAll", "properties": { "priority": 5000, "direction": "Inbound", "access": "Deny",
    ///           "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*",
    ///           "destinationAddressPrefix": "*", "destinationPortRange": "*" } } ] } }
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
    ///         { "name": "DenyAll", "properties": { "priority": 4096, "direction": "Inbound", "access": "Deny",
    ///           "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*",
    ///           "destinationAddressPrefix": "*", "destinationPortRange": "*" } } ] } }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - [Network security groups: security rules](https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules)
    ///   (priority: a number between 100 and 4096)
    pub struct NsgPriorityOutOfRange {
        code: "AML602",
        name: "nsg-priority-out-of-range",
        severity: Error,
        summary: "priority outside 100..4096",
    }
}

pub(super) fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for nsg in &model.nsgs {
        for rule in &nsg.rules {
            let Tri::Known(prio) = RuleView::new(rule).priority else {
                continue;
            };
            if (100..=4096).contains(&prio) {
                continue;
            }
            let span = rule
                .prop("priority")
                .value()
                .map_or(rule.span, |v| v.span().or(rule.span));
            let message = format!(
                "rule `{}` of NSG `{}` has priority {prio}, outside 100..4096; ARM rejects the deployment",
                rule.name,
                nsg.e.display_name()
            );
            let finding = cx
                .finding(&nsg.e, span, message)
                .label("out of range")
                .help("use a priority between 100 (evaluated first) and 4096");
            cx.report(finding);
        }
    }
}
