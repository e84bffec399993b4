use amlint::cli::{self, Cli, ExitStatus, Output};

/// mimalloc ([`amlint::alloc`]): the evaluator allocates many small values, where it is much
/// faster than the system allocator. Its 2.x series (the `v2` feature), which on the bench tree
/// keeps a smaller resident set than 3.x for slightly fewer instructions, and no transparent huge
/// pages (`no_thp`).
#[global_allocator]
static GLOBAL: amlint::alloc::MiMalloc = amlint::alloc::MiMalloc;
use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = Output::default();
    let status = match cli::run(cli, &mut out) {
        Ok(status) => status,
        Err(err) => {
            let report = miette::Report::new(err);
            let _ = writeln!(std::io::stderr(), "{report:?}");
            ExitStatus::Error
        }
    };
    // A closed pipe (`amlint | head`) is not an error: stop quietly.
    let mut stdout = std::io::stdout().lock();
    let written = match out.stdout_error.take() {
        Some(e) => Err(e),
        None => stdout
            .write_all(out.stdout.as_bytes())
            .and_then(|()| stdout.flush()),
    };
    if let Err(e) = written {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return ExitCode::SUCCESS;
        }
        let _ = writeln!(
            std::io::stderr(),
            "error: cannot write to standard output: {e}"
        );
        return ExitCode::from(ExitStatus::Error.code());
    }
    if !out.stderr.is_empty() {
        let _ = std::io::stderr().write_all(out.stderr.as_bytes());
    }
    ExitCode::from(status.code())
}
