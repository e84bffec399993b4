//! The network that all the inputs describe together.
//!
//! Built from the evaluated resources of every unit (a template evaluated with one parameter file,
//! or an export file): workspaces, computes, virtual networks and subnets, NSGs with their rules,
//! route tables with their routes, NAT gateways, firewalls and private endpoints. Inline children
//! (`properties.subnets`, `securityRules`, `routes`) and child resources are merged. References
//! resolve by resource ID, case-insensitively, falling back to type and name where the subscription
//! or resource group is unknown, across files. Every value keeps its span.

mod build;
mod field;
#[cfg(test)]
mod tests;

pub use build::{assemble, build, unit_part, UnitInput, UnitPart};
pub use field::Field;

use crate::arm::eval::Unexpanded;
use crate::arm::hole;
use crate::arm::resource_id::{self, ResourceId};
use crate::arm::value::{Tri, Unknown, Value};
use crate::source::{FileId, Span};
use rustc_hash::{FxHashMap as HashMap, FxHashSet};
use std::sync::Arc;

/// Most declarations in other files one reference may match before amlint calls it ambiguous.
pub const MAX_CANDIDATES: usize = 32;

/// Resource types the model reads (lowercase): what the evaluator must evaluate bodies for.
pub const MODEL_TYPES: &[&str] = &[
    "microsoft.machinelearningservices/workspaces",
    "microsoft.machinelearningservices/workspaces/computes",
    "microsoft.machinelearningservices/workspaces/outboundrules",
    "microsoft.network/virtualnetworks",
    "microsoft.network/virtualnetworks/subnets",
    "microsoft.network/networksecuritygroups",
    "microsoft.network/networksecuritygroups/securityrules",
    "microsoft.network/routetables",
    "microsoft.network/routetables/routes",
    "microsoft.network/natgateways",
    "microsoft.network/azurefirewalls",
    "microsoft.network/privateendpoints",
    "microsoft.network/networkinterfaces",
    "microsoft.network/virtualnetworks/virtualnetworkpeerings",
    "microsoft.network/virtualnetworkgateways",
];

/// One evaluation: a template with one parameter file (or its defaults), or an export file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnitId(pub u32);

#[derive(Debug, Clone)]
pub struct UnitInfo {
    pub file: FileId,
    /// The parameter file this evaluation used.
    pub parameters: Option<FileId>,
}

/// What every model entity has: where it is declared and its evaluated body.
#[derive(Debug, Clone)]
pub struct Entity {
    pub unit: UnitId,
    pub full_type: Arc<str>,
    /// Full name (`vnet/snet`); may hold holes or be unknown.
    pub name: Value,
    pub id: Option<ResourceId>,
    /// The declaration (resource object, or the inline array element).
    pub span: Span,
    /// The declaration's `name`, where findings about the entity as a whole point.
    pub name_span: Span,
    pub condition: Tri<bool>,
    /// The evaluated resource or inline element, with its `properties`.
    pub body: Value,
}

impl Entity {
    /// The name as users read it: holes as `{param}`.
    pub fn display_name(&self) -> String {
        match self.name.as_str() {
            Some(s) => hole::display(s).into_owned(),
            None => match &self.id {
                Some(id) => hole::display(&id.full_name).into_owned(),
                None => "<unknown>".to_owned(),
            },
        }
    }

    /// A property under `properties`.
    pub fn prop(&self, path: &[&str]) -> Field {
        under_properties(path, |full| Field::at(&self.body, full))
    }

    /// A reference property (`{ "id": ... }`) under `properties`.
    pub fn reference(&self, path: &[&str]) -> Field {
        under_properties(path, |full| Field::reference(&self.body, full))
    }

    /// The span of a property under `properties`, or of the declaration.
    pub fn span_of(&self, path: &[&str]) -> Span {
        self.prop(path)
            .value()
            .map_or(self.span, |v| v.span().or(self.span))
    }
}

/// `read` of `path` under `properties`: the full path on the stack (rules read properties of
/// every entity, often several times over).
fn under_properties<T>(path: &[&str], read: impl FnOnce(&[&str]) -> T) -> T {
    const MAX: usize = 8;
    if path.len() < MAX {
        let mut full = [""; MAX];
        full[0] = "properties";
        full[1..=path.len()].copy_from_slice(path);
        read(&full[..=path.len()])
    } else {
        let mut full = Vec::with_capacity(path.len() + 1);
        full.push("properties");
        full.extend_from_slice(path);
        read(&full)
    }
}

