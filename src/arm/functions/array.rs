//! Array functions, and the functions that take arrays, strings or objects alike (`length`,
//! `contains`, `empty`, `first`, `union`, ...), which hand strings to [`super::string`] and
//! objects to [`super::object`].
//!
//! Element equality is ARM's `equals` ([`Value::tri_eq`]). An open array (a `reference()` result)
//! may have more elements at deployment, so what depends on its end or length is unknown.

use super::{
    arity, fail, first_unknown, int_arg, object, string, too_large, type_error, unknown_from,
    FnCtx, FnResult, MAX_ARRAY_LEN,
};
use crate::arm::value::{Array, Kind, KindRef, Tri, Unknown, Value};
use std::collections::HashSet;
use std::sync::Arc;

/// `concat(arg1, ...)`: arrays if the first argument is an array, else strings.
pub(super) fn concat(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("concat", args, 1, usize::MAX)?;
    match args[0].kind() {
        KindRef::Array(_) => {}
        KindRef::Unknown(u) => return unknown_from(u, cx),
        _ => return string::concat(args, cx),
    }
    for (i, a) in args.iter().enumerate() {
        if !a.is_unknown() && a.as_array().is_none() {
            return type_error("concat", i, "an array", a);
        }
    }
    if let Some(u) = first_unknown(args) {
        return unknown_from(u, cx);
    }
    let mut items = Vec::new();
    let mut open = None;
    for (i, a) in args.iter().enumerate() {
        let Some(arr) = a.as_array_full() else {
            continue;
        };
        if let Some(u) = arr.open() {
            if i + 1 < args.len() {
                return unknown_from(u, cx);
            }
            open = Some(Arc::clone(u));
        }
        if items.len() + arr.items().len() > MAX_ARRAY_LEN {
            return too_large(cx);
        }
        items.extend(arr.items().iter().cloned());
    }
    Ok(array_value(items, open, cx))
}

/// `contains(container, itemToFind)`.
pub(super) fn contains(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("contains", args, 2, 2)?;
    let (container, item) = (&args[0], &args[1]);
    match container.kind() {
        KindRef::Unknown(u) => unknown_from(u, cx),
        KindRef::Str(s) => match item.kind() {
            KindRef::Unknown(u) => unknown_from(u, cx),
            KindRef::Str(needle) => string::contains(s, needle, cx),
            KindRef::Int(n) => string::contains(s, &n.to_string(), cx),
            _ => type_error("contains", 1, "a string", item),
        },
        KindRef::Array(a) => match membership(a, item) {
            Found::At(_) => Ok(Value::bool(true, cx.span)),
            Found::Nowhere => Ok(Value::bool(false, cx.span)),
            Found::Unknown(u) => unknown_from(&u, cx),
        },
        KindRef::Object(_) => object::contains_key(container, item, cx),
        _ => type_error("contains", 0, "an array, an object or a string", container),
    }
}

/// `empty(itemToTest)`.
pub(super) fn empty(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("empty", args, 1, 1)?;
    let v = &args[0];
    let (len, open) = match v.kind() {
        KindRef::Unknown(u) => return unknown_from(u, cx),
        KindRef::Null => return Ok(Value::bool(true, cx.span)),
        KindRef::Str(s) => return string::empty(s, cx),
        KindRef::Array(a) => (a.items().len(), a.open()),
        KindRef::Object(o) => (o.entries().len(), o.open()),
        _ => return type_error("empty", 0, "an array, an object or a string", v),
    };
    match open {
        Some(u) if len == 0 => unknown_from(u, cx),
        _ => Ok(Value::bool(len == 0, cx.span)),
    }
}

/// `first(arg1)`/`last(arg1)` share this.
fn first_or_last(name: &str, args: &[Value], cx: &FnCtx, last: bool) -> FnResult {
    arity(name, args, 1, 1)?;
    let v = &args[0];
    match v.kind() {
        KindRef::Unknown(u) => unknown_from(u, cx),
        KindRef::Null => Ok(Value::null(cx.span)),
        KindRef::Str(s) => string::first_last(s, last, cx),
        KindRef::Array(a) => {
            if let (true, Some(u)) = (last || a.items().is_empty(), a.open()) {
                return unknown_from(u, cx);
            }
            let item = if last {
                a.items().last()
            } else {
                a.items().first()
            };
            Ok(item.cloned().unwrap_or_else(|| Value::null(cx.span)))
        }
        _ => type_error(name, 0, "an array or a string", v),
    }
}

/// `first(arg1)`.
pub(super) fn first(args: &[Value], cx: &FnCtx) -> FnResult {
    first_or_last("first", args, cx, false)
}

