//! Declarative rules: TOML files with JSONPath conditions, evaluated on evaluated resources.
//!
//! A rule file names the resource types it applies to, an optional `when` condition, the `assert`
//! condition a resource must meet, where to point (`at`), and its message, help and documentation.
//! Conditions are RFC 9535 filter expressions with `@` bound to the resource: the resource is the
//! evaluated object (`type`, `name`, `location`, `properties`, ...), with `parent` holding its
//! parent resource (a compute's workspace) when the inputs declare it. Parameters, copy loops and
//! modules are already resolved. jsonpath-rust parses the conditions once, at load; `eval`
//! evaluates them on amlint's own values in three-valued logic, so that a verdict that depends on
//! a value not known offline is neither a finding nor a pass but AML002, with the reason.
//!
//! The project's own declarative rules live in `rules/` and are embedded at build time; users add
//! theirs with `rule-dirs` or `--rule-dir`.

mod eval;
mod file;
#[cfg(test)]
mod tests;

pub use file::{parse_rule, RuleFileError, Settings};

use super::RuleMeta;
use crate::arm::value::Unknown;
use crate::model::{Entity, Model};
use crate::source::Span;
use eval::{Eval, Node, Regexes, Subject, Truth};
use jsonpath_rust::parser::model::{Filter, JpQuery, Segment, Selector};
use std::sync::Arc;

/// Where a rule comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Embedded from the project's `rules/` directory.
    Declarative,
    /// A user's rule file.
    User(String),
}

/// A filter expression, parsed once when the rule is loaded.
#[derive(Debug)]
pub struct Condition {
    pub text: String,
    filter: Filter,
    regexes: Regexes,
}

/// Where findings point: a query from `$`, the resource.
#[derive(Debug)]
pub struct At {
    pub text: String,
    query: JpQuery,
    regexes: Regexes,
}

/// A loaded declarative rule.
#[derive(Debug)]
pub struct DeclarativeRule {
    pub meta: &'static RuleMeta,
    pub source: Source,
    /// Lowercase resource types.
    pub types: Vec<String>,
    pub when: Option<Condition>,
    pub assert: Condition,
    /// Where findings point: the first node this query selects.
    pub at: Option<At>,
    pub message: String,
    pub help: Option<String>,
}

/// The outcome of a rule on one resource.
#[derive(Debug)]
pub enum Outcome {
    /// The rule does not apply, or the resource meets it.
    Pass,
    /// The resource violates the rule.
    Fail,
    /// Depends on a value not known offline.
    Unknown(Arc<Unknown>),
}

impl DeclarativeRule {
    /// Whether the rule is for this resource type.
    pub fn applies_to(&self, full_type: &str) -> bool {
        self.types.iter().any(|t| t.eq_ignore_ascii_case(full_type))
    }

    /// Whether a condition reads the parent resource, or the message or help quotes it.
    fn reads_parent(&self) -> bool {
        self.when
            .iter()
            .chain(std::iter::once(&self.assert))
            .any(|c| names_parent(&c.text))
            || self.message.contains("{parent}")
            || self.help.as_ref().is_some_and(|h| h.contains("{parent}"))
    }

    /// Evaluates the rule on a resource: `when`, then `assert`, in three-valued logic.
    fn outcome(&self, subject: &Subject<'_>) -> Outcome {
        let when = match &self.when {
            Some(w) => Eval::new(subject, &w.regexes).condition(&w.filter),
            None => Truth::True,
        };
        if matches!(when, Truth::False) {
            return Outcome::Pass;
        }
        let assert = Eval::new(subject, &self.assert.regexes).condition(&self.assert.filter);
        match (when, assert) {
            (_, Truth::True) => Outcome::Pass,
            (Truth::True, Truth::False) => Outcome::Fail,
            (Truth::Unknown(u), _) | (_, Truth::Unknown(u)) => Outcome::Unknown(u),
            (Truth::False, _) => Outcome::Pass,
        }
    }

