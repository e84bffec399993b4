//! Texts and line indexes for rendering, a few files at a time: a run over thousands of files
//! does not hold them all.

use crate::source::{FileId, LineCol, LineIndex, Sources, Span};
use std::sync::Arc;

/// How many files' texts a renderer keeps at once.
const KEEP: usize = 8;

/// A small cache of file texts and their line indexes.
pub struct Texts<'s> {
    sources: &'s Sources,
    recent: Vec<(FileId, Arc<str>, Arc<LineIndex>)>,
}

impl<'s> Texts<'s> {
    pub fn new(sources: &'s Sources) -> Self {
        Texts {
            sources,
            recent: Vec::with_capacity(KEEP),
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
        let (text, lines) = self.get(span.file);
        (
            lines.line_col(&text, span.start as usize),
            lines.line_col(&text, span.end as usize),
        )
    }
}
