//! `--select` and `--ignore`: which rules run.

use super::RuleMeta;
use std::collections::BTreeSet;

/// The enabled rule codes; all of them unless a selection was made.
#[derive(Debug, Clone, Default)]
pub struct RuleSelection {
    enabled: Option<BTreeSet<&'static str>>,
}

/// A `--select` / `--ignore` entry that names no rule.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("`{0}` names no rule")]
#[diagnostic(
    code(amlint::unknown_rule),
    help("`amlint rules` lists the codes and names")
)]
pub struct SelectionError(pub String);

impl RuleSelection {
    /// Starts from `select` (all rules when empty), then removes `ignore`. Entries are codes, code
    /// prefixes (`AML2`), names, or `ALL`.
    pub fn new(
        all: &[&'static RuleMeta],
        select: &[String],
        ignore: &[String],
    ) -> Result<Self, SelectionError> {
        if select.is_empty() && ignore.is_empty() {
            return Ok(RuleSelection::default());
        }
        let mut enabled = BTreeSet::new();
        if select.is_empty() {
            enabled.extend(all.iter().map(|r| r.code));
        }
        for s in select {
            enabled.extend(matching(all, s)?);
        }
        for s in ignore {
            for code in matching(all, s)? {
                enabled.remove(code);
            }
        }
        Ok(RuleSelection {
            enabled: Some(enabled),
        })
    }

    pub fn is_enabled(&self, code: &str) -> bool {
        self.enabled.as_ref().is_none_or(|set| set.contains(code))
    }
}

fn matching(all: &[&'static RuleMeta], entry: &str) -> Result<Vec<&'static str>, SelectionError> {
    let entry = entry.trim();
    if entry.eq_ignore_ascii_case("ALL") {
        return Ok(all.iter().map(|r| r.code).collect());
    }
    let upper = entry.to_ascii_uppercase();
    let found: Vec<&'static str> = all
        .iter()
        .filter(|r| {
            let prefix = upper.len() >= 2
                && r.code.starts_with(&upper)
                && upper.chars().take_while(char::is_ascii_uppercase).count() >= 2;
            prefix || r.name.eq_ignore_ascii_case(entry)
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
    use crate::rules::REGISTRY;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn select_and_ignore() {
        let all = RuleSelection::new(REGISTRY, &[], &[]).unwrap();
        assert!(all.is_enabled("AML201") && all.is_enabled("AML001") && all.is_enabled("ORG001"));
        let only = RuleSelection::new(REGISTRY, &s(&["AML2"]), &[]).unwrap();
        assert!(only.is_enabled("AML201") && !only.is_enabled("AML001"));
        let by_name =
            RuleSelection::new(REGISTRY, &s(&["no-public-ip-compute-without-egress"]), &[])
                .unwrap();
        assert!(by_name.is_enabled("AML201") && !by_name.is_enabled("AML002"));
        let ignored = RuleSelection::new(REGISTRY, &s(&["ALL"]), &s(&["aml002"])).unwrap();
        assert!(!ignored.is_enabled("AML002") && ignored.is_enabled("AML201"));
        assert_eq!(
            RuleSelection::new(REGISTRY, &s(&["AML9"]), &[])
                .unwrap_err()
                .0,
            "AML9"
        );
        assert!(RuleSelection::new(REGISTRY, &[], &s(&["bogus"])).is_err());
    }
}
