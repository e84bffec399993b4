//! Finding the files to lint, classifying them by content, and pairing parameter files with the
//! templates they are for.

use crate::parse::{ast, ObjectExt};
use std::path::{Path, PathBuf};

/// Directories never walked into (hidden ones are skipped too).
const SKIPPED_DIRS: &[&str] = &["node_modules", "target"];

/// Whether a directory is never walked into: hidden, `node_modules` or `target`.
pub fn is_skipped_dir(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') || SKIPPED_DIRS.contains(&name.as_ref())
}

/// The files found under the given paths.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Files to read, sorted and without duplicates.
    pub files: Vec<PathBuf>,
    /// For each of [`Discovered::files`], whether the walk found it to be a regular file (so
    /// that reading it need not ask again before opening it). `false` for the files named on
    /// the command line and the walk's unreadable entries.
    pub regular: Vec<bool>,
    /// Paths given on the command line that do not exist or cannot be walked.
    pub errors: Vec<(PathBuf, String)>,
}

/// One walk of the input paths, kept so that configuration discovery and file discovery read
/// the tree once between them.
#[derive(Debug, Default)]
pub struct Walk {
    roots: Vec<Root>,
    took: std::time::Duration,
}

#[derive(Debug)]
enum Root {
    /// A path that does not exist or cannot be read, and why.
    Missing(PathBuf, String),
    /// A path that is not a directory: taken as given.
    File(PathBuf),
    /// A directory, with what is below it in walk order (sorted by name, depth first): its
    /// directories, JSON files, configuration files and unreadable entries; the never-walked
    /// directories ([`is_skipped_dir`]) left out.
    Dir(Vec<Entry>),
}

#[derive(Debug)]
pub struct Entry {
    pub path: PathBuf,
    /// 0 for the directory walked.
    pub depth: usize,
    pub kind: EntryKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Dir,
    File,
    /// Neither (a socket, a device).
    Other,
    /// An entry the walk could not read: a link loop, a broken link, a directory that vanished.
    /// `linted` when it is named like a JSON file and reading it will report the problem.
    Error {
        linted: bool,
    },
}

impl Walk {
    /// Walks `paths`, following links.
    pub fn new(paths: &[PathBuf]) -> Walk {
        let start = std::time::Instant::now();
        let roots = paths
            .iter()
            .map(|root| match std::fs::metadata(root) {
                Err(e) => Root::Missing(root.clone(), describe_io(&e)),
                Ok(meta) if !meta.is_dir() => Root::File(root.clone()),
                Ok(_) => Root::Dir(walk_dir(root)),
            })
            .collect();
        Walk {
            roots,
            took: start.elapsed(),
        }
    }

    /// How long the walk took.
    pub fn took(&self) -> std::time::Duration {
        self.took
    }

    /// Everything below the directories among the inputs, in walk order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.roots.iter().flat_map(|r| match r {
            Root::Dir(entries) => entries.as_slice(),
            _ => &[],
        })
    }
}

/// Walks the directory `root`, following links, on the current thread pool: the
/// subdirectories of a directory are walked side by side, and their entries joined in order.
///
/// The entries are those of a depth-first walk with each directory's entries sorted by name
/// (walkdir's order, and `Path` order), a directory before what is in it; the never-walked
/// directories ([`is_skipped_dir`]) are left out, and so is what no discovery reads (files other
/// than JSON and configuration files). A link is followed to what it points to; a broken link,
/// and a link to a directory that is the root, above it or above the link (a loop), is an
/// [`EntryKind::Error`]. A directory that cannot be read has no entries below it.
fn walk_dir(root: &Path) -> Vec<Entry> {
    let mut entries = vec![Entry {
        path: root.to_path_buf(),
        depth: 0,
        kind: EntryKind::Dir,
    }];
    let root_ancestors: Vec<PathBuf> = root
        .canonicalize()
        .map(|c| c.ancestors().skip(1).map(Path::to_path_buf).collect())
        .unwrap_or_default();
    let above = Above {
        dir: root,
        parent: None,
        root_ancestors: &root_ancestors,
    };
    entries.extend(walk_below(root, 1, &above));
    entries
}

