//! The synthetic tree: `N` templates of three kinds spread over `envE/teamT/<area>/[region-R/]`,
//! a third of them with one or two parameter files, and a few JSON files that are not ARM (some
//! in directories both amlint and the baseline skip). Deterministic: item `i` is generated from
//! `SEED` and `i` alone, so the tree is the same for any thread count.

use super::arm::{parameter_file, Form, Template};
use super::json::{arr, obj, Json};
use super::rng::Rng;
use super::{aml, bicep, network, services};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

const SEED: u64 = 0x616d_6c69_6e74_0001;
const TEAMS: &[&str] = &[
    "fraud", "vision", "nlp", "recsys", "forecast", "risk", "churn", "search", "speech", "ads",
];
const LOCATIONS: &[&str] = &["westeurope", "northeurope", "eastus2", "swedencentral"];
const ENVS: usize = 4;
const TEAMS_PER_ENV: usize = 25;

/// What was written.
pub struct Written {
    pub templates: usize,
    pub parameter_files: usize,
    pub other_files: usize,
    /// The size of each template, in bytes.
    pub template_sizes: Vec<usize>,
}

#[derive(Clone, Copy)]
enum Kind {
    Network,
    Aml,
    Bicep,
}

/// Writes `templates` templates and their companions under `root`.
pub fn generate(root: &Path, templates: usize) -> Result<Written, String> {
    let items: Vec<ItemStats> = (0..templates)
        .into_par_iter()
        .map(|i| write_item(root, i))
        .collect::<Result<_, _>>()?;
    let other_files = write_other_files(root, templates)?;
    Ok(Written {
        templates,
        parameter_files: items.iter().map(|s| s.parameter_files).sum(),
        other_files,
        template_sizes: items.iter().map(|s| s.template_size).collect(),
    })
}

struct ItemStats {
    template_size: usize,
    parameter_files: usize,
}

fn write_item(root: &Path, index: usize) -> Result<ItemStats, String> {
    let mut rng = Rng::for_item(SEED, index as u64);
    let env = rng.range(0, ENVS - 1);
    let team = rng.range(0, TEAMS_PER_ENV - 1);
    let prefix = format!("{}{}", TEAMS[team % TEAMS.len()], team / TEAMS.len());
    let kind = rng.pick(&[
        Kind::Network,
        Kind::Network,
        Kind::Network,
        Kind::Aml,
        Kind::Aml,
        Kind::Aml,
        Kind::Bicep,
        Kind::Bicep,
    ]);
    let (area, stem) = match kind {
        Kind::Network => ("network", "vnet"),
        Kind::Aml => ("ml", "workspace"),
        Kind::Bicep => ("infra", "main"),
    };
    let mut dir = root.join(format!("env{env}/team{team:02}/{area}"));
    if rng.chance(0.3) {
        dir.push(format!("region-{}", rng.range(1, 3)));
    }
    let template = build(&mut rng, kind, &prefix);
    let text = template.to_json().to_pretty();
    let path = dir.join(format!("{stem}-{index}.json"));
    write(&path, &text)?;
    let mut parameter_files = 0;
    if rng.chance(1.0 / 3.0) {
        for suffix in parameter_suffixes(&mut rng) {
            let environment = if suffix.is_empty() { "dev" } else { "prod" };
            let values = parameter_values(&mut rng, &template, &prefix, environment);
            let path = dir.join(format!("{stem}-{index}.parameters{suffix}.json"));
            write(&path, &parameter_file(&values).to_pretty())?;
            parameter_files += 1;
        }
    }
    Ok(ItemStats {
        template_size: text.len(),
        parameter_files,
    })
}

/// One template of `kind`, padded with services up to a drawn size when it is smaller.
fn build(rng: &mut Rng, kind: Kind, prefix: &str) -> Template {
    let octet = rng.range(1, 250);
    let form = match kind {
        Kind::Bicep if rng.chance(0.5) => Form::Symbolic,
        _ => Form::Classic,
    };
    let mut t = Template::new(form);
    t.common_parameters(prefix);
    match kind {
        Kind::Network => network::network_template(rng, &mut t, octet),
        Kind::Aml => aml::aml_template(rng, &mut t, octet),
        Kind::Bicep => bicep::bicep_template(rng, &mut t, octet),
    }
    let target = target_size(rng);
    services::pad(rng, &mut t, target, matches!(kind, Kind::Network));
    t
}

