//! Text helpers for the string functions: strings with holes as segments, UTF-16 positions (ARM
//! counts .NET `char`s, so `length('😀')` is 2), case folding, and .NET number formatting.

use crate::arm::hole::{self, HoleKind};

/// A piece of a string with holes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Seg<'s> {
    /// Known text.
    Text(&'s str),
    /// A hole, with its markup; `kind` is `None` for a malformed marker.
    Hole {
        kind: Option<HoleKind>,
        text: &'s str,
    },
}

/// Splits a string into known text and holes, in order.
pub(super) fn segments(s: &str) -> Vec<Seg<'_>> {
    if !hole::has_hole(s) {
        // Most strings: one text segment, found by a byte search instead of a walk over chars.
        return if s.is_empty() {
            Vec::new()
        } else {
            vec![Seg::Text(s)]
        };
    }
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut iter = s.char_indices();
    while let Some((i, c)) = iter.next() {
        if c != hole::OPEN && c != hole::CLOSE && c != hole::SEP {
            continue;
        }
        if i > text_start {
            out.push(Seg::Text(&s[text_start..i]));
        }
        let end = if c == hole::OPEN {
            match s[i..].find(hole::CLOSE) {
                Some(close) => i + close + hole::CLOSE.len_utf8(),
                None => s.len(),
            }
        } else {
            i + c.len_utf8()
        };
        let text = &s[i..end];
        let kind = if c == hole::OPEN {
            hole::holes(text).first().map(|h| h.kind)
        } else {
            None
        };
        out.push(Seg::Hole { kind, text });
        text_start = end;
        // Skip the rest of the hole.
        while iter.as_str().len() > s.len() - end {
            iter.next();
        }
    }
    if text_start < s.len() {
        out.push(Seg::Text(&s[text_start..]));
    }
    out
}

/// The known text before the first hole.
pub(super) fn known_prefix(s: &str) -> &str {
    match s.find([hole::OPEN, hole::CLOSE, hole::SEP]) {
        Some(i) => &s[..i],
        None => s,
    }
}

/// The known text after the last hole.
pub(super) fn known_suffix(s: &str) -> &str {
    match s.rfind([hole::OPEN, hole::CLOSE, hole::SEP]) {
        Some(i) => {
            let c = s[i..].chars().next().map_or(1, char::len_utf8);
            &s[i + c..]
        }
        None => s,
    }
}

/// Whether the value behind a hole of `kind` may contain `c`. Subscription and tenant IDs are
/// GUIDs, `uniqueString`/`guid` results are lowercase base-32 or hex, names are letters, digits
/// and `-_.()`; a parameter may hold anything.
fn may_contain(kind: Option<HoleKind>, c: char) -> bool {
    match kind {
        None | Some(HoleKind::Parameter) => true,
        Some(HoleKind::Subscription | HoleKind::Tenant) => c.is_ascii_hexdigit() || c == '-',
        Some(HoleKind::ResourceGroup) => c.is_alphanumeric() || "-_.()".contains(c),
        Some(HoleKind::Deployment | HoleKind::ManagementGroup) => {
            c.is_ascii_alphanumeric() || "-_.()".contains(c)
        }
        Some(HoleKind::Location) => c.is_ascii_alphanumeric(),
        Some(HoleKind::Derived) => c.is_ascii_alphanumeric() || c == '-',
    }
}

