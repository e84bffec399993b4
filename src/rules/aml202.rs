use super::common::{self, combine, Combined};
use super::{declare_rule, Context};
use crate::arm::value::Tri;
use crate::model::{Compute, ComputeKind, Route, RouteTable, Subnet};
use crate::net::routing::{default_route, route_to_service, NextHop, ServiceRoute};

declare_rule! {
    /// ## What it does
    /// Reports a compute instance or cluster with a public IP whose subnet sends internet-bound
    /// traffic (`0.0.0.0/0`) to a firewall, appliance or gateway without a route that sends the
    /// `AzureMachineLearning` service tag to `Internet`.
    ///
    /// amlint finds the route the subnet uses for the `AzureMachineLearning` addresses by longest
    /// prefix: a service-tag route (also a regional one in the compute's region) is more specific
    /// than `0.0.0.0/0`; a route for a public CIDR may hold the service's addresses, which is
    /// unknown offline (then AML002).
    ///
    /// ## Why is this bad?
    /// Azure Machine Learning reaches a public-IP compute through its public load balancer, but
    /// with forced tunnelling the replies leave through the firewall: the routing is asymmetric and
    /// the stateful firewall drops them. The compute cannot be managed. The documented fix is a
    /// user-defined route for the `AzureMachineLearning` service tag with next hop `Internet`
    /// (2021 documents also asked for `BatchNodeManagement.<region>`).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     { "type": "Microsoft.Network/routeTables", "apiVersion": "2024-05-01", "name": "rt",
    ///       "properties": { "routes": [
    ///         { "name": "to-firewall", "properties": { "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.4" } } ] } },
    ///     { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "vnet",
    ///       "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
    ///         "subnets": [{ "name": "train", "properties": { "addressPrefix": "10.0.1.0/24",
    ///           "routeTable": { "id": "[resourceId('Microsoft.Network/routeTables', 'rt')]" } } }] } },
    ///     { "type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2024-04-01", "name": "ws/cpu",
    ///       "properties": { "computeType": "AmlCompute",
    ///         "properties": { "enableNodePublicIp": true, "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'train')]" } } } }
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
    ///     { "type": "Microsoft.Network/routeTables", "apiVersion": "2024-05-01", "name": "rt",
    ///       "properties": { "routes": [
    ///         { "name": "to-firewall", "properties": { "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.4" } },
    ///         { "name": "AzureMachineLearning", "properties": { "addressPrefix": "AzureMachineLearning", "nextHopType": "Internet" } } ] } },
    ///     { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "vnet",
    ///       "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
    ///         "subnets": [{ "name": "train", "properties": { "addressPrefix": "10.0.1.0/24",
    ///           "routeTable": { "id": "[resourceId('Microsoft.Network/routeTables', 'rt')]" } } }] } },
    ///     { "type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2024-04-01", "name": "ws/cpu",
    ///       "properties": { "computeType": "AmlCompute",
    ///         "properties": { "enableNodePublicIp": true, "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'train')]" } } } }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - [Configure inbound and outbound network traffic](https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall)
    ///   (forced tunnelling with public-IP compute needs the `AzureMachineLearning` → `Internet` route)
    /// - [Virtual network traffic routing](https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview)
    ///   (service tags as route prefixes; longest prefix match)
    pub struct ForcedTunnelAsymmetricRoute {
        code: "AML202",
        name: "forced-tunnel-asymmetric-route",
        severity: Error,
        summary: "public-IP compute whose subnet routes 0.0.0.0/0 to an appliance without an AzureMachineLearning → Internet route",
    }
}

struct Witness<'m> {
    subnet: &'m Subnet,
    table: &'m RouteTable,
    default: &'m Route,
    hop: NextHop,
    aml: ServiceRoute<'m>,
}

pub(super) fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for compute in &model.computes {
        check_compute(cx, compute);
    }
}

fn check_compute<'m>(cx: &mut Context<'m>, compute: &'m Compute) {
    if compute.subnet.is_absent()
        || !matches!(compute.kind, ComputeKind::Instance | ComputeKind::Cluster)
        || compute.has_public_ip() != Tri::Known(true)
    {
        return;
    }
    let Some(subnets) = common::customer_subnets(cx, compute) else {
        return;
    };
    let region = common::region(cx, compute);
    let service = common::regional_service("AzureMachineLearning", &region);
    let mut verdict: Option<Combined<Witness<'m>>> = None;
    for subnet in subnets {
        let Some(tables) = common::subnet_route_tables(cx, compute, subnet) else {
            return;
        };
        if tables.is_empty() {
            verdict = Some(combine(verdict, Combined::Passes));
        }
        for table in tables {
            let outcome = match default_route(table) {
                Tri::Known(Some((route, hop))) if hop.is_egress() => {
                    match route_to_service(table, &service) {
                        ServiceRoute::Unknown(u) => Combined::Unknown(u),
                        aml if aml.hop() == Some(NextHop::Internet) => Combined::Passes,
                        aml => Combined::Fails(Witness {
                            subnet,
                            table,
                            default: route,
                            hop,
                            aml,
                        }),
                    }
                }
                Tri::Known(_) => Combined::Passes,
                Tri::Unknown(u) => Combined::Unknown(u),
            };
            verdict = Some(combine(verdict, outcome));
        }
    }
    match verdict {
        Some(Combined::Fails(w)) => report(cx, compute, w),
        Some(Combined::Unknown(u)) => cx.unverifiable(&compute.e, common::subnet_span(compute), u),
        _ => {}
    }
}

fn report(cx: &mut Context<'_>, compute: &Compute, w: Witness<'_>) {
    let table = w.table.e.display_name();
    let message = format!(
        "{} has a public IP, but route table `{table}` of its subnet `{}` sends `0.0.0.0/0` to `{}` and has no `AzureMachineLearning` → `Internet` route: replies to AML's management traffic take the asymmetric path",
        common::subject(compute),
        w.subnet.e.display_name(),
        w.hop.as_str()
    );
    let mut finding = cx
        .finding(&compute.e, common::subnet_span(compute), message)
        .label("the compute's subnet")
        .help(format!(
            "add to route table `{table}`: `{{ \"name\": \"AzureMachineLearning\", \"properties\": {{ \"addressPrefix\": \"AzureMachineLearning\", \"nextHopType\": \"Internet\" }} }}`, or give the compute no public IP"
        ))
        .related(compute.public_ip_span(), common::public_ip_note(compute))
        .related(
            w.subnet.route_table().value().map_or(w.subnet.e.span, |v| v.span().or(w.subnet.e.span)),
            format!("subnet `{}` uses route table `{table}`", w.subnet.e.display_name()),
        )
        .related(w.default.span, format!("route `{}` sends `0.0.0.0/0` to `{}`", w.default.name, w.hop.as_str()));
    if let ServiceRoute::User { route, hop } = &w.aml {
        if !std::ptr::eq(*route, w.default) {
            finding = finding.related(
                route.span,
                format!(
                    "route `{}` sends `AzureMachineLearning` traffic to `{}`",
                    route.name,
                    hop.as_str()
                ),
            );
        }
    }
    cx.report(finding);
}
