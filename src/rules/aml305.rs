use super::{declare_rule, Context};
use crate::arm::value::Tri;
use crate::model::Field;

declare_rule! {
    /// ## What it does
    /// Reports a workspace with `publicNetworkAccess: Disabled` that no private endpoint in the
    /// inputs connects to (group `amlworkspace`).
    ///
    /// ## Why is this bad?
    /// With public network access disabled, the workspace is reachable only through a private
    /// endpoint. Without one, nobody can use it: not the studio, not the SDK, not its computes.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     { "type": "Microsoft.MachineLearningServices/workspaces", "apiVersion": "2024-04-01", "name": "ws",
    ///       "properties": { "publicNetworkAccess": "Disabled" } }
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
    ///       "properties": { "publicNetworkAccess": "Disabled" } },
    ///     { "type": "Microsoft.Network/privateEndpoints", "apiVersion": "2024-05-01", "name": "pe-ws",
    ///       "properties": { "subnet": { "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/vnet/subnets/endpoints" },
    ///         "privateLinkServiceConnections": [ { "name": "ws", "properties": {
    ///           "privateLinkServiceId": "[resourceId('Microsoft.MachineLearningServices/workspaces', 'ws')]", "groupIds": ["amlworkspace"] } } ] } }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - [Configure a private endpoint for a workspace](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    ///   (`publicNetworkAccess: Disabled` needs a private endpoint)
    pub struct WorkspaceUnreachable {
        code: "AML305",
        name: "workspace-unreachable",
        severity: Warning,
        summary: "workspace with `publicNetworkAccess: Disabled` and no private endpoint to it in the inputs",
    }
}

pub(super) fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for (i, ws) in model.workspaces.iter().enumerate() {
        let Field::Present(access) = ws.e.prop(&["publicNetworkAccess"]) else {
            continue;
        };
        if !access
            .as_known_str()
            .is_some_and(|a| a.eq_ignore_ascii_case("Disabled"))
        {
            continue;
        }
        match model.workspace_has_private_endpoint(i) {
            Tri::Known(false) => {}
            Tri::Known(true) => continue,
            Tri::Unknown(u) => {
                cx.unverifiable(&ws.e, access.span(), u);
                continue;
            }
        }
        let message = format!(
            "workspace `{}` disables public network access, but no private endpoint in the inputs connects to it (with group `amlworkspace`)",
            ws.e.display_name()
        );
        let finding = cx
            .finding(&ws.e, access.span(), message)
            .label("only private endpoints can reach it")
            .help("add a `Microsoft.Network/privateEndpoints` resource with `\"privateLinkServiceId\"` set to the workspace and `\"groupIds\": [\"amlworkspace\"]`, or lint the template that declares it in the same run");
        cx.report(finding);
    }
}
