//! String functions, and the string cases of the functions that also take arrays (`length`,
//! `contains`, `indexOf`, `skip`, ...).
//!
//! Positions and lengths count UTF-16 code units, as .NET does. A string with holes keeps its
//! holes through `concat`, `format`, `join`, `toLower`, `split`, `replace`, ... when the result
//! cannot depend on the hidden text; otherwise the result is unknown (see [`super::text`]).

use super::text::{
    self, byte_at_utf16, dotnet_double, ends_with_ci, find_ci, group_thousands, known_prefix,
    known_suffix, known_utf16_len, needle_avoids_holes, segments, starts_with_ci, utf16_len,
    utf16_slice, Seg, NAME_HOLES, UNRESERVED_HOLES,
};
use super::{
    arity, bool_text, fail, first_unknown, hole_unknown, int_arg, int_text, str_arg, too_large,
    type_error, unknown, unknown_from, FnCtx, FnResult, MAX_ARRAY_LEN, MAX_STRING_LEN,
};
use crate::arm::hole;
use crate::arm::value::{KindRef, Value};

// ---------------------------------------------------------------------------------------------
// String cases of polymorphic functions.

/// `length` of a string.
pub(super) fn length(s: &str, cx: &FnCtx) -> FnResult {
    if hole::has_hole(s) {
        return hole_unknown(s, cx);
    }
    Ok(Value::int(utf16_len(s) as i64, cx.span))
}

/// `empty` of a string: false as soon as any known character is there.
pub(super) fn empty(s: &str, cx: &FnCtx) -> FnResult {
    let known_char = segments(s)
        .iter()
        .any(|seg| matches!(seg, Seg::Text(t) if !t.is_empty()));
    if known_char || !hole::has_hole(s) {
        return Ok(Value::bool(s.is_empty(), cx.span));
    }
    hole_unknown(s, cx)
}

/// `contains` of a string: case-sensitive. True when the needle is in the known text (or the
/// same holes are there), false when it is nowhere and cannot be inside a hole.
pub(super) fn contains(s: &str, needle: &str, cx: &FnCtx) -> FnResult {
    if needle.is_empty() || (!hole::has_hole(s) && !hole::has_hole(needle)) {
        return Ok(Value::bool(s.contains(needle), cx.span));
    }
    if hole::has_hole(needle) {
        if s.contains(needle) {
            return Ok(Value::bool(true, cx.span));
        }
        return hole_unknown(needle, cx);
    }
    let segs = segments(s);
    if segs
        .iter()
        .any(|seg| matches!(seg, Seg::Text(t) if t.contains(needle)))
    {
        return Ok(Value::bool(true, cx.span));
    }
    if needle_avoids_holes(&segs, needle) {
        return Ok(Value::bool(false, cx.span));
    }
    hole_unknown(s, cx)
}

/// `indexOf`/`lastIndexOf` of a string: case-insensitive, in UTF-16 positions.
pub(super) fn index_of(s: &str, needle: &str, last: bool, cx: &FnCtx) -> FnResult {
    if hole::has_hole(needle) {
        return hole_unknown(needle, cx);
    }
    if last && needle.is_empty() {
        return unknown(
            "`lastIndexOf` of an empty string differs between .NET versions",
            cx,
        );
    }
    if !hole::has_hole(s) {
        let at = find_ci(s, needle, last).map_or(-1, |i| i as i64);
        return Ok(Value::int(at, cx.span));
    }
    if !last {
        if let Some(i) = find_ci(known_prefix(s), needle, false) {
            return Ok(Value::int(i as i64, cx.span));
        }
    }
    let segs = segments(s);
    let anywhere = segs
        .iter()
        .any(|seg| matches!(seg, Seg::Text(t) if find_ci(t, needle, false).is_some()));
    if !anywhere && needle_avoids_holes(&segs, needle) {
        return Ok(Value::int(-1, cx.span));
    }
    hole_unknown(s, cx)
}

/// `first`/`last` of a string: its first or last character, or `""` if empty.
pub(super) fn first_last(s: &str, last: bool, cx: &FnCtx) -> FnResult {
    let known = if last {
        known_suffix(s)
    } else {
        known_prefix(s)
    };
    let c = if last {
        known.chars().next_back()
    } else {
        known.chars().next()
    };
    match c {
        Some(c) if c.len_utf16() == 1 => Ok(Value::str(c.to_string(), cx.span)),
        Some(_) => unknown("the character is half a surrogate pair in .NET", cx),
        None if !hole::has_hole(s) => Ok(Value::str("", cx.span)),
        None => hole_unknown(s, cx),
    }
}

/// `skip`/`take` of a string.
pub(super) fn skip_take(s: &str, n: i64, skip: bool, cx: &FnCtx) -> FnResult {
    let prefix = known_prefix(s);
    let len = utf16_len(prefix);
    let n = n.max(0) as u64;
    if n > len as u64 && hole::has_hole(s) {
        return hole_unknown(s, cx);
    }
    let n = (n as usize).min(len);
    let Some(at) = byte_at_utf16(s, n) else {
        return unknown("the cut falls inside a surrogate pair", cx);
    };
    let out = if skip { &s[at..] } else { &s[..at] };
    Ok(Value::str(out, cx.span))
}

/// `concat` of strings: integers and booleans are converted, nulls are skipped.
pub(super) fn concat(args: &[Value], cx: &FnCtx) -> FnResult {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        match a.kind() {
            KindRef::Str(s) => out.push_str(s),
            KindRef::Int(n) => out.push_str(&int_text(n)),
            KindRef::Bool(b) => out.push_str(bool_text(b)),
            KindRef::Null => {}
            KindRef::Unknown(_) => {}
            KindRef::Float(_) => {
                return unknown("amlint does not concatenate numbers with a fraction", cx)
            }
            KindRef::Array(_) | KindRef::Object(_) => {
                return type_error("concat", i, "a string", a);
            }
        }
        if out.len() > MAX_STRING_LEN {
            return too_large(cx);
        }
    }
    if let Some(u) = first_unknown(args) {
        return unknown_from(u, cx);
    }
    Ok(Value::str(out, cx.span))
}

// ---------------------------------------------------------------------------------------------
// String functions.

/// `base64(inputString)`.
pub(super) fn base64(args: &[Value], cx: &FnCtx) -> FnResult {
    let s = match one_string("base64", args, cx)? {
        Ok(s) => s,
        Err(v) => return Ok(v),
    };
    if hole::has_hole(s) {
        return hole_unknown(s, cx);
    }
    Ok(Value::str(base64_encode(s.as_bytes()), cx.span))
}

/// `base64ToString(base64Value)`.
pub(super) fn base64_to_string(args: &[Value], cx: &FnCtx) -> FnResult {
    let s = match one_string("base64ToString", args, cx)? {
        Ok(s) => s,
        Err(v) => return Ok(v),
    };
    if hole::has_hole(s) {
        return hole_unknown(s, cx);
    }
    match base64_decode(s) {
        Some(bytes) => Ok(Value::str(String::from_utf8_lossy(&bytes), cx.span)),
        None => fail(format!(
            "`base64ToString` argument `{s}` is not valid base64"
        )),
    }
}

/// `dataUri(stringToConvert)`.
pub(super) fn data_uri(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("dataUri", args, 1, 1)?;
    let (content_type, data) = match args[0].kind() {
        KindRef::Unknown(u) => return unknown_from(u, cx),
        KindRef::Str(s) if hole::has_hole(s) => return hole_unknown(s, cx),
        KindRef::Str(s) => ("text/plain", s.to_string()),
        KindRef::Array(_) | KindRef::Object(_) => match super::json::to_json(&args[0]) {
            Ok(j) if !hole::has_hole(&j) => ("application/json", j),
            Ok(j) => return hole_unknown(&j, cx),
            Err(super::json::Unwritable::Unknown(u)) => return unknown_from(&u, cx),
            Err(super::json::Unwritable::TooLarge) => return too_large(cx),
        },
        _ => {
            return unknown(
                "amlint converts only strings, arrays and objects with `dataUri`",
                cx,
            )
        }
    };
    Ok(Value::str(
        format!(
            "data:{content_type};charset=utf8;base64,{}",
            base64_encode(data.as_bytes())
        ),
        cx.span,
    ))
}

