//! Object functions, and the object cases of `contains`, `intersection` and `union`.
//!
//! Keys compare ASCII case-insensitively. An open object (a `reference()` result) may have more
//! members at deployment: what depends on them is unknown.

use super::{
    arity, fail, first_unknown, hole_unknown, too_large, type_error, unknown_from, FnCtx, FnResult,
    MAX_ARRAY_LEN,
};
use crate::arm::hole;
use crate::arm::value::{Kind, KindRef, Lookup, Object, Tri, Unknown, Value};
use std::cmp::Ordering;
use std::sync::Arc;

type Entries = Vec<(arcstr::ArcStr, Value)>;

/// `contains(object, key)`: whether the object has the key (case-insensitive).
pub(super) fn contains_key(container: &Value, key: &Value, cx: &FnCtx) -> FnResult {
    let Some(o) = container.as_object() else {
        return type_error("contains", 0, "an object", container);
    };
    let k = match key.kind() {
        KindRef::Unknown(u) => return unknown_from(u, cx),
        KindRef::Str(k) => k,
        _ => return type_error("contains", 1, "a string", key),
    };
    if o.get(k).is_some() {
        return Ok(Value::bool(true, cx.span));
    }
    if hole::has_hole(k) {
        return hole_unknown(k, cx);
    }
    if let Some((hidden, _)) = o.entries().iter().find(|(ek, _)| hole::has_hole(ek)) {
        return hole_unknown(hidden, cx);
    }
    match o.open() {
        Some(u) => unknown_from(u, cx),
        None => Ok(Value::bool(false, cx.span)),
    }
}

/// `intersection` of objects: the members of the first whose values are equal in all others.
pub(super) fn intersection(args: &[Value], cx: &FnCtx) -> FnResult {
    let objects: Vec<&Object> = args.iter().filter_map(Value::as_object).collect();
    if let Some(u) = objects.first().and_then(|o| o.open()) {
        return unknown_from(u, cx);
    }
    let mut out: Entries = Vec::new();
    for (k, v) in objects.first().map(|o| o.entries()).unwrap_or_default() {
        let mut in_all = true;
        for other in &objects[1..] {
            match other.get(k) {
                Some(x) => match v.tri_eq(x) {
                    Tri::Known(true) => {}
                    Tri::Known(false) => in_all = false,
                    Tri::Unknown(u) => return unknown_from(&u, cx),
                },
                None => match other.open() {
                    Some(u) => return unknown_from(u, cx),
                    None => in_all = false,
                },
            }
        }
        if in_all {
            out.retain(|(ok, _)| !ok.eq_ignore_ascii_case(k));
            out.push((k.clone(), v.clone()));
        }
    }
    Ok(Value::object(out, cx.span))
}

/// `union` of objects: later members win; nested objects are merged the same way, arrays and
/// other values are replaced. Only the first object may be open.
pub(super) fn union(args: &[Value], cx: &FnCtx) -> FnResult {
    let objects: Vec<&Object> = args.iter().filter_map(Value::as_object).collect();
    merge_all(&objects, true, cx)
}

/// Merges objects in order, deeply or not.
fn merge_all(objects: &[&Object], deep: bool, cx: &FnCtx) -> FnResult {
    let Some(first) = objects.first() else {
        return Ok(Value::object(Vec::new(), cx.span));
    };
    let mut entries = first.entries().to_vec();
    for o in &objects[1..] {
        if let Some(u) = o.open() {
            return unknown_from(u, cx);
        }
        if let Err(u) = merge(&mut entries, o, deep) {
            return unknown_from(&u, cx);
        }
        if entries.len() > MAX_ARRAY_LEN {
            return too_large(cx);
        }
    }
    Ok(Value::new(
        Kind::Object(Object::new(entries, first.open().cloned())),
        cx.span,
    ))
}

/// Merges `patch` into `into`.
fn merge(into: &mut Entries, patch: &Object, deep: bool) -> Result<(), Arc<Unknown>> {
    for (k, v) in patch.entries() {
        let Some(pos) = into.iter().rposition(|(ek, _)| ek.eq_ignore_ascii_case(k)) else {
            into.push((k.clone(), v.clone()));
            continue;
        };
        let existing = &into[pos].1;
        let merged = match (existing.kind(), v.kind()) {
            (KindRef::Object(a), KindRef::Object(b)) if deep => {
                if let Some(u) = b.open() {
                    return Err(Arc::clone(u));
                }
                let mut entries = a.entries().to_vec();
                merge(&mut entries, b, true)?;
                Value::new(
                    Kind::Object(Object::new(entries, a.open().cloned())),
                    v.span(),
                )
            }
            // Whether the two would merge depends on the unknown one.
            (KindRef::Unknown(u), KindRef::Object(_)) if deep => Value::from_unknown(u, v.span()),
            _ => v.clone(),
        };
        into[pos].1 = merged;
    }
    Ok(())
}

