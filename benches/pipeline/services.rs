//! The services around a workspace: storage accounts, key vaults, container registries, Log
//! Analytics and Application Insights, private DNS zones, private endpoints, managed identities
//! and role assignments. They also pad templates to their target size.

use super::arm::{ex, id_ref, q, resource, rid, strings, Added, Template, P_PREFIX, P_VNET};
use super::json::{arr, obj, Json};
use super::network::{subnet_id, T_VNET};
use super::rng::Rng;

const T_STORAGE: &str = "Microsoft.Storage/storageAccounts";
const T_CONTAINER: &str = "Microsoft.Storage/storageAccounts/blobServices/containers";
const T_VAULT: &str = "Microsoft.KeyVault/vaults";
const T_REGISTRY: &str = "Microsoft.ContainerRegistry/registries";
const T_LOGS: &str = "Microsoft.OperationalInsights/workspaces";
const T_INSIGHTS: &str = "Microsoft.Insights/components";
const T_ZONE: &str = "Microsoft.Network/privateDnsZones";
const T_ZONE_LINK: &str = "Microsoft.Network/privateDnsZones/virtualNetworkLinks";
const T_ENDPOINT: &str = "Microsoft.Network/privateEndpoints";
const T_ZONE_GROUP: &str = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups";
const T_IDENTITY: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";
const T_ROLE: &str = "Microsoft.Authorization/roleAssignments";
const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";

/// The private DNS zones of the services a workspace uses.
pub const ZONES: &[&str] = &[
    "privatelink.api.azureml.ms",
    "privatelink.notebooks.azure.net",
    "privatelink.blob.core.windows.net",
    "privatelink.file.core.windows.net",
    "privatelink.vaultcore.azure.net",
    "privatelink.azurecr.io",
    "privatelink.queue.core.windows.net",
    "privatelink.table.core.windows.net",
];

/// A unique, lowercase, uniqueString-suffixed name variable: `<short><prefix><n><hash>`.
fn unique_name(t: &mut Template, var: &str, short: &str) -> String {
    let n = t.variables.len();
    let value = format!(
        "toLower(format('{short}{{0}}{n}{{1}}', {P_PREFIX}, uniqueString(resourceGroup().id)))"
    );
    t.var(var, ex(&value))
}

/// A storage account closed to the internet, with up to two blob containers as child resources.
pub fn storage_account(rng: &mut Rng, t: &mut Template) -> Added {
    let name = unique_name(t, "storageName", "st");
    let mut body = resource(T_STORAGE, "2023-01-01", &ex(&name));
    body.push(
        "sku",
        obj! { "name" => rng.pick(&["Standard_LRS", "Standard_ZRS", "Standard_GRS"]) },
    );
    body.push("kind", "StorageV2");
    let encrypted = obj! { "enabled" => true, "keyType" => "Account" };
    body.push(
        "properties",
        obj! {
            "accessTier" => "Hot",
            "minimumTlsVersion" => "TLS1_2",
            "allowBlobPublicAccess" => false,
            "allowSharedKeyAccess" => rng.chance(0.3),
            "supportsHttpsTrafficOnly" => true,
            "publicNetworkAccess" => "Disabled",
            "networkAcls" => obj! {
                "bypass" => "AzureServices",
                "defaultAction" => "Deny",
                "virtualNetworkRules" => arr![obj! {
                    "id" => ex(&subnet_id("train")),
                    "action" => "Allow",
                }],
                "ipRules" => arr![],
            },
            "encryption" => obj! {
                "keySource" => "Microsoft.Storage",
                "requireInfrastructureEncryption" => false,
                "services" => obj! { "blob" => encrypted.clone(), "file" => encrypted },
            },
        },
    );
    let account = t.add("storage", &name, rid(T_STORAGE, &[&name]), body, &[]);
    for c in ["datasets", "models", "logs"].iter().take(rng.range(0, 2)) {
        let child = format!("format('{{0}}/default/{{1}}', {name}, {})", q(c));
        let body = obj! {
            "type" => T_CONTAINER,
            "apiVersion" => "2023-01-01",
            "name" => ex(&child),
            "properties" => obj! {
                "publicAccess" => "None",
                "metadata" => obj! { "owner" => ex(P_PREFIX) },
            },
        };
        let id = rid(T_CONTAINER, &[&name, &q("default"), &q(c)]);
        t.add("container", &child, id, body, &[&account.sym]);
    }
    account
}