/// The directories above an entry: the one it is in, that one's parent, ..., the root, and
/// what is above the root.
struct Above<'a> {
    dir: &'a Path,
    parent: Option<&'a Above<'a>>,
    /// The root's own ancestors (canonical paths).
    root_ancestors: &'a [PathBuf],
}

impl Above<'_> {
    /// Whether `target` (a directory a link points to) is one of these directories: following
    /// it would walk in a circle.
    fn contains(&self, target: &Path) -> bool {
        let mut at = Some(self);
        while let Some(above) = at {
            if same_file::is_same_file(above.dir, target).unwrap_or(false) {
                return true;
            }
            at = above.parent;
        }
        self.root_ancestors
            .iter()
            .any(|a| same_file::is_same_file(a, target).unwrap_or(false))
    }
}

/// The entries below `dir`, whose own entries have depth `depth`.
fn walk_below(dir: &Path, depth: usize, above: &Above<'_>) -> Vec<Entry> {
    use rayon::prelude::*;
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut children: Vec<(std::ffi::OsString, std::fs::DirEntry)> = read
        .filter_map(Result::ok)
        .map(|e| (e.file_name(), e))
        .collect();
    children.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let entry = |(name, child): &(std::ffi::OsString, std::fs::DirEntry)| -> Vec<Entry> {
        let path = dir.join(name);
        let error = |path: PathBuf, linted: bool| {
            vec![Entry {
                path,
                depth,
                kind: EntryKind::Error { linted },
            }]
        };
        let Ok(mut file_type) = child.file_type() else {
            let linted = has_json_extension(&path);
            return error(path, linted);
        };
        if file_type.is_symlink() {
            match std::fs::metadata(&path) {
                Ok(target) => file_type = target.file_type(),
                Err(_) => {
                    let linted = has_json_extension(&path);
                    return error(path, linted);
                }
            }
            if file_type.is_dir() && above.contains(&path) {
                return error(path, false);
            }
        }
        if file_type.is_dir() {
            if is_skipped_dir(name) {
                return Vec::new();
            }
            let below = Above {
                dir: &path,
                parent: Some(above),
                root_ancestors: above.root_ancestors,
            };
            let mut entries = vec![Entry {
                path: path.clone(),
                depth,
                kind: EntryKind::Dir,
            }];
            entries.extend(walk_below(&path, depth + 1, &below));
            return entries;
        }
        // Only what a discovery reads is kept: directories (for exclusions), JSON files and
        // configuration files. A tree of other files costs no memory.
        let kept =
            has_json_extension(&path) || crate::config::FILE_NAMES.iter().any(|n| name == *n);
        if !kept {
            return Vec::new();
        }
        vec![Entry {
            path,
            depth,
            kind: if file_type.is_file() {
                EntryKind::File
            } else {
                EntryKind::Other
            },
        }]
    };
    children.par_iter().flat_map_iter(entry).collect()
}

/// Walks `paths`: files are taken as given; directories are walked for `.json` / `.jsonc` files,
/// skipping hidden directories, `node_modules`, `target`, and whatever `excluded` says.
pub fn discover(paths: &[PathBuf], excluded: &dyn Fn(&Path) -> bool) -> Discovered {
    discover_in(&Walk::new(paths), excluded)
}

/// [`discover`] on a walk already made.
pub fn discover_in(walk: &Walk, excluded: &dyn Fn(&Path) -> bool) -> Discovered {
    let mut files: Vec<(PathBuf, bool)> = Vec::new();
    let mut errors = Vec::new();
    for root in &walk.roots {
        match root {
            Root::Missing(path, reason) => errors.push((path.clone(), reason.clone())),
            // Named files are excluded too: pre-commit names every changed file.
            Root::File(path) => {
                if !excluded(path) {
                    files.push((path.clone(), false));
                }
            }
            Root::Dir(entries) => {
                // An excluded directory is not walked into: what is below it is passed over.
                let mut pruned: Option<(usize, &Path)> = None;
                for e in entries {
                    if let Some((depth, dir)) = pruned {
                        if e.depth > depth || e.path.starts_with(dir) {
                            continue;
                        }
                        pruned = None;
                    }
                    match e.kind {
                        // A link loop or a directory that vanished: nothing to lint there. A
                        // broken link named `*.json` is kept so that reading it reports the
                        // problem.
                        EntryKind::Error { linted } => {
                            if linted {
                                files.push((e.path.clone(), false));
                            }
                        }
                        _ if e.depth == 0 => {}
                        _ if excluded(&e.path) => {
                            if e.kind == EntryKind::Dir {
                                pruned = Some((e.depth, &e.path));
                            }
                        }
                        EntryKind::Dir => {}
                        EntryKind::File | EntryKind::Other => {
                            if has_json_extension(&e.path) {
                                files.push((e.path.clone(), e.kind == EntryKind::File));
                            }
                        }
                    }
                }
            }
        }
    }
    // A walk sorted by file name yields paths in `Path` order already (a directory's entries
    // follow it, in name order): check that in one pass, sort only when roots overlap or
    // interleave.
    if !files.windows(2).all(|w| w[0].0 < w[1].0) {
        // A file found twice is asked about once more before it is opened unless both finds
        // say it is regular.
        files.sort_unstable();
        files.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1 &= later.1;
            }
            same
        });
    }
    let (files, regular) = files.into_iter().unzip();
    Discovered {
        files,
        regular,
        errors,
    }
}

