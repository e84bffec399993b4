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
    diagnostics: Diagnostics<'a>,
    summary: &'a Summary,
}

/// The findings as JSON diagnostics, made one at a time while they are written.
struct Diagnostics<'a> {
    findings: &'a [Finding],
    sources: &'a Sources,
    texts: std::cell::RefCell<Texts<'a>>,
}

impl Serialize for Diagnostics<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut texts = self.texts.borrow_mut();
        serializer.collect_seq(
            self.findings
                .iter()
                .map(|f| to_diagnostic(f, &mut texts, self.sources)),
        )
    }
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
    let mut out = Vec::new();
    // Writing to a vector does not fail, and serde_json writes UTF-8.
    let texts = Texts::for_findings(sources, findings);
    let _ = write(findings, sources, summary, texts, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes findings as JSON, followed by a newline, as [`render`] renders them: one diagnostic at a
/// time, without holding the whole report. `texts` is [`Texts::for_findings`], worked out on the
/// run's threads.
pub fn write(
    findings: &[Finding],
    sources: &Sources,
    summary: &Summary,
    texts: Texts<'_>,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let out = Output {
        version: VERSION,
        diagnostics: Diagnostics {
            findings,
            sources,
            texts: std::cell::RefCell::new(texts),
        },
        summary,
    };
    // The same JSON value, with what a terminal or a CI log would act on escaped.
    let mut safe = super::escape::JsonOutput::new(w);
    serde_json::to_writer_pretty(&mut safe, &out).map_err(std::io::Error::from)?;
    let w = safe.finish()?;
    w.write_all(b"\n")
}

fn to_diagnostic<'a>(f: &'a Finding, texts: &mut Texts<'_>, sources: &Sources) -> Diagnostic<'a> {
    let (file, line, column, end_line, end_column) = position(texts, sources, f.span);
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
                let (file, line, column, _, _) = position(texts, sources, r.span);
                Related {
                    file,
                    line,
                    column,
                    message: &r.message,
                }
            })
            .collect(),
    }
}
