//! Findings and how they are shown: for people (miette, concise lines), for machines (JSON,
//! SARIF, JUnit) and for CI logs (GitHub Actions workflow commands, Azure Pipelines logging
//! commands). Every value from a template is escaped for its format by [`escape`].

pub mod azure;
pub mod concise;
pub mod escape;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod statistics;
pub mod texts;

use crate::source::{FileId, Sources, Span};
use std::fmt;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a span is, for rendering: the file as shown, start and end as 1-based lines and columns
/// (columns in Unicode scalar values, the end exclusive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Location {
    /// The location of `span`, or `None` for a span in no known file.
    pub fn of(texts: &mut texts::Texts<'_>, sources: &Sources, span: Span) -> Option<Location> {
        let file = sources.get(span.file)?;
        let (a, b) = texts.position(span);
        Some(Location {
            file: file.display.clone(),
            line: a.line,
            column: a.column,
            end_line: b.line,
            end_column: b.column,
        })
    }
}

/// A location that explains a finding: a hop on the way from the compute to the cause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// The resource a finding is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ResourceRef {
    pub full_type: String,
    pub name: String,
    /// The resource's declaration (where `metadata.amlint.suppress` would be written).
    pub declaration: Span,
}

/// One diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub span: Span,
    /// What the primary span is, in a few words (human output only).
    pub label: Option<String>,
    pub resource: Option<ResourceRef>,
    /// The parameter file of the evaluation that produced the finding.
    pub parameters_file: Option<FileId>,
    pub related: Vec<Related>,
}

/// Counts for the summary line and the JSON `summary`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub templates: usize,
    pub skipped: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn count(&mut self, findings: &[Finding]) {
        for f in findings {
            match f.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Info => self.infos += 1,
            }
        }
    }
}

/// Sorts findings for output and drops exact duplicates.
///
/// The order is by file (its display path), position, code, parameter file (its display path,
/// none first) and message. A stable sort: the same order on any number of threads.
pub fn sort(findings: &mut Vec<Finding>, sources: &Sources) {
    use rayon::slice::ParallelSliceMut;
    let ranks = display_ranks(sources);
    // Files compare by their place among the display paths: no path is copied or compared again.
    let rank = |id: FileId| ranks.get(id.0 as usize).copied().unwrap_or(0);
    let key = |f: &Finding| {
        (
            rank(f.span.file),
            f.span.start,
            f.span.end,
            f.code,
            f.parameters_file.map_or(0, rank),
        )
    };
    findings.par_sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| a.message.cmp(&b.message)));
    findings.dedup();
}

/// Each file's place in the order of the display paths, from 1 (equal paths share a place; an
/// empty path has place 0, as a missing file does). Files are numbered in path order, which
/// is nearly always display order too: then that is checked in one pass instead of sorted.
fn display_ranks(sources: &Sources) -> Vec<u32> {
    let displays: Vec<&str> = sources.iter().map(|(_, f)| f.display.as_str()).collect();
    let mut order: Vec<usize> = (0..displays.len()).collect();
    if !displays.windows(2).all(|w| w[0] <= w[1]) {
        order.sort_by(|&a, &b| displays[a].cmp(displays[b]));
    }
    let mut ranks = vec![0u32; displays.len()];
    let mut rank = 0u32;
    let mut previous: Option<&str> = Some("");
    for (place, &i) in order.iter().enumerate() {
        if previous != Some(displays[i]) {
            rank = place as u32 + 1;
            previous = Some(displays[i]);
        }
        ranks[i] = rank;
    }
    ranks
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so that
/// readers never see half a report. A path that is not a regular file (`/dev/null`, a pipe) or is
/// a symbolic link is written in place: renaming over it would replace the device or the link.
pub fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomically_with(path, |w| w.write_all(bytes))
}

