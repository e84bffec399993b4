//! Network resources: virtual networks with inline and child subnets, network security groups
//! (inline rules, rules from a property `copy` loop, child rule resources), route tables, NAT
//! gateways, public IPs and an Azure Firewall; and the network template kind built from them.

use super::arm::{
    empty, ex, id_ref, q, resource, rid, strings, Added, Form, Template, P_ENVIRONMENT, P_LOCATION,
    P_PREFIX, P_VNET,
};
use super::json::{arr, obj, Json};
use super::rng::Rng;

const API: &str = "2023-09-01";
pub const T_VNET: &str = "Microsoft.Network/virtualNetworks";
pub const T_SUBNET: &str = "Microsoft.Network/virtualNetworks/subnets";
const T_NSG: &str = "Microsoft.Network/networkSecurityGroups";
const T_NSG_RULE: &str = "Microsoft.Network/networkSecurityGroups/securityRules";
const T_ROUTE_TABLE: &str = "Microsoft.Network/routeTables";
const T_ROUTE: &str = "Microsoft.Network/routeTables/routes";
const T_NAT: &str = "Microsoft.Network/natGateways";
const T_PIP: &str = "Microsoft.Network/publicIPAddresses";
const T_FIREWALL: &str = "Microsoft.Network/azureFirewalls";

/// The subnets AML deployments usually carve out, besides `AzureFirewallSubnet`.
const SUBNET_NAMES: &[&str] = &["train", "score", "pe", "jumpbox", "aks", "batch", "bastion"];

/// `resourceId(...)` of a subnet of the VNet `parameters('vnetName')`.
pub fn subnet_id(subnet: &str) -> String {
    rid(T_SUBNET, &[P_VNET, &q(subnet)])
}

/// What a subnet is attached to (`resourceId` expressions).
#[derive(Clone, Default)]
pub struct Attach {
    pub nsg: Option<String>,
    pub route_table: Option<String>,
    pub nat: Option<String>,
}

/// A subnet to declare.
pub struct SubnetSpec {
    pub name: String,
    pub prefix: Json,
    pub attach: Attach,
}

/// Declares `addressPrefix`, `10.<octet>.0.0/16` by default.
pub fn address_prefix_param(t: &mut Template, octet: usize) {
    t.param_once(
        "addressPrefix",
        obj! { "type" => "string", "defaultValue" => format!("10.{octet}.0.0/16") },
    );
}

/// The prefix of the `index`th /24 of the VNet: a literal, or `cidrSubnet()` of `addressPrefix`.
pub fn subnet_prefix(rng: &mut Rng, octet: usize, index: usize) -> Json {
    if rng.chance(0.5) {
        Json::from(format!("10.{octet}.{index}.0/24"))
    } else {
        Json::from(ex(&format!(
            "cidrSubnet(parameters('addressPrefix'), 24, {index})"
        )))
    }
}

/// `count` distinct subnet names, `train` first.
pub fn subnet_names(rng: &mut Rng, count: usize) -> Vec<String> {
    let mut names = vec!["train".to_owned()];
    while names.len() < count.min(SUBNET_NAMES.len()) {
        let n = rng.pick(SUBNET_NAMES).to_owned();
        if !names.contains(&n) {
            names.push(n);
        }
    }
    names
}

/// The subnets `names` with prefixes and no attachments.
pub fn plain_subnets(rng: &mut Rng, names: &[&str], octet: usize) -> Vec<SubnetSpec> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| SubnetSpec {
            name: (*n).to_owned(),
            prefix: subnet_prefix(rng, octet, i),
            attach: Attach::default(),
        })
        .collect()
}

