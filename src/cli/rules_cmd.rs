//! `amlint rules` and `amlint explain`.

use super::{CliError, RulesFormat};
use crate::rules::Catalog;
use serde::Serialize;

#[derive(Serialize)]
struct RuleRow<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    source: String,
    summary: &'a str,
}

/// The rule list as a table or JSON.
pub fn list(catalog: &Catalog, format: RulesFormat) -> String {
    let rows: Vec<RuleRow<'_>> = catalog
        .rules()
        .into_iter()
        .map(|(r, source)| RuleRow {
            code: r.code,
            name: r.name,
            severity: r.severity.as_str(),
            source: source.label(),
            summary: r.summary,
        })
        .collect();
    match format {
        RulesFormat::Json => {
            let mut s = serde_json::to_string_pretty(&rows).unwrap_or_default();
            s.push('\n');
            s
        }
        RulesFormat::Table => {
            let width = |f: fn(&RuleRow) -> usize, title: &str| {
                rows.iter().map(f).max().unwrap_or(0).max(title.len())
            };
            let code_w = width(|r| r.code.len(), "CODE");
            let name_w = width(|r| r.name.len(), "NAME");
            let severity_w = width(|r| r.severity.len(), "SEVERITY");
            let source_w = width(|r| r.source.chars().count(), "SOURCE");
            let mut out = format!(
                "{:<code_w$}  {:<name_w$}  {:<severity_w$}  {:<source_w$}  SUMMARY\n",
                "CODE", "NAME", "SEVERITY", "SOURCE"
            );
            for r in &rows {
                out.push_str(&format!(
                    "{:<code_w$}  {:<name_w$}  {:<severity_w$}  {:<source_w$}  {}\n",
                    r.code, r.name, r.severity, r.source, r.summary
                ));
            }
            out
        }
    }
}

/// A rule's documentation.
pub fn explain(catalog: &Catalog, code_or_name: &str) -> Result<String, CliError> {
    let (rule, source) = catalog
        .find(code_or_name)
        .ok_or_else(|| CliError::UnknownRule(code_or_name.to_owned()))?;
    Ok(format!(
        "# {} ({})\n\nDefault severity: {}. Source: {}.\n\n{}",
        rule.code,
        rule.name,
        rule.severity,
        source.label(),
        rule.documentation()
    ))
}
