//! `amlint.toml` / `.amlint.toml`: finding, reading and applying the configuration.
//!
//! A configuration is found by walking up from each linted path; the closest file wins, with no
//! merging, except that `extend = "path"` inherits another file: its settings first, this file's
//! on top (`[rules]` and `[aml]` key by key; `exclude` and `rule-dirs` replaced; `[[parameters]]`
//! and `[[suppress]]` added). Errors name the file and line (exit status 2).

pub mod suppress;

pub use suppress::{apply, Applied, ApplyContext, Date, Suppression, SuppressionOrigin};

use crate::report::Severity;
use crate::rules::Settings;
use globset::GlobMatcher;
use miette::{NamedSource, SourceSpan};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;

/// The names a configuration file may have, in order of preference.
pub const FILE_NAMES: &[&str] = &["amlint.toml", ".amlint.toml"];

/// How deep `extend` chains may go.
const MAX_EXTEND_DEPTH: usize = 10;

/// A configuration amlint cannot use (exit status 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(amlint::config))]
pub struct ConfigError {
    #[source_code]
    src: Option<NamedSource<String>>,
    #[label("{label}")]
    span: Option<SourceSpan>,
    message: String,
    label: String,
    #[help]
    help: Option<String>,
}

impl ConfigError {
    fn at(
        file: &str,
        text: &str,
        range: std::ops::Range<usize>,
        message: String,
        label: &str,
    ) -> Box<Self> {
        let start = range.start.min(text.len());
        let end = range.end.clamp(start, text.len());
        let line = text[..start].matches('\n').count() + 1;
        Box::new(ConfigError {
            src: Some(NamedSource::new(file, text.to_owned())),
            span: Some((start, end - start).into()),
            message: format!("{file}:{line}: {message}"),
            label: label.to_owned(),
            help: None,
        })
    }

    fn plain(message: String) -> Box<Self> {
        Box::new(ConfigError {
            src: None,
            span: None,
            message,
            label: String::new(),
            help: None,
        })
    }

    fn with_help(mut self: Box<Self>, help: &str) -> Box<Self> {
        self.help = Some(help.to_owned());
        self
    }
}

/// `--fail-on` and `fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// A rule's level in `[rules]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    extend: Option<Spanned<String>>,
    fail_on: Option<Spanned<String>>,
    exclude: Option<Spanned<Vec<String>>>,
    rule_dirs: Option<Spanned<Vec<String>>>,
    rules: Option<BTreeMap<String, Spanned<String>>>,
    aml: Option<RawAml>,
    parameters: Option<Vec<RawParameters>>,
    suppress: Option<Vec<Spanned<RawSuppress>>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawAml {
    max_cluster_nodes: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParameters {
    template: Spanned<String>,
    files: Spanned<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuppress {
    rule: Spanned<String>,
    resource: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
    expires: Option<Spanned<toml::Value>>,
}

/// A `[[parameters]]` pairing: a template and its parameter files (paths resolved).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterMapping {
    pub template: PathBuf,
    pub files: Vec<PathBuf>,
}

/// A configuration file as read (one link of an `extend` chain).
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub text: String,
}

/// A `[rules]` entry, with where it is written.
#[derive(Debug, Clone)]
pub struct RuleEntry {
    pub level: Level,
    pub span: std::ops::Range<usize>,
    pub file: Arc<ConfigFile>,
}

/// A loaded configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file.
    pub path: PathBuf,
    /// Its directory: relative paths and globs are relative to it.
    pub dir: PathBuf,
    /// The file as read.
    pub file: Arc<ConfigFile>,
    pub fail_on: Option<FailOn>,
    /// `exclude` globs, each with the directory it is relative to (its file's, through `extend`).
    pub exclude: Vec<(GlobMatcher, PathBuf)>,
    pub rule_dirs: Vec<PathBuf>,
    /// Code or name (as written) → level.
    pub rules: BTreeMap<String, RuleEntry>,
    pub aml: Settings,
    pub parameters: Vec<ParameterMapping>,
    pub suppress: Vec<Suppression>,
}

impl Config {
    /// Reads a configuration file, following `extend`.
    pub fn load(path: &Path) -> Result<Config, Box<ConfigError>> {
        load_chain(path, 0)
    }

