//! Reading evaluated resource bodies three-valuedly: absent, present, or unknown.

use crate::arm::value::{KindRef, Lookup, Unknown, Value};
use std::sync::Arc;

/// A property of an evaluated resource.
#[derive(Debug, Clone)]
pub enum Field {
    /// Not set: the template does not declare it (Azure applies its default).
    Absent,
    /// Set; the value may still be unknown or hold unknowns.
    Present(Value),
}

impl Field {
    /// Follows `path` from `root`: a missing member of a closed object is absent; one that an
    /// unknown or open container may hold is present and unknown.
    pub fn at(root: &Value, path: &[&str]) -> Field {
        let mut v = root;
        for key in path {
            match v.member(key) {
                Lookup::Found(next) => v = next,
                Lookup::Missing => {
                    return if v.is_null() || matches!(v.kind(), KindRef::Object(_)) {
                        Field::Absent
                    } else {
                        Field::Present(Value::unknown(
                            format!("`{key}` is read from a {}", v.type_name()),
                            v.span(),
                        ))
                    };
                }
                Lookup::Unknown(u) => return Field::Present(Value::from_unknown(&u, v.span())),
            }
        }
        if v.is_null() {
            Field::Absent
        } else {
            Field::Present(v.clone())
        }
    }

    pub fn value(&self) -> Option<&Value> {
        match self {
            Field::Absent => None,
            Field::Present(v) => Some(v),
        }
    }

    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }

    /// The unknown, when present and unknown at the top.
    pub fn unknown(&self) -> Option<&Arc<Unknown>> {
        self.value().and_then(Value::as_unknown)
    }

    /// A reference property (`{ "id": "..." }`): absent, or the `id` value.
    pub fn reference(root: &Value, path: &[&str]) -> Field {
        match Field::at(root, path) {
            Field::Absent => Field::Absent,
            Field::Present(v) => match v.kind() {
                KindRef::Object(_) => match Field::at(&v, &["id"]) {
                    Field::Absent => {
                        Field::Present(Value::unknown("the reference has no `id`", v.span()))
                    }
                    present => present,
                },
                KindRef::Unknown(_) => Field::Present(v),
                KindRef::Str(_) => Field::Present(v),
                _ => Field::Present(Value::unknown(
                    format!("the reference is a {}, not an object", v.type_name()),
                    v.span(),
                )),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arm::value::{make_open, Unknown};
    use crate::source::Span;

    fn obj(entries: Vec<(&str, Value)>) -> Value {
        Value::object(
            entries
                .into_iter()
                .map(|(k, v)| (arcstr::ArcStr::from(k), v))
                .collect(),
            Span::NONE,
        )
    }

    #[test]
    fn absent_present_unknown() {
        let body = obj(vec![(
            "properties",
            obj(vec![
                (
                    "natGateway",
                    obj(vec![("id", Value::str("/x", Span::NONE))]),
                ),
                ("routeTable", Value::null(Span::NONE)),
                (
                    "nsg",
                    Value::unknown("parameter `p` has no value", Span::NONE),
                ),
            ]),
        )]);
        assert!(Field::at(&body, &["properties", "missing"]).is_absent());
        assert!(Field::reference(&body, &["properties", "routeTable"]).is_absent());
        let nat = Field::reference(&body, &["properties", "natGateway"]);
        assert_eq!(nat.value().unwrap().as_str(), Some("/x"));
        let nsg = Field::reference(&body, &["properties", "nsg", "id"]);
        assert_eq!(nsg.unknown().unwrap().reason, "parameter `p` has no value");
    }

    #[test]
    fn unknown_containers_make_everything_below_unknown() {
        let body = obj(vec![("properties", Value::unknown("why", Span::NONE))]);
        assert_eq!(
            Field::at(&body, &["properties", "a", "b"])
                .unknown()
                .unwrap()
                .reason,
            "why"
        );
        let open = make_open(&obj(vec![]), &Unknown::new("`fw`"));
        assert!(Field::at(&open, &["x"]).unknown().is_some());
        let s = obj(vec![("properties", Value::str("text", Span::NONE))]);
        assert!(Field::at(&s, &["properties", "x"]).unknown().is_some());
    }
}
