//! Texts and line indexes for rendering, a few files at a time: a run over thousands of files
//! does not hold them all.

use super::Finding;
use crate::source::{FileId, LineCol, LineIndex, Sources, Span};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// How many files' texts a renderer keeps at once.
const KEEP: usize = 8;

/// A small cache of file texts and their line indexes.
pub struct Texts<'s> {
    sources: &'s Sources,
    recent: Vec<(FileId, Arc<str>, Arc<LineIndex>)>,
    /// Positions worked out ahead (see [`Texts::for_findings`]).
    known: FxHashMap<Span, (LineCol, LineCol)>,
}

impl<'s> Texts<'s> {
    pub fn new(sources: &'s Sources) -> Self {
        Texts {
            sources,
            recent: Vec::with_capacity(KEEP),
            known: FxHashMap::default(),
        }
    }

    /// A cache that already knows where the findings' spans and related spans are: the files
    /// are read and their lines indexed in parallel, one file at a time per thread.
    pub fn for_findings(sources: &'s Sources, findings: &[Finding]) -> Self {
        let mut by_file: FxHashMap<FileId, Vec<Span>> = FxHashMap::default();
        for f in findings {
            for span in std::iter::once(f.span).chain(f.related.iter().map(|r| r.span)) {
                by_file.entry(span.file).or_default().push(span);
            }
        }
        let mut files: Vec<(FileId, Vec<Span>)> = by_file.into_iter().collect();
        files.sort_unstable_by_key(|(file, _)| *file);
        let known = files
            .into_par_iter()
            .flat_map_iter(|(file, spans)| {
                let text: Arc<str> = match sources.get(file) {
                    Some(f) => f.load(),
                    None => Arc::from(""),
                };
                let lines = LineIndex::new(&text);
                spans
                    .into_iter()
                    .map(|span| {
                        let at = |offset: u32| lines.line_col(&text, offset as usize);
                        (span, (at(span.start), at(span.end)))
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        Texts {
            sources,
            recent: Vec::with_capacity(KEEP),
            known,
        }
    }

    /// The text and line index of a file (empty for an unknown file).
    pub fn get(&mut self, file: FileId) -> (Arc<str>, Arc<LineIndex>) {
        if let Some(pos) = self.recent.iter().position(|(f, _, _)| *f == file) {
            let entry = self.recent.remove(pos);
            let out = (Arc::clone(&entry.1), Arc::clone(&entry.2));
            self.recent.push(entry);
            return out;
        }
        let text: Arc<str> = match self.sources.get(file) {
            Some(f) => f.load(),
            None => Arc::from(""),
        };
        let lines = Arc::new(LineIndex::new(&text));
        if self.recent.len() == KEEP {
            self.recent.remove(0);
        }
        self.recent
            .push((file, Arc::clone(&text), Arc::clone(&lines)));
        (text, lines)
    }

    /// Start and end of a span as lines and columns.
    pub fn position(&mut self, span: Span) -> (LineCol, LineCol) {
        if let Some(known) = self.known.get(&span) {
            return *known;
        }
        let (text, lines) = self.get(span.file);
        (
            lines.line_col(&text, span.start as usize),
            lines.line_col(&text, span.end as usize),
        )
    }
}
