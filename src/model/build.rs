//! Building the model from evaluated resources.

use super::{
    Compute, ComputeKind, Entity, EntityKind, Field, Model, Nsg, NsgRule, OutboundRule, Peering,
    PrivateEndpoint, Route, RouteTable, Subnet, UnitId, UnitInfo, Vnet, Workspace,
};
use crate::arm::eval::{EvalResource, Unexpanded};
use crate::arm::hole;
use crate::arm::resource_id::{self, ResourceId};
use crate::arm::value::{KindRef, Tri, Unknown, Value};
use crate::source::Span;
use std::sync::Arc;

/// One unit's evaluated resources.
#[derive(Debug)]
pub struct UnitInput {
    pub info: UnitInfo,
    pub resources: Vec<EvalResource>,
    pub unexpanded: Vec<Unexpanded>,
}

/// A child rule or route waiting for its parent.
#[derive(Debug)]
struct Orphan<T> {
    parent: ResourceId,
    unit: UnitId,
    item: T,
}

/// The entities of one unit, before they join the others' (see [`unit_part`]).
#[derive(Debug, Default)]
pub struct UnitPart {
    /// The unit's entities; the indexes stay empty.
    m: Model,
    child_rules: Vec<Orphan<NsgRule>>,
    child_routes: Vec<Orphan<Route>>,
    child_outbound: Vec<Orphan<OutboundRule>>,
}

/// Builds the model of all units, keeping every evaluated resource in [`Model::resources`].
pub fn build(units: Vec<UnitInput>) -> Model {
    assemble(
        units
            .into_iter()
            .enumerate()
            .map(|(i, unit)| unit_part(UnitId(i as u32), unit, &|_| true))
            .collect(),
    )
}

/// What one unit (number `uid` in the run) adds to the model: the part of the build that needs
/// nothing from other units, so that units can be built in parallel. Evaluated resources join
/// [`Model::resources`] when `listed` accepts their type (lowercase): the types declarative rules
/// read, and their parents'.
pub fn unit_part(uid: UnitId, unit: UnitInput, listed: &dyn Fn(&str) -> bool) -> UnitPart {
    let mut part = UnitPart::default();
    let m = &mut part.m;
    m.units.push(unit.info);
    m.unexpanded
        .extend(unit.unexpanded.into_iter().map(|u| (uid, u)));
    for r in unit.resources {
        let ty = r.full_type.to_ascii_lowercase();
        let evaluated = r.body.is_some();
        let id_text = r.id.as_str();
        let e = Entity {
            unit: uid,
            full_type: Arc::clone(&r.full_type),
            name: r.name,
            id: r
                .parsed_id
                .or_else(|| id_text.and_then(resource_id::parse_shared)),
            span: r.span,
            name_span: r.name_span,
            condition: r.condition,
            body: r.body.unwrap_or_else(|| Value::object(Vec::new(), r.span)),
        };
        if r.existing {
            m.existing.push(e);
            continue;
        }
        if evaluated && listed(&ty) {
            m.resources.push(e.clone());
        }
        match ty.as_str() {
            "microsoft.machinelearningservices/workspaces" => m.workspaces.push(workspace(e)),
            "microsoft.machinelearningservices/workspaces/outboundrules" => {
                if let Some(parent) = parent_id(&e) {
                    let rule = OutboundRule {
                        unit: uid,
                        name: short_name(&e),
                        span: e.span,
                        rule: Field::at(&e.body, &["properties"])
                            .value()
                            .cloned()
                            .unwrap_or_else(|| Value::object(Vec::new(), e.span)),
                    };
                    part.child_outbound.push(Orphan {
                        parent,
                        unit: uid,
                        item: rule,
                    });
                }
            }
            "microsoft.machinelearningservices/workspaces/computes" => m.computes.push(compute(e)),
            "microsoft.network/virtualnetworks" => {
                m.peerings.extend(inline_peerings(&e));
                let (vnet, subnets) = vnet(e, id_text);
                m.vnets.push(vnet);
                m.subnets.extend(subnets);
            }
            "microsoft.network/virtualnetworks/subnets" => {
                m.subnets.push(Subnet { e, inline: false })
            }
            "microsoft.network/networksecuritygroups" => {
                let (rules, rules_unknown) = children(&e, "securityRules", NsgRule::new);
                m.nsgs.push(Nsg {
                    e,
                    rules,
                    rules_unknown,
                    by_priority: std::sync::OnceLock::new(),
                });
            }
            "microsoft.network/networksecuritygroups/securityrules" => {
                if let Some(parent) = parent_id(&e) {
                    part.child_rules.push(Orphan {
                        parent,
                        unit: uid,
                        item: NsgRule::new(
                            uid,
                            short_name(&e).into(),
                            e.span,
                            e.condition.clone(),
                            e.body,
                        ),
                    });
                }
            }
            "microsoft.network/routetables" => {
                let (routes, routes_unknown) =
                    children(&e, "routes", |unit, name, span, condition, body| Route {
                        unit,
                        name,
                        span,
                        condition,
                        body,
                    });
                m.route_tables.push(RouteTable {
                    e,
                    routes,
                    routes_unknown,
                });
            }
            "microsoft.network/routetables/routes" => {
                if let Some(parent) = parent_id(&e) {
                    part.child_routes.push(Orphan {
                        parent,
                        unit: uid,
                        item: Route {
                            unit: uid,
                            name: short_name(&e).into(),
                            span: e.span,
                            condition: e.condition.clone(),
                            body: e.body,
                        },
                    });
                }
            }
            "microsoft.network/natgateways" => m.nat_gateways.push(e),
            "microsoft.network/azurefirewalls" => m.firewalls.push(e),
            "microsoft.network/privateendpoints" => m.private_endpoints.push(PrivateEndpoint { e }),
            "microsoft.network/networkinterfaces" => m.network_interfaces.push(e),
            "microsoft.network/virtualnetworkgateways" => m.gateways.push(e),
            "microsoft.network/virtualnetworks/virtualnetworkpeerings" => {
                if let Some(vnet) = parent_id(&e) {
                    m.peerings.push(Peering {
                        unit: uid,
                        name: short_name(&e),
                        vnet,
                        span: e.span,
                        body: e.body,
                    });
                }
            }
            _ => {}
        }
    }
    // The subnets a unit declares both inline and as child resources are the unit's own.
    dedupe_subnets(&mut m.subnets);
    part.shrink_to_fit();
    part
}