fn subnet_properties(spec: &SubnetSpec) -> Json {
    let mut p = obj! { "addressPrefix" => spec.prefix.clone() };
    if let Some(nsg) = &spec.attach.nsg {
        p.push("networkSecurityGroup", id_ref(nsg));
    }
    if let Some(rt) = &spec.attach.route_table {
        p.push("routeTable", id_ref(rt));
    }
    if let Some(nat) = &spec.attach.nat {
        p.push("natGateway", id_ref(nat));
    }
    match spec.name.as_str() {
        "pe" => p.push("privateEndpointNetworkPolicies", "Disabled"),
        "train" => p.push(
            "serviceEndpoints",
            arr![
                obj! { "service" => "Microsoft.Storage", "locations" => arr![ex(P_LOCATION)] },
                obj! { "service" => "Microsoft.KeyVault", "locations" => arr!["*"] },
                obj! { "service" => "Microsoft.ContainerRegistry", "locations" => arr!["*"] },
            ],
        ),
        _ => {}
    }
    p.push("delegations", empty());
    p.push("privateLinkServiceNetworkPolicies", "Enabled");
    p
}

/// The VNet `parameters('vnetName')` with `subnets` inline; `deps` are symbolic names.
pub fn vnet(t: &mut Template, subnets: &[SubnetSpec], deps: &[&str]) -> Added {
    let mut body = resource(T_VNET, API, &ex(P_VNET));
    let subnets = subnets
        .iter()
        .map(|s| obj! { "name" => s.name.as_str(), "properties" => subnet_properties(s) })
        .collect();
    body.push(
        "properties",
        obj! {
            "addressSpace" => obj! { "addressPrefixes" => arr![ex("parameters('addressPrefix')")] },
            "enableDdosProtection" => false,
            "subnets" => Json::Arr(subnets),
        },
    );
    t.add("vnet", P_VNET, rid(T_VNET, &[P_VNET]), body, deps)
}

/// A subnet declared as its own `Microsoft.Network/virtualNetworks/subnets` resource.
pub fn child_subnet(t: &mut Template, spec: &SubnetSpec, deps: &[&str]) -> Added {
    let name = format!("format('{{0}}/{{1}}', {P_VNET}, {})", q(&spec.name));
    let body = obj! {
        "type" => T_SUBNET,
        "apiVersion" => API,
        "name" => ex(&name),
        "properties" => subnet_properties(spec),
    };
    let base = format!("subnet_{}", spec.name);
    t.add(&base, &name, subnet_id(&spec.name), body, deps)
}

/// A subnet declared in the VNet's own `resources` array (classic templates only).
pub fn nested_subnet(spec: &SubnetSpec) -> Json {
    obj! {
        "type" => "subnets",
        "apiVersion" => API,
        "name" => spec.name.as_str(),
        "properties" => subnet_properties(spec),
        "dependsOn" => arr![ex(&rid(T_VNET, &[P_VNET]))],
    }
}

/// Where a rule's traffic goes.
struct Flow<'a> {
    direction: &'a str,
    access: &'a str,
    ports: Json,
    from: &'a str,
    to: &'a str,
}

fn rule(name: &str, priority: usize, flow: Flow<'_>) -> Json {
    let any_port = flow.ports == Json::from("*");
    let mut p = obj! {
        "protocol" => if any_port { "*" } else { "Tcp" },
        "sourcePortRange" => "*",
    };
    match flow.ports {
        Json::Arr(_) => p.push("destinationPortRanges", flow.ports),
        single => p.push("destinationPortRange", single),
    }
    p.push("sourceAddressPrefix", flow.from);
    p.push("destinationAddressPrefix", flow.to);
    p.push("access", flow.access);
    p.push("priority", priority);
    p.push("direction", flow.direction);
    obj! { "name" => name, "properties" => p }
}

/// The rules an AML subnet needs: name, priority, direction, ports (comma-separated), source,
/// destination.
#[rustfmt::skip]
const AML_RULES: &[(&str, usize, &str, &str, &str, &str)] = &[
    ("allow-aml-in", 100, "Inbound", "44224", "AzureMachineLearning", "VirtualNetwork"),
    ("allow-batch-in", 110, "Inbound", "29876-29877", "BatchNodeManagement", "VirtualNetwork"),
    ("allow-aml-out", 100, "Outbound", "443", "VirtualNetwork", "AzureMachineLearning"),
    ("allow-aad-out", 110, "Outbound", "443", "VirtualNetwork", "AzureActiveDirectory"),
    ("allow-storage-out", 120, "Outbound", "443,445", "VirtualNetwork", "Storage"),
    ("allow-acr-out", 130, "Outbound", "443", "VirtualNetwork", "AzureContainerRegistry"),
    ("allow-monitor-out", 140, "Outbound", "443", "VirtualNetwork", "AzureMonitor"),
    ("allow-keyvault-out", 150, "Outbound", "443", "VirtualNetwork", "AzureKeyVault"),
];

