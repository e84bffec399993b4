//! Reading a declarative rule file, with errors that point at the line of the rule file.

use super::{At, Condition, DeclarativeRule, Source};
use crate::report::Severity;
use crate::rules::RuleMeta;
use jsonpath_rust::parser::parse_json_path;
use miette::{NamedSource, SourceSpan};
use serde::Deserialize;
use toml::Spanned;

/// Settings a rule file may use as `{{name}}` placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `aml.max-cluster-nodes`: the largest `maxNodeCount` of a compute cluster.
    pub max_cluster_nodes: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_cluster_nodes: 65_000,
        }
    }
}

impl Settings {
    fn value(&self, name: &str) -> Option<String> {
        match name {
            "aml.max-cluster-nodes" => Some(self.max_cluster_nodes.to_string()),
            _ => None,
        }
    }
}

/// A rule file amlint cannot use, pointing at the offending line.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(amlint::rule_file))]
pub struct RuleFileError {
    #[source_code]
    src: NamedSource<String>,
    #[label("{label}")]
    span: SourceSpan,
    message: String,
    label: String,
    #[help]
    help: Option<String>,
    /// The file, as shown.
    pub file: String,
    /// 1-based line of the problem.
    pub line: usize,
}

impl RuleFileError {
    fn new(
        file: &str,
        text: &str,
        range: std::ops::Range<usize>,
        message: String,
        label: &str,
        help: Option<&str>,
    ) -> Box<Self> {
        let start = range.start.min(text.len());
        let end = range.end.clamp(start, text.len());
        let line = text[..start].matches('\n').count() + 1;
        Box::new(RuleFileError {
            src: NamedSource::new(file, text.to_owned()),
            span: (start, end - start).into(),
            message: format!("{file}:{line}: {message}"),
            label: label.to_owned(),
            help: help.map(str::to_owned),
            file: file.to_owned(),
            line,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    code: Spanned<String>,
    name: Spanned<String>,
    severity: Spanned<String>,
    summary: Spanned<String>,
    types: Spanned<Vec<String>>,
    when: Option<Spanned<String>>,
    assert: Spanned<String>,
    at: Option<Spanned<String>>,
    message: Spanned<String>,
    help: Option<Spanned<String>>,
    doc: Spanned<String>,
}

/// Reads one rule file. `file` is how errors name it.
pub fn parse_rule(
    file: &str,
    text: &str,
    source: Source,
    settings: &Settings,
) -> Result<DeclarativeRule, Box<RuleFileError>> {
    let raw: RawRule = toml::from_str(text).map_err(|e| {
        let range = e.span().unwrap_or(0..0);
        let message = e.message().trim().to_owned();
        RuleFileError::new(file, text, range, message, "here", Some(FORMAT_HELP))
    })?;
    let err = |s: &std::ops::Range<usize>, message: String, label: &str| {
        RuleFileError::new(file, text, s.clone(), message, label, None)
    };
    let code = raw.code.get_ref().trim().to_owned();
    let valid_code = code.len() >= 4
        && code.chars().take_while(char::is_ascii_uppercase).count() >= 2
        && code
            .trim_start_matches(|c: char| c.is_ascii_uppercase())
            .chars()
            .all(|c| c.is_ascii_digit())
        && code.ends_with(|c: char| c.is_ascii_digit());
    if !valid_code {
        return Err(err(
            &raw.code.span(),
            format!("`{code}` is not a rule code like `AML306` or `ORG001`"),
            "invalid code",
        ));
    }
    let name = raw.name.get_ref().trim().to_owned();
    let kebab = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if !kebab {
        return Err(err(
            &raw.name.span(),
            format!("`{name}` is not a kebab-case rule name"),
            "invalid name",
        ));
    }
    let severity = match raw.severity.get_ref().as_str() {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        "info" => Severity::Info,
        other => {
            return Err(err(
                &raw.severity.span(),
                format!("unknown severity `{other}`: use `error`, `warning` or `info`"),
                "unknown severity",
            ))
        }
    };
    if raw.types.get_ref().is_empty() || raw.types.get_ref().iter().any(|t| !t.contains('/')) {
        return Err(err(
            &raw.types.span(),
            "`types` lists resource types such as `Microsoft.MachineLearningServices/workspaces`"
                .to_owned(),
            "invalid types",
        ));
    }
    let fill = |field: &Spanned<String>, what: &str| -> Result<String, Box<RuleFileError>> {
        substitute(field.get_ref(), settings).map_err(|placeholder| {
            err(
                &field.span(),
                format!("unknown setting `{{{{{placeholder}}}}}` in `{what}`"),
                "unknown setting",
            )
        })
    };
    let condition =
        |field: &Spanned<String>, what: &str| -> Result<Condition, Box<RuleFileError>> {
            let text = fill(field, what)?;
            let query = parse_json_path(&format!("$[?{text}]")).map_err(|e| {
                err(
                    &field.span(),
                    format!("`{what}` is not a JSONPath filter expression: {e}"),
                    "invalid filter",
                )
            })?;
            Condition::new(text, query).map_err(|e| {
                err(
                    &field.span(),
                    format!("`{what}` is not a usable filter expression: {e}"),
                    "invalid filter",
                )
            })
        };
    let when = raw
        .when
        .as_ref()
        .map(|w| condition(w, "when"))
        .transpose()?;
    let assert = condition(&raw.assert, "assert")?;
    let at = match &raw.at {
        Some(a) => {
            let text = fill(a, "at")?;
            let query = parse_json_path(&text).map_err(|e| {
                err(
                    &a.span(),
                    format!("`at` is not a JSONPath query: {e}"),
                    "invalid query",
                )
            })?;
            Some(At::new(text, query).map_err(|e| {
                err(
                    &a.span(),
                    format!("`at` is not a usable JSONPath query: {e}"),
                    "invalid query",
                )
            })?)
        }
        None => None,
    };
    let message = fill(&raw.message, "message")?;
    if message.trim().is_empty() {
        return Err(err(
            &raw.message.span(),
            "`message` is empty".to_owned(),
            "empty",
        ));
    }
    let help = raw.help.as_ref().map(|h| fill(h, "help")).transpose()?;
    let doc = raw.doc.get_ref().clone();
    let meta: &'static RuleMeta = Box::leak(Box::new(RuleMeta {
        code: Box::leak(code.into_boxed_str()),
        name: Box::leak(name.into_boxed_str()),
        severity,
        summary: Box::leak(raw.summary.get_ref().trim().to_owned().into_boxed_str()),
        doc: Box::leak(indent_doc(&doc).into_boxed_str()),
    }));
    Ok(DeclarativeRule {
        meta,
        source,
        types: raw
            .types
            .get_ref()
            .iter()
            .map(|t| t.to_ascii_lowercase())
            .collect(),
        when,
        assert,
        at,
        message,
        help,
    })
}

const FORMAT_HELP: &str = "a rule file has `code`, `name`, `severity`, `summary`, `types`, `assert`, `message` and `doc`, and may have `when`, `at` and `help`; see the README's \"Writing rules\"";

/// Replaces `{{setting}}` placeholders; `Err` with the unknown name.
fn substitute(text: &str, settings: &Settings) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let name = after[..end].trim();
        out.push_str(&settings.value(name).ok_or_else(|| name.to_owned())?);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The documentation in the form built-in rules keep it: each line with a leading space, as a
/// `///` doc comment gives it (so `RuleMeta::documentation` reads both alike).
fn indent_doc(doc: &str) -> String {
    doc.trim().lines().map(|l| format!(" {l}\n")).collect()
}