/// What a compute is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComputeKind {
    /// `ComputeInstance`.
    Instance,
    /// `AmlCompute` (a compute cluster).
    Cluster,
    /// Serverless compute, configured on the workspace.
    Serverless,
    /// Attached and other compute types (`Kubernetes`, `VirtualMachine`, ...).
    Other(String),
    /// `computeType` is not known offline.
    Unknown(Arc<Unknown>),
}

#[derive(Debug, Clone)]
pub struct Workspace {
    pub e: Entity,
    /// Managed network outbound rules: `managedNetwork.outboundRules` and child resources.
    pub outbound_rules: Vec<OutboundRule>,
    /// Set when some outbound rules are not known.
    pub outbound_unknown: Option<Arc<Unknown>>,
    /// [`Workspace::managed_network`], read once.
    pub managed: std::sync::OnceLock<Tri<bool>>,
}

/// A managed network outbound rule (`FQDN`, `PrivateEndpoint`, `ServiceTag`).
#[derive(Debug, Clone)]
pub struct OutboundRule {
    pub unit: UnitId,
    pub name: String,
    pub span: Span,
    /// The rule object: `type`, `destination`, `category`.
    pub rule: Value,
}

impl OutboundRule {
    pub fn field(&self, key: &str) -> Field {
        Field::at(&self.rule, &[key])
    }
}

impl Workspace {
    /// `managedNetwork.isolationMode`.
    pub fn isolation_mode(&self) -> Field {
        self.e.prop(&["managedNetwork", "isolationMode"])
    }

    /// Whether the workspace reports private endpoint connections of its own
    /// (`properties.privateEndpointConnections`, as exports of live workspaces have).
    pub fn has_private_endpoint_connections(&self) -> bool {
        self.e
            .prop(&["privateEndpointConnections"])
            .value()
            .and_then(|v| v.as_array())
            .is_some_and(|a| !a.is_empty())
    }

    /// Whether computes run in the workspace's managed network: `Known(false)` when the mode is
    /// absent or `Disabled`.
    pub fn managed_network(&self) -> Tri<bool> {
        self.managed
            .get_or_init(|| self.read_managed_network())
            .clone()
    }

    fn read_managed_network(&self) -> Tri<bool> {
        match self.isolation_mode() {
            Field::Absent => Tri::Known(false),
            Field::Present(v) => match v.as_known_str() {
                Some(mode) => Tri::Known(
                    mode.eq_ignore_ascii_case("AllowInternetOutbound")
                        || mode.eq_ignore_ascii_case("AllowOnlyApprovedOutbound"),
                ),
                None => Tri::Unknown(
                    v.deep_unknown()
                        .unwrap_or_else(|| Unknown::new("`isolationMode` is not a string")),
                ),
            },
        }
    }
}

#[derive(Debug, Clone)]
pub struct Compute {
    pub e: Entity,
    pub kind: ComputeKind,
    /// The workspace the compute belongs to (by ID).
    pub workspace: Option<ResourceId>,
    /// The subnet reference: `properties.properties.subnet.id`, or the workspace's
    /// `serverlessComputeCustomSubnet`.
    pub subnet: Field,
    /// The span of the `subnet` property (or the compute).
    pub subnet_span: Span,
    /// `enableNodePublicIp` (or, for serverless, the negation of `serverlessComputeNoPublicIP`).
    pub public_ip: Field,
    /// The workspaces `workspace` resolves to (indexes into [`Model::workspaces`]), once asked.
    pub workspaces: std::sync::OnceLock<Vec<usize>>,
}

impl Compute {
    /// Whether the compute has a public IP: absent means yes (the API default).
    pub fn has_public_ip(&self) -> Tri<bool> {
        match &self.public_ip {
            Field::Absent => Tri::Known(true),
            Field::Present(v) => match v.as_bool() {
                Some(b) => Tri::Known(if self.kind == ComputeKind::Serverless {
                    !b
                } else {
                    b
                }),
                None => Tri::Unknown(v.deep_unknown().unwrap_or_else(|| {
                    Unknown::new(format!("`enableNodePublicIp` is a {}", v.type_name()))
                })),
            },
        }
    }

