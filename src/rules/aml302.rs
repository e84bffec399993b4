use super::{common, declare_rule, Context};
use crate::arm::value::Tri;
use crate::model::ComputeKind;

declare_rule! {
    /// ## What it does
    /// Reports a `Kubernetes` or `VirtualMachine` compute attached to a workspace whose managed
    /// network is on.
    ///
    /// ## Why is this bad?
    /// Azure Machine Learning's managed network does not support attached Kubernetes clusters or
    /// virtual machines: the attachment fails, or the compute cannot be reached.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     { "type": "Microsoft.MachineLearningServices/workspaces", "apiVersion": "2024-04-01", "name": "ws",
    ///       "properties": { "managedNetwork": { "isolationMode": "AllowOnlyApprovedOutbound" } } },
    ///     { "type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2024-04-01", "name": "ws/aks",
    ///       "properties": { "computeType": "Kubernetes", "resourceId": "/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/aks" } }
    ///   ]
    /// }
    /// ```
    ///
    /// Use instead: a compute cluster in the managed network (or a workspace without one for the
    /// attached compute).
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     { "type": "Microsoft.MachineLearningServices/workspaces", "apiVersion": "2024-04-01", "name": "ws",
    ///       "properties": { "managedNetwork": { "isolationMode": "AllowOnlyApprovedOutbound" } } },
    ///     { "type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2024-04-01", "name": "ws/cpu",
    ///       "properties": { "computeType": "AmlCompute", "properties": { "vmSize": "Standard_DS3_v2" } } }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - [Workspace managed network isolation: limitations](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#limitations)
    pub struct ManagedNetworkUnsupportedCompute {
        code: "AML302",
        name: "managed-network-unsupported-compute",
        severity: Error,
        summary: "`Kubernetes` / `VirtualMachine` compute attached to a workspace with a managed network",
    }
}

pub(super) fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for compute in &model.computes {
        let ComputeKind::Other(kind) = &compute.kind else {
            continue;
        };
        if !kind.eq_ignore_ascii_case("Kubernetes") && !kind.eq_ignore_ascii_case("VirtualMachine")
        {
            continue;
        }
        if common::in_managed_network(cx, compute) != Tri::Known(true) {
            continue;
        }
        let workspaces = common::workspaces(cx, compute);
        let Some(ws) = workspaces.first() else {
            continue;
        };
        let mode = ws.isolation_mode();
        let span = compute.e.span_of(&["computeType"]);
        let message = format!(
            "`{kind}` compute `{}` is attached to workspace `{}`, whose managed network does not support it",
            compute.e.display_name(),
            ws.e.display_name()
        );
        let finding = cx
            .finding(&compute.e, span, message)
            .label("an attached compute type")
            .help("use compute instances, clusters or serverless compute in a managed-network workspace, or attach this compute to a workspace without a managed network")
            .related(mode.value().map_or(ws.e.span, |v| v.span().or(ws.e.span)), "the workspace's managed network");
        cx.report(finding);
    }
}
