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
            None => Egress::NatGateway(v.span.or(subnet.e.span)),
        }];
    }
    match subnet.route_table() {
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
    }
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
    for route in &table.routes {
        let prefix = match route.prop("addressPrefix") {
            Field::Absent => continue,
            Field::Present(v) => match v.as_known_str() {
                Some(s) => s.to_owned(),
                None => return unknown_route(table, route, v.deep_unknown(), "address prefix"),
            },
        };
        let covers_all =
            matches!(Cidr::parse(&prefix), Some(c @ Cidr::V4 { .. }) if c.prefix_len() == 0);
        let concerns_internet = match Cidr::parse(&prefix) {
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
    hops.push(
        default
            .as_ref()
            .map_or(NextHop::Internet, |(_, h)| h.clone()),
    );
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