/// `last(arg1)`.
pub(super) fn last(args: &[Value], cx: &FnCtx) -> FnResult {
    first_or_last("last", args, cx, true)
}

/// `indexOf`/`lastIndexOf(container, itemToFind)`: strings ignore case, arrays compare exactly.
pub(super) fn index_of(args: &[Value], cx: &FnCtx, last: bool) -> FnResult {
    let name = if last { "lastIndexOf" } else { "indexOf" };
    arity(name, args, 2, 2)?;
    let (container, item) = (&args[0], &args[1]);
    match container.kind() {
        KindRef::Unknown(u) => unknown_from(u, cx),
        KindRef::Null => Ok(Value::int(-1, cx.span)),
        KindRef::Str(s) => match item.kind() {
            KindRef::Unknown(u) => unknown_from(u, cx),
            KindRef::Str(needle) => string::index_of(s, needle, last, cx),
            _ => type_error(name, 1, "a string", item),
        },
        KindRef::Array(a) => match position(a, item, last) {
            Found::At(i) => Ok(Value::int(i as i64, cx.span)),
            Found::Nowhere => Ok(Value::int(-1, cx.span)),
            Found::Unknown(u) => unknown_from(&u, cx),
        },
        _ => type_error(name, 0, "an array or a string", container),
    }
}

/// Where an element is in an array.
enum Found {
    At(usize),
    Nowhere,
    Unknown(Arc<Unknown>),
}

/// The first (or last) index of `item` in `a`; unknown as soon as an earlier comparison is.
fn position(a: &Array, item: &Value, last: bool) -> Found {
    if last {
        if let Some(u) = a.open() {
            return Found::Unknown(Arc::clone(u));
        }
    }
    let mut order: Box<dyn Iterator<Item = (usize, &Value)>> = if last {
        Box::new(a.items().iter().enumerate().rev())
    } else {
        Box::new(a.items().iter().enumerate())
    };
    order
        .find_map(|(i, x)| match x.tri_eq(item) {
            Tri::Known(true) => Some(Found::At(i)),
            Tri::Known(false) => None,
            Tri::Unknown(u) => Some(Found::Unknown(u)),
        })
        .unwrap_or_else(|| match a.open() {
            Some(u) => Found::Unknown(Arc::clone(u)),
            None => Found::Nowhere,
        })
}

/// Whether `item` is in `a`: found as soon as one element is known equal, whatever the others.
fn membership(a: &Array, item: &Value) -> Found {
    let mut unknown = a.open().cloned();
    for (i, x) in a.items().iter().enumerate() {
        match x.tri_eq(item) {
            Tri::Known(true) => return Found::At(i),
            Tri::Known(false) => {}
            Tri::Unknown(u) => unknown = unknown.or(Some(u)),
        }
    }
    match unknown {
        Some(u) => Found::Unknown(u),
        None => Found::Nowhere,
    }
}

/// `length(arg1)`.
pub(super) fn length(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("length", args, 1, 1)?;
    let v = &args[0];
    let (len, open) = match v.kind() {
        KindRef::Unknown(u) => return unknown_from(u, cx),
        KindRef::Null => return Ok(Value::int(0, cx.span)),
        KindRef::Str(s) => return string::length(s, cx),
        KindRef::Array(a) => (a.items().len(), a.open()),
        KindRef::Object(o) => (o.entries().len(), o.open()),
        _ => return type_error("length", 0, "an array, an object or a string", v),
    };
    match open {
        Some(u) => unknown_from(u, cx),
        None => Ok(Value::int(len as i64, cx.span)),
    }
}

/// `skip`/`take(originalValue, count)`.
pub(super) fn skip_take(args: &[Value], cx: &FnCtx, skip: bool) -> FnResult {
    let name = if skip { "skip" } else { "take" };
    arity(name, args, 2, 2)?;
    if !args[1].is_unknown() {
        int_arg(name, args, 1)?;
    }
    let v = &args[0];
    match v.kind() {
        KindRef::Unknown(u) => return unknown_from(u, cx),
        KindRef::Null | KindRef::Str(_) | KindRef::Array(_) => {}
        _ => return type_error(name, 0, "an array or a string", v),
    }
    if let Some(u) = first_unknown(args) {
        return unknown_from(u, cx);
    }
    let n = int_arg(name, args, 1)?;
    let a = match v.kind() {
        KindRef::Str(s) => return string::skip_take(s, n, skip, cx),
        KindRef::Array(a) => a,
        _ => return Ok(Value::null(cx.span)),
    };
    let len = a.items().len();
    let n = usize::try_from(n.max(0)).unwrap_or(usize::MAX);
    if n >= len {
        if let Some(u) = a.open() {
            return unknown_from(u, cx);
        }
    }
    let n = n.min(len);
    Ok(if skip {
        array_value(a.items()[n..].to_vec(), a.open().cloned(), cx)
    } else {
        Value::array(a.items()[..n].to_vec(), cx.span)
    })
}

