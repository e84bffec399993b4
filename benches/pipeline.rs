//! # The pipeline benchmark
//!
//! Times amlint on a synthetic tree of ARM templates against a parse-only baseline, in the same
//! run, and reports both wall times, their ratio, and both peak memories.
//!
//! - **The tree** (`tree`): 5,000 templates by default, deterministic (a fixed seed and a PRNG of
//!   our own), spread over `envE/teamT/<area>/`: network templates (VNets, subnets inline and as
//!   child resources, NSGs with 5–30 rules, some from a property `copy` loop, route tables to an
//!   Azure Firewall read with `reference()`, NAT gateways), AML templates (workspace, computes,
//!   private endpoint, storage, key vault, registry) and compiled Bicep (`languageVersion` 2.0 in
//!   half, nested deployments with inner scope whose outputs the parent reads), of about 5–60 KB
//!   (median about 19 KB).
//!   A third of the templates have one or two parameter files; a few files are not ARM. Before
//!   timing anything, amlint runs once on the tree and the bench fails if it reports AML001 or
//!   AML003: the tree must be valid ARM.
//! - **The baseline** (`baseline`): walk the tree as amlint does, read each `.json`/`.jsonc` file
//!   and `serde_json::from_slice` it, with rayon on the same number of threads.
//! - **The measurement** (`measure`): both sides are child processes (the baseline is this binary
//!   re-executed with a hidden `--baseline DIR --jobs N`), timed from spawn to exit, with peak
//!   RSS from `wait4` (which on Linux cannot be lower than the bench's own peak, so the baseline
//!   prints its own, `VmHWM`, and the lower of the two is taken). For 1 job and for every CPU,
//!   one warm-up and 5 measured runs each, alternating baseline and amlint; medians are
//!   reported. amlint runs as
//!   `amlint --format json -j N DIR` with its report going to a discarded standard output, not
//!   with `-o /dev/null`: `-o` writes a temporary file and renames it over the target, which
//!   would replace `/dev/null` itself when the bench runs as root.
//!
//! The targets: amlint within 1.5× the baseline's wall time at the full thread count on 5,000
//! templates, and amlint's peak RSS under 200 MB (1 MB = 10^6 bytes).
//!
//! Run it with `cargo bench --bench pipeline`. Environment:
//! - `AMLINT_BENCH_TEMPLATES`: number of templates (default 5000);
//! - `AMLINT_BENCH_JOBS`: the full thread count (default: the number of CPUs);
//! - `AMLINT_BENCH_RUNS`: measured runs per side and thread count (default 5);
//! - `AMLINT_BENCH_CHECK=1`: exit non-zero when a target is missed;
//! - `AMLINT_BENCH_KEEP=1`: keep the generated tree and print where it is.
//!
//! Without `--bench` (as when `cargo test --benches` or `--all-targets` runs it) the binary only
//! does a smoke test: a tree of a few dozen templates, checked and timed once.

// A bench reports on its standard output.
#![allow(clippy::print_stdout, clippy::print_stderr)]

/// The bench's modules, in `benches/pipeline/`.
mod pipeline {
    pub mod aml;
    pub mod arm;
    pub mod baseline;
    pub mod bicep;
    pub mod json;
    pub mod measure;
    pub mod network;
    pub mod rng;
    pub mod services;
    pub mod tree;
    pub mod verify;
}

use pipeline::{baseline, measure, tree, verify};

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

