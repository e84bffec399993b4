//! The rules: one file per rule, a registry of codes, and what a check needs.
//!
//! A rule is declared with [`declare_rule!`]: its doc comment is its documentation, printed by
//! `amlint explain`, with the sections What it does / Why is this bad? / Example / Use instead /
//! References. Rules never read JSON: they ask the model (`model/`) and the network engine (`net/`).

mod aml001;
mod aml002;
mod aml003;
mod aml004;
mod aml005;
mod aml006;
mod aml101;
mod aml102;
mod aml103;
mod aml201;
mod aml202;
mod aml203;
mod aml204;
mod aml205;
mod aml301;
mod aml302;
mod aml303;
mod aml304;
mod aml305;
mod aml402;
mod aml601;
mod aml602;
mod aml603;
mod aml604;
mod aml605;
mod aml606;
mod catalog;
mod common;
pub mod declarative;
mod inbound;
mod selection;

pub use catalog::{Catalog, CatalogError, RuleSource};
pub use declarative::Settings;
pub use selection::{RuleSelection, SelectionError};

use crate::arm::value::Unknown;
use crate::model::{Entity, Model, UnitId};
use crate::report::{Finding, Related, ResourceRef, Severity};
use crate::source::Span;
use std::sync::Arc;

/// What every rule is.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// One line, for `amlint rules`.
    pub summary: &'static str,
    /// The documentation (Markdown), as written in the rule's doc comment.
    pub doc: &'static str,
}

impl RuleMeta {
    /// The documentation without the leading space of each doc-comment line.
    pub fn documentation(&self) -> String {
        let mut out = String::with_capacity(self.doc.len());
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out
    }
}

/// Declares a rule: a unit struct with a `META` constant whose `doc` is the doc comment.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        $vis:vis struct $ty:ident {
            code: $code:literal,
            name: $name:literal,
            severity: $sev:ident,
            summary: $summary:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])+
        $vis struct $ty;

        impl $ty {
            pub const META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
                code: $code,
                name: $name,
                severity: $crate::report::Severity::$sev,
                summary: $summary,
                doc: concat!($($doc, "\n"),+),
            };
        }
    };
}
pub(crate) use declare_rule;

/// A rule that checks the model.
pub struct Check {
    pub meta: &'static RuleMeta,
    pub run: fn(&mut Context<'_>),
}

/// Every rule, in code order. Codes are append-only and never reused.
pub static REGISTRY: &[&RuleMeta] = &[
    &aml001::InvalidJson::META,
    &aml002::UnverifiableNetworkPath::META,
    &aml003::TemplateInvalid::META,
    &aml004::InvalidSuppression::META,
    &aml005::ExpiredSuppression::META,
    &aml006::UnusedSuppression::META,
    &aml101::PublicIpComputeAzuremlInboundBlocked::META,
    &aml102::PublicIpComputeBatchInboundBlocked::META,
    &aml103::ComputeInstancePublicIpImplicit::META,
    &aml201::NoPublicIpComputeWithoutEgress::META,
    &aml202::ForcedTunnelAsymmetricRoute::META,
    &aml203::DefaultRouteBlackholed::META,
    &aml204::RequiredOutboundBlocked::META,
    &aml205::NoPublicIpComputeWithoutWorkspacePrivateEndpoint::META,
    &aml301::ManagedNetworkComputeInCustomSubnet::META,
    &aml302::ManagedNetworkUnsupportedCompute::META,
    &aml303::ManagedNetworkOutboundRuleModeMismatch::META,
    &aml304::ManagedNetworkFqdnRuleToStorage::META,
    &aml305::WorkspaceUnreachable::META,
    &aml402::NsgManagementPortOpenToInternet::META,
    &aml601::NsgDuplicatePriority::META,
    &aml602::NsgPriorityOutOfRange::META,
    &aml603::NsgInvalidRuleValue::META,
    &aml604::NsgRuleShadowed::META,
    &aml605::RouteNextHopInvalid::META,
    &aml606::UnattachedNetworkResource::META,
];

macro_rules! checks {
    ($($rule:ident :: $ty:ident),+ $(,)?) => {
        &[$(Check { meta: &$rule::$ty::META, run: $rule::check }),+]
    };
}

/// The rules that check the model (AML001 and AML003 come from reading and evaluating; AML002
/// from the others).
pub static CHECKS: &[Check] = checks![
    aml101::PublicIpComputeAzuremlInboundBlocked,
    aml102::PublicIpComputeBatchInboundBlocked,
    aml103::ComputeInstancePublicIpImplicit,
    aml201::NoPublicIpComputeWithoutEgress,
    aml202::ForcedTunnelAsymmetricRoute,
    aml203::DefaultRouteBlackholed,
    aml204::RequiredOutboundBlocked,
    aml205::NoPublicIpComputeWithoutWorkspacePrivateEndpoint,
    aml301::ManagedNetworkComputeInCustomSubnet,
    aml302::ManagedNetworkUnsupportedCompute,
    aml303::ManagedNetworkOutboundRuleModeMismatch,
    aml304::ManagedNetworkFqdnRuleToStorage,
    aml305::WorkspaceUnreachable,
    aml402::NsgManagementPortOpenToInternet,
    aml601::NsgDuplicatePriority,
    aml602::NsgPriorityOutOfRange,
    aml603::NsgInvalidRuleValue,
    aml604::NsgRuleShadowed,
    aml605::RouteNextHopInvalid,
    aml606::UnattachedNetworkResource,
];

/// A rule by code or name (case-insensitive).
pub fn find(code_or_name: &str) -> Option<&'static RuleMeta> {
    REGISTRY.iter().copied().find(|r| {
        r.code.eq_ignore_ascii_case(code_or_name) || r.name.eq_ignore_ascii_case(code_or_name)
    })
}

