//! Declarative rules: TOML files with JSONPath conditions, evaluated on evaluated resources.
//!
//! A rule file names the resource types it applies to, an optional `when` condition, the `assert`
//! condition a resource must meet, where to point (`at`), and its message, help and documentation.
//! Conditions are RFC 9535 filter expressions with `@` bound to the resource (jsonpath-rust): the
//! resource is the evaluated object (`type`, `name`, `location`, `properties`, ...), with `parent`
//! holding its parent resource (a compute's workspace) when the inputs declare it. Parameters,
//! copy loops and modules are already resolved. A condition whose outcome depends on a value that
//! is not known offline does not fire.
//!
//! The project's own declarative rules live in `rules/` and are embedded at build time; users add
//! theirs with `rule-dirs` or `--rule-dir`.

mod document;
mod file;
#[cfg(test)]
mod tests;

pub use file::{parse_rule, RuleFileError, Settings};

use super::RuleMeta;
use crate::model::{Entity, Model};
use document::Document;
use jsonpath_rust::parser::model::JpQuery;
use serde_json::Value as Json;

/// Where a rule comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Embedded from the project's `rules/` directory.
    Declarative,
    /// A user's rule file.
    User(String),
}

/// A filter expression and its parsed query (`$[?<expression>]` over `[resource]`).
#[derive(Debug)]
pub struct Condition {
    pub text: String,
    query: JpQuery,
    /// Literals the expression compares with: candidates for unknown values.
    literals: Vec<Json>,
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
    /// Where findings point: the first node this query selects (a JSONPath from `$`).
    pub at: Option<(String, JpQuery)>,
    pub message: String,
    pub help: Option<String>,
}

/// The most combinations of unknown values a rule tries before it calls the outcome unknown.
const MAX_TRIALS: usize = 4096;

/// The outcome of a rule on one resource.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The rule does not apply, or the resource meets it.
    Pass,
    /// The resource violates the rule.
    Fail,
    /// Depends on values not known offline.
    Unknown,
}

impl DeclarativeRule {
    /// Whether the rule is for this resource type.
    pub fn applies_to(&self, full_type: &str) -> bool {
        self.types.iter().any(|t| t.eq_ignore_ascii_case(full_type))
    }

    /// Evaluates the rule on a resource document.
    fn outcome(&self, doc: &Document) -> Outcome {
        let literals: Vec<&Json> = self
            .when
            .iter()
            .chain(std::iter::once(&self.assert))
            .flat_map(|c| c.literals.iter())
            .collect();
        let mentioned: Vec<&str> = self
            .when
            .iter()
            .map(|c| c.text.as_str())
            .chain(std::iter::once(self.assert.text.as_str()))
            .collect();
        let mut first: Option<bool> = None;
        let mut trials = 0;
        let decided = doc.for_each_completion(&mentioned, &literals, &mut |json| {
            trials += 1;
            let fails =
                self.when.as_ref().is_none_or(|w| holds(w, json)) && !holds(&self.assert, json);
            match first {
                None => {
                    first = Some(fails);
                    trials < MAX_TRIALS
                }
                Some(f) if f == fails => trials < MAX_TRIALS,
                Some(_) => false,
            }
        });
        match (decided, first) {
            (true, Some(true)) => Outcome::Fail,
            (true, Some(false)) => Outcome::Pass,
            _ => Outcome::Unknown,
        }
    }
}

/// Whether a condition holds for a resource.
fn holds(c: &Condition, resource: &Json) -> bool {
    let wrapped = Json::Array(vec![resource.clone()]);
    jsonpath_rust::query::js_path_process(&c.query, &wrapped).is_ok_and(|found| !found.is_empty())
}

/// Runs a declarative rule over the model's resources.
pub fn check(rule: &DeclarativeRule, cx: &mut super::Context<'_>) {
    let model: &Model = cx.model;
    for e in &model.resources {
        if !rule.applies_to(&e.full_type) {
            continue;
        }
        let parent = model.parent_resource(e);
        let doc = Document::new(e, parent);
        if rule.outcome(&doc) != Outcome::Fail {
            continue;
        }
        report(rule, cx, e, &doc);
    }
}

fn report(rule: &DeclarativeRule, cx: &mut super::Context<'_>, e: &Entity, doc: &Document) {
    let (span, value) = match &rule.at {
        Some((_, query)) => doc.locate(query),
        None => (None, None),
    };
    let span = span.unwrap_or(e.name_span).or(e.span);
    let fill = |template: &str| -> String {
        template
            .replace("{name}", &e.display_name())
            .replace("{type}", &e.full_type)
            .replace("{value}", value.as_deref().unwrap_or("<not set>"))
    };
    let mut finding = cx.finding(e, span, fill(&rule.message));
    if let Some(h) = &rule.help {
        finding = finding.help(fill(h));
    }
    cx.report(finding);
}

impl Condition {
    fn new(text: String, query: JpQuery) -> Self {
        let literals = literals_of(&text);
        Condition {
            text,
            query,
            literals,
        }
    }
}

/// The string and number literals of a filter expression (numbers also one below and above).
fn literals_of(text: &str) -> Vec<Json> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' || c == '"' {
            let mut j = i + 1;
            let mut s = String::new();
            while j < chars.len() && chars[j] != c {
                if chars[j] == '\\' && j + 1 < chars.len() {
                    j += 1;
                }
                s.push(chars[j]);
                j += 1;
            }
            out.push(Json::String(s));
            i = j + 1;
        } else if c.is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                j += 1;
            }
            let number: String = chars[i..j].iter().collect();
            if let Ok(n) = number.parse::<f64>() {
                for v in [n - 1.0, n, n + 1.0] {
                    out.push(serde_json::json!(v));
                }
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}
