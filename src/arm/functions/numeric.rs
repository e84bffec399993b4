//! Numeric functions: `add`, `sub`, `mul`, `div`, `mod` (64-bit integers, overflow is an error),
//! `int`, `float`, `min`, `max`.

use super::{
    arity, fail, first_unknown, hole_unknown, type_error, unknown, unknown_from, FnCtx, FnResult,
};
use crate::arm::hole;
use crate::arm::value::{KindRef, Value};

/// `add`, `sub`, `mul`, `div`, `mod` (by lowercase name).
pub(super) fn arithmetic(name: &str, args: &[Value], cx: &FnCtx) -> FnResult {
    arity(name, args, 2, 2)?;
    for (i, a) in args.iter().enumerate() {
        if !a.is_unknown() && !matches!(a.kind(), KindRef::Int(_)) {
            return type_error(name, i, "an integer", a);
        }
    }
    if let Some(u) = first_unknown(args) {
        return unknown_from(u, cx);
    }
    let (KindRef::Int(x), KindRef::Int(y)) = (args[0].kind(), args[1].kind()) else {
        return fail(format!("`{name}` expects two integers"));
    };
    let (x, y) = (x, y);
    if matches!(name, "div" | "mod") && y == 0 {
        return fail(format!("`{name}` divides `{x}` by zero"));
    }
    let r = match name {
        "add" => x.checked_add(y),
        "sub" => x.checked_sub(y),
        "mul" => x.checked_mul(y),
        "div" => x.checked_div(y),
        _ => x.checked_rem(y),
    };
    match r {
        Some(n) => Ok(Value::int(n, cx.span)),
        None => fail(format!("`{name}` of `{x}` and `{y}` overflows 64 bits")),
    }
}

/// `int(valueToConvert)`: an integer, or a string of one (white space and a sign allowed).
pub(super) fn int(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("int", args, 1, 1)?;
    match args[0].kind() {
        KindRef::Unknown(u) => unknown_from(u, cx),
        KindRef::Int(n) => Ok(Value::int(n, cx.span)),
        KindRef::Str(s) if hole::has_hole(s) => hole_unknown(s, cx),
        KindRef::Str(s) => match parse_int(s) {
            Some(n) => Ok(Value::int(n, cx.span)),
            None => fail(format!("`int` cannot convert `{s}` to an integer")),
        },
        KindRef::Float(_) => unknown(
            "amlint does not convert numbers with a fraction with `int`",
            cx,
        ),
        _ => type_error("int", 0, "a string or an integer", &args[0]),
    }
}

/// A .NET `long.Parse` of the invariant culture: optional white space and sign around digits.
fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// `float(arg1)`: a float from an integer, a float or a decimal string.
pub(super) fn float(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("float", args, 1, 1)?;
    match args[0].kind() {
        KindRef::Unknown(u) => unknown_from(u, cx),
        KindRef::Int(n) => Ok(Value::float(n as f64, cx.span)),
        KindRef::Float(x) => Ok(Value::float(x, cx.span)),
        KindRef::Str(s) if hole::has_hole(s) => hole_unknown(s, cx),
        KindRef::Str(s) => match parse_float(s) {
            Some(x) => Ok(Value::float(x, cx.span)),
            None => unknown(
                format!("amlint converts only plain decimal strings with `float`, not `{s}`"),
                cx,
            ),
        },
        _ => type_error("float", 0, "a string or a number", &args[0]),
    }
}