const AMLINT: &str = env!("CARGO_BIN_EXE_amlint");
const TARGET_TEMPLATES: usize = 5_000;
const TARGET_RATIO: f64 = 1.5;
const TARGET_RSS: u64 = 200_000_000;
const SMOKE_TEMPLATES: usize = 30;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(baseline::FLAG) {
        return baseline::child_main(&args[1..]);
    }
    let bench = args.iter().any(|a| a == "--bench");
    let outcome = Config::new(bench).and_then(|config| run(&config));
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("pipeline bench: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What to run.
struct Config {
    templates: usize,
    warmups: usize,
    runs: usize,
    /// The thread counts, the full one last.
    jobs: Vec<usize>,
    check: bool,
    keep: bool,
    smoke: bool,
}

impl Config {
    fn new(bench: bool) -> Result<Self, String> {
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        if !bench {
            return Ok(Config {
                templates: SMOKE_TEMPLATES,
                warmups: 0,
                runs: 1,
                jobs: thread_counts(cpus),
                check: false,
                keep: false,
                smoke: true,
            });
        }
        Ok(Config {
            templates: env_number("AMLINT_BENCH_TEMPLATES")?.unwrap_or(TARGET_TEMPLATES),
            warmups: 1,
            runs: env_number("AMLINT_BENCH_RUNS")?.unwrap_or(5),
            jobs: thread_counts(env_number("AMLINT_BENCH_JOBS")?.unwrap_or(cpus)),
            check: env_flag("AMLINT_BENCH_CHECK"),
            keep: env_flag("AMLINT_BENCH_KEEP"),
            smoke: false,
        })
    }
}

/// 1, then `full` if it is more.
fn thread_counts(full: usize) -> Vec<usize> {
    if full > 1 {
        vec![1, full]
    } else {
        vec![1]
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

/// The medians and peaks of one thread count.
struct Row {
    jobs: usize,
    baseline: Duration,
    amlint: Duration,
    baseline_rss: u64,
    amlint_rss: u64,
}

impl Row {
    fn ratio(&self) -> f64 {
        self.amlint.as_secs_f64() / self.baseline.as_secs_f64()
    }
}

/// The whole bench; `Ok(false)` when a target is missed and `AMLINT_BENCH_CHECK=1`.
fn run(config: &Config) -> Result<bool, String> {
    let dir = tempfile::Builder::new()
        .prefix("amlint-bench-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let root = dir.path();
    if config.smoke {
        println!("pipeline bench: smoke test ({SMOKE_TEMPLATES} templates, one run each)");
        println!("(`cargo bench --bench pipeline` runs the benchmark)");
    }
    println!("amlint: {AMLINT}");
    let full_jobs = *config.jobs.last().expect("at least one thread count");
    prepare_tree(config, root, full_jobs)?;
    let mut rows = Vec::new();
    for &jobs in &config.jobs {
        rows.push(measure_jobs(config, root, jobs)?);
    }
    print_table(config, &rows);
    if config.smoke {
        println!("smoke test passed (the targets are for the benchmark)");
        return Ok(true);
    }
    let met = print_targets(config, &rows);
    if config.keep {
        let kept = dir.keep();
        println!("the tree is kept in {}", kept.display());
    }
    Ok(met || !config.check)
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
        "      {} files read by both sides, {:.1} MB; generated in {:.1} s",
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

/// Baseline and amlint alternately: warm-ups, then measured runs.
fn measure_jobs(config: &Config, root: &Path, jobs: usize) -> Result<Row, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the bench binary: {e}"))?;
    let jobs_arg = jobs.to_string();
    let mut baseline_runs = Vec::new();
    let mut amlint_runs = Vec::new();
    for round in 0..config.warmups + config.runs {
        let mut cmd = Command::new(&exe);
        cmd.arg(baseline::FLAG)
            .arg(root)
            .args(["--jobs", &jobs_arg]);
        let mut b = measure::run(&mut cmd, true)?;
        // The baseline's own peak, where it could tell: `wait4`'s counts the bench's as well.
        if let Some(own) = b
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix(baseline::PEAK_RSS_KEY))
            .and_then(|n| n.parse::<u64>().ok())
        {
            b.peak_rss = b.peak_rss.min(own);
        }
        if !b.status.success() {
            return Err(format!("the baseline failed ({})", b.status));
        }
        let mut cmd = Command::new(AMLINT);
        cmd.args(["--format", "json", "-j", &jobs_arg]).arg(root);
        let a = measure::run(&mut cmd, false)?;
        if !matches!(a.status.code(), Some(0 | 1)) {
            return Err(format!("amlint failed ({})", a.status));
        }
        if round >= config.warmups {
            baseline_runs.push(b);
            amlint_runs.push(a);
        }
    }
    let median = |runs: &[measure::Run]| measure::median(runs.iter().map(|r| r.wall).collect());
    let peak = |runs: &[measure::Run]| runs.iter().map(|r| r.peak_rss).max().unwrap_or(0);
    Ok(Row {
        jobs,
        baseline: median(&baseline_runs),
        amlint: median(&amlint_runs),
        baseline_rss: peak(&baseline_runs),
        amlint_rss: peak(&amlint_runs),
    })
}

fn print_table(config: &Config, rows: &[Row]) {
    println!();
    println!("jobs  baseline ms  amlint ms  ratio  amlint peak RSS MB  baseline peak RSS MB");
    for r in rows {
        println!(
            "{:>4}  {:>11.1}  {:>9.1}  {:>5.2}  {:>18.1}  {:>20.1}",
            r.jobs,
            r.baseline.as_secs_f64() * 1000.0,
            r.amlint.as_secs_f64() * 1000.0,
            r.ratio(),
            mb(r.amlint_rss),
            mb(r.baseline_rss)
        );
    }
    println!(
        "wall time: median of {} run(s) after {} warm-up(s), baseline and amlint alternating",
        config.runs, config.warmups
    );
    println!(
        "peak RSS: the highest of those runs; 1 MB = 10^6 bytes. The baseline reports its own \
         (VmHWM); amlint's is wait4's ru_maxrss, which on Linux is at least the bench's own peak \
         when it started the child ({} MB here)",
        measure::own_peak_rss().map_or_else(|| "unknown".to_owned(), |b| format!("{:.1}", mb(b)))
    );
    println!();
}

/// Prints whether the targets are met; `true` when they are.
fn print_targets(config: &Config, rows: &[Row]) -> bool {
    let full = rows.last().expect("at least one row");
    let peak = rows.iter().map(|r| r.amlint_rss).max().unwrap_or(0);
    let ratio_met = full.ratio() <= TARGET_RATIO;
    let rss_met = peak < TARGET_RSS;
    let verdict = |met: bool| if met { "met" } else { "MISSED" };
    println!(
        "targets on {} templates: time ratio at {} jobs {:.2} (≤ {TARGET_RATIO}: {}), \
         amlint peak RSS {:.1} MB (< {} MB: {})",
        config.templates,
        full.jobs,
        full.ratio(),
        verdict(ratio_met),
        mb(peak),
        TARGET_RSS / 1_000_000,
        verdict(rss_met)
    );
    if config.templates != TARGET_TEMPLATES {
        println!(
            "(the targets are set for {TARGET_TEMPLATES} templates; this run has {})",
            config.templates
        );
    }
    ratio_met && rss_met
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}
