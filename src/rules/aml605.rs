use super::{declare_rule, Context};
use crate::model::Field;
use crate::net::routing::NextHop;

declare_rule! {
    /// ## What it does
    /// Reports a route with next hop type `VirtualAppliance` but no `nextHopIpAddress`, or a
    /// `nextHopIpAddress` with any other next hop type. A next hop IP that comes from
    /// `reference()` (a firewall's private IP) counts as present.
    ///
    /// ## Why is this bad?
    /// Azure rejects both: an appliance route needs the appliance's address, and the other next
    /// hop types take none. The route table, and every subnet that waits on it, fails to deploy.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     { "type": "Microsoft.Network/routeTables", "apiVersion": "2024-05-01", "name": "rt",
    ///       "properties": { "routes": [
    ///         { "name": "to-firewall", "properties": { "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance" } } ] } }
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
    ///         { "name": "to-firewall", "properties": { "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.4" } } ] } }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - [Virtual network traffic routing: user-defined routes](https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#user-defined)
    ///   (`nextHopIpAddress` only with `VirtualAppliance`)
    pub struct RouteNextHopInvalid {
        code: "AML605",
        name: "route-next-hop-invalid",
        severity: Error,
        summary: "`VirtualAppliance` without `nextHopIpAddress`, or `nextHopIpAddress` with another next hop type",
    }
}

pub(super) fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for table in &model.route_tables {
        for route in &table.routes {
            let Field::Present(hop_value) = route.prop("nextHopType") else {
                continue;
            };
            let Some(hop_text) = hop_value.as_known_str() else {
                continue;
            };
            let hop = NextHop::parse(hop_text);
            let ip = route.prop("nextHopIpAddress");
            // An empty string is no address.
            let ip = match &ip {
                Field::Present(v) if v.as_known_str() == Some("") => Field::Absent,
                _ => ip,
            };
            let (span, message, help) = match (&hop, &ip) {
                (NextHop::VirtualAppliance, Field::Absent) => (
                    hop_value.span(),
                    format!(
                        "route `{}` of route table `{}` sends traffic to a `VirtualAppliance` but has no `nextHopIpAddress`",
                        route.name,
                        table.e.display_name()
                    ),
                    "add `\"nextHopIpAddress\"`: the appliance's private IP, e.g. `[reference(resourceId('Microsoft.Network/azureFirewalls', '<name>')).ipConfigurations[0].properties.privateIPAddress]`",
                ),
                (NextHop::VirtualAppliance | NextHop::VirtualApplianceEcmp | NextHop::Other(_), _) => continue,
                (_, Field::Present(ip_value)) => (
                    ip_value.span(),
                    format!(
                        "route `{}` of route table `{}` has a `nextHopIpAddress` but next hop type `{hop_text}`, which takes none",
                        route.name,
                        table.e.display_name()
                    ),
                    "remove `nextHopIpAddress`, or set `\"nextHopType\": \"VirtualAppliance\"` if the address is an appliance's",
                ),
                (_, Field::Absent) => continue,
            };
            let finding = cx
                .finding(&table.e, span.or(route.span), message)
                .label("invalid next hop")
                .help(help)
                .related(route.span, format!("route `{}`", route.name));
            cx.report(finding);
        }
    }
}