/// What the arguments of `intersection` and `union` are.
enum Shape {
    Arrays,
    Objects,
    Unknown(Arc<Unknown>),
}

/// Whether all arguments of `name` are arrays or all objects; an error for anything else.
fn arrays_or_objects(name: &str, args: &[Value]) -> Result<Shape, super::FnError> {
    arity(name, args, 2, usize::MAX)?;
    let mut arrays = None;
    for (i, a) in args.iter().enumerate() {
        let is_array = match a.kind() {
            KindRef::Unknown(_) => continue,
            KindRef::Array(_) => true,
            KindRef::Object(_) => false,
            _ => return type_error(name, i, "an array or an object", a),
        };
        match arrays {
            None => arrays = Some(is_array),
            Some(expected) if expected != is_array => {
                let what = if expected { "an array" } else { "an object" };
                return type_error(name, i, what, a);
            }
            Some(_) => {}
        }
    }
    Ok(match (first_unknown(args), arrays) {
        (Some(u), _) => Shape::Unknown(Arc::clone(u)),
        (None, Some(false)) => Shape::Objects,
        (None, _) => Shape::Arrays,
    })
}

/// `intersection(arg1, arg2, ...)`: the elements (or members with equal values) in all of them,
/// in the order of the first.
pub(super) fn intersection(args: &[Value], cx: &FnCtx) -> FnResult {
    match arrays_or_objects("intersection", args)? {
        Shape::Unknown(u) => unknown_from(&u, cx),
        Shape::Objects => object::intersection(args, cx),
        Shape::Arrays => {
            let arrays: Vec<&Array> = args.iter().filter_map(Value::as_array_full).collect();
            if let Some(u) = arrays.iter().find_map(|a| a.open()) {
                return unknown_from(u, cx);
            }
            let definite = arrays
                .iter()
                .all(|a| a.items().iter().all(|x| x.is_fully_known()));
            if definite {
                let others: Vec<HashSet<String>> = arrays[1..]
                    .iter()
                    .map(|a| a.items().iter().filter_map(canonical).collect())
                    .collect();
                let mut seen = HashSet::new();
                let mut out = Vec::new();
                for item in arrays[0].items() {
                    let Some(key) = canonical(item) else {
                        continue;
                    };
                    if others.iter().all(|o| o.contains(&key)) && seen.insert(key) {
                        out.push(item.clone());
                    }
                }
                return Ok(Value::array(out, cx.span));
            }
            let total: usize = arrays.iter().map(|a| a.items().len()).sum();
            if total.saturating_mul(arrays[0].items().len()) > MAX_COMPARISONS {
                return too_large(cx);
            }
            let mut out: Vec<Value> = Vec::new();
            for item in arrays[0].items() {
                let distinct = Array::new(out.clone(), None);
                match membership(&distinct, item) {
                    Found::At(_) => continue,
                    Found::Unknown(u) => return unknown_from(&u, cx),
                    Found::Nowhere => {}
                }
                let mut in_all = true;
                for other in &arrays[1..] {
                    match membership(other, item) {
                        Found::At(_) => {}
                        Found::Nowhere => in_all = false,
                        Found::Unknown(u) => return unknown_from(&u, cx),
                    }
                }
                if in_all {
                    out.push(item.clone());
                }
            }
            Ok(Value::array(out, cx.span))
        }
    }
}

/// `union(arg1, arg2, ...)`: arrays without repeated elements, or objects merged (nested objects
/// deeply). An element whose equality with an earlier one is unknown is kept.
pub(super) fn union(args: &[Value], cx: &FnCtx) -> FnResult {
    match arrays_or_objects("union", args)? {
        Shape::Unknown(u) => unknown_from(&u, cx),
        Shape::Objects => object::union(args, cx),
        Shape::Arrays => {
            let mut out: Vec<Value> = Vec::new();
            let mut keys = HashSet::new();
            // Elements without a key (they hold unknowns) are compared one by one.
            let mut keyless: Vec<usize> = Vec::new();
            for a in args.iter().filter_map(Value::as_array_full) {
                if let Some(u) = a.open() {
                    return unknown_from(u, cx);
                }
                for item in a.items() {
                    let seen = match canonical(item) {
                        Some(key) => {
                            !keys.insert(key)
                                || keyless
                                    .iter()
                                    .any(|&j| matches!(out[j].tri_eq(item), Tri::Known(true)))
                        }
                        None => {
                            if keyless.len().saturating_mul(out.len()) > MAX_COMPARISONS {
                                return too_large(cx);
                            }
                            let seen = out
                                .iter()
                                .any(|x| matches!(x.tri_eq(item), Tri::Known(true)));
                            if !seen {
                                keyless.push(out.len());
                            }
                            seen
                        }
                    };
                    if !seen {
                        out.push(item.clone());
                    }
                }
                if out.len() > MAX_ARRAY_LEN {
                    return too_large(cx);
                }
            }
            Ok(Value::array(out, cx.span))
        }
    }
}

