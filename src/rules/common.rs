//! What several rules ask of a compute: the customer subnets it runs in, their NSGs, its region,
//! how to name it. Each answer reports AML002 itself when it depends on the unknown.

use super::Context;
use crate::arm::hole;
use crate::arm::value::{Tri, Unknown};
use crate::model::{Compute, ComputeKind, EntityKind, Field, Nsg, Resolution, Subnet, Workspace};
use crate::net::endpoint::Endpoint;
use crate::net::nsg::Decider;
use std::sync::Arc;

/// The compute as a message names it: "compute cluster `ws/cpu`".
pub fn subject(compute: &Compute) -> String {
    let name = compute.e.display_name();
    match &compute.kind {
        ComputeKind::Instance => format!("compute instance `{name}`"),
        ComputeKind::Cluster => format!("compute cluster `{name}`"),
        ComputeKind::Serverless => {
            let ws = compute.workspace.as_ref().map_or_else(
                || name.clone(),
                |w| hole::display(&w.full_name).into_owned(),
            );
            format!("serverless compute of workspace `{ws}`")
        }
        ComputeKind::Other(t) => format!("`{t}` compute `{name}`"),
        ComputeKind::Unknown(_) => format!("compute `{name}`"),
    }
}

/// The workspaces a compute belongs to, when they are in the inputs.
pub fn workspaces<'m>(cx: &Context<'m>, compute: &Compute) -> Vec<&'m Workspace> {
    let model = cx.model;
    let found = compute.workspaces.get_or_init(|| {
        let Some(id) = &compute.workspace else {
            return Vec::new();
        };
        match model.resolve_id(EntityKind::Workspace, compute.e.unit, id) {
            Resolution::Found(list) => list,
            Resolution::Unresolved(_) => Vec::new(),
        }
    });
    found.iter().map(|&i| &model.workspaces[i]).collect()
}

/// Whether the compute runs in its workspace's managed network. A workspace not in the inputs is
/// taken as not managed.
pub fn in_managed_network(cx: &Context<'_>, compute: &Compute) -> Tri<bool> {
    let mut verdict = None;
    for ws in workspaces(cx, compute) {
        match ws.managed_network() {
            Tri::Known(b) => match verdict {
                None => verdict = Some(b),
                Some(prev) if prev != b => {
                    return Tri::Unknown(Unknown::new(
                        "the workspace's managed network differs between its parameter files",
                    ))
                }
                Some(_) => {}
            },
            Tri::Unknown(u) => return Tri::Unknown(u),
        }
    }
    Tri::Known(verdict.unwrap_or(false))
}

/// The customer subnets a compute instance, cluster or serverless compute runs in, for the rules
/// about them. `None` when they do not apply (no subnet, a managed network, another compute type)
/// or cannot be verified (then AML002 says why).
pub fn customer_subnets<'m>(cx: &mut Context<'m>, compute: &'m Compute) -> Option<Vec<&'m Subnet>> {
    let model = cx.model;
    match &compute.kind {
        ComputeKind::Instance | ComputeKind::Cluster | ComputeKind::Serverless => {}
        ComputeKind::Other(_) => return None,
        ComputeKind::Unknown(u) => {
            if !compute.subnet.is_absent() {
                cx.unverifiable(&compute.e, compute.e.span, Arc::clone(u));
            }
            return None;
        }
    }
    let Field::Present(subnet_ref) = &compute.subnet else {
        return None;
    };
    match in_managed_network(cx, compute) {
        Tri::Known(true) => return None,
        Tri::Known(false) => {}
        Tri::Unknown(u) => {
            cx.unverifiable(&compute.e, compute.subnet_span, u);
            return None;
        }
    }
    match model.resolve(EntityKind::Subnet, compute.e.unit, subnet_ref) {
        Resolution::Found(list) => Some(list.into_iter().map(|i| &model.subnets[i]).collect()),
        Resolution::Unresolved(u) => {
            let reason = Arc::new(Unknown {
                reason: format!("its subnet is not known: {}", u.reason),
                resource: u.resource.clone(),
            });
            cx.unverifiable(
                &compute.e,
                subnet_ref.span().or(compute.subnet_span),
                reason,
            );
            None
        }
    }
}

/// The span to point at for a compute's subnet: the reference, or the compute.
pub fn subnet_span(compute: &Compute) -> crate::source::Span {
    compute
        .subnet
        .value()
        .map_or(compute.subnet_span, |v| v.span().or(compute.subnet_span))
}

/// The NSGs of a subnet: empty when it has none; `None` when unknown (AML002 reported).
pub fn subnet_nsgs<'m>(
    cx: &mut Context<'m>,
    compute: &'m Compute,
    subnet: &'m Subnet,
) -> Option<Vec<&'m Nsg>> {
    let model = cx.model;
    match subnet.nsg() {
        Field::Absent => Some(Vec::new()),
        Field::Present(v) => match model.resolve(EntityKind::Nsg, subnet.e.unit, &v) {
            Resolution::Found(list) => Some(list.into_iter().map(|i| &model.nsgs[i]).collect()),
            Resolution::Unresolved(u) => {
                let reason = Arc::new(Unknown {
                    reason: format!(
                        "the NSG of subnet `{}` is not known: {}",
                        subnet.e.display_name(),
                        u.reason
                    ),
                    resource: u.resource.clone(),
                });
                cx.unverifiable(&compute.e, subnet_span(compute), reason);
                None
            }
        },
    }
}

