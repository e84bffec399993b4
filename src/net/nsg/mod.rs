//! Network security group evaluation: is this traffic allowed into or out of a subnet?
//!
//! The NSG's rules of the traffic's direction are sorted by priority (lower first); the first
//! rule that matches decides; the six default rules come last (65000, 65001, 65500 each way).
//! Matching covers the protocol, the source and destination prefixes, and the ports. The answer
//! is three-valued: a rule whose match, priority or access is unknown makes the verdict unknown,
//! unless the verdict is the same whether or not it matches. Every verdict names the rule that
//! decided it. (azure-docs `virtual-network/network-security-groups-overview.md`.)

use super::endpoint::{covers, Cover, Endpoint, Prefix};
use crate::arm::value::{KindRef, Tri, Unknown, Value};
use crate::model::{Field, Nsg, NsgRule};
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    Inbound,
    Outbound,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    Allow,
    Deny,
}

/// An NSG protocol. `*` is all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    Tcp,
    Udp,
    Icmp,
    Esp,
    Ah,
}

impl Protocol {
    pub const ALL: [Protocol; 5] = [
        Protocol::Tcp,
        Protocol::Udp,
        Protocol::Icmp,
        Protocol::Esp,
        Protocol::Ah,
    ];

    pub fn parse(s: &str) -> Option<Protocol> {
        Some(match s.to_ascii_lowercase().as_str() {
            "tcp" => Protocol::Tcp,
            "udp" => Protocol::Udp,
            "icmp" => Protocol::Icmp,
            "esp" => Protocol::Esp,
            "ah" => Protocol::Ah,
            _ => return None,
        })
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Icmp => "ICMP",
            Protocol::Esp => "ESP",
            Protocol::Ah => "AH",
        })
    }
}

/// Port ranges, inclusive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ports(pub Vec<(u16, u16)>);

impl Ports {
    pub const ALL: (u16, u16) = (0, 65535);

    /// `*`, `80` or `1000-2000`; `None` for anything Azure rejects.
    pub fn parse_one(s: &str) -> Option<(u16, u16)> {
        let s = s.trim();
        if s == "*" {
            return Some(Self::ALL);
        }
        let (a, b) = match s.split_once('-') {
            Some((a, b)) => (a.trim().parse::<u16>().ok()?, b.trim().parse::<u16>().ok()?),
            None => {
                let p = s.parse::<u16>().ok()?;
                (p, p)
            }
        };
        (a <= b).then_some((a, b))
    }

    pub fn contains(&self, port: u16) -> bool {
        self.0.iter().any(|&(a, b)| a <= port && port <= b)
    }

    /// Whether every port of `other` is in `self`.
    pub fn covers(&self, other: &Ports) -> bool {
        other.0.iter().all(|&(a, b)| {
            // Walk the range, jumping to the end of each covering range.
            let mut p = u32::from(a);
            while p <= u32::from(b) {
                match self
                    .0
                    .iter()
                    .filter(|&&(x, y)| u32::from(x) <= p && p <= u32::from(y))
                    .map(|&(_, y)| y)
                    .max()
                {
                    Some(end) => p = u32::from(end) + 1,
                    None => return false,
                }
            }
            true
        })
    }

    pub fn is_all(&self) -> bool {
        self.covers(&Ports(vec![Self::ALL]))
    }
}

/// An NSG rule as the evaluator reads it: a rule and its fields, read once and cached.
#[derive(Debug, Clone, Copy)]
pub struct RuleView<'m> {
    pub rule: &'m NsgRule,
    fields: &'m RuleFields,
}

impl std::ops::Deref for RuleView<'_> {
    type Target = RuleFields;

    fn deref(&self) -> &RuleFields {
        self.fields
    }
}

/// The fields of an NSG rule, every one three-valued.
#[derive(Debug, Clone)]
pub struct RuleFields {
    pub priority: Tri<i64>,
    pub direction: Tri<Direction>,
    pub access: Tri<Access>,
    /// The protocols the rule matches.
    pub protocols: Tri<Vec<Protocol>>,
    pub sources: Tri<Vec<Prefix>>,
    pub destinations: Tri<Vec<Prefix>>,
    pub source_ports: Tri<Ports>,
    pub destination_ports: Tri<Ports>,
}