/// `dataUriToString(dataUriToConvert)`.
pub(super) fn data_uri_to_string(args: &[Value], cx: &FnCtx) -> FnResult {
    let s = match one_string("dataUriToString", args, cx)? {
        Ok(s) => s,
        Err(v) => return Ok(v),
    };
    if hole::has_hole(s) {
        return hole_unknown(s, cx);
    }
    let invalid = || {
        fail(format!(
            "`dataUriToString` argument `{s}` is not a data URI"
        ))
    };
    if !starts_with_ci(s, "data:") {
        return invalid();
    }
    let Some(comma) = s.find(',') else {
        return invalid();
    };
    let meta = &s[5..comma];
    let data = &s[comma + 1..];
    let tokens: Vec<&str> = if meta.is_empty() {
        Vec::new()
    } else {
        meta.split(';').collect()
    };
    let is_base64 = tokens
        .last()
        .is_some_and(|t| t.eq_ignore_ascii_case("base64"));
    if tokens.iter().skip(1).any(|t| t.trim().is_empty()) {
        return invalid();
    }
    if let Some(charset) = tokens.iter().skip(1).find_map(|t| {
        t.get(..8)
            .filter(|p| p.eq_ignore_ascii_case("charset="))
            .map(|_| &t[8..])
    }) {
        if !charset.eq_ignore_ascii_case("utf-8") && !charset.eq_ignore_ascii_case("utf8") {
            return unknown(
                format!("amlint decodes only UTF-8 data URIs, not `{charset}`"),
                cx,
            );
        }
    }
    let bytes = if is_base64 {
        match base64_decode(data) {
            Some(b) => b,
            None => return invalid(),
        }
    } else {
        match percent_decode(data, true) {
            Some(b) => b,
            None => return invalid(),
        }
    };
    Ok(Value::str(String::from_utf8_lossy(&bytes), cx.span))
}

/// `startsWith`/`endsWith`: case-insensitive.
pub(super) fn starts_ends_with(args: &[Value], cx: &FnCtx, ends: bool) -> FnResult {
    let name = if ends { "endsWith" } else { "startsWith" };
    arity(name, args, 2, 2)?;
    let (s, x) = match two_strings(name, args, cx)? {
        Ok(p) => p,
        Err(v) => return Ok(v),
    };
    if !hole::has_hole(s) && !hole::has_hole(x) {
        let r = if ends {
            ends_with_ci(s, x)
        } else {
            starts_with_ci(s, x)
        };
        return Ok(Value::bool(r, cx.span));
    }
    if (ends && s.ends_with(x)) || (!ends && s.starts_with(x)) {
        return Ok(Value::bool(true, cx.span));
    }
    if hole::has_hole(x) {
        return hole_unknown(x, cx);
    }
    let known = if ends {
        known_suffix(s)
    } else {
        known_prefix(s)
    };
    let decided = if ends {
        ends_with_ci(known, x)
    } else {
        starts_with_ci(known, x)
    };
    if decided {
        return Ok(Value::bool(true, cx.span));
    }
    // The known part is shorter than `x`: only a mismatch within it decides.
    let (a, b) = if ends {
        (ends_with_ci(x, known), utf16_len(known) >= utf16_len(x))
    } else {
        (starts_with_ci(x, known), utf16_len(known) >= utf16_len(x))
    };
    if !a || b {
        return Ok(Value::bool(false, cx.span));
    }
    hole_unknown(s, cx)
}

/// `format(formatString, arg1, ...)`: .NET composite formatting in the invariant culture.
pub(super) fn format(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("format", args, 1, usize::MAX)?;
    let fmt = match args[0].kind() {
        KindRef::Unknown(u) => return unknown_from(u, cx),
        KindRef::Str(s) => s,
        _ => return type_error("format", 0, "a string", &args[0]),
    };
    let bad = |why: &str| {
        fail(format!(
            "`format` string `{}` is not valid: {why}",
            hole::display(fmt)
        ))
    };
    let mut out = String::with_capacity(fmt.len() + 64);
    let mut rest: &str = fmt;
    while let Some(i) = memchr::memchr2(b'{', b'}', rest.as_bytes()) {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if rest[i..].starts_with('}') {
            let Some(next) = after.strip_prefix('}') else {
                return bad("unmatched `}`");
            };
            out.push('}');
            rest = next;
            continue;
        }
        if let Some(next) = after.strip_prefix('{') {
            out.push('{');
            rest = next;
            continue;
        }
        let Some(close) = memchr::memchr(b'}', after.as_bytes()) else {
            return bad("unclosed `{`");
        };
        let item = &after[..close];
        rest = &after[close + 1..];
        let Some(spec) = parse_item(item) else {
            return bad("a format item is malformed");
        };
        let Some(arg) = args.get(spec.index.saturating_add(1)) else {
            return bad(&format!("there is no argument {}", spec.index));
        };
        let text = match format_arg(arg, spec.format) {
            Formatted::Text(t) => t,
            Formatted::Unknown(v) => return Ok(v.at(cx.span)),
            Formatted::Invalid => {
                return bad(&format!("`{}` is not a format specifier", spec.format))
            }
        };
        let width = spec.align.unsigned_abs() as usize;
        if width > MAX_STRING_LEN {
            return too_large(cx);
        }
        if width == 0 {
            // No alignment (nearly every item): nothing to measure.
            out.push_str(&text);
        } else {
            let known_len = known_utf16_len(&text);
            if known_len < width && hole::has_hole(&text) {
                return hole_unknown(&text, cx);
            }
            let pad = " ".repeat(width.saturating_sub(known_len));
            if spec.align < 0 {
                out.push_str(&text);
                out.push_str(&pad);
            } else {
                out.push_str(&pad);
                out.push_str(&text);
            }
        }
        if out.len() > MAX_STRING_LEN {
            return too_large(cx);
        }
    }
    out.push_str(rest);
    Ok(Value::str(out, cx.span))
}

/// A parsed format item `{index[,alignment][:format]}`.
struct Item<'s> {
    index: usize,
    align: i64,
    format: &'s str,
}

fn parse_item(item: &str) -> Option<Item<'_>> {
    let (head, format) = match item.find(':') {
        Some(i) => (&item[..i], &item[i + 1..]),
        None => (item, ""),
    };
    if format.contains('{') {
        return None;
    }
    let (index, align) = match head.split_once(',') {
        Some((i, a)) => (i, Some(a)),
        None => (head, None),
    };
    let index = index.trim_end();
    if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let index: usize = index.parse().ok()?;
    let align = match align {
        Some(a) => a.trim().parse::<i64>().ok()?,
        None => 0,
    };
    Some(Item {
        index,
        align,
        format,
    })
}

enum Formatted {
    Text(String),
    Unknown(Value),
    Invalid,
}

fn format_arg(v: &Value, spec: &str) -> Formatted {
    match v.kind() {
        KindRef::Unknown(_) => Formatted::Unknown(v.clone()),
        KindRef::Str(s) => Formatted::Text(s.to_string()),
        KindRef::Null => Formatted::Text(String::new()),
        KindRef::Bool(b) => Formatted::Text(bool_text(b).to_owned()),
        KindRef::Int(n) => format_int(n, spec),
        KindRef::Float(f) => match spec {
            "" | "G" | "R" => Formatted::Text(dotnet_double(f)),
            "g" | "r" => Formatted::Text(dotnet_double(f).replace('E', "e")),
            _ => not_applied(spec),
        },
        KindRef::Array(_) | KindRef::Object(_) => Formatted::Unknown(Value::unknown(
            "amlint does not format arrays and objects",
            v.span(),
        )),
    }
}

