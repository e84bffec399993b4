use super::{declare_rule, Context};
use crate::model::Field;

declare_rule! {
    /// ## What it does
    /// Reports `ServiceTag` and `FQDN` outbound rules of a workspace whose managed network mode is
    /// not `AllowOnlyApprovedOutbound` (it is `AllowInternetOutbound`, `Disabled`, or not set).
    ///
    /// ## Why is this bad?
    /// Outbound rules of type `ServiceTag` and `FQDN` take effect only in
    /// `AllowOnlyApprovedOutbound` mode. Elsewhere they do nothing: either the author expects an
    /// allow-list the workspace does not enforce, or the rules are dead configuration.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     { "type": "Microsoft.MachineLearningServices/workspaces", "apiVersion": "2024-04-01", "name": "ws",
    ///       "properties": { "managedNetwork": { "isolationMode": "AllowInternetOutbound",
    ///         "outboundRules": { "pypi": { "type": "FQDN", "destination": "pypi.org", "category": "UserDefined" } } } } }
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
    ///     { "type": "Microsoft.MachineLearningServices/workspaces", "apiVersion": "2024-04-01", "name": "ws",
    ///       "properties": { "managedNetwork": { "isolationMode": "AllowOnlyApprovedOutbound",
    ///         "outboundRules": { "pypi": { "type": "FQDN", "destination": "pypi.org", "category": "UserDefined" } } } } }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - [Workspace managed network isolation](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network)
    ///   (`ServiceTag` and `FQDN` rules apply in `AllowOnlyApprovedOutbound` mode)
    pub struct ManagedNetworkOutboundRuleModeMismatch {
        code: "AML303",
        name: "managed-network-outbound-rule-mode-mismatch",
        severity: Warning,
        summary: "`ServiceTag` / `FQDN` outbound rules on a workspace whose mode is not `AllowOnlyApprovedOutbound`",
    }
}

pub(super) fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for ws in &model.workspaces {
        let mode = ws.isolation_mode();
        let mode_text = match &mode {
            Field::Absent => "not set".to_owned(),
            Field::Present(v) => match v.as_known_str() {
                Some(m) if m.eq_ignore_ascii_case("AllowOnlyApprovedOutbound") => continue,
                Some(m) => format!("`{m}`"),
                None => continue,
            },
        };
        for rule in &ws.outbound_rules {
            let Field::Present(ty) = rule.field("type") else {
                continue;
            };
            let Some(kind) = ty.as_known_str() else {
                continue;
            };
            if !kind.eq_ignore_ascii_case("ServiceTag") && !kind.eq_ignore_ascii_case("FQDN") {
                continue;
            }
            let message = format!(
                "outbound rule `{}` of workspace `{}` is {} `{kind}` rule, which has no effect unless the managed network mode is `AllowOnlyApprovedOutbound` (it is {mode_text})",
                                rule.name,
                ws.e.display_name(),
                if kind.eq_ignore_ascii_case("FQDN") { "an" } else { "a" }
            );
            let finding = cx
                .finding(&ws.e, ty.span().or(rule.span), message)
                .label("no effect in this mode")
                .help("set `managedNetwork.isolationMode` to `AllowOnlyApprovedOutbound` if the rules are meant as an allow-list, or remove them")
                .related(
                    mode.value().map_or(ws.e.name_span.or(ws.e.span), |v| v.span().or(ws.e.span)),
                    format!("managed network mode: {mode_text}"),
                );
            cx.report(finding);
        }
    }
}
