//! The parsed tree: JSON values with their byte ranges, allocated in an [`Arena`].
//!
//! The shape is jsonc-parser's AST (the same names, and the same fields where they mean the same),
//! laid out to be small and walked fast: a node is 32 bytes (48 in jsonc-parser's), an object member
//! 56 (104), strings borrow the text unless they have escapes, and the members of an object and
//! the elements of an array are slices of the arena rather than vectors of their own. A tree is
//! therefore `Copy`, dropping it frees nothing, and the arena is freed (or reset, to parse the next
//! file into the same memory) in one go. The evaluator walks a template's tree several times
//! (checking expressions, declaring resources, evaluating bodies); each walk reads less memory.
//!
//! Offsets are `u32`: `parse` refuses a text of 4 GiB or more (the reader stops at
//! [`super::MAX_FILE_BYTES`]).

use std::ops::Range;

/// Where trees are allocated. One arena can hold the trees of several files; [`Arena::reset`]
/// frees them all and keeps the memory for the next ones.
#[derive(Default)]
pub struct Arena(bumpalo::Bump);

impl Arena {
    pub fn new() -> Self {
        Arena::default()
    }

    /// Frees every tree parsed into the arena (the borrow checker sees that none is left), keeping
    /// its largest block of memory for the next, unless that block is over `keep` bytes (the tree
    /// of an unusually large file): then all of it goes back.
    pub fn reset(&mut self, keep: usize) {
        if self.0.allocated_bytes() > keep {
            self.0 = bumpalo::Bump::new();
        } else {
            self.0.reset();
        }
    }

    pub(super) fn slice<T: Copy>(&self, items: &[T]) -> &[T] {
        if items.is_empty() {
            return &[];
        }
        self.0.alloc_slice_copy(items)
    }

    pub(super) fn str(&self, s: &str) -> &str {
        self.0.alloc_str(s)
    }
}

/// A JSON value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    StringLit(StringLit<'a>),
    NumberLit(NumberLit<'a>),
    BooleanLit(BooleanLit),
    Object(Object<'a>),
    Array(Array<'a>),
    NullKeyword(NullKeyword),
}

/// A node's byte range in its text.
pub trait Ranged {
    fn range(&self) -> Range<usize>;
}

/// A byte range, as the nodes keep it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span32 {
    start: u32,
    end: u32,
}

impl Span32 {
    /// Offsets fit in `u32`: `parse` refuses a longer text.
    pub fn new(start: usize, end: usize) -> Self {
        Span32 {
            start: start as u32,
            end: end as u32,
        }
    }

    pub fn start(self) -> usize {
        self.start as usize
    }

    pub fn end(self) -> usize {
        self.end as usize
    }
}

/// A string; `value` is unescaped (borrowed from the text when there was nothing to unescape).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StringLit<'a> {
    pub value: &'a str,
    pub span: Span32,
}

impl<'a> StringLit<'a> {
    /// The value, as an object member's name is read.
    pub fn as_str(&self) -> &'a str {
        self.value
    }
}

/// A number, as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NumberLit<'a> {
    pub value: &'a str,
    pub span: Span32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BooleanLit {
    pub value: bool,
    pub span: Span32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NullKeyword {
    pub span: Span32,
}

/// An object: its members in the order written (duplicates kept).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Object<'a> {
    pub properties: &'a [ObjectProp<'a>],
    pub span: Span32,
}

/// An object member.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ObjectProp<'a> {
    pub name: StringLit<'a>,
    pub value: Value<'a>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Array<'a> {
    pub elements: &'a [Value<'a>],
    pub span: Span32,
}

impl<'a> Value<'a> {
    pub fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Array<'a>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_string_lit(&self) -> Option<&StringLit<'a>> {
        match self {
            Value::StringLit(s) => Some(s),
            _ => None,
        }
    }

    fn span(&self) -> Span32 {
        match self {
            Value::StringLit(s) => s.span,
            Value::NumberLit(n) => n.span,
            Value::BooleanLit(b) => b.span,
            Value::Object(o) => o.span,
            Value::Array(a) => a.span,
            Value::NullKeyword(n) => n.span,
        }
    }
}

macro_rules! ranged {
    ($($node:ty),*) => {$(
        impl Ranged for $node {
            fn range(&self) -> Range<usize> {
                self.span.start()..self.span.end()
            }
        }
    )*};
}

ranged!(
    StringLit<'_>,
    NumberLit<'_>,
    BooleanLit,
    NullKeyword,
    Object<'_>,
    Array<'_>
);

impl Ranged for Value<'_> {
    fn range(&self) -> Range<usize> {
        let span = self.span();
        span.start()..span.end()
    }
}

impl Ranged for ObjectProp<'_> {
    /// From the name's opening quote to the end of the value.
    fn range(&self) -> Range<usize> {
        self.name.span.start()..self.value.span().end()
    }
}

/// jsonc-parser's tree (for the files the fast parser gives up on) copied into `arena`.
pub(super) fn from_jsonc<'a>(value: &jsonc_parser::ast::Value<'_>, arena: &'a Arena) -> Value<'a> {
    use jsonc_parser::ast as j;
    use jsonc_parser::common::Ranged as _;
    let span = |r: jsonc_parser::common::Range| Span32::new(r.start, r.end);
    match value {
        j::Value::StringLit(s) => Value::StringLit(StringLit {
            value: arena.str(&s.value),
            span: span(s.range),
        }),
        j::Value::NumberLit(n) => Value::NumberLit(NumberLit {
            value: arena.str(n.value),
            span: span(n.range),
        }),
        j::Value::BooleanLit(b) => Value::BooleanLit(BooleanLit {
            value: b.value,
            span: span(b.range),
        }),
        j::Value::NullKeyword(n) => Value::NullKeyword(NullKeyword {
            span: span(n.range),
        }),
        j::Value::Array(a) => {
            let elements: Vec<Value<'a>> =
                a.elements.iter().map(|e| from_jsonc(e, arena)).collect();
            Value::Array(Array {
                elements: arena.slice(&elements),
                span: span(a.range),
            })
        }
        j::Value::Object(o) => {
            let properties: Vec<ObjectProp<'a>> = o
                .properties
                .iter()
                .map(|p| ObjectProp {
                    name: StringLit {
                        value: arena.str(p.name.as_str()),
                        span: span(p.name.range()),
                    },
                    value: from_jsonc(&p.value, arena),
                })
                .collect();
            Value::Object(Object {
                properties: arena.slice(&properties),
                span: span(o.range),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_is_32_bytes_and_a_member_56() {
        assert_eq!(std::mem::size_of::<Value<'_>>(), 32);
        assert_eq!(std::mem::size_of::<ObjectProp<'_>>(), 56);
    }

    #[test]
    fn reset_keeps_the_memory_of_a_typical_tree_only() {
        let text = format!("[{}1]", "1, ".repeat(100_000));
        let mut arena = Arena::new();
        super::super::parse(&text, &arena).unwrap();
        let used = arena.0.allocated_bytes();
        assert!(used > 3_200_000, "{used}");
        arena.reset(usize::MAX);
        assert!(arena.0.allocated_bytes() > 3_200_000);
        arena.reset(1024 * 1024);
        assert!(
            arena.0.allocated_bytes() < 1024,
            "{}",
            arena.0.allocated_bytes()
        );
    }
}
