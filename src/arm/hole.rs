//! Holes: the parts of a string that are not known offline, kept symbolic.
//!
//! A string parameter without a value, the resource group's name, the subscription ID or the
//! result of `uniqueString` over such values is not known before deployment, but it is the *same*
//! value everywhere the template uses it. amlint keeps such a value as a string with a hole:
//! `"\u{E000}p:vnetName\u{E002}3\u{E001}"` stands for "the value of parameter `vnetName` in
//! evaluation unit 3". Two strings with the same holes are equal, so
//! `resourceId('…/virtualNetworks', parameters('vnetName'))` matches the VNet declared with
//! `name: "[parameters('vnetName')]"`, while a comparison with any other string is unknown. The unit
//! number keeps holes of different deployments apart. The markers are private-use characters that
//! real templates do not contain.

use std::borrow::Cow;

/// Opens a hole.
pub const OPEN: char = '\u{E000}';
/// Closes a hole.
pub const CLOSE: char = '\u{E001}';
/// Separates the label from the unit number inside a hole.
pub const SEP: char = '\u{E002}';

/// What a hole stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HoleKind {
    /// A string parameter without a value; the label is its name.
    Parameter,
    /// The target subscription's ID.
    Subscription,
    /// The target resource group's name.
    ResourceGroup,
    /// The target resource group's location.
    Location,
    /// The tenant ID.
    Tenant,
    /// The name of the top-level deployment.
    Deployment,
    /// A deterministic function (`uniqueString`, `guid`) of values with holes; the label is a hash.
    Derived,
    /// The management group's name.
    ManagementGroup,
}

impl HoleKind {
    fn letter(self) -> char {
        match self {
            HoleKind::Parameter => 'p',
            HoleKind::Subscription => 's',
            HoleKind::ResourceGroup => 'g',
            HoleKind::Location => 'l',
            HoleKind::Tenant => 't',
            HoleKind::Deployment => 'd',
            HoleKind::Derived => 'u',
            HoleKind::ManagementGroup => 'm',
        }
    }

    fn from_letter(c: char) -> Option<HoleKind> {
        Some(match c.to_ascii_lowercase() {
            'p' => HoleKind::Parameter,
            's' => HoleKind::Subscription,
            'g' => HoleKind::ResourceGroup,
            'l' => HoleKind::Location,
            't' => HoleKind::Tenant,
            'd' => HoleKind::Deployment,
            'u' => HoleKind::Derived,
            'm' => HoleKind::ManagementGroup,
            _ => return None,
        })
    }
}

/// A hole as a string: `OPEN kind ':' label SEP unit CLOSE`.
///
/// Built piece by piece: holes are made for every string parameter without a value and every
/// unknown part of an ID, and `format!` costs several times more.
pub fn make(kind: HoleKind, label: &str, unit: u32) -> String {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    let mut n = unit;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let digits = &digits[at..];
    let markers = OPEN.len_utf8() + SEP.len_utf8() + CLOSE.len_utf8();
    let mut out = String::with_capacity(markers + 2 + label.len() + digits.len());
    out.push(OPEN);
    out.push(kind.letter());
    out.push(':');
    out.push_str(label);
    out.push(SEP);
    // ASCII digits.
    out.extend(digits.iter().map(|&d| char::from(d)));
    out.push(CLOSE);
    out
}

/// Whether a string has at least one hole (or a stray marker).
///
/// The three markers are `EE 80 80`, `EE 80 81` and `EE 80 82` in UTF-8, and `EE` only ever
/// starts a character: a byte search for it finds them (most strings have none at all), where a
/// search for any of three characters would decode every character.
pub fn has_hole(s: &str) -> bool {
    let bytes = s.as_bytes();
    memchr::memchr_iter(0xEE, bytes).any(|i| marker_at(bytes, i))
}

/// Whether one of the three markers starts at `i` (where `bytes[i]` is `EE`).
fn marker_at(bytes: &[u8], i: usize) -> bool {
    bytes.get(i + 1) == Some(&0x80) && matches!(bytes.get(i + 2), Some(0x80..=0x82))
}

/// A decoded hole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hole<'s> {
    pub kind: HoleKind,
    pub label: &'s str,
}

/// The holes of a string, in order.
pub fn holes(s: &str) -> Vec<Hole<'_>> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find(OPEN) {
        let after = &rest[open + OPEN.len_utf8()..];
        let Some(close) = after.find(CLOSE) else {
            break;
        };
        let inner = &after[..close];
        let body = inner.split(SEP).next().unwrap_or(inner);
        let mut chars = body.chars();
        if let (Some(letter), Some(':')) = (chars.next(), chars.next()) {
            if let Some(kind) = HoleKind::from_letter(letter) {
                out.push(Hole {
                    kind,
                    label: &body[2..],
                });
            }
        }
        rest = &after[close + CLOSE.len_utf8()..];
    }
    out
}

