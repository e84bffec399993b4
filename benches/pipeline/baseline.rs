//! The parse-only baseline: walk the tree as amlint does, read every `.json` / `.jsonc` file and
//! `serde_json::from_slice` it, on a rayon pool of `--jobs` threads. It runs in a child process
//! (the bench binary re-executed with `--baseline DIR --jobs N`) so that it is measured exactly as
//! amlint is.

use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use walkdir::WalkDir;

/// The hidden argument that makes the bench binary run the baseline.
pub const FLAG: &str = "--baseline";

/// The line of the child's output that gives its own peak RSS in bytes.
pub const PEAK_RSS_KEY: &str = "peak_rss=";

/// Directories amlint does not walk into, besides hidden ones.
const SKIPPED_DIRS: &[&str] = &["node_modules", "target"];

/// The files amlint reads under `root`: `.json` / `.jsonc`, outside hidden directories,
/// `node_modules` and `target`, sorted.
pub fn json_files(root: &Path) -> Vec<PathBuf> {
    WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !e.file_type().is_dir()
                || !(name.starts_with('.') || SKIPPED_DIRS.contains(&name.as_ref()))
        })
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir() && has_json_extension(e.path()))
        .map(walkdir::DirEntry::into_path)
        .collect()
}

fn has_json_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json") || e.eq_ignore_ascii_case("jsonc"))
}

/// What one baseline run saw.
pub struct Parsed {
    pub files: usize,
    pub bytes: u64,
    /// The files that failed to read or parse, with why.
    pub errors: Vec<String>,
}

/// Reads and parses every file under `root` on `jobs` threads.
pub fn parse_tree(root: &Path, jobs: usize) -> Result<Parsed, String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| format!("cannot start {jobs} threads: {e}"))?;
    let files = json_files(root);
    let results: Vec<Result<u64, String>> = pool.install(|| {
        files
            .par_iter()
            .map(|path| {
                let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
                let value = serde_json::from_slice::<serde_json::Value>(&bytes)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                std::hint::black_box(value);
                Ok(bytes.len() as u64)
            })
            .collect()
    });
    let mut parsed = Parsed {
        files: files.len(),
        bytes: 0,
        errors: Vec::new(),
    };
    for r in results {
        match r {
            Ok(n) => parsed.bytes += n,
            Err(e) => parsed.errors.push(e),
        }
    }
    Ok(parsed)
}

/// The child process: `--baseline DIR --jobs N`. Prints `files=F bytes=B errors=E`, and fails on
/// the first error.
pub fn child_main(args: &[String]) -> ExitCode {
    let (dir, jobs) = match args {
        [dir, flag, jobs] if flag == "--jobs" => match jobs.parse::<usize>() {
            Ok(j) if j > 0 => (dir, j),
            _ => return usage(),
        },
        _ => return usage(),
    };
    match parse_tree(Path::new(dir), jobs) {
        Ok(p) => {
            println!(
                "files={} bytes={} errors={}",
                p.files,
                p.bytes,
                p.errors.len()
            );
            // Its own peak: the parent's `wait4` would count the parent's too.
            if let Some(peak) = super::measure::own_peak_rss() {
                println!("{PEAK_RSS_KEY}{peak}");
            }
            if let Some(first) = p.errors.first() {
                eprintln!("baseline: {first}");
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("baseline: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: pipeline {FLAG} DIR --jobs N");
    ExitCode::from(2)
}
