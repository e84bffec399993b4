//! Compiled Bicep: `metadata._generator`, `languageVersion` 2.0 with symbolic resources in half of
//! them, and one to three modules — nested deployments (`Microsoft.Resources/deployments`) with
//! `expressionEvaluationOptions.scope: inner`, parameters passed as `{"value": ...}` and an inline
//! template — whose outputs the parent reads with `reference(...).outputs.X.value`.

use super::aml::{self, Dependencies};
use super::arm::{bicep_metadata, ex, q, rid, Added, Form, Template, COMMON_PARAMETERS};
use super::json::{obj, Json};
use super::network::{self, subnet_id, Attach, T_VNET};
use super::rng::Rng;
use super::services;

const T_DEPLOYMENT: &str = "Microsoft.Resources/deployments";
const DEPLOYMENT_API: &str = "2022-09-01";

/// What the parent reads of a module: `reference(<deployment>, '2022-09-01').outputs.X.value`.
fn module_output(module: &str, output: &str) -> String {
    format!(
        "reference({}, '{DEPLOYMENT_API}').outputs.{output}.value",
        rid(T_DEPLOYMENT, &[&q(module)])
    )
}

/// An empty module template with the common parameters, which the parent always passes (as
/// Bicep modules do, they declare no default).
fn module_template(rng: &mut Rng) -> Template {
    let mut t = Template::new(Form::Classic);
    t.metadata = Some(bicep_metadata(&rng.hex()));
    for p in COMMON_PARAMETERS {
        let ty = if *p == "tags" { "object" } else { "string" };
        t.param(p, obj! { "type" => ty });
    }
    t
}

/// The network module: an NSG, maybe a NAT gateway, the VNet with `train`, `score` and `pe`.
fn network_module(rng: &mut Rng, octet: usize) -> Template {
    let mut t = module_template(rng);
    network::address_prefix_param(&mut t, octet);
    let rules = rng.range(5, 6);
    let nsg = network::nsg(rng, &mut t, "train", rules);
    let nat = rng.chance(0.5).then(|| network::nat_gateway(&mut t));
    let mut specs = network::plain_subnets(rng, &["train", "score", "pe"], octet);
    specs[0].attach = Attach {
        nsg: Some(nsg.id.clone()),
        nat: nat.as_ref().map(|n| n.id.clone()),
        route_table: None,
    };
    specs[1].attach.nsg = Some(nsg.id.clone());
    let mut deps = vec![nsg.sym.as_str()];
    deps.extend(nat.as_ref().map(|n| n.sym.as_str()));
    network::vnet(&mut t, &specs, &deps);
    t.output(
        "vnetId",
        "string",
        &rid(T_VNET, &["parameters('vnetName')"]),
    );
    t.output("subnetId", "string", &subnet_id("train"));
    t.output("scoreSubnetId", "string", &subnet_id("score"));
    t.output("peSubnetId", "string", &subnet_id("pe"));
    t
}

/// The monitoring module: Log Analytics and Application Insights.
fn monitoring_module(rng: &mut Rng) -> Template {
    let mut t = module_template(rng);
    let insights = services::monitoring(&mut t);
    t.output("appInsightsId", "string", &insights.id);
    t
}

/// The security module: storage, key vault and container registry.
fn security_module(rng: &mut Rng) -> Template {
    let mut t = module_template(rng);
    let storage = services::storage_account(rng, &mut t);
    let vault = services::key_vault(rng, &mut t);
    let registry = services::container_registry(&mut t);
    t.output("storageId", "string", &storage.id);
    t.output("keyVaultId", "string", &vault.id);
    t.output("registryId", "string", &registry.id);
    t
}

/// The nested deployment `name` of `inner`, passed the common parameters and `extra`.
fn module(t: &mut Template, name: &str, inner: &Template, extra: Vec<(String, Json)>) -> Added {
    let mut parameters: Vec<(String, Json)> = COMMON_PARAMETERS
        .iter()
        .map(|p| {
            (
                (*p).to_owned(),
                obj! { "value" => ex(&format!("parameters({})", q(p))) },
            )
        })
        .collect();
    parameters.extend(extra.into_iter().map(|(k, v)| (k, obj! { "value" => v })));
    let body = obj! {
        "type" => T_DEPLOYMENT,
        "apiVersion" => DEPLOYMENT_API,
        "name" => name,
        "properties" => obj! {
            "expressionEvaluationOptions" => obj! { "scope" => "inner" },
            "mode" => "Incremental",
            "parameters" => Json::Obj(parameters),
            "template" => inner.to_json(),
        },
    };
    t.add(name, &q(name), rid(T_DEPLOYMENT, &[&q(name)]), body, &[])
}

/// A compiled Bicep template: modules for the network (always), monitoring and security (maybe),
/// the workspace and computes in the parent, reading the modules' outputs.
pub fn bicep_template(rng: &mut Rng, t: &mut Template, octet: usize) {
    t.metadata = Some(bicep_metadata(&rng.hex()));
    aml::workspace_parameters(t);
    let address = Json::from(format!("10.{octet}.0.0/16"));
    let inner = network_module(rng, octet);
    let net = module(
        t,
        "network",
        &inner,
        vec![("addressPrefix".into(), address)],
    );
    let mut deps = Vec::new();
    let app_insights = if rng.chance(0.4) {
        let inner = monitoring_module(rng);
        deps.push(module(t, "monitoring", &inner, Vec::new()).sym);
        module_output("monitoring", "appInsightsId")
    } else {
        let local = services::monitoring(t);
        deps.push(local.sym);
        local.id
    };
    let (storage, key_vault, registry) = if rng.chance(0.3) {
        let inner = security_module(rng);
        deps.push(module(t, "security", &inner, Vec::new()).sym);
        let out = |o| module_output("security", o);
        (out("storageId"), out("keyVaultId"), Some(out("registryId")))
    } else {
        let storage = services::storage_account(rng, t);
        let vault = services::key_vault(rng, t);
        let registry = rng.chance(0.6).then(|| services::container_registry(t));
        deps.extend(
            [&storage, &vault]
                .into_iter()
                .chain(&registry)
                .map(|a| a.sym.clone()),
        );
        (storage.id, vault.id, registry.map(|r| r.id))
    };
    let d = Dependencies {
        storage,
        key_vault,
        app_insights,
        registry,
        deps,
    };
    let ws = aml::workspace(rng, t, &d);
    aml::computes(
        rng,
        t,
        &ws,
        &module_output("network", "subnetId"),
        &[&net.sym],
    );
    let zone = services::private_dns_zone(t, services::ZONES[0]);
    let subnet = module_output("network", "peSubnetId");
    let endpoint = services::private_endpoint(t, &ws, "amlworkspace", &subnet, Some(&zone));
    t.resources
        .iter_mut()
        .find(|r| r.sym == endpoint.sym)
        .expect("the endpoint was just added")
        .deps
        .push(net.sym.clone());
    t.output("workspaceId", "string", &ws.id);
}