/// An unverifiable verdict, before AML002 findings are merged per resource.
#[derive(Debug, Clone)]
struct Unverified {
    unit: UnitId,
    span: Span,
    resource: ResourceRef,
    code: &'static str,
    reason: Arc<Unknown>,
}

/// What a check sees, and where it reports.
pub struct Context<'m> {
    pub model: &'m Model,
    findings: Vec<Finding>,
    unverified: Vec<Unverified>,
    current: &'static RuleMeta,
}

impl<'m> Context<'m> {
    pub fn new(model: &'m Model) -> Self {
        Context {
            model,
            findings: Vec::new(),
            unverified: Vec::new(),
            current: &aml002::UnverifiableNetworkPath::META,
        }
    }

    /// A context whose findings are the rule `meta`'s.
    pub fn for_rule(model: &'m Model, meta: &'static RuleMeta) -> Self {
        let mut cx = Context::new(model);
        cx.current = meta;
        cx
    }

    /// The findings reported so far.
    #[cfg(test)]
    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }

    /// Starts a finding of the running rule about `entity`.
    pub fn finding(&self, entity: &Entity, span: Span, message: String) -> FindingBuilder {
        FindingBuilder {
            finding: Finding {
                code: self.current.code,
                name: self.current.name,
                severity: self.current.severity,
                message,
                help: None,
                span: span.or(entity.span),
                label: None,
                resource: Some(resource_ref(entity)),
                parameters_file: self.model.unit(entity.unit).parameters,
                related: Vec::new(),
            },
        }
    }

    pub fn report(&mut self, builder: FindingBuilder) {
        self.findings.push(builder.finding);
    }

    /// The running rule could not decide for `entity`: reported as AML002 with the reason.
    pub fn unverifiable(&mut self, entity: &Entity, span: Span, reason: Arc<Unknown>) {
        self.unverified.push(Unverified {
            unit: entity.unit,
            span: span.or(entity.span),
            resource: resource_ref(entity),
            code: self.current.code,
            reason,
        });
    }

    /// Runs the selected checks and returns their findings with the merged AML002s.
    ///
    /// AML002 explains the silence of the rules that run; selected alone, it explains all of them
    /// (their own findings are then dropped).
    pub fn run(self, catalog: &Catalog, selection: &RuleSelection) -> Vec<Finding> {
        use rayon::prelude::*;
        let model = self.model;
        let any_check = CHECKS.iter().any(|c| selection.is_enabled(c.meta.code))
            || catalog
                .declarative
                .iter()
                .any(|r| selection.is_enabled(r.meta.code));
        let explain_all =
            !any_check && selection.is_enabled(aml002::UnverifiableNetworkPath::META.code);
        if explain_all || CHECKS.iter().any(|c| selection.is_enabled(c.meta.code)) {
            // The NSG rules' fields, which most built-in checks read, are read up front, in
            // parallel: otherwise the first check to need them would read them all on its own
            // thread.
            model.nsgs.par_iter().for_each(|nsg| {
                for rule in &nsg.rules {
                    crate::net::nsg::RuleView::new(rule);
                }
            });
        }
        // The checks are independent: each runs on its own context, in one parallel loop (the
        // declarative rules together, resource by resource, then each built-in check on its
        // own); their results are joined in that order, so the output does not depend on the
        // threads.
        enum Job<'c> {
            Declarative(Vec<&'c declarative::DeclarativeRule>),
            Builtin(&'c Check),
        }
        let declared: Vec<&declarative::DeclarativeRule> = catalog
            .declarative
            .iter()
            .filter(|rule| selection.is_enabled(rule.meta.code) || explain_all)
            .collect();
        let jobs: Vec<Job<'_>> = std::iter::once(Job::Declarative(declared))
            .chain(
                CHECKS
                    .iter()
                    .filter(|check| selection.is_enabled(check.meta.code) || explain_all)
                    .map(Job::Builtin),
            )
            .collect();
        let runs: Vec<Vec<(Vec<Finding>, Vec<Unverified>)>> = jobs
            .par_iter()
            .with_max_len(1)
            .map(|job| match job {
                Job::Declarative(rules) => {
                    let mut contexts: Vec<Context<'_>> = rules
                        .iter()
                        .map(|rule| Context::for_rule(model, rule.meta))
                        .collect();
                    declarative::check_all(rules, &mut contexts);
                    contexts
                        .into_iter()
                        .map(|cx| (cx.findings, cx.unverified))
                        .collect()
                }
                Job::Builtin(check) => {
                    let mut cx = Context::for_rule(model, check.meta);
                    (check.run)(&mut cx);
                    vec![(cx.findings, cx.unverified)]
                }
            })
            .collect();
        let mut out: Vec<Finding> = Vec::new();
        let mut unverified = Vec::new();
        for (findings, unknown) in runs.into_iter().flatten() {
            out.extend(
                findings
                    .into_iter()
                    .filter(|f| selection.is_enabled(f.code)),
            );
            unverified.extend(unknown);
        }
        if selection.is_enabled(aml002::UnverifiableNetworkPath::META.code) {
            out.extend(aml002::merge(model, unverified));
        }
        out
    }
}