/// Why a property is not what a rule needs: its unknown, or its type (`expected`: "a string").
fn unknown_of(v: &Value, what: &str, expected: &str) -> Arc<Unknown> {
    v.deep_unknown()
        .unwrap_or_else(|| Unknown::new(format!("{what} is a {}, not {expected}", v.type_name())))
}

/// The properties of a rule that [`RuleFields::read`] reads.
const RULE_KEYS: [&str; 14] = [
    "priority",
    "direction",
    "access",
    "protocol",
    "sourceApplicationSecurityGroups",
    "sourceAddressPrefix",
    "sourceAddressPrefixes",
    "sourcePortRange",
    "sourcePortRanges",
    "destinationApplicationSecurityGroups",
    "destinationAddressPrefix",
    "destinationAddressPrefixes",
    "destinationPortRange",
    "destinationPortRanges",
];

/// A rule's properties, read as [`NsgRule::prop`] reads them. A closed `properties` object (the
/// usual case) is gone through once for all of [`RULE_KEYS`], rather than once per key.
struct Props<'r> {
    rule: &'r NsgRule,
    /// Per key of [`RULE_KEYS`], its last member (keys compare case-insensitively, the last
    /// wins); `None` when `properties` is not a closed object.
    slots: Option<[Option<&'r Value>; RULE_KEYS.len()]>,
}

impl<'r> Props<'r> {
    fn of(rule: &'r NsgRule) -> Self {
        let slots = match rule.body.get("properties").map(|p| p.kind()) {
            Some(KindRef::Object(o)) if o.open().is_none() => {
                let mut slots = [None; RULE_KEYS.len()];
                for (key, value) in o.entries() {
                    if let Some(i) = RULE_KEYS
                        .iter()
                        .position(|k| crate::arm::value::same_key(k.as_bytes(), key.as_bytes()))
                    {
                        slots[i] = Some(value);
                    }
                }
                Some(slots)
            }
            _ => None,
        };
        Props { rule, slots }
    }

    fn name(&self) -> &str {
        &self.rule.name
    }

    /// The property, borrowed from the rule where `properties` is a closed object; `None` when
    /// it is absent or null.
    fn prop(&self, key: &str) -> Option<Cow<'r, Value>> {
        match (&self.slots, RULE_KEYS.iter().position(|k| *k == key)) {
            (Some(slots), Some(i)) => slots[i].filter(|v| !v.is_null()).map(Cow::Borrowed),
            _ => match self.rule.prop(key) {
                Field::Present(v) => Some(Cow::Owned(v)),
                Field::Absent => None,
            },
        }
    }
}

/// A string property; an empty string counts as absent (templates write `""` for "use the plural
/// form", and Azure accepts it).
/// The text is shared with the value, not copied.
fn string_field(rule: &Props<'_>, key: &str) -> Option<Tri<arcstr::ArcStr>> {
    match rule.prop(key) {
        None => None,
        Some(v) => match (v.as_known_str(), v.as_arc_str()) {
            (Some(""), _) => None,
            (Some(_), Some(s)) => Some(Tri::Known(s.clone())),
            _ => Some(Tri::Unknown(unknown_of(
                &v,
                &format!("`{key}`"),
                "a string",
            ))),
        },
    }
}

/// The property names of one side of a rule.
#[derive(Debug)]
pub struct SideKeys {
    pub side: &'static str,
    pub asgs: &'static str,
    pub prefix: &'static str,
    pub prefixes: &'static str,
    pub port: &'static str,
    pub ports: &'static str,
}

pub const SOURCE: SideKeys = SideKeys {
    side: "source",
    asgs: "sourceApplicationSecurityGroups",
    prefix: "sourceAddressPrefix",
    prefixes: "sourceAddressPrefixes",
    port: "sourcePortRange",
    ports: "sourcePortRanges",
};