/// A key vault with RBAC or 1–4 access policies.
pub fn key_vault(rng: &mut Rng, t: &mut Template) -> Added {
    let name = unique_name(t, "keyVaultName", "kv");
    let rbac = rng.chance(0.5);
    let policies = if rbac {
        Vec::new()
    } else {
        (0..rng.range(1, 4))
            .map(|_| {
                obj! {
                    "tenantId" => "[subscription().tenantId]",
                    "objectId" => guid(rng),
                    "permissions" => obj! {
                        "keys" => strings(&["get", "list", "wrapKey", "unwrapKey"]),
                        "secrets" => strings(&["get", "list", "set", "delete"]),
                        "certificates" => strings(&["get", "list"]),
                    },
                }
            })
            .collect()
    };
    let mut body = resource(T_VAULT, "2023-07-01", &ex(&name));
    body.push(
        "properties",
        obj! {
            "tenantId" => "[subscription().tenantId]",
            "sku" => obj! { "family" => "A", "name" => "standard" },
            "enableRbacAuthorization" => rbac,
            "enableSoftDelete" => true,
            "softDeleteRetentionInDays" => 90,
            "enablePurgeProtection" => true,
            "publicNetworkAccess" => "Disabled",
            "networkAcls" => obj! { "bypass" => "AzureServices", "defaultAction" => "Deny" },
            "accessPolicies" => Json::Arr(policies),
        },
    );
    t.add("keyVault", &name, rid(T_VAULT, &[&name]), body, &[])
}

/// A premium container registry without public access.
pub fn container_registry(t: &mut Template) -> Added {
    let name = unique_name(t, "registryName", "cr");
    let mut body = resource(T_REGISTRY, "2023-07-01", &ex(&name));
    body.push("sku", obj! { "name" => "Premium" });
    body.push(
        "properties",
        obj! {
            "adminUserEnabled" => false,
            "publicNetworkAccess" => "Disabled",
            "networkRuleBypassOptions" => "AzureServices",
            "zoneRedundancy" => "Disabled",
            "policies" => obj! {
                "quarantinePolicy" => obj! { "status" => "disabled" },
                "trustPolicy" => obj! { "type" => "Notary", "status" => "disabled" },
                "retentionPolicy" => obj! { "days" => 7, "status" => "enabled" },
            },
        },
    );
    t.add("registry", &name, rid(T_REGISTRY, &[&name]), body, &[])
}

/// A Log Analytics workspace and the Application Insights component that writes to it; returns
/// the component.
pub fn monitoring(t: &mut Template) -> Added {
    let logs_value = ex(&format!(
        "format('{{0}}-logs-{{1}}', {P_PREFIX}, parameters('environment'))"
    ));
    let logs_name = t.var("logAnalyticsName", logs_value);
    let mut logs = resource(T_LOGS, "2022-10-01", &ex(&logs_name));
    logs.push(
        "properties",
        obj! {
            "sku" => obj! { "name" => "PerGB2018" },
            "retentionInDays" => 30,
            "features" => obj! { "enableLogAccessUsingOnlyResourcePermissions" => true },
            "publicNetworkAccessForIngestion" => "Enabled",
            "publicNetworkAccessForQuery" => "Enabled",
        },
    );
    let logs = t.add(
        "logAnalytics",
        &logs_name,
        rid(T_LOGS, &[&logs_name]),
        logs,
        &[],
    );
    let name = t.var(
        "appInsightsName",
        ex(&format!("format('{{0}}-appi', {P_PREFIX})")),
    );
    let mut body = resource(T_INSIGHTS, "2020-02-02", &ex(&name));
    body.push("kind", "web");
    body.push(
        "properties",
        obj! {
            "Application_Type" => "web",
            "WorkspaceResourceId" => ex(&logs.id),
            "IngestionMode" => "LogAnalytics",
            "publicNetworkAccessForIngestion" => "Enabled",
            "publicNetworkAccessForQuery" => "Enabled",
        },
    );
    t.add(
        "appInsights",
        &name,
        rid(T_INSIGHTS, &[&name]),
        body,
        &[&logs.sym],
    )
}

/// The private DNS zone `zone` (a literal name) linked to the VNet.
pub fn private_dns_zone(t: &mut Template, zone: &str) -> Added {
    let body = obj! {
        "type" => T_ZONE,
        "apiVersion" => "2020-06-01",
        "name" => zone,
        "location" => "global",
        "tags" => ex("parameters('tags')"),
        "properties" => obj! {},
    };
    let added = t.add("dnsZone", &q(zone), rid(T_ZONE, &[&q(zone)]), body, &[]);
    let link = format!(
        "format('{{0}}/{{1}}', {}, format('{{0}}-link', {P_VNET}))",
        q(zone)
    );
    let body = obj! {
        "type" => T_ZONE_LINK,
        "apiVersion" => "2020-06-01",
        "name" => ex(&link),
        "location" => "global",
        "properties" => obj! {
            "registrationEnabled" => false,
            "virtualNetwork" => id_ref(&rid(T_VNET, &[P_VNET])),
        },
    };
    let link_name = format!("format('{{0}}-link', {P_VNET})");
    let id = rid(T_ZONE_LINK, &[&q(zone), &link_name]);
    t.add("dnsZoneLink", &link, id, body, &[&added.sym]);
    added
}

