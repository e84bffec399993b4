//! A single-pass parser for well-formed JSON with comments, building the tree of [`super::tree`].
//!
//! Nearly every file amlint reads is well-formed, and for those this parser is several times
//! faster than jsonc-parser's general one: one pass over the bytes, strings borrowed unless they
//! have escapes. It accepts exactly strict JSON plus `//` and `/* */` comments, and gives up
//! at anything else — a syntax error, but also anything unusual it does not judge (a control
//! character in a string, an escaped lone surrogate, whitespace other than JSON's). The caller
//! then parses with jsonc-parser, whose verdict and message stand. The two build the same tree for
//! every input this one accepts (tested on the fixtures, the corpus and generated JSON). The one
//! error this parser reports itself is nesting deeper than [`MAX_DEPTH`], which jsonc-parser lets
//! pass by one level.

use super::tree::{
    Arena, Array, BooleanLit, NullKeyword, NumberLit, Object, ObjectProp, Span32, StringLit, Value,
};
use super::{Comment, MAX_DEPTH};

/// Why the fast path did not give a tree.
#[derive(Debug, PartialEq, Eq)]
pub enum GiveUp {
    /// Not plain JSON with comments: jsonc-parser is to judge.
    Other,
    /// An array or object opens deeper than [`MAX_DEPTH`] at this byte, everything before it
    /// being well-formed: the file's first error.
    TooDeep(usize),
}

/// Parses `text` into `arena`, noting the comments and the offset of every `\n` (ascending) on
/// the way. On a give-up, both lists hold what was read before it.
pub fn parse<'a>(
    text: &'a str,
    arena: &'a Arena,
    comments: &mut Vec<Comment>,
    newlines: &mut Vec<u32>,
) -> Result<Value<'a>, GiveUp> {
    let mut p = Parser {
        text,
        arena,
        bytes: text.as_bytes(),
        at: 0,
        depth: 0,
        too_deep: None,
        comments,
        newlines,
        props: Vec::new(),
        elements: Vec::new(),
    };
    let value = (|| {
        p.skip_trivia()?;
        let value = p.value()?;
        p.skip_trivia()?;
        (p.at == p.bytes.len()).then_some(value)
    })();
    match (value, p.too_deep) {
        (Some(v), _) => Ok(v),
        (None, Some(at)) => Err(GiveUp::TooDeep(at)),
        (None, None) => Err(GiveUp::Other),
    }
}

struct Parser<'a, 'c> {
    text: &'a str,
    arena: &'a Arena,
    bytes: &'a [u8],
    at: usize,
    depth: usize,
    too_deep: Option<usize>,
    comments: &'c mut Vec<Comment>,
    /// Offsets of the `\n` bytes read so far. Outside comments, a line break can only be
    /// whitespace between tokens (a string may not hold one), so they are all found there.
    newlines: &'c mut Vec<u32>,
    /// The members and elements of the open containers, innermost last: each container takes its
    /// own off the top when it closes, into a slice of the arena.
    props: Vec<ObjectProp<'a>>,
    elements: Vec<Value<'a>>,
}

