use super::inbound::{self, Requirement};
use super::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports a compute instance or compute cluster with a public IP whose subnet's network
    /// security group does not admit inbound TCP 44224 from the `AzureMachineLearning` service tag.
    ///
    /// amlint evaluates the subnet NSG the way Azure does: rules of the direction by priority,
    /// first match wins, the default rules last (`DenyAllInBound` denies what no rule allows). A
    /// rule matches through `*`, `Internet`, the tag itself or its regional form
    /// (`AzureMachineLearning.westeurope` in the compute's region), port ranges, `*` ports and
    /// protocol `*`. A subnet without an NSG is not reported (AML creates a NIC-level NSG that
    /// admits the traffic), nor is a compute without a subnet or in a managed network. A verdict
    /// that depends on an unknown value is AML002 instead.
    ///
    /// ## Why is this bad?
    /// Azure Machine Learning manages public-IP compute through its load balancer on TCP 44224.
    /// The subnet NSG is evaluated before the NIC NSG for inbound traffic, so a subnet NSG that
    /// denies it makes the compute fail to provision or become unusable.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     { "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-05-01", "name": "nsg-ml",
    ///       "properties": { "securityRules": [] } },
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
    /// ## References
    /// - [Secure an Azure Machine Learning training environment with virtual networks](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    ///   (inbound TCP 44224 from `AzureMachineLearning` for public-IP compute)
    /// - [Configure inbound and outbound network traffic](https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall)
    /// - [How network security groups filter traffic](https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works)
    ///   (the subnet NSG is evaluated before the NIC NSG for inbound traffic)
    pub struct PublicIpComputeAzuremlInboundBlocked {
        code: "AML101",
        name: "public-ip-compute-azureml-inbound-blocked",
        severity: Error,
        summary: "public-IP compute whose subnet NSG does not admit TCP 44224 from AzureMachineLearning",
    }
}

pub(super) fn check(cx: &mut Context<'_>) {
    inbound::check(
        cx,
        &Requirement {
            tag: "AzureMachineLearning",
            ports: &[44224],
            ports_text: "44224",
            rule_name: "AllowAzureMachineLearningInbound",
            purpose: "Azure Machine Learning manages public-IP compute on TCP 44224",
        },
    );
}