    /// The node `at` points to on a resource: its span and its value as text.
    fn locate(&self, subject: &Subject<'_>) -> Option<(Span, String)> {
        let at = self.at.as_ref()?;
        let nodes = Eval::new(subject, &at.regexes).query(&at.query);
        let first: Node<'_> = *nodes.nodes.first()?;
        Some((first.span(), first.text()))
    }
}

/// Whether a filter expression reads the member `parent` (`.parent` or `['parent']`), not merely
/// a name that starts with it (`@.properties.parentId`).
fn names_parent(text: &str) -> bool {
    text.contains("'parent'")
        || text.contains("\"parent\"")
        || text.match_indices(".parent").any(|(i, m)| {
            !text[i + m.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
        })
}

/// Runs declarative rules over the model's resources, each rule with its own context
/// (`contexts[i]` for `rules[i]`): resource by resource, so that each body is read from memory
/// once for all the rules rather than once per rule.
pub fn check_all(rules: &[&DeclarativeRule], contexts: &mut [super::Context<'_>]) {
    debug_assert_eq!(rules.len(), contexts.len(), "one context per rule");
    let Some(first) = contexts.first() else {
        return;
    };
    let model: &Model = first.model;
    // Looking the parent up costs more than most conditions: only for rules that read it.
    let reads_parent: Vec<bool> = rules.iter().map(|r| r.reads_parent()).collect();
    for e in &model.resources {
        let mut parent = None;
        for ((rule, cx), &reads) in rules.iter().zip(contexts.iter_mut()).zip(&reads_parent) {
            if !rule.applies_to(&e.full_type) {
                continue;
            }
            let parent = if reads {
                *parent.get_or_insert_with(|| model.parent_resource(e))
            } else {
                None
            };
            let subject = Subject::new(e, parent);
            match rule.outcome(&subject) {
                Outcome::Pass => {}
                Outcome::Fail => report(rule, cx, e, &subject),
                Outcome::Unknown(reason) => {
                    let span = rule.locate(&subject).map_or(e.name_span, |(span, _)| span);
                    cx.unverifiable(e, span.or(e.name_span), reason);
                }
            }
        }
    }
}

fn report(rule: &DeclarativeRule, cx: &mut super::Context<'_>, e: &Entity, subject: &Subject<'_>) {
    let (span, value) = match rule.locate(subject) {
        Some((span, value)) => (span, Some(value)),
        None => (Span::NONE, None),
    };
    let span = span.or(e.name_span).or(e.span);
    let parent = subject.parent().map(Entity::display_name);
    let fill = |template: &str| -> String {
        template
            .replace("{name}", &e.display_name())
            .replace("{type}", &e.full_type)
            .replace("{parent}", parent.as_deref().unwrap_or("<none>"))
            .replace("{value}", value.as_deref().unwrap_or("<not set>"))
    };
    let mut finding = cx.finding(e, span, fill(&rule.message));
    if let Some(h) = &rule.help {
        finding = finding.help(fill(h));
    }
    // A verdict that rests on the parent (a workspace's managed network) points there too.
    if let Some(p) = subject.parent().filter(|_| rule.reads_parent()) {
        finding = finding.related(
            p.name_span.or(p.span),
            format!("parent `{}`", p.display_name()),
        );
    }
    cx.report(finding);
}

impl Condition {
    /// A condition from its text and the query `$[?<text>]` parsed from it; `Err` says what is
    /// wrong with it.
    pub(super) fn new(text: String, query: JpQuery) -> Result<Self, String> {
        let filter = match <[Segment; 1]>::try_from(query.segments) {
            Ok([Segment::Selector(Selector::Filter(f))]) => f,
            _ => return Err("not a single filter expression".to_owned()),
        };
        let regexes = Regexes::of_filter(&filter)?;
        Ok(Condition {
            text,
            filter,
            regexes,
        })
    }
}

impl At {
    pub(super) fn new(text: String, query: JpQuery) -> Result<Self, String> {
        let regexes = Regexes::of_query(&query)?;
        Ok(At {
            text,
            query,
            regexes,
        })
    }
}