/// Whether every hole of `segs` is of one of `kinds`.
pub(super) fn holes_of_kinds(segs: &[Seg<'_>], kinds: &[HoleKind]) -> bool {
    segs.iter().all(|seg| match seg {
        Seg::Text(_) => true,
        Seg::Hole { kind, .. } => kind.is_some_and(|k| kinds.contains(&k)),
    })
}

/// Hole kinds whose values are ASCII letters, digits and `-` only (URI-unreserved characters).
pub(super) const UNRESERVED_HOLES: &[HoleKind] = &[
    HoleKind::Subscription,
    HoleKind::Tenant,
    HoleKind::Location,
    HoleKind::Derived,
];

/// Hole kinds whose values are names, IDs or hashes (no `%`, `+`, `/`, `:`, spaces...).
pub(super) const NAME_HOLES: &[HoleKind] = &[
    HoleKind::Subscription,
    HoleKind::Tenant,
    HoleKind::Location,
    HoleKind::Derived,
    HoleKind::ResourceGroup,
    HoleKind::Deployment,
    HoleKind::ManagementGroup,
];

/// Whether a match of `needle` in a string made of `segs` can only lie inside known text: no
/// character of the needle can appear in a hole's markup or hidden value.
pub(super) fn needle_avoids_holes(segs: &[Seg<'_>], needle: &str) -> bool {
    !needle.is_empty()
        && needle.chars().all(|c| {
            c != hole::OPEN
                && c != hole::CLOSE
                && c != hole::SEP
                && segs.iter().all(|seg| match seg {
                    Seg::Text(_) => true,
                    Seg::Hole { kind, text } => {
                        kind.is_some() && !may_contain(*kind, c) && !text.contains(c)
                    }
                })
        })
}

/// The number of UTF-16 code units, as .NET's `String.Length`.
pub(super) fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// The UTF-16 length of the known parts of a string (its holes count for nothing).
pub(super) fn known_utf16_len(s: &str) -> usize {
    segments(s)
        .iter()
        .map(|seg| match seg {
            Seg::Text(t) => utf16_len(t),
            Seg::Hole { .. } => 0,
        })
        .sum()
}

/// The byte offset of UTF-16 position `pos`; `None` past the end or inside a surrogate pair.
pub(super) fn byte_at_utf16(s: &str, pos: usize) -> Option<usize> {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        if units == pos {
            return Some(i);
        }
        if units > pos {
            return None;
        }
        units += c.len_utf16();
    }
    (units == pos).then_some(s.len())
}

/// `s[start..end]` in UTF-16 positions; `None` if out of range or cutting a surrogate pair.
pub(super) fn utf16_slice(s: &str, start: usize, end: usize) -> Option<&str> {
    let a = byte_at_utf16(s, start)?;
    let b = byte_at_utf16(s, end)?;
    s.get(a..b)
}

/// A character folded to lower case by the simple (one-to-one) mapping; characters whose lower
/// case is longer or of another UTF-16 length stay as they are.
pub(super) fn fold_char(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) if l.len_utf16() == c.len_utf16() => l,
        _ => c,
    }
}

/// A character in upper case by the simple mapping (`ß` stays `ß`, as in .NET).
pub(super) fn upper_char(c: char) -> char {
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) if u.len_utf16() == c.len_utf16() => u,
        _ => c,
    }
}

/// A string folded with [`fold_char`]; UTF-16 positions are unchanged.
pub(super) fn fold(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

/// The UTF-16 position of the first (or last) case-insensitive match of `needle` in `hay`.
pub(super) fn find_ci(hay: &str, needle: &str, last: bool) -> Option<usize> {
    let hay = fold(hay);
    let needle = fold(needle);
    let at = if last {
        hay.rfind(&needle)
    } else {
        hay.find(&needle)
    }?;
    Some(utf16_len(&hay[..at]))
}

/// Whether `s` starts with `prefix`, ignoring case.
pub(super) fn starts_with_ci(s: &str, prefix: &str) -> bool {
    let mut a = s.chars().map(fold_char);
    prefix.chars().map(fold_char).all(|p| a.next() == Some(p))
}

/// Whether `s` ends with `suffix`, ignoring case.
pub(super) fn ends_with_ci(s: &str, suffix: &str) -> bool {
    let mut a = s.chars().rev().map(fold_char);
    suffix
        .chars()
        .rev()
        .map(fold_char)
        .all(|p| a.next() == Some(p))
}

/// A double as .NET's `ToString()` writes it: the shortest round-trip digits, in scientific
/// notation (`1E+15`, `1E-05`) when the exponent is at least 15 or below -4.
pub(super) fn dotnet_double(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "∞" } else { "-∞" }.to_owned();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if f < 0.0 { "-" } else { "" };
    if !(-5..15).contains(&exp) || exp == -5 {
        let (head, tail) = digits.split_at(1);
        let dot = if tail.is_empty() { "" } else { "." };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{head}{dot}{tail}E{esign}{:02}", exp.abs());
    }
    if exp < 0 {
        let zeros = "0".repeat((-exp - 1) as usize);
        format!("{sign}0.{zeros}{digits}")
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            let zeros = "0".repeat(int_len - digits.len());
            format!("{sign}{digits}{zeros}")
        } else {
            let (a, b) = digits.split_at(int_len);
            format!("{sign}{a}.{b}")
        }
    }
}

