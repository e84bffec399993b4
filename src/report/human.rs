//! Output for people: miette's graphical reports, one per finding, and a summary line.
//!
//! miette writes messages, labels and source lines as they are, escape sequences included, so
//! everything from the linted files is escaped first ([`escape::text`] for messages,
//! [`escape::source`] for the snippets, with the spans moved to match).

use super::escape::{self, Shifts};
use super::texts::Texts;
use super::{Finding, Severity, Summary};
use crate::source::{FileId, Sources, Span};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};
use std::fmt;
use std::sync::Arc;

/// How to draw.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    /// Wrap width.
    pub width: usize,
}

/// One finding as a miette diagnostic.
struct Report {
    message: String,
    code: String,
    severity: Severity,
    help: Option<String>,
    source: Option<NamedSource<Arc<str>>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        (!self.related.is_empty()).then(|| {
            Box::new(self.related.iter().map(|r| r as &dyn Diagnostic))
                as Box<dyn Iterator<Item = &dyn Diagnostic>>
        })
    }
}

/// A span in the text shown: offset and length.
type Offsets = (usize, usize);

/// The texts of the snippets, with what a terminal must not see escaped ([`escape::source`]), and
/// where that moved their offsets.
struct Snippets<'s> {
    texts: Texts<'s>,
    escaped: Vec<(FileId, Arc<str>, Option<Shifts>)>,
}

impl<'s> Snippets<'s> {
    fn new(sources: &'s Sources) -> Self {
        Snippets {
            texts: Texts::new(sources),
            escaped: Vec::new(),
        }
    }

    /// The text of `file` to show, and how to move its offsets.
    fn get(&mut self, file: FileId) -> (Arc<str>, Option<Shifts>) {
        if let Some((_, text, shifts)) = self.escaped.iter().find(|(f, _, _)| *f == file) {
            return (Arc::clone(text), shifts.clone());
        }
        let (text, _) = self.texts.get(file);
        let (text, shifts) = match escape::source(&text) {
            Some((escaped, shifts)) => (Arc::from(escaped), Some(shifts)),
            None => (text, None),
        };
        if self.escaped.len() == 8 {
            self.escaped.remove(0);
        }
        self.escaped.push((file, Arc::clone(&text), shifts.clone()));
        (text, shifts)
    }

    /// A snippet of the file of `span`, and `span` as an offset and length in it.
    fn source(
        &mut self,
        sources: &Sources,
        span: Span,
    ) -> Option<(NamedSource<Arc<str>>, Offsets)> {
        let file = sources.get(span.file)?;
        let (text, shifts) = self.get(span.file);
        let (start, end) = match &shifts {
            Some(s) => (s.map(span.start as usize), s.map(span.end as usize)),
            None => (span.start as usize, span.end as usize),
        };
        let name = escape::text(&file.display).into_owned();
        Some((
            NamedSource::new(name, text).with_language("json"),
            (start, end.saturating_sub(start)),
        ))
    }

    /// `span` as an offset and length in the text shown for its file.
    fn at(&mut self, span: Span) -> Offsets {
        let (_, shifts) = self.get(span.file);
        let (start, end) = match &shifts {
            Some(s) => (s.map(span.start as usize), s.map(span.end as usize)),
            None => (span.start as usize, span.end as usize),
        };
        (start, end.saturating_sub(start))
    }
}

fn shown(text: &str) -> String {
    escape::text(text).into_owned()
}

fn report(finding: &Finding, sources: &Sources, snippets: &mut Snippets<'_>) -> Report {
    let source = snippets.source(sources, finding.span);
    let primary = match &source {
        Some((_, at)) => *at,
        None => (finding.span.start as usize, finding.span.len()),
    };
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        finding.label.as_deref().map(shown),
        primary,
    )];
    let mut related = Vec::new();
    for r in &finding.related {
        if r.span.file == finding.span.file {
            labels.push(LabeledSpan::new_with_span(
                Some(shown(&r.message)),
                snippets.at(r.span),
            ));
        } else {
            let (source, at) = match snippets.source(sources, r.span) {
                Some((s, at)) => (Some(s), at),
                None => (None, (r.span.start as usize, r.span.len())),
            };
            related.push(Report {
                message: shown(&r.message),
                code: String::new(),
                severity: Severity::Info,
                help: None,
                source,
                labels: vec![LabeledSpan::new_with_span(None, at)],
                related: Vec::new(),
            });
        }
    }
    let mut help = finding.help.as_deref().map(shown);
    if let Some(p) = finding.parameters_file.and_then(|p| sources.get(p)) {
        let note = format!("evaluated with parameter file `{}`", shown(&p.display));
        help = Some(match help {
            Some(h) => format!("{h}\n{note}"),
            None => note,
        });
    }
    Report {
        message: shown(&finding.message),
        code: format!("{}({})", finding.code, finding.name),
        severity: finding.severity,
        help,
        source: source.map(|(s, _)| s),
        labels,
        related,
    }
}

/// Renders findings for a terminal.
pub fn render(findings: &[Finding], sources: &Sources, style: Style) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(style.width)
        .with_context_lines(1)
        .with_show_related_as_nested(true);
    let mut out = String::new();
    let mut snippets = Snippets::new(sources);
    for f in findings {
        let r = report(f, sources, &mut snippets);
        // Writing to a String cannot fail; a rendering error leaves the plain message.
        if handler.render_report(&mut out, &r).is_err() {
            out.push_str(&r.message);
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// The closing line: what was found, in how many files.
pub fn summary_line(summary: &Summary) -> String {
    let files = format!(
        "{} {} ({} {}, {} skipped)",
        summary.files,
        plural(summary.files, "file", "files"),
        summary.templates,
        plural(summary.templates, "template", "templates"),
        summary.skipped
    );
    let mut parts = Vec::new();
    for (n, one, many) in [
        (summary.errors, "error", "errors"),
        (summary.warnings, "warning", "warnings"),
        (summary.infos, "info", "infos"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {}", plural(n, one, many)));
        }
    }
    if parts.is_empty() {
        return format!("No problems found in {files}.\n");
    }
    let list = match parts.len() {
        1 => parts[0].clone(),
        _ => format!(
            "{} and {}",
            parts[..parts.len() - 1].join(", "),
            parts[parts.len() - 1]
        ),
    };
    format!("Found {list} in {files}.\n")
}

fn plural<'s>(n: usize, one: &'s str, many: &'s str) -> &'s str {
    if n == 1 {
        one
    } else {
        many
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_lines() {
        let mut s = Summary {
            files: 3,
            templates: 1,
            skipped: 2,
            ..Summary::default()
        };
        assert_eq!(
            summary_line(&s),
            "No problems found in 3 files (1 template, 2 skipped).\n"
        );
        s.errors = 1;
        s.infos = 2;
        assert_eq!(
            summary_line(&s),
            "Found 1 error and 2 infos in 3 files (1 template, 2 skipped).\n"
        );
        s.warnings = 1;
        assert_eq!(
            summary_line(&s),
            "Found 1 error, 1 warning and 2 infos in 3 files (1 template, 2 skipped).\n"
        );
    }
}