fn not_applied(spec: &str) -> Formatted {
    Formatted::Unknown(Value::unknown(
        format!("amlint does not apply the format `{spec}`"),
        crate::source::Span::NONE,
    ))
}

/// An integer under a .NET standard or simple custom numeric format.
fn format_int(n: i64, spec: &str) -> Formatted {
    if spec.is_empty() {
        return Formatted::Text(n.to_string());
    }
    let mut chars = spec.chars();
    let letter = chars.next().unwrap_or('G');
    let digits = chars.as_str();
    let standard = letter.is_ascii_alphabetic() && digits.bytes().all(|b| b.is_ascii_digit());
    if !standard {
        if spec.bytes().all(|b| b == b'0') {
            return pad_digits(n, spec.len());
        }
        return not_applied(spec);
    }
    let precision: Option<usize> = if digits.is_empty() {
        None
    } else {
        match digits.parse::<usize>() {
            Ok(p) if p <= 1000 => Some(p),
            _ => return not_applied(spec),
        }
    };
    let sign = if n < 0 { "-" } else { "" };
    let abs = n.unsigned_abs();
    match letter {
        'D' | 'd' => pad_digits(n, precision.unwrap_or(0)),
        'N' | 'n' => {
            let decimals = precision.unwrap_or(2);
            let frac = if decimals > 0 {
                format!(".{}", "0".repeat(decimals))
            } else {
                String::new()
            };
            Formatted::Text(format!("{sign}{}{frac}", group_thousands(abs)))
        }
        'F' | 'f' => {
            let decimals = precision.unwrap_or(2);
            let frac = if decimals > 0 {
                format!(".{}", "0".repeat(decimals))
            } else {
                String::new()
            };
            Formatted::Text(format!("{sign}{abs}{frac}"))
        }
        'X' | 'x' => {
            let hex = if letter == 'X' {
                format!("{:X}", n as u64)
            } else {
                format!("{:x}", n as u64)
            };
            let width = precision.unwrap_or(0);
            Formatted::Text(format!("{hex:0>width$}"))
        }
        'G' | 'g' => match precision {
            Some(p) if p > 0 && p < abs.to_string().len() => not_applied(spec),
            _ => Formatted::Text(n.to_string()),
        },
        'C' | 'c' | 'E' | 'e' | 'P' | 'p' | 'R' | 'r' | 'B' | 'b' => not_applied(spec),
        _ => Formatted::Invalid,
    }
}

fn pad_digits(n: i64, width: usize) -> Formatted {
    let sign = if n < 0 { "-" } else { "" };
    Formatted::Text(format!("{sign}{:0>width$}", n.unsigned_abs()))
}

/// `join(inputArray, delimiter)`.
pub(super) fn join(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("join", args, 2, 2)?;
    if !args[1].is_unknown() && args[1].as_str().is_none() {
        return type_error("join", 1, "a string", &args[1]);
    }
    let items = match args[0].kind() {
        KindRef::Array(a) => a,
        KindRef::Unknown(u) => return unknown_from(u, cx),
        _ => return type_error("join", 0, "an array", &args[0]),
    };
    for (i, item) in items.items().iter().enumerate() {
        if !item.is_unknown() && item.as_str().is_none() {
            return fail(format!(
                "`join` expects an array of strings, element {i} is {}",
                item.type_name()
            ));
        }
    }
    if let Some(u) = first_unknown(args) {
        return unknown_from(u, cx);
    }
    if let Some(u) = items.open() {
        return unknown_from(u, cx);
    }
    if let Some(u) = first_unknown(items.items()) {
        return unknown_from(u, cx);
    }
    let delim = args[1].as_str().unwrap_or_default();
    let mut out = String::new();
    for (i, item) in items.items().iter().enumerate() {
        if i > 0 {
            out.push_str(delim);
        }
        out.push_str(item.as_str().unwrap_or_default());
        if out.len() > MAX_STRING_LEN {
            return too_large(cx);
        }
    }
    Ok(Value::str(out, cx.span))
}

/// `padLeft(valueToPad, totalLength, paddingCharacter)`.
pub(super) fn pad_left(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("padLeft", args, 2, 3)?;
    let value: String = match args[0].kind() {
        KindRef::Str(s) => s.to_string(),
        KindRef::Int(n) => int_text(n),
        KindRef::Unknown(_) => String::new(),
        _ => return type_error("padLeft", 0, "a string or an integer", &args[0]),
    };
    if !args[1].is_unknown() {
        int_arg("padLeft", args, 1)?;
    }
    let pad = match args.get(2).map(|v| v.kind()) {
        None | Some(KindRef::Null) => Some(' '),
        Some(KindRef::Unknown(_)) => None,
        Some(KindRef::Str(p)) if !hole::has_hole(p) => {
            let mut cs = p.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) if c.len_utf16() == 1 => Some(c),
                _ => return fail(format!("`padLeft` padding `{p}` is not a single character")),
            }
        }
        Some(KindRef::Str(p)) => return hole_unknown(p, cx),
        Some(_) => return type_error("padLeft", 2, "a single character", &args[2]),
    };
    if let Some(u) = first_unknown(args) {
        return unknown_from(u, cx);
    }
    let total = int_arg("padLeft", args, 1)?;
    if total < 0 {
        return fail(format!("`padLeft` total length `{total}` is negative"));
    }
    let total = total as u64;
    let known_len = known_utf16_len(&value);
    if total <= known_len as u64 {
        return Ok(Value::str(value, cx.span));
    }
    if hole::has_hole(&value) {
        return hole_unknown(&value, cx);
    }
    if total > MAX_STRING_LEN as u64 {
        return too_large(cx);
    }
    let pad = pad.unwrap_or(' ');
    let mut out: String = std::iter::repeat_n(pad, total as usize - known_len).collect();
    out.push_str(&value);
    Ok(Value::str(out, cx.span))
}

/// `replace(originalString, oldString, newString)`. ARM's docs leave the case sensitivity open,
/// so a result that would differ between a case-sensitive and a case-insensitive search is
/// unknown.
pub(super) fn replace(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("replace", args, 3, 3)?;
    for (i, a) in args.iter().enumerate() {
        if !a.is_unknown() && a.as_str().is_none() {
            return type_error("replace", i, "a string", a);
        }
    }
    if let Some(u) = first_unknown(args) {
        return unknown_from(u, cx);
    }
    let s = str_arg("replace", args, 0)?;
    let old = str_arg("replace", args, 1)?;
    let new = str_arg("replace", args, 2)?;
    if old.is_empty() {
        return fail("`replace` old string is empty");
    }
    if hole::has_hole(old) {
        return hole_unknown(old, cx);
    }
    if hole::has_hole(new) && s.contains(old) {
        return hole_unknown(new, cx);
    }
    if hole::has_hole(s) && !needle_avoids_holes(&segments(s), old) {
        return hole_unknown(s, cx);
    }
    let count = s.matches(old).count();
    if count > 0 && new.len() > old.len() {
        let grown = (new.len() - old.len()).saturating_mul(count);
        if s.len().saturating_add(grown) > MAX_STRING_LEN {
            return too_large(cx);
        }
    }
    let exact = s.replace(old, new);
    if replace_ignoring_case(s, old, new) != exact {
        return unknown(
            "`replace` finds the old string only ignoring case, and ARM's case sensitivity there is not documented",
            cx,
        );
    }
    Ok(Value::str(exact, cx.span))
}

