//! Source files and byte spans.
//!
//! Every value amlint reports on keeps a [`Span`]: the file it came from and its byte range there.
//! Line and column numbers are computed only when a finding is rendered.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// Index of a file in [`Sources`]; assigned in sorted path order, so stable from run to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

impl FileId {
    /// Used for values that have no position in any file (built-in defaults).
    pub const NONE: FileId = FileId(u32::MAX);
}

/// A byte range in one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const NONE: Span = Span {
        file: FileId::NONE,
        start: 0,
        end: 0,
    };

    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Span {
            file,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    pub fn is_none(&self) -> bool {
        self.file == FileId::NONE
    }

    /// `self` unless it is [`Span::NONE`], then `other`.
    pub fn or(self, other: Span) -> Span {
        if self.is_none() {
            other
        } else {
            self
        }
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// 1-based line and column; the column counts Unicode scalar values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Byte offsets of line starts, for turning offsets into [`LineCol`].
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(
            memchr::memchr_iter(b'\n', text.as_bytes())
                .map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        LineIndex { starts }
    }

    /// Line and column of a byte offset (clamped to the text, and to a char boundary).
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match self.starts.binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line] as usize;
        let column = text[start..offset].chars().count() + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

/// Lines and columns of many offsets in one text, in one pass: `offsets` must be sorted.
///
/// The same positions as [`LineIndex::line_col`] gives, without a line index: the text is
/// scanned once, from each offset to the next, newlines counted a block at a time and columns
/// counted from the previous offset when it is on the same line.
pub fn line_cols(text: &str, offsets: &[usize]) -> Vec<LineCol> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(offsets.len());
    // The position reached: its byte offset, line and column.
    let (mut at, mut line, mut column) = (0usize, 1usize, 1usize);
    for &offset in offsets {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        debug_assert!(offset >= at, "offsets must be sorted");
        let offset = offset.max(at);
        let between = &bytes[at..offset];
        let newlines = count_newlines(between);
        let from = if newlines == 0 {
            at
        } else {
            line += newlines;
            column = 1;
            at + memchr::memrchr(b'\n', between).map_or(0, |i| i + 1)
        };
        column += text[from..offset].chars().count();
        at = offset;
        out.push(LineCol { line, column });
    }
    out
}

/// Where the lines of an ASCII text start, noted while the text is at hand so that positions in it
/// can be given later without reading the file again (a report on thousands of files would
/// otherwise read most of them twice).
///
/// Compact, since one is kept for every template of a run: the length of each line but the last,
/// seven bits to a byte (a line of pretty-printed JSON takes one). Only for ASCII texts, where a
/// column is a count of bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineMap {
    /// The text's length in bytes, which offsets are clamped to.
    len: u32,
    /// Each line's length with its `\n`, little-endian base 128: seven bits to a byte, the high
    /// bit set on all bytes of a length but its last.
    lengths: Box<[u8]>,
}

impl LineMap {
    /// The map of `text`, whose `\n` bytes are at `newlines` (ascending, all of them); `None`
    /// when the text is not ASCII or is 4 GiB or longer.
    pub fn new(text: &str, newlines: &[u32]) -> Option<LineMap> {
        let len = u32::try_from(text.len()).ok()?;
        if !is_ascii(text.as_bytes()) {
            return None;
        }
        let mut lengths = Vec::with_capacity(newlines.len() + newlines.len() / 16);
        let mut start = 0u32;
        for &newline in newlines {
            debug_assert_eq!(text.as_bytes()[newline as usize], b'\n');
            let mut n = newline + 1 - start;
            start = newline + 1;
            while n >= 0x80 {
                lengths.push((n & 0x7F) as u8 | 0x80);
                n >>= 7;
            }
            lengths.push(n as u8);
        }
        Some(LineMap {
            len,
            lengths: lengths.into_boxed_slice(),
        })
    }

    /// The positions [`line_cols`] gives for `offsets` (sorted) in the text.
    pub fn line_cols(&self, offsets: &[usize]) -> Vec<LineCol> {
        let mut lengths = self.lengths.iter();
        let mut next_length = || {
            let mut n = 0usize;
            for (i, &b) in lengths.by_ref().enumerate() {
                n |= usize::from(b & 0x7F) << (7 * i);
                if b & 0x80 == 0 {
                    return Some(n);
                }
            }
            None
        };
        let (mut line, mut start) = (1usize, 0usize);
        let mut next = next_length();
        let mut out = Vec::with_capacity(offsets.len());
        for &offset in offsets {
            let offset = offset.min(self.len as usize);
            while let Some(length) = next {
                if start + length > offset {
                    break;
                }
                line += 1;
                start += length;
                next = next_length();
            }
            out.push(LineCol {
                line,
                column: offset.saturating_sub(start) + 1,
            });
        }
        out
    }
}

