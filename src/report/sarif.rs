//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning ingests it.
//!
//! One run; `tool.driver.rules` describes every rule of the catalog (descriptions, the rule's
//! documentation as help, its default level). Each result has a 1-based region (columns in Unicode
//! code points, `columnKind` on the run), `relatedLocations` for each hop, a `codeFlows` thread
//! that follows the hops in order (compute → subnet → NSG rule or route), and a
//! `partialFingerprints` entry that identifies it by rule and resource, not by line, so that an
//! alert survives edits elsewhere in the file. URIs are relative to `%SRCROOT%`, the working
//! directory, given in `originalUriBaseIds`.

use super::texts::Texts;
use super::{Finding, Location, Severity};
use crate::rules::RuleMeta;
use crate::source::Sources;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";
/// The key of amlint's fingerprint; its version changes when the identity it hashes changes.
pub const FINGERPRINT: &str = "amlintIdentity/v1";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
}

#[derive(Serialize, Clone)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    code_flows: Vec<CodeFlow>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<Properties>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Properties {
    help: String,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    name: String,
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CodeFlow {
    thread_flows: [ThreadFlow; 1],
}

#[derive(Serialize)]
struct ThreadFlow {
    locations: Vec<ThreadFlowLocation>,
}

#[derive(Serialize)]
struct ThreadFlowLocation {
    location: SarifLocation,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as a URI reference: relative paths stay relative (resolved against `%SRCROOT%`),
/// absolute ones become `file:` URIs; everything but unreserved characters, sub-delimiters other
/// than `:`, `@` and `/` is percent-encoded.
fn uri(path: &str) -> (String, Option<&'static str>) {
    let path = path.replace('\\', "/");
    let encoded = encode(&path);
    if path.starts_with('/') {
        (format!("file://{encoded}"), None)
    } else {
        (encoded, Some(SRCROOT))
    }
}

fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char);
            }
            b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' | b'@' => {
                out.push(b as char);
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The `file:` URI of the working directory, with a trailing `/`.
fn root_uri(cwd: &Path) -> String {
    let mut path = cwd.to_string_lossy().replace('\\', "/");
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    if !path.ends_with('/') {
        path.push('/');
    }
    format!("file://{}", encode(&path))
}

fn location(at: Location, message: Option<String>, id: Option<usize>) -> SarifLocation {
    let (uri, uri_base_id) = uri(&at.file);
    SarifLocation {
        id,
        physical_location: Some(PhysicalLocation {
            artifact_location: ArtifactLocation { uri, uri_base_id },
            region: Region {
                start_line: at.line,
                start_column: at.column,
                end_line: at.end_line,
                end_column: at.end_column,
            },
        }),
        logical_locations: Vec::new(),
        message: message.map(|text| Text { text }),
    }
}

/// 64-bit FNV-1a: small, stable across platforms and releases, enough to tell findings apart.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// What identifies a finding across runs: the rule, the resource's type and name (ARM compares
/// them without case), the parameter file; the file for findings without a resource. Never a
/// line or column.
fn identity(f: &Finding, sources: &Sources) -> String {
    let params = f
        .parameters_file
        .and_then(|p| sources.get(p))
        .map(|s| s.display.as_str())
        .unwrap_or("");
    match &f.resource {
        Some(r) => format!(
            "{}\0{}\0{}\0{params}",
            f.code,
            r.full_type.to_lowercase(),
            r.name.to_lowercase()
        ),
        None => {
            let file = sources
                .get(f.span.file)
                .map(|s| s.display.as_str())
                .unwrap_or("");
            format!("{}\0\0{file}\0{params}", f.code)
        }
    }
}

/// The first paragraph of a section of a rule's documentation, joined into one line.
fn section(doc: &str, heading: &str) -> Option<String> {
    let start = doc.find(heading)? + heading.len();
    let body = &doc[start..];
    let end = body.find("\n## ").unwrap_or(body.len());
    let text = body[..end]
        .trim()
        .split("\n\n")
        .next()?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (!text.is_empty()).then_some(text)
}

