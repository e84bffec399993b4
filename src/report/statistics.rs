//! `--statistics`: how many findings each rule produced.

use super::{escape, Finding};
use std::collections::BTreeMap;

/// A table of code, name and count, most frequent first, then by code; empty without findings.
pub fn render(findings: &[Finding]) -> String {
    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for f in findings {
        *counts.entry((f.code, f.name)).or_default() += 1;
    }
    let mut rows: Vec<((&str, &str), usize)> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let code_width = rows.iter().map(|((c, _), _)| c.len()).max().unwrap_or(0);
    let name_width = rows.iter().map(|((_, n), _)| n.len()).max().unwrap_or(0);
    let count_width = rows
        .iter()
        .map(|(_, n)| n.to_string().len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for ((code, name), count) in rows {
        out.push_str(&format!(
            "{:<code_width$}  {:<name_width$}  {count:>count_width$}\n",
            escape::line(code),
            escape::line(name)
        ));
    }
    out
}