impl<'a> Parser<'a, '_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Skips whitespace and comments; `None` at an unterminated comment or a lone `/`.
    ///
    /// Inlined where it is called: most calls skip nothing or one line break and its
    /// indentation. Comments are read out of line.
    #[inline(always)]
    fn skip_trivia(&mut self) -> Option<()> {
        loop {
            // Indentation comes in runs of spaces: read eight bytes at a time, up to the first
            // that is not a space.
            while let Some(word) = self.bytes.get(self.at..self.at + 8) {
                let mut eight = [0u8; 8];
                eight.copy_from_slice(word);
                let others = u64::from_le_bytes(eight) ^ u64::from_le_bytes([b' '; 8]);
                if others != 0 {
                    self.at += (others.trailing_zeros() / 8) as usize;
                    break;
                }
                self.at += 8;
            }
            match self.peek() {
                Some(b'\n') => {
                    // The text is shorter than 4 GiB (checked by the caller).
                    self.newlines.push(self.at as u32);
                    self.at += 1;
                }
                Some(b' ' | b'\t' | b'\r') => self.at += 1,
                Some(b'/') => self.comment()?,
                _ => return Some(()),
            }
        }
    }

    /// Reads the comment at a `/`; `None` at an unterminated comment or a lone `/`.
    #[cold]
    #[inline(never)]
    fn comment(&mut self) -> Option<()> {
        let start = self.at;
        let end = match self.bytes.get(start + 1) {
            Some(b'/') => {
                // Up to the end of the line (`\n` or `\r`), as jsonc-parser reads it.
                let end = self.bytes[start..]
                    .iter()
                    .position(|&b| b == b'\n' || b == b'\r')
                    .map_or(self.bytes.len(), |i| start + i);
                self.comments.push(Comment {
                    start,
                    end,
                    text: self.text[start + 2..end].to_owned(),
                });
                end
            }
            Some(b'*') => {
                let close = find(&self.bytes[start + 2..], b"*/")?;
                let end = start + 2 + close + 2;
                self.newlines.extend(
                    memchr::memchr_iter(b'\n', &self.bytes[start..end]).map(|i| (start + i) as u32),
                );
                self.comments.push(Comment {
                    start,
                    end,
                    text: self.text[start + 2..end - 2].to_owned(),
                });
                end
            }
            _ => return None,
        };
        self.at = end;
        Some(())
    }

    fn value(&mut self) -> Option<Value<'a>> {
        match self.peek()? {
            b'{' => self.object().map(Value::Object),
            b'[' => self.array().map(Value::Array),
            b'"' => self.string().map(Value::StringLit),
            b't' => self
                .keyword("true")
                .map(|span| Value::BooleanLit(BooleanLit { span, value: true })),
            b'f' => self
                .keyword("false")
                .map(|span| Value::BooleanLit(BooleanLit { span, value: false })),
            b'n' => self
                .keyword("null")
                .map(|span| Value::NullKeyword(NullKeyword { span })),
            b'-' | b'0'..=b'9' => self.number().map(Value::NumberLit),
            _ => None,
        }
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.too_deep = Some(self.at);
            return None;
        }
        Some(())
    }

    fn object(&mut self) -> Option<Object<'a>> {
        let base = self.props.len();
        let span = self.container(b'}', |p| {
            let name = p.string()?;
            p.skip_trivia()?;
            if p.peek()? != b':' {
                return None;
            }
            p.at += 1;
            p.skip_trivia()?;
            let value = p.value()?;
            p.props.push(ObjectProp { name, value });
            Some(())
        })?;
        let properties = self.arena.slice(&self.props[base..]);
        self.props.truncate(base);
        Some(Object { span, properties })
    }

    fn array(&mut self) -> Option<Array<'a>> {
        let base = self.elements.len();
        let span = self.container(b']', |p| {
            let value = p.value()?;
            p.elements.push(value);
            Some(())
        })?;
        let elements = self.arena.slice(&self.elements[base..]);
        self.elements.truncate(base);
        Some(Array { span, elements })
    }

    /// An object or array from its opening bracket to `close`: `item` reads each member or
    /// element; commas go between them, and nowhere else.
    fn container(
        &mut self,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<Span32> {
        self.enter()?;
        let start = self.at;
        self.at += 1;
        self.skip_trivia()?;
        if self.peek()? != close {
            loop {
                item(self)?;
                self.skip_trivia()?;
                match self.peek()? {
                    b',' => {
                        self.at += 1;
                        self.skip_trivia()?;
                    }
                    c if c == close => break,
                    _ => return None,
                }
            }
        }
        self.at += 1;
        self.depth -= 1;
        Some(Span32::new(start, self.at))
    }

    fn keyword(&mut self, word: &str) -> Option<Span32> {
        let start = self.at;
        let end = start + word.len();
        if self.bytes.get(start..end)? != word.as_bytes() {
            return None;
        }
        // `trueish` is a word, not `true`.
        if self
            .bytes
            .get(end)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b >= 0x80)
        {
            return None;
        }
        self.at = end;
        Some(Span32::new(start, end))
    }

    /// A JSON number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Option<NumberLit<'a>> {
        let start = self.at;
        let b = self.bytes;
        let mut i = start;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i)? {
            b'0' => i += 1,
            b'1'..=b'9' => {
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
            }
            _ => return None,
        }
        if b.get(i) == Some(&b'.') {
            i = digits(b, i + 1)?;
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            i = digits(b, i)?;
        }
        // A number runs into no word (`1x`, `0x1F`, `01`).
        if b.get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_') || *c >= 0x80)
        {
            return None;
        }
        self.at = i;
        Some(NumberLit {
            span: Span32::new(start, i),
            value: &self.text[start..i],
        })
    }

    /// A double-quoted string; borrowed unless it has escapes (then unescaped into the arena).
    ///
    /// Always inlined: left to the optimiser, whether it was inlined into the value parser
    /// changed with unrelated edits elsewhere, and with it 1 % of a run's instructions.
    #[inline(always)]
    fn string(&mut self) -> Option<StringLit<'a>> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.at;
        let body = start + 1;
        let mut i = body;
        let b = self.bytes;
        // The common case: no escape before the closing quote. The first quote, backslash or
        // control character is found eight bytes at a time; a control character ends the fast
        // path.
        i = special_byte(b, i)?;
        if b[i] < 0x20 {
            return None;
        }
        if b[i] == b'"' {
            self.at = i + 1;
            return Some(StringLit {
                span: Span32::new(start, i + 1),
                value: &self.text[body..i],
            });
        }
        let mut out = String::with_capacity(i - body + 16);
        out.push_str(&self.text[body..i]);
        loop {
            match *b.get(i)? {
                b'"' => {
                    self.at = i + 1;
                    return Some(StringLit {
                        span: Span32::new(start, i + 1),
                        value: self.arena.str(&out),
                    });
                }
                b'\\' => {
                    i += 1;
                    let c = match *b.get(i)? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let high = hex4(b.get(i + 1..i + 5)?)?;
                            i += 4;
                            if (0xD800..0xDC00).contains(&high) {
                                // A surrogate pair: `\uD83D\uDE00`.
                                if b.get(i + 1..i + 3)? != b"\\u" {
                                    return None;
                                }
                                let low = hex4(b.get(i + 3..i + 7)?)?;
                                if !(0xDC00..0xE000).contains(&low) {
                                    return None;
                                }
                                i += 6;
                                char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))?
                            } else {
                                char::from_u32(high)?
                            }
                        }
                        _ => return None,
                    };
                    out.push(c);
                    i += 1;
                }
                _ => {
                    // Copy up to the next quote or backslash in one go (UTF-8 continuation
                    // bytes are never `"` or `\`).
                    let run = i + memchr::memchr2(b'"', b'\\', &b[i..])?;
                    if has_control(&b[i..run]) {
                        return None;
                    }
                    out.push_str(&self.text[i..run]);
                    i = run;
                }
            }
        }
    }
}

