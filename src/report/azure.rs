//! `--format azure`: Azure Pipelines logging commands, one per finding:
//! `##vso[task.logissue type=error;sourcepath=F;linenumber=L;columnnumber=C;code=AML201]message`.
//!
//! Azure Pipelines knows two issue types: errors are `error`, warnings and infos `warning` (the
//! message of an info starts with `info:`). No `task.complete` is written: the exit status, which
//! follows `--fail-on`, decides whether the step fails.

use super::escape::azure;
use super::texts::Texts;
use super::{details, Finding, Location, Severity};
use crate::source::Sources;

/// Renders one logging command per line. Every line starts with `##vso[`: property values and
/// the message are escaped as the agent expects ([`azure`]), so no value can end the command or
/// start another.
pub fn render(findings: &[Finding], sources: &Sources) -> String {
    let mut texts = Texts::for_findings(sources, findings);
    let mut out = String::new();
    for f in findings {
        let kind = match f.severity {
            Severity::Error => "error",
            Severity::Warning | Severity::Info => "warning",
        };
        let mut props = vec![format!("type={kind}")];
        if let Some(at) = Location::of(&mut texts, sources, f.span) {
            props.push(format!("sourcepath={}", azure(&at.file)));
            props.push(format!("linenumber={}", at.line));
            props.push(format!("columnnumber={}", at.column));
        }
        props.push(format!("code={}", azure(f.code)));
        let mut message = format!("{} ({}): ", f.code, f.name);
        if f.severity == Severity::Info {
            message.insert_str(0, "info: ");
        }
        message.push_str(&details(f, sources, &mut texts));
        out.push_str(&format!(
            "##vso[task.logissue {}]{}\n",
            props.join(";"),
            azure(&message)
        ));
    }
    out
}