    /// The span that decides the public IP: the property, or the compute when it is absent.
    pub fn public_ip_span(&self) -> Span {
        self.public_ip
            .value()
            .map_or(self.e.name_span.or(self.e.span), |v| {
                v.span().or(self.e.span)
            })
    }
}

#[derive(Debug, Clone)]
pub struct Vnet {
    pub e: Entity,
    /// Set when the VNet's inline `subnets` are not known: subnets may be missing from the model.
    pub subnets_unknown: Option<Arc<Unknown>>,
}

#[derive(Debug, Clone)]
pub struct Subnet {
    pub e: Entity,
    /// Declared inline in the VNet's `properties.subnets` rather than as a child resource.
    pub inline: bool,
}

impl Subnet {
    pub fn nat_gateway(&self) -> Field {
        self.e.reference(&["natGateway"])
    }

    pub fn route_table(&self) -> Field {
        self.e.reference(&["routeTable"])
    }

    pub fn nsg(&self) -> Field {
        self.e.reference(&["networkSecurityGroup"])
    }
}

/// An NSG rule, inline or a child resource.
#[derive(Debug, Clone)]
pub struct NsgRule {
    pub unit: UnitId,
    pub name: arcstr::ArcStr,
    pub span: Span,
    pub condition: Tri<bool>,
    /// The rule object, with `properties`.
    pub body: Value,
    /// The fields as the NSG evaluator reads them, read once (`net::nsg::RuleView`).
    pub fields: std::sync::OnceLock<crate::net::nsg::RuleFields>,
}

impl NsgRule {
    pub fn new(
        unit: UnitId,
        name: arcstr::ArcStr,
        span: Span,
        condition: Tri<bool>,
        body: Value,
    ) -> Self {
        NsgRule {
            unit,
            name,
            span,
            condition,
            body,
            fields: std::sync::OnceLock::new(),
        }
    }

    pub fn prop(&self, key: &str) -> Field {
        Field::at(&self.body, &["properties", key])
    }
}

#[derive(Debug, Clone)]
pub struct Nsg {
    pub e: Entity,
    pub rules: Vec<NsgRule>,
    /// Set when some rules are not known (an unknown `securityRules` array).
    pub rules_unknown: Option<Arc<Unknown>>,
    /// The indexes of the rules whose priority is known, by priority (equal ones in document
    /// order): worked out when first asked for ([`crate::net::nsg::evaluate`]), once the model is
    /// assembled and child rules have joined their NSG.
    pub by_priority: std::sync::OnceLock<Vec<u32>>,
}

/// A route, inline or a child resource.
#[derive(Debug, Clone)]
pub struct Route {
    pub unit: UnitId,
    pub name: arcstr::ArcStr,
    pub span: Span,
    pub condition: Tri<bool>,
    pub body: Value,
}

impl Route {
    pub fn prop(&self, key: &str) -> Field {
        Field::at(&self.body, &["properties", key])
    }
}

#[derive(Debug, Clone)]
pub struct RouteTable {
    pub e: Entity,
    pub routes: Vec<Route>,
    pub routes_unknown: Option<Arc<Unknown>>,
}

#[derive(Debug, Clone)]
pub struct PrivateEndpoint {
    pub e: Entity,
}

/// One connection of a private endpoint: the resource it connects to and the group IDs.
#[derive(Debug, Clone)]
pub struct PrivateLink {
    pub target: Field,
    pub group_ids: Field,
    pub span: Span,
}

impl PrivateEndpoint {
    /// The endpoint's connections (automatic and manual).
    pub fn links(&self) -> Vec<PrivateLink> {
        let mut out = Vec::new();
        for list in [
            "privateLinkServiceConnections",
            "manualPrivateLinkServiceConnections",
        ] {
            match self.e.prop(&[list]) {
                Field::Present(v) => match v.as_array() {
                    Some(items) => {
                        for item in items {
                            out.push(PrivateLink {
                                target: Field::at(item, &["properties", "privateLinkServiceId"]),
                                group_ids: Field::at(item, &["properties", "groupIds"]),
                                span: item.span().or(self.e.span),
                            });
                        }
                    }
                    None => out.push(PrivateLink {
                        target: Field::Present(v.clone()),
                        group_ids: Field::Present(v.clone()),
                        span: v.span().or(self.e.span),
                    }),
                },
                Field::Absent => {}
            }
        }
        out
    }
}

