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

impl Finding {
    /// The order findings are reported in: file, position, code, then the rest for stability.
    pub fn sort_key(&self, sources: &Sources) -> impl Ord {
        let path = sources
            .get(self.span.file)
            .map(|f| f.display.clone())
            .unwrap_or_default();
        let params = self
            .parameters_file
            .and_then(|p| sources.get(p))
            .map(|f| f.display.clone())
            .unwrap_or_default();
        (
            path,
            self.span.start,
            self.span.end,
            self.code,
            params,
            self.message.clone(),
        )
    }
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
pub fn sort(findings: &mut Vec<Finding>, sources: &Sources) {
    // A stable sort on the same keys: the same order on any number of threads.
    use rayon::slice::ParallelSliceMut;
    findings.par_sort_by_cached_key(|f| f.sort_key(sources));
    findings.dedup();
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
}
