//! The check that the generated tree is what it claims to be: valid ARM that amlint reads and
//! evaluates without AML001 (invalid JSON) or AML003 (template ARM would reject).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// The codes that mean the generator wrote something invalid (or amlint misread valid input).
const INVALID: &[&str] = &["AML001", "AML003"];

/// How many diagnostics of each code amlint reported on the tree.
pub type Counts = BTreeMap<String, usize>;

/// Runs amlint once on `root` with `--format json`; an error lists the first AML001/AML003
/// diagnostics with the lines they point at.
pub fn check_tree(amlint: &Path, root: &Path, jobs: usize) -> Result<Counts, String> {
    let output = Command::new(amlint)
        .args(["--format", "json", "-j", &jobs.to_string(), "."])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", amlint.display()))?;
    if !matches!(output.status.code(), Some(0 | 1)) {
        return Err(format!(
            "amlint exited with {} on the generated tree:\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("amlint's JSON report does not parse: {e}"))?;
    let diagnostics = report["diagnostics"]
        .as_array()
        .ok_or("amlint's JSON report has no `diagnostics` array")?;
    let mut counts = Counts::new();
    let mut invalid = Vec::new();
    for d in diagnostics {
        let code = d["code"].as_str().unwrap_or("?");
        *counts.entry(code.to_owned()).or_default() += 1;
        if INVALID.contains(&code) {
            invalid.push(d);
        }
    }
    if invalid.is_empty() {
        return Ok(counts);
    }
    let mut message = format!(
        "amlint reports {} AML001/AML003 diagnostics on the generated tree; the first ones:\n",
        invalid.len()
    );
    for d in invalid.iter().take(5) {
        message.push_str(&describe(root, d));
    }
    Err(message)
}

/// `file:line:column: CODE message`, then the lines around it.
fn describe(root: &Path, d: &serde_json::Value) -> String {
    let file = d["file"].as_str().unwrap_or("?");
    let line = d["line"].as_u64().unwrap_or(1) as usize;
    let mut out = format!(
        "\n{file}:{line}:{}: {} {}\n",
        d["column"].as_u64().unwrap_or(1),
        d["code"].as_str().unwrap_or("?"),
        d["message"].as_str().unwrap_or("")
    );
    if let Ok(text) = std::fs::read_to_string(root.join(file)) {
        let first = line.saturating_sub(3);
        for (i, l) in text.lines().enumerate().skip(first).take(5) {
            out.push_str(&format!("{:>6} | {l}\n", i + 1));
        }
    }
    out
}
