//! `amlint check`: lint, render, decide the exit status.

use super::{CheckArgs, CliError, ColorChoice, ExitStatus, Format, Output};
use crate::config::FailOn;
use crate::lint::{self, LintOptions};
use crate::report::{self, escape, human};
use crate::rules::RuleSelection;
use std::io::{IsTerminal, Write as _};
use std::path::PathBuf;

/// Stack for worker threads: deep templates recurse deeply (the evaluator also grows its stack).
const WORKER_STACK: usize = 16 * 1024 * 1024;

/// The buffer between a streamed report and standard output.
const STDOUT_BUFFER: usize = 64 * 1024;

pub fn run(args: CheckArgs, out: &mut Output) -> Result<ExitStatus, CliError> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
        .max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .stack_size(WORKER_STACK)
        .build()
        .map_err(|e| CliError::Threads(jobs, e.to_string()))?;
    // The tree is walked once, for the configurations and for the files to lint, on the run's
    // threads.
    let walk = std::sync::Arc::new(pool.install(|| crate::discover::Walk::new(&paths)));
    let configs = args.config.load_in(&paths, &walk)?;
    let catalog = super::catalog(&args.rule_dir, &configs)?;
    let metas: Vec<_> = catalog.rules().into_iter().map(|(m, _)| m).collect();
    let selection = RuleSelection::new(&metas, &args.select, &args.ignore)?;
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let fail_on = args
        .fail_on
        .or_else(|| configs.primary().and_then(|c| c.fail_on))
        .unwrap_or(FailOn::Warning);
    let options = LintOptions {
        parameters: args.parameters.clone(),
        selection,
        cwd,
        catalog: std::sync::Arc::new(catalog),
        configs: std::sync::Arc::new(configs),
        today: None,
        walk: Some(walk),
    };
    let mut result = pool.install(|| lint::lint(&paths, &options))?;
    let rendering = std::time::Instant::now();

    // Rendered on the same threads: renderers read the files they quote in parallel. The machine
    // formats, the large reports, are written straight to their destination, never held whole.
    let mut text = match args.format {
        Format::Json | Format::Sarif => {
            let write = |w: &mut dyn std::io::Write| {
                let texts = pool.install(|| {
                    report::texts::Texts::for_findings(&result.sources, &result.findings)
                });
                match args.format {
                    Format::Sarif => report::sarif::write(
                        &result.findings,
                        &result.sources,
                        &metas,
                        &options.cwd,
                        texts,
                        w,
                    ),
                    _ => report::json::write(
                        &result.findings,
                        &result.sources,
                        &result.summary,
                        texts,
                        &pool,
                        w,
                    ),
                }
            };
            match &args.output {
                Some(path) => {
                    report::write_atomically_with(path, write).map_err(|e| CliError::Output {
                        path: path.display().to_string(),
                        reason: crate::discover::describe_io(&e),
                    })?
                }
                None => {
                    let mut stdout =
                        std::io::BufWriter::with_capacity(STDOUT_BUFFER, std::io::stdout().lock());
                    if let Err(e) = write(&mut stdout).and_then(|()| stdout.flush()) {
                        out.stdout_error = Some(e);
                    }
                }
            }
            String::new()
        }
        Format::Concise => {
            pool.install(|| report::concise::render(&result.findings, &result.sources))
        }
        Format::Github => {
            pool.install(|| report::github::render(&result.findings, &result.sources))
        }
        Format::Azure => pool.install(|| report::azure::render(&result.findings, &result.sources)),
        Format::Junit => pool
            .install(|| report::junit::render(&result.findings, &result.sources, &result.skipped)),
        Format::Human => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    args.output.is_none()
                        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                        && std::io::stdout().is_terminal()
                }
            };
            pool.install(|| {
                human::render(
                    &result.findings,
                    &result.sources,
                    human::Style { color, width: 100 },
                )
            })
        }
    };
    result
        .timings
        .push(("render the report", rendering.elapsed()));
    let for_people = matches!(args.format, Format::Human | Format::Concise);
    if args.statistics {
        let table = report::statistics::render(&result.findings);
        if for_people {
            text.push_str(&table);
        } else {
            out.stderr.push_str(&table);
        }
    }
    if for_people && !args.quiet {
        text.push_str(&human::summary_line(&result.summary));
    }
    if args.verbose {
        for c in &options.configs.loaded {
            out.stderr.push_str(&format!(
                "configuration: `{}`\n",
                escape::line(&lint::display_path(&c.path, &options.cwd))
            ));
        }
        for (phase, took) in &result.timings {
            out.stderr
                .push_str(&format!("{phase}: {:.1} ms\n", took.as_secs_f64() * 1000.0));
        }
        for id in &result.skipped {
            if let Some(f) = result.sources.get(*id) {
                out.stderr.push_str(&format!(
                    "skipped `{}`: not an ARM template, parameter file or resource export\n",
                    escape::line(&f.display)
                ));
            }
        }
        for id in &result.unpaired_parameters {
            if let Some(f) = result.sources.get(*id) {
                out.stderr.push_str(&format!(
                    "parameter file `{}` pairs with no template among the inputs (name it `<template>.parameters.json`, set `metadata.template`, or pass `--parameters`)\n",
                    escape::line(&f.display)
                ));
            }
        }
    }
    match &args.output {
        // Written above.
        _ if matches!(args.format, Format::Json | Format::Sarif) => {}
        Some(path) => {
            report::write_atomically(path, text.as_bytes()).map_err(|e| CliError::Output {
                path: path.display().to_string(),
                reason: crate::discover::describe_io(&e),
            })?
        }
        None => out.stdout = text,
    }
    for (path, reason) in &result.path_errors {
        out.stderr.push_str(&format!(
            "error: cannot lint `{}`: {}\n",
            escape::line(path),
            escape::line(reason)
        ));
    }
    let status_error = !result.path_errors.is_empty();
    let threshold = fail_on.threshold();
    let failed = threshold.is_some_and(|t| result.findings.iter().any(|f| f.severity >= t));
    // The model is freed by the process exit: freeing it node by node costs a few percent of a
    // large run for nothing.
    std::mem::forget(result);
    if status_error {
        return Ok(ExitStatus::Error);
    }
    Ok(if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