/// [`write_atomically`], with what `write` writes (through a buffer).
pub fn write_atomically_with(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    use std::io::Write;
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_file() {
            let f = std::fs::OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(path)?;
            let mut w = std::io::BufWriter::new(f);
            write(&mut w)?;
            return w.flush();
        }
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".to_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        write(&mut w)?;
        let f = w
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The text of a finding for formats that show one block per finding (GitHub, Azure Pipelines,
/// JUnit): the message, then each related location as `related: file:line:col: message`, the
/// help, and the parameter file of the evaluation. Not escaped: each format escapes it.
pub(crate) fn details(
    finding: &Finding,
    sources: &Sources,
    texts: &mut texts::Texts<'_>,
) -> String {
    let mut out = finding.message.clone();
    for r in &finding.related {
        match Location::of(texts, sources, r.span) {
            Some(at) => out.push_str(&format!(
                "\nrelated: {}:{}:{}: {}",
                at.file, at.line, at.column, r.message
            )),
            None => out.push_str(&format!("\nrelated: {}", r.message)),
        }
    }
    if let Some(help) = &finding.help {
        out.push_str("\nhelp: ");
        out.push_str(help);
    }
    if let Some(p) = finding.parameters_file.and_then(|p| sources.get(p)) {
        out.push_str(&format!("\nevaluated with parameter file `{}`", p.display));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_without_a_file_render_in_every_text_format() {
        let sources = Sources::default();
        let f = Finding {
            code: "AML999",
            name: "nowhere",
            severity: Severity::Info,
            message: "a finding in no file".to_owned(),
            help: Some("do something".to_owned()),
            span: Span::NONE,
            label: None,
            resource: None,
            parameters_file: None,
            related: vec![Related {
                span: Span::NONE,
                message: "a hop".to_owned(),
            }],
        };
        let findings = [f];
        assert_eq!(
            concise::render(&findings, &sources),
            "AML999 a finding in no file\n"
        );
        assert_eq!(
            github::render(&findings, &sources),
            "::notice title=AML999 (nowhere)::a finding in no file%0Arelated: a hop%0Ahelp: do something\n"
        );
        assert_eq!(
            azure::render(&findings, &sources),
            "##vso[task.logissue type=warning;code=AML999]info: AML999 (nowhere): a finding in no file%0Arelated: a hop%0Ahelp: do something\n"
        );
        let xml = junit::render(&findings, &sources, &[]);
        assert!(
            xml.contains("<testsuite name=\"amlint\" tests=\"1\" failures=\"1\""),
            "{xml}"
        );
        assert!(xml.contains("<failure message=\"a finding in no file\" type=\"info\">a finding in no file\nrelated: a hop\nhelp: do something</failure>"), "{xml}");
        assert_eq!(statistics::render(&findings), "AML999  nowhere  1\n");
    }

    #[test]
    fn findings_sort_by_display_path_position_code_parameters_and_message() {
        use crate::source::SourceFile;
        use std::path::PathBuf;
        let mut sources = Sources::default();
        // Numbered in one order, displayed in another (as paths given in different forms are),
        // two of them displayed alike.
        let mut push = |display: &str| {
            sources.push(SourceFile::new(
                PathBuf::from(format!("/{display}")),
                display.to_owned(),
                std::sync::Arc::from(""),
            ))
        };
        let (z, a, m, a2) = (
            push("z.json"),
            push("a.json"),
            push("m.json"),
            push("a.json"),
        );
        let finding = |file: FileId,
                       start: usize,
                       code: &'static str,
                       params: Option<FileId>,
                       message: &str| Finding {
            code,
            name: "x",
            severity: Severity::Error,
            message: message.to_owned(),
            help: None,
            span: if file == FileId::NONE {
                Span::NONE
            } else {
                Span::new(file, start, start + 1)
            },
            label: None,
            resource: None,
            parameters_file: params,
            related: Vec::new(),
        };
        let mut findings = vec![
            finding(z, 5, "AML201", None, "b"),
            finding(a2, 9, "AML201", None, "b"),
            finding(m, 1, "AML201", Some(z), "b"),
            finding(m, 1, "AML201", Some(a), "b"),
            finding(m, 1, "AML201", None, "c"),
            finding(m, 1, "AML201", None, "a"),
            finding(m, 1, "AML101", None, "z"),
            finding(a, 9, "AML101", None, "b"),
            finding(FileId::NONE, 0, "AML999", None, "nowhere"),
            finding(m, 1, "AML201", None, "a"),
        ];
        // The order of the keys as text.
        let display = |id: Option<FileId>| {
            id.and_then(|id| sources.get(id))
                .map(|f| f.display.clone())
                .unwrap_or_default()
        };
        let mut want = findings.clone();
        want.sort_by_cached_key(|f| {
            (
                display(Some(f.span.file)),
                f.span.start,
                f.span.end,
                f.code,
                display(f.parameters_file),
                f.message.clone(),
            )
        });
        want.dedup();
        sort(&mut findings, &sources);
        assert_eq!(findings, want);
        assert_eq!(findings.len(), 9, "the duplicate is dropped");
        assert_eq!(findings[0].code, "AML999");
        assert_eq!(display_ranks(&sources), [4, 1, 3, 1]);
    }
}