/// The string as users should read it: each hole as `{name}`, stray markers dropped.
///
/// Works on bytes: the markers are found by a search for `EE` (see [`has_hole`]), and the text
/// between them is copied in runs, not character by character.
pub fn display(s: &str) -> Cow<'_, str> {
    if !has_hole(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = find_marker(rest, OPEN) {
        push_unmarked(&mut out, &rest[..open]);
        let after = &rest[open + MARKER_LEN..];
        let Some(close) = find_marker(after, CLOSE) else {
            rest = after;
            break;
        };
        let inner = &after[..close];
        let body = find_marker(inner, SEP).map_or(inner, |sep| &inner[..sep]);
        out.push('{');
        match body.chars().next().and_then(HoleKind::from_letter) {
            Some(HoleKind::Parameter) => push_unmarked(&mut out, body.get(2..).unwrap_or("")),
            kind => out.push_str(short_name(kind)),
        }
        out.push('}');
        rest = &after[close + MARKER_LEN..];
    }
    push_unmarked(&mut out, rest);
    Cow::Owned(out)
}

/// How a hole that is not a parameter is shown (a parameter shows its name).
fn short_name(kind: Option<HoleKind>) -> &'static str {
    match kind {
        Some(HoleKind::Parameter) => "parameter",
        Some(HoleKind::Subscription) => "subscription",
        Some(HoleKind::ResourceGroup) => "resourceGroup",
        Some(HoleKind::Location) => "location",
        Some(HoleKind::Tenant) => "tenant",
        Some(HoleKind::Deployment) => "deployment",
        Some(HoleKind::Derived) => "uniqueString",
        Some(HoleKind::ManagementGroup) => "managementGroup",
        None => "unknown",
    }
}

/// The length of each marker in UTF-8 (`EE 80 8x`).
const MARKER_LEN: usize = 3;

/// Where the first `marker` starts in `s`.
fn find_marker(s: &str, marker: char) -> Option<usize> {
    let mut utf8 = [0; MARKER_LEN];
    let last = marker.encode_utf8(&mut utf8).as_bytes()[MARKER_LEN - 1];
    let bytes = s.as_bytes();
    memchr::memchr_iter(0xEE, bytes)
        .find(|&i| bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&last))
}

/// Appends `s` without any of the three markers.
fn push_unmarked(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut from = 0;
    // A marker holds no other `EE`: every one found starts at or after `from`.
    for i in memchr::memchr_iter(0xEE, bytes) {
        if marker_at(bytes, i) {
            out.push_str(&s[from..i]);
            from = i + MARKER_LEN;
        }
    }
    out.push_str(&s[from..]);
}

/// Why a string with holes is not fully known, in words, from its first hole.
pub fn reason(s: &str) -> Option<String> {
    let first = holes(s).into_iter().next()?;
    Some(match first.kind {
        HoleKind::Parameter => format!("parameter `{}` has no value", first.label),
        HoleKind::Subscription => "the subscription is only known at deployment".to_owned(),
        HoleKind::ResourceGroup => "the resource group is only known at deployment".to_owned(),
        HoleKind::Location => {
            "the resource group's location is only known at deployment".to_owned()
        }
        HoleKind::Tenant => "the tenant is only known at deployment".to_owned(),
        HoleKind::Deployment => "the deployment name is only known at deployment".to_owned(),
        HoleKind::Derived => "it is derived from values only known at deployment".to_owned(),
        HoleKind::ManagementGroup => "the management group is only known at deployment".to_owned(),
    })
}

/// Whether the whole string is a single hole (nothing of it is known).
pub fn is_whole_hole(s: &str) -> bool {
    s.starts_with(OPEN) && s.ends_with(CLOSE) && s[OPEN.len_utf8()..].find(OPEN).is_none()
}

/// The text of a string before its first hole (the whole string if it has none).
pub fn known_prefix(s: &str) -> &str {
    s.find(OPEN).map_or(s, |i| &s[..i])
}

/// How many characters of a string are known (outside its holes).
pub fn known_len(s: &str) -> usize {
    let mut n = 0;
    let mut inside = false;
    for c in s.chars() {
        match c {
            OPEN => inside = true,
            CLOSE => inside = false,
            _ if !inside => n += 1,
            _ => {}
        }
    }
    n
}

/// Whether a string with holes could turn out to be `s`: `s` starts with the text before the
/// first hole and ends with the text after the last one.
pub fn could_be(holed: &str, s: &str) -> bool {
    let prefix = known_prefix(holed);
    let suffix = holed
        .rfind(CLOSE)
        .map_or("", |i| &holed[i + CLOSE.len_utf8()..]);
    s.len() >= prefix.len() + suffix.len() && s.starts_with(prefix) && s.ends_with(suffix)
}