/// A virtual network peering: the VNet it belongs to, and its settings.
#[derive(Debug, Clone)]
pub struct Peering {
    pub unit: UnitId,
    pub name: String,
    /// The VNet the peering is declared on.
    pub vnet: ResourceId,
    pub span: Span,
    /// The peering object, with `properties`.
    pub body: Value,
}

/// The kinds of entity references resolve to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntityKind {
    Workspace,
    Compute,
    Vnet,
    Subnet,
    Nsg,
    RouteTable,
    NatGateway,
    Firewall,
    PrivateEndpoint,
}

impl EntityKind {
    /// The ARM type this kind is.
    pub fn arm_type(self) -> &'static str {
        match self {
            EntityKind::Workspace => "Microsoft.MachineLearningServices/workspaces",
            EntityKind::Compute => "Microsoft.MachineLearningServices/workspaces/computes",
            EntityKind::Vnet => "Microsoft.Network/virtualNetworks",
            EntityKind::Subnet => "Microsoft.Network/virtualNetworks/subnets",
            EntityKind::Nsg => "Microsoft.Network/networkSecurityGroups",
            EntityKind::RouteTable => "Microsoft.Network/routeTables",
            EntityKind::NatGateway => "Microsoft.Network/natGateways",
            EntityKind::Firewall => "Microsoft.Network/azureFirewalls",
            EntityKind::PrivateEndpoint => "Microsoft.Network/privateEndpoints",
        }
    }

    /// The kind in words, for messages.
    pub fn noun(self) -> &'static str {
        match self {
            EntityKind::Workspace => "workspace",
            EntityKind::Compute => "compute",
            EntityKind::Vnet => "virtual network",
            EntityKind::Subnet => "subnet",
            EntityKind::Nsg => "network security group",
            EntityKind::RouteTable => "route table",
            EntityKind::NatGateway => "NAT gateway",
            EntityKind::Firewall => "firewall",
            EntityKind::PrivateEndpoint => "private endpoint",
        }
    }
}

/// What a reference resolves to.
#[derive(Debug, Clone)]
pub enum Resolution {
    /// Indexes into the model's list for the kind. More than one when the referenced resource is
    /// declared by a template evaluated with several parameter files: a verdict must hold for all.
    Found(Vec<usize>),
    /// Not resolvable, with the reason.
    Unresolved(Arc<Unknown>),
}

/// Whether a group ID list names the workspace API (`amlworkspace`); absent counts as yes.
fn names_workspace_group(group_ids: &Field) -> Tri<bool> {
    match group_ids {
        Field::Absent => Tri::Known(true),
        Field::Present(v) => match v.as_array() {
            Some(items) => {
                let mut unknown = None;
                for item in items {
                    match item.as_known_str() {
                        Some(g) if g.eq_ignore_ascii_case("amlworkspace") => {
                            return Tri::Known(true)
                        }
                        Some(_) => {}
                        None => unknown = unknown.or_else(|| item.deep_unknown()),
                    }
                }
                unknown.map_or(Tri::Known(false), Tri::Unknown)
            }
            None => Tri::Unknown(
                v.deep_unknown()
                    .unwrap_or_else(|| Unknown::new("`groupIds` is not an array")),
            ),
        },
    }
}