/// Applies a macro to the names of the model's entity lists, which every unit part has too.
macro_rules! model_lists {
    ($apply:ident) => {
        $apply!(
            units,
            unexpanded,
            existing,
            resources,
            workspaces,
            computes,
            vnets,
            subnets,
            nsgs,
            route_tables,
            nat_gateways,
            firewalls,
            private_endpoints,
            network_interfaces,
            gateways,
            peerings
        )
    };
}

impl UnitPart {
    /// Gives back what the lists reserved beyond their length: a unit's lists hold a few
    /// entities each, and the parts of every unit are alive at once until they are assembled.
    fn shrink_to_fit(&mut self) {
        macro_rules! shrink {
            ($($field:ident),*) => {
                $(self.m.$field.shrink_to_fit();)*
            };
        }
        model_lists!(shrink);
        self.child_rules.shrink_to_fit();
        self.child_routes.shrink_to_fit();
        self.child_outbound.shrink_to_fit();
    }
}

/// Puts the units' parts together, in unit order, and links what crosses units: indexes,
/// serverless computes, child rules and routes declared apart from their parents.
pub fn assemble(mut parts: Vec<UnitPart>) -> Model {
    let mut m = Model::default();
    // Each list is gathered on its own, side by side with the others: the pieces are taken from
    // the parts (moving only the lists, not what they hold), then each list is put together in
    // memory reserved once for all its pieces.
    macro_rules! gather {
        ($($field:ident),*) => {
            $(let mut $field = Vec::with_capacity(parts.len());)*
            for part in &mut parts {
                $($field.push(std::mem::take(&mut part.m.$field));)*
            }
            rayon::scope(|s| {
                $(
                    let list = &mut m.$field;
                    s.spawn(move |_| *list = concat($field));
                )*
            });
        };
    }
    model_lists!(gather);
    let mut child_rules: Vec<Orphan<NsgRule>> = Vec::new();
    let mut child_routes: Vec<Orphan<Route>> = Vec::new();
    let mut child_outbound: Vec<Orphan<OutboundRule>> = Vec::new();
    for part in parts {
        child_rules.extend(part.child_rules);
        child_routes.extend(part.child_routes);
        child_outbound.extend(part.child_outbound);
    }
    let serverless: Vec<Compute> = {
        use rayon::prelude::*;
        m.workspaces
            .par_iter()
            .filter_map(serverless_compute)
            .collect()
    };
    m.computes.extend(serverless);
    index(&mut m);
    // The parents are looked up on all threads, then the children join them in order.
    let (rule_parents, (outbound_parents, route_parents)) = rayon::join(
        || all_parents(&m, EntityKind::Nsg, &child_rules),
        || {
            rayon::join(
                || all_parents(&m, EntityKind::Workspace, &child_outbound),
                || all_parents(&m, EntityKind::RouteTable, &child_routes),
            )
        },
    );
    for (orphan, found) in child_rules.into_iter().zip(rule_parents) {
        for i in found {
            m.nsgs[i].rules.push(orphan.item.clone());
        }
    }
    for (orphan, found) in child_outbound.into_iter().zip(outbound_parents) {
        for i in found {
            m.workspaces[i].outbound_rules.push(orphan.item.clone());
        }
    }
    for (orphan, found) in child_routes.into_iter().zip(route_parents) {
        for i in found {
            m.route_tables[i].routes.push(orphan.item.clone());
        }
    }
    m
}

