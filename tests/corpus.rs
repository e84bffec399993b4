//! Real public templates (`tests/corpus`, see its SOURCES.md): amlint lints each without a tool
//! failure, and what it reports on them is snapshotted, so that every change to a finding on real
//! input is seen and re-checked by reading the file.

mod common;

use common::{amlint, code, stderr, stdout};
use std::path::PathBuf;

fn corpus_files() -> Vec<PathBuf> {
    let root = common::root().join("tests/corpus");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&root).expect("tests/corpus exists") {
        let dir = entry.unwrap().path();
        if dir.is_dir() {
            for f in std::fs::read_dir(&dir).unwrap() {
                let f = f.unwrap().path();
                if f.extension().is_some_and(|e| e == "json") {
                    files.push(f);
                }
            }
        }
    }
    files.sort();
    files
}

#[test]
fn the_corpus_is_there() {
    assert_eq!(corpus_files().len(), 37);
}

#[test]
fn every_corpus_file_lints_without_a_tool_failure() {
    for file in corpus_files() {
        let o = amlint()
            .args(["--format", "json"])
            .arg(&file)
            .output()
            .unwrap();
        let status = code(&o);
        assert!(
            status == 0 || status == 1,
            "{}: exit {status}\n{}",
            file.display(),
            stderr(&o)
        );
        let report: serde_json::Value =
            serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_eq!(report["version"], 1);
    }
}

#[test]
fn findings_on_the_corpus() {
    let o = amlint()
        .args(["--format", "json", "tests/corpus"])
        .output()
        .unwrap();
    let status = code(&o);
    assert!(status == 0 || status == 1, "exit {status}: {}", stderr(&o));
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let mut lines = Vec::new();
    for d in report["diagnostics"].as_array().unwrap() {
        lines.push(format!(
            "{} {}:{}:{} {}",
            d["code"].as_str().unwrap(),
            d["file"]
                .as_str()
                .unwrap()
                .trim_start_matches("tests/corpus/"),
            d["line"],
            d["column"],
            d["message"].as_str().unwrap()
        ));
    }
    lines.push(format!("summary: {}", report["summary"]));
    insta::assert_snapshot!(lines.join("\n"));
}
