use super::common::{self, combine, Combined};
use super::{declare_rule, Context};
use crate::arm::value::Unknown;
use crate::model::{Compute, ComputeKind, Nsg, Subnet};
use crate::net::endpoint::Endpoint;
use crate::net::nsg::{evaluate, Decider, Direction, Protocol, Traffic, Verdict};
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

declare_rule! {
    /// ## What it does
    /// Reports a compute whose subnet's network security group denies outbound traffic that Azure
    /// Machine Learning requires, listing every blocked requirement in one finding:
    ///
    /// | service tag | traffic |
    /// |---|---|
    /// | `AzureActiveDirectory` | TCP 80, 443 |
    /// | `AzureMachineLearning` | TCP 443, 18881; UDP 5831 |
    /// | `BatchNodeManagement.<region>` | TCP 443 |
    /// | `AzureResourceManager` | TCP 443 |
    /// | `Storage.<region>` | TCP 443 |
    /// | `AzureFrontDoor.FrontEnd` | TCP 443 |
    /// | `MicrosoftContainerRegistry.<region>` | TCP 443 |
    ///
    /// `<region>` is the compute's (or its workspace's) location. The NSG is evaluated with
    /// priorities, the default rules (`AllowInternetOutBound` admits all of these unless a rule
    /// denies them first), `Internet`, `*`, tags and their regional forms, port ranges and protocol
    /// `*`. A verdict that depends on an unknown value is AML002. Situational requirements
    /// (`AzureMonitor`, `Keyvault.<region>`, RStudio's 8787) are not checked.
    ///
    /// ## Why is this bad?
    /// A compute that cannot reach these services cannot authenticate, download its image, mount
    /// its datastores or report to the workspace: it fails to start, or jobs fail.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     { "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-05-01", "name": "nsg-ml",
    ///       "properties": { "securityRules": [
    ///         { "name": "DenyInternetOutbound", "properties": { "priority": 4000, "direction": "Outbound", "access": "Deny",
    ///           "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*",
    ///           "destinationAddressPrefix": "Internet", "destinationPortRange": "*" } } ] } },
    ///     { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "vnet",
    ///       "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
    ///         "subnets": [{ "name": "train", "properties": { "addressPrefix": "10.0.1.0/24",
    ///           "networkSecurityGroup": { "id": "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-ml')]" } } }] } },
    ///     { "type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2024-04-01", "name": "ws/cpu", "location": "westeurope",
    ///       "properties": { "computeType": "AmlCompute",
    ///         "properties": { "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'train')]" } } } }
    ///   ]
    /// }
    /// ```
    ///
    /// Use instead: allow the services before the deny rule.
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     { "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-05-01", "name": "nsg-ml",
    ///       "properties": { "securityRules": [
    ///         { "name": "AllowAzureCloudOutbound", "properties": { "priority": 100, "direction": "Outbound", "access": "Allow",
    ///           "protocol": "*", "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*",
    ///           "destinationAddressPrefix": "AzureCloud", "destinationPortRanges": ["80", "443", "5831", "18881"] } },
    ///         { "name": "DenyInternetOutbound", "properties": { "priority": 4000, "direction": "Outbound", "access": "Deny",
    ///           "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*",
    ///           "destinationAddressPrefix": "Internet", "destinationPortRange": "*" } } ] } },
    ///     { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "vnet",
    ///       "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
    ///         "subnets": [{ "name": "train", "properties": { "addressPrefix": "10.0.1.0/24",
    ///           "networkSecurityGroup": { "id": "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-ml')]" } } }] } },
    ///     { "type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2024-04-01", "name": "ws/cpu", "location": "westeurope",
    ///       "properties": { "computeType": "AmlCompute",
    ///         "properties": { "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'train')]" } } } }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - [Configure inbound and outbound network traffic](https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall)
    ///   (the outbound service tags and ports; `includes/machine-learning-public-internet-access.md`)
    /// - [Network security groups: default security rules](https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules)
    pub struct RequiredOutboundBlocked {
        code: "AML204",
        name: "required-outbound-blocked",
        severity: Error,
        summary: "compute subnet NSG that denies outbound traffic AML requires",
    }
}

/// One outbound requirement: a service tag (regional or not), a protocol and a port.
struct Need {
    tag: &'static str,
    regional: bool,
    protocol: Protocol,
    port: u16,
}

const NEEDS: &[Need] = &[
    Need {
        tag: "AzureActiveDirectory",
        regional: false,
        protocol: Protocol::Tcp,
        port: 80,
    },
    Need {
        tag: "AzureActiveDirectory",
        regional: false,
        protocol: Protocol::Tcp,
        port: 443,
    },
    Need {
        tag: "AzureMachineLearning",
        regional: false,
        protocol: Protocol::Tcp,
        port: 443,
    },
    Need {
        tag: "AzureMachineLearning",
        regional: false,
        protocol: Protocol::Tcp,
        port: 18881,
    },
    Need {
        tag: "AzureMachineLearning",
        regional: false,
        protocol: Protocol::Udp,
        port: 5831,
    },
    Need {
        tag: "BatchNodeManagement",
        regional: true,
        protocol: Protocol::Tcp,
        port: 443,
    },
    Need {
        tag: "AzureResourceManager",
        regional: false,
        protocol: Protocol::Tcp,
        port: 443,
    },
    Need {
        tag: "Storage",
        regional: true,
        protocol: Protocol::Tcp,
        port: 443,
    },
    Need {
        tag: "AzureFrontDoor.FrontEnd",
        regional: false,
        protocol: Protocol::Tcp,
        port: 443,
    },
    Need {
        tag: "MicrosoftContainerRegistry",
        regional: true,
        protocol: Protocol::Tcp,
        port: 443,
    },
];

#[derive(Clone)]
struct Blocked<'m> {
    what: String,
    nsg: &'m Nsg,
    decider: Decider<'m>,
}

