//! JSON in and out: `json`, `base64ToJson` and `string`.
//!
//! ARM parses JSON with JSON.NET, which accepts single-quoted strings, unquoted property names,
//! comments and trailing commas (the docs' own example is `json('{''a'': ''b''}')`), so `json`
//! does too. `string` writes arrays and objects as compact JSON, booleans as `True`/`False`.

use super::text::dotnet_double;
use super::{
    arity, bool_text, fail, first_unknown, hole_unknown, int_text, str_arg, too_large,
    unknown_from, FnCtx, FnError, FnResult, MAX_STRING_LEN,
};
use crate::arm::hole;
use crate::arm::value::{KindRef, Unknown, Value};
use crate::source::Span;
use jsonc_parser::ast;
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions};
use std::sync::Arc;

/// `json(text)`.
pub(super) fn json(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("json", args, 1, 1)?;
    if let Some(u) = first_unknown(args) {
        return unknown_from(u, cx);
    }
    let text = str_arg("json", args, 0)?;
    if hole::has_hole(text) {
        return hole_unknown(text, cx);
    }
    parse(text, cx.span).map_err(|e| FnError(format!("`json` argument is not valid JSON: {e}")))
}

/// `base64ToJson(base64)`.
pub(super) fn base64_to_json(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("base64ToJson", args, 1, 1)?;
    if let Some(u) = first_unknown(args) {
        return unknown_from(u, cx);
    }
    let text = str_arg("base64ToJson", args, 0)?;
    if hole::has_hole(text) {
        return hole_unknown(text, cx);
    }
    let Some(bytes) = super::string::base64_decode(text) else {
        return fail("`base64ToJson` argument is not valid base64");
    };
    let decoded = String::from_utf8_lossy(&bytes);
    parse(&decoded, cx.span).map_err(|e| {
        FnError(format!(
            "`base64ToJson` argument is not base64 of JSON: {e}"
        ))
    })
}

/// `string(value)`.
pub(super) fn string(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("string", args, 1, 1)?;
    let v = &args[0];
    let text = match v.kind() {
        KindRef::Unknown(u) => return unknown_from(u, cx),
        KindRef::Str(s) => return Ok(Value::str(s.clone(), cx.span)),
        KindRef::Null => String::new(),
        KindRef::Bool(b) => bool_text(b).to_owned(),
        KindRef::Int(n) => int_text(n),
        KindRef::Float(f) => dotnet_double(f),
        KindRef::Array(_) | KindRef::Object(_) => match to_json(v) {
            Ok(s) => s,
            Err(Unwritable::Unknown(u)) => return unknown_from(&u, cx),
            Err(Unwritable::TooLarge) => return too_large(cx),
        },
    };
    Ok(Value::str(text, cx.span))
}

/// Why a value cannot be written as JSON.
pub(super) enum Unwritable {
    Unknown(Arc<Unknown>),
    TooLarge,
}

/// A value as compact JSON, as JSON.NET writes it; holes in strings are kept.
pub(super) fn to_json(v: &Value) -> Result<String, Unwritable> {
    let mut out = String::new();
    write(v, &mut out)?;
    Ok(out)
}

fn write(v: &Value, out: &mut String) -> Result<(), Unwritable> {
    if out.len() > MAX_STRING_LEN {
        return Err(Unwritable::TooLarge);
    }
    match v.kind() {
        KindRef::Null => out.push_str("null"),
        KindRef::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        KindRef::Int(n) => out.push_str(&n.to_string()),
        KindRef::Float(f) => {
            let s = dotnet_double(f);
            let integral = s.chars().all(|c| c.is_ascii_digit() || c == '-');
            out.push_str(&s);
            if integral {
                out.push_str(".0");
            }
        }
        KindRef::Str(s) => write_str(s, out),
        KindRef::Array(a) => {
            if let Some(u) = a.open() {
                return Err(Unwritable::Unknown(Arc::clone(u)));
            }
            out.push('[');
            for (i, item) in a.items().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out)?;
            }
            out.push(']');
        }
        KindRef::Object(o) => {
            if let Some(u) = o.open() {
                return Err(Unwritable::Unknown(Arc::clone(u)));
            }
            out.push('{');
            for (i, (k, item)) in o.entries().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(k, out);
                out.push(':');
                write(item, out)?;
            }
            out.push('}');
        }
        KindRef::Unknown(u) => return Err(Unwritable::Unknown(Arc::clone(u))),
    }
    Ok(())
}

