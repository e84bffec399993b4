//! Where a subnet's internet-bound traffic goes.
//!
//! A subnet has a way out when it has a NAT gateway, or when its route table sends internet-bound
//! traffic (`0.0.0.0/0`) to an appliance (`VirtualAppliance`, `VirtualApplianceEcmp`) or a gateway
//! (`VirtualNetworkGateway`). Without a user route, the system route sends `0.0.0.0/0` to
//! `Internet`, which a compute without a public IP cannot use. Routes to private ranges do not
//! concern internet traffic; a route for a public prefix or a service tag takes part of it: if the
//! parts go different ways, which way the AML services' addresses go is not known offline.
//! (azure-docs `virtual-network/virtual-networks-udr-overview.md`; AML docs
//! `how-to-access-azureml-behind-firewall.md`.)

use super::address::Cidr;
use super::endpoint::Endpoint;
use crate::arm::value::{Tri, Unknown};
use crate::model::{EntityKind, Field, Model, Resolution, Route, RouteTable, Subnet};
use crate::source::Span;
use std::sync::Arc;

/// A route's next hop type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NextHop {
    Internet,
    VirtualAppliance,
    VirtualApplianceEcmp,
    VirtualNetworkGateway,
    VnetLocal,
    None,
    Other(String),
}

impl NextHop {
    pub fn parse(s: &str) -> NextHop {
        match s.to_ascii_lowercase().as_str() {
            "internet" => NextHop::Internet,
            "virtualappliance" => NextHop::VirtualAppliance,
            "virtualapplianceecmp" => NextHop::VirtualApplianceEcmp,
            "virtualnetworkgateway" => NextHop::VirtualNetworkGateway,
            "vnetlocal" => NextHop::VnetLocal,
            "none" => NextHop::None,
            _ => NextHop::Other(s.to_owned()),
        }
    }

    /// Whether traffic sent there leaves the network without the compute's own public IP.
    pub fn is_egress(&self) -> bool {
        matches!(
            self,
            NextHop::VirtualAppliance
                | NextHop::VirtualApplianceEcmp
                | NextHop::VirtualNetworkGateway
        )
    }

    pub fn as_str(&self) -> &str {
        match self {
            NextHop::Internet => "Internet",
            NextHop::VirtualAppliance => "VirtualAppliance",
            NextHop::VirtualApplianceEcmp => "VirtualApplianceEcmp",
            NextHop::VirtualNetworkGateway => "VirtualNetworkGateway",
            NextHop::VnetLocal => "VnetLocal",
            NextHop::None => "None",
            NextHop::Other(s) => s,
        }
    }
}

/// How a subnet's internet-bound traffic leaves, for one configuration of it.
#[derive(Debug, Clone)]
pub enum Egress<'m> {
    /// The subnet has a NAT gateway; the span of its `natGateway.id`.
    NatGateway(Span),
    /// Internet-bound traffic goes to an appliance or gateway.
    Routed {
        table: &'m RouteTable,
        route: &'m Route,
        hop: NextHop,
    },
    /// Internet-bound traffic goes to the `Internet` next hop, by a user route or (with `route`
    /// `None`) the system route.
    Direct {
        table: Option<&'m RouteTable>,
        route: Option<&'m Route>,
    },
    /// Internet-bound traffic is dropped: a `0.0.0.0/0` route with next hop `None`.
    Dropped {
        table: &'m RouteTable,
        route: &'m Route,
    },
    Unknown(Arc<Unknown>),
}

impl Egress<'_> {
    /// Whether the subnet has a way out (`None` when unknown).
    pub fn exists(&self) -> Option<bool> {
        match self {
            Egress::NatGateway(_) | Egress::Routed { .. } => Some(true),
            Egress::Direct { .. } | Egress::Dropped { .. } => Some(false),
            Egress::Unknown(_) => None,
        }
    }
}

