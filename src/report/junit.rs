//! `--format junit`: JUnit XML for the test report views of Azure DevOps and GitLab.
//!
//! One `<testsuite>` per linted file, and in it one `<testcase name="CODE" classname="FILE">` per
//! rule with findings in that file, whose `<failure>` lists each finding. A file without findings
//! is one passing test case named `amlint`, so that the report counts what was checked; skipped
//! files (not ARM JSON) are left out.

use super::escape::{xml, xml_text};
use super::texts::Texts;
use super::{details, Finding, Location, Severity};
use crate::source::{FileId, Sources};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Renders the report. Every value is escaped for XML 1.0 ([`xml`]).
pub fn render(findings: &[Finding], sources: &Sources, skipped: &[FileId]) -> String {
    let mut texts = Texts::for_findings(sources, findings);
    let mut by_file: HashMap<FileId, Vec<&Finding>> = HashMap::new();
    let mut no_file = Vec::new();
    for f in findings {
        if sources.get(f.span.file).is_some() {
            by_file.entry(f.span.file).or_default().push(f);
        } else {
            no_file.push(f);
        }
    }
    let skipped: HashSet<FileId> = skipped.iter().copied().collect();
    let mut suites = String::new();
    let (mut tests, mut failures) = (0, 0);
    for (id, file) in sources.iter() {
        let found = by_file.remove(&id).unwrap_or_default();
        if found.is_empty() && skipped.contains(&id) {
            continue;
        }
        let (t, f) = suite(&mut suites, &file.display, &found, sources, &mut texts);
        tests += t;
        failures += f;
    }
    if !no_file.is_empty() {
        let (t, f) = suite(&mut suites, "amlint", &no_file, sources, &mut texts);
        tests += t;
        failures += f;
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <testsuites name=\"amlint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n\
         {suites}</testsuites>\n"
    )
}

/// Writes the test suite of one file; returns its number of tests and failures.
fn suite(
    out: &mut String,
    file: &str,
    findings: &[&Finding],
    sources: &Sources,
    texts: &mut Texts<'_>,
) -> (usize, usize) {
    let file = xml(file);
    let mut by_code: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by_code.entry(f.code).or_default().push(f);
    }
    let (tests, failures) = if by_code.is_empty() {
        (1, 0)
    } else {
        (by_code.len(), by_code.len())
    };
    out.push_str(&format!(
        "  <testsuite name=\"{file}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n"
    ));
    if by_code.is_empty() {
        out.push_str(&format!(
            "    <testcase name=\"amlint\" classname=\"{file}\"/>\n"
        ));
    }
    for (code, found) in by_code {
        let severity = found
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Error);
        let message = match found.as_slice() {
            [one] => one.message.clone(),
            [first, ..] => format!("{} findings, the first: {}", found.len(), first.message),
            [] => String::new(),
        };
        let mut body = Vec::new();
        for f in &found {
            let at = Location::of(texts, sources, f.span)
                .map(|at| format!("{}:{}: ", at.line, at.column))
                .unwrap_or_default();
            body.push(format!("{at}{}", details(f, sources, texts)));
        }
        out.push_str(&format!(
            "    <testcase name=\"{}\" classname=\"{file}\">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
            xml(code),
            xml(&message),
            severity,
            xml_text(&body.join("\n\n"))
        ));
    }
    out.push_str("  </testsuite>\n");
    (tests, failures)
}
