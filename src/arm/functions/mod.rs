//! The template function library: the functions whose result depends only on their arguments.
//!
//! The evaluator (`arm::eval`) handles the functions that need the template or the deployment
//! (`parameters`, `variables`, `reference`, `resourceId`, `copyIndex`, `if`, the lambda functions,
//! `resourceGroup`, ...) and calls [`call`] for the rest, with evaluated arguments.
//!
//! Unknown flows through: a function whose result depends on an unknown argument returns an unknown
//! value carrying that argument's reason; one that can decide without it (`contains` finding a known
//! match, `and` with a known `false`) decides. Strings with holes (see [`super::hole`]) are known text
//! around unknown parts: `concat`, `format`, `toLower`, `split`, `join`, `replace` keep them;
//! anything that would need the hidden text (`length`, `equals` with a different string,
//! `substring`, ...) is unknown, and `uniqueString`/`guid` of them is a new hole.

mod array;
mod cidr;
mod compare;
mod date;
mod hash;
mod json;
mod logic;
mod numeric;
mod object;
mod string;
mod text;

use super::hole;
use super::value::{KindRef, Unknown, Value};
use crate::source::Span;
use std::sync::Arc;

/// Longest string (in bytes) a function builds; anything longer is unknown.
pub const MAX_STRING_LEN: usize = 1 << 20;
/// Longest array a function builds; anything longer is unknown.
pub const MAX_ARRAY_LEN: usize = 100_000;

/// Why a result beyond [`MAX_STRING_LEN`] or [`MAX_ARRAY_LEN`] is unknown.
const TOO_LARGE: &str = "result larger than amlint evaluates";

/// What a pure function may know besides its arguments.
#[derive(Clone, Copy, Debug)]
pub struct FnCtx {
    /// The evaluation unit, for the holes a function makes (`uniqueString` of a hole).
    pub unit: u32,
    /// The span to give the result: the expression that called the function.
    pub span: Span,
}

/// The error ARM would report for a call (wrong argument count or type, bad format string...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FnError(pub String);

pub type FnResult = Result<Value, FnError>;