/// The rules an AML subnet needs, then generic application rules, then a final deny.
pub fn security_rules(rng: &mut Rng, count: usize) -> Vec<Json> {
    let mut rules: Vec<Json> = AML_RULES
        .iter()
        .take(count.saturating_sub(1))
        .map(|&(name, priority, direction, ports, from, to)| {
            let ports = match ports.split_once(',') {
                Some((a, b)) => strings(&[a, b]),
                None => ports.into(),
            };
            let flow = Flow {
                direction,
                access: "Allow",
                ports,
                from,
                to,
            };
            rule(name, priority, flow)
        })
        .collect();
    let ports = [
        "22", "443", "8080", "8443", "5432", "1433", "6379", "9000", "3389", "8787",
    ];
    let sources = [
        "VirtualNetwork",
        "AzureLoadBalancer",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.10.0/24",
    ];
    while rules.len() + 1 < count {
        let i = rules.len();
        let port = rng.pick(&ports);
        let inbound = rng.chance(0.6);
        let access = if rng.chance(0.8) { "Allow" } else { "Deny" };
        let direction = if inbound { "Inbound" } else { "Outbound" };
        let from = rng.pick(&sources);
        let to = if inbound {
            "VirtualNetwork"
        } else {
            rng.pick(&["Internet", "AzureCloud", "VirtualNetwork"])
        };
        let flow = Flow {
            direction,
            access,
            ports: if rng.chance(0.2) {
                strings(&[port, "8000-8999"])
            } else {
                port.into()
            },
            from,
            to,
        };
        let name = format!(
            "{}-{}-{port}-{i}",
            access.to_lowercase(),
            &direction[..3].to_lowercase()
        );
        rules.push(rule(&name, 200 + 10 * i, flow));
    }
    let deny = Flow {
        direction: "Inbound",
        access: "Deny",
        ports: "*".into(),
        from: "Internet",
        to: "*",
    };
    rules.push(rule("deny-internet-inbound", 4096, deny));
    rules
}

/// An NSG for the subnet `suffix` with `rules` inline security rules.
pub fn nsg(rng: &mut Rng, t: &mut Template, suffix: &str, rules: usize) -> Added {
    let value = ex(&format!(
        "format('{{0}}-nsg-{{1}}', {P_VNET}, {})",
        q(suffix)
    ));
    let name = t.var("nsgName", value);
    let mut body = resource(T_NSG, API, &ex(&name));
    body.push(
        "properties",
        obj! { "securityRules" => Json::Arr(security_rules(rng, rules)) },
    );
    t.add("nsg", &name, rid(T_NSG, &[&name]), body, &[])
}

/// An NSG whose rules come from a property `copy` loop over an array parameter.
pub fn nsg_from_parameter(rng: &mut Rng, t: &mut Template, rules: usize) -> Added {
    let param = "appRules";
    let entries = (0..rules)
        .map(|i| {
            obj! {
                "name" => format!("allow-app-{i}"),
                "port" => rng.pick(&["443", "8080", "8443", "5000", "6006", "8888"]),
                "source" => rng.pick(&["VirtualNetwork", "10.0.0.0/8", "AzureLoadBalancer"]),
                "priority" => 300 + 10 * i,
            }
        })
        .collect();
    t.param(
        param,
        obj! { "type" => "array", "defaultValue" => Json::Arr(entries) },
    );
    let item = |field: &str| {
        ex(&format!(
            "parameters('{param}')[copyIndex('securityRules')].{field}"
        ))
    };
    let value = ex(&format!("concat({P_PREFIX}, '-nsg-app-', {P_ENVIRONMENT})"));
    let name = t.var("nsgAppName", value);
    let mut body = resource(T_NSG, API, &ex(&name));
    let input = obj! {
        "name" => item("name"),
        "properties" => obj! {
            "protocol" => "Tcp",
            "sourcePortRange" => "*",
            "destinationPortRange" => item("port"),
            "sourceAddressPrefix" => item("source"),
            "destinationAddressPrefix" => "VirtualNetwork",
            "access" => "Allow",
            "priority" => item("priority"),
            "direction" => "Inbound",
        },
    };
    let copy = obj! {
        "name" => "securityRules",
        "count" => ex(&format!("length(parameters('{param}'))")),
        "input" => input,
    };
    body.push("properties", obj! { "copy" => arr![copy] });
    t.add("nsgApp", &name, rid(T_NSG, &[&name]), body, &[])
}