/// `shallowMerge(arrayOfObjects)`: top-level members, later ones win.
pub(super) fn shallow_merge(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("shallowMerge", args, 1, 1)?;
    let a = match args[0].kind() {
        KindRef::Unknown(u) => return unknown_from(u, cx),
        KindRef::Array(a) => a,
        _ => return type_error("shallowMerge", 0, "an array of objects", &args[0]),
    };
    for (i, item) in a.items().iter().enumerate() {
        if !item.is_unknown() && item.as_object().is_none() {
            return fail(format!(
                "`shallowMerge` expects an array of objects, element {i} is {}",
                item.type_name()
            ));
        }
    }
    if let Some(u) = a.open().or(first_unknown(a.items())) {
        return unknown_from(u, cx);
    }
    let objects: Vec<&Object> = a.items().iter().filter_map(Value::as_object).collect();
    merge_all(&objects, false, cx)
}

/// `createObject(key1, value1, ...)`.
pub(super) fn create_object(args: &[Value], cx: &FnCtx) -> FnResult {
    if args.len() % 2 != 0 {
        return fail(format!(
            "`createObject` expects an even number of arguments, got {}",
            args.len()
        ));
    }
    let mut entries: Entries = Vec::with_capacity(args.len() / 2);
    for (i, pair) in args.chunks_exact(2).enumerate() {
        match pair[0].kind() {
            KindRef::Str(_) | KindRef::Unknown(_) => {}
            _ => return type_error("createObject", 2 * i, "a string key", &pair[0]),
        }
    }
    if let Some(u) = args.iter().step_by(2).find_map(Value::as_unknown) {
        return unknown_from(u, cx);
    }
    for pair in args.chunks_exact(2) {
        let key = pair[0].as_arc_str().cloned().unwrap_or_default();
        if hole::has_hole(&key) {
            return hole_unknown(&key, cx);
        }
        if entries.iter().any(|(k, _)| *k == key) {
            return fail(format!("`createObject` key `{key}` is repeated"));
        }
        entries.push((key, pair[1].clone()));
    }
    Ok(Value::object(entries, cx.span))
}

/// The object argument of `name`, or the unknown result.
fn object_arg<'v>(
    name: &str,
    args: &'v [Value],
    cx: &FnCtx,
) -> Result<Result<&'v Object, Value>, super::FnError> {
    arity(name, args, 1, 1)?;
    match args[0].kind() {
        KindRef::Unknown(u) => Ok(Err(Value::from_unknown(u, cx.span))),
        KindRef::Object(o) => match o.open() {
            Some(u) => Ok(Err(Value::from_unknown(u, cx.span))),
            None => Ok(Ok(o)),
        },
        _ => type_error(name, 0, "an object", &args[0]),
    }
}

/// `items(object)`: `[{key, value}]`, sorted by key ignoring case.
pub(super) fn items(args: &[Value], cx: &FnCtx) -> FnResult {
    let o = match object_arg("items", args, cx)? {
        Ok(o) => o,
        Err(v) => return Ok(v),
    };
    if o.entries().len() > 1 {
        if let Some((k, _)) = o.entries().iter().find(|(k, _)| hole::has_hole(k)) {
            return hole_unknown(k, cx);
        }
    }
    let mut sorted: Vec<&(arcstr::ArcStr, Value)> = o.entries().iter().collect();
    sorted.sort_by(|(a, _), (b, _)| compare_ignore_case(a, b));
    let out = sorted
        .into_iter()
        .map(|(k, v)| {
            Value::object(
                vec![
                    ("key".into(), Value::str(k.clone(), cx.span)),
                    ("value".into(), v.clone()),
                ],
                cx.span,
            )
        })
        .collect();
    Ok(Value::array(out, cx.span))
}

/// .NET's `StringComparer.OrdinalIgnoreCase`: UTF-16 units compared in upper case.
fn compare_ignore_case(a: &str, b: &str) -> Ordering {
    let up = |s: &str| -> Vec<u16> {
        s.chars()
            .map(super::text::upper_char)
            .collect::<String>()
            .encode_utf16()
            .collect()
    };
    up(a).cmp(&up(b))
}

/// `objectKeys(object)`: the keys in order.
pub(super) fn object_keys(args: &[Value], cx: &FnCtx) -> FnResult {
    let o = match object_arg("objectKeys", args, cx)? {
        Ok(o) => o,
        Err(v) => return Ok(v),
    };
    let keys = o
        .entries()
        .iter()
        .map(|(k, _)| Value::str(k.clone(), cx.span))
        .collect();
    Ok(Value::array(keys, cx.span))
}