fn has_json_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json") || e.eq_ignore_ascii_case("jsonc"))
}

/// An I/O error in words, without Rust's `(os error 2)` suffix.
pub fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_owned(),
                None => text,
            }
        }
    }
}

/// What a JSON file is, by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Template,
    Parameters,
    /// `az resource show` output or Resource Graph rows: one resource or an array of them.
    Export,
    /// Any other JSON (`package.json`, ...): skipped.
    Other,
}

const TEMPLATE_SCHEMAS: &[&str] = &[
    "deploymenttemplate.json",
    "subscriptiondeploymenttemplate.json",
    "managementgroupdeploymenttemplate.json",
    "tenantdeploymenttemplate.json",
];

/// Classifies a parsed file.
pub fn classify(root: &ast::Value<'_>) -> FileKind {
    match root {
        ast::Value::Object(o) => {
            if let Some(schema) = o.member_str("$schema") {
                let schema = schema.to_ascii_lowercase();
                let file = schema
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .trim_end_matches('#');
                if TEMPLATE_SCHEMAS.contains(&file) {
                    return FileKind::Template;
                }
                if file == "deploymentparameters.json" {
                    return FileKind::Parameters;
                }
            }
            let has = |k: &str| o.member(k).is_some();
            if has("resources") && has("contentVersion") {
                FileKind::Template
            } else if has("parameters") && has("contentVersion") {
                FileKind::Parameters
            } else if is_exported_resource(o) {
                FileKind::Export
            } else {
                FileKind::Other
            }
        }
        ast::Value::Array(a) => {
            let all = a
                .elements
                .iter()
                .all(|e| e.as_object().is_some_and(is_resource_like))
                && a.elements
                    .iter()
                    .any(|e| e.as_object().is_some_and(has_resource_id));
            if all {
                FileKind::Export
            } else {
                FileKind::Other
            }
        }
        _ => FileKind::Other,
    }
}

/// An exported resource: `type`, `properties`, and an `id` (PowerShell's `ResourceId`) or at
/// least a `name`. A lone object needs the `id`; in an array, one with an ID is enough.
pub fn is_exported_resource(o: &ast::Object<'_>) -> bool {
    has_resource_id(o) && is_resource_like(o)
}

fn has_resource_id(o: &ast::Object<'_>) -> bool {
    o.member_str("id")
        .or_else(|| o.member_str("ResourceId"))
        .is_some_and(|id| id.starts_with('/'))
}

fn is_resource_like(o: &ast::Object<'_>) -> bool {
    o.member_str("type").is_some_and(|t| t.contains('/'))
        && matches!(o.member("properties"), Some(ast::Value::Object(_)))
        && (has_resource_id(o) || o.member_str("name").is_some())
}