/// A private endpoint in `subnet` (an ID expression) to `target`'s `group`, registered in `zone`.
pub fn private_endpoint(
    t: &mut Template,
    target: &Added,
    group: &str,
    subnet: &str,
    zone: Option<&Added>,
) -> Added {
    let n = t.resources.len();
    let value = ex(&format!("format('{{0}}-pe-{group}-{n}', {P_PREFIX})"));
    let name = t.var("privateEndpointName", value);
    let mut body = resource(T_ENDPOINT, "2023-09-01", &ex(&name));
    body.push(
        "properties",
        obj! {
            "subnet" => obj! { "id" => ex(subnet) },
            "customNetworkInterfaceName" => ex(&format!("format('{{0}}-nic', {name})")),
            "privateLinkServiceConnections" => arr![obj! {
                "name" => format!("{group}-connection"),
                "properties" => obj! {
                    "privateLinkServiceId" => ex(&target.id),
                    "groupIds" => arr![group],
                },
            }],
        },
    );
    let mut deps = vec![target.sym.as_str()];
    let endpoint = t.add(
        "privateEndpoint",
        &name,
        rid(T_ENDPOINT, &[&name]),
        body,
        &deps,
    );
    if let Some(zone) = zone {
        let group_name = format!("format('{{0}}/{{1}}', {name}, 'default')");
        let body = obj! {
            "type" => T_ZONE_GROUP,
            "apiVersion" => "2023-09-01",
            "name" => ex(&group_name),
            "properties" => obj! {
                "privateDnsZoneConfigs" => arr![obj! {
                    "name" => zone.name.trim_matches('\'').replace('.', "-"),
                    "properties" => obj! { "privateDnsZoneId" => ex(&zone.id) },
                }],
            },
        };
        deps = vec![endpoint.sym.as_str(), zone.sym.as_str()];
        let id = rid(T_ZONE_GROUP, &[&name, &q("default")]);
        t.add("dnsZoneGroup", &group_name, id, body, &deps);
    }
    endpoint
}

/// A user-assigned identity and a Contributor role assignment for it.
pub fn identity_with_role(t: &mut Template) {
    let n = t.resources.len();
    let value =
        format!("format('{{0}}-id{n}-{{1}}', {P_PREFIX}, uniqueString(resourceGroup().id))");
    let name = t.var("identityName", ex(&value));
    let body = resource(T_IDENTITY, "2023-01-31", &ex(&name));
    let identity = t.add("identity", &name, rid(T_IDENTITY, &[&name]), body, &[]);
    let role_name = format!("guid(resourceGroup().id, {name}, 'contributor')");
    let body = obj! {
        "type" => T_ROLE,
        "apiVersion" => "2022-04-01",
        "name" => ex(&role_name),
        "properties" => obj! {
            "roleDefinitionId" => ex(&format!(
                "subscriptionResourceId('Microsoft.Authorization/roleDefinitions', {})",
                q(CONTRIBUTOR)
            )),
            "principalId" => ex(&format!("reference({}).principalId", identity.id)),
            "principalType" => "ServicePrincipal",
        },
    };
    t.add(
        "roleAssignment",
        &role_name,
        rid(T_ROLE, &[&role_name]),
        body,
        &[&identity.sym],
    );
}

/// A random GUID-shaped string.
pub fn guid(rng: &mut Rng) -> String {
    let a = rng.hex();
    let b = rng.hex();
    format!(
        "{}-{}-{}-{}-{}",
        &a[..8],
        &a[8..12],
        &a[12..16],
        &b[..4],
        &b[4..16]
    )
}

/// Adds the first private DNS zone the template does not have yet (`None` when it has them all).
fn next_zone(t: &mut Template) -> Option<Added> {
    let taken = |zone: &str| t.resources.iter().any(|r| r.body_name() == Some(zone));
    let zone = ZONES.iter().find(|z| !taken(z))?;
    Some(private_dns_zone(t, zone))
}

/// Adds realistic resources until the template is about `target` bytes. `network` allows
/// network resources (NSGs, public IPs) among them.
pub fn pad(rng: &mut Rng, t: &mut Template, target: usize, network: bool) {
    let mut size = t.size();
    while size < target {
        let before = t.resources.len();
        let vars_before = t.variables.len();
        // 0..=4: services; 5 and 6: network resources.
        match rng.range(0, if network { 6 } else { 4 }) {
            0 => {
                let _ = storage_account(rng, t);
            }
            1 => {
                let _ = key_vault(rng, t);
            }
            2 => identity_with_role(t),
            3 | 4 => {
                if next_zone(t).is_none() {
                    let _ = container_registry(t);
                }
            }
            5 => {
                let suffix = format!("extra{}", t.resources.len());
                let rules = rng.range(5, 10);
                let _ = super::network::nsg(rng, t, &suffix, rules);
            }
            _ => {
                let count = rng.range(2, 5);
                super::network::public_ip_loop(rng, t, count);
            }
        }
        size += t.resources[before..]
            .iter()
            .map(|r| r.body.pretty_len(2) + 4 * (r.deps.len() + 1))
            .sum::<usize>();
        size += t.variables[vars_before..]
            .iter()
            .map(|(k, v)| k.len() + v.pretty_len(2) + 8)
            .sum::<usize>();
    }
}
