use super::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a suppression whose `expires` date has passed. From the day after that date it no
    /// longer applies: the findings it covered are reported again, and this diagnostic says why.
    ///
    /// ## Why is this bad?
    /// An expiry date is a promise to revisit an accepted risk. When it passes, the risk needs a
    /// fresh decision: fix the finding, or renew the suppression with a new date and reason.
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
    ///       "metadata": {
    ///         "amlint": {
    ///           "suppress": [
    ///             { "rule": "AML402", "reason": "migration window", "expires": "2021-06-30" }
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
    pub struct ExpiredSuppression {
        code: "AML005",
        name: "expired-suppression",
        severity: Warning,
        summary: "a suppression past its `expires` date: it no longer applies",
    }
}