/// A cheap look at the start of a file: `Some(Template)` when its first member is a `$schema`
/// naming a deployment template, which is all classification needs. Saves a parse of every
/// template before the one that evaluates it. `None` means "parse to find out".
pub fn quick_classify(text: &str) -> Option<FileKind> {
    let rest = skip_trivia(text).strip_prefix('{')?;
    let rest = skip_trivia(rest).strip_prefix("\"$schema\"")?;
    let rest = skip_trivia(rest).strip_prefix(':')?;
    let rest = skip_trivia(rest).strip_prefix('"')?;
    let end = rest.find(['"', '\\'])?;
    if rest.as_bytes()[end] != b'"' {
        return None;
    }
    let schema = rest[..end].to_ascii_lowercase();
    let file = schema
        .rsplit('/')
        .next()
        .unwrap_or("")
        .trim_end_matches('#');
    TEMPLATE_SCHEMAS
        .contains(&file)
        .then_some(FileKind::Template)
}

fn skip_trivia(mut s: &str) -> &str {
    loop {
        s = s.trim_start_matches([' ', '\t', '\r', '\n']);
        if let Some(rest) = s.strip_prefix("//") {
            s = rest.find('\n').map_or("", |i| &rest[i..]);
        } else if let Some(rest) = s.strip_prefix("/*") {
            match rest.find("*/") {
                Some(i) => s = &rest[i + 2..],
                None => return s,
            }
        } else {
            return s;
        }
    }
}

/// The template a parameter file is for by naming convention: `X.parameters.json` or
/// `X.parameters.<anything>.json` pairs with `X.json` in the same directory.
pub fn template_by_name(parameters: &Path) -> Option<PathBuf> {
    let name = parameters.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    let at = lower.find(".parameters.")?;
    if at == 0 {
        return None;
    }
    let ext = if lower.ends_with(".jsonc") {
        "jsonc"
    } else {
        "json"
    };
    let stem = &name[..at];
    Some(parameters.with_file_name(format!("{stem}.{ext}")))
}

/// The other spellings `template_by_name` may mean (`.json` / `.jsonc`).
pub fn template_name_candidates(parameters: &Path) -> Vec<PathBuf> {
    let Some(first) = template_by_name(parameters) else {
        return Vec::new();
    };
    let alt = match first.extension().and_then(|e| e.to_str()) {
        Some("json") => first.with_extension("jsonc"),
        _ => first.with_extension("json"),
    };
    vec![first, alt]
}

/// A parameter file's `metadata.template`, resolved against its directory.
pub fn template_by_metadata(parameters: &Path, root: &ast::Value<'_>) -> Option<PathBuf> {
    let rel = root
        .as_object()?
        .member_object("metadata")?
        .member_str("template")?;
    if rel.is_empty() {
        return None;
    }
    Some(parameters.parent().unwrap_or(Path::new("")).join(rel))
}

/// Normalises `a/./b/../c` to `a/c` without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    if is_normal(path) {
        return path.to_path_buf();
    }
    by_components(path)
}