/// A security rule declared as its own resource under `nsg`.
pub fn child_rule(t: &mut Template, nsg: &Added, rule_name: &str, priority: usize) {
    let name = format!("format('{{0}}/{{1}}', {}, {})", nsg.name, q(rule_name));
    let body = obj! {
        "type" => T_NSG_RULE,
        "apiVersion" => API,
        "name" => ex(&name),
        "properties" => obj! {
            "protocol" => "*",
            "sourcePortRange" => "*",
            "destinationPortRange" => "3389",
            "sourceAddressPrefix" => "Internet",
            "destinationAddressPrefix" => "VirtualNetwork",
            "access" => "Deny",
            "priority" => priority,
            "direction" => "Inbound",
        },
    };
    let id = rid(T_NSG_RULE, &[&nsg.name, &q(rule_name)]);
    t.add("nsgRule", &name, id, body, &[&nsg.sym]);
}

/// A standard static public IP named by the variable `var`.
pub fn public_ip(t: &mut Template, var: &str, suffix: &str) -> Added {
    let name = t.var(var, ex(&format!("format('{{0}}-{suffix}', {P_VNET})")));
    let mut body = resource(T_PIP, API, &ex(&name));
    body.push("sku", obj! { "name" => "Standard", "tier" => "Regional" });
    body.push("zones", strings(&["1", "2", "3"]));
    body.push(
        "properties",
        obj! {
            "publicIPAllocationMethod" => "Static",
            "publicIPAddressVersion" => "IPv4",
            "idleTimeoutInMinutes" => 4,
        },
    );
    t.add("pip", &name, rid(T_PIP, &[&name]), body, &[])
}

/// `count` public IPs from a resource `copy` loop (a literal count or an int parameter).
pub fn public_ip_loop(rng: &mut Rng, t: &mut Template, count: usize) {
    let loop_name = format!("pipLoop{}", t.resources.len());
    let count = if rng.chance(0.5) {
        Json::from(count)
    } else {
        let param = format!("{loop_name}Count");
        t.param(
            &param,
            obj! { "type" => "int", "defaultValue" => count, "minValue" => 1, "maxValue" => 10 },
        );
        Json::from(ex(&format!("parameters({})", q(&param))))
    };
    let name = format!("format('{{0}}-{loop_name}-{{1}}', {P_PREFIX}, copyIndex(1))");
    let label = format!(
        "toLower(format('{{0}}-{{1}}-{{2}}', {P_PREFIX}, copyIndex(), {}))",
        "uniqueString(resourceGroup().id)"
    );
    let mut body = resource(T_PIP, API, &ex(&name));
    body.push(
        "copy",
        obj! { "name" => loop_name.as_str(), "count" => count },
    );
    body.push("sku", obj! { "name" => "Standard" });
    body.push(
        "properties",
        obj! {
            "publicIPAllocationMethod" => "Static",
            "dnsSettings" => obj! { "domainNameLabel" => ex(&label) },
        },
    );
    t.add_loop("pipLoop", &loop_name, body, &[]);
}

