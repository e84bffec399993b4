//! Evaluated values: JSON, plus *unknown*, each with the span it came from.
//!
//! A value is known, unknown (with the reason), or — for strings — known but for some holes (see
//! [`super::hole`]). Unknown flows through every function. Arrays and objects may be *open*: the
//! result of `reference()` holds the properties the template declares, and any other property read
//! from it is unknown ("runtime property `privateIPAddress` of `fw`") rather than an error.
//!
//! A value is 24 bytes: its span is stored in each variant of one enum rather than beside a kind
//! enum, so that the tag and the span share the first 16 bytes and the 8-byte payload follows;
//! [`Value::kind`] gives a borrowed view to match on.

use super::hole;
use crate::source::Span;
use std::fmt::Write as _;
use std::sync::Arc;
use triomphe::ThinArc;

/// An evaluated value and where it came from.
///
/// Built from a [`Kind`] and a [`Span`]; read with [`Value::kind`] and [`Value::span`]. The span
/// lives in each variant of a private enum, not in a field beside the kind, so that it fills the
/// padding after the tag: 24 bytes rather than 32 (and an object member 32 rather than 40), for
/// the many values a run keeps.
#[derive(Clone)]
pub struct Value(Repr);

/// [`Kind`] with the span in each variant (see [`Value`]).
#[derive(Clone)]
enum Repr {
    Null(Span),
    Bool(bool, Span),
    Int(i64, Span),
    Float(f64, Span),
    Str(arcstr::ArcStr, Span),
    Array(Array, Span),
    Object(Object, Span),
    Unknown(Arc<Unknown>, Span),
}

/// What a value is, to build one with [`Value::new`].
#[derive(Clone, Debug)]
pub enum Kind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string; it may contain holes.
    Str(arcstr::ArcStr),
    Array(Array),
    Object(Object),
    Unknown(Arc<Unknown>),
}

/// What a value is, borrowed from it to match on: [`Value::kind`].
#[derive(Clone, Copy, Debug)]
pub enum KindRef<'v> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string; it may contain holes.
    Str(&'v arcstr::ArcStr),
    Array(&'v Array),
    Object(&'v Object),
    Unknown(&'v Arc<Unknown>),
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Value")
            .field("kind", &self.kind())
            .field("span", &self.span())
            .finish()
    }
}

/// An array: its items and whether it is open, in one shared allocation.
#[derive(Clone)]
pub struct Array(ThinArc<Option<Arc<Unknown>>, Value>);

/// An object: its members in declaration order (keys compare ASCII case-insensitively) and
/// whether it is open, in one shared allocation, reached through one thin pointer.
#[derive(Clone)]
pub struct Object(ThinArc<Option<Arc<Unknown>>, (arcstr::ArcStr, Value)>);

impl Array {
    /// `open` is set when reading past the end is not an error but unknown (a `reference()`
    /// result).
    pub fn new(items: Vec<Value>, open: Option<Arc<Unknown>>) -> Array {
        Array::from_exact(items.into_iter(), open)
    }

    /// [`Array::new`] from items of a known count (e.g. drained from a stack).
    pub fn from_exact(
        items: impl ExactSizeIterator<Item = Value>,
        open: Option<Arc<Unknown>>,
    ) -> Array {
        Array(ThinArc::from_header_and_iter(open, items))
    }

    pub fn items(&self) -> &[Value] {
        &self.0.slice
    }

    pub fn open(&self) -> Option<&Arc<Unknown>> {
        self.0.header.header.as_ref()
    }
}

impl Object {
    /// `open` is set when a missing member is not an error but unknown (a `reference()`
    /// result).
    pub fn new(entries: Vec<(arcstr::ArcStr, Value)>, open: Option<Arc<Unknown>>) -> Object {
        Object::from_exact(entries.into_iter(), open)
    }

    /// [`Object::new`] from members of a known count (e.g. drained from a stack).
    pub fn from_exact(
        entries: impl ExactSizeIterator<Item = (arcstr::ArcStr, Value)>,
        open: Option<Arc<Unknown>>,
    ) -> Object {
        Object(ThinArc::from_header_and_iter(open, entries))
    }

    /// Members in declaration order.
    pub fn entries(&self) -> &[(arcstr::ArcStr, Value)] {
        &self.0.slice
    }

    pub fn open(&self) -> Option<&Arc<Unknown>> {
        self.0.header.header.as_ref()
    }
}

impl std::fmt::Debug for Array {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Array")
            .field("items", &self.items())
            .field("open", &self.open())
            .finish()
    }
}

impl std::fmt::Debug for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Object")
            .field("entries", &self.entries())
            .field("open", &self.open())
            .finish()
    }
}

