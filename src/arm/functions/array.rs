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
use crate::arm::value::{Array, Kind, Tri, Unknown, Value};
use std::sync::Arc;

/// `concat(arg1, ...)`: arrays if the first argument is an array, else strings.
pub(super) fn concat(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("concat", args, 1, usize::MAX)?;
    match &args[0].kind {
        Kind::Array(_) => {}
        Kind::Unknown(u) => return unknown_from(u, cx),
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
        if let Some(u) = &arr.open {
            if i + 1 < args.len() {
                return unknown_from(u, cx);
            }
            open = Some(Arc::clone(u));
        }
        if items.len() + arr.items.len() > MAX_ARRAY_LEN {
            return too_large(cx);
        }
        items.extend(arr.items.iter().cloned());
    }
    Ok(array_value(items, open, cx))
}

/// `contains(container, itemToFind)`.
pub(super) fn contains(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("contains", args, 2, 2)?;
    let (container, item) = (&args[0], &args[1]);
    match &container.kind {
        Kind::Unknown(u) => unknown_from(u, cx),
        Kind::Str(s) => match &item.kind {
            Kind::Unknown(u) => unknown_from(u, cx),
            Kind::Str(needle) => string::contains(s, needle, cx),
            Kind::Int(n) => string::contains(s, &n.to_string(), cx),
            _ => type_error("contains", 1, "a string", item),
        },
        Kind::Array(a) => match position(a, item, false) {
            Found::At(_) => Ok(Value::bool(true, cx.span)),
            Found::Nowhere => Ok(Value::bool(false, cx.span)),
            Found::Unknown(u) => unknown_from(&u, cx),
        },
        Kind::Object(_) => object::contains_key(container, item, cx),
        _ => type_error("contains", 0, "an array, an object or a string", container),
    }
}

