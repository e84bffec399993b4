//! Azure Machine Learning: the workspace (public network access, managed network), its computes
//! (`AmlCompute` clusters, some from a `copy` loop, and `ComputeInstance`s) in a subnet, and the
//! AML template kind: a workspace with its services, maybe its own VNet, and a private endpoint.

use super::arm::{ex, q, rid, Added, Template, P_ENVIRONMENT, P_LOCATION, P_TAGS, P_VNET};
use super::json::{arr, obj, Json};
use super::network::{self, subnet_id, Attach};
use super::rng::Rng;
use super::services;

const API: &str = "2024-04-01";
const T_WORKSPACE: &str = "Microsoft.MachineLearningServices/workspaces";
const T_COMPUTE: &str = "Microsoft.MachineLearningServices/workspaces/computes";
const T_OUTBOUND: &str = "Microsoft.MachineLearningServices/workspaces/outboundRules";
const P_WORKSPACE: &str = "parameters('workspaceName')";
const VM_SIZES: &[&str] = &[
    "Standard_DS3_v2",
    "Standard_D4s_v3",
    "Standard_E8s_v3",
    "Standard_NC6s_v3",
];

/// The parameters of a workspace deployment.
pub fn workspace_parameters(t: &mut Template) {
    let default_name =
        "[format('mlw-{0}-{1}', parameters('prefix'), uniqueString(resourceGroup().id))]";
    t.param(
        "workspaceName",
        obj! { "type" => "string", "defaultValue" => default_name },
    );
    t.param(
        "publicNetworkAccess",
        obj! {
            "type" => "string",
            "defaultValue" => "Disabled",
            "allowedValues" => arr!["Enabled", "Disabled"],
        },
    );
    t.param(
        "computeVmSize",
        obj! { "type" => "string", "defaultValue" => VM_SIZES[0] },
    );
    t.param(
        "nodePublicIp",
        obj! { "type" => "bool", "defaultValue" => false },
    );
    t.param(
        "ownerObjectId",
        obj! { "type" => "string", "defaultValue" => "00000000-0000-0000-0000-000000000000" },
    );
    t.file_parameters
        .push(("publicNetworkAccess".into(), "Disabled".into()));
}

/// What the workspace points at: ID expressions, and symbolic names to depend on.
pub struct Dependencies {
    pub storage: String,
    pub key_vault: String,
    pub app_insights: String,
    pub registry: Option<String>,
    pub deps: Vec<String>,
}

impl Dependencies {
    /// Declares the services in the template itself.
    pub fn declare(rng: &mut Rng, t: &mut Template) -> Self {
        let storage = services::storage_account(rng, t);
        let key_vault = services::key_vault(rng, t);
        let registry = rng.chance(0.6).then(|| services::container_registry(t));
        let app_insights = services::monitoring(t);
        let deps = [&storage, &key_vault, &app_insights]
            .into_iter()
            .chain(&registry)
            .map(|a| a.sym.clone())
            .collect();
        Dependencies {
            storage: storage.id,
            key_vault: key_vault.id,
            app_insights: app_insights.id,
            registry: registry.map(|r| r.id),
            deps,
        }
    }
}

fn public_network_access(rng: &mut Rng) -> Json {
    match rng.range(0, 3) {
        0 => "Disabled".into(),
        1 => "Enabled".into(),
        2 => "[parameters('publicNetworkAccess')]".into(),
        _ => ex(&format!(
            "if(equals({P_ENVIRONMENT}, 'prod'), 'Disabled', parameters('publicNetworkAccess'))"
        ))
        .into(),
    }
}

/// A user-defined outbound rule of the managed network to `fqdn`.
fn fqdn_rule(fqdn: &str) -> Json {
    obj! { "type" => "FQDN", "destination" => fqdn, "category" => "UserDefined" }
}

/// `managedNetwork`, when the workspace has one, and whether it only allows approved outbound.
fn managed_network(rng: &mut Rng, storage: &str) -> Option<(Json, bool)> {
    match rng.range(0, 7) {
        0..=2 => None,
        3 => Some((obj! { "isolationMode" => "Disabled" }, false)),
        4 | 5 => Some((obj! { "isolationMode" => "AllowInternetOutbound" }, false)),
        _ => {
            let rules = obj! {
                "pypi" => fqdn_rule("pypi.org"),
                "conda" => fqdn_rule("conda.anaconda.org"),
                "storage-blob" => obj! {
                    "type" => "PrivateEndpoint",
                    "category" => "UserDefined",
                    "destination" => obj! {
                        "serviceResourceId" => ex(storage),
                        "subresourceTarget" => "blob",
                        "sparkEnabled" => false,
                    },
                },
            };
            let network = obj! {
                "isolationMode" => "AllowOnlyApprovedOutbound",
                "outboundRules" => rules,
                "status" => obj! { "sparkReady" => false },
            };
            Some((network, true))
        }
    }
}