/// `array(convertToArray)`.
pub(super) fn array(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("array", args, 1, 1)?;
    match args[0].kind() {
        KindRef::Unknown(u) => unknown_from(u, cx),
        KindRef::Array(_) => Ok(args[0].clone()),
        _ => Ok(Value::array(vec![args[0].clone()], cx.span)),
    }
}

/// `flatten(arrayToFlatten)`: one level.
pub(super) fn flatten(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("flatten", args, 1, 1)?;
    let outer = match args[0].kind() {
        KindRef::Unknown(u) => return unknown_from(u, cx),
        KindRef::Array(a) => a,
        _ => return type_error("flatten", 0, "an array", &args[0]),
    };
    for (i, item) in outer.items().iter().enumerate() {
        if !item.is_unknown() && item.as_array().is_none() {
            return fail(format!(
                "`flatten` expects an array of arrays, element {i} is {}",
                item.type_name()
            ));
        }
    }
    if let Some(u) = outer.open() {
        return unknown_from(u, cx);
    }
    let mut out = Vec::new();
    for item in outer.items() {
        match item.kind() {
            KindRef::Unknown(u) => return unknown_from(u, cx),
            KindRef::Array(inner) => {
                if let Some(u) = inner.open() {
                    return unknown_from(u, cx);
                }
                if out.len() + inner.items().len() > MAX_ARRAY_LEN {
                    return too_large(cx);
                }
                out.extend(inner.items().iter().cloned());
            }
            _ => {}
        }
    }
    Ok(Value::array(out, cx.span))
}

/// `indexFromEnd`/`tryIndexFromEnd(sourceArray, reverseIndex)`: 1 is the last element.
pub(super) fn index_from_end(args: &[Value], cx: &FnCtx, try_: bool) -> FnResult {
    let name = if try_ {
        "tryIndexFromEnd"
    } else {
        "indexFromEnd"
    };
    arity(name, args, 2, 2)?;
    if !args[0].is_unknown() && args[0].as_array().is_none() {
        return type_error(name, 0, "an array", &args[0]);
    }
    if !args[1].is_unknown() {
        int_arg(name, args, 1)?;
    }
    if let Some(u) = first_unknown(args) {
        return unknown_from(u, cx);
    }
    let n = int_arg(name, args, 1)?;
    let Some(a) = args[0].as_array_full() else {
        return type_error(name, 0, "an array", &args[0]);
    };
    if let Some(u) = a.open() {
        return unknown_from(u, cx);
    }
    let len = a.items().len();
    match usize::try_from(n) {
        Ok(k) if k >= 1 && k <= len => Ok(a.items()[len - k].clone()),
        _ if try_ => Ok(Value::null(cx.span)),
        _ => fail(format!(
            "`indexFromEnd` index `{n}` is out of range for an array of {len} elements"
        )),
    }
}

/// `range(startIndex, count)`.
pub(super) fn range(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("range", args, 2, 2)?;
    for i in 0..2 {
        if !args[i].is_unknown() {
            int_arg("range", args, i)?;
        }
    }
    if let Some(u) = first_unknown(args) {
        return unknown_from(u, cx);
    }
    let start = int_arg("range", args, 0)?;
    let count = int_arg("range", args, 1)?;
    if !(0..=10_000).contains(&count) {
        return fail(format!(
            "`range` count `{count}` is not between 0 and 10000"
        ));
    }
    let Ok(start32) = i32::try_from(start) else {
        return fail(format!("`range` start `{start}` is not a 32-bit integer"));
    };
    if i64::from(start32) + count - 1 > i64::from(i32::MAX) {
        return fail(format!(
            "`range` from `{start}` with count `{count}` goes beyond 2147483647"
        ));
    }
    Ok(Value::array(
        (0..count).map(|i| Value::int(start + i, cx.span)).collect(),
        cx.span,
    ))
}

/// Most element comparisons `union` and `intersection` make one by one.
const MAX_COMPARISONS: usize = 10_000_000;

/// A key that is equal for values ARM's `equals` finds equal: numbers by value, object keys
/// ignoring case and order. `None` for a value holding an unknown.
fn canonical(v: &Value) -> Option<String> {
    let mut out = String::new();
    write_canonical(v, &mut out).then_some(out)
}