/// `s` with every case-insensitive match of `old` replaced by `new`.
fn replace_ignoring_case(s: &str, old: &str, new: &str) -> String {
    let folded = text::fold(s);
    let folded_old = text::fold(old);
    // Folding maps characters one to one, so character indexes agree between the two strings.
    let starts: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
    let folded_starts: Vec<usize> = folded
        .char_indices()
        .map(|(i, _)| i)
        .chain([folded.len()])
        .collect();
    let old_chars = old.chars().count();
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for (at, _) in folded.match_indices(&folded_old) {
        let Ok(ci) = folded_starts.binary_search(&at) else {
            continue;
        };
        let (from, to) = (starts[ci], starts[ci + old_chars]);
        out.push_str(&s[last..from]);
        out.push_str(new);
        last = to;
    }
    out.push_str(&s[last..]);
    out
}

/// `split(inputString, delimiter)`: a string or an array of strings as delimiters.
pub(super) fn split(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("split", args, 2, 2)?;
    if !args[0].is_unknown() && args[0].as_str().is_none() {
        return type_error("split", 0, "a string", &args[0]);
    }
    let delims: Vec<&Value> = match args[1].kind() {
        KindRef::Str(_) | KindRef::Unknown(_) => vec![&args[1]],
        KindRef::Array(a) => {
            if let Some(u) = a.open() {
                return unknown_from(u, cx);
            }
            a.items().iter().collect()
        }
        _ => return type_error("split", 1, "a string or an array of strings", &args[1]),
    };
    for d in &delims {
        if !d.is_unknown() && d.as_str().is_none() {
            return fail(format!(
                "`split` delimiters must be strings, got {}",
                d.type_name()
            ));
        }
    }
    if let Some(u) = first_unknown(args) {
        return unknown_from(u, cx);
    }
    if let Some(u) = delims.iter().find_map(|d| d.as_unknown()) {
        return unknown_from(u, cx);
    }
    let s = str_arg("split", args, 0)?;
    let delims: Vec<&str> = delims
        .iter()
        .filter_map(|d| d.as_str())
        .filter(|d| !d.is_empty())
        .collect();
    if delims.is_empty() {
        return unknown(
            "`split` with only empty delimiters splits at white space in .NET",
            cx,
        );
    }
    if let Some(d) = delims.iter().find(|d| hole::has_hole(d)) {
        return hole_unknown(d, cx);
    }
    if hole::has_hole(s) {
        let segs = segments(s);
        if !delims.iter().all(|d| needle_avoids_holes(&segs, d)) {
            return hole_unknown(s, cx);
        }
    }
    let pieces = split_str(s, &delims);
    if pieces.len() > MAX_ARRAY_LEN {
        return too_large(cx);
    }
    Ok(Value::array(
        pieces.into_iter().map(|p| Value::str(p, cx.span)).collect(),
        cx.span,
    ))
}

/// Splits at every delimiter, trying them in order at each position (as .NET does).
fn split_str<'s>(s: &'s str, delims: &[&str]) -> Vec<&'s str> {
    let mut next: Vec<Option<usize>> = delims.iter().map(|d| s.find(d)).collect();
    let mut pieces = Vec::new();
    let mut start = 0;
    loop {
        let best = next
            .iter()
            .enumerate()
            .filter_map(|(i, at)| at.map(|at| (at, i)))
            .min();
        let Some((at, i)) = best else {
            break;
        };
        pieces.push(&s[start..at]);
        start = at + delims[i].len();
        for (j, slot) in next.iter_mut().enumerate() {
            if slot.is_some_and(|p| p < start) {
                *slot = s[start..].find(delims[j]).map(|p| p + start);
            }
        }
    }
    pieces.push(&s[start..]);
    pieces
}

/// `substring(stringToParse, startIndex, length)`.
pub(super) fn substring(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("substring", args, 1, 3)?;
    if !args[0].is_unknown() && args[0].as_str().is_none() {
        return type_error("substring", 0, "a string", &args[0]);
    }
    for i in 1..args.len() {
        if !args[i].is_unknown() {
            int_arg("substring", args, i)?;
        }
    }
    if let Some(u) = first_unknown(args) {
        return unknown_from(u, cx);
    }
    let s = str_arg("substring", args, 0)?;
    let start = if args.len() > 1 {
        int_arg("substring", args, 1)?
    } else {
        0
    };
    let len = if args.len() > 2 {
        Some(int_arg("substring", args, 2)?)
    } else {
        None
    };
    if start < 0 {
        return fail(format!("`substring` start index `{start}` is negative"));
    }
    if let Some(l) = len.filter(|l| *l < 0) {
        return fail(format!("`substring` length `{l}` is negative"));
    }
    let start = start as u64;
    let has_hole = hole::has_hole(s);
    let known = if has_hole { known_prefix(s) } else { s };
    let known_len = utf16_len(known) as u64;
    if start > known_len {
        if has_hole {
            return hole_unknown(s, cx);
        }
        return fail(format!(
            "`substring` start index `{start}` is beyond the end of the string"
        ));
    }
    let start = start as usize;
    let cut = |r: Option<&str>| match r {
        Some(r) => Ok(Value::str(r, cx.span)),
        None => unknown("the cut falls inside a surrogate pair", cx),
    };
    match len {
        None => {
            let at = byte_at_utf16(s, start);
            cut(at.map(|a| &s[a..]))
        }
        Some(l) => {
            let end = (start as u64).saturating_add(l as u64);
            if end > known_len {
                if has_hole {
                    return hole_unknown(s, cx);
                }
                return fail(format!(
                    "`substring` start index `{start}` and length `{l}` go beyond the end of the string"
                ));
            }
            cut(utf16_slice(s, start, end as usize))
        }
    }
}

/// `toLower`/`toUpper`: character by character, as .NET's invariant culture.
pub(super) fn change_case(args: &[Value], cx: &FnCtx, upper: bool) -> FnResult {
    let name = if upper { "toUpper" } else { "toLower" };
    let s = match one_string(name, args, cx)? {
        Ok(s) => s,
        Err(v) => return Ok(v),
    };
    let out: String = if upper {
        s.chars().map(text::upper_char).collect()
    } else {
        s.chars().map(text::fold_char).collect()
    };
    Ok(Value::str(out, cx.span))
}

/// `trim(stringToTrim)`: white space at the known ends; holes are taken to have none at theirs.
pub(super) fn trim(args: &[Value], cx: &FnCtx) -> FnResult {
    let s = match one_string("trim", args, cx)? {
        Ok(s) => s,
        Err(v) => return Ok(v),
    };
    Ok(Value::str(s.trim(), cx.span))
}

