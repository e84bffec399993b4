use super::{declare_rule, Unverified};
use crate::model::Model;
use crate::report::Finding;

declare_rule! {
    /// ## What it does
    /// Reports a network verdict amlint could not reach because it depends on a value that is not
    /// known offline, and says which value and why: a parameter without a value, a runtime property
    /// of another resource, a subnet that is not declared in the inputs. Declarative rules (a
    /// workspace's `publicNetworkAccess` from a parameter without a value) report here too. One
    /// finding per resource lists every reason and the rules it held back.
    ///
    /// ## Why is this bad?
    /// It is not bad in itself. amlint reports only what the evaluated templates prove; where a
    /// verdict depends on the unknown it stays silent and says so here, so that a clean run is not
    /// mistaken for a verified one. Give the value in a parameter file, or lint the files that
    /// declare the referenced resources together.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "parameters": { "subnetId": { "type": "string" } },
    ///   "resources": [
    ///     {
    ///       "type": "Microsoft.MachineLearningServices/workspaces/computes",
    ///       "apiVersion": "2024-04-01",
    ///       "name": "ws/cpu",
    ///       "properties": {
    ///         "computeType": "AmlCompute",
    ///         "properties": { "enableNodePublicIp": false, "subnet": { "id": "[parameters('subnetId')]" } }
    ///       }
    ///     }
    ///   ]
    /// }
    /// ```
    ///
    /// Use instead: a parameter file that gives `subnetId`, and the template that declares that
    /// subnet in the same run:
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     {
    ///       "type": "Microsoft.Network/virtualNetworks",
    ///       "apiVersion": "2024-05-01",
    ///       "name": "vnet",
    ///       "properties": {
    ///         "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
    ///         "subnets": [
    ///           { "name": "train", "properties": { "addressPrefix": "10.0.0.0/24", "natGateway": { "id": "[resourceId('Microsoft.Network/natGateways', 'nat')]" } } }
    ///         ]
    ///       }
    ///     },
    ///     {
    ///       "type": "Microsoft.MachineLearningServices/workspaces/computes",
    ///       "apiVersion": "2024-04-01",
    ///       "name": "ws/cpu",
    ///       "properties": {
    ///         "computeType": "AmlCompute",
    ///         "properties": { "enableNodePublicIp": false, "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'train')]" } }
    ///       }
    ///     }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - [Template parameter files](https://learn.microsoft.com/azure/azure-resource-manager/templates/parameter-files)
    /// - [reference()](https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-resource#reference)
    ///   (runtime properties are only known at deployment)
    pub struct UnverifiableNetworkPath {
        code: "AML002",
        name: "unverifiable-network-path",
        severity: Info,
        summary: "a verdict that depends on an unknown value, with the reason",
    }
}

/// One AML002 per resource and evaluation, listing every reason and the rules it held back.
pub(super) fn merge(model: &Model, mut items: Vec<Unverified>) -> Vec<Finding> {
    items.sort_by(|a, b| {
        (a.unit, &a.resource, a.span, a.code, &a.reason.reason).cmp(&(
            b.unit,
            &b.resource,
            b.span,
            b.code,
            &b.reason.reason,
        ))
    });
    let mut out: Vec<Finding> = Vec::new();
    let mut i = 0;
    while i < items.len() {
        let first = &items[i];
        let mut j = i;
        let mut reasons: Vec<&str> = Vec::new();
        let mut codes: Vec<&str> = Vec::new();
        while j < items.len() && items[j].unit == first.unit && items[j].resource == first.resource
        {
            if !reasons.contains(&items[j].reason.reason.as_str()) {
                reasons.push(&items[j].reason.reason);
            }
            if !codes.contains(&items[j].code) {
                codes.push(items[j].code);
            }
            j += 1;
        }
        let noun = noun_of(&first.resource);
        out.push(Finding {
            code: UnverifiableNetworkPath::META.code,
            name: UnverifiableNetworkPath::META.name,
            severity: UnverifiableNetworkPath::META.severity,
            message: format!("cannot verify {noun} `{}`: {}", first.resource.name, reasons.join("; ")),
            help: Some(format!(
                "not checked: {}; give the missing values in a parameter file, or lint the files that declare the referenced resources in the same run",
                codes.join(", ")
            )),
            span: first.span,
            label: None,
            resource: Some(first.resource.clone()),
            parameters_file: model.unit(first.unit).parameters,
            related: Vec::new(),
        });
        i = j;
    }
    out
}

fn noun_of(resource: &crate::report::ResourceRef) -> &'static str {
    let lower = resource.full_type.to_ascii_lowercase();
    if lower.ends_with("/computes") {
        "compute"
    } else if lower == "microsoft.machinelearningservices/workspaces" {
        // A workspace's serverless compute is reported as the workspace's `<name>/serverless`.
        if resource.name.ends_with("/serverless") {
            "serverless compute"
        } else {
            "workspace"
        }
    } else if lower.ends_with("/subnets") {
        "subnet"
    } else if lower.ends_with("/networksecuritygroups") {
        "network security group"
    } else {
        "resource"
    }
}
