//! Timing a child process: wall time from spawn to exit, and peak RSS from `wait4`'s
//! `ru_maxrss`, which covers that child alone.

use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};
use wait4::Wait4;

/// One run of a child process.
pub struct Run {
    pub wall: Duration,
    /// Peak resident set size, in bytes.
    pub peak_rss: u64,
    pub status: ExitStatus,
}

/// Runs `cmd` to completion, its standard output discarded and its standard error the bench's.
pub fn run(cmd: &mut Command) -> Result<Run, String> {
    let what = format!("{:?}", cmd.get_program());
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {what}: {e}"))?;
    let usage = child
        .wait4()
        .map_err(|e| format!("cannot wait for {what}: {e}"))?;
    let wall = start.elapsed();
    Ok(Run {
        wall,
        peak_rss: usage.rusage.maxrss,
        status: usage.status,
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