pub const DESTINATION: SideKeys = SideKeys {
    side: "destination",
    asgs: "destinationApplicationSecurityGroups",
    prefix: "destinationAddressPrefix",
    prefixes: "destinationAddressPrefixes",
    port: "destinationPortRange",
    ports: "destinationPortRanges",
};

/// The values of a singular / plural pair (`sourceAddressPrefix` / `sourceAddressPrefixes`),
/// each read by `parse`; `what` names them when one does not read ("address prefix").
fn list_field<T>(
    rule: &Props<'_>,
    singular: &str,
    plural: &str,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Tri<Vec<T>> {
    let one = rule.prop(singular);
    let many = rule.prop(plural);
    // First whether every text is known (an unknown one decides), then the texts read in order.
    let one = match one.as_deref().map(|v| (v, v.as_known_str())) {
        None | Some((_, Some(""))) => None,
        Some((_, Some(s))) => Some(s),
        Some((v, None)) => {
            return Tri::Unknown(unknown_of(v, &format!("`{singular}`"), "a string"))
        }
    };
    let many = match many.as_deref().map(|v| (v, v.kind())) {
        None => &[][..],
        Some((_, KindRef::Array(items))) => items.items(),
        Some((v, _)) => return Tri::Unknown(unknown_of(v, &format!("`{plural}`"), "an array")),
    };
    if let Some(item) = many.iter().find(|item| item.as_known_str().is_none()) {
        return Tri::Unknown(unknown_of(
            item,
            &format!("an entry of `{plural}`"),
            "a string",
        ));
    }
    let texts = one
        .into_iter()
        .chain(many.iter().filter_map(Value::as_known_str));
    let mut out = Vec::with_capacity(usize::from(one.is_some()) + many.len());
    for s in texts {
        match parse(s) {
            Some(p) => out.push(p),
            None => {
                return Tri::Unknown(Unknown::new(format!(
                    "rule `{}` has an invalid {what} `{s}`",
                    rule.name()
                )))
            }
        }
    }
    if out.is_empty() {
        return Tri::Unknown(Unknown::new(format!(
            "rule `{}` has neither `{singular}` nor `{plural}`",
            rule.name()
        )));
    }
    Tri::Known(out)
}

fn prefixes(rule: &Props<'_>, keys: &SideKeys) -> Tri<Vec<Prefix>> {
    if let Some(v) = rule.prop(keys.asgs) {
        if v.as_array().is_none_or(|a| !a.is_empty()) {
            return Tri::Unknown(Unknown::new(format!(
                "rule `{}` matches application security groups, whose members are not known offline",
                rule.name()
            )));
        }
    }
    list_field(
        rule,
        keys.prefix,
        keys.prefixes,
        "address prefix",
        Prefix::parse,
    )
}

fn ports(rule: &Props<'_>, keys: &SideKeys) -> Tri<Ports> {
    list_field(rule, keys.port, keys.ports, "port range", Ports::parse_one).map(Ports)
}

impl<'m> RuleView<'m> {
    pub fn new(rule: &'m NsgRule) -> Self {
        RuleView {
            rule,
            fields: rule.fields.get_or_init(|| RuleFields::read(rule)),
        }
    }
}

impl RuleFields {
    /// Reads the fields of a rule.
    pub fn read(rule: &NsgRule) -> Self {
        let props = Props::of(rule);
        let rule = &props;
        let priority = match rule.prop("priority") {
            Some(v) => match v.as_int() {
                Some(n) => Tri::Known(n),
                None => Tri::Unknown(unknown_of(&v, "`priority`", "an integer")),
            },
            None => Tri::Unknown(Unknown::new(format!(
                "rule `{}` has no priority",
                rule.name()
            ))),
        };
        let direction = match string_field(rule, "direction") {
            Some(Tri::Known(s)) if s.eq_ignore_ascii_case("inbound") => {
                Tri::Known(Direction::Inbound)
            }
            Some(Tri::Known(s)) if s.eq_ignore_ascii_case("outbound") => {
                Tri::Known(Direction::Outbound)
            }
            Some(Tri::Unknown(u)) => Tri::Unknown(u),
            _ => Tri::Unknown(Unknown::new(format!(
                "rule `{}` has no valid direction",
                rule.name()
            ))),
        };
        let access = match string_field(rule, "access") {
            Some(Tri::Known(s)) if s.eq_ignore_ascii_case("allow") => Tri::Known(Access::Allow),
            Some(Tri::Known(s)) if s.eq_ignore_ascii_case("deny") => Tri::Known(Access::Deny),
            Some(Tri::Unknown(u)) => Tri::Unknown(u),
            _ => Tri::Unknown(Unknown::new(format!(
                "rule `{}` has no valid access",
                rule.name()
            ))),
        };
        let protocols = match string_field(rule, "protocol") {
            Some(Tri::Known(s)) if s == "*" => Tri::Known(Protocol::ALL.to_vec()),
            Some(Tri::Known(s)) => match Protocol::parse(&s) {
                Some(p) => Tri::Known(vec![p]),
                None => Tri::Unknown(Unknown::new(format!(
                    "rule `{}` has an invalid protocol `{s}`",
                    rule.name()
                ))),
            },
            Some(Tri::Unknown(u)) => Tri::Unknown(u),
            None => Tri::Unknown(Unknown::new(format!(
                "rule `{}` has no protocol",
                rule.name()
            ))),
        };
        RuleFields {
            priority,
            direction,
            access,
            protocols,
            sources: prefixes(rule, &SOURCE),
            destinations: prefixes(rule, &DESTINATION),
            source_ports: ports(rule, &SOURCE),
            destination_ports: ports(rule, &DESTINATION),
        }
    }
}

/// The traffic asked about. The source port is ephemeral (any).
#[derive(Clone, Debug)]
pub struct Traffic {
    pub direction: Direction,
    pub protocol: Protocol,
    pub source: Endpoint,
    pub destination: Endpoint,
    pub port: u16,
}

/// One of the six default rules.
#[derive(Debug, PartialEq, Eq)]
pub struct DefaultRule {
    pub name: &'static str,
    pub priority: i64,
    pub direction: Direction,
    pub source: Prefix,
    pub destination: Prefix,
    pub access: Access,
}

pub static DEFAULT_RULES: [DefaultRule; 6] = [
    DefaultRule {
        name: "AllowVnetInBound",
        priority: 65000,
        direction: Direction::Inbound,
        source: Prefix::VirtualNetwork,
        destination: Prefix::VirtualNetwork,
        access: Access::Allow,
    },
    DefaultRule {
        name: "AllowAzureLoadBalancerInBound",
        priority: 65001,
        direction: Direction::Inbound,
        source: Prefix::AzureLoadBalancer,
        destination: Prefix::Any,
        access: Access::Allow,
    },
    DefaultRule {
        name: "DenyAllInBound",
        priority: 65500,
        direction: Direction::Inbound,
        source: Prefix::Any,
        destination: Prefix::Any,
        access: Access::Deny,
    },
    DefaultRule {
        name: "AllowVnetOutBound",
        priority: 65000,
        direction: Direction::Outbound,
        source: Prefix::VirtualNetwork,
        destination: Prefix::VirtualNetwork,
        access: Access::Allow,
    },
    DefaultRule {
        name: "AllowInternetOutBound",
        priority: 65001,
        direction: Direction::Outbound,
        source: Prefix::Any,
        destination: Prefix::Internet,
        access: Access::Allow,
    },
    DefaultRule {
        name: "DenyAllOutBound",
        priority: 65500,
        direction: Direction::Outbound,
        source: Prefix::Any,
        destination: Prefix::Any,
        access: Access::Deny,
    },
];

/// What decided a verdict.
#[derive(Debug, Clone, Copy)]
pub enum Decider<'m> {
    Rule(&'m NsgRule),
    Default(&'static DefaultRule),
}

impl Decider<'_> {
    /// "rule `DenyInternet` (priority 100)".
    pub fn describe(&self) -> String {
        match self {
            Decider::Rule(r) => {
                let prio = RuleView::new(r)
                    .priority
                    .known()
                    .map_or_else(String::new, |p| format!(" (priority {p})"));
                format!("rule `{}`{prio}", r.name)
            }
            Decider::Default(d) => format!("default rule `{}` (priority {})", d.name, d.priority),
        }
    }
}

/// The NSG's answer for some traffic.
#[derive(Debug, Clone)]
pub enum Verdict<'m> {
    Allow(Decider<'m>),
    Deny(Decider<'m>),
    Unknown(Arc<Unknown>),
}

impl<'m> Verdict<'m> {
    fn with(access: Access, by: Decider<'m>) -> Self {
        match access {
            Access::Allow => Verdict::Allow(by),
            Access::Deny => Verdict::Deny(by),
        }
    }

    pub fn access(&self) -> Option<Access> {
        match self {
            Verdict::Allow(_) => Some(Access::Allow),
            Verdict::Deny(_) => Some(Access::Deny),
            Verdict::Unknown(_) => None,
        }
    }
}

/// Whether a rule matches the traffic.
pub fn matches(view: &RuleView<'_>, t: &Traffic) -> Cover {
    let mut unknown: Option<String> = None;
    let note = |c: Cover, unknown: &mut Option<String>| -> bool {
        match c {
            Cover::No => false,
            Cover::Yes => true,
            Cover::Unknown(r) => {
                unknown.get_or_insert(r);
                true
            }
        }
    };
    if let Tri::Unknown(u) = &view.rule.condition {
        unknown.get_or_insert(format!(
            "rule `{}` may not be deployed: {}",
            view.rule.name, u.reason
        ));
    }
    let direction = match &view.direction {
        Tri::Known(d) => Cover::from(*d == t.direction),
        Tri::Unknown(u) => Cover::Unknown(u.reason.clone()),
    };
    if !note(direction, &mut unknown) {
        return Cover::No;
    }
    let protocol = match &view.protocols {
        Tri::Known(list) => Cover::from(list.contains(&t.protocol)),
        Tri::Unknown(u) => Cover::Unknown(u.reason.clone()),
    };
    if !note(protocol, &mut unknown) {
        return Cover::No;
    }
    let port = match &view.destination_ports {
        Tri::Known(p) => Cover::from(p.contains(t.port)),
        Tri::Unknown(u) => Cover::Unknown(u.reason.clone()),
    };
    if !note(port, &mut unknown) {
        return Cover::No;
    }
    let side = |list: &Tri<Vec<Prefix>>, ep: &Endpoint| -> Cover {
        match list {
            Tri::Unknown(u) => Cover::Unknown(u.reason.clone()),
            Tri::Known(prefixes) => {
                let mut first_unknown = None;
                for p in prefixes {
                    match covers(p, ep) {
                        Cover::Yes => return Cover::Yes,
                        Cover::No => {}
                        Cover::Unknown(r) => {
                            first_unknown.get_or_insert(r);
                        }
                    }
                }
                first_unknown.map_or(Cover::No, Cover::Unknown)
            }
        }
    };
    if !note(side(&view.sources, &t.source), &mut unknown) {
        return Cover::No;
    }
    if !note(side(&view.destinations, &t.destination), &mut unknown) {
        return Cover::No;
    }
    let source_port = match &view.source_ports {
        Tri::Known(p) if p.is_all() => Cover::Yes,
        Tri::Known(_) => Cover::Unknown(format!(
            "rule `{}` limits source ports, and the traffic's source port is ephemeral",
            view.rule.name
        )),
        Tri::Unknown(u) => Cover::Unknown(u.reason.clone()),
    };
    if !note(source_port, &mut unknown) {
        return Cover::No;
    }
    unknown.map_or(Cover::Yes, Cover::Unknown)
}

impl From<bool> for Cover {
    fn from(b: bool) -> Self {
        if b {
            Cover::Yes
        } else {
            Cover::No
        }
    }
}

/// The NSG's verdict for the traffic.
pub fn evaluate<'m>(nsg: &'m Nsg, t: &Traffic) -> Verdict<'m> {
    if let Some(u) = &nsg.rules_unknown {
        return Verdict::Unknown(Arc::new(Unknown {
            reason: format!(
                "the rules of NSG `{}` are not known: {}",
                nsg.e.display_name(),
                u.reason
            ),
            resource: u.resource.clone(),
        }));
    }
    // The verdict is the rules folded from the last (by priority) to the first onto the default
    // rules' verdict. A rule that surely matches decides whatever comes after it, so the rules
    // are read from the first up to the first sure match only, and the uncertain matches before
    // it are then folded back onto its verdict.
    let mut uncertain: Vec<(RuleView<'m>, String)> = Vec::new();
    let mut decided = None;
    for &i in by_priority(nsg) {
        let view = RuleView::new(&nsg.rules[i as usize]);
        match matches(&view, t) {
            Cover::No => {}
            Cover::Yes => {
                decided = Some(decide(&view));
                break;
            }
            Cover::Unknown(reason) => uncertain.push((view, reason)),
        }
    }
    let mut verdict = decided.unwrap_or_else(|| default_verdict(t));
    for (view, reason) in uncertain.iter().rev() {
        verdict = step_uncertain(view, reason, verdict, nsg);
    }
    // Rules whose priority is unknown may sit anywhere: they change nothing only if they cannot
    // match or would decide the same way.
    for view in nsg
        .rules
        .iter()
        .map(RuleView::new)
        .filter(|v| v.priority.known().is_none())
    {
        if matches(&view, t) == Cover::No {
            continue;
        }
        let same = match (&view.access, verdict.access()) {
            (Tri::Known(a), Some(b)) => *a == b,
            _ => false,
        };
        if !same {
            let reason = match &view.priority {
                Tri::Unknown(u) => u.reason.clone(),
                Tri::Known(_) => String::new(),
            };
            return Verdict::Unknown(Unknown::new(format!(
                "the priority of rule `{}` in NSG `{}` is not known: {reason}",
                view.rule.name,
                nsg.e.display_name()
            )));
        }
    }
    verdict
}

/// The indexes of the NSG's rules whose priority is known, by priority; stable, so that equal
/// priorities (an error ARM rejects) keep document order.
fn by_priority(nsg: &Nsg) -> &[u32] {
    nsg.by_priority.get_or_init(|| {
        let mut order: Vec<(i64, u32)> = nsg
            .rules
            .iter()
            .enumerate()
            .filter_map(|(i, r)| Some((*RuleView::new(r).priority.known()?, i as u32)))
            .collect();
        order.sort_by_key(|&(priority, _)| priority);
        order.into_iter().map(|(_, i)| i).collect()
    })
}

/// The verdict of a rule that matches the traffic.
fn decide<'m>(view: &RuleView<'m>) -> Verdict<'m> {
    match &view.access {
        Tri::Known(a) => Verdict::with(*a, Decider::Rule(view.rule)),
        Tri::Unknown(u) => Verdict::Unknown(Arc::clone(u)),
    }
}