    /// Whether a path is excluded: an `exclude` glob matches it, or one of its directories,
    /// relative to the configuration's directory. A glob without `/` matches at any depth.
    pub fn excludes(&self, path: &Path) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        self.exclude.iter().any(|(glob, dir)| {
            let rel = relative(path, dir);
            if rel.starts_with('/') || rel.starts_with("../") || rel.contains(":/") {
                return false;
            }
            let mut prefix = rel.as_str();
            loop {
                if glob.is_match(prefix) {
                    return true;
                }
                match prefix.rfind('/') {
                    Some(i) => prefix = &prefix[..i],
                    None => return false,
                }
            }
        })
    }

    /// The level `[rules]` gives a rule, by code or name.
    pub fn level(&self, code: &str, name: &str) -> Option<Level> {
        self.rules
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(code) || k.eq_ignore_ascii_case(name))
            .map(|(_, e)| e.level)
    }
}

/// A path relative to `dir` (both made absolute), with `/`.
pub fn relative(path: &Path, dir: &Path) -> String {
    let abs = |p: &Path| -> PathBuf {
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        crate::discover::normalize(&p)
    };
    let (p, d) = (abs(path), abs(dir));
    let rel = p.strip_prefix(&d).map(Path::to_path_buf).unwrap_or(p);
    rel.to_string_lossy().replace('\\', "/")
}

