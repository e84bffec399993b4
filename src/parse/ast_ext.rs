//! Conveniences over the parsed tree: case-insensitive member lookup (ARM property names are
//! case-insensitive), JSON pointer lookup, and conversion to `serde_json::Value`.

use super::tree::{Object, Ranged, Value};
use std::ops::Range;

pub trait ObjectExt<'a> {
    /// The value of a member, compared ASCII case-insensitively; the last one wins, as in ARM.
    fn member(&self, key: &str) -> Option<&'a Value<'a>>;
    /// The member's value as a string literal.
    fn member_str(&self, key: &str) -> Option<&'a str>;
    /// The member's value as an object.
    fn member_object(&self, key: &str) -> Option<&'a Object<'a>>;
}

impl<'a> ObjectExt<'a> for Object<'a> {
    fn member(&self, key: &str) -> Option<&'a Value<'a>> {
        self.properties
            .iter()
            .rev()
            .find(|p| p.name.as_str().eq_ignore_ascii_case(key))
            .map(|p| &p.value)
    }

    fn member_str(&self, key: &str) -> Option<&'a str> {
        match self.member(key)? {
            Value::StringLit(s) => Some(s.value),
            _ => None,
        }
    }

    fn member_object(&self, key: &str) -> Option<&'a Object<'a>> {
        match self.member(key)? {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }
}

/// Byte range of the value at a JSON pointer (RFC 6901, e.g. `/resources/0/name`); exact keys.
pub fn pointer_span(root: &Value<'_>, pointer: &str) -> Option<Range<usize>> {
    if pointer.is_empty() {
        let r = root.range();
        return Some(r.start..r.end);
    }
    let rest = pointer.strip_prefix('/')?;
    let mut node = root;
    for raw in rest.split('/') {
        let token = raw.replace("~1", "/").replace("~0", "~");
        node = match node {
            Value::Object(o) => {
                &o.properties
                    .iter()
                    .rev()
                    .find(|p| p.name.as_str() == token)?
                    .value
            }
            Value::Array(a) => {
                if token.len() > 1 && token.starts_with('0') {
                    return None;
                }
                a.elements.get(token.parse::<usize>().ok()?)?
            }
            _ => return None,
        };
    }
    let r = node.range();
    Some(r.start..r.end)
}

/// The AST as a `serde_json::Value` (numbers beyond `f64` become null, as JSON.NET would refuse them).
pub fn to_serde(value: &Value<'_>) -> serde_json::Value {
    match value {
        Value::StringLit(s) => serde_json::Value::String(s.value.to_string()),
        Value::NumberLit(n) => serde_json::from_str::<serde_json::Number>(n.value)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Value::BooleanLit(b) => serde_json::Value::Bool(b.value),
        Value::NullKeyword(_) => serde_json::Value::Null,
        Value::Array(a) => serde_json::Value::Array(a.elements.iter().map(to_serde).collect()),
        Value::Object(o) => serde_json::Value::Object(
            o.properties
                .iter()
                .map(|p| (p.name.as_str().to_owned(), to_serde(&p.value)))
                .collect(),
        ),
    }
}
