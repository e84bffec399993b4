//! Timing a child process: wall time from spawn to exit, and peak RSS from `wait4`'s
//! `ru_maxrss`. On Linux that figure is at least the spawning process's own peak (`exec` records
//! the peak of the memory it replaces, and a spawned child starts on its parent's), so a child
//! that can report its own peak ([`own_peak_rss`]) does.

use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};
use wait4::Wait4;

/// One run of a child process.
pub struct Run {
    pub wall: Duration,
    /// Peak resident set size, in bytes.
    pub peak_rss: u64,
    pub status: ExitStatus,
    /// The child's standard output, when it was asked for.
    pub stdout: String,
}

/// This process's peak resident set size in bytes (`VmHWM` in `/proc/self/status`), where the
/// system tells it.
pub fn own_peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// Runs `cmd` to completion, its standard error the bench's and its standard output kept when
/// `capture` (for a few lines only: it is read before the child is waited for) or discarded.
pub fn run(cmd: &mut Command, capture: bool) -> Result<Run, String> {
    use std::io::Read as _;
    let what = format!("{:?}", cmd.get_program());
    cmd.stdin(Stdio::null())
        .stdout(if capture {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stderr(Stdio::inherit());
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {what}: {e}"))?;
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut stdout)
            .map_err(|e| format!("cannot read the output of {what}: {e}"))?;
    }
    let usage = child
        .wait4()
        .map_err(|e| format!("cannot wait for {what}: {e}"))?;
    let wall = start.elapsed();
    Ok(Run {
        wall,
        peak_rss: usage.rusage.maxrss,
        status: usage.status,
        stdout,
    })
}

/// The median of some durations (the mean of the middle two for an even count).
pub fn median(mut values: Vec<Duration>) -> Duration {
    assert!(!values.is_empty(), "a median needs values");
    values.sort();
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2
    }
}