/// The subnet's egress: one answer per configuration of its route table (several when the route
/// table is declared by a template linted with several parameter files).
pub fn subnet_egress<'m>(model: &'m Model, subnet: &'m Subnet) -> Vec<Egress<'m>> {
    if let Field::Present(v) = subnet.nat_gateway() {
        return vec![match v.deep_unknown().filter(|_| v.as_str().is_none()) {
            Some(u) => Egress::Unknown(Arc::new(Unknown {
                reason: format!(
                    "whether subnet `{}` has a NAT gateway is not known: {}",
                    subnet.e.display_name(),
                    u.reason
                ),
                resource: u.resource.clone(),
            })),
            None => Egress::NatGateway(v.span().or(subnet.e.span)),
        }];
    }
    let answers: Vec<Egress<'m>> = match subnet.route_table() {
        Field::Absent => vec![Egress::Direct {
            table: None,
            route: None,
        }],
        Field::Present(v) => match model.resolve(EntityKind::RouteTable, subnet.e.unit, &v) {
            Resolution::Unresolved(u) => vec![Egress::Unknown(Arc::new(Unknown {
                reason: format!(
                    "the route table of subnet `{}` is not known: {}",
                    subnet.e.display_name(),
                    u.reason
                ),
                resource: u.resource.clone(),
            }))],
            Resolution::Found(tables) => tables
                .into_iter()
                .map(|i| internet_route(&model.route_tables[i]))
                .collect(),
        },
    };
    // Without a user route for it, internet traffic may still follow a default route that a
    // gateway advertises by BGP (forced tunnelling to on-premises), unless the route table stops
    // route propagation.
    let bgp = model.bgp_sources(subnet);
    answers
        .into_iter()
        .map(|answer| match answer {
            Egress::Direct { table, route: None } if !bgp.is_empty() && !stops_bgp(table) => {
                let (_, what) = &bgp[0];
                Egress::Unknown(Unknown::new(format!(
                    "subnet `{}` may receive a default route by BGP ({what}), which amlint cannot see",
                    subnet.e.display_name()
                )))
            }
            other => other,
        })
        .collect()
}

/// Whether a route table disables BGP route propagation.
fn stops_bgp(table: Option<&RouteTable>) -> bool {
    table.is_some_and(|t| {
        t.e.prop(&["disableBgpRoutePropagation"])
            .value()
            .and_then(|v| v.as_bool())
            == Some(true)
    })
}

/// Where a route table sends internet-bound IPv4 traffic.
pub fn internet_route(table: &RouteTable) -> Egress<'_> {
    if let Some(u) = &table.routes_unknown {
        return Egress::Unknown(Arc::new(Unknown {
            reason: format!(
                "the routes of route table `{}` are not known: {}",
                table.e.display_name(),
                u.reason
            ),
            resource: u.resource.clone(),
        }));
    }
    let mut default: Option<(&Route, NextHop)> = None;
    let mut partial: Vec<(&Route, NextHop)> = Vec::new();
    // IPv4 ranges with a user route: when they cover all of 0.0.0.0/0, no traffic is left to the
    // system route.
    let mut covered: Vec<(u64, u64)> = Vec::new();
    for route in &table.routes {
        let cidr = match route.prop("addressPrefix") {
            Field::Absent => continue,
            Field::Present(v) => match v.as_known_str() {
                Some(s) => Cidr::parse(s),
                None => return unknown_route(table, route, v.deep_unknown(), "address prefix"),
            },
        };
        let covers_all = matches!(cidr, Some(c @ Cidr::V4 { .. }) if c.prefix_len() == 0);
        let concerns_internet = match cidr {
            Some(c) => c.is_v4() && !c.is_non_public(),
            // A service tag: a part of public address space.
            None => true,
        };
        if !concerns_internet {
            continue;
        }
        if let Tri::Unknown(u) = &route.condition {
            return unknown_route(table, route, Some(Arc::clone(u)), "condition");
        }
        let hop = match route.prop("nextHopType") {
            Field::Present(v) => match v.as_known_str() {
                Some(s) => NextHop::parse(s),
                None => return unknown_route(table, route, v.deep_unknown(), "next hop type"),
            },
            Field::Absent => continue,
        };
        if let Some(Cidr::V4 { addr, len }) = cidr {
            let size = 1u64 << (32 - u32::from(len));
            let start = u64::from(addr) & !(size - 1);
            covered.push((start, start + size - 1));
        }
        if covers_all {
            default = Some((route, hop));
        } else {
            partial.push((route, hop));
        }
    }
    let first_route = default
        .as_ref()
        .map(|(r, _)| *r)
        .or_else(|| partial.first().map(|(r, _)| *r));
    let mut hops: Vec<NextHop> = partial.iter().map(|(_, h)| h.clone()).collect();
    match &default {
        Some((_, h)) => hops.push(h.clone()),
        None if covers_ipv4_space(covered) => {}
        None => hops.push(NextHop::Internet),
    }
    if hops.is_empty() {
        return Egress::Direct {
            table: Some(table),
            route: None,
        };
    }
    if hops.iter().all(NextHop::is_egress) {
        let (route, hop) = default
            .as_ref()
            .map(|(r, h)| (*r, h.clone()))
            .or_else(|| partial.first().map(|(r, h)| (*r, h.clone())))
            .expect("all hops egress implies a user route");
        return Egress::Routed { table, route, hop };
    }
    if hops.iter().all(|h| *h == NextHop::Internet) {
        return Egress::Direct {
            table: Some(table),
            route: default.map(|(r, _)| r),
        };
    }
    if hops.iter().all(|h| *h == NextHop::None) {
        if let Some(route) = first_route {
            return Egress::Dropped { table, route };
        }
    }
    let mut names: Vec<&str> = hops.iter().map(NextHop::as_str).collect();
    names.sort_unstable();
    names.dedup();
    Egress::Unknown(Unknown::new(format!(
        "route table `{}` sends parts of the internet-bound traffic to {}; which part the AML services use is not known offline",
        table.e.display_name(),
        names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" and ")
    )))
}