/// Calls the pure function `name` (lowercase). `None` when `name` is not a pure function.
pub fn call(name: &str, args: &[Value], cx: &FnCtx) -> Option<FnResult> {
    let result = match name {
        // Polymorphic over strings, arrays and objects.
        "concat" => array::concat(args, cx),
        "contains" => array::contains(args, cx),
        "empty" => array::empty(args, cx),
        "first" => array::first(args, cx),
        "last" => array::last(args, cx),
        "indexof" => array::index_of(args, cx, false),
        "lastindexof" => array::index_of(args, cx, true),
        "length" => array::length(args, cx),
        "skip" => array::skip_take(args, cx, true),
        "take" => array::skip_take(args, cx, false),
        "intersection" => array::intersection(args, cx),
        "union" => array::union(args, cx),
        // Array.
        "array" => array::array(args, cx),
        "createarray" => Ok(Value::array(args.to_vec(), cx.span)),
        "flatten" => array::flatten(args, cx),
        "indexfromend" => array::index_from_end(args, cx, false),
        "tryindexfromend" => array::index_from_end(args, cx, true),
        "range" => array::range(args, cx),
        "max" => numeric::min_max(args, cx, true),
        "min" => numeric::min_max(args, cx, false),
        // Object.
        "createobject" => object::create_object(args, cx),
        "items" => object::items(args, cx),
        "json" => json::json(args, cx),
        "null" => arity("null", args, 0, 0).map(|()| Value::null(cx.span)),
        "objectkeys" => object::object_keys(args, cx),
        "shallowmerge" => object::shallow_merge(args, cx),
        "tryget" => object::try_get(args, cx),
        // String.
        "base64" => string::base64(args, cx),
        "base64tojson" => json::base64_to_json(args, cx),
        "base64tostring" => string::base64_to_string(args, cx),
        "datauri" => string::data_uri(args, cx),
        "datauritostring" => string::data_uri_to_string(args, cx),
        "endswith" => string::starts_ends_with(args, cx, true),
        "startswith" => string::starts_ends_with(args, cx, false),
        "format" => string::format(args, cx),
        "guid" => hash::guid(args, cx),
        "uniquestring" => hash::unique_string(args, cx),
        "join" => string::join(args, cx),
        "newguid" => arity("newGuid", args, 0, 0)
            .map(|()| Value::unknown("`newGuid()` is only known at deployment", cx.span)),
        "padleft" => string::pad_left(args, cx),
        "replace" => string::replace(args, cx),
        "split" => string::split(args, cx),
        "string" => json::string(args, cx),
        "substring" => string::substring(args, cx),
        "tolower" => string::change_case(args, cx, false),
        "toupper" => string::change_case(args, cx, true),
        "trim" => string::trim(args, cx),
        "uri" => string::uri(args, cx),
        "uricomponent" => string::uri_component(args, cx),
        "uricomponenttostring" => string::uri_component_to_string(args, cx),
        // Logical and comparison.
        "and" => logic::and_or(args, cx, true),
        "or" => logic::and_or(args, cx, false),
        "not" => logic::not(args, cx),
        "bool" => logic::bool(args, cx),
        "true" => arity("true", args, 0, 0).map(|()| Value::bool(true, cx.span)),
        "false" => arity("false", args, 0, 0).map(|()| Value::bool(false, cx.span)),
        "coalesce" => compare::coalesce(args, cx),
        "equals" => compare::equals(args, cx),
        "greater" => compare::order(args, cx, "greater"),
        "greaterorequals" => compare::order(args, cx, "greaterOrEquals"),
        "less" => compare::order(args, cx, "less"),
        "lessorequals" => compare::order(args, cx, "lessOrEquals"),
        // Numeric.
        "add" | "sub" | "mul" | "div" | "mod" => numeric::arithmetic(name, args, cx),
        "int" => numeric::int(args, cx),
        "float" => numeric::float(args, cx),
        // CIDR.
        "parsecidr" => cidr::parse_cidr(args, cx),
        "cidrsubnet" => cidr::cidr_subnet(args, cx),
        "cidrhost" => cidr::cidr_host(args, cx),
        // Date.
        "utcnow" => arity("utcNow", args, 0, 1)
            .map(|()| Value::unknown("`utcNow()` is only known at deployment", cx.span)),
        "datetimeadd" => date::date_time_add(args, cx),
        "datetimefromepoch" => date::date_time_from_epoch(args, cx),
        "datetimetoepoch" => date::date_time_to_epoch(args, cx),
        _ => return None,
    };
    Some(result.map(|v| guard_size(derive_hole(name, args, cx, v).at(cx.span))))
}

/// String functions that are deterministic: applied to text with holes, their result is unknown
/// text, but the same for the same input. Such a result becomes a new hole rather than unknown,
/// so `substring(uniqueString(resourceGroup().id), 0, 4)` still names the same resource everywhere
/// a template uses it.
const DETERMINISTIC_STRING_FUNCTIONS: &[&str] = &[
    "substring",
    "take",
    "skip",
    "first",
    "last",
    "padleft",
    "replace",
    "trim",
    "tolower",
    "toupper",
    "base64",
    "uri",
    "uricomponent",
    "string",
    "format",
    "concat",
];

fn derive_hole(name: &str, args: &[Value], cx: &FnCtx, v: Value) -> Value {
    let applies = v.is_unknown()
        && DETERMINISTIC_STRING_FUNCTIONS.contains(&name)
        && args
            .first()
            .and_then(Value::as_str)
            .is_some_and(hole::has_hole)
        && args
            .iter()
            .all(|a| a.deep_unknown().is_none_or(|_| a.as_str().is_some()))
        && args
            .iter()
            .all(|a| !matches!(a.kind(), KindRef::Unknown(_)));
    if !applies {
        return v;
    }
    let text: Vec<String> = args.iter().map(Value::display_raw).collect();
    hash::derived_hole(name, &text.join("\u{1}"), cx)
}