/// The whole network.
#[derive(Debug, Default)]
pub struct Model {
    pub units: Vec<UnitInfo>,
    pub workspaces: Vec<Workspace>,
    pub computes: Vec<Compute>,
    pub vnets: Vec<Vnet>,
    pub subnets: Vec<Subnet>,
    pub nsgs: Vec<Nsg>,
    pub route_tables: Vec<RouteTable>,
    pub nat_gateways: Vec<Entity>,
    pub firewalls: Vec<Entity>,
    pub private_endpoints: Vec<PrivateEndpoint>,
    /// Network interfaces: they can use an NSG too.
    pub network_interfaces: Vec<Entity>,
    /// Virtual network peerings, inline and child resources.
    pub peerings: Vec<Peering>,
    /// Virtual network gateways (VPN, ExpressRoute): they can advertise routes by BGP.
    pub gateways: Vec<Entity>,
    /// The evaluated resources declarative rules look at: those of the types they name, and of
    /// those types' parents.
    pub resources: Vec<Entity>,
    /// Resources declared `existing`: referenced, configured elsewhere.
    pub existing: Vec<Entity>,
    pub unexpanded: Vec<(UnitId, Unexpanded)>,
    /// Entities of every kind by resource key.
    index: EntityTable,
    /// The same, per unit: references resolve in their own unit first.
    unit_index: UnitTable,
    /// `existing` declarations by key.
    existing_index: KeyTable<u32>,
    /// VNets (lowercase name) whose subnets are not all known, and why.
    vnets_with_unknown_subnets: HashMap<String, Arc<Unknown>>,
    private_links: std::sync::OnceLock<PrivateLinks>,
    /// `resources` by key.
    resource_index: KeyTable<u32>,
    /// Resolutions already made: rules ask about the same references many times.
    resolved: std::sync::Mutex<Resolved>,
}

/// Resolutions by the kind asked for, the unit asking and the reference's text.
type Resolved = HashMap<(EntityKind, UnitId, arcstr::ArcStr), Resolution>;

/// Entries by the hash of a resource key ([`ResourceId::key_hash`]), sorted: 8 bytes of key per
/// entry and no allocation per key. A hash may stand for more than one key, so whoever reads an
/// entry checks the entity's ID.
///
/// A directory by the top bits of the hash (about one bucket per four entries) narrows a look-up
/// to a few neighbouring entries: a binary search over the whole table would touch a cache line
/// per step.
#[derive(Debug)]
struct KeyTable<T> {
    entries: Vec<(u64, T)>,
    /// How many top bits of a hash pick its bucket.
    bits: u32,
    /// The first entry of each bucket, and the number of entries at the end.
    directory: Vec<u32>,
}

/// Entities (kind and position) by resource key.
type EntityTable = KeyTable<(EntityKind, u32)>;

/// Entities by resource key, then unit.
type UnitTable = KeyTable<(UnitId, EntityKind, u32)>;

impl<T> Default for KeyTable<T> {
    fn default() -> Self {
        KeyTable {
            entries: Vec::new(),
            bits: 0,
            directory: vec![0, 0],
        }
    }
}

impl<T: Copy + Ord> KeyTable<T> {
    fn new(mut entries: Vec<(u64, T)>) -> Self {
        entries.sort_unstable();
        // About four entries per bucket: log2(len / 4), at most 2^20 buckets.
        let bits = (entries.len() / 4).checked_ilog2().map_or(0, |b| b.min(20));
        let buckets = 1usize << bits;
        let mut directory = Vec::with_capacity(buckets + 1);
        let mut i = 0;
        for b in 0..buckets {
            while i < entries.len() && bucket(entries[i].0, bits) < b {
                i += 1;
            }
            directory.push(i as u32);
        }
        directory.push(entries.len() as u32);
        KeyTable {
            entries,
            bits,
            directory,
        }
    }

    /// The entries whose key hashes as `id`'s does, in order.
    fn get(&self, id: &ResourceId) -> &[(u64, T)] {
        self.by_hash(id.key_hash())
    }

    fn by_hash(&self, hash: u64) -> &[(u64, T)] {
        let b = bucket(hash, self.bits);
        let (lo, hi) = (self.directory[b] as usize, self.directory[b + 1] as usize);
        let near = &self.entries[lo..hi];
        let start = near.partition_point(|(h, _)| *h < hash);
        let len = near[start..].partition_point(|(h, _)| *h == hash);
        &near[start..start + len]
    }
}

/// The bucket of a hash: its top `bits` bits.
fn bucket(hash: u64, bits: u32) -> usize {
    if bits == 0 {
        0
    } else {
        (hash >> (64 - bits)) as usize
    }
}