/// Why a value is not known offline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    /// In words, to finish "… because …": "parameter `subnetId` has no value".
    pub reason: String,
    /// The ID of the resource whose runtime state the value depends on, if any.
    pub resource: Option<Arc<str>>,
}

impl Unknown {
    pub fn new(reason: impl Into<String>) -> Arc<Unknown> {
        Arc::new(Unknown {
            reason: reason.into(),
            resource: None,
        })
    }
}

/// A three-valued answer: known, or unknown with the reason.
#[derive(Clone, Debug, PartialEq)]
pub enum Tri<T> {
    Known(T),
    Unknown(Arc<Unknown>),
}

impl<T> Tri<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Tri::Known(v) => Some(v),
            Tri::Unknown(_) => None,
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Tri<U> {
        match self {
            Tri::Known(v) => Tri::Known(f(v)),
            Tri::Unknown(u) => Tri::Unknown(u),
        }
    }
}

/// The result of reading a member or an element.
#[derive(Debug)]
pub enum Lookup<'v> {
    Found(&'v Value),
    /// Not there, and the container is closed: an error in ARM.
    Missing,
    /// Not declared in a container whose runtime state is unknown.
    Unknown(Arc<Unknown>),
}

impl Value {
    pub fn new(kind: Kind, span: Span) -> Value {
        Value(match kind {
            Kind::Null => Repr::Null(span),
            Kind::Bool(b) => Repr::Bool(b, span),
            Kind::Int(n) => Repr::Int(n, span),
            Kind::Float(f) => Repr::Float(f, span),
            Kind::Str(s) => Repr::Str(s, span),
            Kind::Array(a) => Repr::Array(a, span),
            Kind::Object(o) => Repr::Object(o, span),
            Kind::Unknown(u) => Repr::Unknown(u, span),
        })
    }

    /// Where the value came from.
    pub fn span(&self) -> Span {
        match self.0 {
            Repr::Null(span)
            | Repr::Bool(_, span)
            | Repr::Int(_, span)
            | Repr::Float(_, span)
            | Repr::Str(_, span)
            | Repr::Array(_, span)
            | Repr::Object(_, span)
            | Repr::Unknown(_, span) => span,
        }
    }

    /// Moves the value to another span.
    pub fn set_span(&mut self, span: Span) {
        match &mut self.0 {
            Repr::Null(at)
            | Repr::Bool(_, at)
            | Repr::Int(_, at)
            | Repr::Float(_, at)
            | Repr::Str(_, at)
            | Repr::Array(_, at)
            | Repr::Object(_, at)
            | Repr::Unknown(_, at) => *at = span,
        }
    }