/// Digits of `n` grouped by thousands with `,`, as .NET's `N` format in the invariant culture.
pub(super) fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arm::hole::make;

    #[test]
    fn segments_split_text_and_holes() {
        let h = make(HoleKind::Subscription, "", 1);
        let s = format!("/subscriptions/{h}/x");
        let segs = segments(&s);
        assert_eq!(segs.len(), 3);
        assert_eq!(segs[0], Seg::Text("/subscriptions/"));
        assert_eq!(
            segs[1],
            Seg::Hole {
                kind: Some(HoleKind::Subscription),
                text: &h
            }
        );
        assert_eq!(segs[2], Seg::Text("/x"));
        assert_eq!(known_prefix(&s), "/subscriptions/");
        assert_eq!(known_suffix(&s), "/x");
        assert_eq!(segments("plain"), vec![Seg::Text("plain")]);
        // A stray marker is a hole of unknown kind.
        let stray = format!("a{}b", hole::CLOSE);
        assert!(matches!(segments(&stray)[1], Seg::Hole { kind: None, .. }));
    }

    #[test]
    fn needles_and_holes() {
        let sub = make(HoleKind::Subscription, "", 1);
        let par = make(HoleKind::Parameter, "p", 1);
        let s = format!("/a/{sub}/b");
        assert!(needle_avoids_holes(&segments(&s), "/"));
        assert!(!needle_avoids_holes(&segments(&s), "a"));
        assert!(!needle_avoids_holes(&segments(&s), "-"));
        assert!(!needle_avoids_holes(&segments(&s), ""));
        let p = format!("/a/{par}");
        assert!(!needle_avoids_holes(&segments(&p), "/"));
        assert!(holes_of_kinds(&segments(&s), UNRESERVED_HOLES));
        assert!(!holes_of_kinds(&segments(&p), NAME_HOLES));
        assert!(holes_of_kinds(&segments("plain"), &[]));
    }

    #[test]
    fn utf16_positions() {
        assert_eq!(utf16_len("a😀b"), 4);
        assert_eq!(byte_at_utf16("a😀b", 1), Some(1));
        assert_eq!(byte_at_utf16("a😀b", 2), None);
        assert_eq!(byte_at_utf16("a😀b", 3), Some(5));
        assert_eq!(byte_at_utf16("a😀b", 4), Some(6));
        assert_eq!(byte_at_utf16("a😀b", 5), None);
        assert_eq!(utf16_slice("a😀b", 1, 3), Some("😀"));
        assert_eq!(utf16_slice("a😀b", 2, 3), None);
    }

    #[test]
    fn case_insensitive_search() {
        assert_eq!(find_ci("abcdef", "CD", false), Some(2));
        assert_eq!(find_ci("abcabc", "AB", true), Some(3));
        assert_eq!(find_ci("é😀Ab", "ab", false), Some(3));
        assert_eq!(find_ci("abc", "x", false), None);
        assert!(starts_with_ci("Hello", "hE"));
        assert!(!starts_with_ci("He", "hello"));
        assert!(ends_with_ci("Hello", "LLO"));
        assert_eq!(upper_char('ß'), 'ß');
        assert_eq!(fold_char('Ä'), 'ä');
    }

    #[test]
    fn doubles_as_dotnet_writes_them() {
        assert_eq!(dotnet_double(1.5), "1.5");
        assert_eq!(dotnet_double(-2.0), "-2");
        assert_eq!(dotnet_double(0.0001), "0.0001");
        assert_eq!(dotnet_double(0.00001), "1E-05");
        assert_eq!(dotnet_double(1.5e-7), "1.5E-07");
        assert_eq!(dotnet_double(123456789012345.0), "123456789012345");
        assert_eq!(dotnet_double(1e15), "1E+15");
        assert_eq!(dotnet_double(1.25e20), "1.25E+20");
        assert_eq!(dotnet_double(100.25), "100.25");
        assert_eq!(dotnet_double(0.0), "0");
        assert_eq!(dotnet_double(f64::NAN), "NaN");
    }

    #[test]
    fn thousands() {
        assert_eq!(group_thousands(8175133), "8,175,133");
        assert_eq!(group_thousands(100), "100");
        assert_eq!(group_thousands(1000), "1,000");
        assert_eq!(group_thousands(0), "0");
    }
}