/// The workspace `parameters('workspaceName')`.
pub fn workspace(rng: &mut Rng, t: &mut Template, d: &Dependencies) -> Added {
    let mut properties = obj! {
        "friendlyName" => ex(P_WORKSPACE),
        "description" => "Workspace of the team, deployed by the pipeline.",
        "storageAccount" => ex(&d.storage),
        "keyVault" => ex(&d.key_vault),
        "applicationInsights" => ex(&d.app_insights),
        "publicNetworkAccess" => public_network_access(rng),
        "hbiWorkspace" => false,
        "v1LegacyMode" => false,
        "imageBuildCompute" => "cpu-cluster-0",
    };
    if let Some(registry) = &d.registry {
        properties.push("containerRegistry", ex(registry));
    }
    let managed = managed_network(rng, &d.storage);
    if let Some((network, _)) = &managed {
        properties.push("managedNetwork", network.clone());
    }
    let body = obj! {
        "type" => T_WORKSPACE,
        "apiVersion" => API,
        "name" => ex(P_WORKSPACE),
        "location" => ex(P_LOCATION),
        "tags" => ex(P_TAGS),
        "identity" => obj! { "type" => "SystemAssigned" },
        "sku" => obj! { "name" => "Basic", "tier" => "Basic" },
        "properties" => properties,
    };
    let deps: Vec<&str> = d.deps.iter().map(String::as_str).collect();
    let ws = t.add(
        "workspace",
        P_WORKSPACE,
        rid(T_WORKSPACE, &[P_WORKSPACE]),
        body,
        &deps,
    );
    if matches!(managed, Some((_, true))) && rng.chance(0.5) {
        outbound_rule(t, &ws);
    }
    ws
}

/// An outbound rule of the managed network declared as its own resource.
fn outbound_rule(t: &mut Template, ws: &Added) {
    let name = format!("format('{{0}}/{{1}}', {P_WORKSPACE}, 'allow-huggingface')");
    let body = obj! {
        "type" => T_OUTBOUND,
        "apiVersion" => API,
        "name" => ex(&name),
        "properties" => fqdn_rule("huggingface.co"),
    };
    let id = rid(T_OUTBOUND, &[P_WORKSPACE, &q("allow-huggingface")]);
    t.add("outboundRule", &name, id, body, &[&ws.sym]);
}

fn node_public_ip(rng: &mut Rng) -> Json {
    match rng.range(0, 19) {
        0..=9 => false.into(),
        10..=13 => true.into(),
        14..=16 => "[parameters('nodePublicIp')]".into(),
        _ => ex(&format!(
            "if(equals({P_ENVIRONMENT}, 'prod'), false(), true())"
        ))
        .into(),
    }
}

fn cluster_properties(rng: &mut Rng, subnet: &str) -> Json {
    let vm_size = if rng.chance(0.5) {
        Json::from("[parameters('computeVmSize')]")
    } else {
        rng.pick(VM_SIZES).into()
    };
    obj! {
        "computeType" => "AmlCompute",
        "computeLocation" => ex(P_LOCATION),
        "description" => "Training cluster",
        "disableLocalAuth" => true,
        "properties" => obj! {
            "vmSize" => vm_size,
            "vmPriority" => rng.pick(&["Dedicated", "LowPriority"]),
            "osType" => "Linux",
            "scaleSettings" => obj! {
                "minNodeCount" => 0,
                "maxNodeCount" => rng.range(2, 16),
                "nodeIdleTimeBeforeScaleDown" => "PT120S",
            },
            "enableNodePublicIp" => node_public_ip(rng),
            "isolatedNetwork" => false,
            "remoteLoginPortPublicAccess" => "Disabled",
            "subnet" => obj! { "id" => ex(subnet) },
        },
    }
}

