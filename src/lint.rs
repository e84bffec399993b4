//! One run: discover the files, read and classify them, pair parameter files with templates,
//! evaluate every template once per parameter file, build the model, run the rules.
//!
//! Files are read and evaluated in parallel; everything that decides the output (file IDs, unit
//! IDs, the order of findings) follows the sorted file list, so the output is the same for any
//! number of threads.

use crate::arm::eval::{self, EvalInput, EvalResource, ParameterValues};
use crate::arm::value::{Tri, Value};
use crate::config::{self, Configs, Date, Level, Suppression};
use crate::discover::{self, FileKind};
use crate::model::{self, UnitId, UnitInfo, UnitInput, UnitPart, MODEL_TYPES};
use crate::parse::{self, ObjectExt, SyntaxError};
use crate::report::{Finding, Severity, Summary};
use crate::rules::{self, RuleSelection};
use crate::source::{FileId, LineMap, SourceFile, Sources, Span};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a run is asked to do.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// `--parameters`: parameter files for the single template being linted.
    pub parameters: Vec<PathBuf>,
    pub selection: RuleSelection,
    /// The rules: built-in, the project's declarative rules, users'.
    pub catalog: Arc<rules::Catalog>,
    /// Shown paths are relative to this directory.
    pub cwd: PathBuf,
    /// The configuration files: `exclude`, `[rules]` levels, `[[parameters]]`, `[[suppress]]`.
    pub configs: Arc<Configs>,
    /// The date suppressions expire against [default: today, UTC].
    pub today: Option<Date>,
    /// The walk of the paths to lint, when the caller made it already (to find configurations).
    pub walk: Option<Arc<discover::Walk>>,
}

/// Why a run could not do its job (exit status 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LintError {
    #[error("`--parameters` needs exactly one template among the inputs, found {0}")]
    #[diagnostic(code(amlint::parameters), help("lint the template and its parameter files on their own: `amlint main.json --parameters main.dev.json`"))]
    ParametersNeedOneTemplate(usize),
    #[error("cannot read parameter file `{path}`: {reason}")]
    #[diagnostic(code(amlint::parameters))]
    ParametersUnreadable { path: String, reason: String },
}

/// Everything a run produced.
#[derive(Debug, Default)]
pub struct LintResult {
    pub sources: Sources,
    /// Sorted for output.
    pub findings: Vec<Finding>,
    pub summary: Summary,
    /// Input paths that do not exist or cannot be walked.
    pub path_errors: Vec<(String, String)>,
    /// Files skipped as not ARM JSON, for `--verbose`.
    pub skipped: Vec<FileId>,
    /// Parameter files not paired with any template, for `--verbose`.
    pub unpaired_parameters: Vec<FileId>,
    /// How long each phase took, for `--verbose`.
    pub timings: Vec<(&'static str, std::time::Duration)>,
    /// The network model the rules saw.
    pub model: model::Model,
}

/// Measures the phases of a run.
struct Clock(std::time::Instant);

impl Clock {
    fn start() -> Self {
        Clock(std::time::Instant::now())
    }

