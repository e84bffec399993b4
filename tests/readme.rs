//! The README's rules table lists every rule with its registered name and severity.

use amlint::rules::Catalog;

#[test]
fn readme_rules_table_matches_the_registry() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for (rule, _) in Catalog::default().rules() {
        let row = format!("| {} | {} | {} |", rule.code, rule.name, rule.severity);
        assert!(readme.contains(&row), "README lacks the row `{row}`");
    }
}

#[test]
fn readme_starts_with_the_two_commands() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let first_block = readme.split("```").nth(1).unwrap_or_default();
    assert!(
        first_block.contains("cargo run -- fixtures/"),
        "{first_block}"
    );
    assert!(first_block.contains("cargo test"), "{first_block}");
}

/// The fenced block of `lang` that follows `heading`.
fn block_after(readme: &str, heading: &str, lang: &str) -> String {
    let after = &readme[readme.find(heading).expect(heading)..];
    let fence = format!("```{lang}\n");
    let start = after.find(&fence).expect("a fenced block") + fence.len();
    let end = after[start..].find("```").expect("a closed block");
    after[start..start + end].to_owned()
}

#[test]
fn readme_configuration_example_loads() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let example = block_after(&readme, "## Configuration", "toml");
    let dir = tempfile::tempdir().unwrap();
    for f in [
        "infra/main.json",
        "infra/main.dev.parameters.json",
        "infra/main.prod.parameters.json",
    ] {
        let path = dir.path().join(f);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "{}").unwrap();
    }
    let path = dir.path().join("amlint.toml");
    std::fs::write(&path, &example).unwrap();
    let config = amlint::config::Config::load(&path).unwrap_or_else(|e| panic!("{e}\n{example}"));
    assert_eq!(config.parameters.len(), 1);
    assert_eq!(config.suppress.len(), 1);
    let configs = amlint::config::Configs::forced(&path).unwrap();
    configs.validate(&Catalog::default()).unwrap();
}

#[test]
fn readme_metadata_suppression_example_parses() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let snippet = block_after(&readme, "### Suppressions", "json");
    let text = format!("{{ \"type\": \"Microsoft.Network/networkSecurityGroups\", {snippet} }}");
    let found = amlint::config::suppress::in_file(amlint::source::FileId(0), &text);
    assert_eq!(found.len(), 1, "{text}");
    assert!(found[0].invalid.is_none() && found[0].reason.is_some());
}

/// Every fenced block of `lang` between `heading` and the next `## ` heading.
pub fn blocks_in_section(readme: &str, heading: &str, lang: &str) -> Vec<String> {
    let start = readme.find(heading).expect(heading) + heading.len();
    let section = &readme[start..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let fence = format!("```{lang}\n");
    let mut out = Vec::new();
    let mut rest = section;
    while let Some(i) = rest.find(&fence) {
        let body = &rest[i + fence.len()..];
        let end = body.find("```").expect("a closed block");
        out.push(body[..end].to_owned());
        rest = &body[end + 3..];
    }
    out
}

#[test]
fn readme_pre_commit_snippets_use_the_hooks_of_the_manifest() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let manifest = std::fs::read_to_string(format!("{root}/.pre-commit-hooks.yaml")).unwrap();
    let blocks = blocks_in_section(&readme, "## pre-commit", "yaml");
    assert_eq!(blocks.len(), 2);
    for block in blocks {
        let ids: Vec<&str> = block
            .lines()
            .filter_map(|l| l.trim().strip_prefix("- id: "))
            .collect();
        assert!(!ids.is_empty(), "{block}");
        for id in ids {
            assert!(
                manifest.contains(&format!("- id: {id}\n")),
                "the manifest has no hook `{id}`"
            );
        }
    }
}