/// A result beyond the size limits becomes unknown.
fn guard_size(v: Value) -> Value {
    let too_large = match v.kind() {
        KindRef::Str(s) => s.len() > MAX_STRING_LEN,
        KindRef::Array(a) => a.items().len() > MAX_ARRAY_LEN,
        _ => false,
    };
    if too_large {
        Value::unknown(TOO_LARGE, v.span())
    } else {
        v
    }
}

/// An [`FnError`] with `msg`.
fn fail<T>(msg: impl Into<String>) -> Result<T, FnError> {
    Err(FnError(msg.into()))
}

/// Checks the argument count of `name` (as ARM spells it).
fn arity(name: &str, args: &[Value], min: usize, max: usize) -> Result<(), FnError> {
    let n = args.len();
    if n >= min && n <= max {
        return Ok(());
    }
    let expected = if min == max {
        format!("{min}")
    } else if max == usize::MAX {
        format!("at least {min}")
    } else {
        format!("{min} to {max}")
    };
    let plural = if expected.ends_with(" 1") || expected == "1" {
        ""
    } else {
        "s"
    };
    fail(format!(
        "`{name}` expects {expected} argument{plural}, got {n}"
    ))
}

/// The first argument that is unknown as a whole.
fn first_unknown(args: &[Value]) -> Option<&Arc<Unknown>> {
    args.iter().find_map(Value::as_unknown)
}

/// The unknown result carrying `u`.
fn unknown_from(u: &Arc<Unknown>, cx: &FnCtx) -> FnResult {
    Ok(Value::from_unknown(u, cx.span))
}

/// The unknown result with `reason`.
fn unknown(reason: impl Into<String>, cx: &FnCtx) -> FnResult {
    Ok(Value::unknown(reason, cx.span))
}

/// The unknown result for a string whose holes hide what the function needs.
fn hole_unknown(s: &str, cx: &FnCtx) -> FnResult {
    unknown(hole_reason(s), cx)
}

/// Why a string with holes is not known.
fn hole_reason(s: &str) -> String {
    hole::reason(s).unwrap_or_else(|| "it holds unknown text".to_owned())
}

/// The unknown result for a result over the size limits.
fn too_large(cx: &FnCtx) -> FnResult {
    unknown(TOO_LARGE, cx)
}

/// The position of argument `i` (0-based) in words, for messages.
fn nth(i: usize) -> &'static str {
    match i {
        0 => "first",
        1 => "second",
        2 => "third",
        3 => "fourth",
        _ => "an",
    }
}

/// The error for argument `i` of `name` having the wrong type.
fn type_error<T>(name: &str, i: usize, expected: &str, got: &Value) -> Result<T, FnError> {
    fail(format!(
        "`{name}` expects {expected} as {} argument, got {}",
        nth(i),
        got.type_name()
    ))
}

/// Argument `i` as a string (possibly with holes), or a type error.
fn str_arg<'v>(name: &str, args: &'v [Value], i: usize) -> Result<&'v str, FnError> {
    match args.get(i) {
        Some(v) => match v.as_str() {
            Some(s) => Ok(s),
            None => type_error(name, i, "a string", v),
        },
        None => fail(format!("`{name}` is missing its {} argument", nth(i))),
    }
}

/// Argument `i` as an integer, or a type error.
fn int_arg(name: &str, args: &[Value], i: usize) -> Result<i64, FnError> {
    match args.get(i) {
        Some(v) => match v.kind() {
            KindRef::Int(n) => Ok(n),
            _ => type_error(name, i, "an integer", v),
        },
        None => fail(format!("`{name}` is missing its {} argument", nth(i))),
    }
}

