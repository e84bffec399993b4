//! `--format json`: a stable, versioned contract (SPEC section 5).

use super::texts::Texts;
use super::{Finding, Summary};
use crate::source::{Sources, Span};
use serde::Serialize;

/// The version of the JSON format; bumped on any incompatible change.
pub const VERSION: u32 = 1;

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

/// Diagnostics rendered at once, in parallel, before they are written: enough to keep the
/// threads busy (16 pieces), few enough that the report is never held whole (a batch is about a
/// megabyte of JSON, rendered while the model is still in memory).
const BATCH: usize = 1024;

/// Diagnostics each thread renders in one piece.
const PIECE: usize = 64;

/// Writes findings as JSON, followed by a newline: in batches of diagnostics, each rendered on
/// `pool`'s threads and written in order, without holding the whole report. `texts` is
/// [`Texts::for_findings`], worked out on the run's threads.
///
/// The layout is serde_json's pretty one (two-space indentation): each diagnostic is rendered
/// alone and indented to its depth, which is exact because a JSON text holds no raw newline
/// inside its strings.
pub fn write(
    findings: &[Finding],
    sources: &Sources,
    summary: &Summary,
    texts: Texts<'_>,
    pool: &rayon::ThreadPool,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    w.write_all(format!("{{\n  \"version\": {VERSION},\n  \"diagnostics\": [").as_bytes())?;
    let mut first = true;
    for batch in findings.chunks(BATCH) {
        let render = || {
            batch.par_chunks(PIECE).map(|piece| {
                let mut texts = texts.fork();
                let mut out = Vec::with_capacity(piece.len() * 1024);
                let mut scratch = Vec::with_capacity(2048);
                for f in piece {
                    out.extend_from_slice(b"\n    ");
                    let diagnostic = to_diagnostic(f, &mut texts, sources);
                    indented(&mut out, &mut scratch, &diagnostic, 4)?;
                    out.push(b',');
                }
                Ok(out)
            })
        };
        let pieces: Vec<std::io::Result<Vec<u8>>> = pool.install(|| render().collect());
        for piece in pieces {
            let piece = piece?;
            if !first {
                w.write_all(b",")?;
            }
            // The last diagnostic's comma is the next piece's to write.
            w.write_all(&piece[..piece.len() - 1])?;
            first = false;
        }
    }
    w.write_all(if first { b"]" } else { b"\n  ]" })?;
    w.write_all(b",\n  \"summary\": ")?;
    let mut out = Vec::new();
    indented(&mut out, &mut Vec::new(), summary, 2)?;
    w.write_all(&out)?;
    w.write_all(b"\n}\n")
}

/// Appends `value` as pretty JSON whose lines after the first are indented by `indent` spaces,
/// with what a terminal or a CI log would act on escaped ([`super::escape::JsonOutput`]).
///
/// serde_json writes a token at a time; it writes into `scratch` (emptied first), and the
/// escaping and the indentation then go over the whole text at once rather than over each token.
fn indented(
    out: &mut Vec<u8>,
    scratch: &mut Vec<u8>,
    value: &impl Serialize,
    indent: usize,
) -> std::io::Result<()> {
    scratch.clear();
    serde_json::to_writer_pretty(&mut *scratch, value).map_err(std::io::Error::from)?;
    let mut safe = super::escape::JsonOutput::new(Indent { out, indent });
    std::io::Write::write_all(&mut safe, scratch)?;
    safe.finish().map(drop)
}

/// Appends what is written to a vector, with `indent` spaces after each newline.
struct Indent<'v> {
    out: &'v mut Vec<u8>,
    indent: usize,
}

impl std::io::Write for Indent<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        while let Some(at) = memchr::memchr(b'\n', rest) {
            self.out.extend_from_slice(&rest[..=at]);
            self.out.extend(std::iter::repeat_n(b' ', self.indent));
            rest = &rest[at + 1..];
        }
        self.out.extend_from_slice(rest);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Related, ResourceRef, Severity};
    use crate::source::SourceFile;
    use std::path::PathBuf;
    use std::sync::Arc;

    /// The report written in batches and pieces is serde_json's pretty layout of the same value,
    /// byte for byte, on either side of a batch boundary, empty or not.
    #[test]
    fn batched_output_is_the_pretty_layout_of_the_whole_report() {
        let mut sources = Sources::default();
        let a = sources.push(SourceFile::new(
            PathBuf::from("a.json"),
            "dir/a.json".into(),
            Arc::from("{\n  \"é\": [1, 2],\n  \"b\": true\n}\n"),
        ));
        let params = sources.push(SourceFile::new(
            PathBuf::from("a.parameters.json"),
            "dir/a.parameters.json".into(),
            Arc::from("{}"),
        ));
        let finding = |i: usize| Finding {
            code: "AML201",
            name: "no-egress",
            severity: if i % 2 == 0 {
                Severity::Error
            } else {
                Severity::Info
            },
            message: format!("finding {i} with \"quotes\", a tab\t and ##[a command]"),
            help: (i % 3 == 0).then(|| "help\nover two lines".to_owned()),
            span: Span::new(a, i % 5, 12),
            label: None,
            resource: (i % 4 != 0).then(|| ResourceRef {
                full_type: "Microsoft.Network/virtualNetworks".into(),
                name: format!("vnet-{i}"),
                declaration: Span::new(a, 0, 1),
            }),
            parameters_file: (i % 7 == 0).then_some(params),
            related: (0..i % 3)
                .map(|r| Related {
                    span: Span::new(a, 18 + r, 20),
                    message: format!("related {r}"),
                })
                .collect(),
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        for count in [0, 1, PIECE + 1, BATCH, BATCH + PIECE + 3] {
            let findings: Vec<Finding> = (0..count).map(finding).collect();
            let mut summary = Summary::default();
            summary.count(&findings);
            let mut out = Vec::new();
            let texts = Texts::for_findings(&sources, &findings);
            write(&findings, &sources, &summary, texts, &pool, &mut out).unwrap();
            // The same value, laid out by serde_json in one go, then escaped in one go.
            #[derive(Serialize)]
            struct Whole<'a> {
                version: u32,
                diagnostics: Vec<Diagnostic<'a>>,
                summary: &'a Summary,
            }
            let mut texts = Texts::new(&sources);
            let whole = Whole {
                version: VERSION,
                diagnostics: findings
                    .iter()
                    .map(|f| to_diagnostic(f, &mut texts, &sources))
                    .collect(),
                summary: &summary,
            };
            let mut expected = Vec::new();
            let mut safe = crate::report::escape::JsonOutput::new(&mut expected);
            serde_json::to_writer_pretty(&mut safe, &whole).unwrap();
            safe.finish().unwrap();
            expected.push(b'\n');
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(expected).unwrap(),
                "{count} findings"
            );
        }
    }
}