/// The parents of each orphan, found in parallel.
fn all_parents<T: Sync>(m: &Model, kind: EntityKind, orphans: &[Orphan<T>]) -> Vec<Vec<usize>> {
    use rayon::prelude::*;
    orphans
        .par_iter()
        .map(|o| parents(m, kind, &o.parent, o.unit))
        .collect()
}

/// The pieces of a list, one after the other, in memory reserved once.
fn concat<T>(pieces: Vec<Vec<T>>) -> Vec<T> {
    let mut out = Vec::with_capacity(pieces.iter().map(Vec::len).sum());
    for piece in pieces {
        out.extend(piece);
    }
    out
}

fn short_name(e: &Entity) -> String {
    let full = e.display_name();
    full.rsplit('/').next().unwrap_or(&full).to_owned()
}

/// The ID of a child resource's parent.
fn parent_id(e: &Entity) -> Option<ResourceId> {
    e.id.as_ref()?.parent()
}

/// Parents in the same unit, else in other files (as references resolve).
fn parents(m: &Model, kind: EntityKind, parent: &ResourceId, unit: UnitId) -> Vec<usize> {
    match m.resolve_id(kind, unit, parent) {
        super::Resolution::Found(list) => list,
        super::Resolution::Unresolved(_) => Vec::new(),
    }
}

fn workspace(e: Entity) -> Workspace {
    let mut rules = Vec::new();
    let mut unknown = None;
    match e.prop(&["managedNetwork", "outboundRules"]) {
        Field::Absent => {}
        Field::Present(v) => match v.as_object() {
            Some(obj) => {
                for (name, rule) in obj.entries() {
                    rules.push(OutboundRule {
                        unit: e.unit,
                        name: name.to_string(),
                        span: rule.span().or(v.span()),
                        rule: rule.clone(),
                    });
                }
            }
            None => {
                unknown = Some(
                    v.deep_unknown()
                        .unwrap_or_else(|| Unknown::new("`outboundRules` is not an object")),
                )
            }
        },
    }
    Workspace {
        e,
        outbound_rules: rules,
        outbound_unknown: unknown,
        managed: std::sync::OnceLock::new(),
    }
}

fn compute(e: Entity) -> Compute {
    let kind = match e.prop(&["computeType"]) {
        Field::Present(v) => match v.as_known_str() {
            Some(t) if t.eq_ignore_ascii_case("AmlCompute") => ComputeKind::Cluster,
            Some(t) if t.eq_ignore_ascii_case("ComputeInstance") => ComputeKind::Instance,
            Some(t) => ComputeKind::Other(t.to_owned()),
            None => ComputeKind::Unknown(
                v.deep_unknown()
                    .unwrap_or_else(|| Unknown::new("`computeType` is not a string")),
            ),
        },
        Field::Absent => ComputeKind::Unknown(Unknown::new("the compute has no `computeType`")),
    };
    let subnet_field = e.prop(&["properties", "subnet"]);
    let subnet_span = subnet_field.value().map_or(e.span, |v| v.span().or(e.span));
    let subnet = e.reference(&["properties", "subnet"]);
    let public_ip = e.prop(&["properties", "enableNodePublicIp"]);
    let workspace = parent_id(&e);
    Compute {
        e,
        kind,
        workspace,
        subnet,
        subnet_span,
        public_ip,
        workspaces: std::sync::OnceLock::new(),
    }
}