/// Formats an integer as ARM writes it into strings.
fn int_text(n: i64) -> String {
    n.to_string()
}

/// Formats a boolean as ARM (.NET) writes it into strings.
fn bool_text(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// Every function name of the ARM template language (lowercase), whether amlint evaluates it or not:
/// a call to anything else that is not a user-defined function is an error ARM would report.
pub const ARM_FUNCTIONS: &[&str] = &[
    // Any
    "coalesce",
    "if",
    // Array
    "array",
    "concat",
    "contains",
    "createarray",
    "empty",
    "first",
    "flatten",
    "indexfromend",
    "indexof",
    "intersection",
    "last",
    "lastindexof",
    "length",
    "max",
    "min",
    "range",
    "skip",
    "take",
    "tryindexfromend",
    "union",
    // CIDR
    "cidrhost",
    "cidrsubnet",
    "parsecidr",
    // Comparison
    "equals",
    "greater",
    "greaterorequals",
    "less",
    "lessorequals",
    // Date
    "datetimeadd",
    "datetimefromepoch",
    "datetimetoepoch",
    "utcnow",
    // Deployment
    "deployer",
    "deployment",
    "environment",
    "parameters",
    "variables",
    // Lambda
    "filter",
    "groupby",
    "lambda",
    "lambdavariables",
    "map",
    "mapvalues",
    "reduce",
    "sort",
    "toobject",
    // Logical
    "and",
    "bool",
    "false",
    "not",
    "or",
    "true",
    // Numeric
    "add",
    "copyindex",
    "div",
    "float",
    "int",
    "mod",
    "mul",
    "sub",
    // Object
    "createobject",
    "items",
    "json",
    "null",
    "objectkeys",
    "shallowmerge",
    "tryget",
    // Resource
    "extensionresourceid",
    "listaccountsas",
    "listkeys",
    "listsecrets",
    "list",
    "managementgroup",
    "managementgroupresourceid",
    "pickzones",
    "providers",
    "reference",
    "references",
    "resourceid",
    "resourceinfo",
    "resourcegroup",
    "subscription",
    "subscriptionresourceid",
    "tenant",
    "tenantresourceid",
    // String
    "base64",
    "base64tojson",
    "base64tostring",
    "datauri",
    "datauritostring",
    "endswith",
    "format",
    "guid",
    "join",
    "lastindexof",
    "newguid",
    "padleft",
    "replace",
    "split",
    "startswith",
    "string",
    "substring",
    "tolower",
    "toupper",
    "trim",
    "uniquestring",
    "uri",
    "uricomponent",
    "uricomponenttostring",
];

/// Whether `name` (any case) is a function of the ARM template language. `list*` functions
/// (`listKeys`, `listCredentials`, ...) are open-ended.
pub fn is_arm_function(name: &str) -> bool {
    static KNOWN: std::sync::OnceLock<rustc_hash::FxHashSet<&'static str>> =
        std::sync::OnceLock::new();
    let known = KNOWN.get_or_init(|| ARM_FUNCTIONS.iter().copied().collect());
    let lower;
    let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
        lower = name.to_ascii_lowercase();
        lower.as_str()
    } else {
        name
    };
    name.starts_with("list") || known.contains(name)
}

/// Shared helpers for the tests of the function modules.
#[cfg(test)]
pub(crate) mod tests_support {
    pub use super::FnResult;
    use super::{FnCtx, FnError};
    use crate::arm::hole::{self, HoleKind};
    use crate::arm::value::{KindRef, Value};
    use crate::source::Span;

    pub const UNIT: u32 = 1;

