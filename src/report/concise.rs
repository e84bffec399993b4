//! `--format concise`: one line per finding, `file:line:col: CODE message`, for editors and grep.

use super::escape;
use super::texts::Texts;
use super::{Finding, Location};
use crate::source::Sources;

/// Renders one line per finding. A value from a template cannot start a line of its own or send
/// escape sequences: newlines and control characters are shown escaped ([`escape::line`]).
pub fn render(findings: &[Finding], sources: &Sources) -> String {
    let mut texts = Texts::for_findings(sources, findings);
    let mut out = String::new();
    for f in findings {
        if let Some(at) = Location::of(&mut texts, sources, f.span) {
            out.push_str(&format!(
                "{}:{}:{}: ",
                escape::line(&at.file),
                at.line,
                at.column
            ));
        }
        out.push_str(f.code);
        out.push(' ');
        out.push_str(&escape::line(&f.message));
        out.push('\n');
    }
    out
}
