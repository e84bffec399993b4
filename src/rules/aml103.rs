use super::{common, declare_rule, Context};
use crate::arm::value::Tri;
use crate::model::{ComputeKind, Field};

declare_rule! {
    /// ## What it does
    /// Reports a compute instance in a customer virtual network (`subnet.id` set) that does not
    /// set `enableNodePublicIp`.
    ///
    /// ## Why is this bad?
    /// The compute instance API has no documented default for `enableNodePublicIp`; the SDKs and
    /// the portal default to a public IP. A template that leaves it out gets a public IP, which
    /// then needs inbound TCP 44224 from `AzureMachineLearning` (AML101) and breaks under forced
    /// tunnelling (AML202) — often not what a team that put the instance in its own subnet meant.
    /// Say which one you want.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     { "type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2024-04-01", "name": "ws/ci-alice",
    ///       "properties": { "computeType": "ComputeInstance",
    ///         "properties": { "vmSize": "Standard_DS3_v2",
    ///           "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'instances')]" } } } }
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
    ///     { "type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2024-04-01", "name": "ws/ci-alice",
    ///       "properties": { "computeType": "ComputeInstance",
    ///         "properties": { "vmSize": "Standard_DS3_v2", "enableNodePublicIp": false,
    ///           "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'instances')]" } } } }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - [Compute instance REST API](https://learn.microsoft.com/rest/api/azureml/compute/create-or-update)
    ///   (`enableNodePublicIp` on `ComputeInstanceProperties`, no default given)
    /// - [Create a compute instance with no public IP](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    pub struct ComputeInstancePublicIpImplicit {
        code: "AML103",
        name: "compute-instance-public-ip-implicit",
        severity: Warning,
        summary: "a VNet-injected compute instance that leaves `enableNodePublicIp` unset",
    }
}

pub(super) fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for compute in &model.computes {
        if compute.kind != ComputeKind::Instance
            || compute.subnet.is_absent()
            || !compute.public_ip.is_absent()
        {
            continue;
        }
        if common::in_managed_network(cx, compute) != Tri::Known(false) {
            continue;
        }
        let message = format!(
            "{} joins a customer subnet but leaves `enableNodePublicIp` unset, so it gets a public IP",
            common::subject(compute)
        );
        let props = compute.e.prop(&["properties"]);
        let span = match &props {
            Field::Present(v) => v.span().or(compute.e.span),
            Field::Absent => compute.e.span,
        };
        let finding = cx
            .finding(&compute.e, common::subnet_span(compute), message)
            .label("the instance joins this subnet")
            .help("set `\"enableNodePublicIp\": false` (with a NAT gateway or a route to a firewall for egress) or `true` (with inbound TCP 44224 from `AzureMachineLearning` allowed) in `properties.properties`")
            .related(span, "`enableNodePublicIp` would go here");
        cx.report(finding);
    }
}
