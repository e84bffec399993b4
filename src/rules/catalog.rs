//! All the rules of a run: the built-in Rust rules, the project's declarative rules, and users'.

use super::declarative::{self, DeclarativeRule, RuleFileError, Settings, Source};
use super::{RuleMeta, REGISTRY};
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// Where a rule comes from, as `amlint rules` says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleSource {
    Builtin,
    Declarative,
    User(String),
}

impl RuleSource {
    pub fn label(&self) -> String {
        match self {
            RuleSource::Builtin => "builtin".to_owned(),
            RuleSource::Declarative => "declarative".to_owned(),
            RuleSource::User(path) => format!("user: {path}"),
        }
    }
}

/// Why the rules could not be loaded (exit status 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CatalogError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    File(#[from] Box<RuleFileError>),
    #[error("cannot read rule directory `{path}`: {reason}")]
    #[diagnostic(code(amlint::rule_dir))]
    Dir { path: String, reason: String },
    #[error("{file}: rule code `{code}` is already used by {other}")]
    #[diagnostic(
        code(amlint::rule_clash),
        help("codes are unique: pick another prefix or number for your rule")
    )]
    CodeClash {
        file: String,
        code: String,
        other: String,
    },
    #[error("{file}: rule name `{name}` is already used by {other}")]
    #[diagnostic(code(amlint::rule_clash))]
    NameClash {
        file: String,
        name: String,
        other: String,
    },
}

/// Every rule of a run.
#[derive(Debug)]
pub struct Catalog {
    pub declarative: Vec<DeclarativeRule>,
}

impl Catalog {
    /// The built-in rules and the project's declarative rules.
    pub fn builtin(settings: &Settings) -> Result<Catalog, CatalogError> {
        let mut catalog = Catalog {
            declarative: Vec::new(),
        };
        for (name, text) in BUILTIN_RULE_FILES {
            let rule = declarative::parse_rule(name, text, Source::Declarative, settings)?;
            catalog.add(rule, name)?;
        }
        Ok(catalog)
    }

    /// [`Catalog::builtin`] and the rule files (`*.toml`) of `dirs`, in name order.
    pub fn with_dirs(
        settings: &Settings,
        dirs: &[PathBuf],
        cwd: &Path,
    ) -> Result<Catalog, CatalogError> {
        let mut catalog = Catalog::builtin(settings)?;
        for dir in dirs {
            let shown = crate::lint::display_path(dir, cwd);
            let entries = std::fs::read_dir(dir).map_err(|e| CatalogError::Dir {
                path: shown.clone(),
                reason: crate::discover::describe_io(&e),
            })?;
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            files.sort();
            for f in files {
                let file = crate::lint::display_path(&f, cwd);
                let text = std::fs::read_to_string(&f).map_err(|e| CatalogError::Dir {
                    path: file.clone(),
                    reason: crate::discover::describe_io(&e),
                })?;
                let rule =
                    declarative::parse_rule(&file, &text, Source::User(file.clone()), settings)?;
                catalog.add(rule, &file)?;
            }
        }
        Ok(catalog)
    }

    fn add(&mut self, rule: DeclarativeRule, file: &str) -> Result<(), CatalogError> {
        if let Some((meta, source)) = self.find(rule.meta.code) {
            return Err(CatalogError::CodeClash {
                file: file.to_owned(),
                code: meta.code.to_owned(),
                other: describe(meta, &source),
            });
        }
        if let Some((meta, source)) = self.find(rule.meta.name) {
            return Err(CatalogError::NameClash {
                file: file.to_owned(),
                name: meta.name.to_owned(),
                other: describe(meta, &source),
            });
        }
        self.declarative.push(rule);
        Ok(())
    }

    /// Every rule, in code order, with its source.
    pub fn rules(&self) -> Vec<(&'static RuleMeta, RuleSource)> {
        let mut all: Vec<(&'static RuleMeta, RuleSource)> =
            REGISTRY.iter().map(|m| (*m, RuleSource::Builtin)).collect();
        for r in &self.declarative {
            let source = match &r.source {
                Source::Declarative => RuleSource::Declarative,
                Source::User(path) => RuleSource::User(path.clone()),
            };
            all.push((r.meta, source));
        }
        all.sort_by(|a, b| a.0.code.cmp(b.0.code));
        all
    }

    /// A rule by code or name (case-insensitive).
    pub fn find(&self, code_or_name: &str) -> Option<(&'static RuleMeta, RuleSource)> {
        self.rules().into_iter().find(|(m, _)| {
            m.code.eq_ignore_ascii_case(code_or_name) || m.name.eq_ignore_ascii_case(code_or_name)
        })
    }

    /// The resource types the declarative rules look at (lowercase).
    pub fn declarative_types(&self) -> Vec<String> {
        let mut types: Vec<String> = self
            .declarative
            .iter()
            .flat_map(|r| r.types.iter().cloned())
            .collect();
        types.sort();
        types.dedup();
        types
    }
}

fn describe(meta: &RuleMeta, source: &RuleSource) -> String {
    format!("`{}` ({})", meta.name, source.label())
}

impl Default for Catalog {
    /// The built-in rules with default settings.
    fn default() -> Self {
        Catalog::builtin(&Settings::default()).expect("the project's rule files parse (tested)")
    }
}
