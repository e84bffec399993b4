//! Logical functions: `and`, `or`, `not`, `bool` (`true`, `false` are in [`super::call`]).

use super::{arity, fail, first_unknown, hole_unknown, type_error, unknown_from, FnCtx, FnResult};
use crate::arm::hole;
use crate::arm::value::{KindRef, Value};

/// `and(arg1, arg2, ...)`/`or(...)`: a known `false` (`true` for `or`) decides despite unknowns.
pub(super) fn and_or(args: &[Value], cx: &FnCtx, is_and: bool) -> FnResult {
    let name = if is_and { "and" } else { "or" };
    arity(name, args, 2, usize::MAX)?;
    for (i, a) in args.iter().enumerate() {
        if !a.is_unknown() && a.as_bool().is_none() {
            return type_error(name, i, "a boolean", a);
        }
    }
    // `and` is decided by a false, `or` by a true.
    let decisive = !is_and;
    if args.iter().any(|a| a.as_bool() == Some(decisive)) {
        return Ok(Value::bool(decisive, cx.span));
    }
    if let Some(u) = first_unknown(args) {
        return unknown_from(u, cx);
    }
    Ok(Value::bool(!decisive, cx.span))
}

/// `not(arg1)`.
pub(super) fn not(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("not", args, 1, 1)?;
    match args[0].kind() {
        KindRef::Unknown(u) => unknown_from(u, cx),
        KindRef::Bool(b) => Ok(Value::bool(!b, cx.span)),
        _ => type_error("not", 0, "a boolean", &args[0]),
    }
}

/// `bool(arg1)`: `'true'`/`'false'` in any case, or an integer (non-zero is true).
pub(super) fn bool(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("bool", args, 1, 1)?;
    match args[0].kind() {
        KindRef::Unknown(u) => unknown_from(u, cx),
        KindRef::Bool(b) => Ok(Value::bool(b, cx.span)),
        KindRef::Int(n) => Ok(Value::bool(n != 0, cx.span)),
        KindRef::Float(f) => Ok(Value::bool(f != 0.0, cx.span)),
        KindRef::Str(s) if hole::has_hole(s) => hole_unknown(s, cx),
        KindRef::Str(s) => match s.trim() {
            t if t.eq_ignore_ascii_case("true") => Ok(Value::bool(true, cx.span)),
            t if t.eq_ignore_ascii_case("false") => Ok(Value::bool(false, cx.span)),
            _ => fail(format!("`bool` cannot convert `{s}` to a boolean")),
        },
        _ => type_error("bool", 0, "a string, an integer or a boolean", &args[0]),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::*;

    #[test]
    fn and_or_not_follow_the_docs() {
        // template-functions-logical.md: and(true, false), or(true, false), not(true).
        assert_bool(call("and", &[b(true), b(false)]), false);
        assert_bool(call("or", &[b(true), b(false)]), true);
        assert_bool(call("not", &[b(true)]), false);
        assert_bool(call("and", &[b(true), b(true), b(true)]), true);
        assert_bool(call("or", &[b(false), b(false)]), false);
    }

    #[test]
    fn unknowns_only_when_they_matter() {
        assert_bool(call("and", &[b(false), u("why")]), false);
        assert_bool(call("and", &[u("why"), b(false)]), false);
        assert_bool(call("or", &[u("why"), b(true)]), true);
        assert_unknown(call("and", &[b(true), u("why")]), "why");
        assert_unknown(call("or", &[b(false), u("why")]), "why");
        assert_unknown(call("not", &[u("why")]), "why");
    }

    #[test]
    fn logical_errors() {
        assert_err(
            call("and", &[b(true)]),
            "`and` expects at least 2 arguments, got 1",
        );
        assert_err(
            call("or", &[b(true), s("x")]),
            "`or` expects a boolean as second argument, got String",
        );
        assert_err(
            call("not", &[i(1)]),
            "`not` expects a boolean as first argument, got Int",
        );
        assert_err(call("true", &[i(1)]), "`true` expects 0 arguments, got 1");
    }

    #[test]
    fn bool_converts() {
        // template-functions-logical.md#bool: bool('true'), bool('false'), bool(1), bool(0).
        assert_bool(call("bool", &[s("true")]), true);
        assert_bool(call("bool", &[s("false")]), false);
        assert_bool(call("bool", &[i(1)]), true);
        assert_bool(call("bool", &[i(0)]), false);
        assert_bool(call("bool", &[s(" True ")]), true);
        assert_bool(call("bool", &[b(false)]), false);
        assert_bool(call("true", &[]), true);
        assert_bool(call("false", &[]), false);
        assert_err(
            call("bool", &[s("yes")]),
            "`bool` cannot convert `yes` to a boolean",
        );
        assert_unknown(
            call("bool", &[s(&hole_p("flag"))]),
            "parameter `flag` has no value",
        );
        assert_unknown(call("bool", &[u("why")]), "why");
    }
}