    fn lap(&mut self, result: &mut LintResult, phase: &'static str) {
        let now = std::time::Instant::now();
        result.timings.push((phase, now - self.0));
        self.0 = now;
    }
}

/// What evaluating one template gives: its units' shares of the model, its problems, and the
/// suppressions in its text when the first pass left them for this one.
type JobOutput = (
    Vec<(u32, UnitPart)>,
    Vec<Finding>,
    Option<Vec<Suppression>>,
    Option<LineMap>,
);

/// A file after the first pass.
struct Read {
    kind: FileKind,
    error: Option<SyntaxError>,
    parameters: Option<ParameterValues>,
    metadata_template: Option<PathBuf>,
    export: Vec<EvalResource>,
    /// `metadata.amlint.suppress` and `amlint-ignore` comments.
    suppressions: Vec<Suppression>,
    /// A template recognised from its first bytes: the rest of it is read, decoded and scanned
    /// for suppressions once, when it is evaluated.
    deferred: bool,
}

impl Read {
    /// A file of `kind`, read whole, with nothing else found in it yet.
    fn of_kind(kind: FileKind, suppressions: Vec<Suppression>) -> Read {
        Read {
            kind,
            error: None,
            parameters: None,
            metadata_template: None,
            export: Vec::new(),
            suppressions,
            deferred: false,
        }
    }
}

/// Lints `paths`.
pub fn lint(paths: &[PathBuf], options: &LintOptions) -> Result<LintResult, LintError> {
    let configs = &options.configs;
    let mut clock = Clock::start();
    let discovered = match &options.walk {
        Some(walk) => discover::discover_in(walk, &|p| configs.excludes(p)),
        None => discover::discover(paths, &|p| configs.excludes(p)),
    };
    let mut result = LintResult {
        path_errors: discovered
            .errors
            .iter()
            .map(|(p, e)| (display_path(p, &options.cwd), e.clone()))
            .collect(),
        ..LintResult::default()
    };
    let mut files = discovered.files;
    let mut regular = discovered.regular;
    // `--parameters` files join the inputs.
    for p in &options.parameters {
        if !p.is_file() {
            return Err(LintError::ParametersUnreadable {
                path: display_path(p, &options.cwd),
                reason: std::fs::metadata(p)
                    .err()
                    .map_or_else(|| "not a file".to_owned(), |e| discover::describe_io(&e)),
            });
        }
        if !files.contains(p) {
            files.push(p.clone());
            regular.push(false);
        }
    }
    // `[[parameters]]` files join the inputs when their template is linted.
    // Configurations name files from their own directory: compare absolute paths.
    let absolute = |p: &Path| discover::normalize(&options.cwd.join(p));
    let mappings: Vec<config::ParameterMapping> = {
        let all = configs.parameter_mappings();
        if all.is_empty() {
            all
        } else {
            let inputs: BTreeSet<PathBuf> = files.iter().map(|p| absolute(p)).collect();
            all.into_iter()
                .filter(|m| inputs.contains(&absolute(&m.template)))
                .collect()
        }
    };
    for m in &mappings {
        for p in &m.files {
            if !files.iter().any(|f| absolute(f) == absolute(p)) {
                files.push(p.clone());
                regular.push(false);
            }
        }
    }
    clock.lap(&mut result, "find the files");
    if let (Some(walk), Some((_, took))) = (&options.walk, result.timings.last_mut()) {
        // The walk was made before the run, for the configurations.
        *took += walk.took();
    }
    // The resource types whose bodies are evaluated: the model's and the declarative rules'.
    let declarative_types = options.catalog.declarative_types();
    let wanted = |t: &str| MODEL_TYPES.contains(&t) || declarative_types.iter().any(|d| d == t);
    // The resources declarative rules see: their types, and their parents' (`@.parent`).
    let listed = |t: &str| {
        declarative_types.iter().any(|d| {
            d.len() >= t.len()
                && d.starts_with(t)
                && (d.len() == t.len() || d.as_bytes()[t.len()] == b'/')
        })
    };
    // Each file read, with the path users are shown (made here, on all threads).
    let reads: Vec<(Read, String)> = files
        .par_iter()
        .enumerate()
        .map(|(i, path)| {
            (
                read(FileId(i as u32), path, regular[i], &wanted),
                display_path(path, &options.cwd),
            )
        })
        .collect();
    let mut kinds = Vec::with_capacity(reads.len());
    let mut findings = Vec::new();
    let mut reads_owned = Vec::with_capacity(reads.len());
    for (i, (path, (r, display))) in files.iter().zip(reads).enumerate() {
        // Texts are read again when a finding needs them: a run does not hold every file.
        let id = result
            .sources
            .push(SourceFile::unloaded(path.clone(), display));
        debug_assert_eq!(id.0 as usize, i);
        if let Some(e) = &r.error {
            findings.push(syntax_finding(id, e));
        }
        kinds.push(r.kind);
        reads_owned.push(r);
    }
    let reads = reads_owned;

    clock.lap(&mut result, "read and classify");
    // Pair parameter files with templates.
    let by_path: rustc_hash::FxHashMap<PathBuf, FileId> = files
        .iter()
        .enumerate()
        .filter(|(i, _)| kinds[*i] == FileKind::Template && reads[*i].error.is_none())
        .map(|(i, p)| (discover::normalize(p), FileId(i as u32)))
        .collect();
    let mut pairs: BTreeMap<FileId, BTreeSet<FileId>> = BTreeMap::new();
    let mut explicit: BTreeSet<PathBuf> = options
        .parameters
        .iter()
        .map(|p| discover::normalize(p))
        .collect();
    // Only configuration mappings look files up by absolute path.
    let by_absolute: BTreeMap<PathBuf, FileId> = if mappings.is_empty() {
        BTreeMap::new()
    } else {
        files
            .iter()
            .enumerate()
            .map(|(i, p)| (absolute(p), FileId(i as u32)))
            .collect()
    };
    for m in &mappings {
        let Some(&template) = by_absolute.get(&absolute(&m.template)) else {
            continue;
        };
        if kinds[template.0 as usize] != FileKind::Template
            || reads[template.0 as usize].error.is_some()
        {
            continue;
        }
        for p in &m.files {
            if let Some(&id) = by_absolute.get(&absolute(p)) {
                if reads[id.0 as usize].parameters.is_some() {
                    pairs.entry(template).or_default().insert(id);
                    explicit.insert(discover::normalize(&files[id.0 as usize]));
                }
            }
        }
    }
    if !options.parameters.is_empty() {
        if by_path.len() != 1 {
            return Err(LintError::ParametersNeedOneTemplate(by_path.len()));
        }
        let template = *by_path.values().next().expect("one template");
        for (i, p) in files.iter().enumerate() {
            if explicit.contains(&discover::normalize(p)) && reads[i].parameters.is_some() {
                pairs.entry(template).or_default().insert(FileId(i as u32));
            }
        }
    }
    for (i, path) in files.iter().enumerate() {
        if kinds[i] != FileKind::Parameters
            || reads[i].parameters.is_none()
            || (!explicit.is_empty() && explicit.contains(&discover::normalize(path)))
        {
            continue;
        }
        let mut candidates: Vec<PathBuf> = Vec::new();
        if let Some(t) = &reads[i].metadata_template {
            candidates.push(discover::normalize(t));
        }
        candidates.extend(
            discover::template_name_candidates(path)
                .iter()
                .map(|p| discover::normalize(p)),
        );
        match candidates.iter().find_map(|c| by_path.get(c)) {
            Some(&template) => {
                pairs.entry(template).or_default().insert(FileId(i as u32));
            }
            None => result.unpaired_parameters.push(FileId(i as u32)),
        }
    }

    // Units, in file order: a template once per parameter file (or once), an export once.
    struct Job {
        template: FileId,
        units: Vec<(u32, Option<FileId>)>,
    }
    let mut jobs = Vec::new();
    let mut infos = Vec::new();
    let mut exports: Vec<(u32, FileId)> = Vec::new();
    for (i, kind) in kinds.iter().enumerate() {
        let id = FileId(i as u32);
        match kind {
            FileKind::Template => {
                result.summary.templates += 1;
                if reads[i].error.is_some() {
                    continue;
                }
                let params: Vec<Option<FileId>> = match pairs.get(&id) {
                    Some(set) => set.iter().map(|p| Some(*p)).collect(),
                    None => vec![None],
                };
                let mut units = Vec::new();
                for p in params {
                    let unit = infos.len() as u32;
                    infos.push(UnitInfo {
                        file: id,
                        parameters: p,
                    });
                    units.push((unit, p));
                }
                jobs.push(Job {
                    template: id,
                    units,
                });
            }
            FileKind::Export if reads[i].error.is_none() => {
                let unit = infos.len() as u32;
                infos.push(UnitInfo {
                    file: id,
                    parameters: None,
                });
                exports.push((unit, id));
            }
            FileKind::Other if reads[i].error.is_none() => {
                result.summary.skipped += 1;
                result.skipped.push(id);
            }
            _ => {}
        }
    }
    result.summary.files = files.len();

    clock.lap(&mut result, "pair parameter files");
    // Evaluate.

    // The evaluation of one template, which notes where its lines start (in `newlines`, a
    // buffer of the thread's) for the report.
    let evaluate_job = |job: &Job,
                        arena: &parse::Arena,
                        buffer: &mut Vec<u8>,
                        newlines: &mut Vec<u32>|
     -> JobOutput {
        // Read here, whole, rather than kept from the first pass (which read only the start
        // of most templates), so that only the templates being evaluated are in memory; into
        // the thread's buffer, which the last template read left in the cache.
        let path = &files[job.template.0 as usize];
        let deferred = reads[job.template.0 as usize].deferred;
        let read = std::fs::File::open(path)
            .and_then(|file| read_whole(file, buffer, parse::MAX_FILE_BYTES));
        let read = match read {
            // Grown past the limit since the first pass.
            Ok(n) if n as u64 > parse::MAX_FILE_BYTES => Err(too_large(
                std::fs::metadata(path).map_or(n as u64, |m| m.len()),
            )),
            Ok(n) => Ok(n),
            Err(e) => Err(format!("cannot read file: {}", discover::describe_io(&e))),
        };
        // A template that cannot be read or parsed: its AML001, and its suppressions if read.
        let failed = |e: &SyntaxError, suppressions| -> JobOutput {
            (
                Vec::new(),
                vec![syntax_finding(job.template, e)],
                suppressions,
                None,
            )
        };
        let text = match read {
            Ok(n) => match parse::decode_borrowed(&buffer[..n]) {
                Ok(t) => t,
                // Only a template the first pass read no further than its start gets here.
                Err(e) => return failed(&e, None),
            },
            Err(message) => {
                let e = SyntaxError {
                    start: 0,
                    end: 0,
                    message,
                };
                return failed(&e, None);
            }
        };
        let suppressions = deferred.then(|| config::suppress::in_file(job.template, text));
        let ast = match parse::parse_noting_lines(text, arena, newlines) {
            Ok(ast) => ast,
            Err(e) => return failed(&e, suppressions),
        };
        let lines = LineMap::new(text, newlines);
        let mut problems = Vec::new();
        let mut cache = eval::TemplateCache::new();
        let units = job
            .units
            .iter()
            .map(|&(unit, params)| {
                let pv = params.and_then(|p| reads[p.0 as usize].parameters.as_ref());
                let out = eval::evaluate_cached(
                    &EvalInput {
                        file: job.template,
                        unit,
                        template: &ast,
                        parameters: pv,
                        wanted: &wanted,
                    },
                    &mut cache,
                );
                problems.extend(
                    out.problems
                        .iter()
                        .map(|p| problem_finding(p.span, &p.message, params)),
                );
                let resources = out
                    .resources
                    .into_iter()
                    .filter(|r| wanted(&r.full_type.to_ascii_lowercase()))
                    .collect();
                let input = UnitInput {
                    info: UnitInfo {
                        file: job.template,
                        parameters: params,
                    },
                    resources,
                    unexpanded: out.unexpanded,
                };
                // The unit's share of the model is built here, in parallel.
                (unit, model::unit_part(UnitId(unit), input, &listed))
            })
            .collect();
        (units, problems, suppressions, lines)
    };
    // Each template is read into a buffer of the thread's and its tree goes into an arena of the
    // thread's, reset after each template: both are built in memory the thread has just used.
    let evaluated: Vec<JobOutput> = jobs
        .par_iter()
        .map_init(
            || (parse::Arena::new(), Vec::new(), Vec::new()),
            |(arena, buffer, newlines), job| {
                let out = evaluate_job(job, arena, buffer, newlines);
                // What a typical template needs is kept; a large one's memory goes back.
                arena.reset(KEEP_BYTES);
                if buffer.len() > KEEP_BYTES {
                    *buffer = Vec::new();
                }
                if newlines.capacity() > KEEP_BYTES / 4 {
                    *newlines = Vec::new();
                }
                out
            },
        )
        .collect();

    let mut reads = reads;
    let mut parts: Vec<Option<UnitPart>> = (0..infos.len()).map(|_| None).collect();
    for (job, (units, problems, suppressions, lines)) in jobs.iter().zip(evaluated) {
        if let Some(lines) = lines {
            result.sources.set_lines(job.template, lines);
        }
        findings.extend(problems);
        for (unit, part) in units {
            parts[unit as usize] = Some(part);
        }
        if let Some(s) = suppressions {
            reads[job.template.0 as usize].suppressions = s;
        }
    }
    let exports: Vec<(u32, FileId, Vec<EvalResource>)> = exports
        .into_iter()
        .map(|(unit, file)| {
            let resources = std::mem::take(&mut reads[file.0 as usize].export);
            (unit, file, resources)
        })
        .collect();
    // What is left of the first pass that the rest of the run reads: the files' suppressions
    // (parameter values are no longer needed once the templates are evaluated).
    let file_suppressions: Vec<Suppression> =
        reads.into_iter().flat_map(|r| r.suppressions).collect();
    let export_parts: Vec<(u32, UnitPart)> = exports
        .into_par_iter()
        .map(|(unit, file, resources)| {
            let input = UnitInput {
                info: UnitInfo {
                    file,
                    parameters: None,
                },
                resources,
                unexpanded: Vec::new(),
            };
            (unit, model::unit_part(UnitId(unit), input, &listed))
        })
        .collect();
    for (unit, part) in export_parts {
        parts[unit as usize] = Some(part);
    }
    let parts: Vec<UnitPart> = parts
        .into_iter()
        .enumerate()
        .map(|(i, part)| {
            part.unwrap_or_else(|| {
                let input = UnitInput {
                    info: infos[i].clone(),
                    resources: Vec::new(),
                    unexpanded: Vec::new(),
                };
                model::unit_part(UnitId(i as u32), input, &listed)
            })
        })
        .collect();
    clock.lap(&mut result, "evaluate");
    let model = model::assemble(parts);
    clock.lap(&mut result, "build the model");
    findings.extend(rules::Context::new(&model).run(&options.catalog, &options.selection));
    clock.lap(&mut result, "run the rules");
    findings.retain(|f| options.selection.is_enabled(f.code));
    let findings = apply_configuration(findings, &files, file_suppressions, options, &mut result);
    let mut findings = findings;
    crate::report::sort(&mut findings, &result.sources);
    clock.lap(&mut result, "apply the configuration and sort");
    result.model = model;
    result.summary.count(&findings);
    result.findings = findings;
    Ok(result)
}

/// First pass over one file: read, decode, classify (parsing when the start does not decide).
/// The file is opened once: its start is read, and the rest only when the start does not say
/// what it is. A file the walk did not find to be regular (`regular`) is asked about by path
/// first, so that a FIFO or a device is never opened.
fn read(id: FileId, path: &Path, regular: bool, wanted: &(dyn Fn(&str) -> bool + Sync)) -> Read {
    use std::io::Read as _;
    let fail = |message: String| Read {
        error: Some(SyntaxError {
            start: 0,
            end: 0,
            message,
        }),
        ..Read::of_kind(FileKind::Other, Vec::new())
    };
    let cannot_read =
        |e: &std::io::Error| fail(format!("cannot read file: {}", discover::describe_io(e)));

    if !regular {
        match std::fs::metadata(path) {
            Ok(m) if !m.is_file() => {
                return fail("cannot read file: not a regular file".to_owned())
            }
            Ok(_) => {}
            Err(e) => return cannot_read(&e),
        }
    }
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return cannot_read(&e),
    };
    // The size, from the open file.
    match file.metadata() {
        Ok(m) if m.len() > parse::MAX_FILE_BYTES => return fail(too_large(m.len())),
        Ok(_) => {}
        Err(e) => return cannot_read(&e),
    }
    let mut bytes = Vec::with_capacity(PREFIX_BYTES);
    if let Err(e) = (&mut file)
        .take(PREFIX_BYTES as u64)
        .read_to_end(&mut bytes)
    {
        return cannot_read(&e);
    }
    if let Some(kind) = prefix_kind(&bytes) {
        return Read {
            deferred: true,
            ..Read::of_kind(kind, Vec::new())
        };
    }
    // The rest (bounded: the file may have grown since its size was read).
    let rest = (parse::MAX_FILE_BYTES + 1).saturating_sub(bytes.len() as u64);
    if let Err(e) = file.take(rest).read_to_end(&mut bytes) {
        return cannot_read(&e);
    }
    if bytes.len() as u64 > parse::MAX_FILE_BYTES {
        return fail(too_large(bytes.len() as u64));
    }
    let text = match parse::decode_borrowed(&bytes) {
        Ok(t) => t,
        Err(e) => {
            let mut r = fail(e.message.clone());
            r.error = Some(e);
            return r;
        }
    };
    let suppressions = config::suppress::in_file(id, text);
    if let Some(kind) = discover::quick_classify(text) {
        // Parsed (and a syntax error reported) when it is evaluated.
        return Read::of_kind(kind, suppressions);
    }
    let arena = parse::Arena::new();
    let ast = match parse::parse(text, &arena) {
        Ok(a) => a,
        Err(e) => {
            return Read {
                error: Some(e),
                ..Read::of_kind(FileKind::Other, Vec::new())
            }
        }
    };
    let kind = discover::classify(&ast);
    let mut r = Read::of_kind(kind, suppressions);
    match kind {
        FileKind::Parameters => {
            r.parameters = Some(eval::parameter_values(id, &ast));
            r.metadata_template = discover::template_by_metadata(path, &ast);
        }
        FileKind::Export => r.export = export_resources(id, &ast, wanted),
        _ => {}
    }
    r
}