#[cfg(test)]
mod tests {
    /// [`display`] as first written, character by character: the reference for the byte version.
    fn display_by_chars(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(open) = rest.find(OPEN) {
            out.push_str(&rest[..open]);
            let after = &rest[open + OPEN.len_utf8()..];
            let Some(close) = after.find(CLOSE) else {
                rest = after;
                break;
            };
            let inner = &after[..close];
            let body = inner.split(SEP).next().unwrap_or(inner);
            let label = body.get(2..).unwrap_or("");
            out.push('{');
            out.push_str(match body.chars().next().and_then(HoleKind::from_letter) {
                Some(HoleKind::Parameter) => label,
                kind => short_name(kind),
            });
            out.push('}');
            rest = &after[close + CLOSE.len_utf8()..];
        }
        out.push_str(rest);
        out.retain(|c| c != OPEN && c != CLOSE && c != SEP);
        out
    }

    proptest::proptest! {
        /// Well-formed holes, stray and nested markers, neighbours of the markers (`\u{E003}`,
        /// `\u{E100}`), multibyte text: the same as character by character.
        #[test]
        fn display_matches_the_character_version(
            s in "(\u{E000}|\u{E001}|\u{E002}|\u{E003}|\u{E100}|[pPsgltdumx:]|é|ab|-|3){0,24}",
        ) {
            proptest::prop_assert_eq!(display(&s).into_owned(), display_by_chars(&s));
        }
    }

    #[test]
    fn has_hole_finds_each_marker_and_only_them() {
        for marker in [OPEN, CLOSE, SEP] {
            for s in [
                format!("{marker}"),
                format!("abc{marker}"),
                format!("é{marker}x"),
                format!("\u{E003}\u{E0FF}{marker}"),
            ] {
                assert!(has_hole(&s), "{s:?}");
            }
        }
        // Neighbours of the markers: the same lead byte, or the same last bytes.
        for s in [
            "",
            "plain",
            "\u{E003}",
            "\u{E040}",
            "\u{EE00}",
            "\u{2000}",
            "\u{10000}",
            "é",
        ] {
            assert!(!has_hole(s), "{s:?}");
        }
    }

    use super::*;

    #[test]
    fn could_be_compares_the_known_ends() {
        let h = format!("ws-{}-cpu", make(HoleKind::Parameter, "env", 0));
        assert!(could_be(&h, "ws-prod-cpu"));
        assert!(could_be(&h, "ws--cpu"));
        assert!(!could_be(&h, "ws-prod-gpu"));
        assert!(!could_be(&h, "mlw-prod-cpu"));
        assert!(!could_be(&h, "ws-cpu"), "the known ends must not overlap");
        let whole = make(HoleKind::Parameter, "access", 0);
        assert!(could_be(&whole, "Disabled") && could_be(&whole, ""));
        assert_eq!(known_prefix(&h), "ws-");
        assert_eq!(
            (known_len(&h), known_len(&whole), known_len("äb")),
            (7, 0, 2)
        );
    }

    #[test]
    fn a_hole_is_its_markers_kind_label_and_unit_number() {
        for (kind, letter) in [(HoleKind::Parameter, 'p'), (HoleKind::ManagementGroup, 'm')] {
            for unit in [0, 7, 10, 99, 1_000, 4_294_967_295] {
                for label in ["", "vnetName", "?3", "naïve"] {
                    assert_eq!(
                        make(kind, label, unit),
                        format!("{OPEN}{letter}:{label}{SEP}{unit}{CLOSE}")
                    );
                }
            }
        }
    }

    #[test]
    fn make_decode_display() {
        let s = format!("/x/{}/y", make(HoleKind::Parameter, "vnetName", 3));
        assert!(has_hole(&s));
        assert_eq!(
            holes(&s),
            vec![Hole {
                kind: HoleKind::Parameter,
                label: "vnetName"
            }]
        );
        assert_eq!(display(&s), "/x/{vnetName}/y");
        assert_eq!(reason(&s).unwrap(), "parameter `vnetName` has no value");
        assert!(!is_whole_hole(&s));
        assert!(is_whole_hole(&make(HoleKind::ResourceGroup, "", 1)));
        assert_eq!(display("plain"), "plain");
    }

    #[test]
    fn lowercased_holes_still_decode() {
        let s = make(HoleKind::Parameter, "VnetName", 1).to_lowercase();
        assert_eq!(holes(&s)[0].kind, HoleKind::Parameter);
        assert_eq!(display(&s), "{vnetname}");
    }
}