/// Which workspaces private endpoints connect to.
#[derive(Debug, Default)]
struct PrivateLinks {
    connected: FxHashSet<usize>,
    /// Workspaces an endpoint may connect to, with why it is not known.
    unknown: HashMap<usize, Arc<Unknown>>,
    /// An endpoint whose target is not known: it may connect to any workspace.
    unknown_any: Option<Arc<Unknown>>,
}

impl Model {
    pub fn unit(&self, id: UnitId) -> &UnitInfo {
        &self.units[id.0 as usize]
    }

    /// The entity header of any kind.
    pub fn entity(&self, kind: EntityKind, i: usize) -> &Entity {
        match kind {
            EntityKind::Workspace => &self.workspaces[i].e,
            EntityKind::Compute => &self.computes[i].e,
            EntityKind::Vnet => &self.vnets[i].e,
            EntityKind::Subnet => &self.subnets[i].e,
            EntityKind::Nsg => &self.nsgs[i].e,
            EntityKind::RouteTable => &self.route_tables[i].e,
            EntityKind::NatGateway => &self.nat_gateways[i],
            EntityKind::Firewall => &self.firewalls[i],
            EntityKind::PrivateEndpoint => &self.private_endpoints[i].e,
        }
    }

    /// Whether a private endpoint connects to workspace `ws` (index) with group `amlworkspace`:
    /// one in the inputs, or the connections an exported workspace lists. Unknown when an
    /// endpoint's target or groups are not known and it could be one.
    pub fn workspace_has_private_endpoint(&self, ws: usize) -> Tri<bool> {
        if self.workspaces[ws].has_private_endpoint_connections() {
            return Tri::Known(true);
        }
        let links = self
            .private_links
            .get_or_init(|| self.index_private_links());
        if links.connected.contains(&ws) {
            return Tri::Known(true);
        }
        match links.unknown.get(&ws).or(links.unknown_any.as_ref()) {
            Some(u) => Tri::Unknown(Arc::clone(u)),
            None => Tri::Known(false),
        }
    }

    /// Which workspaces the private endpoints connect to, resolved once for all.
    fn index_private_links(&self) -> PrivateLinks {
        let mut links = PrivateLinks::default();
        for pe in &self.private_endpoints {
            for link in pe.links() {
                let Field::Present(target) = &link.target else {
                    continue;
                };
                let because = |u: &Arc<Unknown>| {
                    Unknown::new(format!(
                        "private endpoint `{}` may connect to it: {}",
                        pe.e.display_name(),
                        u.reason
                    ))
                };
                let groups = names_workspace_group(&link.group_ids);
                match self.resolve(EntityKind::Workspace, pe.e.unit, target) {
                    Resolution::Found(list) => {
                        for ws in list {
                            match &groups {
                                Tri::Known(true) => {
                                    links.connected.insert(ws);
                                }
                                Tri::Known(false) => {}
                                Tri::Unknown(u) => {
                                    links.unknown.entry(ws).or_insert_with(|| because(u));
                                }
                            }
                        }
                    }
                    Resolution::Unresolved(u) => {
                        let could_be_any = match target.as_str().and_then(resource_id::parse) {
                            // A workspace that is not in the inputs, unless its name is not known.
                            Some(id) => {
                                id.full_type
                                    .eq_ignore_ascii_case(EntityKind::Workspace.arm_type())
                                    && hole::has_hole(&id.full_name)
                            }
                            None => true,
                        };
                        if could_be_any
                            && groups != Tri::Known(false)
                            && links.unknown_any.is_none()
                        {
                            links.unknown_any = Some(because(&u));
                        }
                    }
                }
            }
        }
        links
    }

    /// A resource's parent (a compute's workspace), when the inputs declare it: in the same unit
    /// if there, else the first elsewhere.
    pub fn parent_resource(&self, e: &Entity) -> Option<&Entity> {
        let parent = e.id.as_ref()?.parent()?;
        let list = self.resource_index.get(&parent);
        let matching = || {
            list.iter()
                .map(|&(_, i)| &self.resources[i as usize])
                .filter(|r| r.id.as_ref().is_some_and(|x| x.matches(&parent)))
        };
        matching()
            .find(|r| r.unit == e.unit)
            .or_else(|| matching().next())
    }

