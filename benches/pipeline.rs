//! # The pipeline benchmark
//!
//! Generates a synthetic tree of ARM templates and checks it.
//!
//! - **The tree** (`tree`): 5,000 templates by default, deterministic (a fixed seed and a PRNG of
//!   our own), spread over `envE/teamT/<area>/`: network templates (VNets, subnets inline and as
//!   child resources, NSGs with 5–30 rules, some from a property `copy` loop, route tables to an
//!   Azure Firewall read with `reference()`, NAT gateways), AML templates (workspace, computes,
//!   private endpoint, storage, key vault, registry) and compiled Bicep (`languageVersion` 2.0 in
//!   half, nested deployments with inner scope whose outputs the parent reads), 5–60 KB each.
//!   A third of the templates have one or two parameter files; a few files are not ARM. amlint
//!   runs once on the tree and the bench fails if it reports AML001 or AML003: the tree must be
//!   valid ARM.
//! - **The baseline** (`baseline`): walk the tree as amlint does, read each `.json`/`.jsonc` file
//!   and `serde_json::from_slice` it, with rayon on a given number of threads; this binary runs it
//!   when re-executed with a hidden `--baseline DIR --jobs N`.
//!
//! Run it with `cargo bench --bench pipeline`. Environment:
//! - `AMLINT_BENCH_TEMPLATES`: number of templates (default 5000);
//! - `AMLINT_BENCH_KEEP=1`: keep the generated tree and print where it is.
//!
//! Without `--bench` (as when `cargo test --benches` or `--all-targets` runs it) the binary only
//! does a smoke test on a tree of a few dozen templates.

// A bench reports on its standard output.
#![allow(clippy::print_stdout, clippy::print_stderr)]

/// The bench's modules, in `benches/pipeline/`.
mod pipeline {
    pub mod aml;
    pub mod arm;
    pub mod baseline;
    pub mod bicep;
    pub mod json;
    pub mod network;
    pub mod rng;
    pub mod services;
    pub mod tree;
    pub mod verify;
}

use pipeline::{baseline, tree, verify};

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

const AMLINT: &str = env!("CARGO_BIN_EXE_amlint");
const TARGET_TEMPLATES: usize = 5_000;
const SMOKE_TEMPLATES: usize = 30;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(baseline::FLAG) {
        return baseline::child_main(&args[1..]);
    }
    let bench = args.iter().any(|a| a == "--bench");
    let outcome = Config::new(bench).and_then(|config| run(&config));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pipeline bench: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What to run.
struct Config {
    templates: usize,
    /// The thread count of the checks.
    jobs: usize,
    keep: bool,
    smoke: bool,
}

impl Config {
    fn new(bench: bool) -> Result<Self, String> {
        let jobs = std::thread::available_parallelism().map_or(1, usize::from);
        if !bench {
            return Ok(Config {
                templates: SMOKE_TEMPLATES,
                jobs,
                keep: false,
                smoke: true,
            });
        }
        Ok(Config {
            templates: env_number("AMLINT_BENCH_TEMPLATES")?.unwrap_or(TARGET_TEMPLATES),
            jobs,
            keep: env_flag("AMLINT_BENCH_KEEP"),
            smoke: false,
        })
    }
}

/// A positive number from the environment, if set.
fn env_number(name: &str) -> Result<Option<usize>, String> {
    match std::env::var(name) {
        Err(_) => Ok(None),
        Ok(v) => match v.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(format!("{name} must be a positive number, not `{v}`")),
        },
    }
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v == "1")
}

/// The whole bench.
fn run(config: &Config) -> Result<(), String> {
    let dir = tempfile::Builder::new()
        .prefix("amlint-bench-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let root = dir.path();
    if config.smoke {
        println!("pipeline bench: smoke test ({SMOKE_TEMPLATES} templates)");
        println!("(`cargo bench --bench pipeline` runs the benchmark)");
    }
    println!("amlint: {AMLINT}");
    prepare_tree(config, root, config.jobs)?;
    if config.keep {
        let kept = dir.keep();
        println!("the tree is kept in {}", kept.display());
    }
    Ok(())
}

/// Generates the tree, prints what it is, and checks it: every file parses as JSON, and amlint
/// finds no AML001/AML003 in it.
fn prepare_tree(config: &Config, root: &Path, jobs: usize) -> Result<(), String> {
    let start = Instant::now();
    let written = tree::generate(root, config.templates)?;
    let generated = start.elapsed();
    let parsed = baseline::parse_tree(root, jobs)?;
    if let Some(first) = parsed.errors.first() {
        return Err(format!("a generated file is not JSON: {first}"));
    }
    let expected = written.templates + written.parameter_files + written.other_files;
    if parsed.files != expected {
        return Err(format!(
            "the walk finds {} files, the generator wrote {expected}",
            parsed.files
        ));
    }
    println!(
        "tree: {} templates, {} parameter files, {} other JSON files",
        written.templates, written.parameter_files, written.other_files,
    );
    println!(
        "      {} JSON files to read, {:.1} MB; generated in {:.1} s",
        parsed.files,
        mb(parsed.bytes),
        generated.as_secs_f64()
    );
    println!("template sizes: {}", size_summary(&written.template_sizes));
    let counts = verify::check_tree(Path::new(AMLINT), root, jobs)?;
    let counts: Vec<String> = counts
        .iter()
        .map(|(code, n)| format!("{code} × {n}"))
        .collect();
    println!(
        "amlint on the tree: no AML001/AML003; {}",
        if counts.is_empty() {
            "no diagnostics".to_owned()
        } else {
            counts.join(", ")
        }
    );
    Ok(())
}

/// Median, percentiles and extremes of the template sizes.
fn size_summary(sizes: &[usize]) -> String {
    let mut sorted = sizes.to_vec();
    sorted.sort_unstable();
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize] as f64 / 1000.0;
    let total = mb(sorted.iter().map(|&s| s as u64).sum());
    format!(
        "median {:.1} KB, 10th–90th percentile {:.1}–{:.1} KB, min {:.1} KB, max {:.1} KB; \
         total {total:.1} MB",
        at(0.5),
        at(0.1),
        at(0.9),
        at(0.0),
        at(1.0),
    )
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}