/// Whether every byte is ASCII: 64 bytes at a time, with no early exit inside a block (a form the
/// compiler vectorizes; `<[u8]>::is_ascii` tests word by word).
fn is_ascii(bytes: &[u8]) -> bool {
    bytes
        .chunks(64)
        .all(|block| block.iter().fold(0u8, |acc, &b| acc | b) < 0x80)
}

/// How many `\n` bytes `bytes` holds, 64 bytes at a time (a form the compiler vectorizes).
fn count_newlines(bytes: &[u8]) -> usize {
    let mut chunks = bytes.chunks_exact(64);
    let mut n = 0usize;
    for chunk in &mut chunks {
        n += usize::from(
            chunk
                .iter()
                .fold(0u8, |acc, &b| acc.wrapping_add(u8::from(b == b'\n'))),
        );
    }
    n + chunks.remainder().iter().filter(|&&b| b == b'\n').count()
}

/// One input file as read from disk.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as amlint opened it.
    pub path: PathBuf,
    /// The path shown to users: relative to the working directory where possible, with `/`.
    pub display: String,
    /// The text without a leading byte order mark; read on first use when not given.
    text: OnceLock<Arc<str>>,
    /// Where the text's lines start, when noted while it was read (see [`LineMap`]).
    lines: Option<LineMap>,
}

impl SourceFile {
    /// A file whose text is at hand.
    pub fn new(path: PathBuf, display: String, text: Arc<str>) -> Self {
        let cell = OnceLock::new();
        let _ = cell.set(text);
        SourceFile {
            path,
            display,
            text: cell,
            lines: None,
        }
    }

    /// A file whose text is read from disk when a finding needs it: a run does not keep every
    /// file it linted in memory.
    pub fn unloaded(path: PathBuf, display: String) -> Self {
        SourceFile {
            path,
            display,
            text: OnceLock::new(),
            lines: None,
        }
    }

    /// Where the text's lines start, if that was noted.
    pub fn lines(&self) -> Option<&LineMap> {
        self.lines.as_ref()
    }

    /// The text (without a byte order mark; invalid UTF-8 replaced; empty if unreadable), kept
    /// once read.
    pub fn text(&self) -> &Arc<str> {
        self.text.get_or_init(|| Arc::from(read_text(&self.path)))
    }

    /// The text, read again if it is not kept: for renderers that go through many files and need
    /// each only for a moment.
    pub fn load(&self) -> Arc<str> {
        match self.text.get() {
            Some(t) => Arc::clone(t),
            None => Arc::from(read_text(&self.path)),
        }
    }

    /// Calls `f` with the text, read again (and not kept) if it is not kept: no copy into a
    /// shared buffer for a text used once.
    pub fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        match self.text.get() {
            Some(t) => f(t),
            None => match read_regular(&self.path) {
                // Borrowed from the bytes read when they are UTF-8, as nearly every file is.
                Ok(bytes) => match crate::parse::decode_borrowed(&bytes) {
                    Ok(text) => f(text),
                    Err(_) => f(&crate::parse::decode(bytes).unwrap_or_else(|(_, shown)| shown)),
                },
                Err(_) => f(""),
            },
        }
    }
}

/// The bytes of a regular file. Anything else (a FIFO, which would wait for a writer; a device)
/// is not opened.
fn read_regular(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    if !std::fs::metadata(path)?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    std::fs::read(path)
}

/// A file's text as amlint reads it: without a byte order mark, invalid UTF-8 replaced, empty when
/// it cannot be read.
pub fn read_text(path: &std::path::Path) -> String {
    match read_regular(path) {
        Ok(bytes) => match crate::parse::decode(bytes) {
            Ok(text) => text,
            Err((_, shown)) => shown,
        },
        Err(_) => String::new(),
    }
}