    /// What may advertise routes into a subnet's virtual network by BGP (a default route to
    /// on-premises, say): a peering that uses the remote VNet's gateways, or a gateway in the VNet.
    /// Each with its span and a description.
    pub fn bgp_sources(&self, subnet: &Subnet) -> Vec<(Span, String)> {
        let Some(vnet_name) = subnet
            .e
            .id
            .as_ref()
            .and_then(|id| id.full_name.split('/').next().map(str::to_owned))
        else {
            return Vec::new();
        };
        let in_vnet = |id: &ResourceId| {
            id.full_type
                .eq_ignore_ascii_case(EntityKind::Vnet.arm_type())
                && id.full_name.eq_ignore_ascii_case(&vnet_name)
        };
        let mut out = Vec::new();
        for p in &self.peerings {
            if !in_vnet(&p.vnet) {
                continue;
            }
            let remote = Field::at(&p.body, &["properties", "useRemoteGateways"]);
            if remote.value().and_then(Value::as_bool) != Some(false) && !remote.is_absent() {
                out.push((
                    p.span,
                    format!(
                        "peering `{}` uses the remote virtual network's gateways",
                        p.name
                    ),
                ));
            }
        }
        for g in &self.gateways {
            let Field::Present(configs) = g.prop(&["ipConfigurations"]) else {
                continue;
            };
            for c in configs.as_array().unwrap_or_default() {
                let Field::Present(sid) = Field::reference(c, &["properties", "subnet"]) else {
                    continue;
                };
                let vnet_of = sid.as_str().and_then(resource_id::parse).and_then(|id| {
                    let (vnet, _) = id.full_name.split_once('/')?;
                    Some(vnet.to_owned())
                });
                let same = match vnet_of {
                    Some(v) => v.eq_ignore_ascii_case(&vnet_name),
                    None => true,
                };
                if same {
                    out.push((
                        g.name_span.or(g.span),
                        format!("virtual network gateway `{}`", g.display_name()),
                    ));
                }
            }
        }
        out
    }

    /// The entities of `kind` in unit `unit` that the resource `id` may be.
    fn candidates_in_unit(&self, kind: EntityKind, id: &ResourceId, unit: UnitId) -> Vec<usize> {
        let list = self.unit_index.get(id);
        let start = list.partition_point(|(_, (u, k, _))| (*u, *k) < (unit, kind));
        list[start..]
            .iter()
            .take_while(|(_, (u, k, _))| (*u, *k) == (unit, kind))
            .map(|&(_, (_, _, i))| i as usize)
            .filter(|&i| {
                self.entity(kind, i)
                    .id
                    .as_ref()
                    .is_some_and(|e| e.matches(id))
            })
            .collect()
    }

    /// The entities of `kind` in files other than `file` that the resource `id` may be; `Err`
    /// with their number when there are more than [`MAX_CANDIDATES`].
    fn candidates_elsewhere(
        &self,
        kind: EntityKind,
        id: &ResourceId,
        file: FileId,
    ) -> Result<Vec<usize>, usize> {
        let list = self.index.get(id);
        let start = list.partition_point(|(_, (k, _))| *k < kind);
        let of_kind = || {
            list[start..]
                .iter()
                .take_while(|(_, (k, _))| *k == kind)
                .map(|&(_, (_, i))| i as usize)
                .filter(|&i| {
                    self.entity(kind, i)
                        .id
                        .as_ref()
                        .is_some_and(|e| e.same_key(id))
                })
        };
        let mut out = Vec::new();
        for i in of_kind() {
            let e = self.entity(kind, i);
            if self.unit(e.unit).file == file || !e.id.as_ref().is_some_and(|x| x.matches(id)) {
                continue;
            }
            out.push(i);
            if out.len() > MAX_CANDIDATES {
                return Err(of_kind().count());
            }
        }
        Ok(out)
    }

    /// Resolves a reference made from `from` to an entity of `kind`.
    ///
    /// A declaration in the same unit wins; otherwise declarations in other files count, but not
    /// the other parameter-file evaluations of the same template (those are other deployments of
    /// the same thing, not neighbours).
    pub fn resolve(&self, kind: EntityKind, from: UnitId, reference: &Value) -> Resolution {
        let Some(text) = reference.as_arc_str() else {
            return self.resolve_uncached(kind, from, reference);
        };
        let key = (kind, from, text.clone());
        if let Some(r) = self.lock_resolved().get(&key) {
            return r.clone();
        }
        let r = self.resolve_uncached(kind, from, reference);
        self.lock_resolved().insert(key, r.clone());
        r
    }