fn load_chain(path: &Path, depth: usize) -> Result<Config, Box<ConfigError>> {
    let shown = shown(path);
    if depth > MAX_EXTEND_DEPTH {
        return Err(ConfigError::plain(format!(
            "{shown}: `extend` chains deeper than {MAX_EXTEND_DEPTH} files (a cycle?)"
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError::plain(format!(
            "cannot read configuration `{shown}`: {}",
            crate::discover::describe_io(&e)
        ))
    })?;
    let raw: RawConfig = toml::from_str(&text).map_err(|e| {
        ConfigError::at(&shown, &text, e.span().unwrap_or(0..0), e.message().trim().to_owned(), "here")
            .with_help("keys: extend, fail-on, exclude, rule-dirs, [rules], [aml], [[parameters]], [[suppress]]")
    })?;
    let file = Arc::new(ConfigFile {
        path: path.to_path_buf(),
        text: text.clone(),
    });
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    let mut config = match &raw.extend {
        Some(base) => {
            let base_path = dir.join(base.get_ref());
            if !base_path.is_file() {
                return Err(ConfigError::at(
                    &shown,
                    &text,
                    base.span(),
                    format!("`extend` names `{}`, which is not a file", base.get_ref()),
                    "not found",
                ));
            }
            let mut base = load_chain(&base_path, depth + 1)?;
            base.path = path.to_path_buf();
            base.dir = dir.clone();
            base.file = file.clone();
            base
        }
        None => Config {
            path: path.to_path_buf(),
            dir: dir.clone(),
            file: file.clone(),
            fail_on: None,
            exclude: Vec::new(),
            rule_dirs: Vec::new(),
            rules: BTreeMap::new(),
            aml: Settings::default(),
            parameters: Vec::new(),
            suppress: Vec::new(),
        },
    };
    let err = |range: std::ops::Range<usize>, message: String, label: &str| {
        ConfigError::at(&shown, &text, range, message, label)
    };
    if let Some(f) = &raw.fail_on {
        config.fail_on = Some(match f.get_ref().as_str() {
            "error" => FailOn::Error,
            "warning" => FailOn::Warning,
            "info" => FailOn::Info,
            "never" => FailOn::Never,
            other => {
                return Err(err(
                    f.span(),
                    format!("`fail-on` is `{other}`: use `error`, `warning`, `info` or `never`"),
                    "invalid value",
                ))
            }
        });
    }
    if let Some(globs) = &raw.exclude {
        config.exclude = globs
            .get_ref()
            .iter()
            .map(|g| {
                // Like .gitignore: a pattern without `/` matches a name at any depth.
                let pattern = if g.contains('/') {
                    g.trim_start_matches("./").to_owned()
                } else {
                    format!("**/{g}")
                };
                glob(&pattern).map(|m| (m, dir.clone())).map_err(|e| {
                    err(
                        globs.span(),
                        format!("`exclude` glob `{g}` is invalid: {e}"),
                        "invalid glob",
                    )
                })
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(dirs) = &raw.rule_dirs {
        config.rule_dirs = dirs.get_ref().iter().map(|d| dir.join(d)).collect();
    }
    if let Some(rules) = &raw.rules {
        for (code, level) in rules {
            let parsed = match level.get_ref().as_str() {
                "off" => Level::Off,
                "info" => Level::On(Severity::Info),
                "warning" => Level::On(Severity::Warning),
                "error" => Level::On(Severity::Error),
                other => {
                    return Err(err(
                        level.span(),
                        format!("rule `{code}` is set to `{other}`: use `off`, `info`, `warning` or `error`"),
                        "invalid level",
                    ))
                }
            };
            config.rules.insert(
                code.clone(),
                RuleEntry {
                    level: parsed,
                    span: level.span(),
                    file: file.clone(),
                },
            );
        }
    }
    if let Some(aml) = &raw.aml {
        if let Some(n) = &aml.max_cluster_nodes {
            if *n.get_ref() < 1 {
                return Err(err(
                    n.span(),
                    "`max-cluster-nodes` must be at least 1".to_owned(),
                    "invalid value",
                ));
            }
            config.aml.max_cluster_nodes = *n.get_ref();
        }
    }
    if let Some(params) = &raw.parameters {
        for p in params {
            let template = dir.join(p.template.get_ref());
            if !template.is_file() {
                return Err(err(
                    p.template.span(),
                    format!(
                        "`[[parameters]]` names the template `{}`, which is not a file",
                        p.template.get_ref()
                    ),
                    "not found",
                ));
            }
            let mut files = Vec::new();
            for f in p.files.get_ref() {
                let file = dir.join(f);
                if !file.is_file() {
                    return Err(err(
                        p.files.span(),
                        format!(
                            "`[[parameters]]` names the parameter file `{f}`, which is not a file"
                        ),
                        "not found",
                    ));
                }
                files.push(file);
            }
            config.parameters.push(ParameterMapping { template, files });
        }
    }
    if let Some(entries) = &raw.suppress {
        for s in entries {
            config.suppress.push(suppress::from_config(s, &file, &dir)?);
        }
    }
    Ok(config)
}

/// A path as error messages show it: relative to the current directory when under it.
pub(crate) fn shown(path: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    crate::lint::display_path(path, &cwd)
}

/// A glob, with `*` not crossing `/` (use `**` for that).
pub(crate) fn glob(pattern: &str) -> Result<GlobMatcher, globset::Error> {
    Ok(globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()?
        .compile_matcher())
}

/// The configuration file closest to `start` (a directory), walking up.
pub fn find(start: &Path) -> Option<PathBuf> {
    let abs = if start.is_absolute() {
        start.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(start)
    };
    let mut dir = Some(crate::discover::normalize(&abs));
    while let Some(d) = dir {
        for name in FILE_NAMES {
            let candidate = d.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
        dir = d.parent().map(Path::to_path_buf);
    }
    None
}

/// The configurations of a run: none (`--isolated`), one (`--config`), or the closest one to each
/// path.
#[derive(Debug, Default)]
pub struct Configs {
    /// Loaded configurations, each once.
    pub loaded: Vec<Config>,
    /// `--config`: this one for everything.
    forced: Option<usize>,
    /// `--isolated`: none.
    isolated: bool,
    cache: std::sync::Mutex<BTreeMap<PathBuf, Option<usize>>>,
}

impl Configs {
    /// No configuration at all.
    pub fn isolated() -> Self {
        Configs {
            isolated: true,
            ..Configs::default()
        }
    }

    /// One configuration for every path.
    pub fn forced(path: &Path) -> Result<Self, Box<ConfigError>> {
        Ok(Configs {
            loaded: vec![Config::load(path)?],
            forced: Some(0),
            ..Configs::default()
        })
    }

    /// The configurations closest to each of `paths`, and those in the directories below them,
    /// loaded now so that errors come first and every file finds its closest configuration.
    pub fn discover(paths: &[PathBuf]) -> Result<Self, Box<ConfigError>> {
        Self::discover_in(paths, &crate::discover::Walk::new(paths))
    }

    /// [`Configs::discover`], with `walk` the walk of `paths`.
    pub fn discover_in(
        paths: &[PathBuf],
        walk: &crate::discover::Walk,
    ) -> Result<Self, Box<ConfigError>> {
        let mut configs = Configs::default();
        let mut found: Vec<PathBuf> = Vec::new();
        for p in paths {
            let start = if p.is_dir() {
                p.clone()
            } else {
                p.parent().map(Path::to_path_buf).unwrap_or_default()
            };
            found.extend(find(&start));
        }
        for entry in walk.entries() {
            if entry.depth > 0
                && entry.kind == crate::discover::EntryKind::File
                && entry
                    .path
                    .file_name()
                    .is_some_and(|name| FILE_NAMES.iter().any(|n| name == *n))
                && entry
                    .path
                    .parent()
                    .and_then(find)
                    .is_some_and(|closest| same_file(&closest, &entry.path))
            {
                found.push(entry.path.clone());
            }
        }
        let mut seen: Vec<PathBuf> = Vec::new();
        for file in found {
            let key = file.canonicalize().unwrap_or_else(|_| file.clone());
            if !seen.contains(&key) {
                configs.loaded.push(Config::load(&file)?);
                seen.push(key);
            }
        }
        Ok(configs)
    }

    /// Whether the configuration governing `path` excludes it.
    pub fn excludes(&self, path: &Path) -> bool {
        self.for_path(path).is_some_and(|c| c.excludes(path))
    }

    /// The configuration that governs `path` (a file or directory): the closest one.
    pub fn for_path(&self, path: &Path) -> Option<&Config> {
        if self.isolated || self.loaded.is_empty() {
            return None;
        }
        if let Some(i) = self.forced {
            return self.loaded.get(i);
        }
        let dir = if path.is_dir() {
            path.to_path_buf()
        } else {
            path.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let index = *cache.entry(dir.clone()).or_insert_with(|| {
            let file = find(&dir)?;
            self.loaded.iter().position(|c| same_file(&c.path, &file))
        });
        index.and_then(|i| self.loaded.get(i))
    }

    /// The configuration whose global settings (`fail-on`, `[aml]`) apply: `--config`'s, or the
    /// first path's.
    pub fn primary(&self) -> Option<&Config> {
        if self.isolated {
            return None;
        }
        self.loaded.first()
    }

    /// Every rule directory of every configuration, each once.
    pub fn rule_dirs(&self) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = Vec::new();
        for c in &self.loaded {
            for d in &c.rule_dirs {
                if !out.iter().any(|o| same_file(o, d)) {
                    out.push(d.clone());
                }
            }
        }
        out
    }

    /// Checks that every rule named in `[rules]` and `[[suppress]]` exists.
    pub fn validate(&self, catalog: &crate::rules::Catalog) -> Result<(), Box<ConfigError>> {
        if self.isolated {
            return Ok(());
        }
        for c in &self.loaded {
            for (code, entry) in &c.rules {
                if catalog.find(code).is_none() {
                    return Err(ConfigError::at(
                        &shown(&entry.file.path),
                        &entry.file.text,
                        entry.span.clone(),
                        format!("`[rules]` names `{code}`, which is not a rule"),
                        "unknown rule",
                    )
                    .with_help("`amlint rules` lists every code and name"));
                }
            }
            for s in &c.suppress {
                let Some(file) = &s.config_file else { continue };
                for rule in &s.rules {
                    if catalog.find(rule).is_none() {
                        return Err(ConfigError::at(
                            &shown(&file.path),
                            &file.text,
                            s.span.start as usize..s.span.end as usize,
                            format!("`[[suppress]]` names `{rule}`, which is not a rule"),
                            "unknown rule",
                        )
                        .with_help("`amlint rules` lists every code and name"));
                    }
                }
            }
        }
        Ok(())
    }

    /// Every `[[parameters]]` mapping.
    pub fn parameter_mappings(&self) -> Vec<ParameterMapping> {
        self.loaded
            .iter()
            .flat_map(|c| c.parameters.iter().cloned())
            .collect()
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests;