/// A NAT gateway with its own public IP.
pub fn nat_gateway(t: &mut Template) -> Added {
    let pip = public_ip(t, "natPipName", "nat-pip");
    let name = t.var(
        "natGatewayName",
        ex(&format!("format('{{0}}-nat', {P_VNET})")),
    );
    let mut body = resource(T_NAT, API, &ex(&name));
    body.push("sku", obj! { "name" => "Standard" });
    body.push(
        "properties",
        obj! { "idleTimeoutInMinutes" => 4, "publicIpAddresses" => arr![id_ref(&pip.id)] },
    );
    t.add("natGateway", &name, rid(T_NAT, &[&name]), body, &[&pip.sym])
}

/// The FQDNs an AML workspace's computes need, for the firewall's application rules.
const AML_FQDNS: &[&str] = &[
    "*.azureml.ms",
    "*.azureml.net",
    "*.blob.core.windows.net",
    "*.file.core.windows.net",
    "*.vault.azure.net",
    "*.azurecr.io",
    "mcr.microsoft.com",
    "*.data.mcr.microsoft.com",
    "login.microsoftonline.com",
    "management.azure.com",
    "pypi.org",
    "files.pythonhosted.org",
    "conda.anaconda.org",
    "*.anaconda.com",
];

const SERVICE_TAGS: &[&str] = &[
    "AzureMachineLearning",
    "BatchNodeManagement",
    "AzureActiveDirectory",
    "AzureMonitor",
    "AzureFrontDoor.FirstParty",
];

/// The `reference()` of the firewall `fw`'s private IP address.
pub fn firewall_private_ip() -> String {
    format!(
        "reference({}).ipConfigurations[0].properties.privateIPAddress",
        rid(T_FIREWALL, &[&q("fw")])
    )
}

/// An Azure Firewall named `fw` in the VNet's `AzureFirewallSubnet`.
pub fn firewall(rng: &mut Rng, t: &mut Template, vnet: &Added, octet: usize) -> Added {
    let pip = public_ip(t, "firewallPipName", "fw-pip");
    let source = format!("10.{octet}.0.0/16");
    let app_rules: Json = AML_FQDNS
        .chunks(rng.range(4, 7))
        .enumerate()
        .map(|(i, fqdns)| {
            obj! {
                "name" => format!("aml-fqdns-{i}"),
                "protocols" => arr![obj! { "protocolType" => "Https", "port" => 443 }],
                "targetFqdns" => strings(fqdns),
                "sourceAddresses" => arr![source.as_str()],
            }
        })
        .collect::<Vec<_>>()
        .into();
    let net_rules: Json = SERVICE_TAGS
        .iter()
        .map(|tag| {
            obj! {
                "name" => format!("allow-{}", tag.to_lowercase().replace('.', "-")),
                "protocols" => arr!["TCP"],
                "sourceAddresses" => arr![source.as_str()],
                "destinationAddresses" => arr![*tag],
                "destinationPorts" => arr!["443"],
            }
        })
        .collect::<Vec<_>>()
        .into();
    let collection = |name: &str, priority: i32, rules: Json| {
        obj! {
            "name" => name,
            "properties" => obj! {
                "priority" => priority,
                "action" => obj! { "type" => "Allow" },
                "rules" => rules,
            },
        }
    };
    let mut body = resource(T_FIREWALL, API, "fw");
    body.push(
        "properties",
        obj! {
            "sku" => obj! { "name" => "AZFW_VNet", "tier" => "Standard" },
            "threatIntelMode" => "Alert",
            "ipConfigurations" => arr![obj! {
                "name" => "fw-ipconfig",
                "properties" => obj! {
                    "subnet" => id_ref(&subnet_id("AzureFirewallSubnet")),
                    "publicIPAddress" => id_ref(&pip.id),
                },
            }],
            "applicationRuleCollections" => arr![collection("aml-required", 200, app_rules)],
            "networkRuleCollections" => arr![collection("aml-service-tags", 100, net_rules)],
        },
    );
    let id = rid(T_FIREWALL, &[&q("fw")]);
    t.add("firewall", "'fw'", id, body, &[&vnet.sym, &pip.sym])
}

