//! JSON with comments, parsed with byte spans.
//!
//! ARM accepts `//` and `/* */` comments and a UTF-8 byte order mark, and nothing else beyond JSON:
//! trailing commas, single quotes, unquoted keys and the like are syntax errors here too.
//! The tree ([`ast`], allocated in an [`Arena`]) keeps the byte range of every value: that is the
//! span index ([`pointer_span`] finds the span of any JSON pointer), and the evaluator carries
//! spans from the tree into every evaluated value. Well-formed files are read by a single-pass
//! parser of our own (`fast`), several times faster than jsonc-parser; anything it does not accept
//! is parsed again by jsonc-parser with every leniency but comments switched off, whose error
//! message and position stand, and its tree is copied into the arena.

mod ast_ext;
mod fast;
mod tree;

pub use ast_ext::{pointer_span, to_serde, ObjectExt};
pub use tree::Arena;
pub use tree::Ranged;

/// The parsed tree's node types, under the name jsonc-parser gives its own.
pub mod ast {
    pub use super::tree::{
        Array, BooleanLit, NullKeyword, NumberLit, Object, ObjectProp, Span32, StringLit, Value,
    };
}

use jsonc_parser::errors::ParseErrorKind;
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions};

/// Deepest nesting of arrays and objects amlint reads (jsonc-parser's own limit).
pub const MAX_DEPTH: usize = 512;

/// Largest file amlint reads. ARM itself rejects templates over 4 MiB; exports can be larger.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A file that is not JSON, with the byte range where reading stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub start: usize,
    pub end: usize,
    pub message: String,
}

/// A comment, with its byte range (for `amlint-ignore` comments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// Turns raw bytes into text: checks UTF-8 and drops a leading byte order mark.
///
/// On error, also returns the text with invalid bytes replaced, so that the position can be shown.
pub fn decode(bytes: Vec<u8>) -> Result<String, (SyntaxError, String)> {
    if let Some(e) = utf16(&bytes) {
        return Err((e, String::new()));
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            Ok(text)
        }
        Err(err) => {
            let at = err.utf8_error().valid_up_to();
            let bytes = err.into_bytes();
            // The valid prefix is kept as is, so that the offset still points at the bad byte.
            let shown = String::from_utf8_lossy(&bytes[..at]).into_owned();
            Err((not_utf8(&bytes, at), shown))
        }
    }
}

/// [`decode`] for bytes the caller keeps (a buffer it reuses): the text borrows them. Checked
/// with SIMD instructions (simdutf8); the standard library finds where invalid text goes wrong.
pub fn decode_borrowed(bytes: &[u8]) -> Result<&str, SyntaxError> {
    if let Some(e) = utf16(bytes) {
        return Err(e);
    }
    match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => Ok(text.strip_prefix('\u{feff}').unwrap_or(text)),
        // The two checks agree; the standard library's says where.
        Err(_) => Err(not_utf8(
            bytes,
            std::str::from_utf8(bytes)
                .err()
                .map_or(0, |e| e.valid_up_to()),
        )),
    }
}

fn utf16(bytes: &[u8]) -> Option<SyntaxError> {
    (bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF])).then(|| SyntaxError {
        start: 0,
        end: 0,
        message: "file is UTF-16; ARM templates must be UTF-8".to_owned(),
    })
}

/// The error for text that is not UTF-8 from byte `at` on.
fn not_utf8(bytes: &[u8], at: usize) -> SyntaxError {
    SyntaxError {
        start: at,
        end: at,
        message: format!(
            "file is not valid UTF-8: byte 0x{:02X} cannot start or continue a character",
            bytes[at]
        ),
    }
}

/// Parses JSON with comments into a tree in `arena` whose nodes carry byte ranges into `text`.
pub fn parse<'a>(text: &'a str, arena: &'a Arena) -> Result<ast::Value<'a>, SyntaxError> {
    parse_inner(text, arena, false, &mut Vec::new()).map(|(value, _)| value)
}

/// Like [`parse`], and also returns the comments in the order they appear.
pub fn parse_with_comments<'a>(
    text: &'a str,
    arena: &'a Arena,
) -> Result<(ast::Value<'a>, Vec<Comment>), SyntaxError> {
    parse_inner(text, arena, true, &mut Vec::new())
}