/// A finding being built.
pub struct FindingBuilder {
    finding: Finding,
}

impl FindingBuilder {
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.finding.help = Some(help.into());
        self
    }

    /// What the primary span is, in a few words.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.finding.label = Some(label.into());
        self
    }

    pub fn related(mut self, span: Span, message: impl Into<String>) -> Self {
        if !span.is_none() {
            self.finding.related.push(Related {
                span,
                message: message.into(),
            });
        }
        self
    }
}

fn resource_ref(e: &Entity) -> ResourceRef {
    ResourceRef {
        full_type: e.full_type.to_string(),
        name: e.display_name(),
        declaration: e.span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut codes: Vec<_> = REGISTRY.iter().map(|r| r.code).collect();
        let sorted = {
            let mut s = codes.clone();
            s.sort();
            s
        };
        assert_eq!(codes, sorted, "registry is in code order");
        codes.dedup();
        assert_eq!(codes.len(), REGISTRY.len());
        let mut names: Vec<_> = REGISTRY.iter().map(|r| r.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), REGISTRY.len());
        for r in REGISTRY {
            assert!(
                r.code.len() == 6
                    && r.code.starts_with("AML")
                    && r.code[3..].chars().all(|c| c.is_ascii_digit())
            );
            assert!(
                r.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                r.name
            );
            assert!(!r.summary.ends_with('.'));
        }
    }

    #[test]
    fn every_rule_documents_the_required_sections() {
        for r in REGISTRY {
            let doc = r.documentation();
            for heading in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "Use instead:",
                "## References",
            ] {
                assert!(doc.contains(heading), "{} lacks `{heading}`", r.code);
            }
        }
    }

    #[test]
    fn find_by_code_or_name() {
        assert_eq!(find("aml201").unwrap().code, "AML201");
        assert_eq!(
            find("no-public-ip-compute-without-egress").unwrap().code,
            "AML201"
        );
        assert!(find("AML999").is_none());
    }
}
