//! `--format json`: a stable, versioned contract (SPEC section 5).

use super::texts::Texts;
use super::{Finding, Summary};
use crate::source::{Sources, Span};
use serde::Serialize;

/// The version of the JSON format; bumped on any incompatible change.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    diagnostics: Vec<Diagnostic<'a>>,
    summary: &'a Summary,
}

#[derive(Serialize)]
struct Diagnostic<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    help: Option<&'a str>,
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    resource: Option<Resource<'a>>,
    parameters_file: Option<String>,
    related: Vec<Related<'a>>,
}

#[derive(Serialize)]
struct Resource<'a> {
    #[serde(rename = "type")]
    full_type: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct Related<'a> {
    file: String,
    line: usize,
    column: usize,
    message: &'a str,
}

/// Where a span is: file, start line and column, end line and column (1-based).
pub fn position(
    texts: &mut Texts<'_>,
    sources: &Sources,
    span: Span,
) -> (String, usize, usize, usize, usize) {
    match sources.get(span.file) {
        Some(f) => {
            let (a, b) = texts.position(span);
            (f.display.clone(), a.line, a.column, b.line, b.column)
        }
        None => (String::new(), 1, 1, 1, 1),
    }
}

/// Renders findings as JSON, followed by a newline.
pub fn render(findings: &[Finding], sources: &Sources, summary: &Summary) -> String {
    let mut texts = Texts::for_findings(sources, findings);
    let diagnostics = findings
        .iter()
        .map(|f| {
            let (file, line, column, end_line, end_column) = position(&mut texts, sources, f.span);
            Diagnostic {
                code: f.code,
                name: f.name,
                severity: f.severity.as_str(),
                message: &f.message,
                help: f.help.as_deref(),
                file,
                line,
                column,
                end_line,
                end_column,
                resource: f.resource.as_ref().map(|r| Resource {
                    full_type: &r.full_type,
                    name: &r.name,
                }),
                parameters_file: f
                    .parameters_file
                    .and_then(|p| sources.get(p))
                    .map(|s| s.display.clone()),
                related: f
                    .related
                    .iter()
                    .map(|r| {
                        let (file, line, column, _, _) = position(&mut texts, sources, r.span);
                        Related {
                            file,
                            line,
                            column,
                            message: &r.message,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let out = Output {
        version: VERSION,
        diagnostics,
        summary,
    };
    let text =
        serde_json::to_string_pretty(&out).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    // The same JSON value, with what a terminal or a CI log would act on escaped.
    let mut text = super::escape::json_output(text);
    text.push('\n');
    text
}