/// All files of a run, indexed by [`FileId`].
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn push(&mut self, file: SourceFile) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).expect("fewer than 4 billion files"));
        self.files.push(file);
        id
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// Notes where the lines of file `id`'s text start.
    pub fn set_lines(&mut self, id: FileId, lines: LineMap) {
        if let Some(file) = self.files.get_mut(id.0 as usize) {
            file.lines = Some(lines);
        }
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// The text a span covers, if it is in a known file.
    pub fn slice(&self, span: Span) -> Option<&str> {
        let file = self.get(span.file)?;
        file.text().get(span.start as usize..span.end as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_scalar_values() {
        let text = "{\n  \"ä\": 1,\n\r\n  \"b\": 2}";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, column: 1 });
        let b = text.find("\"b\"").unwrap();
        assert_eq!(idx.line_col(text, b), LineCol { line: 4, column: 3 });
        let one = text.find('1').unwrap();
        // `"ä"` is four bytes but three characters.
        assert_eq!(idx.line_col(text, one), LineCol { line: 2, column: 8 });
        assert_eq!(idx.line_count(), 4);
    }

    #[test]
    fn line_cols_scans_to_the_positions_of_the_index() {
        let text = "{\n  \"ä\": 1,\n\r\n  \"b\": 2}";
        let idx = LineIndex::new(text);
        let offsets: Vec<usize> = (0..=text.len() + 2).collect();
        let want: Vec<LineCol> = offsets.iter().map(|&o| idx.line_col(text, o)).collect();
        assert_eq!(line_cols(text, &offsets), want);
        assert_eq!(line_cols(text, &[]), Vec::new());
    }

    proptest::proptest! {
        /// Any text (long lines, multibyte characters, newlines inside 64-byte blocks and at
        /// their edges), any sorted offsets, repeated or past the end: the index's answers.
        #[test]
        fn line_cols_matches_the_line_index(
            text in "([a-z\\n]{0,70}|é|\\n\\n|€|𝄞|\\r\\n){0,40}",
            mut offsets in proptest::collection::vec(0usize..400, 0..20),
        ) {
            offsets.sort_unstable();
            let idx = LineIndex::new(&text);
            let want: Vec<LineCol> = offsets.iter().map(|&o| idx.line_col(&text, o)).collect();
            proptest::prop_assert_eq!(line_cols(&text, &offsets), want);
        }
    }

    fn newlines(text: &str) -> Vec<u32> {
        memchr::memchr_iter(b'\n', text.as_bytes())
            .map(|i| i as u32)
            .collect()
    }

    #[test]
    fn line_map_gives_the_positions_of_a_scan() {
        let long = "x".repeat(300);
        let text = format!("{{\n  \"a\": 1,\n\r\n\n  \"{long}\": 2}}\n{long}\n");
        let map = LineMap::new(&text, &newlines(&text)).unwrap();
        let offsets: Vec<usize> = (0..=text.len() + 2).collect();
        assert_eq!(map.line_cols(&offsets), line_cols(&text, &offsets));
        // Lines of 128 bytes and more take two bytes, of 2^14 and more three.
        let huge = format!("{}\n{}\n", "y".repeat(20_000), "z".repeat(127));
        let map = LineMap::new(&huge, &newlines(&huge)).unwrap();
        assert_eq!(map.lengths.len(), 3 + 2);
        let offsets = [0, 19_999, 20_000, 20_001, 20_100, 20_128, 20_129, 99_999];
        assert_eq!(map.line_cols(&offsets), line_cols(&huge, &offsets));
        assert_eq!(map.line_cols(&[20_129])[0], LineCol { line: 3, column: 1 });
        assert_eq!(
            LineMap::new("", &[]).unwrap().line_cols(&[0, 5]),
            [LineCol { line: 1, column: 1 }; 2]
        );
    }

    #[test]
    fn is_ascii_agrees_with_the_standard_library() {
        for text in [
            "",
            "a",
            "{\n}",
            "é",
            &"x".repeat(200),
            &format!("{}é", "x".repeat(130)),
        ] {
            assert_eq!(is_ascii(text.as_bytes()), text.is_ascii(), "{text:?}");
        }
        let mut bytes = vec![b'a'; 300];
        for at in [0, 63, 64, 150, 299] {
            bytes[at] = 0x80;
            assert!(!is_ascii(&bytes));
            bytes[at] = b'a';
        }
        assert!(is_ascii(&bytes));
    }

    #[test]
    fn line_map_is_for_ascii_texts_only() {
        let text = "{\n\"ä\": 1}";
        assert_eq!(LineMap::new(text, &newlines(text)), None);
    }

    proptest::proptest! {
        /// Any ASCII text, any sorted offsets (past the end too): the positions of a scan.
        #[test]
        fn line_map_matches_line_cols(
            text in "([a-z ]{0,200}|\\n\\n|\\r\\n|\\n){0,40}",
            mut offsets in proptest::collection::vec(0usize..3000, 0..20),
        ) {
            offsets.sort_unstable();
            let map = LineMap::new(&text, &newlines(&text)).unwrap();
            proptest::prop_assert_eq!(map.line_cols(&offsets), line_cols(&text, &offsets));
        }
    }

    #[test]
    fn line_col_clamps_and_snaps_to_char_boundary() {
        let text = "ä";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 1), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(text, 99), LineCol { line: 1, column: 2 });
    }
}