fn route(name: &str, prefix: &str, next_hop: &str) -> Json {
    obj! {
        "name" => name,
        "properties" => obj! { "addressPrefix" => prefix, "nextHopType" => next_hop },
    }
}

fn route_to_appliance(name: &str, prefix: &str, address: String) -> Json {
    obj! {
        "name" => name,
        "properties" => obj! {
            "addressPrefix" => prefix,
            "nextHopType" => "VirtualAppliance",
            "nextHopIpAddress" => address,
        },
    }
}

/// A route table whose default route goes to the firewall `fw` of this template when there is
/// one (read with `reference()`), else to a hub firewall's address given as a parameter.
pub fn route_table(rng: &mut Rng, t: &mut Template, firewall: Option<&Added>) -> Added {
    let next_hop = match firewall {
        Some(_) => ex(&firewall_private_ip()),
        None => {
            let declaration = obj! { "type" => "string", "defaultValue" => "10.0.250.4" };
            t.param_once("hubFirewallPrivateIp", declaration);
            ex("parameters('hubFirewallPrivateIp')")
        }
    };
    let mut routes = vec![
        route_to_appliance("default-to-firewall", "0.0.0.0/0", next_hop),
        route("aml-service-tag", "AzureMachineLearning", "Internet"),
        route("batch-service-tag", "BatchNodeManagement", "Internet"),
    ];
    for k in 0..rng.range(0, 4) {
        let prefix = format!("172.16.{}.0/24", 10 * k);
        routes.push(route(
            &format!("onprem-{k}"),
            &prefix,
            "VirtualNetworkGateway",
        ));
    }
    let value = ex(&format!("concat({P_PREFIX}, '-rt-', {P_ENVIRONMENT})"));
    let name = t.var("routeTableName", value);
    let mut body = resource(T_ROUTE_TABLE, API, &ex(&name));
    body.push(
        "properties",
        obj! { "disableBgpRoutePropagation" => true, "routes" => Json::Arr(routes) },
    );
    let deps: Vec<&str> = firewall.map(|f| f.sym.as_str()).into_iter().collect();
    let table = t.add(
        "routeTable",
        &name,
        rid(T_ROUTE_TABLE, &[&name]),
        body,
        &deps,
    );
    if rng.chance(0.3) {
        let route_name = format!("format('{{0}}/{{1}}', {name}, 'to-hub-dns')");
        let body = obj! {
            "type" => T_ROUTE,
            "apiVersion" => API,
            "name" => ex(&route_name),
            "properties" => obj! { "addressPrefix" => "10.0.0.4/32", "nextHopType" => "VnetLocal" },
        };
        let id = rid(T_ROUTE, &[&name, &q("to-hub-dns")]);
        t.add("route", &route_name, id, body, &[&table.sym]);
    }
    table
}

/// A network template: a hub with the firewall `fw` (the subnets behind the route table are
/// child resources: the route table waits for the firewall, which waits for the VNet) or a spoke
/// routed to a hub firewall's address (every subnet inline).
pub fn network_template(rng: &mut Rng, t: &mut Template, octet: usize) {
    address_prefix_param(t, octet);
    let nsgs = nsgs(rng, t);
    let nat = rng.chance(0.5).then(|| nat_gateway(t));
    let count = rng.range(2, 6);
    let names = subnet_names(rng, count);
    let specs: Vec<SubnetSpec> = names
        .iter()
        .enumerate()
        .map(|(i, n)| SubnetSpec {
            name: n.clone(),
            prefix: subnet_prefix(rng, octet, i),
            attach: Attach {
                nsg: (i < 3 || rng.chance(0.5)).then(|| nsgs[i % nsgs.len()].id.clone()),
                nat: nat
                    .as_ref()
                    .filter(|_| n == "train" || rng.chance(0.3))
                    .map(|a| a.id.clone()),
                route_table: None,
            },
        })
        .collect();
    let mut vnet_deps: Vec<String> = nsgs.iter().map(|n| n.sym.clone()).collect();
    vnet_deps.extend(nat.iter().map(|n| n.sym.clone()));
    let variant = rng.range(0, 19);
    if variant < 7 {
        hub(rng, t, specs, &vnet_deps, &nsgs, octet);
    } else if variant < 14 {
        spoke(rng, t, specs, vnet_deps, octet);
    } else {
        let deps: Vec<&str> = vnet_deps.iter().map(String::as_str).collect();
        vnet(t, &specs, &deps);
    }
    if rng.chance(0.5) {
        let count = rng.range(2, 5);
        public_ip_loop(rng, t, count);
    }
    t.output("vnetId", "string", &rid(T_VNET, &[P_VNET]));
    t.output("trainSubnetId", "string", &subnet_id("train"));
}

