use super::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports what Azure Resource Manager would reject before deploying anything: a reference to
    /// an undeclared parameter, variable or user function; an expression that does not parse; a
    /// variable that depends on itself; a `copy` count outside 0..800; a parameter file value for a
    /// parameter the template does not declare. Also reports where amlint stops following the
    /// template (nested deployments deeper than 16 levels, evaluation deeper than amlint allows),
    /// so that a silence is never mistaken for a pass.
    ///
    /// ## Why is this bad?
    /// The deployment fails at validation, after the pipeline has already run. Everything amlint
    /// derives from the broken part is unknown, so network rules cannot vouch for it either.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "variables": { "subnetName": "[variables('subnetName')]" },
    ///   "resources": []
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "variables": { "subnetName": "training" },
    ///   "resources": []
    /// }
    /// ```
    ///
    /// ## References
    /// - [Template functions](https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions)
    /// - [Resource iteration](https://learn.microsoft.com/azure/azure-resource-manager/templates/copy-resources)
    ///   (the count can't exceed 800)
    pub struct TemplateInvalid {
        code: "AML003",
        name: "template-invalid",
        severity: Error,
        summary: "what ARM would reject at deployment: undeclared names, cycles, copy counts over 800",
    }
}
