use super::{common, declare_rule, Context};
use crate::arm::value::Tri;
use crate::model::{ComputeKind, Field};

declare_rule! {
    /// ## What it does
    /// Reports a compute instance or cluster that names a customer subnet (`subnet.id`) in a
    /// workspace whose managed network is on (`managedNetwork.isolationMode`
    /// `AllowInternetOutbound` or `AllowOnlyApprovedOutbound`).
    ///
    /// ## Why is this bad?
    /// With a managed network, Azure Machine Learning runs computes in its managed virtual network;
    /// a compute may not be injected into a customer subnet, and the deployment fails.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     { "type": "Microsoft.MachineLearningServices/workspaces", "apiVersion": "2024-04-01", "name": "ws",
    ///       "properties": { "managedNetwork": { "isolationMode": "AllowInternetOutbound" } } },
    ///     { "type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2024-04-01", "name": "ws/cpu",
    ///       "properties": { "computeType": "AmlCompute",
    ///         "properties": { "subnet": { "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/vnet/subnets/train" } } } }
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
    ///       "properties": { "managedNetwork": { "isolationMode": "AllowInternetOutbound" } } },
    ///     { "type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2024-04-01", "name": "ws/cpu",
    ///       "properties": { "computeType": "AmlCompute", "properties": { "vmSize": "Standard_DS3_v2" } } }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - [Workspace managed network isolation](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network)
    ///   (computes run in the managed virtual network)
    pub struct ManagedNetworkComputeInCustomSubnet {
        code: "AML301",
        name: "managed-network-compute-in-custom-subnet",
        severity: Error,
        summary: "compute with `subnet.id` in a workspace with a managed network",
    }
}

pub(super) fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for compute in &model.computes {
        if !matches!(
            compute.kind,
            ComputeKind::Instance | ComputeKind::Cluster | ComputeKind::Serverless
        ) {
            continue;
        }
        let Field::Present(_) = &compute.subnet else {
            continue;
        };
        match common::in_managed_network(cx, compute) {
            Tri::Known(true) => {}
            Tri::Known(false) => continue,
            Tri::Unknown(u) => {
                cx.unverifiable(&compute.e, common::subnet_span(compute), u);
                continue;
            }
        }
        let workspaces = common::workspaces(cx, compute);
        let Some(ws) = workspaces.first() else {
            continue;
        };
        let mode = ws.isolation_mode();
        let mode_text = mode
            .value()
            .and_then(|v| v.as_known_str())
            .unwrap_or("managed")
            .to_owned();
        let message = format!(
            "{} names a customer subnet, but workspace `{}` runs its computes in a managed network (`{mode_text}`)",
            common::subject(compute),
            ws.e.display_name()
        );
        let finding = cx
            .finding(&compute.e, common::subnet_span(compute), message)
            .label("a customer subnet")
            .help("remove `subnet` from the compute: it runs in the workspace's managed virtual network; reach your own resources through the managed network's outbound rules")
            .related(mode.value().map_or(ws.e.span, |v| v.span().or(ws.e.span)), format!("managed network `{mode_text}`"));
        cx.report(finding);
    }
}