/// A log-normal size (median 6 KB, clamped to 5–60 KB). Most templates need more than that for
/// what they declare anyway: the padding shapes the tails, and the median of the tree's templates
/// ends up near 19 KB.
fn target_size(rng: &mut Rng) -> usize {
    let size = 6_000.0 * (0.85 * rng.normal()).exp();
    size.clamp(5_000.0, 60_000.0) as usize
}

/// `.parameters.json`, `.parameters.prod.json`, or both.
fn parameter_suffixes(rng: &mut Rng) -> Vec<&'static str> {
    match rng.range(0, 2) {
        0 => vec![""],
        1 => vec![".prod"],
        _ => vec!["", ".prod"],
    }
}

fn parameter_values(
    rng: &mut Rng,
    t: &Template,
    prefix: &str,
    environment: &str,
) -> Vec<(String, Json)> {
    let mut values: Vec<(String, Json)> = vec![
        ("location".into(), rng.pick(LOCATIONS).into()),
        ("prefix".into(), prefix.into()),
        ("environment".into(), environment.into()),
        (
            "vnetName".into(),
            format!("{prefix}-{environment}-vnet").into(),
        ),
    ];
    values.extend(t.file_parameters.iter().cloned());
    values
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    let dir = path.parent().expect("generated paths have a parent");
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    std::fs::write(path, text).map_err(|e| format!("cannot write `{}`: {e}", path.display()))
}

/// A few JSON files that are not ARM, one per hundred templates (at least four): `package.json`,
/// `tsconfig.json` and `renovate.json` lookalikes. Plus some in `node_modules`, `.vscode` and
/// `target`, which neither side reads.
fn write_other_files(root: &Path, templates: usize) -> Result<usize, String> {
    let count = (templates / 100).max(4);
    for j in 0..count {
        let mut rng = Rng::for_item(SEED ^ 0xFF, j as u64);
        let dir = format!(
            "env{}/team{:02}/tools/tool-{j}",
            j % ENVS,
            rng.range(0, TEAMS_PER_ENV - 1)
        );
        let (name, value) = match j % 3 {
            0 => ("package.json", package_json(j)),
            1 => (
                "tsconfig.json",
                obj! {
                    "compilerOptions" => obj! {
                        "target" => "ES2022",
                        "module" => "commonjs",
                        "strict" => true,
                        "outDir" => "dist",
                    },
                    "include" => arr!["src/**/*.ts"],
                },
            ),
            _ => (
                "renovate.json",
                obj! {
                    "$schema" => "https://docs.renovatebot.com/renovate-schema.json",
                    "extends" => arr!["config:recommended"],
                    "packageRules" => arr![obj! {
                        "matchUpdateTypes" => arr!["minor", "patch"],
                        "automerge" => true,
                    }],
                },
            ),
        };
        write(&root.join(dir).join(name), &value.to_pretty())?;
    }
    let skipped: [PathBuf; 3] = [
        "env0/node_modules/left-pad/package.json".into(),
        "env1/.vscode/settings.json".into(),
        "env2/target/debug/build.json".into(),
    ];
    for (k, path) in skipped.iter().enumerate() {
        write(&root.join(path), &package_json(count + k).to_pretty())?;
    }
    Ok(count)
}

fn package_json(j: usize) -> Json {
    obj! {
        "name" => format!("@ml-platform/tool-{j}"),
        "version" => "1.4.2",
        "private" => true,
        "scripts" => obj! { "build" => "tsc -p .", "test" => "jest", "lint" => "eslint src" },
        "dependencies" => obj! {
            "@azure/arm-resources" => "^5.2.0",
            "@azure/identity" => "^4.0.1",
        },
        "devDependencies" => obj! { "typescript" => "^5.4.0", "jest" => "^29.7.0" },
    }
}