    /// What the value is, to match on.
    pub fn kind(&self) -> KindRef<'_> {
        match &self.0 {
            Repr::Null(_) => KindRef::Null,
            Repr::Bool(b, _) => KindRef::Bool(*b),
            Repr::Int(n, _) => KindRef::Int(*n),
            Repr::Float(f, _) => KindRef::Float(*f),
            Repr::Str(s, _) => KindRef::Str(s),
            Repr::Array(a, _) => KindRef::Array(a),
            Repr::Object(o, _) => KindRef::Object(o),
            Repr::Unknown(u, _) => KindRef::Unknown(u),
        }
    }

    pub fn null(span: Span) -> Value {
        Value::new(Kind::Null, span)
    }

    pub fn bool(b: bool, span: Span) -> Value {
        Value::new(Kind::Bool(b), span)
    }

    pub fn int(n: i64, span: Span) -> Value {
        Value::new(Kind::Int(n), span)
    }

    pub fn float(n: f64, span: Span) -> Value {
        Value::new(Kind::Float(n), span)
    }

    pub fn str(s: impl Into<arcstr::ArcStr>, span: Span) -> Value {
        Value::new(Kind::Str(s.into()), span)
    }

    pub fn array(items: Vec<Value>, span: Span) -> Value {
        Value::new(Kind::Array(Array::new(items, None)), span)
    }

    pub fn object(entries: Vec<(arcstr::ArcStr, Value)>, span: Span) -> Value {
        Value::new(Kind::Object(Object::new(entries, None)), span)
    }

    pub fn unknown(reason: impl Into<String>, span: Span) -> Value {
        Value::new(Kind::Unknown(Unknown::new(reason)), span)
    }

    pub fn from_unknown(u: &Arc<Unknown>, span: Span) -> Value {
        Value::new(Kind::Unknown(Arc::clone(u)), span)
    }

    /// The same value with another span.
    pub fn at(mut self, span: Span) -> Value {
        self.set_span(span);
        self
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind(), KindRef::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self.kind(), KindRef::Unknown(_))
    }

    pub fn as_unknown(&self) -> Option<&Arc<Unknown>> {
        match self.kind() {
            KindRef::Unknown(u) => Some(u),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self.kind() {
            KindRef::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A string without holes.
    pub fn as_known_str(&self) -> Option<&str> {
        self.as_str().filter(|s| !hole::has_hole(s))
    }

    pub fn as_arc_str(&self) -> Option<&arcstr::ArcStr> {
        match self.kind() {
            KindRef::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.kind() {
            KindRef::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// An integer, also from a float with no fractional part.
    pub fn as_int(&self) -> Option<i64> {
        match self.kind() {
            KindRef::Int(n) => Some(n),
            KindRef::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self.kind() {
            KindRef::Array(a) => Some(a.items()),
            _ => None,
        }
    }

    pub fn as_array_full(&self) -> Option<&Array> {
        match self.kind() {
            KindRef::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Object> {
        match self.kind() {
            KindRef::Object(o) => Some(o),
            _ => None,
        }
    }

    /// A member of an object (case-insensitive, last wins); `None` for anything else.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?.get(key)
    }

    /// Follows a path of member names; `None` where one is missing or not an object.
    pub fn path(&self, keys: &[&str]) -> Option<&Value> {
        let mut v = self;
        for k in keys {
            v = v.get(k)?;
        }
        Some(v)
    }

    /// Reads a member, distinguishing missing from unknown.
    pub fn member(&self, key: &str) -> Lookup<'_> {
        match self.kind() {
            KindRef::Object(o) => match o.get(key) {
                Some(v) => Lookup::Found(v),
                None => match o.open() {
                    Some(u) => Lookup::Unknown(runtime_member(u, key)),
                    None => Lookup::Missing,
                },
            },
            KindRef::Unknown(u) => Lookup::Unknown(Arc::clone(u)),
            _ => Lookup::Missing,
        }
    }

    /// ARM's type name, as `string()` of a type error would show it.
    pub fn type_name(&self) -> &'static str {
        match self.kind() {
            KindRef::Null => "Null",
            KindRef::Bool(_) => "Bool",
            KindRef::Int(_) => "Int",
            KindRef::Float(_) => "Float",
            KindRef::Str(_) => "String",
            KindRef::Array(_) => "Array",
            KindRef::Object(_) => "Object",
            KindRef::Unknown(_) => "Unknown",
        }
    }

    /// The first unknown anywhere inside (depth-first, in order), or a hole's reason.
    pub fn deep_unknown(&self) -> Option<Arc<Unknown>> {
        match self.kind() {
            KindRef::Unknown(u) => Some(Arc::clone(u)),
            KindRef::Str(s) if hole::has_hole(s) => hole::reason(s).map(Unknown::new),
            KindRef::Array(a) => a.items().iter().find_map(Value::deep_unknown),
            KindRef::Object(o) => o.entries().iter().find_map(|(_, v)| v.deep_unknown()),
            _ => None,
        }
    }

    /// Whether the value is fully known: no unknown and no hole anywhere inside.
    pub fn is_fully_known(&self) -> bool {
        self.deep_unknown().is_none()
    }

    /// ARM `equals`: deep, case-sensitive for strings, `1 == 1.0`. Holes make it unknown unless both
    /// sides are the same string.
    pub fn tri_eq(&self, other: &Value) -> Tri<bool> {
        match (self.kind(), other.kind()) {
            (KindRef::Unknown(u), _) | (_, KindRef::Unknown(u)) => Tri::Unknown(Arc::clone(u)),
            (KindRef::Null, KindRef::Null) => Tri::Known(true),
            (KindRef::Bool(a), KindRef::Bool(b)) => Tri::Known(a == b),
            (KindRef::Int(a), KindRef::Int(b)) => Tri::Known(a == b),
            (KindRef::Int(_) | KindRef::Float(_), KindRef::Int(_) | KindRef::Float(_)) => {
                Tri::Known(self.as_f64() == other.as_f64())
            }
            (KindRef::Str(a), KindRef::Str(b)) => {
                if a == b {
                    Tri::Known(true)
                } else if hole::has_hole(a) || hole::has_hole(b) {
                    let s = if hole::has_hole(a) { a } else { b };
                    Tri::Unknown(Unknown::new(
                        hole::reason(s).unwrap_or_else(|| "it holds unknown text".to_owned()),
                    ))
                } else {
                    Tri::Known(false)
                }
            }
            (KindRef::Array(a), KindRef::Array(b)) => {
                if a.items().len() != b.items().len() {
                    return Tri::Known(false);
                }
                let mut unknown = None;
                for (x, y) in a.items().iter().zip(b.items()) {
                    match x.tri_eq(y) {
                        Tri::Known(false) => return Tri::Known(false),
                        Tri::Known(true) => {}
                        Tri::Unknown(u) => unknown = unknown.or(Some(u)),
                    }
                }
                unknown.map_or(Tri::Known(true), Tri::Unknown)
            }
            (KindRef::Object(a), KindRef::Object(b)) => {
                if a.entries().len() != b.entries().len() {
                    return Tri::Known(false);
                }
                let mut unknown = None;
                for (k, x) in a.entries() {
                    let Some(y) = b.get(k) else {
                        return Tri::Known(false);
                    };
                    match x.tri_eq(y) {
                        Tri::Known(false) => return Tri::Known(false),
                        Tri::Known(true) => {}
                        Tri::Unknown(u) => unknown = unknown.or(Some(u)),
                    }
                }
                unknown.map_or(Tri::Known(true), Tri::Unknown)
            }
            _ => Tri::Known(false),
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self.kind() {
            KindRef::Int(n) => Some(n as f64),
            KindRef::Float(f) => Some(f),
            _ => None,
        }
    }

    /// As JSON; unknowns and holes are an error carrying the reason.
    pub fn to_serde(&self) -> Result<serde_json::Value, Arc<Unknown>> {
        Ok(match self.kind() {
            KindRef::Null => serde_json::Value::Null,
            KindRef::Bool(b) => serde_json::Value::Bool(b),
            KindRef::Int(n) => serde_json::Value::from(n),
            KindRef::Float(f) => serde_json::Number::from_f64(f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            KindRef::Str(s) => {
                if hole::has_hole(s) {
                    return Err(Unknown::new(
                        hole::reason(s).unwrap_or_else(|| "it holds unknown text".to_owned()),
                    ));
                }
                serde_json::Value::String(s.to_string())
            }
            KindRef::Array(a) => serde_json::Value::Array(
                a.items()
                    .iter()
                    .map(Value::to_serde)
                    .collect::<Result<_, _>>()?,
            ),
            KindRef::Object(o) => {
                let mut map = serde_json::Map::new();
                for (k, v) in o.entries() {
                    map.insert(k.to_string(), v.to_serde()?);
                }
                serde_json::Value::Object(map)
            }
            KindRef::Unknown(u) => return Err(Arc::clone(u)),
        })
    }

    /// Builds a value from JSON; every node gets `span`.
    pub fn from_serde(v: &serde_json::Value, span: Span) -> Value {
        match v {
            serde_json::Value::Null => Value::null(span),
            serde_json::Value::Bool(b) => Value::bool(*b, span),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::int(i, span),
                None => Value::float(n.as_f64().unwrap_or(0.0), span),
            },
            serde_json::Value::String(s) => Value::str(s.as_str(), span),
            serde_json::Value::Array(a) => {
                Value::array(a.iter().map(|x| Value::from_serde(x, span)).collect(), span)
            }
            serde_json::Value::Object(o) => Value::object(
                o.iter()
                    .map(|(k, x)| (arcstr::ArcStr::from(k.as_str()), Value::from_serde(x, span)))
                    .collect(),
                span,
            ),
        }
    }

    /// Compact text of the value with holes left as they are (their markers included): equal
    /// for equal values, for hashing.
    pub fn display_raw(&self) -> String {
        match self.kind() {
            KindRef::Str(s) => s.to_string(),
            KindRef::Unknown(u) => format!("<unknown: {}>", u.reason),
            _ => {
                let mut out = String::new();
                self.write_raw(&mut out);
                out
            }
        }
    }

    fn write_raw(&self, out: &mut String) {
        match self.kind() {
            KindRef::Str(s) => out.push_str(&serde_json::Value::String(s.to_string()).to_string()),
            KindRef::Array(a) => {
                out.push('[');
                for (i, v) in a.items().iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write_raw(out);
                }
                out.push(']');
            }
            KindRef::Object(o) => {
                out.push('{');
                for (i, (k, v)) in o.entries().iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::Value::String(k.to_string()).to_string());
                    out.push(':');
                    v.write_raw(out);
                }
                out.push('}');
            }
            _ => self.write_display(out),
        }
    }

    /// Compact JSON text, as ARM's `string()` writes objects and arrays; holes shown as `{name}`,
    /// unknowns as `<unknown>`. For messages, not for evaluation.
    pub fn display(&self) -> String {
        let mut out = String::new();
        self.write_display(&mut out);
        out
    }

    fn write_display(&self, out: &mut String) {
        match self.kind() {
            KindRef::Null => out.push_str("null"),
            KindRef::Bool(b) => {
                let _ = write!(out, "{b}");
            }
            KindRef::Int(n) => {
                let _ = write!(out, "{n}");
            }
            KindRef::Float(f) => {
                let _ = write!(out, "{f}");
            }
            KindRef::Str(s) => out.push_str(&hole::display(s)),
            KindRef::Array(a) => {
                out.push('[');
                for (i, v) in a.items().iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write_quoted(out);
                }
                out.push(']');
            }
            KindRef::Object(o) => {
                out.push('{');
                for (i, (k, v)) in o.entries().iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::Value::String(k.to_string()).to_string());
                    out.push(':');
                    v.write_quoted(out);
                }
                out.push('}');
            }
            KindRef::Unknown(_) => out.push_str("<unknown>"),
        }
    }

    fn write_quoted(&self, out: &mut String) {
        match self.kind() {
            KindRef::Str(s) => {
                out.push_str(&serde_json::Value::String(hole::display(s).into_owned()).to_string())
            }
            _ => self.write_display(out),
        }
    }
}

