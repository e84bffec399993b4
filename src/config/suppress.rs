//! Suppressions: `[[suppress]]` in the configuration, `metadata.amlint.suppress` on a template
//! resource, and `// amlint-ignore CODE: reason` comments.
//!
//! Every suppression needs a reason. One that is malformed is reported (AML004) and suppresses
//! nothing; one past its expiry date is reported (AML005) and suppresses nothing; one that
//! suppressed nothing is reported (AML006).

use super::{glob, ConfigError, ConfigFile, RawSuppress};
use crate::parse::ast::{Object, Value};
use crate::parse::ObjectExt;
use crate::parse::Ranged;
use crate::report::Finding;
use crate::rules::Catalog;
use crate::source::{FileId, Span};
use globset::GlobMatcher;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;

/// The marker of a suppression comment.
pub const COMMENT_MARKER: &str = "amlint-ignore";

/// A calendar date (`YYYY-MM-DD`), for expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Parses `YYYY-MM-DD`, checking that the day exists.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.trim().splitn(3, '-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(y) || !all_digits(m) || !all_digits(d) {
            return None;
        }
        let date = Date {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
            day: d.parse().ok()?,
        };
        let valid = (1..=12).contains(&date.month)
            && date.day >= 1
            && date.day <= days_in_month(date.year, date.month);
        valid.then_some(date)
    }

    /// Today in UTC, from the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days_since_epoch((secs / 86_400) as i64)
    }

    /// The civil date `days` days after 1970-01-01 (proleptic Gregorian calendar).
    pub fn from_days_since_epoch(days: i64) -> Date {
        // Count in 400-year eras starting on 0000-03-01, so that leap days end each year.
        let shifted = days + 719_468;
        let era = shifted.div_euclid(146_097);
        let day_of_era = shifted.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_from_march = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u8;
        let month = if month_from_march < 10 {
            month_from_march + 3
        } else {
            month_from_march - 9
        } as u8;
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Date {
            year: year as i32,
            month,
            day,
        }
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Where a suppression is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuppressionOrigin {
    /// `[[suppress]]` in a configuration file.
    Config,
    /// `metadata.amlint.suppress` on a template resource.
    Metadata,
    /// An `amlint-ignore` comment.
    Comment,
}

/// What a suppression covers.
#[derive(Debug, Clone)]
pub enum Scope {
    /// `[[suppress]]`: findings whose resource (`type/name`) and file match the globs.
    Config {
        resource: Option<GlobMatcher>,
        path: Option<GlobMatcher>,
        /// The configuration's directory, which `path` is relative to.
        dir: PathBuf,
    },
    /// Findings on the resource declared at this byte range of the file.
    Resource {
        file: FileId,
        start: usize,
        end: usize,
    },
    /// Findings that start on the line at this byte range of the file.
    Line {
        file: FileId,
        start: usize,
        end: usize,
    },
}

/// One suppression.
#[derive(Debug, Clone)]
pub struct Suppression {
    pub origin: SuppressionOrigin,
    /// Rule codes or names, as written.
    pub rules: Vec<String>,
    pub scope: Scope,
    pub reason: Option<String>,
    pub expires: Option<Date>,
    /// Where it is written (for configurations, the file is set when the run registers it).
    pub span: Span,
    /// What is wrong with it, found while reading it (it then suppresses nothing).
    pub invalid: Option<String>,
    /// For `[[suppress]]`: the configuration file it is written in.
    pub config_file: Option<Arc<ConfigFile>>,
}

impl Suppression {
    fn names(&self, code: &str, name: &str) -> bool {
        self.rules
            .iter()
            .any(|r| r.eq_ignore_ascii_case(code) || r.eq_ignore_ascii_case(name))
    }

    fn covers(&self, finding: &Finding, path: &dyn Fn(FileId) -> Option<PathBuf>) -> bool {
        match &self.scope {
            Scope::Config {
                resource,
                path: path_glob,
                dir,
            } => {
                let resource_ok = match resource {
                    None => true,
                    Some(g) => finding
                        .resource
                        .as_ref()
                        .is_some_and(|r| g.is_match(format!("{}/{}", r.full_type, r.name))),
                };
                let path_ok = match path_glob {
                    None => true,
                    Some(g) => path(finding.span.file)
                        .is_some_and(|p| g.is_match(super::relative(&p, dir))),
                };
                resource_ok && path_ok
            }
            Scope::Resource { file, start, end } => {
                let inside = |s: Span| {
                    s.file == *file && s.start as usize >= *start && s.end as usize <= *end
                };
                inside(finding.span)
                    || finding
                        .resource
                        .as_ref()
                        .is_some_and(|r| !r.declaration.is_none() && inside(r.declaration))
            }
            Scope::Line { file, start, end } => {
                finding.span.file == *file
                    && finding.span.start as usize >= *start
                    && finding.span.start as usize <= *end
            }
        }
    }
}

/// A `[[suppress]]` entry, checked.
pub(super) fn from_config(
    raw: &Spanned<RawSuppress>,
    file: &Arc<ConfigFile>,
    dir: &Path,
) -> Result<Suppression, Box<ConfigError>> {
    let entry = raw.get_ref();
    let shown = super::shown(&file.path);
    let err = |range: std::ops::Range<usize>, message: String, label: &str| {
        ConfigError::at(&shown, &file.text, range, message, label)
    };
    let reason = match &entry.reason {
        Some(r) if !r.get_ref().trim().is_empty() => r.get_ref().trim().to_owned(),
        Some(r) => {
            return Err(err(
                r.span(),
                "a suppression's `reason` cannot be empty".to_owned(),
                "empty reason",
            ))
        }
        None => {
            return Err(err(
                raw.span(),
                "this `[[suppress]]` entry has no `reason`: say why the finding is accepted"
                    .to_owned(),
                "no reason",
            ))
        }
    };
    let expires = match &entry.expires {
        None => None,
        Some(e) => {
            let written = match e.get_ref() {
                toml::Value::String(s) => s.clone(),
                toml::Value::Datetime(d) => d.to_string(),
                other => other.to_string(),
            };
            match Date::parse(&written) {
                Some(d) => Some(d),
                None => {
                    return Err(err(
                        e.span(),
                        format!("`expires` is `{written}`: write a date as YYYY-MM-DD"),
                        "not a date",
                    ))
                }
            }
        }
    };
    let resource = match &entry.resource {
        None => None,
        Some(r) => Some(
            globset::GlobBuilder::new(r.get_ref())
                .literal_separator(false)
                .case_insensitive(true)
                .build()
                .map_err(|e| {
                    err(
                        r.span(),
                        format!("`resource` pattern `{}` is invalid: {e}", r.get_ref()),
                        "invalid pattern",
                    )
                })?
                .compile_matcher(),
        ),
    };
    let path = match &entry.path {
        None => None,
        Some(p) => Some(glob(p.get_ref()).map_err(|e| {
            err(
                p.span(),
                format!("`path` glob `{}` is invalid: {e}", p.get_ref()),
                "invalid glob",
            )
        })?),
    };
    if resource.is_none() && path.is_none() {
        return Err(err(
            raw.span(),
            format!(
                "this `[[suppress]]` entry has neither `resource` nor `path`; to turn `{}` off everywhere, write `{} = \"off\"` under `[rules]`",
                entry.rule.get_ref(),
                entry.rule.get_ref()
            ),
            "matches everything",
        ));
    }
    let range = entry.rule.span();
    Ok(Suppression {
        origin: SuppressionOrigin::Config,
        rules: vec![entry.rule.get_ref().clone()],
        scope: Scope::Config {
            resource,
            path,
            dir: dir.to_path_buf(),
        },
        reason: Some(reason),
        expires,
        span: Span::new(FileId::NONE, range.start, range.end),
        invalid: None,
        config_file: Some(file.clone()),
    })
}

/// The suppressions written in a file: `metadata.amlint.suppress` on resources (found anywhere in
/// the document, so nested deployments and symbolic-name templates count) and `amlint-ignore`
/// comments.
pub fn in_file(file: FileId, text: &str) -> Vec<Suppression> {
    // One scan (SIMD) for the common case: most files mention amlint nowhere.
    let contains =
        |needle: &str| memchr::memmem::find(text.as_bytes(), needle.as_bytes()).is_some();
    if !contains("amlint") {
        return Vec::new();
    }
    let has_comments = contains(COMMENT_MARKER);
    let has_metadata = contains("\"amlint\"");
    if !has_comments && !has_metadata {
        return Vec::new();
    }
    let arena = crate::parse::Arena::new();
    let Ok((ast, comments)) = crate::parse::parse_with_comments(text, &arena) else {
        // AML001 reports the file; a suppression in it cannot be located reliably.
        return Vec::new();
    };
    let mut out = Vec::new();
    if has_metadata {
        metadata_suppressions(file, &ast, &mut out, 0);
    }
    for c in comments {
        if let Some(s) = comment_suppression(file, text, &c) {
            out.push(s);
        }
    }
    out
}

fn metadata_suppressions(
    file: FileId,
    value: &Value<'_>,
    out: &mut Vec<Suppression>,
    depth: usize,
) {
    // The parser bounds nesting; this bound only keeps the walk's stack small.
    if depth > 256 {
        return;
    }
    match value {
        Value::Object(o) => {
            if o.member("type").is_some() {
                if let Some(list) = o
                    .member_object("metadata")
                    .and_then(|m| m.member_object("amlint"))
                    .and_then(|a| a.member("suppress"))
                {
                    resource_suppressions(file, o, list, out);
                }
            }
            for p in o.properties {
                metadata_suppressions(file, &p.value, out, depth + 1);
            }
        }
        Value::Array(a) => {
            for e in a.elements {
                metadata_suppressions(file, e, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn resource_suppressions(
    file: FileId,
    resource: &Object<'_>,
    list: &Value<'_>,
    out: &mut Vec<Suppression>,
) {
    let r = resource.range();
    let scope = Scope::Resource {
        file,
        start: r.start,
        end: r.end,
    };
    let span_of = |v: &Value<'_>| {
        let r = v.range();
        Span::new(file, r.start, r.end)
    };
    let Value::Array(entries) = list else {
        out.push(Suppression {
            origin: SuppressionOrigin::Metadata,
            rules: Vec::new(),
            scope,
            reason: None,
            expires: None,
            span: span_of(list),
            config_file: None,
            invalid: Some("`metadata.amlint.suppress` must be an array of `{ \"rule\": ..., \"reason\": ... }` objects".to_owned()),
        });
        return;
    };
    for entry in entries.elements {
        let mut s = Suppression {
            origin: SuppressionOrigin::Metadata,
            rules: Vec::new(),
            scope: scope.clone(),
            reason: None,
            expires: None,
            span: span_of(entry),
            invalid: None,
            config_file: None,
        };
        let Value::Object(o) = entry else {
            s.invalid = Some("a suppression must be an object with `rule` and `reason`".to_owned());
            out.push(s);
            continue;
        };
        for p in o.properties {
            let key = p.name.as_str();
            if !["rule", "reason", "expires"].contains(&key) {
                s.invalid = Some(format!(
                    "unknown key `{key}` in a suppression: use `rule`, `reason` and `expires`"
                ));
            }
        }
        match o.member("rule") {
            Some(Value::StringLit(r)) => s.rules = vec![r.value.to_string()],
            Some(Value::Array(a)) => {
                for e in a.elements {
                    match e {
                        Value::StringLit(r) => s.rules.push(r.value.to_string()),
                        _ => {
                            s.invalid =
                                Some("`rule` must be a rule code or a list of them".to_owned())
                        }
                    }
                }
            }
            _ => {
                s.invalid = Some("a suppression needs a `rule`: the code it suppresses".to_owned())
            }
        }
        s.reason = o
            .member_str("reason")
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned);
        match o.member("expires") {
            None => {}
            Some(Value::StringLit(e)) => match Date::parse(e.value) {
                Some(d) => s.expires = Some(d),
                None => {
                    s.invalid = Some(format!(
                        "`expires` is `{}`: write a date as YYYY-MM-DD",
                        e.value
                    ))
                }
            },
            Some(_) => s.invalid = Some("`expires` must be a date string, YYYY-MM-DD".to_owned()),
        }
        out.push(s);
    }
}

/// `// amlint-ignore AML101, AML102: reason` (or in a block comment). On a line of its own it
/// covers the next line with code; after code, its own line.
fn comment_suppression(file: FileId, text: &str, c: &crate::parse::Comment) -> Option<Suppression> {
    let body = c.text.trim_start();
    let rest = body.strip_prefix(COMMENT_MARKER)?;
    // `amlint-ignored` or `amlint-ignore-file` are not this marker.
    if rest.starts_with(|ch: char| ch.is_alphanumeric() || ch == '-' || ch == '_') {
        return None;
    }
    let (codes, reason) = match rest.split_once(':') {
        Some((codes, reason)) => (codes, Some(reason.trim())),
        None => (rest, None),
    };
    let rules: Vec<String> = codes
        .split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let line_start = text[..c.start].rfind('\n').map_or(0, |i| i + 1);
    let trailing = !text[line_start..c.start].trim().is_empty();
    let (start, end) = if trailing {
        (line_start, line_end(text, c.start))
    } else {
        let next = next_code(text, c.end);
        let start = text[..next].rfind('\n').map_or(0, |i| i + 1);
        (start, line_end(text, next))
    };
    let mut s = Suppression {
        origin: SuppressionOrigin::Comment,
        rules,
        scope: Scope::Line { file, start, end },
        reason: reason.filter(|r| !r.is_empty()).map(str::to_owned),
        expires: None,
        span: Span::new(file, c.start, c.end),
        invalid: None,
        config_file: None,
    };
    if s.rules.is_empty() {
        s.invalid = Some(format!(
            "`{COMMENT_MARKER}` names no rule: write `{COMMENT_MARKER} AML101: reason`"
        ));
    }
    Some(s)
}

fn line_end(text: &str, from: usize) -> usize {
    text[from..].find('\n').map_or(text.len(), |i| from + i)
}

/// The offset of the next character that is neither white space nor in a comment.
fn next_code(text: &str, mut at: usize) -> usize {
    let bytes = text.as_bytes();
    while at < bytes.len() {
        match bytes[at] {
            b' ' | b'\t' | b'\r' | b'\n' => at += 1,
            b'/' if bytes.get(at + 1) == Some(&b'/') => at = line_end(text, at),
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                at = text[at + 2..]
                    .find("*/")
                    .map_or(text.len(), |i| at + 2 + i + 2);
            }
            _ => return at,
        }
    }
    text.len()
}

/// What applying suppressions did.
#[derive(Debug, Default)]
pub struct Applied {
    /// The findings that remain, with the reports about suppressions (AML004-AML006) added.
    pub findings: Vec<Finding>,
    /// How many findings were suppressed.
    pub suppressed: usize,
}

/// What [`apply`] needs to know about the run.
pub struct ApplyContext<'a> {
    pub catalog: &'a Catalog,
    pub today: Date,
    /// The path of a file, for `path` globs.
    pub path: &'a dyn Fn(FileId) -> Option<PathBuf>,
    /// Whether a rule ran for this file (selected and not turned off): a suppression of rules
    /// that did not run is not reported as unused.
    /// `None` asks whether it ran for any file.
    pub ran: &'a dyn Fn(&str, Option<FileId>) -> bool,
}

/// Drops suppressed findings and reports malformed, expired and unused suppressions.
pub fn apply(
    findings: Vec<Finding>,
    suppressions: &[Suppression],
    cx: &ApplyContext<'_>,
) -> Applied {
    let mut applied = Applied::default();
    let mut active: Vec<(usize, bool)> = Vec::new();
    for (i, s) in suppressions.iter().enumerate() {
        let unknown: Vec<&str> = s
            .rules
            .iter()
            .filter(|r| cx.catalog.find(r).is_none())
            .map(String::as_str)
            .collect();
        let problem = if let Some(p) = &s.invalid {
            Some(p.clone())
        } else if !unknown.is_empty() {
            Some(format!(
                "suppression of unknown rule{} {}: `amlint rules` lists the codes",
                if unknown.len() == 1 { "" } else { "s" },
                unknown
                    .iter()
                    .map(|u| format!("`{u}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        } else if s.reason.is_none() {
            Some(match s.origin {
                SuppressionOrigin::Comment => format!(
                    "suppression without a reason: write `{COMMENT_MARKER} {}: why it is accepted`",
                    s.rules.join(", ")
                ),
                _ => "suppression without a reason: add `\"reason\": \"why it is accepted\"`"
                    .to_owned(),
            })
        } else {
            None
        };
        if let Some(message) = problem {
            applied.findings.push(report(s, "AML004", message, None));
            continue;
        }
        if let Some(expires) = s.expires {
            if expires < cx.today {
                applied.findings.push(report(
                    s,
                    "AML005",
                    format!(
                        "suppression of {} expired on {expires}; the findings it covered are reported again",
                        s.rules.join(", ")
                    ),
                    Some("fix the findings, or renew the suppression with a new date and reason".to_owned()),
                ));
                continue;
            }
        }
        active.push((i, false));
    }
    let own = ["AML004", "AML005", "AML006"];
    for f in findings {
        // Every suppression that covers the finding counts as used, not only the first.
        let mut suppressed = false;
        if !own.contains(&f.code) {
            for (i, used) in active.iter_mut() {
                let s = &suppressions[*i];
                if s.names(f.code, f.name) && s.covers(&f, cx.path) {
                    *used = true;
                    suppressed = true;
                }
            }
        }
        if suppressed {
            applied.suppressed += 1;
        } else {
            applied.findings.push(f);
        }
    }
    for (i, used) in active {
        let s = &suppressions[i];
        // For `[[suppress]]`, the configuration file itself: its own `[rules]` decide.
        let file = Some(s.span.file);
        let ran = s.rules.iter().any(|r| {
            cx.catalog
                .find(r)
                .is_some_and(|(m, _)| (cx.ran)(m.code, file))
        });
        if !used && ran {
            applied.findings.push(report(
                s,
                "AML006",
                format!("suppression of {} matches no finding", s.rules.join(", ")),
                Some(
                    "remove it: what it suppressed is fixed, or it names the wrong rule or place"
                        .to_owned(),
                ),
            ));
        }
    }
    applied
}

fn report(s: &Suppression, code: &str, message: String, help: Option<String>) -> Finding {
    let meta = crate::rules::find(code).expect("suppression rules are registered");
    Finding {
        code: meta.code,
        name: meta.name,
        severity: meta.severity,
        message,
        help,
        span: s.span,
        label: None,
        resource: None,
        parameters_file: None,
        related: Vec::new(),
    }
}