fn rule(meta: &RuleMeta) -> Rule {
    let doc = meta.documentation();
    let full = section(&doc, "## What it does").unwrap_or_else(|| meta.summary.to_owned());
    Rule {
        id: meta.code.to_owned(),
        name: meta.name.to_owned(),
        short_description: Text {
            text: meta.summary.to_owned(),
        },
        full_description: Text { text: full },
        help: Help {
            text: doc.clone(),
            markdown: doc,
        },
        default_configuration: Configuration {
            level: level(meta.severity),
        },
    }
}

/// Renders the SARIF log of a run, followed by a newline. `rules` are the rules of the run (every
/// one is described, whether it found something or not); `cwd` is what relative paths are
/// relative to.
pub fn render(findings: &[Finding], sources: &Sources, rules: &[&RuleMeta], cwd: &Path) -> String {
    let mut out = Vec::new();
    let texts = Texts::for_findings(sources, findings);
    // Writing to a vector does not fail, and serde_json writes UTF-8.
    let _ = write(findings, sources, rules, cwd, texts, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes the SARIF log of a run as [`render`] renders it, straight to `w` (the log is built
/// first: its rule descriptions come before the results). `texts` is [`Texts::for_findings`],
/// worked out on the run's threads.
pub fn write(
    findings: &[Finding],
    sources: &Sources,
    rules: &[&RuleMeta],
    cwd: &Path,
    mut texts: Texts<'_>,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut described: Vec<Rule> = rules.iter().map(|m| rule(m)).collect();
    let mut index: HashMap<&str, usize> =
        rules.iter().enumerate().map(|(i, m)| (m.code, i)).collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut results = Vec::with_capacity(findings.len());
    for f in findings {
        let rule_index = *index.entry(f.code).or_insert_with(|| {
            described.push(Rule {
                id: f.code.to_owned(),
                name: f.name.to_owned(),
                short_description: Text {
                    text: f.name.to_owned(),
                },
                full_description: Text {
                    text: f.name.to_owned(),
                },
                help: Help {
                    text: f.name.to_owned(),
                    markdown: f.name.to_owned(),
                },
                default_configuration: Configuration {
                    level: level(f.severity),
                },
            });
            described.len() - 1
        });
        let mut primary = Location::of(&mut texts, sources, f.span)
            .map(|at| location(at, None, None))
            .unwrap_or(SarifLocation {
                id: None,
                physical_location: None,
                logical_locations: Vec::new(),
                message: None,
            });
        if let Some(r) = &f.resource {
            primary.logical_locations.push(LogicalLocation {
                name: r.name.clone(),
                fully_qualified_name: format!("{}/{}", r.full_type, r.name),
                kind: "resource",
            });
        }
        let related: Vec<SarifLocation> = f
            .related
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let at = Location::of(&mut texts, sources, r.span)?;
                Some(location(at, Some(r.message.clone()), Some(i + 1)))
            })
            .collect();
        let mut code_flows = Vec::new();
        if !related.is_empty() && primary.physical_location.is_some() {
            let mut start = primary.clone();
            start.logical_locations.clear();
            start.message = Some(Text {
                text: f.label.clone().unwrap_or_else(|| f.message.clone()),
            });
            let mut steps = vec![ThreadFlowLocation { location: start }];
            steps.extend(related.iter().map(|r| {
                let mut step = r.clone();
                step.id = None;
                ThreadFlowLocation { location: step }
            }));
            code_flows.push(CodeFlow {
                thread_flows: [ThreadFlow { locations: steps }],
            });
        }
        let mut key = identity(f, sources);
        let n = seen.entry(key.clone()).or_default();
        if *n > 0 {
            key.push_str(&format!("\0{n}"));
        }
        *n += 1;
        let locations =
            if primary.physical_location.is_some() || !primary.logical_locations.is_empty() {
                vec![primary]
            } else {
                Vec::new()
            };
        results.push(SarifResult {
            rule_id: f.code,
            rule_index,
            level: level(f.severity),
            message: Text {
                text: f.message.clone(),
            },
            locations,
            related_locations: related,
            code_flows,
            partial_fingerprints: BTreeMap::from([(
                FINGERPRINT,
                format!("{:016x}", fnv1a(key.as_bytes())),
            )]),
            properties: f.help.clone().map(|help| Properties { help }),
        });
    }
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "amlint",
                    information_uri: option_env!("CARGO_PKG_REPOSITORY").filter(|s| !s.is_empty()),
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules: described,
                },
            },
            original_uri_base_ids: BTreeMap::from([(
                SRCROOT,
                ArtifactLocation {
                    uri: root_uri(cwd),
                    uri_base_id: None,
                },
            )]),
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    // With what a terminal or a CI log would act on escaped; serde_json writes a token at a
    // time, and the escaping goes over 64 KB at once.
    let safe = super::escape::JsonOutput::new(w);
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, safe);
    serde_json::to_writer_pretty(&mut buffered, &log).map_err(std::io::Error::from)?;
    let safe = buffered
        .into_inner()
        .map_err(std::io::IntoInnerError::into_error)?;
    let w = safe.finish()?;
    w.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Related, ResourceRef};
    use crate::source::Span;

    fn finding(span: Span) -> Finding {
        Finding {
            code: "AML999",
            name: "not-in-the-catalog",
            severity: Severity::Warning,
            message: "a finding in no file".to_owned(),
            help: None,
            span,
            label: None,
            resource: None,
            parameters_file: None,
            related: vec![Related {
                span: Span::NONE,
                message: "a hop in no file".to_owned(),
            }],
        }
    }

    fn validate(text: &str) {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/schemas/sarif-schema-2.1.0.json"))
                .unwrap();
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        let log: serde_json::Value = serde_json::from_str(text).unwrap();
        let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}\n{text}");
    }

    #[test]
    fn findings_without_a_file_are_valid_sarif() {
        let sources = Sources::default();
        let mut with_resource = finding(Span::NONE);
        with_resource.resource = Some(ResourceRef {
            full_type: "Microsoft.Network/networkSecurityGroups".to_owned(),
            name: "nsg".to_owned(),
            declaration: Span::NONE,
        });
        let text = render(
            &[finding(Span::NONE), with_resource],
            &sources,
            &[],
            Path::new("/work/some dir"),
        );
        validate(&text);
        let log: serde_json::Value = serde_json::from_str(&text).unwrap();
        let run = &log["runs"][0];
        assert_eq!(run["tool"]["driver"]["rules"][0]["id"], "AML999");
        assert_eq!(run["results"][0]["ruleIndex"], 0);
        assert!(run["results"][0].get("locations").is_none());
        assert_eq!(
            run["results"][1]["locations"][0]["logicalLocations"][0]["name"],
            "nsg"
        );
        assert_eq!(
            run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            "file:///work/some%20dir/"
        );
        // Two findings of one identity still get two fingerprints.
        let a = &run["results"][0]["partialFingerprints"][FINGERPRINT];
        let text = render(
            &[finding(Span::NONE), finding(Span::NONE)],
            &sources,
            &[],
            Path::new("/"),
        );
        let log: serde_json::Value = serde_json::from_str(&text).unwrap();
        let results = &log["runs"][0]["results"];
        assert_eq!(&results[0]["partialFingerprints"][FINGERPRINT], a);
        assert_ne!(
            results[0]["partialFingerprints"][FINGERPRINT],
            results[1]["partialFingerprints"][FINGERPRINT]
        );
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            uri("infra/a b#c%.json"),
            ("infra/a%20b%23c%25.json".to_owned(), Some(SRCROOT))
        );
        assert_eq!(
            uri("/abs/ä.json"),
            ("file:///abs/%C3%A4.json".to_owned(), None)
        );
        assert_eq!(uri("../x:y.json").0, "../x%3Ay.json");
    }
}