/// `empty(itemToTest)`.
pub(super) fn empty(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("empty", args, 1, 1)?;
    let v = &args[0];
    let (len, open) = match &v.kind {
        Kind::Unknown(u) => return unknown_from(u, cx),
        Kind::Null => return Ok(Value::bool(true, cx.span)),
        Kind::Str(s) => return string::empty(s, cx),
        Kind::Array(a) => (a.items.len(), &a.open),
        Kind::Object(o) => (o.entries.len(), &o.open),
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
    match &v.kind {
        Kind::Unknown(u) => unknown_from(u, cx),
        Kind::Null => Ok(Value::null(cx.span)),
        Kind::Str(s) => string::first_last(s, last, cx),
        Kind::Array(a) => {
            if let (true, Some(u)) = (last || a.items.is_empty(), &a.open) {
                return unknown_from(u, cx);
            }
            let item = if last {
                a.items.last()
            } else {
                a.items.first()
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
    match &container.kind {
        Kind::Unknown(u) => unknown_from(u, cx),
        Kind::Null => Ok(Value::int(-1, cx.span)),
        Kind::Str(s) => match &item.kind {
            Kind::Unknown(u) => unknown_from(u, cx),
            Kind::Str(needle) => string::index_of(s, needle, last, cx),
            _ => type_error(name, 1, "a string", item),
        },
        Kind::Array(a) => match position(a, item, last) {
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
        if let Some(u) = &a.open {
            return Found::Unknown(Arc::clone(u));
        }
    }
    let mut order: Box<dyn Iterator<Item = (usize, &Value)>> = if last {
        Box::new(a.items.iter().enumerate().rev())
    } else {
        Box::new(a.items.iter().enumerate())
    };
    order
        .find_map(|(i, x)| match x.tri_eq(item) {
            Tri::Known(true) => Some(Found::At(i)),
            Tri::Known(false) => None,
            Tri::Unknown(u) => Some(Found::Unknown(u)),
        })
        .unwrap_or_else(|| match &a.open {
            Some(u) => Found::Unknown(Arc::clone(u)),
            None => Found::Nowhere,
        })
}

/// `length(arg1)`.
pub(super) fn length(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("length", args, 1, 1)?;
    let v = &args[0];
    let (len, open) = match &v.kind {
        Kind::Unknown(u) => return unknown_from(u, cx),
        Kind::Null => return Ok(Value::int(0, cx.span)),
        Kind::Str(s) => return string::length(s, cx),
        Kind::Array(a) => (a.items.len(), &a.open),
        Kind::Object(o) => (o.entries.len(), &o.open),
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
    match &v.kind {
        Kind::Unknown(u) => return unknown_from(u, cx),
        Kind::Null | Kind::Str(_) | Kind::Array(_) => {}
        _ => return type_error(name, 0, "an array or a string", v),
    }
    if let Some(u) = first_unknown(args) {
        return unknown_from(u, cx);
    }
    let n = int_arg(name, args, 1)?;
    let a = match &v.kind {
        Kind::Str(s) => return string::skip_take(s, n, skip, cx),
        Kind::Array(a) => a,
        _ => return Ok(Value::null(cx.span)),
    };
    let len = a.items.len();
    let n = usize::try_from(n.max(0)).unwrap_or(usize::MAX);
    if n >= len {
        if let Some(u) = &a.open {
            return unknown_from(u, cx);
        }
    }
    let n = n.min(len);
    Ok(if skip {
        array_value(a.items[n..].to_vec(), a.open.clone(), cx)
    } else {
        Value::array(a.items[..n].to_vec(), cx.span)
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
        let is_array = match &a.kind {
            Kind::Unknown(_) => continue,
            Kind::Array(_) => true,
            Kind::Object(_) => false,
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
            let arrays: Vec<&Arc<Array>> = args.iter().filter_map(Value::as_array_full).collect();
            if let Some(u) = arrays.iter().find_map(|a| a.open.as_ref()) {
                return unknown_from(u, cx);
            }
            let mut out: Vec<Value> = Vec::new();
            for item in &arrays[0].items {
                let distinct = Array {
                    items: out.clone(),
                    open: None,
                };
                match position(&distinct, item, false) {
                    Found::At(_) => continue,
                    Found::Unknown(u) => return unknown_from(&u, cx),
                    Found::Nowhere => {}
                }
                let mut in_all = true;
                for other in &arrays[1..] {
                    match position(other, item, false) {
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
            for a in args.iter().filter_map(Value::as_array_full) {
                if let Some(u) = &a.open {
                    return unknown_from(u, cx);
                }
                for item in &a.items {
                    let seen = out
                        .iter()
                        .any(|x| matches!(x.tri_eq(item), Tri::Known(true)));
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
    match &args[0].kind {
        Kind::Unknown(u) => unknown_from(u, cx),
        Kind::Array(_) => Ok(args[0].clone()),
        _ => Ok(Value::array(vec![args[0].clone()], cx.span)),
    }
}

/// `flatten(arrayToFlatten)`: one level.
pub(super) fn flatten(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("flatten", args, 1, 1)?;
    let outer = match &args[0].kind {
        Kind::Unknown(u) => return unknown_from(u, cx),
        Kind::Array(a) => a,
        _ => return type_error("flatten", 0, "an array", &args[0]),
    };
    for (i, item) in outer.items.iter().enumerate() {
        if !item.is_unknown() && item.as_array().is_none() {
            return fail(format!(
                "`flatten` expects an array of arrays, element {i} is {}",
                item.type_name()
            ));
        }
    }
    if let Some(u) = &outer.open {
        return unknown_from(u, cx);
    }
    let mut out = Vec::new();
    for item in &outer.items {
        match &item.kind {
            Kind::Unknown(u) => return unknown_from(u, cx),
            Kind::Array(inner) => {
                if let Some(u) = &inner.open {
                    return unknown_from(u, cx);
                }
                if out.len() + inner.items.len() > MAX_ARRAY_LEN {
                    return too_large(cx);
                }
                out.extend(inner.items.iter().cloned());
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
    if let Some(u) = &a.open {
        return unknown_from(u, cx);
    }
    let len = a.items.len();
    match usize::try_from(n) {
        Ok(k) if k >= 1 && k <= len => Ok(a.items[len - k].clone()),
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

/// An array value, open if `open` is set.
fn array_value(items: Vec<Value>, open: Option<Arc<Unknown>>, cx: &FnCtx) -> Value {
    Value::new(Kind::Array(Arc::new(Array { items, open })), cx.span)
}
