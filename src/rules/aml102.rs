use super::inbound::{self, Requirement};
use super::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a compute instance or compute cluster with a public IP whose subnet's network
    /// security group does not admit inbound TCP 29876-29877 from the `BatchNodeManagement`
    /// service tag (or its regional form in the compute's region).
    ///
    /// The NSG is evaluated as for AML101: priorities, first match, default rules, tags with
    /// region suffixes, port ranges and `*`. No subnet NSG, no subnet, or a managed network: not
    /// reported.
    ///
    /// ## Why is this bad?
    /// Azure Batch's classic node communication reaches the nodes on TCP 29876-29877. Microsoft's
    /// documents disagree on whether AML still needs it: the 2019-2022 virtual network guides
    /// required it, `concept-secure-network-traffic-flow.md` (2025) still lists it, and the
    /// `machine-learning-end-to-end-secure` quickstart still opens it, while the current
    /// training-VNet guide asks only for TCP 44224 (AML101), and Batch's simplified communication
    /// mode needs no inbound port at all. amlint therefore reports it as a warning; lower it in the
    /// configuration if your workspaces use simplified communication.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     { "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-05-01", "name": "nsg-ml",
    ///       "properties": { "securityRules": [
    ///         { "name": "AllowAzureMachineLearning", "properties": { "priority": 100, "direction": "Inbound", "access": "Allow",
    ///           "protocol": "Tcp", "sourceAddressPrefix": "AzureMachineLearning", "sourcePortRange": "*",
    ///           "destinationAddressPrefix": "VirtualNetwork", "destinationPortRange": "44224" } } ] } },
    ///     { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "vnet",
    ///       "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
    ///         "subnets": [{ "name": "train", "properties": { "addressPrefix": "10.0.0.0/24",
    ///           "networkSecurityGroup": { "id": "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-ml')]" } } }] } },
    ///     { "type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2024-04-01", "name": "ws/cpu",
    ///       "properties": { "computeType": "AmlCompute",
    ///         "properties": { "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'train')]" } } } }
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
    ///         { "name": "AllowBatchNodeManagement", "properties": { "priority": 110, "direction": "Inbound", "access": "Allow",
    ///           "protocol": "Tcp", "sourceAddressPrefix": "BatchNodeManagement", "sourcePortRange": "*",
    ///           "destinationAddressPrefix": "VirtualNetwork", "destinationPortRange": "29876-29877" } } ] } },
    ///     { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "vnet",
    ///       "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
    ///         "subnets": [{ "name": "train", "properties": { "addressPrefix": "10.0.0.0/24",
    ///           "networkSecurityGroup": { "id": "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-ml')]" } } }] } },
    ///     { "type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2024-04-01", "name": "ws/cpu",
    ///       "properties": { "computeType": "AmlCompute",
    ///         "properties": { "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'train')]" } } } }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - [Network traffic flow when using a secured workspace](https://learn.microsoft.com/azure/machine-learning/concept-secure-network-traffic-flow)
    ///   (lists inbound 29876-29877 from `BatchNodeManagement`)
    /// - [machine-learning-end-to-end-secure quickstart](https://github.com/Azure/azure-quickstart-templates/tree/master/quickstarts/microsoft.machinelearningservices/machine-learning-end-to-end-secure)
    /// - [Batch node communication](https://learn.microsoft.com/azure/batch/simplified-compute-node-communication)
    ///   (simplified mode needs no inbound port)
    pub struct PublicIpComputeBatchInboundBlocked {
        code: "AML102",
        name: "public-ip-compute-batch-inbound-blocked",
        severity: Warning,
        summary: "public-IP compute whose subnet NSG does not admit TCP 29876-29877 from BatchNodeManagement",
    }
}

pub(super) fn check(cx: &mut Context<'_>) {
    inbound::check(
        cx,
        &Requirement {
            tag: "BatchNodeManagement",
            ports: &[29876, 29877],
            ports_text: "29876-29877",
            rule_name: "AllowBatchNodeManagementInbound",
            purpose: "Azure Batch's classic node communication uses TCP 29876-29877",
        },
    );
}