/// [`normalize`], component by component.
fn by_components(path: &Path) -> PathBuf {
    let mut out = PathBuf::with_capacity(path.as_os_str().len());
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Whether [`normalize`] would give `path` back unchanged, decided on its bytes: no `.` or `..`
/// segment, no empty segment (`a//b`), no trailing `/`. Paths from the walk are all like this,
/// and pairing normalises every template and parameter file path. Unix only: elsewhere the
/// separators and prefixes need [`Path::components`].
fn is_normal(path: &Path) -> bool {
    if !cfg!(unix) {
        return false;
    }
    let bytes = path.as_os_str().as_encoded_bytes();
    let rest = bytes.strip_prefix(b"/").unwrap_or(bytes);
    !rest.is_empty()
        && rest
            .split(|&b| b == b'/')
            .all(|segment| !matches!(segment, b"" | b"." | b".."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    #[test]
    fn normalize_gives_what_the_components_give() {
        for p in [
            "",
            "/",
            "a",
            "/a",
            "a/b",
            "/a/b.json",
            "a/",
            "a//b",
            "./a",
            "a/.",
            "a/./b",
            "a/../b",
            "../a",
            "..",
            ".",
            "/..",
            "a/b/..",
            ".a/b..",
            "a/...",
            "//a",
            "a/.b/c.",
        ] {
            let p = Path::new(p);
            assert_eq!(normalize(p), by_components(p), "{p:?}");
        }
        assert!(is_normal(Path::new("/tmp/env0/team01/main.json")) || !cfg!(unix));
        assert!(!is_normal(Path::new("./infra/main.json")));
    }

    fn kind(text: &str) -> FileKind {
        classify(&parse(text, &crate::parse::Arena::new()).unwrap())
    }

    #[test]
    fn classifies_by_content() {
        let s = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
        assert_eq!(
            kind(&format!(r#"{{"$schema": "{s}"}}"#)),
            FileKind::Template
        );
        let sub = "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#";
        assert_eq!(
            kind(&format!(r#"{{"$schema": "{sub}", "resources": []}}"#)),
            FileKind::Template
        );
        assert_eq!(
            kind(r#"{"resources": [], "contentVersion": "1.0.0.0"}"#),
            FileKind::Template
        );
        let p = "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#";
        assert_eq!(
            kind(&format!(r#"{{"$schema": "{p}", "parameters": {{}}}}"#)),
            FileKind::Parameters
        );
        assert_eq!(
            kind(r#"{"parameters": {}, "contentVersion": "1.0.0.0"}"#),
            FileKind::Parameters
        );
        let export = r#"{"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/natGateways/n",
            "type": "Microsoft.Network/natGateways", "properties": {}}"#;
        assert_eq!(kind(export), FileKind::Export);
        assert_eq!(kind(&format!("[{export}, {export}]")), FileKind::Export);
        assert_eq!(kind(&format!("[{export}, 1]")), FileKind::Other);
        let named = r#"{"type": "Microsoft.MachineLearningServices/workspaces", "name": "ws", "properties": {}}"#;
        assert_eq!(kind(&format!("[{export}, {named}]")), FileKind::Export);
        assert_eq!(
            kind(&format!("[{named}]")),
            FileKind::Other,
            "one needs an ID"
        );
        assert_eq!(kind(named), FileKind::Other);
        assert_eq!(kind("[]"), FileKind::Other);
        assert_eq!(
            kind(r#"{"name": "pkg", "version": "1.0.0"}"#),
            FileKind::Other
        );
        // A REST API example has `parameters` but no `contentVersion`.
        assert_eq!(
            kind(r#"{"parameters": {"x": 1}, "responses": {}}"#),
            FileKind::Other
        );
    }

    #[test]
    fn quick_classify_only_answers_when_sure() {
        let s = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
        assert_eq!(
            quick_classify(&format!("// c\n/* d */ {{ \"$schema\" : \"{s}\", \"x\": 1")),
            Some(FileKind::Template)
        );
        assert_eq!(
            quick_classify(r#"{"contentVersion": "1", "$schema": "deploymentTemplate.json"}"#),
            None
        );
        assert_eq!(
            quick_classify(r#"{"$schema": "https://x/deploymentParameters.json#"}"#),
            None
        );
        assert_eq!(quick_classify(r#"{"$schema": "a\"b"}"#), None);
        assert_eq!(quick_classify(""), None);
    }

    #[test]
    fn pairs_parameter_files_by_name() {
        let t = |p: &str| template_by_name(Path::new(p)).map(|p| p.to_string_lossy().into_owned());
        assert_eq!(
            t("infra/main.parameters.json").as_deref(),
            Some("infra/main.json")
        );
        assert_eq!(
            t("infra/main.parameters.prod.json").as_deref(),
            Some("infra/main.json")
        );
        assert_eq!(
            t("a/azuredeploy.parameters.us.json").as_deref(),
            Some("a/azuredeploy.json")
        );
        assert_eq!(t("infra/parameters.json"), None);
        assert_eq!(t("infra/main.json"), None);
        let c = template_name_candidates(Path::new("x/main.parameters.jsonc"));
        assert_eq!(
            c,
            [PathBuf::from("x/main.jsonc"), PathBuf::from("x/main.json")]
        );
    }

    #[test]
    fn pairs_parameter_files_by_metadata() {
        let arena = crate::parse::Arena::new();
        let text = r#"{"metadata": {"template": "../templates/net.json"}, "parameters": {}}"#;
        let v = parse(text, &arena).unwrap();
        let found = template_by_metadata(Path::new("infra/params/dev.json"), &v).unwrap();
        assert_eq!(normalize(&found), PathBuf::from("infra/templates/net.json"));
    }

    /// Writes `{}` to each of `files` under `root`.
    fn write_tree(root: &Path, files: &[&str]) {
        for p in files {
            let path = root.join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "{}").unwrap();
        }
    }

    /// The files found, relative to `root`, with `/` between components.
    fn names(root: &Path, found: &Discovered) -> Vec<String> {
        found
            .files
            .iter()
            .map(|p| {
                p.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect()
    }

    #[test]
    fn walks_directories_with_default_skips() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write_tree(
            root,
            &[
                "a.json",
                "b.JSONC",
                "c.txt",
                ".hidden/d.json",
                "node_modules/e.json",
                "target/f.json",
                "sub/g.json",
            ],
        );
        let found = discover(&[root.to_path_buf()], &|_| false);
        assert_eq!(names(root, &found), ["a.json", "b.JSONC", "sub/g.json"]);
        let excluded = discover(&[root.to_path_buf()], &|p| p.ends_with("sub"));
        assert_eq!(excluded.files.len(), 2);
        let missing = discover(&[root.join("nope")], &|_| false);
        assert_eq!(missing.errors.len(), 1);
        assert_eq!(missing.errors[0].1, "no such file or directory");
    }

    /// One walk serves several discoveries: an excluded directory's subtree is passed over, and
    /// only it (not a sibling whose name starts the same), as if the walk had not gone into it.
    #[test]
    fn a_walk_is_replayed_with_exclusions() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write_tree(
            root,
            &[
                "a/x.json",
                "a/deep/y.json",
                "a.json",
                "a2/z.json",
                "b/w.json",
                "b/skip.json",
                "b/notes.txt",
            ],
        );
        let walk = Walk::new(&[root.to_path_buf(), root.join("b/w.json"), root.join("nope")]);
        let all = discover_in(&walk, &|_| false);
        assert_eq!(
            names(root, &all),
            [
                "a/deep/y.json",
                "a/x.json",
                "a.json",
                "a2/z.json",
                "b/skip.json",
                "b/w.json"
            ]
        );
        assert_eq!(all.errors.len(), 1);
        let some = discover_in(&walk, &|p| p.ends_with("a") || p.ends_with("skip.json"));
        assert_eq!(names(root, &some), ["a.json", "a2/z.json", "b/w.json"]);
        // The same answer as a fresh walk.
        let fresh = discover(
            &[root.to_path_buf(), root.join("b/w.json"), root.join("nope")],
            &|p| p.ends_with("a") || p.ends_with("skip.json"),
        );
        assert_eq!(fresh.files, some.files);
        assert!(walk
            .entries()
            .any(|e| e.path.ends_with("deep") && e.depth == 2));
        // Files no discovery reads are not kept.
        assert!(!walk.entries().any(|e| e.path.ends_with("notes.txt")));
    }

    /// The walk's own order is `Path` order (names that sort differently as whole strings and
    /// as components: `a-b`, `a.b/`, `a/`), and roots in any order give the same sorted, unique
    /// list.
    #[test]
    fn files_come_in_path_order_whatever_the_roots() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write_tree(
            root,
            &[
                "a/b.json",
                "a-b.json",
                "a.b/c.json",
                "A.json",
                "ab.json",
                "a/z/y.json",
                "a0.json",
            ],
        );
        let one = discover(&[root.to_path_buf()], &|_| false);
        let mut sorted = one.files.clone();
        sorted.sort();
        assert_eq!(one.files, sorted);
        assert_eq!(one.files.len(), 7);
        let reversed = discover(
            &[root.join("ab.json"), root.join("a"), root.to_path_buf()],
            &|_| false,
        );
        assert_eq!(reversed.files, one.files);
    }

    /// The walk as walkdir makes it (amlint walked with walkdir before walking in parallel): the
    /// oracle for the order, the depths, the skips, links, loops and broken links.
    fn walkdir_walk(root: &Path) -> Vec<Entry> {
        walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0 || !e.file_type().is_dir() || !is_skipped_dir(e.file_name())
            })
            .filter_map(|entry| match entry {
                Ok(e) => {
                    let t = e.file_type();
                    let kind = if t.is_dir() {
                        EntryKind::Dir
                    } else if t.is_file() {
                        EntryKind::File
                    } else {
                        EntryKind::Other
                    };
                    let kept = kind == EntryKind::Dir
                        || has_json_extension(e.path())
                        || crate::config::FILE_NAMES
                            .iter()
                            .any(|n| e.file_name() == *n);
                    kept.then(|| Entry {
                        depth: e.depth(),
                        path: e.into_path(),
                        kind,
                    })
                }
                Err(e) => {
                    let path = e.path()?.to_path_buf();
                    let linted = has_json_extension(&path)
                        && e.io_error().is_some()
                        && e.loop_ancestor().is_none();
                    Some(Entry {
                        path,
                        depth: e.depth(),
                        kind: EntryKind::Error { linted },
                    })
                }
            })
            .collect()
    }

    fn listing(entries: &[Entry]) -> Vec<(PathBuf, usize, EntryKind)> {
        entries
            .iter()
            .map(|e| (e.path.clone(), e.depth, e.kind))
            .collect()
    }

    #[cfg(unix)]
    #[test]
    fn the_parallel_walk_finds_what_walkdir_finds_in_the_same_order() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path();
        let root = top.join("root");
        write_tree(
            &root,
            &[
                "a.json",
                "B.json",
                "c.txt",
                "a-b.json",
                "a.b/c.json",
                "a/deep/er/x.jsonc",
                "a/z.json",
                "amlint.toml",
                "sub/.amlint.toml",
                ".hidden/d.json",
                "node_modules/e.json",
                "target/f.json",
                "sub/g.json",
                "dir.json/inside.json",
            ],
        );
        write_tree(top, &["outside/o.json", "outside/more/p.json"]);
        // Links: to a file, to a directory inside and outside the root, broken, to the root, to
        // a directory above the root, to a directory above the link, and links to a directory
        // named like a skipped one or not.
        symlink(root.join("a.json"), root.join("file-link.json")).unwrap();
        symlink(root.join("a/deep"), root.join("sub/deep-link")).unwrap();
        symlink(top.join("outside"), root.join("out")).unwrap();
        symlink(root.join("missing.json"), root.join("broken.json")).unwrap();
        symlink(root.join("missing"), root.join("broken-dir")).unwrap();
        symlink(&root, root.join("a/to-root")).unwrap();
        symlink(top, root.join("sub/to-top")).unwrap();
        symlink(root.join("a/deep"), root.join("a/deep/er/to-parent")).unwrap();
        symlink(root.join("a"), root.join("node_modules-link")).unwrap();
        symlink(root.join("a"), root.join(".hidden-link")).unwrap();
        assert!(std::process::Command::new("mkfifo")
            .arg(root.join("pipe.json"))
            .status()
            .unwrap()
            .success());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        let want = listing(&walkdir_walk(&root));
        assert_eq!(listing(&pool.install(|| walk_dir(&root))), want);
        assert_eq!(listing(&walk_dir(&root)), want);
        // Through a link to the root too.
        symlink(&root, top.join("root-link")).unwrap();
        let via = top.join("root-link");
        assert_eq!(listing(&walk_dir(&via)), listing(&walkdir_walk(&via)));
        // The cases are all there.
        let has = |tail: &str, kind: EntryKind| {
            want.iter().any(|(p, _, k)| p.ends_with(tail) && *k == kind)
        };
        assert!(has("out/more/p.json", EntryKind::File));
        assert!(has("sub/deep-link/er/x.jsonc", EntryKind::File));
        assert!(has("file-link.json", EntryKind::File));
        assert!(has("pipe.json", EntryKind::Other));
        assert!(has("broken.json", EntryKind::Error { linted: true }));
        assert!(has("broken-dir", EntryKind::Error { linted: false }));
        assert!(has("a/to-root", EntryKind::Error { linted: false }));
        assert!(has("sub/to-top", EntryKind::Error { linted: false }));
        assert!(has("er/to-parent", EntryKind::Error { linted: false }));
        assert!(has("dir.json/inside.json", EntryKind::File));
        assert!(has("node_modules-link/z.json", EntryKind::File));
        assert!(!want.iter().any(|(p, _, _)| p.ends_with(".hidden-link")));
    }

    #[cfg(unix)]
    #[test]
    fn broken_links_are_kept_so_reading_them_reports_the_problem() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(
            dir.path().join("missing.json"),
            dir.path().join("link.json"),
        )
        .unwrap();
        let found = discover(&[dir.path().to_path_buf()], &|_| false);
        assert_eq!(found.files.len(), 1);
    }
}
