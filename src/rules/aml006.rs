use super::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a suppression that suppressed nothing in this run: the finding it was written for
    /// is gone, or it names the wrong rule, resource, path or line. Suppressions of rules that did
    /// not run (not selected, or turned `off` in `[rules]`) are not reported.
    ///
    /// ## Why is this bad?
    /// A stale suppression waits to hide the next, unrelated finding of the same rule on the same
    /// resource. Removing it keeps the list of accepted risks true.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     {
    ///       "type": "Microsoft.Network/networkSecurityGroups",
    ///       "apiVersion": "2024-05-01",
    ///       "name": "nsg-jumpbox",
    ///       "location": "westeurope",
    ///       "properties": {
    ///         "securityRules": [
    ///           {
    ///             "name": "AllowSSH",
    ///             // amlint-ignore AML402: jump box behind just-in-time access
    ///             "properties": {
    ///               "priority": 110, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
    ///               "sourceAddressPrefix": "10.0.0.0/24", "sourcePortRange": "*",
    ///               "destinationAddressPrefix": "*", "destinationPortRange": "22"
    ///             }
    ///           }
    ///         ]
    ///       }
    ///     }
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
    ///     {
    ///       "type": "Microsoft.Network/networkSecurityGroups",
    ///       "apiVersion": "2024-05-01",
    ///       "name": "nsg-jumpbox",
    ///       "location": "westeurope",
    ///       "properties": {
    ///         "securityRules": [
    ///           {
    ///             "name": "AllowSSH",
    ///             "properties": {
    ///               "priority": 110, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
    ///               "sourceAddressPrefix": "10.0.0.0/24", "sourcePortRange": "*",
    ///               "destinationAddressPrefix": "*", "destinationPortRange": "22"
    ///             }
    ///           }
    ///         ]
    ///       }
    ///     }
    ///   ]
    /// }
    /// ```
    /// ## References
    /// - [Suppressions](README.md#suppressions): `[[suppress]]`, `metadata.amlint.suppress` and
    ///   `amlint-ignore` comments, with their rules
    pub struct UnusedSuppression {
        code: "AML006",
        name: "unused-suppression",
        severity: Info,
        summary: "a suppression that matched no finding",
    }
}
