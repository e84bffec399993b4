use super::{declare_rule, Context};
use crate::model::Field;

declare_rule! {
    /// ## What it does
    /// Reports an `FQDN` outbound rule whose destination is an Azure Storage endpoint
    /// (`*.blob.core.windows.net`, `*.dfs.core.windows.net`, `*.file.core.windows.net`, ... and the
    /// sovereign clouds' `core.*` suffixes) on a workspace in `AllowOnlyApprovedOutbound` mode.
    ///
    /// ## Why is this bad?
    /// In `AllowOnlyApprovedOutbound` mode, FQDN rules are enforced by a managed firewall that
    /// cannot reach Azure Storage; storage must be reached through a `PrivateEndpoint` outbound
    /// rule. The FQDN rule silently does not work, and jobs fail to read their data.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     { "type": "Microsoft.MachineLearningServices/workspaces", "apiVersion": "2024-04-01", "name": "ws",
    ///       "properties": { "managedNetwork": { "isolationMode": "AllowOnlyApprovedOutbound",
    ///         "outboundRules": { "data": { "type": "FQDN", "destination": "mydata.blob.core.windows.net", "category": "UserDefined" } } } } }
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
    ///     { "type": "Microsoft.MachineLearningServices/workspaces", "apiVersion": "2024-04-01", "name": "ws",
    ///       "properties": { "managedNetwork": { "isolationMode": "AllowOnlyApprovedOutbound",
    ///         "outboundRules": { "data": { "type": "PrivateEndpoint", "category": "UserDefined",
    ///           "destination": { "serviceResourceId": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/mydata", "subresourceTarget": "blob" } } } } } }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - [Workspace managed network isolation](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network)
    ///   (FQDN rules cannot reach Azure Storage; use a private endpoint; ports 80 and 443 only)
    pub struct ManagedNetworkFqdnRuleToStorage {
        code: "AML304",
        name: "managed-network-fqdn-rule-to-storage",
        severity: Error,
        summary: "an `FQDN` outbound rule to a storage endpoint in `AllowOnlyApprovedOutbound` mode",
    }
}

/// Host suffixes of Azure Storage endpoints in the public and sovereign clouds.
const STORAGE_SUFFIXES: &[&str] = &[
    "core.windows.net",
    "core.chinacloudapi.cn",
    "core.usgovcloudapi.net",
    "core.cloudapi.de",
];

/// The storage sub-resource a host names (`x.dfs.core.windows.net` → `dfs`); `blob` by default.
fn subresource(fqdn: &str) -> &'static str {
    let host = fqdn.to_ascii_lowercase();
    ["blob", "dfs", "file", "queue", "table", "web"]
        .into_iter()
        .find(|s| host.contains(&format!(".{s}.")) || host.starts_with(&format!("{s}.")))
        .unwrap_or("blob")
}

fn is_storage(fqdn: &str) -> bool {
    let host = fqdn.trim().trim_end_matches('.').to_ascii_lowercase();
    STORAGE_SUFFIXES
        .iter()
        .any(|s| host == *s || host.ends_with(&format!(".{s}")))
}

pub(super) fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for ws in &model.workspaces {
        let mode = ws.isolation_mode();
        let approved = mode
            .value()
            .and_then(|v| v.as_known_str())
            .is_some_and(|m| m.eq_ignore_ascii_case("AllowOnlyApprovedOutbound"));
        if !approved {
            continue;
        }
        for rule in &ws.outbound_rules {
            let is_fqdn = rule
                .field("type")
                .value()
                .and_then(|v| v.as_known_str())
                .is_some_and(|t| t.eq_ignore_ascii_case("FQDN"));
            if !is_fqdn {
                continue;
            }
            let Field::Present(dest) = rule.field("destination") else {
                continue;
            };
            let Some(fqdn) = dest.as_known_str() else {
                continue;
            };
            if !is_storage(fqdn) {
                continue;
            }
            let message = format!(
                "outbound rule `{}` of workspace `{}` allows `{fqdn}` by FQDN, but FQDN rules cannot reach Azure Storage in `AllowOnlyApprovedOutbound` mode",
                rule.name,
                ws.e.display_name()
            );
            let finding = cx
                .finding(&ws.e, dest.span().or(rule.span), message)
                .label("a storage endpoint")
                                .help(format!("replace it with a `PrivateEndpoint` outbound rule: `{{ \"type\": \"PrivateEndpoint\", \"destination\": {{ \"serviceResourceId\": \"<storage account ID>\", \"subresourceTarget\": \"{}\" }} }}`", subresource(fqdn)))
                .related(mode.value().map_or(ws.e.span, |v| v.span().or(ws.e.span)), "`AllowOnlyApprovedOutbound` mode");
            cx.report(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn storage_hosts() {
        for yes in [
            "a.blob.core.windows.net",
            "x.dfs.core.windows.net.",
            "*.file.core.chinacloudapi.cn",
            "core.windows.net",
        ] {
            assert!(super::is_storage(yes), "{yes}");
        }
        for no in [
            "pypi.org",
            "core.windows.net.evil.com",
            "mycore.windows.net",
            "login.microsoftonline.com",
        ] {
            assert!(!super::is_storage(no), "{no}");
        }
    }
}
