//! The pre-commit hooks of `.pre-commit-hooks.yaml`, through the real pre-commit: installed from
//! PyPI into a virtual environment, run with `pre-commit try-repo` against this checkout (with its
//! uncommitted changes) in a temporary git repository.
//!
//! These tests download pre-commit and build amlint in release mode, so `cargo test` skips them;
//! `.ci/run` runs them with `cargo test --test precommit -- --ignored`. Set `AMLINT_PRE_COMMIT` to
//! a `pre-commit` executable to skip the installation.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The pre-commit release the tests install.
const PRE_COMMIT_VERSION: &str = "4.7.0";

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn ok(cmd: &mut Command) {
    let o = run(cmd);
    assert!(o.status.success(), "{cmd:?} failed:\n{}", text(&o));
}

/// Where the tests keep what they install and build, across runs.
fn cache() -> PathBuf {
    common::root().join("target").join("precommit")
}

/// The `pre-commit` executable: `AMLINT_PRE_COMMIT`, or one installed into a virtual environment
/// under `target/` (once per test run; both tests share it).
fn pre_commit() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        if let Some(exe) = std::env::var_os("AMLINT_PRE_COMMIT") {
            return PathBuf::from(exe);
        }
        let venv = cache().join("venv");
        let exe = venv.join("bin").join("pre-commit");
        let installed = Command::new(&exe)
            .arg("--version")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(PRE_COMMIT_VERSION));
        if !installed {
            ok(Command::new("python3").args(["-m", "venv"]).arg(&venv));
            ok(Command::new(venv.join("bin").join("pip")).args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                &format!("pre-commit=={PRE_COMMIT_VERSION}"),
            ]));
        }
        exe
    })
}

/// A git repository with a template that AML201 flags, staged.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(git(dir.path()).args(["init", "--quiet"]));
    std::fs::create_dir_all(dir.path().join("infra")).unwrap();
    std::fs::copy(
        common::root().join("fixtures/AML201/fail.json"),
        dir.path().join("infra/aml.json"),
    )
    .unwrap();
    // Not a template: amlint skips it by content.
    std::fs::write(dir.path().join("package.json"), "{ \"name\": \"web\" }\n").unwrap();
    std::fs::write(dir.path().join("README.md"), "# infra\n").unwrap();
    ok(git(dir.path()).args(["add", "."]));
    dir
}

fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_AUTHOR_NAME", "amlint tests")
        .env("GIT_AUTHOR_EMAIL", "tests@amlint.invalid")
        .env("GIT_COMMITTER_NAME", "amlint tests")
        .env("GIT_COMMITTER_EMAIL", "tests@amlint.invalid");
    cmd
}

/// `pre-commit try-repo <this checkout> <hook> --all-files` in `repo`.
fn try_repo(repo: &Path, hook: &str, home: &Path, path: Option<&Path>) -> Output {
    let root = common::root();
    assert!(
        root.join(".git").exists(),
        "the pre-commit tests need this checkout to be a git repository"
    );
    let mut cmd = Command::new(pre_commit());
    cmd.current_dir(repo)
        .args(["try-repo"])
        .arg(&root)
        .args([hook, "--all-files", "--color", "never"])
        .env("PRE_COMMIT_HOME", home)
        // `cargo install` keeps its build here, so that the next run only rebuilds amlint; the
        // hook's wiring is under test, not the optimised binary, so the build is quick.
        .env("CARGO_TARGET_DIR", cache().join("cargo-target"))
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_LTO", "off")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "0")
        .env("GIT_AUTHOR_NAME", "amlint tests")
        .env("GIT_AUTHOR_EMAIL", "tests@amlint.invalid")
        .env("GIT_COMMITTER_NAME", "amlint tests")
        .env("GIT_COMMITTER_EMAIL", "tests@amlint.invalid")
        .env_remove("NO_COLOR");
    if let Some(dir) = path {
        let joined = std::env::join_paths(std::iter::once(dir.to_path_buf()).chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ))
        .unwrap();
        cmd.env("PATH", joined);
    }
    run(&mut cmd)
}

/// The hook fails on the flagged template with the diagnostic, and passes once it is fixed.
fn fails_then_passes(hook: &str, path: Option<&Path>) {
    let repo = repository();
    let home = tempfile::tempdir().unwrap();
    let o = try_repo(repo.path(), hook, home.path(), path);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("Failed"), "{out}");
    assert!(
        out.contains("AML201(no-public-ip-compute-without-egress)"),
        "{out}"
    );
    assert!(out.contains("infra/aml.json:30:19"), "{out}");
    assert!(
        out.contains("(1 template, 1 skipped)"),
        "package.json is passed and skipped, README.md is not passed: {out}"
    );

    std::fs::copy(
        common::root().join("fixtures/AML201/pass.json"),
        repo.path().join("infra/aml.json"),
    )
    .unwrap();
    ok(git(repo.path()).args(["add", "."]));
    let o = try_repo(repo.path(), hook, home.path(), path);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("Passed"), "{out}");
    assert!(!out.contains("AML201"), "{out}");
}

#[test]
#[ignore = "installs pre-commit from PyPI and builds amlint with cargo install; run by .ci/run"]
fn rust_hook_builds_amlint_and_fails_then_passes() {
    fails_then_passes("amlint", None);
}

#[test]
#[ignore = "installs pre-commit from PyPI; run by .ci/run"]
fn system_hook_runs_the_installed_amlint_and_fails_then_passes() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_amlint"));
    fails_then_passes("amlint-system", bin.parent());
}

#[test]
#[ignore = "installs pre-commit from PyPI; run by .ci/run"]
fn manifest_and_readme_snippets_validate() {
    let root = common::root();
    ok(Command::new(pre_commit())
        .arg("validate-manifest")
        .arg(root.join(".pre-commit-hooks.yaml")));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let start = readme.find("## pre-commit").expect("a pre-commit section");
    let section = &readme[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let dir = tempfile::tempdir().unwrap();
    let mut blocks = 0;
    for (i, block) in section.split("```yaml\n").skip(1).enumerate() {
        let block = &block[..block.find("```").expect("a closed block")];
        let file = dir.path().join(format!("config-{i}.yaml"));
        std::fs::write(&file, block).unwrap();
        ok(Command::new(pre_commit()).arg("validate-config").arg(&file));
        blocks += 1;
    }
    assert_eq!(blocks, 2, "both README snippets are checked");
}
