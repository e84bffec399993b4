use super::{common, declare_rule, Context};
use crate::arm::value::Tri;
use crate::model::{Compute, ComputeKind};
use crate::net::routing::{subnet_egress, Egress};

declare_rule! {
    /// ## What it does
    /// Reports a compute instance, compute cluster or serverless compute without a public IP whose
    /// subnet has no way out to the internet: no NAT gateway, and no route that sends `0.0.0.0/0`
    /// to a firewall or other appliance (`VirtualAppliance`, `VirtualApplianceEcmp`) or to a
    /// `VirtualNetworkGateway`.
    ///
    /// amlint follows the compute's `subnet.id` to the subnet, wherever it is declared (another
    /// file, a module's output), then to its `natGateway` and its route table. A next hop IP taken
    /// from `reference()` to a firewall is fine: only the next hop type matters here. Where the
    /// subnet, its NAT gateway or its routes are not known offline, the rule stays silent and
    /// AML002 says why; so it does where the subnet's virtual network may learn a default route by
    /// BGP (a peering that uses the remote gateways, or a VPN / ExpressRoute gateway in the
    /// virtual network) and its route table does not disable BGP route propagation. A default
    /// route with next hop `None` is reported by AML203 instead.
    ///
    /// ## Why is this bad?
    /// A compute without a public IP reaches the Azure Machine Learning service, storage and
    /// container registry only through explicit outbound connectivity. Without it, nodes fail to
    /// start or jobs hang at "preparing". Default outbound access is retired for new virtual
    /// networks (Microsoft.Network API 2025-07-01 creates private subnets), so it is no way out.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     {
    ///       "type": "Microsoft.Network/virtualNetworks",
    ///       "apiVersion": "2024-05-01",
    ///       "name": "vnet",
    ///       "properties": {
    ///         "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
    ///         "subnets": [{ "name": "train", "properties": { "addressPrefix": "10.0.0.0/24" } }]
    ///       }
    ///     },
    ///     {
    ///       "type": "Microsoft.MachineLearningServices/workspaces/computes",
    ///       "apiVersion": "2024-04-01",
    ///       "name": "ws/cpu",
    ///       "properties": {
    ///         "computeType": "AmlCompute",
    ///         "properties": {
    ///           "enableNodePublicIp": false,
    ///           "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'train')]" }
    ///         }
    ///       }
    ///     }
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
    ///     {
    ///       "type": "Microsoft.Network/virtualNetworks",
    ///       "apiVersion": "2024-05-01",
    ///       "name": "vnet",
    ///       "properties": {
    ///         "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
    ///         "subnets": [{
    ///           "name": "train",
    ///           "properties": {
    ///             "addressPrefix": "10.0.0.0/24",
    ///             "natGateway": { "id": "[resourceId('Microsoft.Network/natGateways', 'nat')]" }
    ///           }
    ///         }]
    ///       }
    ///     },
    ///     {
    ///       "type": "Microsoft.MachineLearningServices/workspaces/computes",
    ///       "apiVersion": "2024-04-01",
    ///       "name": "ws/cpu",
    ///       "properties": {
    ///         "computeType": "AmlCompute",
    ///         "properties": {
    ///           "enableNodePublicIp": false,
    ///           "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'train')]" }
    ///         }
    ///       }
    ///     }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - [Configure inbound and outbound network traffic](https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall)
    ///   (no-public-IP compute needs a NAT gateway or a user-defined route to a firewall)
    /// - [Secure a training environment with virtual networks](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    /// - [Default outbound access](https://learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access)
    ///   (retired for new subnets)
    pub struct NoPublicIpComputeWithoutEgress {
        code: "AML201",
        name: "no-public-ip-compute-without-egress",
        severity: Error,
        summary: "no-public-IP compute whose subnet has neither a NAT gateway nor a default route to a firewall",
    }
}

const HELP: &str = "give the subnet a NAT gateway: `\"natGateway\": { \"id\": \"[resourceId('Microsoft.Network/natGateways', '<name>')]\" }`, or route internet-bound traffic to your firewall: `{ \"name\": \"to-firewall\", \"properties\": { \"addressPrefix\": \"0.0.0.0/0\", \"nextHopType\": \"VirtualAppliance\", \"nextHopIpAddress\": \"<firewall private IP>\" } }`";

pub(super) fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for compute in &model.computes {
        check_compute(cx, compute);
    }
}

fn check_compute<'m>(cx: &mut Context<'m>, compute: &'m Compute) {
    let model = cx.model;
    // Decide the public IP first: a public compute needs no subnet to be known.
    if compute.subnet.is_absent()
        || !matches!(
            compute.kind,
            ComputeKind::Instance | ComputeKind::Cluster | ComputeKind::Serverless
        )
    {
        return;
    }
    match compute.has_public_ip() {
        Tri::Known(true) => return,
        Tri::Known(false) => {}
        Tri::Unknown(u) => {
            if common::in_managed_network(cx, compute) != Tri::Known(true) {
                cx.unverifiable(&compute.e, compute.public_ip_span(), u);
            }
            return;
        }
    }
    let Some(subnets) = common::customer_subnets(cx, compute) else {
        return;
    };
    let subnet_span = common::subnet_span(compute);
    // Every configuration of the subnet must lack egress.
    let mut witness = None;
    for subnet in subnets {
        for egress in subnet_egress(model, subnet) {
            match egress {
                Egress::Direct { table, route } => {
                    witness.get_or_insert((subnet, table, route));
                }
                Egress::NatGateway(_) | Egress::Routed { .. } | Egress::Dropped { .. } => return,
                Egress::Unknown(u) => {
                    cx.unverifiable(&compute.e, subnet_span, u);
                    return;
                }
            }
        }
    }
    let Some((subnet, table, route)) = witness else {
        return;
    };
    let subnet_name = subnet.e.display_name();
    let why = match (table, route) {
        (Some(t), Some(_)) => format!(
            "no NAT gateway and its route table `{}` sends `0.0.0.0/0` to `Internet`",
            t.e.display_name()
        ),
        (Some(t), None) => format!(
            "no NAT gateway and its route table `{}` has no route for `0.0.0.0/0`",
            t.e.display_name()
        ),
        (None, _) => "neither a NAT gateway nor a route table".to_owned(),
    };
    let message = format!(
        "{} has no public IP, but its subnet `{subnet_name}` has {why}",
        common::subject(compute)
    );
    let mut finding = cx
        .finding(&compute.e, subnet_span, message)
        .label("the compute's subnet")
        .help(HELP)
        .related(compute.public_ip_span(), public_ip_note(compute))
        .related(
            subnet.e.name_span.or(subnet.e.span),
            format!("subnet `{subnet_name}` has no `natGateway`"),
        );
    if let Some(t) = table {
        finding = match route {
            Some(r) => finding.related(r.span, format!("route `{}` sends `0.0.0.0/0` to `Internet`", r.name)),
            None => finding.related(
                t.e.name_span.or(t.e.span),
                format!(
                    "route table `{}` has no route for `0.0.0.0/0`: the system route goes to `Internet`",
                    t.e.display_name()
                ),
            ),
        };
    }
    cx.report(finding);
}

fn public_ip_note(compute: &Compute) -> String {
    match compute.kind {
        ComputeKind::Serverless => "`serverlessComputeNoPublicIP` is true".to_owned(),
        _ => "`enableNodePublicIp` is false".to_owned(),
    }
}