/// Whether the ranges together hold every IPv4 address.
fn covers_ipv4_space(mut ranges: Vec<(u64, u64)>) -> bool {
    ranges.sort_unstable();
    let mut next = 0u64;
    for (a, b) in ranges {
        if a > next {
            return false;
        }
        next = next.max(b + 1);
    }
    next > u64::from(u32::MAX)
}

fn unknown_route<'m>(
    table: &'m RouteTable,
    route: &'m Route,
    u: Option<Arc<Unknown>>,
    what: &str,
) -> Egress<'m> {
    let reason = u.map_or_else(|| "it is not a string".to_owned(), |u| u.reason.clone());
    Egress::Unknown(Unknown::new(format!(
        "the {what} of route `{}` in route table `{}` is not known: {reason}",
        route.name,
        table.e.display_name()
    )))
}

/// The user route for `0.0.0.0/0` in a table (exactly that prefix), with its next hop; `None`
/// when there is none (the system route to `Internet` applies).
pub fn default_route(table: &RouteTable) -> Tri<Option<(&Route, NextHop)>> {
    if let Some(u) = &table.routes_unknown {
        return Tri::Unknown(Arc::clone(u));
    }
    let mut found = None;
    for route in &table.routes {
        let prefix = match route.prop("addressPrefix") {
            Field::Absent => continue,
            Field::Present(v) => match v.as_known_str() {
                Some(s) => s.to_owned(),
                None => {
                    return Tri::Unknown(Unknown::new(format!(
                        "the address prefix of route `{}` in route table `{}` is not known",
                        route.name,
                        table.e.display_name()
                    )))
                }
            },
        };
        if !matches!(Cidr::parse(&prefix), Some(c @ Cidr::V4 { .. }) if c.prefix_len() == 0) {
            continue;
        }
        if let Tri::Unknown(u) = &route.condition {
            return Tri::Unknown(Arc::clone(u));
        }
        match route.prop("nextHopType") {
            Field::Present(v) => match v.as_known_str() {
                Some(s) => found = Some((route, NextHop::parse(s))),
                None => {
                    return Tri::Unknown(Unknown::new(format!(
                        "the next hop type of route `{}` in route table `{}` is not known",
                        route.name,
                        table.e.display_name()
                    )))
                }
            },
            Field::Absent => continue,
        }
    }
    Tri::Known(found)
}

/// The route a route table uses for traffic to a service.
#[derive(Debug, Clone)]
pub enum ServiceRoute<'m> {
    /// A user route: the most specific one covering the service.
    User {
        route: &'m Route,
        hop: NextHop,
    },
    /// No user route covers it: the system route, next hop `Internet`.
    System,
    Unknown(Arc<Unknown>),
}