impl Object {
    /// A member, compared ASCII case-insensitively; the last one wins.
    pub fn get(&self, key: &str) -> Option<&Value> {
        let key = key.as_bytes();
        self.entries()
            .iter()
            .rev()
            .find(|(k, _)| same_key(k.as_bytes(), key))
            .map(|(_, v)| v)
    }
}

/// Whether two member names are the same, ASCII case-insensitively. Names are nearly always
/// written as the API spells them: an exact comparison (which stops at the first differing byte)
/// answers most look-ups before the case-insensitive one.
pub(crate) fn same_key(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && (a == b || a.eq_ignore_ascii_case(b))
}

impl Array {
    /// An element, distinguishing out-of-range from unknown.
    pub fn index(&self, i: i64) -> Lookup<'_> {
        match usize::try_from(i).ok().and_then(|i| self.items().get(i)) {
            Some(v) => Lookup::Found(v),
            None => match self.open() {
                Some(u) => Lookup::Unknown(Arc::clone(u)),
                None => Lookup::Missing,
            },
        }
    }
}

/// The unknown for a member that an open object does not declare.
fn runtime_member(open: &Arc<Unknown>, key: &str) -> Arc<Unknown> {
    Arc::new(Unknown {
        reason: format!("`{key}` is a runtime property of {}", open.reason),
        resource: open.resource.clone(),
    })
}