/// What an NSG blocks for a subnet in a region, computed once per combination: many computes
/// share a subnet.
type Memo<'m> = HashMap<
    (*const Nsg, *const Subnet, Result<String, ()>),
    (Vec<Blocked<'m>>, Option<Arc<Unknown>>),
>;

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
    let region = common::region(cx, compute);
    // Every configuration (parameter file) must block; the first one's list is reported.
    let mut verdict: Option<Combined<(&'m Subnet, Vec<Blocked<'m>>)>> = None;
    for subnet in subnets {
        let Some(nsgs) = common::subnet_nsgs(cx, compute, subnet) else {
            return;
        };
        if nsgs.is_empty() {
            verdict = Some(combine(verdict, Combined::Passes));
        }
        let source = Endpoint::Subnet {
            prefixes: common::subnet_prefixes(subnet),
        };
        for nsg in nsgs {
            let key = (nsg as *const Nsg, subnet as *const Subnet, region.clone());
            let found = memo
                .entry(key)
                .or_insert_with(|| blocked_by(nsg, &source, &region))
                .clone();
            let outcome = match found {
                (blocked, _) if !blocked.is_empty() => Combined::Fails((subnet, blocked)),
                (_, Some(u)) => Combined::Unknown(u),
                (_, None) => Combined::Passes,
            };
            verdict = Some(combine(verdict, outcome));
        }
    }
    match verdict {
        Some(Combined::Fails((subnet, blocked))) => report(cx, compute, subnet, blocked),
        Some(Combined::Unknown(u)) => cx.unverifiable(&compute.e, common::subnet_span(compute), u),
        _ => {}
    }
}

/// The requirements an NSG denies, and the first unknown among the others.
fn blocked_by<'m>(
    nsg: &'m Nsg,
    source: &Endpoint,
    region: &Result<String, ()>,
) -> (Vec<Blocked<'m>>, Option<Arc<Unknown>>) {
    let mut blocked = Vec::new();
    let mut unknown = None;
    for need in NEEDS {
        let (destination, shown) = if need.regional {
            let shown = match region {
                Ok(r) => format!("{}.{r}", need.tag),
                Err(()) => format!("{}.<region>", need.tag),
            };
            (common::regional_service(need.tag, region), shown)
        } else {
            (Endpoint::service(need.tag), need.tag.to_owned())
        };
        let t = Traffic {
            direction: Direction::Outbound,
            protocol: need.protocol,
            source: source.clone(),
            destination,
            port: need.port,
        };
        match evaluate(nsg, &t) {
            Verdict::Deny(decider) => blocked.push(Blocked {
                what: format!("{} {} to `{shown}`", need.protocol, need.port),
                nsg,
                decider,
            }),
            Verdict::Allow(_) => {}
            Verdict::Unknown(u) => {
                unknown.get_or_insert(u);
            }
        }
    }
    (blocked, unknown)
}

fn report(cx: &mut Context<'_>, compute: &Compute, subnet: &Subnet, blocked: Vec<Blocked<'_>>) {
    let nsg = blocked[0].nsg;
    let list: Vec<&str> = blocked.iter().map(|b| b.what.as_str()).collect();
    let message = format!(
        "{} cannot reach services AML needs: NSG `{}` of its subnet `{}` denies outbound {}",
        common::subject(compute),
        nsg.e.display_name(),
        subnet.e.display_name(),
        list.join(", ")
    );
    let mut finding = cx
        .finding(&compute.e, common::subnet_span(compute), message)
        .label("the compute's subnet")
                .help("allow the listed service tags and ports outbound before the denying rule (an allow to `AzureCloud` on TCP 80, 443, 18881 and UDP 5831 covers them), or route them through a firewall that allows them")
        .related(
            subnet.nsg().value().map_or(subnet.e.span, |v| v.span().or(subnet.e.span)),
            format!("subnet `{}` uses NSG `{}`", subnet.e.display_name(), nsg.e.display_name()),
        );
    let mut seen = Vec::new();
    for b in &blocked {
        let span = common::decider_span(&b.decider, b.nsg);
        if seen.contains(&span) {
            continue;
        }
        seen.push(span);
        let denied: Vec<&str> = blocked
            .iter()
            .filter(|o| common::decider_span(&o.decider, o.nsg) == span)
            .map(|o| o.what.as_str())
            .collect();
        finding = finding.related(
            span,
            format!("{} denies {}", b.decider.describe(), denied.join(", ")),
        );
    }
    cx.report(finding);
}