/// `uri(baseUri, relativeUri)`: RFC 3986 resolution, as .NET's `Uri` writes it.
pub(super) fn uri(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("uri", args, 2, 2)?;
    let (base, rel) = match two_strings("uri", args, cx)? {
        Ok(p) => p,
        Err(v) => return Ok(v),
    };
    for s in [base, rel] {
        if hole::has_hole(s) && !text::holes_of_kinds(&segments(s), UNRESERVED_HOLES) {
            return hole_unknown(s, cx);
        }
    }
    let plain = |s: &str| {
        s.chars().all(|c| {
            c == hole::OPEN
                || c == hole::CLOSE
                || c == hole::SEP
                || c.is_ascii_alphanumeric()
                || "-._~:/?#[]@!$&'()*+,;=".contains(c)
        })
    };
    if !plain(base) || !plain(rel) {
        return unknown(
            "amlint resolves only URIs of plain ASCII characters without escapes",
            cx,
        );
    }
    let Some(b) = UriParts::parse(base) else {
        return fail(format!(
            "`uri` base `{}` is not an absolute URI",
            hole::display(base)
        ));
    };
    let Some(authority) = b.authority else {
        return unknown(
            "amlint resolves only base URIs with an authority (`scheme://host`)",
            cx,
        );
    };
    if plain_authority(authority).is_none() || b.scheme.contains(hole::OPEN) {
        return unknown("amlint resolves only base URIs without user or port", cx);
    }
    let r = UriParts::parse_relative(rel);
    if r.scheme.contains(hole::OPEN) {
        return hole_unknown(rel, cx);
    }
    let (scheme, authority, path, query) = if !r.scheme.is_empty() {
        match r.authority {
            Some(a) if !a.contains(['@', ':']) => (r.scheme, a, remove_dots(r.path), r.query),
            _ => return unknown("amlint resolves only URIs with a plain authority", cx),
        }
    } else if let Some(a) = r.authority {
        match plain_authority(a) {
            Some(a) => (b.scheme, a, remove_dots(r.path), r.query),
            None => return unknown("amlint resolves only URIs with a plain authority", cx),
        }
    } else if r.path.is_empty() {
        (
            b.scheme,
            authority,
            remove_dots(b.path),
            r.query.or(b.query),
        )
    } else if r.path.starts_with('/') {
        (b.scheme, authority, remove_dots(r.path), r.query)
    } else {
        let dir = match b.path.rfind('/') {
            Some(i) => &b.path[..=i],
            None => "/",
        };
        (
            b.scheme,
            authority,
            remove_dots(&format!("{dir}{}", r.path)),
            r.query,
        )
    };
    let host_kinds = [hole::HoleKind::Derived, hole::HoleKind::Location];
    if !text::holes_of_kinds(&segments(authority), &host_kinds) {
        return hole_unknown(authority, cx);
    }
    let path = if path.is_empty() {
        "/".to_owned()
    } else {
        path
    };
    let mut out = format!(
        "{}://{}{path}",
        scheme.to_ascii_lowercase(),
        authority.to_ascii_lowercase()
    );
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    if let Some(f) = r.fragment {
        out.push('#');
        out.push_str(f);
    }
    Ok(Value::str(out, cx.span))
}

/// The authority if it is a plain host: no user information or port in its known text.
fn plain_authority(a: &str) -> Option<&str> {
    let plain = segments(a)
        .iter()
        .all(|seg| !matches!(seg, Seg::Text(t) if t.contains(['@', ':'])));
    plain.then_some(a)
}

/// The parts of a URI reference.
struct UriParts<'s> {
    scheme: &'s str,
    authority: Option<&'s str>,
    path: &'s str,
    query: Option<&'s str>,
    fragment: Option<&'s str>,
}

impl<'s> UriParts<'s> {
    /// An absolute URI: it must have a scheme.
    fn parse(s: &'s str) -> Option<UriParts<'s>> {
        let p = Self::parse_relative(s);
        (!p.scheme.is_empty()).then_some(p)
    }

    fn parse_relative(s: &'s str) -> UriParts<'s> {
        let (s, fragment) = match s.split_once('#') {
            Some((a, f)) => (a, Some(f)),
            None => (s, None),
        };
        let (s, query) = match s.split_once('?') {
            Some((a, q)) => (a, Some(q)),
            None => (s, None),
        };
        let scheme_end = s.find(':').filter(|&i| {
            let sch = &s[..i];
            !s[..i].contains('/')
                && sch
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == hole::OPEN)
                && sch.chars().all(|c| {
                    c.is_ascii_alphanumeric()
                        || "+-.".contains(c)
                        || c == hole::OPEN
                        || c == hole::CLOSE
                        || c == hole::SEP
                })
        });
        let (scheme, rest) = match scheme_end {
            Some(i) => (&s[..i], &s[i + 1..]),
            None => ("", s),
        };
        let (authority, path) = match rest.strip_prefix("//") {
            Some(r) => match r.find('/') {
                Some(i) => (Some(&r[..i]), &r[i..]),
                None => (Some(r), ""),
            },
            None => (None, rest),
        };
        UriParts {
            scheme,
            authority,
            path,
            query,
            fragment,
        }
    }
}

/// RFC 3986 section 5.2.4.
fn remove_dots(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segs: Vec<&str> = path.split('/').collect();
    let last = segs.len().saturating_sub(1);
    for (i, seg) in segs.iter().enumerate() {
        match *seg {
            "." => {
                if i == last {
                    out.push("");
                }
            }
            ".." => {
                if out.len() > 1 {
                    out.pop();
                }
                if i == last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    out.join("/")
}

/// `uriComponent(stringToEncode)`: percent-encodes all but `A-Z a-z 0-9 - . _ ~`.
pub(super) fn uri_component(args: &[Value], cx: &FnCtx) -> FnResult {
    let s = match one_string("uriComponent", args, cx)? {
        Ok(s) => s,
        Err(v) => return Ok(v),
    };
    let segs = segments(s);
    if !text::holes_of_kinds(&segs, UNRESERVED_HOLES) {
        return hole_unknown(s, cx);
    }
    let mut out = String::with_capacity(s.len());
    for seg in segs {
        match seg {
            Seg::Hole { text, .. } => out.push_str(text),
            Seg::Text(t) => {
                for b in t.bytes() {
                    if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                        out.push(b as char);
                    } else {
                        out.push_str(&format!("%{b:02X}"));
                    }
                }
            }
        }
        if out.len() > MAX_STRING_LEN {
            return too_large(cx);
        }
    }
    Ok(Value::str(out, cx.span))
}

/// `uriComponentToString(uriEncodedString)`: decodes `%XX` escapes.
pub(super) fn uri_component_to_string(args: &[Value], cx: &FnCtx) -> FnResult {
    let s = match one_string("uriComponentToString", args, cx)? {
        Ok(s) => s,
        Err(v) => return Ok(v),
    };
    let segs = segments(s);
    if !text::holes_of_kinds(&segs, NAME_HOLES) {
        return hole_unknown(s, cx);
    }
    if s.contains('+') {
        return unknown(
            "whether ARM decodes `+` as a space in `uriComponentToString` is not documented",
            cx,
        );
    }
    let mut out = String::with_capacity(s.len());
    for seg in segs {
        match seg {
            Seg::Hole { text, .. } => out.push_str(text),
            Seg::Text(t) => match percent_decode(t, false).map(String::from_utf8) {
                Some(Ok(d)) => out.push_str(&d),
                _ => return unknown("the decoded bytes are not UTF-8", cx),
            },
        }
    }
    Ok(Value::str(out, cx.span))
}

// ---------------------------------------------------------------------------------------------
// Helpers.

/// The single string argument of `name`, or the unknown result to return.
fn one_string<'v>(
    name: &str,
    args: &'v [Value],
    cx: &FnCtx,
) -> Result<Result<&'v str, Value>, super::FnError> {
    arity(name, args, 1, 1)?;
    match args[0].kind() {
        KindRef::Unknown(u) => Ok(Err(Value::from_unknown(u, cx.span))),
        KindRef::Str(s) => Ok(Ok(s)),
        _ => type_error(name, 0, "a string", &args[0]),
    }
}

/// The two string arguments of `name`, or the unknown result to return.
fn two_strings<'v>(
    name: &str,
    args: &'v [Value],
    cx: &FnCtx,
) -> Result<Result<(&'v str, &'v str), Value>, super::FnError> {
    for (i, a) in args.iter().enumerate() {
        if !a.is_unknown() && a.as_str().is_none() {
            return type_error(name, i, "a string", a);
        }
    }
    if let Some(u) = first_unknown(args) {
        return Ok(Err(Value::from_unknown(u, cx.span)));
    }
    Ok(Ok((str_arg(name, args, 0)?, str_arg(name, args, 1)?)))
}