/// Marks a value open, recursively: missing members and elements read from it become unknown.
pub fn make_open(value: &Value, open: &Arc<Unknown>) -> Value {
    match value.kind() {
        KindRef::Object(o) => Value::new(
            Kind::Object(Object::new(
                o.entries()
                    .iter()
                    .map(|(k, v)| (k.clone(), make_open(v, open)))
                    .collect(),
                Some(Arc::clone(open)),
            )),
            value.span(),
        ),
        KindRef::Array(a) => Value::new(
            Kind::Array(Array::new(
                a.items().iter().map(|v| make_open(v, open)).collect(),
                Some(Arc::clone(open)),
            )),
            value.span(),
        ),
        _ => value.clone(),
    }
}

/// An empty open object: a resource whose properties are all runtime state.
pub fn open_object(open: &Arc<Unknown>, span: Span) -> Value {
    Value::new(
        Kind::Object(Object::new(Vec::new(), Some(Arc::clone(open)))),
        span,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_24_bytes_and_a_member_32() {
        assert_eq!(std::mem::size_of::<Value>(), 24);
        assert_eq!(std::mem::size_of::<(arcstr::ArcStr, Value)>(), 32);
    }

    #[test]
    fn members_are_found_case_insensitively_and_the_last_wins() {
        let obj = Value::object(
            vec![
                ("Priority".into(), Value::int(1, Span::NONE)),
                ("priorITY".into(), Value::int(2, Span::NONE)),
                ("protocol".into(), Value::int(3, Span::NONE)),
                ("prioritz".into(), Value::int(4, Span::NONE)),
            ],
            Span::NONE,
        );
        let int = |key: &str| obj.get(key).and_then(Value::as_int);
        assert_eq!(int("priority"), Some(2));
        assert_eq!(int("PRIORITY"), Some(2));
        assert_eq!(int("Protocol"), Some(3));
        assert_eq!(int("prioritz"), Some(4));
        assert_eq!(int("priorit"), None);
        assert_eq!(int("priorityy"), None);
    }

    fn s(x: &str) -> Value {
        Value::str(x, Span::NONE)
    }

    #[test]
    fn equality_is_three_valued() {
        let h = hole::make(hole::HoleKind::Parameter, "x", 1);
        assert_eq!(s("a").tri_eq(&s("a")), Tri::Known(true));
        assert_eq!(s("a").tri_eq(&s("A")), Tri::Known(false));
        assert_eq!(s(&h).tri_eq(&s(&h)), Tri::Known(true));
        assert!(matches!(s(&h).tri_eq(&s("a")), Tri::Unknown(_)));
        assert_eq!(
            Value::int(1, Span::NONE).tri_eq(&Value::float(1.0, Span::NONE)),
            Tri::Known(true)
        );
        let unknown = Value::unknown("why", Span::NONE);
        assert!(matches!(unknown.tri_eq(&s("a")), Tri::Unknown(_)));
        // A known difference decides even next to an unknown element.
        let a = Value::array(vec![unknown.clone(), s("a")], Span::NONE);
        let b = Value::array(vec![s("x"), s("b")], Span::NONE);
        assert_eq!(a.tri_eq(&b), Tri::Known(false));
    }

    #[test]
    fn open_objects_answer_unknown_for_missing_members() {
        let v = Value::object(vec![("a".into(), s("1"))], Span::NONE);
        assert!(matches!(v.member("b"), Lookup::Missing));
        let open = make_open(&v, &Unknown::new("`fw`"));
        assert!(matches!(open.member("A"), Lookup::Found(_)));
        match open.member("privateIPAddress") {
            Lookup::Unknown(u) => {
                assert_eq!(u.reason, "`privateIPAddress` is a runtime property of `fw`")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn serde_round_trip_and_unknowns() {
        let j = serde_json::json!({"a": [1, 2.5, "x", null, true], "b": {}});
        assert_eq!(Value::from_serde(&j, Span::NONE).to_serde().unwrap(), j);
        let with_unknown = Value::array(vec![Value::unknown("no", Span::NONE)], Span::NONE);
        assert_eq!(with_unknown.to_serde().unwrap_err().reason, "no");
        assert_eq!(with_unknown.deep_unknown().unwrap().reason, "no");
    }

    #[test]
    fn display_is_compact_json_with_holes() {
        let h = hole::make(hole::HoleKind::Parameter, "ws", 1);
        let v = Value::object(
            vec![
                ("n".into(), s(&format!("{h}/cpu"))),
                ("k".into(), Value::int(3, Span::NONE)),
            ],
            Span::NONE,
        );
        assert_eq!(v.display(), r#"{"n":"{ws}/cpu","k":3}"#);
        assert_eq!(s("plain").display(), "plain");
    }
}