/// The index of the first byte from `i` on that a string's fast path stops at: `"`, `\\` or a
/// control character (which JSON strings may not hold). `None` when there is none.
///
/// Eight bytes at a time: in each word, the classic tests for a zero byte (after an XOR with the
/// quote or the backslash) and for a byte below 0x20 flag the lowest matching byte exactly (a
/// borrow can only flag bytes above a true match), so the lowest flag of the three is the first
/// special byte.
fn special_byte(b: &[u8], mut i: usize) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    const QUOTES: u64 = u64::from_le_bytes([b'"'; 8]);
    const BACKSLASHES: u64 = u64::from_le_bytes([b'\\'; 8]);
    const SPACES: u64 = u64::from_le_bytes([0x20; 8]);
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    if i > b.len() {
        return None;
    }
    while i + 8 <= b.len() {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(&b[i..i + 8]);
        let w = u64::from_le_bytes(eight);
        let flags =
            zero(w ^ QUOTES) | zero(w ^ BACKSLASHES) | (w.wrapping_sub(SPACES) & !w & HIGHS);
        if flags != 0 {
            return Some(i + (flags.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b[i..]
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
        .map(|n| i + n)
}

/// Whether the bytes hold a control character, which JSON strings may not (written to vectorise:
/// no early exit).
fn has_control(bytes: &[u8]) -> bool {
    bytes.iter().fold(false, |found, &c| found | (c < 0x20))
}

/// The end of the run of at least one ASCII digit that starts at `i`.
fn digits(b: &[u8], i: usize) -> Option<usize> {
    let n = b[i.min(b.len())..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    (n > 0).then_some(i + n)
}

fn hex4(digits: &[u8]) -> Option<u32> {
    let mut n = 0;
    for &d in digits {
        n = n * 16 + (d as char).to_digit(16)?;
    }
    Some(n)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::special_byte;
    use proptest::prelude::*;

    fn naive(b: &[u8], i: usize) -> Option<usize> {
        (i..b.len()).find(|&j| b[j] == b'"' || b[j] == b'\\' || b[j] < 0x20)
    }

    proptest! {
        /// The word-at-a-time search finds what a byte-by-byte one finds, from any start, in
        /// bytes weighted towards the interesting ones (and high bytes, which a borrow could
        /// confuse).
        #[test]
        fn special_byte_is_the_first_quote_backslash_or_control(
            bytes in proptest::collection::vec(
                prop_oneof![
                    Just(b'"'), Just(b'\\'), Just(0x1f_u8), Just(0x00_u8), Just(0x20_u8),
                    Just(0x21_u8), Just(0x80_u8), Just(0xff_u8), Just(0x5b_u8), Just(0xa2_u8),
                    any::<u8>(), b'a'..=b'z', b'a'..=b'z', b'a'..=b'z',
                ],
                0..40,
            ),
            start in 0usize..44,
        ) {
            prop_assert_eq!(special_byte(&bytes, start), naive(&bytes, start));
        }
    }
}
