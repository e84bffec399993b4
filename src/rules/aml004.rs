use super::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a suppression amlint cannot honour: one without a reason, one that names no rule or
    /// a rule that does not exist, a malformed `metadata.amlint.suppress` entry, or an expiry that
    /// is not a `YYYY-MM-DD` date. Such a suppression suppresses nothing.
    ///
    /// Suppressions are written in three places: `[[suppress]]` in `amlint.toml` (an error there
    /// stops the run, exit status 2), a resource's `metadata.amlint.suppress` in a template (it
    /// survives Bicep compilation), and a `// amlint-ignore CODE: reason` comment on the line
    /// before the flagged line.
    ///
    /// ## Why is this bad?
    /// A finding accepted without a reason cannot be reviewed: nobody can tell later whether the
    /// risk was weighed or the warning was only silenced. A misspelled code silences nothing while
    /// looking as if it does.
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
    ///       "metadata": { "amlint": { "suppress": [ { "rule": "AML402" } ] } },
    ///       "properties": {
    ///         "securityRules": [
    ///           {
    ///             "name": "AllowSSH",
    ///             "properties": {
    ///               "priority": 110, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
    ///               "sourceAddressPrefix": "*", "sourcePortRange": "*",
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
    ///       "metadata": {
    ///         "amlint": {
    ///           "suppress": [
    ///             { "rule": "AML402", "reason": "jump box behind just-in-time access; see SEC-112" }
    ///           ]
    ///         }
    ///       },
    ///       "properties": {
    ///         "securityRules": [
    ///           {
    ///             "name": "AllowSSH",
    ///             "properties": {
    ///               "priority": 110, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
    ///               "sourceAddressPrefix": "*", "sourcePortRange": "*",
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
    /// ## References
    /// - [Suppressions](README.md#suppressions): `[[suppress]]`, `metadata.amlint.suppress` and
    ///   `amlint-ignore` comments, with their rules
    pub struct InvalidSuppression {
        code: "AML004",
        name: "invalid-suppression",
        severity: Error,
        summary: "a suppression without a reason, of an unknown rule, or malformed: it suppresses nothing",
    }
}
