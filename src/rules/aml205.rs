use super::{common, declare_rule, Context};
use crate::arm::value::Tri;
use crate::model::{ComputeKind, EntityKind, Resolution};

declare_rule! {
    /// ## What it does
    /// Reports a compute without a public IP whose workspace is declared in the inputs and has no
    /// private endpoint (group `amlworkspace`) in the inputs.
    ///
    /// Private endpoints are found wherever they are declared and matched to the workspace by
    /// resource ID, as amlint matches every reference. An endpoint whose target is not known
    /// offline makes the verdict unknown (AML002), never a finding.
    ///
    /// ## Why is this bad?
    /// A compute without a public IP reaches the workspace over a private endpoint; without one
    /// it cannot communicate with the workspace and fails to provision.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     { "type": "Microsoft.MachineLearningServices/workspaces", "apiVersion": "2024-04-01", "name": "ws",
    ///       "properties": { "publicNetworkAccess": "Enabled" } },
    ///     { "type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2024-04-01", "name": "ws/cpu",
    ///       "properties": { "computeType": "AmlCompute",
    ///         "properties": { "enableNodePublicIp": false, "subnet": { "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/vnet/subnets/train" } } } }
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
    ///       "properties": { "publicNetworkAccess": "Enabled" } },
    ///     { "type": "Microsoft.Network/privateEndpoints", "apiVersion": "2024-05-01", "name": "pe-ws",
    ///       "properties": { "subnet": { "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/vnet/subnets/endpoints" },
    ///         "privateLinkServiceConnections": [ { "name": "ws", "properties": {
    ///           "privateLinkServiceId": "[resourceId('Microsoft.MachineLearningServices/workspaces', 'ws')]", "groupIds": ["amlworkspace"] } } ] } },
    ///     { "type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2024-04-01", "name": "ws/cpu",
    ///       "properties": { "computeType": "AmlCompute",
    ///         "properties": { "enableNodePublicIp": false, "subnet": { "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/vnet/subnets/train" } } } }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - [Secure a training environment: compute without a public IP](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    ///   (needs the workspace's private endpoint)
    /// - [Configure a private endpoint for a workspace](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    pub struct NoPublicIpComputeWithoutWorkspacePrivateEndpoint {
        code: "AML205",
        name: "no-public-ip-compute-without-workspace-private-endpoint",
        severity: Warning,
        summary: "no-public-IP compute whose workspace is in the inputs and has no private endpoint",
    }
}

pub(super) fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for compute in &model.computes {
        if !matches!(
            compute.kind,
            ComputeKind::Instance | ComputeKind::Cluster | ComputeKind::Serverless
        ) || compute.has_public_ip() != Tri::Known(false)
            || compute.subnet.is_absent()
            || common::in_managed_network(cx, compute) != Tri::Known(false)
        {
            continue;
        }
        let Some(ws_id) = &compute.workspace else {
            continue;
        };
        let Resolution::Found(workspaces) =
            model.resolve_id(EntityKind::Workspace, compute.e.unit, ws_id)
        else {
            continue;
        };
        let mut missing = None;
        for i in workspaces {
            match model.workspace_has_private_endpoint(i) {
                Tri::Known(false) => {
                    missing.get_or_insert(i);
                }
                Tri::Known(true) => {
                    missing = None;
                    break;
                }
                Tri::Unknown(u) => {
                    cx.unverifiable(&compute.e, compute.public_ip_span(), u);
                    missing = None;
                    break;
                }
            }
        }
        let Some(ws) = missing.map(|i| &model.workspaces[i]) else {
            continue;
        };
        let message = format!(
            "{} has no public IP, but no private endpoint in the inputs connects to its workspace `{}` (with group `amlworkspace`)",
            common::subject(compute),
            ws.e.display_name()
        );
        let finding = cx
            .finding(&compute.e, compute.public_ip_span(), message)
            .label("no public IP")
            .help("add a `Microsoft.Network/privateEndpoints` resource whose `privateLinkServiceConnections` target the workspace with `\"groupIds\": [\"amlworkspace\"]`, or lint the template that declares it in the same run")
            .related(ws.e.name_span.or(ws.e.span), format!("workspace `{}` is declared here", ws.e.display_name()));
        cx.report(finding);
    }
}
