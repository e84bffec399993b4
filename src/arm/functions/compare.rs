//! Comparison functions: `coalesce`, `equals`, `less`, `lessOrEquals`, `greater`,
//! `greaterOrEquals`.
//!
//! ARM orders strings with .NET's culture-aware comparison (`less('A', 'a')` is false): amlint
//! decides it for strings of ASCII letters and digits, where it is case-insensitive first and
//! lower case before upper case on ties, and leaves other unequal strings unknown.

use super::{arity, fail, hole_unknown, unknown, unknown_from, FnCtx, FnResult};
use crate::arm::hole;
use crate::arm::value::{KindRef, Tri, Value};
use std::cmp::Ordering;

/// `coalesce(arg1, ...)`: the first non-null argument.
pub(super) fn coalesce(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("coalesce", args, 1, usize::MAX)?;
    for a in args {
        match a.kind() {
            KindRef::Null => {}
            KindRef::Unknown(u) => return unknown_from(u, cx),
            _ => return Ok(a.clone()),
        }
    }
    Ok(Value::null(cx.span))
}

/// `equals(arg1, arg2)`.
pub(super) fn equals(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("equals", args, 2, 2)?;
    match args[0].tri_eq(&args[1]) {
        Tri::Known(b) => Ok(Value::bool(b, cx.span)),
        Tri::Unknown(u) => unknown_from(&u, cx),
    }
}

/// `less`, `lessOrEquals`, `greater`, `greaterOrEquals` (by ARM name).
pub(super) fn order(args: &[Value], cx: &FnCtx, name: &str) -> FnResult {
    arity(name, args, 2, 2)?;
    let (a, b) = (&args[0], &args[1]);
    let numeric = |v: &Value| matches!(v.kind(), KindRef::Int(_) | KindRef::Float(_));
    let textual = |v: &Value| matches!(v.kind(), KindRef::Str(_));
    for v in [a, b] {
        if !v.is_unknown() && !numeric(v) && !textual(v) {
            return fail(format!(
                "`{name}` compares integers or strings, got {}",
                v.type_name()
            ));
        }
    }
    if (numeric(a) && textual(b)) || (textual(a) && numeric(b)) {
        return fail(format!(
            "`{name}` cannot compare {} with {}",
            a.type_name(),
            b.type_name()
        ));
    }
    if let Some(u) = a.as_unknown().or(b.as_unknown()) {
        return unknown_from(u, cx);
    }
    let ord = match (a.kind(), b.kind()) {
        (KindRef::Int(x), KindRef::Int(y)) => x.cmp(&y),
        (KindRef::Str(x), KindRef::Str(y)) => {
            if x == y {
                Ordering::Equal
            } else if hole::has_hole(x) || hole::has_hole(y) {
                return hole_unknown(if hole::has_hole(x) { x } else { y }, cx);
            } else {
                match culture_compare(x, y) {
                    Some(o) => o,
                    None => {
                        return unknown(
                            "amlint orders only strings of ASCII letters and digits the way ARM's culture-aware comparison does",
                            cx,
                        )
                    }
                }
            }
        }
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => match x.partial_cmp(&y) {
                Some(o) => o,
                None => return Ok(Value::bool(false, cx.span)),
            },
            _ => return fail(format!("`{name}` compares integers or strings")),
        },
    };
    let result = match name {
        "less" => ord == Ordering::Less,
        "lessOrEquals" => ord != Ordering::Greater,
        "greater" => ord == Ordering::Greater,
        _ => ord != Ordering::Less,
    };
    Ok(Value::bool(result, cx.span))
}