    /// The memo of resolutions; a poisoned lock (a panicking rule) still holds valid entries.
    fn lock_resolved(&self) -> std::sync::MutexGuard<'_, Resolved> {
        self.resolved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn resolve_uncached(&self, kind: EntityKind, from: UnitId, reference: &Value) -> Resolution {
        let Some(text) = reference.as_str() else {
            return Resolution::Unresolved(reference.deep_unknown().unwrap_or_else(|| {
                Unknown::new(format!("the {} reference is not a string", kind.noun()))
            }));
        };
        let Some(id) = resource_id::parse(text) else {
            let reason = hole::reason(text)
                .filter(|_| hole::has_hole(text))
                .unwrap_or_else(|| format!("`{}` is not a resource ID", hole::display(text)));
            return Resolution::Unresolved(Unknown::new(reason));
        };
        self.resolve_id(kind, from, &id)
    }

    /// Like [`Model::resolve`], for a parsed ID.
    pub fn resolve_id(&self, kind: EntityKind, from: UnitId, id: &ResourceId) -> Resolution {
        if !id.full_type.eq_ignore_ascii_case(kind.arm_type()) {
            return Resolution::Unresolved(Unknown::new(format!(
                "`{}` is a `{}`, not a {}",
                hole::display(&id.full_name),
                id.full_type,
                kind.noun()
            )));
        }
        let same = self.candidates_in_unit(kind, id, from);
        if !same.is_empty() {
            return Resolution::Found(same);
        }
        let elsewhere = self.candidates_elsewhere(kind, id, self.unit(from).file);
        if let Ok(others) = elsewhere.as_ref() {
            if !others.is_empty() {
                return Resolution::Found(others.clone());
            }
        }
        let shown = hole::display(&id.full_name);
        match elsewhere {
            Ok(_) => {}
            Err(count) => {
                return Resolution::Unresolved(Unknown::new(format!(
                    "{} `{shown}` is declared {count} times in the inputs, in files whose subscription and resource group are not known; amlint cannot tell which one this is",
                    kind.noun()
                )))
            }
        }
        if hole::has_hole(&id.full_name) {
            let reason = hole::reason(&id.full_name).unwrap_or_default();
            return Resolution::Unresolved(Unknown::new(format!(
                "the name of {} `{shown}` is not known: {reason}",
                kind.noun()
            )));
        }
        let existing = self.existing_index.get(id).iter().any(|&(_, i)| {
            self.existing[i as usize]
                .id
                .as_ref()
                .is_some_and(|e| e.matches(id))
        });
        if existing {
            return Resolution::Unresolved(Unknown::new(format!(
                "{} `{shown}` is declared `existing`; its configuration is not in the inputs",
                kind.noun()
            )));
        }
        let parent_unknown = match kind {
            EntityKind::Subnet => id.full_name.split('/').next().and_then(|vnet| {
                self.vnets_with_unknown_subnets
                    .get(&vnet.to_ascii_lowercase())
            }),
            _ => None,
        };
        if let Some(u) = parent_unknown {
            return Resolution::Unresolved(Unknown::new(format!(
                "the subnets of the virtual network of `{shown}` are not known: {}",
                u.reason
            )));
        }
        if let Some((_, un)) = self.unexpanded.iter().find(|(_, un)| {
            un.full_type.as_deref().is_some_and(|t| {
                kind.arm_type()
                    .to_ascii_lowercase()
                    .starts_with(&t.to_ascii_lowercase())
            })
        }) {
            return Resolution::Unresolved(Unknown::new(format!(
                "{} `{shown}` is not declared in the inputs, unless by a loop amlint cannot expand ({})",
                kind.noun(),
                un.reason
            )));
        }
        Resolution::Unresolved(Unknown::new(format!(
            "{} `{shown}` is not declared in the inputs",
            kind.noun()
        )))
    }
}