/// The compute's region for regional service tags (`Storage.westeurope`): its `location`, or its
/// workspace's. `Err` when not known offline.
pub fn region(cx: &Context<'_>, compute: &Compute) -> Result<String, ()> {
    let own = match Field::at(&compute.e.body, &["location"]) {
        Field::Present(v) => Some(v),
        Field::Absent => None,
    };
    let from_ws = || {
        workspaces(cx, compute)
            .first()
            .and_then(|w| Field::at(&w.e.body, &["location"]).value().cloned())
    };
    let v = own.or_else(from_ws).ok_or(())?;
    let text = v.as_known_str().ok_or(())?;
    Ok(text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase())
}

/// A service endpoint in the compute's region: `Storage.<region>`, or unknown region.
pub fn regional_service(base: &str, region: &Result<String, ()>) -> Endpoint {
    Endpoint::Service {
        base: base.to_ascii_lowercase(),
        suffix: match region {
            Ok(r) => Ok(Some(r.clone())),
            Err(()) => Err(()),
        },
    }
}

/// The span of what decided an NSG verdict: the rule, or the NSG for a default rule.
pub fn decider_span(decider: &Decider<'_>, nsg: &Nsg) -> crate::source::Span {
    match decider {
        Decider::Rule(r) => r.span.or(nsg.e.span),
        Decider::Default(_) => nsg.e.name_span.or(nsg.e.span),
    }
}

/// The lowest free priority (a multiple of 10 where possible) below `below` for the direction,
/// for a rule that must win over the one at `below`.
pub fn free_priority(nsg: &Nsg, direction: crate::net::nsg::Direction, below: i64) -> Option<i64> {
    use crate::net::nsg::RuleView;
    let used: Vec<i64> = nsg
        .rules
        .iter()
        .map(RuleView::new)
        .filter(|v| v.direction.known() == Some(&direction))
        .filter_map(|v| v.priority.known().copied())
        .collect();
    let top = below.min(4097) - 1;
    let free = |p: i64| (100..=4096).contains(&p) && !used.contains(&p);
    (100..=top)
        .step_by(10)
        .find(|&p| free(p))
        .or_else(|| (100..=top).find(|&p| free(p)))
}

/// The route tables of a subnet: empty when it has none; `None` when unknown (AML002 reported).
pub fn subnet_route_tables<'m>(
    cx: &mut Context<'m>,
    compute: &'m Compute,
    subnet: &'m Subnet,
) -> Option<Vec<&'m crate::model::RouteTable>> {
    let model = cx.model;
    match subnet.route_table() {
        Field::Absent => Some(Vec::new()),
        Field::Present(v) => match model.resolve(EntityKind::RouteTable, subnet.e.unit, &v) {
            Resolution::Found(list) => {
                Some(list.into_iter().map(|i| &model.route_tables[i]).collect())
            }
            Resolution::Unresolved(u) => {
                let reason = Arc::new(Unknown {
                    reason: format!(
                        "the route table of subnet `{}` is not known: {}",
                        subnet.e.display_name(),
                        u.reason
                    ),
                    resource: u.resource.clone(),
                });
                cx.unverifiable(&compute.e, subnet_span(compute), reason);
                None
            }
        },
    }
}

/// The known address prefixes of a subnet (`addressPrefix`, `addressPrefixes`).
pub fn subnet_prefixes(subnet: &Subnet) -> Vec<crate::net::address::Cidr> {
    use crate::net::address::Cidr;
    let mut out = Vec::new();
    if let Field::Present(v) = subnet.e.prop(&["addressPrefix"]) {
        if let Some(c) = v.as_known_str().and_then(Cidr::parse) {
            out.push(c);
        }
    }
    if let Field::Present(v) = subnet.e.prop(&["addressPrefixes"]) {
        for item in v.as_array().unwrap_or_default() {
            if let Some(c) = item.as_known_str().and_then(Cidr::parse) {
                out.push(c);
            }
        }
    }
    out
}

/// The span that decides a compute's public IP, and what it says.
pub fn public_ip_note(compute: &Compute) -> String {
    match (&compute.kind, &compute.public_ip) {
        (ComputeKind::Serverless, Field::Absent) => {
            "`serverlessComputeNoPublicIP` is not set: serverless compute gets a public IP"
                .to_owned()
        }
        (ComputeKind::Serverless, _) => {
            "`serverlessComputeNoPublicIP` decides the public IP".to_owned()
        }
        (_, Field::Absent) => {
            "`enableNodePublicIp` is not set: the compute gets a public IP".to_owned()
        }
        (_, Field::Present(v)) => match v.as_bool() {
            Some(b) => format!("`enableNodePublicIp` is {b}"),
            None => "`enableNodePublicIp` decides the public IP".to_owned(),
        },
    }
}

/// Combines the verdicts of every configuration (parameter files): reported only when all of
/// them fail, silent when one passes, unknown otherwise.
#[derive(Clone)]
pub enum Combined<W> {
    Fails(W),
    Passes,
    Unknown(Arc<Unknown>),
}

/// Folds one configuration's outcome into the running verdict.
pub fn combine<W>(acc: Option<Combined<W>>, next: Combined<W>) -> Combined<W> {
    match (acc, next) {
        (None, n) => n,
        (Some(Combined::Passes), _) | (_, Combined::Passes) => Combined::Passes,
        (Some(Combined::Unknown(u)), _) => Combined::Unknown(u),
        (Some(Combined::Fails(_)), Combined::Unknown(u)) => Combined::Unknown(u),
        (Some(Combined::Fails(w)), Combined::Fails(_)) => Combined::Fails(w),
    }
}
