use super::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a file that amlint cannot read as JSON: a syntax error, with its exact line and
    /// column; a file that is not UTF-8; an empty file; nesting deeper than 512 levels; a file over
    /// 64 MiB; or a file that cannot be read at all.
    ///
    /// ## Why is this bad?
    /// Azure Resource Manager rejects the deployment of a file it cannot parse. ARM accepts
    /// `//` and `/* */` comments, and nothing else beyond JSON: trailing commas, single-quoted
    /// strings and unquoted keys are errors. The rest of the tree is still linted.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [],
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": []
    /// }
    /// ```
    ///
    /// ## References
    /// - [Template syntax](https://learn.microsoft.com/azure/azure-resource-manager/templates/syntax)
    ///   (comments are allowed in templates and parameter files)
    pub struct InvalidJson {
        code: "AML001",
        name: "invalid-json",
        severity: Error,
        summary: "a file that cannot be parsed, at the exact position",
    }
}