fn instance_properties(rng: &mut Rng, subnet: &str) -> Json {
    obj! {
        "computeType" => "ComputeInstance",
        "computeLocation" => ex(P_LOCATION),
        "description" => "Personal compute instance",
        "disableLocalAuth" => true,
        "properties" => obj! {
            "vmSize" => rng.pick(VM_SIZES),
            "enableNodePublicIp" => node_public_ip(rng),
            "subnet" => obj! { "id" => ex(subnet) },
            "sshSettings" => obj! {
                "sshPublicAccess" => "Disabled",
                "adminUserName" => "azureuser",
            },
            "applicationSharingPolicy" => "Personal",
            "computeInstanceAuthorizationType" => "personal",
            "idleTimeBeforeShutdown" => "PT60M",
            "personalComputeInstanceSettings" => obj! {
                "assignedUser" => obj! {
                    "objectId" => "[parameters('ownerObjectId')]",
                    "tenantId" => "[subscription().tenantId]",
                },
            },
        },
    }
}

/// One to four computes in the subnet `subnet` (an ID expression); `deps` adds to the workspace.
pub fn computes(rng: &mut Rng, t: &mut Template, ws: &Added, subnet: &str, deps: &[&str]) {
    let mut all_deps = vec![ws.sym.as_str()];
    all_deps.extend_from_slice(deps);
    for k in 0..rng.range(1, 4) {
        let cluster = k == 0 || rng.chance(0.6);
        let looped = cluster && k > 0 && rng.chance(0.4);
        let compute = if cluster { "cpu-cluster-" } else { "ci-" };
        let name = if looped {
            format!("format('{{0}}/gpu{k}-cluster-{{1}}', {P_WORKSPACE}, copyIndex())")
        } else {
            format!("format('{{0}}/{{1}}', {P_WORKSPACE}, '{compute}{k}')")
        };
        let properties = if cluster {
            cluster_properties(rng, subnet)
        } else {
            instance_properties(rng, subnet)
        };
        let mut body = obj! {
            "type" => T_COMPUTE,
            "apiVersion" => API,
            "name" => ex(&name),
            "location" => ex(P_LOCATION),
        };
        if looped {
            let loop_name = format!("clusterLoop{k}");
            body.push(
                "copy",
                obj! { "name" => loop_name.as_str(), "count" => rng.range(2, 5) },
            );
            body.push("properties", properties);
            t.add_loop("compute", &loop_name, body, &all_deps);
        } else {
            body.push("properties", properties);
            let id = rid(T_COMPUTE, &[P_WORKSPACE, &q(&format!("{compute}{k}"))]);
            t.add("compute", &name, id, body, &all_deps);
        }
    }
}

/// An AML template: the workspace, its services, its computes, a private endpoint, and in half
/// of them the VNet too (else the VNet `parameters('vnetName')` is deployed elsewhere).
pub fn aml_template(rng: &mut Rng, t: &mut Template, octet: usize) {
    workspace_parameters(t);
    let mut vnet_deps = Vec::new();
    if rng.chance(0.4) {
        network::address_prefix_param(t, octet);
        let rules = rng.range(5, 8);
        let nsg = network::nsg(rng, t, "train", rules);
        let nat = rng.chance(0.5).then(|| network::nat_gateway(t));
        let mut specs = network::plain_subnets(rng, &["train", "score", "pe"], octet);
        specs[0].attach = Attach {
            nsg: Some(nsg.id.clone()),
            nat: nat.as_ref().map(|n| n.id.clone()),
            route_table: None,
        };
        specs[1].attach.nsg = Some(nsg.id.clone());
        let mut deps = vec![nsg.sym.as_str()];
        deps.extend(nat.as_ref().map(|n| n.sym.as_str()));
        vnet_deps.push(network::vnet(t, &specs, &deps).sym);
    }
    let d = Dependencies::declare(rng, t);
    let ws = workspace(rng, t, &d);
    let subnet = if rng.chance(0.8) {
        subnet_id("train")
    } else {
        t.var("trainSubnetId", ex(&subnet_id("train")))
    };
    let deps: Vec<&str> = vnet_deps.iter().map(String::as_str).collect();
    computes(rng, t, &ws, &subnet, &deps);
    if rng.chance(0.75) {
        let zone = services::private_dns_zone(t, services::ZONES[0]);
        services::private_endpoint(t, &ws, "amlworkspace", &subnet_id("pe"), Some(&zone));
    }
    t.output("workspaceId", "string", &ws.id);
    t.output("vnetName", "string", P_VNET);
}