/// A rule that may or may not match (`reason`), before the verdict of the rules after it.
fn step_uncertain<'m>(
    view: &RuleView<'m>,
    reason: &str,
    rest: Verdict<'m>,
    nsg: &Nsg,
) -> Verdict<'m> {
    match (&view.access, rest.access()) {
        // Matching or not, the answer is the same.
        (Tri::Known(a), Some(b)) if *a == b => rest,
        _ => Verdict::Unknown(Unknown::new(format!(
            "whether rule `{}` of NSG `{}` applies is not known: {reason}",
            view.rule.name,
            nsg.e.display_name()
        ))),
    }
}

fn default_verdict(t: &Traffic) -> Verdict<'static> {
    for d in DEFAULT_RULES.iter().filter(|d| d.direction == t.direction) {
        let src = covers(&d.source, &t.source);
        let dst = covers(&d.destination, &t.destination);
        if src == Cover::Yes && dst == Cover::Yes {
            return Verdict::with(d.access, Decider::Default(d));
        }
        if src != Cover::No && dst != Cover::No {
            // Only the last rule (`*` to `*`) is sure to match; an unknown before it is unknown.
            return Verdict::Unknown(Unknown::new(format!(
                "whether default rule `{}` applies is not known",
                d.name
            )));
        }
    }
    unreachable!("the last default rule matches everything")
}

#[cfg(test)]
mod tests;