impl ServiceRoute<'_> {
    pub fn hop(&self) -> Option<NextHop> {
        match self {
            ServiceRoute::User { hop, .. } => Some(hop.clone()),
            ServiceRoute::System => Some(NextHop::Internet),
            ServiceRoute::Unknown(_) => None,
        }
    }
}

/// How specific a route's prefix is for a service: a regional tag beats its parent tag, which
/// beats `0.0.0.0/0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Specificity {
    Default,
    Tag,
    RegionalTag,
}

/// The route a table uses for traffic to `service` (e.g. `AzureMachineLearning`), by longest
/// prefix: a service-tag route is more specific than `0.0.0.0/0`; a route for a public CIDR may
/// or may not hold the service's addresses, which is unknown offline.
pub fn route_to_service<'m>(table: &'m RouteTable, service: &Endpoint) -> ServiceRoute<'m> {
    use super::endpoint::{covers, Cover, Prefix};
    if let Some(u) = &table.routes_unknown {
        return ServiceRoute::Unknown(Arc::clone(u));
    }
    let mut best: Option<(Specificity, &Route, NextHop)> = None;
    let mut partial: Vec<(&Route, NextHop, String)> = Vec::new();
    for route in &table.routes {
        let prefix = match route.prop("addressPrefix") {
            Field::Absent => continue,
            Field::Present(v) => match v.as_known_str() {
                Some(s) => s.to_owned(),
                None => {
                    return ServiceRoute::Unknown(Unknown::new(format!(
                        "the address prefix of route `{}` is not known",
                        route.name
                    )))
                }
            },
        };
        let Some(p) = Prefix::parse(&prefix) else {
            continue;
        };
        let specificity = match &p {
            Prefix::Cidr(c) if c.is_v4() && c.prefix_len() == 0 => Specificity::Default,
            Prefix::Tag {
                suffix: Some(_), ..
            } => Specificity::RegionalTag,
            Prefix::Tag { .. } => Specificity::Tag,
            _ => Specificity::Default,
        };
        let cover = covers(&p, service);
        if cover == Cover::No {
            continue;
        }
        if let Tri::Unknown(u) = &route.condition {
            return ServiceRoute::Unknown(Arc::clone(u));
        }
        let hop = match route.prop("nextHopType") {
            Field::Present(v) => match v.as_known_str() {
                Some(s) => NextHop::parse(s),
                None => {
                    return ServiceRoute::Unknown(Unknown::new(format!(
                        "the next hop type of route `{}` is not known",
                        route.name
                    )))
                }
            },
            Field::Absent => continue,
        };
        match cover {
            Cover::Yes => {
                if best.as_ref().is_none_or(|(s, _, _)| specificity > *s) {
                    best = Some((specificity, route, hop));
                }
            }
            Cover::Unknown(reason) => partial.push((route, hop, reason)),
            Cover::No => {}
        }
    }
    let chosen = match best {
        Some((_, route, hop)) => ServiceRoute::User { route, hop },
        None => ServiceRoute::System,
    };
    // A route that may hold the service's addresses is more specific than any tag or default
    // route unless it is a tag route itself; it decides nothing only if it goes the same way.
    for (route, hop, reason) in partial {
        if Some(&hop) != chosen.hop().as_ref() {
            return ServiceRoute::Unknown(Unknown::new(format!(
                "route `{}` in route table `{}` may take that traffic: {reason}",
                route.name,
                table.e.display_name()
            )));
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arm::value::Value;
    use crate::model::{Entity, UnitId};
    use crate::source::Span;
    use serde_json::json;

    fn table(routes: &[(&str, &str, &str)]) -> RouteTable {
        RouteTable {
            e: Entity {
                unit: UnitId(0),
                full_type: Arc::from("Microsoft.Network/routeTables"),
                name: Value::str("rt", Span::NONE),
                id: None,
                span: Span::NONE,
                name_span: Span::NONE,
                condition: Tri::Known(true),
                body: Value::null(Span::NONE),
            },
            routes: routes
                .iter()
                .map(|(name, prefix, hop)| Route {
                    unit: UnitId(0),
                    name: (*name).into(),
                    span: Span::NONE,
                    condition: Tri::Known(true),
                    body: Value::from_serde(
                        &json!({"name": name, "properties": {"addressPrefix": prefix, "nextHopType": hop}}),
                        Span::NONE,
                    ),
                })
                .collect(),
            routes_unknown: None,
        }
    }

    fn internet(t: &RouteTable) -> &'static str {
        match internet_route(t) {
            Egress::Routed { .. } => "routed",
            Egress::Direct { .. } => "direct",
            Egress::Dropped { .. } => "dropped",
            Egress::Unknown(_) => "unknown",
            Egress::NatGateway(_) => "nat",
        }
    }

    #[test]
    fn default_route_decides_internet_traffic() {
        assert_eq!(internet(&table(&[])), "direct");
        assert_eq!(
            internet(&table(&[("d", "0.0.0.0/0", "VirtualAppliance")])),
            "routed"
        );
        assert_eq!(
            internet(&table(&[("d", "0.0.0.0/0", "VirtualNetworkGateway")])),
            "routed"
        );
        assert_eq!(
            internet(&table(&[("d", "0.0.0.0/0", "Internet")])),
            "direct"
        );
        assert_eq!(internet(&table(&[("d", "0.0.0.0/0", "None")])), "dropped");
        // Private routes are not internet traffic.
        assert_eq!(
            internet(&table(&[("onprem", "10.0.0.0/8", "VirtualNetworkGateway")])),
            "direct"
        );
        // Split default routes both to the appliance: all internet traffic goes there.
        assert_eq!(
            internet(&table(&[
                ("a", "0.0.0.0/1", "VirtualAppliance"),
                ("b", "128.0.0.0/1", "VirtualAppliance")
            ])),
            "routed"
        );
        assert_eq!(
            internet(&table(&[("a", "0.0.0.0/1", "VirtualAppliance")])),
            "unknown",
            "the other half still has the system route to Internet"
        );
        assert_eq!(
            internet(&table(&[
                ("d", "0.0.0.0/0", "VirtualAppliance"),
                ("aml", "AzureMachineLearning", "Internet")
            ])),
            "unknown",
            "parts go different ways"
        );
        // IPv6 routes do not concern IPv4 internet traffic.
        assert_eq!(
            internet(&table(&[("v6", "::/0", "VirtualAppliance")])),
            "direct"
        );
    }

    #[test]
    fn service_routes_by_specificity() {
        let aml = Endpoint::service("AzureMachineLearning");
        let t = table(&[
            ("d", "0.0.0.0/0", "VirtualAppliance"),
            ("aml", "AzureMachineLearning", "Internet"),
        ]);
        assert_eq!(route_to_service(&t, &aml).hop(), Some(NextHop::Internet));
        let t = table(&[("d", "0.0.0.0/0", "VirtualAppliance")]);
        assert_eq!(
            route_to_service(&t, &aml).hop(),
            Some(NextHop::VirtualAppliance)
        );
        let t = table(&[
            ("other", "Storage", "Internet"),
            ("d", "0.0.0.0/0", "VirtualAppliance"),
        ]);
        assert_eq!(
            route_to_service(&t, &aml).hop(),
            Some(NextHop::VirtualAppliance)
        );
        assert!(matches!(
            route_to_service(&table(&[]), &aml),
            ServiceRoute::System
        ));
        let t = table(&[
            ("d", "0.0.0.0/0", "VirtualAppliance"),
            ("pub", "20.0.0.0/8", "Internet"),
        ]);
        assert!(matches!(
            route_to_service(&t, &aml),
            ServiceRoute::Unknown(_)
        ));
        let t = table(&[
            ("d", "0.0.0.0/0", "VirtualAppliance"),
            ("priv", "10.0.0.0/8", "Internet"),
        ]);
        assert_eq!(
            route_to_service(&t, &aml).hop(),
            Some(NextHop::VirtualAppliance)
        );
        let regional = Endpoint::service("AzureMachineLearning.westeurope");
        let t = table(&[
            ("aml", "AzureMachineLearning", "Internet"),
            ("we", "AzureMachineLearning.westeurope", "VirtualAppliance"),
        ]);
        assert_eq!(
            route_to_service(&t, &regional).hop(),
            Some(NextHop::VirtualAppliance)
        );
    }
}