/// The spoke variant: a route table to a hub firewall's address on every subnet but `pe`, and
/// maybe a subnet nested in the VNet's `resources`.
fn spoke(
    rng: &mut Rng,
    t: &mut Template,
    mut specs: Vec<SubnetSpec>,
    mut vnet_deps: Vec<String>,
    octet: usize,
) {
    let rt = route_table(rng, t, None);
    for spec in specs.iter_mut().filter(|s| s.name != "pe") {
        spec.attach.route_table = Some(rt.id.clone());
    }
    vnet_deps.push(rt.sym.clone());
    let deps: Vec<&str> = vnet_deps.iter().map(String::as_str).collect();
    let v = vnet(t, &specs, &deps);
    if t.form == Form::Classic && rng.chance(0.5) {
        let extra = SubnetSpec {
            name: "extra".into(),
            prefix: format!("10.{octet}.240.0/24").into(),
            attach: Attach::default(),
        };
        t.body_mut(&v.sym)
            .push("resources", arr![nested_subnet(&extra)]);
    }
}

/// One to three NSGs with 5–30 rules, one of them maybe from a property copy loop, and maybe a
/// child rule resource.
fn nsgs(rng: &mut Rng, t: &mut Template) -> Vec<Added> {
    let mut nsgs = Vec::new();
    let count = match rng.range(0, 19) {
        0..=12 => 1,
        13..=17 => 2,
        _ => 3,
    };
    for (k, suffix) in ["train", "score", "pe"].iter().enumerate().take(count) {
        let rules = if rng.chance(0.9) {
            rng.range(5, 8)
        } else {
            rng.range(9, 30)
        };
        nsgs.push(if k == 1 && rng.chance(0.5) {
            nsg_from_parameter(rng, t, rules)
        } else {
            nsg(rng, t, suffix, rules)
        });
    }
    if rng.chance(0.3) {
        child_rule(t, &nsgs[0], "deny-rdp-from-internet", 4000);
    }
    nsgs
}

/// The hub variant: `AzureFirewallSubnet` and the firewall `fw`, a route table to it, and the
/// routed subnets as child resources declared one after the other.
fn hub(
    rng: &mut Rng,
    t: &mut Template,
    mut specs: Vec<SubnetSpec>,
    vnet_deps: &[String],
    nsgs: &[Added],
    octet: usize,
) {
    let routed: Vec<SubnetSpec> = specs
        .drain(..rng.range(1, 2).min(specs.len() - 1))
        .collect();
    specs.push(SubnetSpec {
        name: "AzureFirewallSubnet".into(),
        prefix: format!("10.{octet}.250.0/26").into(),
        attach: Attach::default(),
    });
    let deps: Vec<&str> = vnet_deps.iter().map(String::as_str).collect();
    let vnet = vnet(t, &specs, &deps);
    let fw = firewall(rng, t, &vnet, octet);
    let rt = route_table(rng, t, Some(&fw));
    let mut previous = rt.sym.clone();
    for mut spec in routed {
        spec.attach.route_table = Some(rt.id.clone());
        let nsg = nsgs
            .iter()
            .find(|n| Some(&n.id) == spec.attach.nsg.as_ref());
        let mut deps = vec![vnet.sym.as_str(), previous.as_str()];
        deps.extend(nsg.map(|n| n.sym.as_str()));
        previous = child_subnet(t, &spec, &deps).sym;
    }
    t.output("firewallPrivateIp", "string", &firewall_private_ip());
}