fn write_canonical(v: &Value, out: &mut String) -> bool {
    match v.kind() {
        KindRef::Null => out.push('n'),
        KindRef::Bool(b) => out.push(if b { 't' } else { 'f' }),
        KindRef::Int(n) => out.push_str(&format!("i{n};")),
        KindRef::Float(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => {
            out.push_str(&format!("i{};", x as i64));
        }
        KindRef::Float(x) => out.push_str(&format!("d{};", x.to_bits())),
        KindRef::Str(s) => out.push_str(&format!("s{}:{s}", s.len())),
        KindRef::Array(a) => {
            out.push('[');
            for x in a.items() {
                if !write_canonical(x, out) {
                    return false;
                }
            }
            out.push(']');
        }
        KindRef::Object(o) => {
            let mut entries: Vec<(String, &Value)> = o
                .entries()
                .iter()
                .map(|(k, x)| (k.to_ascii_lowercase(), x))
                .collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            out.push('{');
            for (k, x) in entries {
                out.push_str(&format!("{}:{k}", k.len()));
                if !write_canonical(x, out) {
                    return false;
                }
            }
            out.push('}');
        }
        KindRef::Unknown(_) => return false,
    }
    true
}

/// An array value, open if `open` is set.
fn array_value(items: Vec<Value>, open: Option<Arc<Unknown>>, cx: &FnCtx) -> Value {
    Value::new(Kind::Array(Array::new(items, open)), cx.span)
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::*;
    use super::super::TOO_LARGE;
    use crate::arm::value::{make_open, Unknown, Value};

    fn open(v: Value) -> Value {
        make_open(&v, &Unknown::new("`vnet`"))
    }
    fn one_two_three() -> Value {
        strs(&["one", "two", "three"])
    }

    #[test]
    fn array_wraps() {
        // template-functions-array.md#array.
        assert_eq!(json(call("array", &[i(1)])), "[1]");
        assert_eq!(json(call("array", &[s("efgh")])), r#"["efgh"]"#);
        assert_eq!(
            json(call("array", &[obj(vec![("a", s("b")), ("c", s("d"))])])),
            r#"[{"a":"b","c":"d"}]"#
        );
        assert_eq!(json(call("array", &[strs(&["x"])])), r#"["x"]"#);
        assert_unknown(call("array", &[u("why")]), "why");
        assert_is_err(call("array", &[]));
    }

    #[test]
    fn concat_arrays() {
        // template-functions-array.md#concat.
        assert_eq!(
            json(call(
                "concat",
                &[strs(&["1-1", "1-2", "1-3"]), strs(&["2-1", "2-2", "2-3"])]
            )),
            r#"["1-1","1-2","1-3","2-1","2-2","2-3"]"#
        );
        let r = call("concat", &[arr(vec![u("why")]), strs(&["a"])]).unwrap();
        assert_eq!(r.as_array().map(<[Value]>::len), Some(2));
        let r = call("concat", &[strs(&["a"]), open(strs(&["b"]))]).unwrap();
        assert!(r.as_array_full().unwrap().open().is_some());
        assert_unknown(
            call("concat", &[open(strs(&["b"])), strs(&["a"])]),
            "`vnet`",
        );
        assert_unknown(call("concat", &[strs(&["a"]), u("why")]), "why");
        assert_unknown(call("concat", &[u("why"), strs(&["a"])]), "why");
        assert_err(
            call("concat", &[strs(&["a"]), s("b")]),
            "`concat` expects an array as second argument, got String",
        );
    }

    #[test]
    fn contains_in_arrays() {
        // template-functions-array.md#contains.
        assert_bool(call("contains", &[one_two_three(), s("three")]), true);
        assert_bool(call("contains", &[one_two_three(), s("four")]), false);
        assert_bool(call("contains", &[arr(vec![i(1), i(2)]), i(2)]), true);
        assert_bool(
            call("contains", &[arr(vec![u("why"), s("a")]), s("a")]),
            true,
        );
        assert_unknown(call("contains", &[arr(vec![u("why")]), s("a")]), "why");
        assert_bool(call("contains", &[arr(vec![]), u("why")]), false);
        assert_bool(call("contains", &[open(strs(&["a"])), s("a")]), true);
        assert_unknown(call("contains", &[open(strs(&["a"])), s("b")]), "`vnet`");
        assert_unknown(call("contains", &[u("why"), s("a")]), "why");
        assert_is_err(call("contains", &[i(1), i(1)]));
    }

    #[test]
    fn create_array_keeps_unknowns_as_elements() {
        // template-functions-array.md#createarray.
        assert_eq!(
            json(call("createarray", &[s("a"), s("b"), s("c")])),
            r#"["a","b","c"]"#
        );
        assert_eq!(json(call("createarray", &[i(1), i(2), i(3)])), "[1,2,3]");
        assert_eq!(
            json(call("createarray", &[one_two_three()])),
            r#"[["one","two","three"]]"#
        );
        assert_eq!(json(call("createarray", &[])), "[]");
        let r = call("createarray", &[i(1), u("why")]).unwrap();
        assert!(r.as_array().unwrap()[1].is_unknown());
    }

    #[test]
    fn empty_containers() {
        // template-functions-array.md#empty.
        assert_bool(call("empty", &[arr(vec![])]), true);
        assert_bool(call("empty", &[obj(vec![])]), true);
        assert_bool(call("empty", &[null()]), true);
        assert_bool(call("empty", &[strs(&["a"])]), false);
        assert_bool(call("empty", &[open(strs(&["a"]))]), false);
        assert_unknown(call("empty", &[open(arr(vec![]))]), "`vnet`");
        assert_unknown(call("empty", &[u("why")]), "why");
        assert_err(
            call("empty", &[i(1)]),
            "`empty` expects an array, an object or a string as first argument, got Int",
        );
    }

    #[test]
    fn first_and_last_elements() {
        // template-functions-array.md#first and #last.
        assert_str(call("first", &[one_two_three()]), "one");
        assert_str(call("last", &[one_two_three()]), "three");
        assert!(call("first", &[arr(vec![])]).unwrap().is_null());
        assert!(call("last", &[null()]).unwrap().is_null());
        assert_str(call("first", &[open(strs(&["a"]))]), "a");
        assert_unknown(call("last", &[open(strs(&["a"]))]), "`vnet`");
        assert_unknown(call("first", &[open(arr(vec![]))]), "`vnet`");
        assert_is_err(call("first", &[i(1)]));
    }

    #[test]
    fn flatten_one_level() {
        // bicep-functions-array.md#flatten.
        let nested = arr(vec![
            strs(&["one", "two"]),
            strs(&["three"]),
            strs(&["four", "five"]),
        ]);
        assert_eq!(
            json(call("flatten", &[nested])),
            r#"["one","two","three","four","five"]"#
        );
        assert_eq!(
            json(call("flatten", &[arr(vec![arr(vec![strs(&["x"])])])])),
            r#"[["x"]]"#
        );
        assert_unknown(call("flatten", &[arr(vec![strs(&["a"]), u("why")])]), "why");
        assert_unknown(call("flatten", &[arr(vec![open(strs(&["a"]))])]), "`vnet`");
        assert_err(
            call("flatten", &[arr(vec![strs(&["a"]), s("b")])]),
            "`flatten` expects an array of arrays, element 1 is String",
        );
        assert_is_err(call("flatten", &[s("a")]));
    }

    #[test]
    fn index_of_in_arrays() {
        // bicep-functions-array.md#indexof.
        let names = one_two_three();
        let numbers = arr(vec![i(4), i(5), i(6)]);
        let collection = arr(vec![names.clone(), numbers.clone()]);
        let dups = arr(vec![i(1), i(2), i(3), i(1)]);
        assert_int(call("lastindexof", &[names.clone(), s("two")]), 1);
        assert_int(call("indexof", &[names.clone(), s("one")]), 0);
        assert_int(call("lastindexof", &[names, s("Three")]), -1);
        assert_int(call("lastindexof", &[numbers.clone(), i(4)]), 0);
        assert_int(call("indexof", &[numbers.clone(), i(6)]), 2);
        assert_int(call("lastindexof", &[numbers.clone(), s("5")]), -1);
        assert_int(call("indexof", &[collection, numbers]), 1);
        assert_int(call("indexof", &[dups.clone(), i(1)]), 0);
        assert_int(call("lastindexof", &[dups, i(1)]), 3);
        assert_int(call("indexof", &[arr(vec![s("a"), u("why")]), s("a")]), 0);
        assert_unknown(
            call("indexof", &[arr(vec![u("why"), s("a")]), s("a")]),
            "why",
        );
        assert_int(call("indexof", &[open(strs(&["a"])), s("a")]), 0);
        assert_unknown(call("lastindexof", &[open(strs(&["a"])), s("a")]), "`vnet`");
        assert_is_err(call("indexof", &[obj(vec![]), s("a")]));
    }

    #[test]
    fn index_from_end() {
        let a = one_two_three();
        assert_str(call("indexfromend", &[a.clone(), i(1)]), "three");
        assert_str(call("indexfromend", &[a.clone(), i(3)]), "one");
        assert_err(
            call("indexfromend", &[a.clone(), i(4)]),
            "`indexFromEnd` index `4` is out of range for an array of 3 elements",
        );
        assert_is_err(call("indexfromend", &[a.clone(), i(0)]));
        assert_str(call("tryindexfromend", &[a.clone(), i(2)]), "two");
        assert!(call("tryindexfromend", &[a.clone(), i(4)])
            .unwrap()
            .is_null());
        assert!(call("tryindexfromend", &[a, i(-1)]).unwrap().is_null());
        assert_unknown(call("indexfromend", &[open(strs(&["a"])), i(1)]), "`vnet`");
        assert_unknown(call("tryindexfromend", &[u("why"), i(1)]), "why");
        assert_is_err(call("indexfromend", &[s("abc"), i(1)]));
    }

    #[test]
    fn intersection_of_arrays_and_objects() {
        // template-functions-array.md#intersection; bicep-functions-array.md for the order.
        assert_eq!(
            json(call(
                "intersection",
                &[one_two_three(), strs(&["two", "three"])]
            )),
            r#"["two","three"]"#
        );
        let a1 = arr(vec![i(1), i(2), i(3), i(4)]);
        let a2 = arr(vec![i(3), i(2), i(1)]);
        let a3 = arr(vec![i(4), i(1), i(3), i(2)]);
        assert_eq!(
            json(call("intersection", &[a1.clone(), a2.clone(), a3.clone()])),
            "[1,2,3]"
        );
        assert_eq!(json(call("intersection", &[a2, a3, a1])), "[3,2,1]");
        let o1 = obj(vec![("one", s("a")), ("two", s("b")), ("three", s("c"))]);
        let o2 = obj(vec![("one", s("a")), ("two", s("z")), ("three", s("c"))]);
        assert_eq!(
            json(call("intersection", &[o1, o2])),
            r#"{"one":"a","three":"c"}"#
        );
        assert_eq!(
            json(call(
                "intersection",
                &[arr(vec![i(1), i(1)]), arr(vec![i(1)])]
            )),
            "[1]"
        );
        assert_unknown(
            call("intersection", &[arr(vec![u("why")]), arr(vec![i(1)])]),
            "why",
        );
        assert_unknown(call("intersection", &[arr(vec![i(1)]), u("why")]), "why");
        assert_err(
            call("intersection", &[arr(vec![]), obj(vec![])]),
            "`intersection` expects an array as second argument, got Object",
        );
        assert_is_err(call("intersection", &[arr(vec![])]));
        assert_is_err(call("intersection", &[s("a"), s("b")]));
    }

    #[test]
    fn lengths() {
        // template-functions-array.md#length.
        assert_int(call("length", &[one_two_three()]), 3);
        let o = obj(vec![
            ("propA", s("one")),
            ("propB", s("two")),
            ("propC", s("three")),
            (
                "propD",
                obj(vec![("propD-1", s("sub")), ("propD-2", s("sub"))]),
            ),
        ]);
        assert_int(call("length", &[o]), 4);
        assert_int(call("length", &[null()]), 0);
        assert_int(call("length", &[arr(vec![u("a"), u("b")])]), 2);
        assert_unknown(call("length", &[open(strs(&["a"]))]), "`vnet`");
        assert_unknown(call("length", &[u("why")]), "why");
        assert_is_err(call("length", &[i(1)]));
    }

    #[test]
    fn ranges() {
        // template-functions-array.md#range: range(1, 3).
        assert_eq!(json(call("range", &[i(1), i(3)])), "[1,2,3]");
        assert_eq!(json(call("range", &[i(-2), i(0)])), "[]");
        assert_eq!(
            call("range", &[i(0), i(10_000)])
                .unwrap()
                .as_array()
                .map(<[Value]>::len),
            Some(10_000)
        );
        assert_err(
            call("range", &[i(0), i(10_001)]),
            "`range` count `10001` is not between 0 and 10000",
        );
        assert_is_err(call("range", &[i(0), i(-1)]));
        assert_is_err(call("range", &[i(i64::from(i32::MAX)), i(2)]));
        assert_is_err(call("range", &[i(i64::MAX), i(1)]));
        assert_unknown(call("range", &[i(0), u("why")]), "why");
        assert_is_err(call("range", &[s("0"), i(1)]));
    }

    #[test]
    fn skip_and_take_arrays() {
        // template-functions-array.md#skip and #take.
        assert_eq!(json(call("skip", &[one_two_three(), i(2)])), r#"["three"]"#);
        assert_eq!(
            json(call("take", &[one_two_three(), i(2)])),
            r#"["one","two"]"#
        );
        assert_eq!(json(call("take", &[one_two_three(), i(-1)])), "[]");
        assert_eq!(json(call("skip", &[one_two_three(), i(9)])), "[]");
        assert!(call("take", &[null(), i(1)]).unwrap().is_null());
        assert_eq!(
            json(call("take", &[open(strs(&["a", "b"])), i(1)])),
            r#"["a"]"#
        );
        assert_unknown(call("take", &[open(strs(&["a"])), i(5)]), "`vnet`");
        assert_unknown(call("skip", &[u("why"), i(1)]), "why");
        assert_is_err(call("skip", &[obj(vec![]), i(1)]));
    }

    #[test]
    fn union_of_arrays_and_objects() {
        // template-functions-object.md#union.
        let o1 = obj(vec![("one", s("a")), ("two", s("b")), ("three", s("c1"))]);
        let o2 = obj(vec![("three", s("c2")), ("four", s("d")), ("five", s("e"))]);
        assert_eq!(
            json(call("union", &[o1, o2])),
            r#"{"five":"e","four":"d","one":"a","three":"c2","two":"b"}"#
        );
        assert_eq!(
            json(call(
                "union",
                &[one_two_three(), strs(&["three", "four", "two"])]
            )),
            r#"["one","two","three","four"]"#
        );
        // Nested objects merge, arrays are replaced (bicep-functions-object.md#union).
        let first = obj(vec![
            (
                "property",
                obj(vec![("one", s("a")), ("two", s("b")), ("three", s("c1"))]),
            ),
            ("nestedArray", arr(vec![i(1), i(2)])),
        ]);
        let second = obj(vec![
            (
                "property",
                obj(vec![("three", s("c2")), ("four", s("d")), ("five", s("e"))]),
            ),
            ("nestedArray", arr(vec![i(3), i(4)])),
        ]);
        let merged = call("union", &[first, second]).unwrap();
        let keys: Vec<String> = merged
            .get("property")
            .unwrap()
            .as_object()
            .unwrap()
            .entries()
            .iter()
            .map(|(k, _)| k.to_string())
            .collect();
        assert_eq!(keys, ["one", "two", "three", "four", "five"]);
        assert_eq!(
            json(Ok(merged.get("nestedArray").unwrap().clone())),
            "[3,4]"
        );
        assert_eq!(
            json(Ok(merged
                .get("property")
                .unwrap()
                .get("three")
                .unwrap()
                .clone())),
            r#""c2""#
        );
        // Unknown elements are kept.
        let r = call("union", &[arr(vec![u("why")]), strs(&["a"])]).unwrap();
        assert_eq!(r.as_array().map(<[Value]>::len), Some(2));
        assert_unknown(call("union", &[arr(vec![]), open(arr(vec![]))]), "`vnet`");
        assert_unknown(call("union", &[obj(vec![]), open(obj(vec![]))]), "`vnet`");
        let r = call(
            "union",
            &[open(obj(vec![("a", i(1))])), obj(vec![("b", i(2))])],
        )
        .unwrap();
        assert!(r.as_object().unwrap().open().is_some());
        assert_unknown(call("union", &[obj(vec![]), u("why")]), "why");
        assert_is_err(call("union", &[obj(vec![]), arr(vec![])]));
        let big = arr((0..60_000).map(i).collect());
        let big2 = arr((60_000..120_000).map(i).collect());
        assert_unknown(call("union", &[big, big2]), TOO_LARGE);
    }

    #[test]
    fn union_and_intersection_with_holes() {
        let h = hole_p("p");
        let r = call("union", &[strs(&[&h]), strs(&[&h, "a"])]).unwrap();
        assert_eq!(r.as_array().map(<[Value]>::len), Some(2));
        let r = call("intersection", &[strs(&[&h]), strs(&["a", &h])]).unwrap();
        assert_eq!(r.as_array().map(<[Value]>::len), Some(1));
        // The parameter could be `a`.
        assert_unknown(
            call("intersection", &[strs(&[&h, "a"]), strs(&[&h])]),
            "parameter `p` has no value",
        );
    }

    #[test]
    fn large_unions_and_intersections_are_fast() {
        let a = arr((0..50_000).map(i).collect());
        let r = call("union", &[a.clone(), a.clone()]).unwrap();
        assert_eq!(r.as_array().map(<[Value]>::len), Some(50_000));
        let r = call("intersection", &[a.clone(), a]).unwrap();
        assert_eq!(r.as_array().map(<[Value]>::len), Some(50_000));
        let unknowns = arr((0..20_000).map(|_| u("why")).collect());
        assert_unknown(call("union", &[unknowns.clone(), unknowns]), TOO_LARGE);
    }
}