/// A plain decimal number: `[+-]digits[.digits][e[+-]digits]`.
fn parse_float(s: &str) -> Option<f64> {
    let t = s.trim();
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int_part, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    if int_part.is_empty() || !digits(int_part) || !digits(frac) || !exp_ok {
        return None;
    }
    t.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// `min`/`max(arg1, ...)`: of integers (or floats), given as arguments or as one array.
pub(super) fn min_max(args: &[Value], cx: &FnCtx, max: bool) -> FnResult {
    let name = if max { "max" } else { "min" };
    arity(name, args, 1, usize::MAX)?;
    let values: &[Value] = match (args[0].kind(), args.len()) {
        (KindRef::Array(a), 1) => {
            if let Some(u) = a.open() {
                return unknown_from(u, cx);
            }
            a.items()
        }
        (KindRef::Unknown(u), 1) => return unknown_from(u, cx),
        _ => args,
    };
    if values.is_empty() {
        return fail(format!("`{name}` of an empty array"));
    }
    for v in values {
        if !v.is_unknown() && v.as_f64().is_none() {
            return fail(format!("`{name}` expects integers, got {}", v.type_name()));
        }
    }
    if let Some(u) = first_unknown(values) {
        return unknown_from(u, cx);
    }
    if values.iter().all(|v| matches!(v.kind(), KindRef::Int(_))) {
        let ints = values.iter().filter_map(|v| match v.kind() {
            KindRef::Int(n) => Some(n),
            _ => None,
        });
        let r = if max { ints.max() } else { ints.min() };
        return Ok(Value::int(r.unwrap_or_default(), cx.span));
    }
    let floats = values.iter().filter_map(Value::as_f64);
    let r = floats.fold(None, |acc: Option<f64>, x| match acc {
        None => Some(x),
        Some(a) => Some(if max { a.max(x) } else { a.min(x) }),
    });
    Ok(Value::float(r.unwrap_or_default(), cx.span))
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::*;
    use crate::arm::value::KindRef;

    #[test]
    fn arithmetic_follows_the_docs() {
        // template-functions-numeric.md: add(5, 3), sub(7, 3), mul(5, 3), div(8, 3), mod(7, 3).
        assert_int(call("add", &[i(5), i(3)]), 8);
        assert_int(call("sub", &[i(7), i(3)]), 4);
        assert_int(call("mul", &[i(5), i(3)]), 15);
        assert_int(call("div", &[i(8), i(3)]), 2);
        assert_int(call("mod", &[i(7), i(3)]), 1);
        // .NET truncates toward zero; the remainder takes the dividend's sign.
        assert_int(call("div", &[i(-7), i(2)]), -3);
        assert_int(call("mod", &[i(-7), i(2)]), -1);
    }

    #[test]
    fn arithmetic_errors_and_unknowns() {
        assert_err(call("div", &[i(1), i(0)]), "`div` divides `1` by zero");
        assert_err(call("mod", &[i(1), i(0)]), "`mod` divides `1` by zero");
        assert_err(
            call("add", &[i(i64::MAX), i(1)]),
            "`add` of `9223372036854775807` and `1` overflows 64 bits",
        );
        assert_is_err(call("div", &[i(i64::MIN), i(-1)]));
        assert_is_err(call("mul", &[i(i64::MAX), i(2)]));
        assert_err(
            call("add", &[s("1"), i(1)]),
            "`add` expects an integer as first argument, got String",
        );
        assert_err(call("sub", &[i(1)]), "`sub` expects 2 arguments, got 1");
        assert_unknown(call("add", &[i(1), u("why")]), "why");
        // A type error is an error even next to an unknown.
        assert_is_err(call("mul", &[u("why"), b(true)]));
    }

    #[test]
    fn int_and_float_convert() {
        // template-functions-numeric.md#int: int('4') is 4; #float: float('3.0') is 3.
        assert_int(call("int", &[s("4")]), 4);
        assert_int(call("int", &[s(" -12 ")]), -12);
        assert_int(call("int", &[i(7)]), 7);
        assert_err(
            call("int", &[s("4.5")]),
            "`int` cannot convert `4.5` to an integer",
        );
        assert_err(
            call("int", &[s("99999999999999999999")]),
            "`int` cannot convert `99999999999999999999` to an integer",
        );
        assert_is_err(call("int", &[b(true)]));
        assert_unknown(
            call("int", &[s(&hole_p("n"))]),
            "parameter `n` has no value",
        );
        assert!(
            matches!(call("float", &[s("3.0")]).unwrap().kind(), KindRef::Float(x) if x == 3.0)
        );
        assert!(matches!(call("float", &[i(2)]).unwrap().kind(), KindRef::Float(x) if x == 2.0));
        assert!(
            matches!(call("float", &[s("-1.5e2")]).unwrap().kind(), KindRef::Float(x) if x == -150.0)
        );
        assert!(call("float", &[s("NaN")]).unwrap().is_unknown());
        assert_is_err(call("float", &[b(true)]));
        assert_unknown(call("float", &[u("why")]), "why");
    }

    #[test]
    fn min_max_follow_the_docs() {
        // template-functions-numeric.md: [0,3,2,5,4] and 0,3,2,5,4.
        let list = || vec![i(0), i(3), i(2), i(5), i(4)];
        assert_int(call("max", &[arr(list())]), 5);
        assert_int(call("max", &list()), 5);
        assert_int(call("min", &[arr(list())]), 0);
        assert_int(call("min", &list()), 0);
        assert!(
            matches!(call("max", &[i(1), f(2.5)]).unwrap().kind(), KindRef::Float(x) if x == 2.5)
        );
        assert_err(call("max", &[arr(vec![])]), "`max` of an empty array");
        assert_err(
            call("min", &[i(1), s("a")]),
            "`min` expects integers, got String",
        );
        assert_unknown(call("max", &[i(1), u("why")]), "why");
        assert_unknown(call("min", &[arr(vec![i(1), u("why")])]), "why");
    }
}