/// A workspace's serverless compute, when it is configured with a subnet.
fn serverless_compute(ws: &Workspace) -> Option<Compute> {
    let settings = ws.e.prop(&["serverlessComputeSettings"]);
    let settings_value = settings.value()?;
    let subnet = match Field::at(settings_value, &["serverlessComputeCustomSubnet"]) {
        Field::Present(v) if matches!(v.kind(), KindRef::Object(_)) => Field::reference(&v, &[]),
        other => other,
    };
    if subnet.is_absent() {
        return None;
    }
    let subnet_span = subnet.value().map_or(settings_value.span(), |v| {
        v.span().or(settings_value.span())
    });
    let mut e = ws.e.clone();
    e.span = settings_value.span().or(ws.e.span);
    // Not a resource of its own: found through its workspace, never by ID.
    e.id = None;
    e.name = match ws.e.name.as_str() {
        Some(n) => Value::str(format!("{n}/serverless"), ws.e.name.span()),
        None => ws.e.name.clone(),
    };
    Some(Compute {
        kind: ComputeKind::Serverless,
        workspace: ws.e.id.clone(),
        public_ip: Field::at(settings_value, &["serverlessComputeNoPublicIP"]),
        subnet,
        subnet_span,
        e,
        workspaces: std::sync::OnceLock::new(),
    })
}

/// The peerings declared inline in a VNet's `properties.virtualNetworkPeerings`.
fn inline_peerings(e: &Entity) -> Vec<Peering> {
    let Some(vnet) = e.id.clone() else {
        return Vec::new();
    };
    let Field::Present(list) = e.prop(&["virtualNetworkPeerings"]) else {
        return Vec::new();
    };
    list.as_array()
        .unwrap_or_default()
        .iter()
        .map(|p| Peering {
            unit: e.unit,
            name: Field::at(p, &["name"])
                .value()
                .and_then(|n| n.as_str().map(|s| hole::display(s).into_owned()))
                .unwrap_or_else(|| "<unnamed>".to_owned()),
            vnet: vnet.clone(),
            span: p.span().or(e.span),
            body: p.clone(),
        })
        .collect()
}

fn vnet(e: Entity, id_text: Option<&str>) -> (Vnet, Vec<Subnet>) {
    let mut subnets = Vec::new();
    let mut unknown = None;
    match e.prop(&["subnets"]) {
        Field::Absent => {}
        Field::Present(v) => match v.as_array() {
            Some(items) => {
                subnets.reserve_exact(items.len());
                for item in items {
                    if let Some(u) = item.as_unknown() {
                        unknown = Some(Arc::clone(u));
                        continue;
                    }
                    let name = Field::at(item, &["name"]).value().cloned();
                    let Some(name) = name else { continue };
                    let sub_name = name.as_str().map(str::to_owned);
                    let id = match (id_text, &sub_name) {
                        (Some(vid), Some(n)) => {
                            resource_id::parse_shared(&resource_id::concat(&[vid, "/subnets/", n]))
                        }
                        _ => None,
                    };
                    let full_name = match (e.name.as_str(), &sub_name) {
                        (Some(v), Some(n)) => {
                            Value::str(resource_id::concat(&[v, "/", n]), name.span())
                        }
                        _ => name.clone(),
                    };
                    subnets.push(Subnet {
                        e: Entity {
                            unit: e.unit,
                            full_type: Arc::from("Microsoft.Network/virtualNetworks/subnets"),
                            name: full_name,
                            id,
                            span: item.span(),
                            name_span: name.span(),
                            condition: e.condition.clone(),
                            body: item.clone(),
                        },
                        inline: true,
                    });
                }
            }
            None => {
                unknown = Some(
                    v.deep_unknown()
                        .unwrap_or_else(|| Unknown::new("`subnets` is not an array")),
                )
            }
        },
    }
    (
        Vnet {
            e,
            subnets_unknown: unknown,
        },
        subnets,
    )
}