    pub fn cx() -> FnCtx {
        FnCtx {
            unit: UNIT,
            span: Span::NONE,
        }
    }
    /// Calls a pure function, which must exist.
    pub fn call(name: &str, args: &[Value]) -> FnResult {
        match super::call(name, args, &cx()) {
            Some(r) => r,
            None => panic!("`{name}` is not a pure function"),
        }
    }
    pub fn s(x: &str) -> Value {
        Value::str(x, Span::NONE)
    }
    pub fn i(n: i64) -> Value {
        Value::int(n, Span::NONE)
    }
    pub fn f(x: f64) -> Value {
        Value::float(x, Span::NONE)
    }
    pub fn b(x: bool) -> Value {
        Value::bool(x, Span::NONE)
    }
    pub fn null() -> Value {
        Value::null(Span::NONE)
    }
    pub fn u(reason: &str) -> Value {
        Value::unknown(reason, Span::NONE)
    }
    pub fn arr(items: Vec<Value>) -> Value {
        Value::array(items, Span::NONE)
    }
    pub fn obj(entries: Vec<(&str, Value)>) -> Value {
        Value::object(
            entries.into_iter().map(|(k, v)| (k.into(), v)).collect(),
            Span::NONE,
        )
    }
    pub fn strs(items: &[&str]) -> Value {
        arr(items.iter().map(|x| s(x)).collect())
    }
    /// A parameter hole.
    pub fn hole_p(name: &str) -> String {
        hole::make(HoleKind::Parameter, name, UNIT)
    }
    /// A hole of another kind.
    pub fn hole_k(kind: HoleKind) -> String {
        hole::make(kind, "", UNIT)
    }
    /// Compact JSON of a result, for comparing structures.
    pub fn json(r: FnResult) -> String {
        match r {
            Ok(v) => match v.to_serde() {
                Ok(j) => j.to_string(),
                Err(u) => panic!("unknown result: {}", u.reason),
            },
            Err(e) => panic!("error: {}", e.0),
        }
    }
    pub fn assert_bool(r: FnResult, expected: bool) {
        match r {
            Ok(v) => assert_eq!(v.as_bool(), Some(expected), "{v:?}"),
            Err(e) => panic!("error: {}", e.0),
        }
    }
    pub fn assert_int(r: FnResult, expected: i64) {
        match r {
            Ok(v) => assert!(
                matches!(v.kind(), KindRef::Int(n) if n == expected),
                "{v:?}"
            ),
            Err(e) => panic!("error: {}", e.0),
        }
    }
    #[track_caller]
    pub fn assert_str(r: FnResult, expected: &str) {
        match r {
            Ok(v) => assert_eq!(v.as_str(), Some(expected), "{v:?}"),
            Err(e) => panic!("error: {}", e.0),
        }
    }
    #[track_caller]
    pub fn assert_unknown(r: FnResult, reason: &str) {
        match r {
            Ok(v) => match v.as_unknown() {
                Some(x) => assert_eq!(x.reason, reason),
                None => panic!("known result: {v:?}"),
            },
            Err(e) => panic!("error: {}", e.0),
        }
    }
    /// The result is a new hole: unknown text, the same for the same input.
    #[track_caller]
    pub fn assert_derived(r: FnResult) {
        match r {
            Ok(v) => {
                let text = v.as_str().unwrap_or_else(|| panic!("not a string: {v:?}"));
                assert!(hole::is_whole_hole(text), "{text:?}");
                assert_eq!(hole::holes(text)[0].kind, hole::HoleKind::Derived);
            }
            Err(e) => panic!("error: {}", e.0),
        }
    }
    #[track_caller]
    pub fn assert_err(r: FnResult, message: &str) {
        match r {
            Err(FnError(m)) => assert_eq!(m, message),
            Ok(v) => panic!("no error: {v:?}"),
        }
    }
    pub fn assert_is_err(r: FnResult) {
        assert!(r.is_err(), "{r:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::*;
    use super::{call as call_fn, is_arm_function, ARM_FUNCTIONS, MAX_STRING_LEN};
    use crate::arm::hole::HoleKind;
    use crate::arm::value::{make_open, Unknown, Value};
    use crate::source::{FileId, Span};

    /// Values of every kind, with holes, unknowns and open containers.
    fn pool() -> Vec<Value> {
        let open_reason = Unknown::new("`x`");
        vec![
            s(""),
            s("abc"),
            s("A😀b,c"),
            s("10.0.0.0/8"),
            s("fd00::/64"),
            s("{'a': [1, 2.5]}"),
            s(&hole_p("p")),
            s(&format!(
                "/subscriptions/{}/x",
                hole_k(HoleKind::Subscription)
            )),
            s("2020-01-01T00:00:00Z"),
            s("PT1H"),
            s("{0:N2}{1,-3}"),
            i(0),
            i(-1),
            i(3),
            i(i64::MAX),
            i(i64::MIN),
            f(1.5),
            b(true),
            null(),
            u("why"),
            arr(vec![i(1), s("a")]),
            arr(vec![u("why"), arr(vec![])]),
            make_open(&strs(&["a"]), &open_reason),
            obj(vec![("a", i(1)), ("B", obj(vec![("c", s("d"))]))]),
            make_open(&obj(vec![("a", i(1))]), &open_reason),
            arr(vec![obj(vec![("k", i(1))]), obj(vec![])]),
        ]
    }

    /// Every pure function on every combination of up to two pool values, and on pseudo-random
    /// triples: no panic, every result has the call's span and respects the size limit.
    #[test]
    fn no_function_panics() {
        let pool = pool();
        let span = Span::new(FileId(0), 3, 9);
        let cx = super::FnCtx { unit: UNIT, span };
        let mut calls: Vec<Vec<Value>> = vec![vec![]];
        for a in &pool {
            calls.push(vec![a.clone()]);
            for b in &pool {
                calls.push(vec![a.clone(), b.clone()]);
            }
        }
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..3000 {
            let len = 3 + next(3);
            calls.push((0..len).map(|_| pool[next(pool.len())].clone()).collect());
        }
        for name in ARM_FUNCTIONS {
            let mut any = false;
            for args in &calls {
                let Some(result) = call_fn(name, args, &cx) else {
                    continue;
                };
                any = true;
                if let Ok(v) = result {
                    assert_eq!(v.span(), span, "{name}");
                    if let Some(text) = v.as_str() {
                        assert!(text.len() <= MAX_STRING_LEN);
                    }
                }
            }
            assert_eq!(any, !EVALUATOR.contains(name), "{name}");
        }
    }

    /// The functions the evaluator handles itself.
    const EVALUATOR: &[&str] = &[
        "parameters",
        "variables",
        "reference",
        "references",
        "resourceid",
        "subscriptionresourceid",
        "tenantresourceid",
        "extensionresourceid",
        "managementgroupresourceid",
        "resourceinfo",
        "copyindex",
        "if",
        "lambda",
        "lambdavariables",
        "filter",
        "map",
        "reduce",
        "sort",
        "toobject",
        "groupby",
        "mapvalues",
        "resourcegroup",
        "subscription",
        "tenant",
        "managementgroup",
        "deployment",
        "deployer",
        "environment",
        "list",
        "listkeys",
        "listsecrets",
        "listaccountsas",
        "pickzones",
        "providers",
    ];

    #[test]
    fn evaluator_functions_are_not_pure() {
        for name in EVALUATOR
            .iter()
            .chain(&["listcredentials", "nosuchfunction"])
        {
            assert!(call_fn(name, &[], &cx()).is_none(), "{name}");
        }
        assert!(is_arm_function("listCredentials"));
        assert!(is_arm_function("ParseCidr"));
        assert!(!is_arm_function("nosuchfunction"));
    }

    #[test]
    fn arity_messages() {
        assert_err(call("length", &[]), "`length` expects 1 argument, got 0");
        assert_err(
            call("padleft", &[s("a")]),
            "`padLeft` expects 2 to 3 arguments, got 1",
        );
        assert_err(
            call("and", &[]),
            "`and` expects at least 2 arguments, got 0",
        );
    }
}