/// Like [`parse`], and also sets `newlines` to the offsets of the text's `\n` bytes, ascending
/// (found on the way; for a [`crate::source::LineMap`]). Left empty on an error.
pub fn parse_noting_lines<'a>(
    text: &'a str,
    arena: &'a Arena,
    newlines: &mut Vec<u32>,
) -> Result<ast::Value<'a>, SyntaxError> {
    newlines.clear();
    let parsed = parse_inner(text, arena, false, newlines).map(|(value, _)| value);
    if parsed.is_err() {
        newlines.clear();
    }
    parsed
}

fn parse_inner<'a>(
    text: &'a str,
    arena: &'a Arena,
    comments: bool,
    newlines: &mut Vec<u32>,
) -> Result<(ast::Value<'a>, Vec<Comment>), SyntaxError> {
    if u32::try_from(text.len()).is_err() {
        // The tree's offsets are 32-bit; the reader stops long before (MAX_FILE_BYTES).
        return Err(SyntaxError {
            start: 0,
            end: 0,
            message: format!("file is {} MiB; too large to read", text.len() >> 20),
        });
    }
    // Well-formed files take the fast path; anything else is judged by jsonc-parser.
    let mut found = Vec::new();
    match fast::parse(text, arena, &mut found, newlines) {
        Ok(value) => {
            if !comments {
                found.clear();
            }
            Ok((value, found))
        }
        Err(fast::GiveUp::TooDeep(at)) => Err(SyntaxError {
            start: at,
            end: at + 1,
            message: format!("nesting deeper than {MAX_DEPTH} levels"),
        }),
        Err(fast::GiveUp::Other) => {
            newlines.clear();
            newlines.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i as u32));
            slow_parse(text, arena, comments)
        }
    }
}

/// jsonc-parser's parse, for the files the fast path gives up on: its errors are the ones shown.
fn slow_parse<'a>(
    text: &'a str,
    arena: &'a Arena,
    comments: bool,
) -> Result<(ast::Value<'a>, Vec<Comment>), SyntaxError> {
    let collect = CollectOptions {
        comments: if comments {
            CommentCollectionStrategy::Separate
        } else {
            CommentCollectionStrategy::Off
        },
        tokens: false,
    };
    let options = ParseOptions {
        allow_comments: true,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let result = jsonc_parser::parse_to_ast(text, &collect, &options).map_err(|err| {
        let range = err.range();
        SyntaxError {
            start: range.start,
            end: range.end.max(range.start),
            message: describe(err.kind()),
        }
    })?;
    let Some(value) = result.value else {
        let at = text.len();
        return Err(SyntaxError {
            start: at,
            end: at,
            message: if text.trim().is_empty() {
                "file is empty: expected a JSON value".to_owned()
            } else {
                "expected a JSON value, found only comments".to_owned()
            },
        });
    };
    let mut found = Vec::new();
    if let Some(map) = result.comments {
        for list in map.values() {
            for c in list.iter() {
                let range = jsonc_parser::common::Ranged::range(c);
                found.push(Comment {
                    start: range.start,
                    end: range.end,
                    text: c.text().to_owned(),
                });
            }
        }
        found.sort_by_key(|c| c.start);
        found.dedup_by_key(|c| c.start);
    }
    Ok((tree::from_jsonc(&value, arena), found))
}

fn describe(kind: &ParseErrorKind) -> String {
    use ParseErrorKind as K;
    match kind {
        K::TrailingCommasNotAllowed => {
            "trailing comma: ARM does not accept a comma before `]` or `}`".to_owned()
        }
        K::SingleQuotedStringsNotAllowed => {
            "single-quoted string: JSON strings use double quotes".to_owned()
        }
        K::ExpectedStringObjectProperty | K::UnexpectedWord => {
            "expected a double-quoted property name or value".to_owned()
        }
        K::NestingDepthExceeded => format!("nesting deeper than {MAX_DEPTH} levels"),
        K::HexadecimalNumbersNotAllowed => "hexadecimal numbers are not JSON".to_owned(),
        K::UnaryPlusNumbersNotAllowed => "a leading `+` is not allowed in a JSON number".to_owned(),
        K::NonFiniteNumbersNotAllowed => "`NaN` and `Infinity` are not JSON numbers".to_owned(),
        K::BareDecimalPointNumbersNotAllowed => {
            "a JSON number needs digits on both sides of the decimal point".to_owned()
        }
        other => {
            let text = other.to_string();
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests;
