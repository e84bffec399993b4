use super::common::{self, combine, Combined};
use super::{declare_rule, Context};
use crate::model::{Compute, ComputeKind, Route, RouteTable, Subnet};
use crate::net::routing::{internet_route, Egress};

declare_rule! {
    /// ## What it does
    /// Reports a compute instance, cluster or serverless compute whose subnet's route for
    /// `0.0.0.0/0` has next hop `None`: all internet-bound traffic is dropped. For a compute
    /// without a public IP this is reported instead of AML201.
    ///
    /// ## Why is this bad?
    /// The compute cannot reach the Azure Machine Learning service, Microsoft Entra ID, storage or
    /// the container registry, whatever its public IP or NAT gateway: a route with next hop `None`
    /// drops the traffic before it leaves the subnet. Jobs and provisioning fail.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     { "type": "Microsoft.Network/routeTables", "apiVersion": "2024-05-01", "name": "rt",
    ///       "properties": { "routes": [ { "name": "drop", "properties": { "addressPrefix": "0.0.0.0/0", "nextHopType": "None" } } ] } },
    ///     { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "vnet",
    ///       "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
    ///         "subnets": [{ "name": "train", "properties": { "addressPrefix": "10.0.1.0/24",
    ///           "routeTable": { "id": "[resourceId('Microsoft.Network/routeTables', 'rt')]" } } }] } },
    ///     { "type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2024-04-01", "name": "ws/cpu",
    ///       "properties": { "computeType": "AmlCompute",
    ///         "properties": { "enableNodePublicIp": false, "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'train')]" } } } }
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
    ///       "properties": { "routes": [ { "name": "to-firewall", "properties": { "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.4" } } ] } },
    ///     { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "vnet",
    ///       "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
    ///         "subnets": [{ "name": "train", "properties": { "addressPrefix": "10.0.1.0/24",
    ///           "routeTable": { "id": "[resourceId('Microsoft.Network/routeTables', 'rt')]" } } }] } },
    ///     { "type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2024-04-01", "name": "ws/cpu",
    ///       "properties": { "computeType": "AmlCompute",
    ///         "properties": { "enableNodePublicIp": false, "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'train')]" } } } }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - [Virtual network traffic routing](https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview)
    ///   (next hop type `None` drops the traffic)
    /// - [Configure inbound and outbound network traffic](https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall)
    pub struct DefaultRouteBlackholed {
        code: "AML203",
        name: "default-route-blackholed",
        severity: Error,
        summary: "compute subnet whose 0.0.0.0/0 route has next hop None",
    }
}

struct Witness<'m> {
    subnet: &'m Subnet,
    table: &'m RouteTable,
    route: &'m Route,
}

/// Where each route table sends internet-bound traffic, worked out once: many computes share a
/// subnet, and many subnets a route table.
type Memo<'m> = rustc_hash::FxHashMap<*const RouteTable, Egress<'m>>;

pub(super) fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    let mut memo = Memo::default();
    for compute in &model.computes {
        check_compute(cx, compute, &mut memo);
    }
}

fn check_compute<'m>(cx: &mut Context<'m>, compute: &'m Compute, memo: &mut Memo<'m>) {
    if compute.subnet.is_absent() || matches!(compute.kind, ComputeKind::Other(_)) {
        return;
    }
    let Some(subnets) = common::customer_subnets(cx, compute) else {
        return;
    };
    let mut verdict: Option<Combined<Witness<'m>>> = None;
    for subnet in subnets {
        let Some(tables) = common::subnet_route_tables(cx, compute, subnet) else {
            return;
        };
        if tables.is_empty() {
            verdict = Some(combine(verdict, Combined::Passes));
        }
        for table in tables {
            let egress = memo
                .entry(table as *const RouteTable)
                .or_insert_with(|| internet_route(table))
                .clone();
            let outcome = match egress {
                Egress::Dropped { route, .. } => Combined::Fails(Witness {
                    subnet,
                    table,
                    route,
                }),
                Egress::Unknown(u) => Combined::Unknown(u),
                _ => Combined::Passes,
            };
            verdict = Some(combine(verdict, outcome));
        }
    }
    match verdict {
        Some(Combined::Fails(w)) => {
            let message = format!(
                "{} cannot reach the internet: route table `{}` of its subnet `{}` drops `0.0.0.0/0` (next hop `None`)",
                common::subject(compute),
                w.table.e.display_name(),
                w.subnet.e.display_name()
            );
            let finding = cx
                .finding(&compute.e, common::subnet_span(compute), message)
                .label("the compute's subnet")
                .help("send `0.0.0.0/0` to your firewall (`\"nextHopType\": \"VirtualAppliance\"` with its private IP) or remove the route and give the subnet a NAT gateway")
                                .related(
                    w.subnet.route_table().value().map_or(w.subnet.e.span, |v| v.span().or(w.subnet.e.span)),
                    format!("subnet `{}` uses route table `{}`", w.subnet.e.display_name(), w.table.e.display_name()),
                )
                .related(w.route.span, format!("route `{}` drops internet-bound traffic", w.route.name));
            cx.report(finding);
        }
        Some(Combined::Unknown(u)) => cx.unverifiable(&compute.e, common::subnet_span(compute), u),
        _ => {}
    }
}
