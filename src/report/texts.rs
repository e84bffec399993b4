//! Texts and line indexes for rendering, a few files at a time: a run over thousands of files
//! does not hold them all.

use super::Finding;
use crate::source::{line_cols, FileId, LineCol, LineIndex, Sources, Span};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// How many files' texts a renderer keeps at once.
const KEEP: usize = 8;

/// A small cache of file texts and their line indexes.
pub struct Texts<'s> {
    sources: &'s Sources,
    recent: Vec<(FileId, Arc<str>, Arc<LineIndex>)>,
    /// Positions worked out ahead (see [`Texts::for_findings`]), shared by its forks.
    known: Arc<FxHashMap<Span, (LineCol, LineCol)>>,
}

impl<'s> Texts<'s> {
    pub fn new(sources: &'s Sources) -> Self {
        Texts {
            sources,
            recent: Vec::with_capacity(KEEP),
            known: Arc::default(),
        }
    }

    /// A cache for another thread: the positions worked out ahead, and its own recent texts.
    pub fn fork(&self) -> Self {
        Texts {
            sources: self.sources,
            recent: Vec::with_capacity(KEEP),
            known: Arc::clone(&self.known),
        }
    }

    /// A cache that already knows where the findings' spans and related spans are: from the
    /// files' [`crate::source::LineMap`]s where they were noted, else the files are read in
    /// parallel, one file at a time per thread, and each is scanned once up to its last span (no
    /// line index is built).
    pub fn for_findings(sources: &'s Sources, findings: &[Finding]) -> Self {
        let mut by_file: FxHashMap<FileId, Vec<Span>> = FxHashMap::default();
        for f in findings {
            for span in std::iter::once(f.span).chain(f.related.iter().map(|r| r.span)) {
                by_file.entry(span.file).or_default().push(span);
            }
        }
        let mut files: Vec<(FileId, Vec<Span>)> = by_file.into_iter().collect();
        files.sort_unstable_by_key(|(file, _)| *file);
        let known: FxHashMap<Span, (LineCol, LineCol)> = files
            .into_par_iter()
            .flat_map_iter(|(file, spans)| {
                let mut offsets: Vec<usize> = spans
                    .iter()
                    .flat_map(|s| [s.start as usize, s.end as usize])
                    .collect();
                offsets.sort_unstable();
                offsets.dedup();
                let positions = match sources.get(file) {
                    Some(f) => match f.lines() {
                        Some(lines) => lines.line_cols(&offsets),
                        None => f.with_text(|text| line_cols(text, &offsets)),
                    },
                    None => line_cols("", &offsets),
                };
                let at = |offset: u32| positions[offsets.partition_point(|&o| o < offset as usize)];
                spans
                    .into_iter()
                    .map(|span| (span, (at(span.start), at(span.end))))
                    .collect::<Vec<_>>()
            })
            .collect();
        Texts {
            sources,
            recent: Vec::with_capacity(KEEP),
            known: Arc::new(known),
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
        let text = load(self.sources, file);
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

/// A file's text (empty for an unknown file).
fn load(sources: &Sources, file: FileId) -> Arc<str> {
    match sources.get(file) {
        Some(f) => f.load(),
        None => Arc::from(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Related, Severity};
    use crate::source::SourceFile;
    use std::path::PathBuf;

    #[test]
    fn positions_worked_out_ahead_are_the_ones_read_on_demand() {
        let mut sources = Sources::default();
        let a = sources.push(SourceFile::new(
            PathBuf::from("a.json"),
            "a.json".into(),
            Arc::from("{\n  \"é\": 1,\n  \"b\": [2]\n}\n"),
        ));
        let b = sources.push(SourceFile::new(
            PathBuf::from("b.json"),
            "b.json".into(),
            Arc::from("[\n\n  true]"),
        ));
        let finding = |span: Span, related: Vec<Related>| Finding {
            code: "AML201",
            name: "x",
            severity: Severity::Error,
            message: String::new(),
            help: None,
            span,
            label: None,
            resource: None,
            parameters_file: None,
            related,
        };
        let spans = [
            Span::new(a, 9, 10),
            Span::new(a, 15, 24),
            Span::new(b, 5, 9),
        ];
        let findings = vec![
            finding(
                spans[0],
                vec![Related {
                    span: spans[2],
                    message: String::new(),
                }],
            ),
            finding(spans[1], Vec::new()),
        ];
        let mut ahead = Texts::for_findings(&sources, &findings);
        assert_eq!(ahead.known.len(), 3);
        let mut lazy = Texts::new(&sources);
        for span in spans {
            assert_eq!(ahead.position(span), lazy.position(span), "{span:?}");
        }
        assert_eq!(ahead.position(spans[2]).0, LineCol { line: 3, column: 3 });
    }

    #[test]
    fn positions_come_from_a_noted_line_map_without_reading_the_file() {
        let text = "{\n  \"a\": [\n    1\n  ]\n}\n";
        let newlines: Vec<u32> = memchr::memchr_iter(b'\n', text.as_bytes())
            .map(|i| i as u32)
            .collect();
        let mut sources = Sources::default();
        // Gone from disk since it was read: only the map can place the span.
        let file = sources.push(SourceFile::unloaded(
            PathBuf::from("/nonexistent/amlint/template.json"),
            "template.json".into(),
        ));
        sources.set_lines(file, crate::source::LineMap::new(text, &newlines).unwrap());
        let one = text.find('1').unwrap();
        let finding = Finding {
            code: "AML201",
            name: "x",
            severity: Severity::Error,
            message: String::new(),
            help: None,
            span: Span::new(file, one, one + 1),
            label: None,
            resource: None,
            parameters_file: None,
            related: Vec::new(),
        };
        let mut texts = Texts::for_findings(&sources, std::slice::from_ref(&finding));
        assert_eq!(
            texts.position(finding.span),
            (
                LineCol { line: 3, column: 5 },
                LineCol { line: 3, column: 6 }
            )
        );
    }
}
