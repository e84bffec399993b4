//! `--select` and `--ignore`: which rules run.

use super::REGISTRY;
use std::collections::BTreeSet;

/// The enabled rule codes.
#[derive(Debug, Clone)]
pub struct RuleSelection {
    enabled: BTreeSet<&'static str>,
}

/// A `--select` / `--ignore` entry that names no rule.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("`{0}` names no rule")]
#[diagnostic(
    code(amlint::unknown_rule),
    help("`amlint rules` lists the codes and names")
)]
pub struct SelectionError(pub String);

impl Default for RuleSelection {
    fn default() -> Self {
        RuleSelection {
            enabled: REGISTRY.iter().map(|r| r.code).collect(),
        }
    }
}

impl RuleSelection {
    /// Starts from `select` (all rules when empty), then removes `ignore`. Entries are codes, code
    /// prefixes (`AML2`), names, or `ALL`.
    pub fn new(select: &[String], ignore: &[String]) -> Result<Self, SelectionError> {
        let mut enabled = BTreeSet::new();
        if select.is_empty() {
            enabled.extend(REGISTRY.iter().map(|r| r.code));
        }
        for s in select {
            enabled.extend(matching(s)?);
        }
        for s in ignore {
            for code in matching(s)? {
                enabled.remove(code);
            }
        }
        Ok(RuleSelection { enabled })
    }

    pub fn is_enabled(&self, code: &str) -> bool {
        self.enabled.contains(code)
    }
}

fn matching(entry: &str) -> Result<Vec<&'static str>, SelectionError> {
    let entry = entry.trim();
    if entry.eq_ignore_ascii_case("ALL") {
        return Ok(REGISTRY.iter().map(|r| r.code).collect());
    }
    let upper = entry.to_ascii_uppercase();
    let found: Vec<&'static str> = REGISTRY
        .iter()
        .filter(|r| {
            (upper.starts_with("AML") && r.code.starts_with(&upper))
                || r.name.eq_ignore_ascii_case(entry)
        })
        .map(|r| r.code)
        .collect();
    if found.is_empty() {
        return Err(SelectionError(entry.to_owned()));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn select_and_ignore() {
        let all = RuleSelection::new(&[], &[]).unwrap();
        assert!(all.is_enabled("AML201") && all.is_enabled("AML001"));
        let only = RuleSelection::new(&s(&["AML2"]), &[]).unwrap();
        assert!(only.is_enabled("AML201") && !only.is_enabled("AML001"));
        let by_name =
            RuleSelection::new(&s(&["no-public-ip-compute-without-egress"]), &[]).unwrap();
        assert!(by_name.is_enabled("AML201") && !by_name.is_enabled("AML002"));
        let ignored = RuleSelection::new(&s(&["ALL"]), &s(&["aml002"])).unwrap();
        assert!(!ignored.is_enabled("AML002") && ignored.is_enabled("AML201"));
        assert_eq!(
            RuleSelection::new(&s(&["AML9"]), &[]).unwrap_err().0,
            "AML9"
        );
        assert!(RuleSelection::new(&[], &s(&["bogus"])).is_err());
    }
}