/// How much memory a thread keeps for the next template, in its arena and in its read buffer.
const KEEP_BYTES: usize = 4 * 1024 * 1024;

/// How much of a file the first pass reads to recognise a template.
const PREFIX_BYTES: usize = 4096;

/// The message for a file of `len` bytes, over [`parse::MAX_FILE_BYTES`].
fn too_large(len: u64) -> String {
    format!(
        "file is {} MiB; amlint reads files up to {} MiB",
        len / (1024 * 1024),
        parse::MAX_FILE_BYTES / (1024 * 1024)
    )
}

/// Reads `file` whole into `buffer` and returns how many bytes it holds, stopping once that is
/// more than `limit`. The buffer's length is what it has initialised: kept from one file to the
/// next, it is grown (and zeroed) only when a file does not fit, and reading needs no call to
/// ask the file's size first.
fn read_whole(mut file: std::fs::File, buffer: &mut Vec<u8>, limit: u64) -> std::io::Result<usize> {
    use std::io::Read as _;
    let mut n = 0;
    loop {
        if n == buffer.len() {
            let grow = buffer.len().max(64 * 1024);
            buffer.resize(buffer.len() + grow, 0);
        }
        match file.read(&mut buffer[n..]) {
            Ok(0) => return Ok(n),
            Ok(k) => {
                n += k;
                if n as u64 > limit {
                    return Ok(n);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// What a file's first bytes say it is, when they decide ([`discover::quick_classify`]): only
/// valid UTF-8 is read (a character cut at the end of the prefix is left out); anything else,
/// a UTF-16 file for one, is read whole so that its error is reported where it is.
fn prefix_kind(prefix: &[u8]) -> Option<FileKind> {
    let prefix = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
    let text = match std::str::from_utf8(prefix) {
        Ok(t) => t,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&prefix[..e.valid_up_to()]).ok()?
        }
        Err(_) => return None,
    };
    discover::quick_classify(text)
}

/// The resources of an export file, in the shape the evaluator gives them.
fn export_resources(
    file: FileId,
    root: &parse::ast::Value<'_>,
    wanted: &(dyn Fn(&str) -> bool + Sync),
) -> Vec<EvalResource> {
    use crate::parse::Ranged;
    let objects: Vec<&parse::ast::Object<'_>> = match root {
        parse::ast::Value::Object(o) => vec![o],
        parse::ast::Value::Array(a) => a.elements.iter().filter_map(|e| e.as_object()).collect(),
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for o in objects {
        // Without an ID (PSRule exports of some types), the type and name identify the resource.
        let id = match o.member_str("id").or_else(|| o.member_str("ResourceId")) {
            Some(id) => id.to_owned(),
            None => {
                let (Some(t), Some(n)) = (o.member_str("type"), o.member_str("name")) else {
                    continue;
                };
                let scope = format!(
                    "/subscriptions/{}/resourceGroups/{}",
                    crate::arm::hole::make(
                        crate::arm::hole::HoleKind::Subscription,
                        "",
                        u32::MAX - file.0
                    ),
                    crate::arm::hole::make(
                        crate::arm::hole::HoleKind::ResourceGroup,
                        "",
                        u32::MAX - file.0
                    )
                );
                match crate::arm::resource_id::build(&scope, t, n) {
                    Ok(id) => id,
                    Err(_) => continue,
                }
            }
        };
        let Some(parsed) = crate::arm::resource_id::parse(&id) else {
            continue;
        };
        let r = o.range();
        let span = Span::new(file, r.start, r.end);
        let name_span = o
            .member("name")
            .map(|n| {
                let r = n.range();
                Span::new(file, r.start, r.end)
            })
            .unwrap_or(span);
        if !wanted(&parsed.full_type.to_ascii_lowercase()) {
            continue;
        }
        let body = eval::literal(file, &parse::ast::Value::Object(*o));
        out.push(EvalResource {
            full_type: Arc::from(parsed.full_type.as_str()),
            name: Value::str(parsed.full_name.as_str(), name_span),
            id: Value::str(id.as_str(), span),
            // Parsed with the model's shared strings when the model is built.
            parsed_id: None,
            symbolic: None,
            condition: Tri::Known(true),
            existing: false,
            body: Some(body),
            span,
            name_span,
            copy_index: None,
            deployments: Vec::new(),
        });
    }
    out
}

fn syntax_finding(file: FileId, e: &SyntaxError) -> Finding {
    let meta = rules::find("AML001").expect("AML001 is registered");
    Finding {
        code: meta.code,
        name: meta.name,
        severity: meta.severity,
        message: e.message.clone(),
        help: None,
        span: Span::new(file, e.start, e.end),
        label: None,
        resource: None,
        parameters_file: None,
        related: Vec::new(),
    }
}

fn problem_finding(span: Span, message: &str, parameters: Option<FileId>) -> Finding {
    let meta = rules::find("AML003").expect("AML003 is registered");
    Finding {
        code: meta.code,
        name: meta.name,
        severity: Severity::Error,
        message: message.to_owned(),
        help: None,
        span,
        label: None,
        resource: None,
        parameters_file: parameters,
        related: Vec::new(),
    }
}

/// A path as shown: relative to `cwd` when under it, with `/`.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let shown = if path.is_absolute() {
        path.strip_prefix(cwd).unwrap_or(path)
    } else {
        path
    };
    let shown = discover::normalize(shown);
    let text = shown.to_string_lossy().replace('\\', "/");
    if text.is_empty() {
        ".".to_owned()
    } else {
        text
    }
}

/// Applies what the configuration says about findings: `[rules]` levels, then suppressions from
/// configurations and from the files (`suppressions`: templates' metadata and comments); reports
/// suppressions that are malformed, expired or unused.
fn apply_configuration(
    findings: Vec<Finding>,
    files: &[PathBuf],
    mut suppressions: Vec<Suppression>,
    options: &LintOptions,
    result: &mut LintResult,
) -> Vec<Finding> {
    let configs = &options.configs;
    // Configuration files with suppressions become sources, so that reports can point into them.
    let mut registered: Vec<(Arc<config::ConfigFile>, FileId)> = Vec::new();
    for c in &configs.loaded {
        for s in &c.suppress {
            let Some(file) = &s.config_file else { continue };
            let id = match registered.iter().find(|(f, _)| f.path == file.path) {
                Some((_, id)) => *id,
                None => {
                    let id = result.sources.push(SourceFile::new(
                        file.path.clone(),
                        display_path(&file.path, &options.cwd),
                        Arc::from(file.text.as_str()),
                    ));
                    registered.push((file.clone(), id));
                    id
                }
            };
            // A file that several configurations extend is read once per chain: keep one copy.
            if suppressions.iter().any(|o| {
                o.config_file.as_ref().is_some_and(|f| f.path == file.path)
                    && (o.span.start, o.span.end) == (s.span.start, s.span.end)
            }) {
                continue;
            }
            let mut s = s.clone();
            s.span.file = id;
            suppressions.push(s);
        }
    }
    if configs.loaded.is_empty() && suppressions.is_empty() {
        return findings;
    }
    let path_of = |id: FileId| -> Option<PathBuf> {
        files
            .get(id.0 as usize)
            .cloned()
            .or_else(|| result.sources.get(id).map(|f| f.path.clone()))
    };
    let level = |code: &str, name: &str, file: FileId| -> Option<Level> {
        let path = path_of(file)?;
        configs.for_path(&path)?.level(code, name)
    };
    let leveled = |mut f: Finding| -> Option<Finding> {
        match level(f.code, f.name, f.span.file) {
            Some(Level::Off) => None,
            Some(Level::On(severity)) => {
                f.severity = severity;
                Some(f)
            }
            None => Some(f),
        }
    };
    let findings: Vec<Finding> = findings.into_iter().filter_map(leveled).collect();
    if suppressions.is_empty() {
        return findings;
    }
    let ran = |code: &str, file: Option<FileId>| -> bool {
        options.selection.is_enabled(code)
            && !file.is_some_and(|f| {
                options
                    .catalog
                    .find(code)
                    .is_some_and(|(m, _)| level(m.code, m.name, f) == Some(Level::Off))
            })
    };
    let applied = config::apply(
        findings,
        &suppressions,
        &config::ApplyContext {
            catalog: &options.catalog,
            today: options.today.unwrap_or_else(Date::today),
            path: &path_of,
            ran: &ran,
        },
    );
    applied
        .findings
        .into_iter()
        .filter(|f| options.selection.is_enabled(f.code))
        .filter_map(leveled)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::read_whole;
    use std::io::Write as _;

    #[test]
    fn read_whole_reads_every_byte_into_a_kept_buffer_and_stops_past_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        let open = || std::fs::File::open(&path).unwrap();
        // Longer than the first allocation: the buffer grows as the file is read.
        let long: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::File::create(&path)
            .unwrap()
            .write_all(&long)
            .unwrap();
        let mut buffer = Vec::new();
        let n = read_whole(open(), &mut buffer, u64::MAX).unwrap();
        assert_eq!(&buffer[..n], &long[..]);
        let kept = buffer.len();
        assert!(kept >= long.len());
        // A shorter file after it: the same buffer, not grown, not cleared past what was read.
        std::fs::write(&path, b"{}").unwrap();
        let n = read_whole(open(), &mut buffer, u64::MAX).unwrap();
        assert_eq!((&buffer[..n], buffer.len()), (&b"{}"[..], kept));
        std::fs::write(&path, b"").unwrap();
        assert_eq!(read_whole(open(), &mut buffer, u64::MAX).unwrap(), 0);
        // Past the limit, reading stops and says so by reading more than the limit.
        std::fs::write(&path, &long).unwrap();
        let n = read_whole(open(), &mut Vec::new(), 1000).unwrap();
        assert!(n > 1000 && n < long.len(), "{n}");
    }
}
