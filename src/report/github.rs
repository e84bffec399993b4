//! `--format github`: GitHub Actions workflow commands, one per finding, which the runner turns
//! into annotations on the pull request:
//! `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=AML201 (name)::message`.

use super::escape::{github_data, github_property};
use super::texts::Texts;
use super::{details, Finding, Location, Severity};
use crate::source::Sources;

/// The workflow command of a severity.
fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Renders one workflow command per line. Every line starts with `::`: property values and the
/// message are escaped as the runner expects ([`github_data`], [`github_property`]), so no value
/// can end a command or start another.
pub fn render(findings: &[Finding], sources: &Sources) -> String {
    let mut texts = Texts::for_findings(sources, findings);
    let mut out = String::new();
    for f in findings {
        let mut props = Vec::new();
        if let Some(at) = Location::of(&mut texts, sources, f.span) {
            props.push(format!("file={}", github_property(&at.file)));
            props.push(format!("line={}", at.line));
            props.push(format!("col={}", at.column));
            props.push(format!("endLine={}", at.end_line));
            props.push(format!("endColumn={}", at.end_column));
        }
        props.push(format!(
            "title={}",
            github_property(&format!("{} ({})", f.code, f.name))
        ));
        out.push_str(&format!(
            "::{} {}::{}\n",
            command(f.severity),
            props.join(","),
            github_data(&details(f, sources, &mut texts))
        ));
    }
    out
}