/// Copies `from` (a directory of files) into `to`.
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn readme_ci_snippets_run() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut ran = 0;
    for section in ["## GitHub Actions", "## Azure Pipelines", "## GitLab CI"] {
        for block in blocks_in_section(&readme, section, "yaml") {
            for line in block.lines() {
                let command = line
                    .trim()
                    .trim_start_matches("- ")
                    .trim_start_matches("run: ")
                    .trim_start_matches("script: ");
                let Some(args) = command.strip_prefix("amlint ") else {
                    continue;
                };
                // A checkout with findings in `infra/`, as the snippets expect.
                let work = tempfile::tempdir().unwrap();
                copy_dir(&root.join("fixtures/scenarios"), &work.path().join("infra"));
                let staging = work.path().join("staging");
                std::fs::create_dir_all(&staging).unwrap();
                let args: Vec<String> = args
                    .replace(
                        "$(Build.ArtifactStagingDirectory)",
                        staging.to_str().unwrap(),
                    )
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect();
                let o = std::process::Command::new(env!("CARGO_BIN_EXE_amlint"))
                    .args(&args)
                    .current_dir(work.path())
                    .output()
                    .unwrap();
                let expected = if command.contains("--fail-on never") {
                    0
                } else {
                    1
                };
                assert_eq!(
                    o.status.code(),
                    Some(expected),
                    "{section}: `{command}`: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
                let output = match args.iter().position(|a| a == "-o") {
                    Some(i) => std::fs::read_to_string(work.path().join(&args[i + 1]))
                        .unwrap_or_else(|e| panic!("{section}: `{command}` wrote no report: {e}")),
                    None => String::from_utf8(o.stdout).unwrap(),
                };
                let format = &args[args.iter().position(|a| a == "--format").unwrap() + 1];
                let well_formed = match format.as_str() {
                    "sarif" => serde_json::from_str::<serde_json::Value>(&output)
                        .is_ok_and(|v| v["version"] == "2.1.0"),
                    "junit" => output.starts_with("<?xml") && output.contains("<testsuites"),
                    "github" => output.lines().all(|l| l.starts_with("::")),
                    "azure" => output.lines().all(|l| l.starts_with("##vso[task.logissue")),
                    "concise" => output.contains(": AML"),
                    other => panic!("{section}: unexpected format {other}"),
                };
                assert!(well_formed, "{section}: `{command}`:\n{output}");
                ran += 1;
            }
        }
    }
    assert_eq!(ran, 6, "every amlint command of the CI sections runs");
}

/// The example outputs under "### Output" are what amlint prints on the cross-file scenario.
#[test]
fn readme_output_examples_are_real() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let run = |format: &str| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_amlint"))
            .current_dir(root)
            .args(["--format", format, "--color", "never"])
            .arg("fixtures/scenarios/cross-file")
            .env_remove("NO_COLOR")
            .output()
            .unwrap();
        String::from_utf8(o.stdout).unwrap()
    };

    // Human: the example's lines (up to its elided help) are in the real report.
    let human = run("human");
    let example = block_after(&readme, "### Output", "");
    for line in example.lines().filter(|l| !l.contains("...")) {
        assert!(
            human.contains(line),
            "`{line}` is not in the report:\n{human}"
        );
    }

    // JSON: every field of the example but the elided help, and the summary.
    let report: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let example: serde_json::Value =
        serde_json::from_str(&block_after(&readme, "`--format json` is a stable", "json")).unwrap();
    let shown = &example["diagnostics"][0];
    let real = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["resource"] == shown["resource"] && d["parameters_file"] == shown["parameters_file"]
        })
        .expect("the example's finding");
    for (key, value) in shown.as_object().unwrap() {
        if key == "help" {
            let elided = value.as_str().unwrap().trim_end_matches("...");
            assert!(real[key].as_str().unwrap().starts_with(elided));
            continue;
        }
        if key == "related" {
            // The example leaves out the end positions.
            let real_related: Vec<serde_json::Value> = real[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let mut r = r.clone();
                    let o = r.as_object_mut().unwrap();
                    o.retain(|k, _| ["file", "line", "column", "message"].contains(&k.as_str()));
                    r
                })
                .collect();
            assert_eq!(&serde_json::Value::from(real_related), value, "related");
            continue;
        }
        assert_eq!(&real[key], value, "{key}");
    }
    assert_eq!(report["version"], example["version"]);
    assert_eq!(report["summary"], example["summary"]);
}