/// A JSON string literal with JSON.NET's default escaping.
fn write_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}') => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Parses JSON text the way JSON.NET reads it (leniently), keeping property order.
pub(super) fn parse(text: &str, span: Span) -> Result<Value, String> {
    let collect = CollectOptions {
        comments: CommentCollectionStrategy::Off,
        tokens: false,
    };
    let options = ParseOptions {
        allow_comments: true,
        allow_loose_object_property_names: true,
        allow_trailing_commas: true,
        allow_missing_commas: false,
        allow_single_quoted_strings: true,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let result = jsonc_parser::parse_to_ast(text, &collect, &options).map_err(|e| e.to_string())?;
    match result.value {
        Some(v) => Ok(convert(&v, span)),
        None => Err("no value".to_owned()),
    }
}

fn convert(v: &ast::Value<'_>, span: Span) -> Value {
    match v {
        ast::Value::StringLit(s) => Value::str(s.value.as_ref(), span),
        ast::Value::NumberLit(n) => number(n.value, span),
        ast::Value::BooleanLit(b) => Value::bool(b.value, span),
        ast::Value::NullKeyword(_) => Value::null(span),
        ast::Value::Array(a) => {
            Value::array(a.elements.iter().map(|e| convert(e, span)).collect(), span)
        }
        ast::Value::Object(o) => Value::object(
            o.properties
                .iter()
                .map(|p| {
                    (
                        arcstr::ArcStr::from(p.name.as_str()),
                        convert(&p.value, span),
                    )
                })
                .collect(),
            span,
        ),
    }
}

/// A JSON number: an integer if it is one and fits, else a double; an integer beyond 64 bits
/// (a `BigInteger` in JSON.NET) is unknown.
fn number(text: &str, span: Span) -> Value {
    let is_integer = !text.contains(['.', 'e', 'E']);
    if let Ok(n) = text.parse::<i64>() {
        return Value::int(n, span);
    }
    if is_integer {
        return Value::unknown(
            format!("`{text}` is beyond the integers amlint evaluates"),
            span,
        );
    }
    match text.parse::<f64>() {
        Ok(f) if f.is_finite() => Value::float(f, span),
        _ => Value::unknown(
            format!("`{text}` is beyond the numbers amlint evaluates"),
            span,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arm::hole::{make, HoleKind};

    fn cx() -> FnCtx {
        FnCtx {
            unit: 1,
            span: Span::NONE,
        }
    }
    fn s(x: &str) -> Value {
        Value::str(x, Span::NONE)
    }
    fn call(name: &str, args: &[Value]) -> FnResult {
        super::super::call(name, args, &cx()).expect("pure function")
    }

    #[test]
    fn json_parses_like_json_net() {
        // The docs' examples (template-functions-object.md#json).
        let v = call("json", &[s("{'a': 'b'}")]).unwrap();
        assert_eq!(v.get("a").and_then(Value::as_str), Some("b"));
        assert!(call("json", &[s("null")]).unwrap().is_null());
        assert_eq!(call("json", &[s("'test'")]).unwrap().as_str(), Some("test"));
        assert_eq!(call("json", &[s("true")]).unwrap().as_bool(), Some(true));
        assert_eq!(call("json", &[s("3")]).unwrap().as_int(), Some(3));
        let arr = call("json", &[s("[1,2,3]")]).unwrap();
        assert_eq!(arr.as_array().map(<[Value]>::len), Some(3));
        let obj = call("json", &[s("{\"a\": \"demo value\"}")]).unwrap();
        assert_eq!(obj.get("a").and_then(Value::as_str), Some("demo value"));
        // Order is kept.
        let o = call("json", &[s("{\"z\":1,\"a\":2}")]).unwrap();
        let keys: Vec<_> = o
            .as_object()
            .unwrap()
            .entries()
            .iter()
            .map(|(k, _)| k.to_string())
            .collect();
        assert_eq!(keys, ["z", "a"]);
        assert!(matches!(call("json", &[s("1.5")]).unwrap().kind(), KindRef::Float(f) if f == 1.5));
        assert!(call("json", &[s("123456789012345678901234")])
            .unwrap()
            .is_unknown());
    }

    #[test]
    fn json_errors_and_unknowns() {
        assert!(call("json", &[s("{")]).is_err());
        assert!(call("json", &[s("")]).is_err());
        assert!(call("json", &[Value::int(1, Span::NONE)]).is_err());
        assert!(call("json", &[]).is_err());
        let u = Value::unknown("why", Span::NONE);
        assert_eq!(
            call("json", &[u]).unwrap().as_unknown().unwrap().reason,
            "why"
        );
        let h = make(HoleKind::Parameter, "p", 1);
        let r = call("json", &[s(&h)]).unwrap();
        assert_eq!(r.as_unknown().unwrap().reason, "parameter `p` has no value");
    }

    #[test]
    fn base64_to_json_decodes() {
        // The docs' example: base64 of "{'one': 'a', 'two': 'b'}".
        let v = call("base64tojson", &[s("eydvbmUnOiAnYScsICd0d28nOiAnYid9")]).unwrap();
        assert_eq!(v.get("two").and_then(Value::as_str), Some("b"));
        assert!(call("base64tojson", &[s("!!")]).is_err());
        assert!(call("base64tojson", &[s("e30=")])
            .unwrap()
            .as_object()
            .is_some());
    }

    #[test]
    fn string_converts_like_arm() {
        // The docs' examples (template-functions-string.md#string).
        let obj = Value::object(
            vec![
                ("valueA".into(), Value::int(10, Span::NONE)),
                ("valueB".into(), s("Example Text")),
            ],
            Span::NONE,
        );
        assert_eq!(
            call("string", &[obj]).unwrap().as_str(),
            Some(r#"{"valueA":10,"valueB":"Example Text"}"#)
        );
        let arr = Value::array(vec![s("a"), s("b"), s("c")], Span::NONE);
        assert_eq!(
            call("string", &[arr]).unwrap().as_str(),
            Some(r#"["a","b","c"]"#)
        );
        assert_eq!(
            call("string", &[Value::int(5, Span::NONE)])
                .unwrap()
                .as_str(),
            Some("5")
        );
        assert_eq!(
            call("string", &[Value::bool(true, Span::NONE)])
                .unwrap()
                .as_str(),
            Some("True")
        );
        assert_eq!(
            call("string", &[Value::null(Span::NONE)]).unwrap().as_str(),
            Some("")
        );
        assert_eq!(
            call("string", &[Value::float(1.5, Span::NONE)])
                .unwrap()
                .as_str(),
            Some("1.5")
        );
        let nested = Value::array(
            vec![
                Value::float(2.0, Span::NONE),
                s("q\"\n\u{1}"),
                Value::null(Span::NONE),
            ],
            Span::NONE,
        );
        assert_eq!(
            call("string", &[nested]).unwrap().as_str(),
            Some(r#"[2.0,"q\"\n\u0001",null]"#)
        );
    }

    #[test]
    fn string_keeps_holes_and_propagates_unknowns() {
        let h = make(HoleKind::ResourceGroup, "", 1);
        assert_eq!(call("string", &[s(&h)]).unwrap().as_str(), Some(h.as_str()));
        let arr = Value::array(vec![s(&h)], Span::NONE);
        assert_eq!(
            call("string", &[arr]).unwrap().as_str(),
            Some(format!("[\"{h}\"]").as_str())
        );
        let u = Value::unknown("why", Span::NONE);
        let arr = Value::array(vec![s("a"), u.clone()], Span::NONE);
        assert_eq!(
            call("string", &[arr]).unwrap().as_unknown().unwrap().reason,
            "why"
        );
        assert!(call("string", &[u]).unwrap().is_unknown());
        assert!(call("string", &[]).is_err());
    }
}
