//! What AML101 and AML102 share: a public-IP compute whose subnet NSG must admit a service's
//! inbound management traffic.

use super::common::{self, combine, Combined};
use super::Context;
use crate::arm::value::Tri;
use crate::model::{Compute, ComputeKind, Nsg, Subnet};
use crate::net::endpoint::Endpoint;
use crate::net::nsg::{evaluate, Decider, Direction, Protocol, Traffic, Verdict};

/// Inbound traffic a public-IP compute must receive.
pub struct Requirement {
    /// The service tag the traffic comes from (`AzureMachineLearning`).
    pub tag: &'static str,
    pub ports: &'static [u16],
    /// As the message writes them: `44224`, `29876-29877`.
    pub ports_text: &'static str,
    /// The rule to suggest (name).
    pub rule_name: &'static str,
    /// What the port is for, for the help text.
    pub purpose: &'static str,
}

/// Where the traffic is denied.
#[derive(Clone)]
struct Denial<'m> {
    subnet: &'m Subnet,
    nsg: &'m Nsg,
    /// Each denied port and the rule that denies it.
    denied: Vec<(u16, Decider<'m>)>,
}

/// What an NSG denies a subnet, from a region's service tag, worked out once per combination:
/// many computes share a subnet.
type Memo<'m> =
    rustc_hash::FxHashMap<(*const Nsg, *const Subnet, Result<String, ()>), Combined<Denial<'m>>>;

pub fn check(cx: &mut Context<'_>, req: &Requirement) {
    let model = cx.model;
    let mut memo = Memo::default();
    for compute in &model.computes {
        check_compute(cx, compute, req, &mut memo);
    }
}

fn check_compute<'m>(
    cx: &mut Context<'m>,
    compute: &'m Compute,
    req: &Requirement,
    memo: &mut Memo<'m>,
) {
    // Instances and clusters are managed through their public IP; serverless compute is not.
    if compute.subnet.is_absent()
        || !matches!(compute.kind, ComputeKind::Instance | ComputeKind::Cluster)
    {
        return;
    }
    match compute.has_public_ip() {
        Tri::Known(true) => {}
        Tri::Known(false) => return,
        Tri::Unknown(u) => {
            if common::in_managed_network(cx, compute) != Tri::Known(true)
                && matches!(
                    compute.kind,
                    crate::model::ComputeKind::Instance | crate::model::ComputeKind::Cluster
                )
            {
                cx.unverifiable(&compute.e, compute.public_ip_span(), u);
            }
            return;
        }
    }
    let Some(subnets) = common::customer_subnets(cx, compute) else {
        return;
    };
    let region = common::region(cx, compute);
    let source = common::regional_service(req.tag, &region);
    let mut verdict: Option<Combined<Denial<'m>>> = None;
    for subnet in subnets {
        let Some(nsgs) = common::subnet_nsgs(cx, compute, subnet) else {
            return;
        };
        // Without a subnet NSG, only the NIC-level NSG AML creates applies: it admits the traffic.
        if nsgs.is_empty() {
            verdict = Some(combine(verdict, Combined::Passes));
            continue;
        }
        let mut destination = None;
        for nsg in nsgs {
            let key = (nsg as *const Nsg, subnet as *const Subnet, region.clone());
            let outcome = memo
                .entry(key)
                .or_insert_with(|| {
                    let destination = destination.get_or_insert_with(|| Endpoint::Subnet {
                        prefixes: common::subnet_prefixes(subnet),
                    });
                    one_nsg(nsg, subnet, &source, destination, req)
                })
                .clone();
            verdict = Some(combine(verdict, outcome));
        }
    }
    match verdict {
        Some(Combined::Fails(d)) => report(cx, compute, req, d),
        Some(Combined::Unknown(u)) => cx.unverifiable(&compute.e, common::subnet_span(compute), u),
        Some(Combined::Passes) | None => {}
    }
}

fn one_nsg<'m>(
    nsg: &'m Nsg,
    subnet: &'m Subnet,
    source: &Endpoint,
    destination: &Endpoint,
    req: &Requirement,
) -> Combined<Denial<'m>> {
    let mut unknown = None;
    let mut denied = Vec::new();
    for &port in req.ports {
        let t = Traffic {
            direction: Direction::Inbound,
            protocol: Protocol::Tcp,
            source: source.clone(),
            destination: destination.clone(),
            port,
        };
        match evaluate(nsg, &t) {
            Verdict::Deny(decider) => denied.push((port, decider)),
            Verdict::Allow(_) => {}
            Verdict::Unknown(u) => unknown = unknown.or(Some(u)),
        }
    }
    if !denied.is_empty() {
        return Combined::Fails(Denial {
            subnet,
            nsg,
            denied,
        });
    }
    unknown.map_or(Combined::Passes, Combined::Unknown)
}

fn report(cx: &mut Context<'_>, compute: &Compute, req: &Requirement, d: Denial<'_>) {
    let nsg_name = d.nsg.e.display_name();
    let subnet_name = d.subnet.e.display_name();
    let ports = if d.denied.len() == req.ports.len() {
        req.ports_text.to_owned()
    } else {
        d.denied
            .iter()
            .map(|(p, _)| p.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (_, decider) = d.denied[0];
    let message = format!(
        "{} has a public IP, but NSG `{nsg_name}` of its subnet `{subnet_name}` denies inbound TCP {ports} from `{}` by {}",
        common::subject(compute),
        req.tag,
        decider.describe()
    );
    let below = match decider {
        Decider::Rule(r) => crate::net::nsg::RuleView::new(r)
            .priority
            .known()
            .copied()
            .unwrap_or(4097),
        Decider::Default(_) => 4097,
    };
    let help = match common::free_priority(d.nsg, Direction::Inbound, below) {
        Some(p) => format!(
            "{}; allow it in NSG `{nsg_name}` with a rule that comes first: `{{ \"name\": \"{}\", \"properties\": {{ \"priority\": {p}, \"direction\": \"Inbound\", \"access\": \"Allow\", \"protocol\": \"Tcp\", \"sourceAddressPrefix\": \"{}\", \"sourcePortRange\": \"*\", \"destinationAddressPrefix\": \"VirtualNetwork\", \"destinationPortRange\": \"{}\" }} }}`",
            req.purpose, req.rule_name, req.tag, req.ports_text
        ),
        None => format!(
            "{}; no priority below {below} is free in NSG `{nsg_name}`: give an allow rule for `{}` a priority number below {below}, or move the denying rule to a higher number",
            req.purpose, req.tag
        ),
    };
    let mut finding = cx
        .finding(&compute.e, common::subnet_span(compute), message)
        .label("the compute's subnet")
        .help(help)
        .related(compute.public_ip_span(), common::public_ip_note(compute))
        .related(
            d.subnet
                .nsg()
                .value()
                .map_or(d.subnet.e.span, |v| v.span().or(d.subnet.e.span)),
            format!("subnet `{subnet_name}` uses NSG `{nsg_name}`"),
        );
    let mut seen = Vec::new();
    for (_, decider) in &d.denied {
        let span = common::decider_span(decider, d.nsg);
        if seen.contains(&span) {
            continue;
        }
        seen.push(span);
        let ports: Vec<String> = d
            .denied
            .iter()
            .filter(|(_, o)| common::decider_span(o, d.nsg) == span)
            .map(|(p, _)| p.to_string())
            .collect();
        finding = finding.related(
            span,
            format!(
                "TCP {} denied here by {}",
                ports.join(", "),
                decider.describe()
            ),
        );
    }
    cx.report(finding);
}