/// `tryGet(itemToTryGet, keyOrIndex, ...)`: follows the path; `null` where a step is missing.
pub(super) fn try_get(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("tryGet", args, 2, usize::MAX)?;
    for (i, k) in args.iter().enumerate().skip(1) {
        if !matches!(
            k.kind(),
            KindRef::Str(_) | KindRef::Int(_) | KindRef::Unknown(_)
        ) {
            return type_error("tryGet", i, "a string or an integer", k);
        }
    }
    let mut cur = &args[0];
    for key in &args[1..] {
        if let KindRef::Unknown(u) = key.kind() {
            return unknown_from(u, cx);
        }
        let step = match (cur.kind(), key.kind()) {
            (KindRef::Unknown(u), _) => return unknown_from(u, cx),
            (KindRef::Object(o), KindRef::Str(k)) => {
                if hole::has_hole(k) && o.get(k).is_none() {
                    return hole_unknown(k, cx);
                }
                cur.member(k)
            }
            (KindRef::Array(a), KindRef::Int(i)) => a.index(i),
            _ => Lookup::Missing,
        };
        cur = match step {
            Lookup::Found(v) => v,
            Lookup::Missing => return Ok(Value::null(cx.span)),
            Lookup::Unknown(u) => return unknown_from(&u, cx),
        };
    }
    if let Some(u) = cur.as_unknown() {
        return unknown_from(u, cx);
    }
    Ok(cur.clone())
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::*;
    use crate::arm::value::{make_open, Unknown, Value};

    fn open(v: Value) -> Value {
        make_open(&v, &Unknown::new("`fw`"))
    }

    #[test]
    fn contains_keys() {
        // template-functions-object.md#contains: keys compare ignoring case.
        let o = obj(vec![("one", s("a")), ("two", s("b")), ("three", s("c"))]);
        assert_bool(call("contains", &[o.clone(), s("one")]), true);
        assert_bool(call("contains", &[o.clone(), s("ONE")]), true);
        assert_bool(call("contains", &[o.clone(), s("a")]), false);
        assert_unknown(
            call("contains", &[o.clone(), s(&hole_p("k"))]),
            "parameter `k` has no value",
        );
        let h = hole_p("k");
        assert_bool(
            call("contains", &[obj(vec![(h.as_str(), i(1))]), s(&h)]),
            true,
        );
        assert_unknown(
            call("contains", &[obj(vec![(h.as_str(), i(1))]), s("x")]),
            "parameter `k` has no value",
        );
        assert_unknown(call("contains", &[open(o.clone()), s("four")]), "`fw`");
        assert_bool(call("contains", &[open(o.clone()), s("two")]), true);
        assert_unknown(call("contains", &[o.clone(), u("why")]), "why");
        assert_is_err(call("contains", &[o, i(1)]));
    }

    #[test]
    fn create_object_pairs() {
        // template-functions-object.md#createobject.
        let r = call(
            "createobject",
            &[
                s("intProp"),
                i(1),
                s("stringProp"),
                s("abc"),
                s("boolProp"),
                b(true),
                s("arrayProp"),
                strs(&["a", "b", "c"]),
                s("objectProp"),
                obj(vec![("key1", s("value1"))]),
            ],
        );
        assert_eq!(
            json(r),
            r#"{"arrayProp":["a","b","c"],"boolProp":true,"intProp":1,"objectProp":{"key1":"value1"},"stringProp":"abc"}"#
        );
        assert_eq!(json(call("createobject", &[])), "{}");
        let r = call("createobject", &[s("a"), u("why")]).unwrap();
        assert!(r.get("a").unwrap().is_unknown());
        assert_unknown(call("createobject", &[u("why"), i(1)]), "why");
        assert_unknown(
            call("createobject", &[s(&hole_p("k")), i(1)]),
            "parameter `k` has no value",
        );
        assert_err(
            call("createobject", &[s("a")]),
            "`createObject` expects an even number of arguments, got 1",
        );
        assert_err(
            call("createobject", &[s("a"), i(1), s("a"), i(2)]),
            "`createObject` key `a` is repeated",
        );
        assert_is_err(call("createobject", &[i(1), i(1)]));
    }

    #[test]
    fn items_sorted_by_key() {
        // template-functions-object.md#items.
        let entities = obj(vec![
            (
                "item002",
                obj(vec![
                    ("enabled", b(false)),
                    ("displayName", s("Example item 2")),
                    ("number", i(200)),
                ]),
            ),
            (
                "item001",
                obj(vec![
                    ("enabled", b(true)),
                    ("displayName", s("Example item 1")),
                    ("number", i(300)),
                ]),
            ),
        ]);
        assert_eq!(
            json(call("items", &[entities])),
            r#"[{"key":"item001","value":{"displayName":"Example item 1","enabled":true,"number":300}},{"key":"item002","value":{"displayName":"Example item 2","enabled":false,"number":200}}]"#
        );
        let mixed = obj(vec![("b", i(1)), ("A", i(2)), ("_", i(3))]);
        let keys: Vec<String> = call("items", &[mixed])
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e.get("key").and_then(Value::as_str).map(str::to_owned))
            .collect();
        assert_eq!(keys, ["A", "b", "_"]);
        assert_unknown(call("items", &[open(obj(vec![]))]), "`fw`");
        assert_unknown(call("items", &[u("why")]), "why");
        assert_is_err(call("items", &[arr(vec![])]));
    }

    #[test]
    fn null_and_object_keys() {
        // template-functions-object.md#null and #objectkeys.
        assert!(call("null", &[]).unwrap().is_null());
        assert_is_err(call("null", &[i(1)]));
        assert_eq!(
            json(call("objectkeys", &[obj(vec![("a", i(1)), ("b", i(2))])])),
            r#"["a","b"]"#
        );
        assert_unknown(call("objectkeys", &[open(obj(vec![("a", i(1))]))]), "`fw`");
        assert_is_err(call("objectkeys", &[s("a")]));
    }

    #[test]
    fn shallow_merge_top_level() {
        // template-functions-object.md#shallowmerge.
        let first = arr(vec![
            obj(vec![("one", s("a"))]),
            obj(vec![("two", s("b"))]),
            obj(vec![("two", s("c"))]),
        ]);
        assert_eq!(
            json(call("shallowmerge", &[first])),
            r#"{"one":"a","two":"c"}"#
        );
        let second = arr(vec![
            obj(vec![
                ("one", s("a")),
                (
                    "nested",
                    obj(vec![("a", i(1)), ("nested", obj(vec![("c", i(3))]))]),
                ),
            ]),
            obj(vec![("two", s("b")), ("nested", obj(vec![("b", i(2))]))]),
        ]);
        assert_eq!(
            json(call("shallowmerge", &[second])),
            r#"{"nested":{"b":2},"one":"a","two":"b"}"#
        );
        assert_unknown(
            call("shallowmerge", &[arr(vec![obj(vec![]), u("why")])]),
            "why",
        );
        assert_err(
            call("shallowmerge", &[arr(vec![obj(vec![]), i(1)])]),
            "`shallowMerge` expects an array of objects, element 1 is Int",
        );
        assert_is_err(call("shallowmerge", &[obj(vec![])]));
    }

    #[test]
    fn try_get_follows_a_path() {
        // tryGet: a missing key or index is null.
        let o = obj(vec![("key", obj(vec![("nestedKey", s("value"))]))]);
        assert_eq!(
            json(call("tryget", &[o.clone(), s("key")])),
            r#"{"nestedKey":"value"}"#
        );
        assert_str(
            call("tryget", &[o.clone(), s("key"), s("nestedKey")]),
            "value",
        );
        assert_str(
            call("tryget", &[o.clone(), s("KEY"), s("nestedkey")]),
            "value",
        );
        assert!(
            call("tryget", &[o.clone(), s("unknownKey"), s("nestedKey")])
                .unwrap()
                .is_null()
        );
        assert!(call("tryget", &[o.clone(), s("key"), s("other")])
            .unwrap()
            .is_null());
        assert_str(call("tryget", &[strs(&["element"]), i(0)]), "element");
        assert!(call("tryget", &[strs(&["element"]), i(1)])
            .unwrap()
            .is_null());
        assert!(call("tryget", &[obj(vec![]), i(0)]).unwrap().is_null());
        assert!(call("tryget", &[null(), s("p")]).unwrap().is_null());
        assert!(call("tryget", &[s("string"), s("p")]).unwrap().is_null());
        assert_unknown(
            call("tryget", &[open(o.clone()), s("other")]),
            "`other` is a runtime property of `fw`",
        );
        assert_unknown(call("tryget", &[o.clone(), u("why")]), "why");
        assert_unknown(call("tryget", &[obj(vec![("a", u("why"))]), s("a")]), "why");
        assert_err(
            call("tryget", &[o.clone(), b(true)]),
            "`tryGet` expects a string or an integer as second argument, got Bool",
        );
        assert_is_err(call("tryget", &[o]));
    }
}