/// The inline children of `key` (`securityRules`, `routes`) and, if they are not all known, why.
fn children<T>(
    e: &Entity,
    key: &str,
    make: impl Fn(UnitId, arcstr::ArcStr, Span, Tri<bool>, Value) -> T,
) -> (Vec<T>, Option<Arc<Unknown>>) {
    let mut out = Vec::new();
    let mut unknown = None;
    match e.prop(&[key]) {
        Field::Absent => {}
        Field::Present(v) => match v.as_array() {
            Some(items) => {
                out.reserve_exact(items.len());
                for item in items {
                    if let Some(u) = item.as_unknown() {
                        unknown = Some(Arc::clone(u));
                        continue;
                    }
                    // The name as users read it; without holes, the value's own string.
                    let name = match Field::at(item, &["name"]) {
                        Field::Present(n) => match n.as_arc_str() {
                            Some(s) if !hole::has_hole(s) => s.clone(),
                            Some(s) => arcstr::ArcStr::from(hole::display(s)),
                            None => arcstr::literal!("<unknown>"),
                        },
                        Field::Absent => arcstr::literal!("<unnamed>"),
                    };
                    out.push(make(
                        e.unit,
                        name,
                        item.span(),
                        e.condition.clone(),
                        item.clone(),
                    ));
                }
            }
            None => {
                unknown = Some(
                    v.deep_unknown()
                        .unwrap_or_else(|| Unknown::new(format!("`{key}` is not an array"))),
                )
            }
        },
    }
    (out, unknown)
}

/// An inline subnet that a child resource in the same unit redeclares: the child resource is
/// deployed after the VNet and wins.
fn dedupe_subnets(subnets: &mut Vec<Subnet>) {
    // A set, not a list: a tree has thousands of subnets of both forms.
    let declared: rustc_hash::FxHashSet<(UnitId, (String, String))> = subnets
        .iter()
        .filter(|s| !s.inline)
        .filter_map(|s| Some((s.e.unit, s.e.id.as_ref()?.key())))
        .collect();
    subnets.retain(|s| {
        !s.inline
            || !s
                .e
                .id
                .as_ref()
                .is_some_and(|id| declared.contains(&(s.e.unit, id.key())))
    });
}

fn index(m: &mut Model) {
    // The indexes of entities and of resources are independent: built side by side.
    let ((index, unit_index), (resource_index, existing_index)) = rayon::join(
        || entity_indexes(m),
        || rayon::join(|| key_index(&m.resources), || key_index(&m.existing)),
    );
    m.index = index;
    m.unit_index = unit_index;
    m.resource_index = resource_index;
    m.existing_index = existing_index;
    for v in &m.vnets {
        if let (Some(u), Some(id)) = (&v.subnets_unknown, &v.e.id) {
            m.vnets_with_unknown_subnets
                .entry(id.full_name.to_ascii_lowercase())
                .or_insert_with(|| Arc::clone(u));
        }
    }
}

/// The entities of every kind by resource key, and by key and unit.
fn entity_indexes(m: &Model) -> (super::EntityTable, super::UnitTable) {
    let kinds = [
        EntityKind::Workspace,
        EntityKind::Compute,
        EntityKind::Vnet,
        EntityKind::Subnet,
        EntityKind::Nsg,
        EntityKind::RouteTable,
        EntityKind::NatGateway,
        EntityKind::Firewall,
        EntityKind::PrivateEndpoint,
    ];
    let mut index = Vec::new();
    let mut unit_index = Vec::new();
    for kind in kinds {
        let count = match kind {
            EntityKind::Workspace => m.workspaces.len(),
            EntityKind::Compute => m.computes.len(),
            EntityKind::Vnet => m.vnets.len(),
            EntityKind::Subnet => m.subnets.len(),
            EntityKind::Nsg => m.nsgs.len(),
            EntityKind::RouteTable => m.route_tables.len(),
            EntityKind::NatGateway => m.nat_gateways.len(),
            EntityKind::Firewall => m.firewalls.len(),
            EntityKind::PrivateEndpoint => m.private_endpoints.len(),
        };
        for i in 0..count {
            let e = m.entity(kind, i);
            if let Some(id) = &e.id {
                let hash = id.key_hash();
                index.push((hash, (kind, i as u32)));
                unit_index.push((hash, (e.unit, kind, i as u32)));
            }
        }
    }
    // Each table sorts its entries: side by side.
    rayon::join(
        || super::KeyTable::new(index),
        || super::KeyTable::new(unit_index),
    )
}

/// Entities by resource key.
fn key_index(entities: &[Entity]) -> super::KeyTable<u32> {
    super::KeyTable::new(
        entities
            .iter()
            .enumerate()
            .filter_map(|(i, e)| Some((e.id.as_ref()?.key_hash(), i as u32)))
            .collect(),
    )
}
