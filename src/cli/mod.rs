//! The command line: `amlint [check] [PATHS]...`, `amlint rules`, `amlint explain`.

mod check;
mod rules_cmd;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// What the process should exit with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// No diagnostic at or above `--fail-on`.
    Success,
    /// At least one diagnostic at or above `--fail-on`.
    Failure,
    /// amlint could not do its job.
    Error,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
        }
    }
}

/// Errors that stop amlint from doing its job (exit status 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CliError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Selection(#[from] crate::rules::SelectionError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Lint(#[from] crate::lint::LintError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Rules(#[from] crate::rules::CatalogError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] Box<crate::config::ConfigError>),
    #[error("no rule is called `{0}`")]
    #[diagnostic(
        code(amlint::explain),
        help("`amlint rules` lists every code and name")
    )]
    UnknownRule(String),
    #[error("cannot write `{path}`: {reason}")]
    #[diagnostic(code(amlint::output))]
    Output { path: String, reason: String },
    #[error("cannot start {0} worker threads: {1}")]
    #[diagnostic(code(amlint::jobs))]
    Threads(usize, String),
}

#[derive(Debug, Parser)]
#[command(
    name = "amlint",
    version,
    about = "A linter for the network configuration of Azure Machine Learning in ARM templates and compiled Bicep",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint files and directories (the default command).
    Check(CheckArgs),
    /// List the rules: code, name, severity, source.
    Rules(RulesArgs),
    /// Print a rule's documentation.
    Explain(ExplainArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Source snippets, labels and help, for people.
    Human,
    /// One line per finding: `file:line:col: CODE message`.
    Concise,
    /// The versioned JSON format.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// Azure Pipelines logging commands (`##vso[task.logissue]`).
    Azure,
    /// JUnit XML, for the test reports of Azure DevOps and GitLab.
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Files and directories to lint [default: .]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with status 1 when a diagnostic has this severity or a higher one [default: the
    /// configuration's `fail-on`, or warning]
    #[arg(long, value_enum)]
    pub fail_on: Option<crate::config::FailOn>,
    /// Only these rules: codes, code prefixes (`AML2`), names, or `ALL`; comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Vec<String>,
    /// Not these rules; comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,
    /// Parameter file for the single template being linted (repeatable: one evaluation each).
    #[arg(long, value_name = "FILE")]
    pub parameters: Vec<PathBuf>,
    /// After the report, count the findings of each rule (code, name, count). With `human` and
    /// `concise` the table follows the report; with the machine formats it goes to standard error,
    /// so that the report stays valid.
    #[arg(long)]
    pub statistics: bool,
    /// Print diagnostics only, no summary.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also list skipped files, unpaired parameter files and how long each phase took (on
    /// standard error).
    #[arg(short, long)]
    pub verbose: bool,
    /// Colour in human output; `auto` honours NO_COLOR and colours only terminals.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Worker threads [default: the number of CPUs].
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,
    /// A directory of declarative rule files (`*.toml`) to add; repeatable.
    #[arg(long, value_name = "DIR")]
    pub rule_dir: Vec<PathBuf>,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Which configuration applies.
#[derive(Debug, Clone, Args)]
pub struct ConfigArgs {
    /// Use this configuration file for every path instead of discovering `amlint.toml`.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,
    /// Ignore every configuration file.
    #[arg(long)]
    pub isolated: bool,
}

impl ConfigArgs {
    /// The configurations for `paths`.
    pub fn load(&self, paths: &[PathBuf]) -> Result<crate::config::Configs, CliError> {
        self.load_in(paths, &crate::discover::Walk::new(paths))
    }

    /// [`ConfigArgs::load`], with `walk` the walk of `paths` (made once for the whole run).
    pub fn load_in(
        &self,
        paths: &[PathBuf],
        walk: &crate::discover::Walk,
    ) -> Result<crate::config::Configs, CliError> {
        Ok(if self.isolated {
            crate::config::Configs::isolated()
        } else if let Some(file) = &self.config {
            crate::config::Configs::forced(file)?
        } else {
            crate::config::Configs::discover_in(paths, walk)?
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
    /// A directory of declarative rule files (`*.toml`) to add; repeatable.
    #[arg(long, value_name = "DIR")]
    pub rule_dir: Vec<PathBuf>,
    #[command(flatten)]
    pub config: ConfigArgs,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule code (`AML201`) or name (`no-public-ip-compute-without-egress`).
    pub rule: String,
    /// A directory of declarative rule files (`*.toml`) to add; repeatable.
    #[arg(long, value_name = "DIR")]
    pub rule_dir: Vec<PathBuf>,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// What `run` writes: the text for standard output, and what goes to standard error.
#[derive(Debug, Default)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    /// Set when a report written to standard output as it was made (`json`, `sarif`) could not
    /// be written; [`Output::stdout`] is then not written either.
    pub stdout_error: Option<std::io::Error>,
}

/// Runs a parsed command line.
pub fn run(cli: Cli, out: &mut Output) -> Result<ExitStatus, CliError> {
    match cli.command {
        Some(Command::Check(args)) => check::run(args, out),
        None => check::run(cli.check, out),
        Some(Command::Rules(args)) => {
            let configs = args.config.load(&[PathBuf::from(".")])?;
            let catalog = catalog(&args.rule_dir, &configs)?;
            out.stdout = rules_cmd::list(&catalog, args.format);
            Ok(ExitStatus::Success)
        }
        Some(Command::Explain(args)) => {
            let configs = args.config.load(&[PathBuf::from(".")])?;
            let catalog = catalog(&args.rule_dir, &configs)?;
            out.stdout = rules_cmd::explain(&catalog, &args.rule)?;
            Ok(ExitStatus::Success)
        }
    }
}

/// The rules of a run: built-in and the project's, plus the rule directories given on the
/// command line and in the configurations, with the primary configuration's `[aml]` settings.
/// Also checks that the configurations name only rules that exist.
pub(crate) fn catalog(
    dirs: &[PathBuf],
    configs: &crate::config::Configs,
) -> Result<crate::rules::Catalog, CliError> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let mut all = dirs.to_vec();
    all.extend(configs.rule_dirs());
    let settings = configs.primary().map(|c| c.aml.clone()).unwrap_or_default();
    let catalog = crate::rules::Catalog::with_dirs(&settings, &all, &cwd)?;
    configs.validate(&catalog)?;
    Ok(catalog)
}