/// Standard base64 with padding.
pub(super) fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes base64 as .NET's `Convert.FromBase64String`: white space is ignored, padding is
/// required; `None` if invalid.
pub(super) fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let chars: Vec<u8> = s
        .bytes()
        .filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .collect();
    if chars.len() % 4 != 0 {
        return None;
    }
    let pad = chars.iter().rev().take_while(|&&b| b == b'=').count();
    if pad > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(chars.len() / 4 * 3);
    let body = &chars[..chars.len() - pad];
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &c in body {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Decodes `%XX` escapes (and `+` as a space if `plus`); malformed escapes stay as they are.
fn percent_decode(s: &str, plus: bool) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::*;
    use super::super::TOO_LARGE;
    use crate::arm::hole::{self, HoleKind};

    #[test]
    fn base64_round_trips() {
        // template-functions-string.md#base64.
        assert_str(
            call("base64", &[s("one, two, three")]),
            "b25lLCB0d28sIHRocmVl",
        );
        assert_str(
            call("base64tostring", &[s("b25lLCB0d28sIHRocmVl")]),
            "one, two, three",
        );
        assert_str(call("base64", &[s("")]), "");
        assert_str(call("base64", &[s("ab")]), "YWI=");
        assert_str(call("base64tostring", &[s("YW Jj\n")]), "abc");
        assert_err(
            call("base64tostring", &[s("abc")]),
            "`base64ToString` argument `abc` is not valid base64",
        );
        assert_is_err(call("base64", &[i(1)]));
        assert_is_err(call("base64", &[]));
        assert_derived(call("base64", &[s(&hole_p("x"))]));
        assert_unknown(call("base64tostring", &[u("why")]), "why");
    }

    #[test]
    fn concat_strings() {
        // template-functions-string.md#concat.
        assert_str(
            call("concat", &[s("prefix"), s("-"), s("5yj4yjf5mbg72")]),
            "prefix-5yj4yjf5mbg72",
        );
        assert_str(call("concat", &[s("a"), i(1), b(true), null()]), "a1True");
        let h = hole_p("name");
        assert_str(call("concat", &[s("x-"), s(&h)]), &format!("x-{h}"));
        assert_unknown(call("concat", &[s("a"), u("why")]), "why");
        assert_err(
            call("concat", &[s("a"), strs(&["b"])]),
            "`concat` expects a string as second argument, got Array",
        );
        assert_is_err(call("concat", &[]));
        let big = "x".repeat(super::MAX_STRING_LEN / 2 + 1);
        assert_unknown(call("concat", &[s(&big), s(&big)]), TOO_LARGE);
    }

    #[test]
    fn contains_in_strings() {
        // template-functions-string.md#contains: 'OneTwoThree' has 'e', not 'z'; case matters.
        assert_bool(call("contains", &[s("OneTwoThree"), s("e")]), true);
        assert_bool(call("contains", &[s("OneTwoThree"), s("z")]), false);
        assert_bool(call("contains", &[s("OneTwoThree"), s("one")]), false);
        let sub = hole_k(HoleKind::Subscription);
        let id = format!("/subscriptions/{sub}/x");
        assert_bool(call("contains", &[s(&id), s("/x")]), true);
        // `z` can be neither in the known text nor in a subscription ID.
        assert_bool(call("contains", &[s(&id), s("zz")]), false);
        assert_unknown(
            call("contains", &[s(&id), s("ab")]),
            "the subscription is only known at deployment",
        );
        assert_bool(call("contains", &[s(&id), s(&sub)]), true);
        let p = format!("a{}", hole_p("p"));
        assert_unknown(
            call("contains", &[s(&p), s("zz")]),
            "parameter `p` has no value",
        );
        assert_unknown(call("contains", &[s("abc"), u("why")]), "why");
        assert_is_err(call("contains", &[s("abc"), b(true)]));
    }

    #[test]
    fn data_uris() {
        // template-functions-string.md#datauri.
        assert_str(
            call("datauri", &[s("Hello")]),
            "data:text/plain;charset=utf8;base64,SGVsbG8=",
        );
        assert_str(
            call("datauritostring", &[s("data:;base64,SGVsbG8sIFdvcmxkIQ==")]),
            "Hello, World!",
        );
        assert_str(
            call(
                "datauritostring",
                &[s("data:text/plain;charset=utf8;base64,SGVsbG8=")],
            ),
            "Hello",
        );
        assert_str(
            call("datauritostring", &[s("data:text/plain,a%20b")]),
            "a b",
        );
        assert_str(
            call("datauri", &[obj(vec![("a", i(1))])]),
            "data:application/json;charset=utf8;base64,eyJhIjoxfQ==",
        );
        assert_err(
            call("datauritostring", &[s("hello")]),
            "`dataUriToString` argument `hello` is not a data URI",
        );
        assert!(
            call("datauritostring", &[s("data:text/plain;charset=latin1,x")])
                .unwrap()
                .is_unknown()
        );
        assert!(call("datauri", &[i(1)]).unwrap().is_unknown());
        assert_unknown(
            call("datauri", &[s(&hole_p("x"))]),
            "parameter `x` has no value",
        );
        assert_unknown(call("datauri", &[arr(vec![u("why")])]), "why");
    }

    #[test]
    fn empty_strings() {
        assert_bool(call("empty", &[s("")]), true);
        assert_bool(call("empty", &[s("a")]), false);
        let h = hole_p("x");
        assert_bool(call("empty", &[s(&format!("a{h}"))]), false);
        assert_unknown(call("empty", &[s(&h)]), "parameter `x` has no value");
    }

    #[test]
    fn starts_and_ends_with() {
        // template-functions-string.md#startswith: case-insensitive.
        assert_bool(call("startswith", &[s("abcdef"), s("ab")]), true);
        assert_bool(call("startswith", &[s("abcdef"), s("A")]), true);
        assert_bool(call("startswith", &[s("abcdef"), s("e")]), false);
        assert_bool(call("endswith", &[s("abcdef"), s("ef")]), true);
        assert_bool(call("endswith", &[s("abcdef"), s("F")]), true);
        assert_bool(call("endswith", &[s("abcdef"), s("e")]), false);
        let h = hole_p("p");
        let v = format!("/sub/{h}/end");
        assert_bool(call("startswith", &[s(&v), s("/SUB")]), true);
        assert_bool(call("startswith", &[s(&v), s("/x")]), false);
        assert_unknown(
            call("startswith", &[s(&v), s("/sub/abc")]),
            "parameter `p` has no value",
        );
        assert_bool(call("endswith", &[s(&v), s("END")]), true);
        assert_bool(call("endswith", &[s(&v), s("/y")]), false);
        assert_unknown(
            call("endswith", &[s(&v), s("x/end")]),
            "parameter `p` has no value",
        );
        assert_bool(call("startswith", &[s(&v), s(&format!("/sub/{h}"))]), true);
        assert_unknown(call("endswith", &[u("why"), s("x")]), "why");
        assert_is_err(call("endswith", &[s("x"), i(1)]));
    }

    #[test]
    fn first_and_last_characters() {
        // template-functions-string.md#first and #last.
        assert_str(call("first", &[s("One Two Three")]), "O");
        assert_str(call("last", &[s("One Two three")]), "e");
        assert_str(call("first", &[s("")]), "");
        let h = hole_p("p");
        assert_str(call("first", &[s(&format!("x{h}"))]), "x");
        assert_derived(call("last", &[s(&format!("x{h}"))]));
        assert!(call("first", &[s("😀")]).unwrap().is_unknown());
    }

    #[test]
    fn format_composes_like_dotnet() {
        // template-functions-string.md#format.
        assert_str(
            call(
                "format",
                &[
                    s("{0}, {1}. Formatted number: {2:N0}"),
                    s("Hello"),
                    s("User"),
                    i(8175133),
                ],
            ),
            "Hello, User. Formatted number: 8,175,133",
        );
        assert_str(call("format", &[s("{0} {1}"), b(true), null()]), "True ");
        assert_str(call("format", &[s("{{{0}}}"), i(5)]), "{5}");
        assert_str(
            call(
                "format",
                &[s("{0:D3}|{0:X}|{0:x4}|{0:N2}|{0:F1}|{0:000}"), i(42)],
            ),
            "042|2A|002a|42.00|42.0|042",
        );
        assert_str(call("format", &[s("{0:D3}"), i(-5)]), "-005");
        assert_str(
            call("format", &[s("[{0,4}][{0,-4}]"), s("ab")]),
            "[  ab][ab  ]",
        );
        assert_str(call("format", &[s("{0}"), f(1.5)]), "1.5");
        assert_str(call("format", &[s("no items")]), "no items");
        let h = hole_p("name");
        assert_str(
            call("format", &[s("vnet-{0}"), s(&h)]),
            &format!("vnet-{h}"),
        );
        assert_unknown(
            call("format", &[s("{0,10}"), s(&h)]),
            "parameter `name` has no value",
        );
        // Unused unknown arguments do not matter.
        assert_str(call("format", &[s("{0}"), s("a"), u("why")]), "a");
        assert_unknown(call("format", &[s("{1}"), s("a"), u("why")]), "why");
        assert!(call("format", &[s("{0:C}"), i(1)]).unwrap().is_unknown());
        assert!(call("format", &[s("{0}"), strs(&["a"])])
            .unwrap()
            .is_unknown());
        assert_err(
            call("format", &[s("{1}"), s("a")]),
            "`format` string `{1}` is not valid: there is no argument 1",
        );
        assert_is_err(call("format", &[s("{0"), s("a")]));
        assert_is_err(call("format", &[s("a}b")]));
        assert_is_err(call("format", &[s("{x}"), s("a")]));
        assert_is_err(call("format", &[s("{0:Q}"), i(1)]));
        assert_is_err(call("format", &[i(1)]));
        assert_unknown(call("format", &[s("{0,2000000}"), s("a")]), TOO_LARGE);
    }

    #[test]
    fn index_of_in_strings() {
        // template-functions-string.md#indexof: case-insensitive.
        assert_int(call("indexof", &[s("test"), s("t")]), 0);
        assert_int(call("lastindexof", &[s("test"), s("t")]), 3);
        assert_int(call("indexof", &[s("abcdef"), s("CD")]), 2);
        assert_int(call("lastindexof", &[s("abcdef"), s("AB")]), 0);
        assert_int(call("indexof", &[s("abcdef"), s("z")]), -1);
        assert_int(call("indexof", &[s("😀ab"), s("b")]), 3);
        let sub = hole_k(HoleKind::Subscription);
        let id = format!("/subscriptions/{sub}/x");
        assert_int(call("indexof", &[s(&id), s("SCRIPT")]), 4);
        assert_int(call("indexof", &[s(&id), s("?")]), -1);
        assert_int(call("lastindexof", &[s(&id), s("?")]), -1);
        assert_unknown(
            call("lastindexof", &[s(&id), s("/")]),
            "the subscription is only known at deployment",
        );
        assert_unknown(
            call("indexof", &[s(&id), s("x")]),
            "the subscription is only known at deployment",
        );
        assert!(call("lastindexof", &[s("abc"), s("")])
            .unwrap()
            .is_unknown());
        assert_is_err(call("indexof", &[s("abc"), i(1)]));
    }

    #[test]
    fn join_strings() {
        // template-functions-string.md#join.
        let a = strs(&["one", "two", "three"]);
        assert_str(call("join", &[a.clone(), s(",")]), "one,two,three");
        assert_str(call("join", &[a, s(";")]), "one;two;three");
        assert_str(call("join", &[arr(vec![]), s(",")]), "");
        let h = hole_p("p");
        assert_str(call("join", &[strs(&["a", &h]), s("/")]), &format!("a/{h}"));
        assert_unknown(call("join", &[arr(vec![s("a"), u("why")]), s(",")]), "why");
        assert_err(
            call("join", &[arr(vec![s("a"), i(1)]), s(",")]),
            "`join` expects an array of strings, element 1 is Int",
        );
        assert_is_err(call("join", &[s("a"), s(",")]));
    }

    #[test]
    fn string_length() {
        // template-functions-string.md#length.
        assert_int(call("length", &[s("One Two Three")]), 13);
        assert_int(call("length", &[s("😀")]), 2);
        assert_unknown(
            call("length", &[s(&hole_p("p"))]),
            "parameter `p` has no value",
        );
    }

    #[test]
    fn new_guid_is_unknown() {
        assert_unknown(
            call("newguid", &[]),
            "`newGuid()` is only known at deployment",
        );
        assert_is_err(call("newguid", &[s("x")]));
    }

    #[test]
    fn pad_left_pads() {
        // template-functions-string.md#padleft.
        assert_str(call("padleft", &[s("123"), i(10), s("0")]), "0000000123");
        assert_str(call("padleft", &[i(7), i(3)]), "  7");
        assert_str(call("padleft", &[s("abcdef"), i(3), s("0")]), "abcdef");
        let h = hole_p("p");
        let v = format!("abc{h}");
        assert_str(call("padleft", &[s(&v), i(2), s("0")]), &v);
        assert_derived(call("padleft", &[s(&v), i(8), s("0")]));
        assert_err(
            call("padleft", &[s("1"), i(3), s("00")]),
            "`padLeft` padding `00` is not a single character",
        );
        assert_err(
            call("padleft", &[s("1"), i(-1)]),
            "`padLeft` total length `-1` is negative",
        );
        assert_unknown(call("padleft", &[s("1"), i(1 << 40)]), TOO_LARGE);
        assert_unknown(call("padleft", &[s("1"), u("why")]), "why");
        assert_is_err(call("padleft", &[b(true), i(3)]));
    }

    #[test]
    fn replace_replaces() {
        // template-functions-string.md#replace.
        assert_str(
            call("replace", &[s("123-123-1234"), s("-"), s("")]),
            "1231231234",
        );
        assert_str(
            call("replace", &[s("123-123-1234"), s("1234"), s("xxxx")]),
            "123-123-xxxx",
        );
        assert_str(call("replace", &[s(""), s("a"), s("b")]), "");
        // A result that depends on ARM's undocumented case sensitivity is unknown.
        assert!(call("replace", &[s("Abc"), s("abc"), s("x")])
            .unwrap()
            .is_unknown());
        assert_str(call("replace", &[s("abc ABC"), s("-"), s("x")]), "abc ABC");
        let sub = hole_k(HoleKind::Subscription);
        let id = format!("a/{sub}/b");
        assert_str(
            call("replace", &[s(&id), s("/"), s("|")]),
            &format!("a|{sub}|b"),
        );
        assert_derived(call("replace", &[s(&id), s("b"), s("c")]));
        assert_err(
            call("replace", &[s("a"), s(""), s("b")]),
            "`replace` old string is empty",
        );
        assert_is_err(call("replace", &[s("a"), i(1), s("b")]));
        assert_unknown(call("replace", &[s("a"), s("a"), u("why")]), "why");
        let big = "a".repeat(1000);
        let new = "b".repeat(2000);
        assert_unknown(call("replace", &[s(&big), s("a"), s(&new)]), TOO_LARGE);
    }

    #[test]
    fn skip_and_take_strings() {
        // template-functions-string.md#skip and #take.
        assert_str(call("skip", &[s("one two three"), i(4)]), "two three");
        assert_str(call("take", &[s("one two three"), i(2)]), "on");
        assert_str(call("skip", &[s("abc"), i(-1)]), "abc");
        assert_str(call("take", &[s("abc"), i(10)]), "abc");
        assert_str(call("skip", &[s("abc"), i(10)]), "");
        let h = hole_p("p");
        let v = format!("abc{h}");
        assert_str(call("take", &[s(&v), i(2)]), "ab");
        assert_str(call("skip", &[s(&v), i(1)]), &format!("bc{h}"));
        assert_derived(call("take", &[s(&v), i(4)]));
        assert_derived(call("skip", &[s(&v), i(4)]));
        assert!(call("take", &[s("😀"), i(1)]).unwrap().is_unknown());
        assert_is_err(call("take", &[s("abc"), s("1")]));
    }

    #[test]
    fn split_splits() {
        // template-functions-string.md#split.
        assert_eq!(
            json(call("split", &[s("one,two,three"), s(",")])),
            r#"["one","two","three"]"#
        );
        assert_eq!(
            json(call("split", &[s("one;two,three"), strs(&[",", ";"])])),
            r#"["one","two","three"]"#
        );
        assert_eq!(
            json(call("split", &[s("a,,b,"), s(",")])),
            r#"["a","","b",""]"#
        );
        // At one position the first delimiter in the array wins.
        assert_eq!(
            json(call("split", &[s("a--b"), strs(&["-", "--"])])),
            r#"["a","","b"]"#
        );
        assert_eq!(
            json(call("split", &[s("a--b"), strs(&["--", "-"])])),
            r#"["a","b"]"#
        );
        let sub = hole_k(HoleKind::Subscription);
        let rg = hole_k(HoleKind::ResourceGroup);
        let id = format!("/subscriptions/{sub}/resourceGroups/{rg}");
        let parts = call("split", &[s(&id), s("/")]).unwrap();
        let parts: Vec<&str> = parts
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        assert_eq!(
            parts,
            [
                "",
                "subscriptions",
                sub.as_str(),
                "resourceGroups",
                rg.as_str()
            ]
        );
        // A parameter may hold the delimiter.
        let p = format!("a/{}", hole_p("id"));
        assert_unknown(
            call("split", &[s(&p), s("/")]),
            "parameter `id` has no value",
        );
        assert!(call("split", &[s("a b"), s("")]).unwrap().is_unknown());
        assert_is_err(call("split", &[s("a"), i(1)]));
        assert_is_err(call("split", &[s("a"), arr(vec![i(1)])]));
        assert_unknown(call("split", &[s("a"), arr(vec![u("why")])]), "why");
    }

    #[test]
    fn substring_cuts() {
        // template-functions-string.md#substring.
        assert_str(call("substring", &[s("one two three"), i(4), i(3)]), "two");
        assert_str(call("substring", &[s("one two three"), i(4)]), "two three");
        assert_str(call("substring", &[s("abc"), i(3), i(0)]), "");
        assert_err(
            call("substring", &[s("1234567890"), i(0), i(11)]),
            "`substring` start index `0` and length `11` go beyond the end of the string",
        );
        assert_err(
            call("substring", &[s("abc"), i(9)]),
            "`substring` start index `9` is beyond the end of the string",
        );
        assert_err(
            call("substring", &[s("abc"), i(-1)]),
            "`substring` start index `-1` is negative",
        );
        assert_err(
            call("substring", &[s("abc"), i(0), i(-1)]),
            "`substring` length `-1` is negative",
        );
        let h = hole_p("p");
        let v = format!("abcd{h}");
        assert_str(call("substring", &[s(&v), i(1), i(2)]), "bc");
        assert_str(call("substring", &[s(&v), i(2)]), &format!("cd{h}"));
        assert_derived(call("substring", &[s(&v), i(2), i(5)]));
        assert!(call("substring", &[s("a😀"), i(0), i(2)])
            .unwrap()
            .is_unknown());
        assert_unknown(call("substring", &[s("abc"), u("why")]), "why");
        assert_is_err(call("substring", &[s("abc"), i(0), s("1")]));
    }

    #[test]
    fn case_and_trim() {
        // template-functions-string.md#tolower, #toupper and #trim.
        assert_str(call("tolower", &[s("One Two Three")]), "one two three");
        assert_str(call("toupper", &[s("One Two Three")]), "ONE TWO THREE");
        assert_str(call("toupper", &[s("straße")]), "STRAßE");
        assert_str(call("trim", &[s("    one two three   ")]), "one two three");
        let h = hole_p("Name");
        let lower = call("tolower", &[s(&format!("A-{h}"))]).unwrap();
        let lower = lower.as_str().unwrap();
        assert!(lower.starts_with("a-"));
        assert_eq!(hole::holes(lower)[0].kind, HoleKind::Parameter);
        assert_str(call("trim", &[s(&format!("  {h} "))]), &h);
        assert_unknown(call("toupper", &[u("why")]), "why");
        assert_is_err(call("trim", &[i(1)]));
    }

    #[test]
    fn uri_resolves() {
        // template-functions-string.md#uri.
        let cases = [
            (
                "http://contoso.org/firstpath",
                "myscript.sh",
                "http://contoso.org/myscript.sh",
            ),
            (
                "http://contoso.org/firstpath/",
                "myscript.sh",
                "http://contoso.org/firstpath/myscript.sh",
            ),
            (
                "http://contoso.org/firstpath/azuredeploy.json",
                "myscript.sh",
                "http://contoso.org/firstpath/myscript.sh",
            ),
            (
                "http://contoso.org/firstpath/azuredeploy.json/",
                "myscript.sh",
                "http://contoso.org/firstpath/azuredeploy.json/myscript.sh",
            ),
            (
                "http://contoso.com/resources/azuredeploy.json",
                "nested/azuredeploy.json",
                "http://contoso.com/resources/nested/azuredeploy.json",
            ),
            (
                "HTTPS://Contoso.org",
                "a/../b?x=1#f",
                "https://contoso.org/b?x=1#f",
            ),
            ("https://contoso.org/a/b", "/c", "https://contoso.org/c"),
            (
                "https://contoso.org/a/b",
                "https://other.net/d",
                "https://other.net/d",
            ),
        ];
        for (base, rel, want) in cases {
            assert_str(call("uri", &[s(base), s(rel)]), want);
        }
        let name = hole::make(HoleKind::Derived, "abc", UNIT);
        let base = format!("https://st{name}.blob.core.windows.net/");
        assert_str(
            call("uri", &[s(&base), s("c")]),
            &format!("https://st{name}.blob.core.windows.net/c"),
        );
        assert_unknown(
            call("uri", &[s("https://a/"), s(&hole_p("p"))]),
            "parameter `p` has no value",
        );
        assert!(call("uri", &[s("https://a.com:8080/"), s("x")])
            .unwrap()
            .is_unknown());
        assert!(call("uri", &[s("https://a.com/"), s("a b")])
            .unwrap()
            .is_unknown());
        assert_err(
            call("uri", &[s("contoso"), s("x")]),
            "`uri` base `contoso` is not an absolute URI",
        );
        assert_unknown(call("uri", &[s("https://a/"), u("why")]), "why");
    }

    #[test]
    fn uri_components() {
        // template-functions-string.md#uricomponent.
        let url = "http://contoso.com/resources/nested/azuredeploy.json";
        let enc = "http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json";
        assert_str(call("uricomponent", &[s(url)]), enc);
        assert_str(call("uricomponenttostring", &[s(enc)]), url);
        assert_str(call("uricomponent", &[s("é ~")]), "%C3%A9%20~");
        assert_str(call("uricomponenttostring", &[s("%C3%A9%2x")]), "é%2x");
        assert!(call("uricomponenttostring", &[s("a+b")])
            .unwrap()
            .is_unknown());
        assert!(call("uricomponenttostring", &[s("%FF")])
            .unwrap()
            .is_unknown());
        let sub = hole_k(HoleKind::Subscription);
        assert_str(
            call("uricomponent", &[s(&format!("/{sub}"))]),
            &format!("%2F{sub}"),
        );
        assert_str(
            call("uricomponenttostring", &[s(&format!("%2F{sub}"))]),
            &format!("/{sub}"),
        );
        assert_derived(call("uricomponent", &[s(&hole_p("p"))]));
        assert_is_err(call("uricomponent", &[i(1)]));
    }
}
