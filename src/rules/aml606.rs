use super::{declare_rule, Context};
use crate::arm::hole;
use crate::arm::resource_id;
use crate::model::{Entity, EntityKind, Field, Model, Resolution, UnitId};

declare_rule! {
    /// ## What it does
    /// Reports a network security group, route table or NAT gateway that no subnet in the inputs
    /// uses (and, for an NSG, no network interface either). Where a subnet's reference is not
    /// known offline, it could be to any of them, and nothing of that kind is reported.
    ///
    /// ## Why is this bad?
    /// An NSG, route table or NAT gateway protects or routes nothing until it is associated with a
    /// subnet: the rules its author wrote are not in force. Often the association was meant to be
    /// there (a forgotten `networkSecurityGroup` on the subnet), sometimes the resource is left
    /// over and only costs money (a NAT gateway is billed by the hour).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     { "type": "Microsoft.Network/natGateways", "apiVersion": "2024-05-01", "name": "nat-ml", "sku": { "name": "Standard" } },
    ///     { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "vnet",
    ///       "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
    ///         "subnets": [{ "name": "train", "properties": { "addressPrefix": "10.0.1.0/24" } }] } }
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
    ///     { "type": "Microsoft.Network/natGateways", "apiVersion": "2024-05-01", "name": "nat-ml", "sku": { "name": "Standard" } },
    ///     { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "vnet",
    ///       "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
    ///         "subnets": [{ "name": "train", "properties": { "addressPrefix": "10.0.1.0/24",
    ///           "natGateway": { "id": "[resourceId('Microsoft.Network/natGateways', 'nat-ml')]" } } }] } }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - [Network security groups: association](https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works)
    /// - [NAT gateway overview](https://learn.microsoft.com/azure/nat-gateway/nat-overview)
    ///   (a NAT gateway serves the subnets associated with it)
    pub struct UnattachedNetworkResource {
        code: "AML606",
        name: "unattached-network-resource",
        severity: Info,
        summary: "NSG, route table or NAT gateway that no subnet in the inputs uses",
    }
}

/// What the subnets (and NICs) of the inputs use, and the kinds some unknown reference may use.
struct Uses {
    used: rustc_hash::FxHashSet<(EntityKind, usize)>,
    unknown: Vec<EntityKind>,
}

fn mark(model: &Model, uses: &mut Uses, kind: EntityKind, from: UnitId, field: Field) {
    let Field::Present(v) = field else { return };
    match model.resolve(kind, from, &v) {
        Resolution::Found(list) => uses.used.extend(list.into_iter().map(|i| (kind, i))),
        Resolution::Unresolved(_) => {
            // A known ID that names something outside the inputs uses none of ours.
            let known_elsewhere = v
                .as_str()
                .and_then(resource_id::parse)
                .is_some_and(|id| !hole::has_hole(&id.full_name));
            if !known_elsewhere && !uses.unknown.contains(&kind) {
                uses.unknown.push(kind);
            }
        }
    }
}

fn uses(model: &Model) -> Uses {
    let mut uses = Uses {
        used: rustc_hash::FxHashSet::default(),
        unknown: Vec::new(),
    };
    if model.vnets.iter().any(|v| v.subnets_unknown.is_some()) {
        uses.unknown.extend([
            EntityKind::Nsg,
            EntityKind::RouteTable,
            EntityKind::NatGateway,
        ]);
    }
    for s in &model.subnets {
        mark(model, &mut uses, EntityKind::Nsg, s.e.unit, s.nsg());
        mark(
            model,
            &mut uses,
            EntityKind::RouteTable,
            s.e.unit,
            s.route_table(),
        );
        mark(
            model,
            &mut uses,
            EntityKind::NatGateway,
            s.e.unit,
            s.nat_gateway(),
        );
    }
    for nic in &model.network_interfaces {
        mark(
            model,
            &mut uses,
            EntityKind::Nsg,
            nic.unit,
            nic.reference(&["networkSecurityGroup"]),
        );
    }
    uses
}

pub(super) fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    let uses = uses(model);
    let kinds: [(EntityKind, usize, &str); 3] = [
        (
            EntityKind::Nsg,
            model.nsgs.len(),
            "no subnet or network interface in the inputs uses it",
        ),
        (
            EntityKind::RouteTable,
            model.route_tables.len(),
            "no subnet in the inputs uses it",
        ),
        (
            EntityKind::NatGateway,
            model.nat_gateways.len(),
            "no subnet in the inputs uses it",
        ),
    ];
    for (kind, count, why) in kinds {
        if uses.unknown.contains(&kind) {
            continue;
        }
        for i in 0..count {
            if uses.used.contains(&(kind, i)) {
                continue;
            }
            let e: &Entity = model.entity(kind, i);
            let message = format!(
                "{} `{}` is not attached: {why}",
                kind.noun(),
                e.display_name()
            );
            let association = match kind {
                EntityKind::Nsg => "networkSecurityGroup",
                EntityKind::RouteTable => "routeTable",
                _ => "natGateway",
            };
            let finding = cx
                .finding(e, e.name_span.or(e.span), message)
                .label("not attached")
                .help(format!(
                    "associate it with a subnet (`\"{association}\": {{ \"id\": \"[resourceId('{}', '{}')]\" }}` in the subnet's properties), or remove it",
                    kind.arm_type(),
                    e.display_name()
                ));
            cx.report(finding);
        }
    }
}