/// The invariant-culture order of two strings of ASCII letters and digits: digits before letters,
/// letters alphabetically ignoring case, then lower case first at the first difference in case.
fn culture_compare(a: &str, b: &str) -> Option<Ordering> {
    let simple = |s: &str| s.bytes().all(|c| c.is_ascii_alphanumeric());
    if !simple(a) || !simple(b) {
        return None;
    }
    let primary = a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase());
    if primary != Ordering::Equal {
        return Some(primary);
    }
    for (x, y) in a.bytes().zip(b.bytes()) {
        if x != y {
            // Same letter, different case: lower case sorts first.
            return Some(if x.is_ascii_lowercase() {
                Ordering::Less
            } else {
                Ordering::Greater
            });
        }
    }
    Some(Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::*;
    use crate::arm::hole::HoleKind;

    #[test]
    fn coalesce_follows_the_docs() {
        // template-functions-comparison.md#coalesce.
        assert_str(call("coalesce", &[null(), null(), s("default")]), "default");
        assert_int(call("coalesce", &[null(), null(), i(1)]), 1);
        assert_eq!(
            json(call(
                "coalesce",
                &[null(), obj(vec![("first", s("default"))])]
            )),
            r#"{"first":"default"}"#
        );
        assert!(call("coalesce", &[null(), null()]).unwrap().is_null());
        // Empty strings are not null.
        assert_str(call("coalesce", &[s(""), s("x")]), "");
        assert_str(call("coalesce", &[null(), s("x"), u("why")]), "x");
        assert_unknown(call("coalesce", &[u("why"), s("x")]), "why");
        assert_unknown(call("coalesce", &[null(), u("why")]), "why");
        assert_err(
            call("coalesce", &[]),
            "`coalesce` expects at least 1 argument, got 0",
        );
    }

    #[test]
    fn equals_is_deep_and_three_valued() {
        // template-functions-comparison.md#equals: all the docs' pairs are equal.
        assert_bool(call("equals", &[i(1), i(1)]), true);
        assert_bool(call("equals", &[s("a"), s("a")]), true);
        assert_bool(
            call("equals", &[strs(&["a", "b"]), strs(&["a", "b"])]),
            true,
        );
        assert_bool(
            call(
                "equals",
                &[obj(vec![("a", s("b"))]), obj(vec![("a", s("b"))])],
            ),
            true,
        );
        assert_bool(call("equals", &[i(1), i(2)]), false);
        assert_bool(call("equals", &[s("a"), s("A")]), false);
        let h = hole_p("name");
        assert_bool(call("equals", &[s(&h), s(&h)]), true);
        assert_unknown(
            call("equals", &[s(&h), s("x")]),
            "parameter `name` has no value",
        );
        assert_unknown(call("equals", &[u("why"), i(1)]), "why");
        assert_is_err(call("equals", &[i(1)]));
    }

    #[test]
    fn order_follows_the_docs() {
        // template-functions-comparison.md: ints 1 and 2, strings 'A' and 'a'.
        assert_bool(call("greater", &[i(1), i(2)]), false);
        assert_bool(call("greater", &[s("A"), s("a")]), true);
        assert_bool(call("greaterorequals", &[i(1), i(2)]), false);
        assert_bool(call("greaterorequals", &[s("A"), s("a")]), true);
        assert_bool(call("less", &[i(1), i(2)]), true);
        assert_bool(call("less", &[s("A"), s("a")]), false);
        assert_bool(call("lessorequals", &[i(1), i(2)]), true);
        assert_bool(call("lessorequals", &[s("A"), s("a")]), false);
    }

    #[test]
    fn order_details() {
        assert_bool(call("less", &[s("a"), s("B")]), true);
        assert_bool(call("less", &[s("9"), s("a")]), true);
        assert_bool(call("less", &[s("ab"), s("abc")]), true);
        assert_bool(call("lessorequals", &[s("x-y"), s("x-y")]), true);
        assert_bool(call("less", &[f(1.5), i(2)]), true);
        assert_bool(call("greaterorequals", &[i(2), f(2.0)]), true);
        assert_unknown(
            call("less", &[s("a-b"), s("ab")]),
            "amlint orders only strings of ASCII letters and digits the way ARM's culture-aware comparison does",
        );
        let rg = hole_k(HoleKind::ResourceGroup);
        assert_unknown(
            call("less", &[s(&rg), s("a")]),
            "the resource group is only known at deployment",
        );
        assert_unknown(call("greater", &[u("why"), i(1)]), "why");
        assert_err(
            call("less", &[i(1), s("a")]),
            "`less` cannot compare Int with String",
        );
        assert_err(
            call("greater", &[b(true), i(1)]),
            "`greater` compares integers or strings, got Bool",
        );
        assert_is_err(call("less", &[i(1)]));
    }
}
