//! `uniqueString` and `guid`: deterministic hashes of their arguments joined with `-`.
//!
//! `uniqueString` is a 64-bit MurmurHash3-style hash (x86 128-bit constants, two 32-bit lanes)
//! of the UTF-8 bytes, written as 13 lowercase base-32 characters. `guid` is the RFC 4122
//! name-based (version 5, SHA-1) UUID of the UTF-8 bytes in the namespace
//! `11fb06fb-712d-4ddd-98c7-e71bbd588830`. Of arguments with holes, the result is a new
//! [`HoleKind::Derived`] hole named after a hash of the arguments, so equal inputs give equal holes.

use super::{arity, first_unknown, type_error, unknown_from, FnCtx, FnResult};
use crate::arm::hole::{self, HoleKind};
use crate::arm::value::Value;

/// ARM's namespace for `guid`.
const ARM_NAMESPACE: [u8; 16] = [
    0x11, 0xfb, 0x06, 0xfb, 0x71, 0x2d, 0x4d, 0xdd, 0x98, 0xc7, 0xe7, 0x1b, 0xbd, 0x58, 0x88, 0x30,
];

/// `uniqueString(baseString, ...)`.
pub(super) fn unique_string(args: &[Value], cx: &FnCtx) -> FnResult {
    hashed("uniqueString", args, cx, |joined| {
        base32(murmur64(joined.as_bytes()))
    })
}

/// `guid(baseString, ...)`.
pub(super) fn guid(args: &[Value], cx: &FnCtx) -> FnResult {
    hashed("guid", args, cx, |joined| {
        uuid_v5(&ARM_NAMESPACE, joined.as_bytes())
    })
}

/// Checks the arguments (strings, at least one), joins them with `-` and hashes them with `f`, or
/// makes a derived hole when one has holes.
fn hashed(name: &str, args: &[Value], cx: &FnCtx, f: impl Fn(&str) -> String) -> FnResult {
    arity(name, args, 1, usize::MAX)?;
    for (i, a) in args.iter().enumerate() {
        if !a.is_unknown() && a.as_str().is_none() {
            return type_error(name, i, "a string", a);
        }
    }
    if let Some(u) = first_unknown(args) {
        return unknown_from(u, cx);
    }
    let parts: Vec<&str> = args.iter().filter_map(Value::as_str).collect();
    let joined = parts.join("-");
    if hole::has_hole(&joined) {
        return Ok(derived_hole(name, &joined, cx));
    }
    Ok(Value::str(f(&joined), cx.span))
}

/// A new hole for the result of `name` over `input` (text with holes): the same for the same input.
pub(super) fn derived_hole(name: &str, input: &str, cx: &FnCtx) -> Value {
    let key = crate::arm::resource_id::concat(&[name, "\n", input]);
    let label = derived_label(key);
    Value::str(hole::make(HoleKind::Derived, &label, cx.unit), cx.span)
}

/// How many recent labels each thread keeps.
const RECENT_LABELS: usize = 16;

thread_local! {
    /// The labels of the last derived holes this thread made, by their input: templates call
    /// `uniqueString(resourceGroup().id)` once per name, and a SHA-1 costs more than a look here.
    static LABELS: std::cell::RefCell<std::collections::VecDeque<(String, String)>> =
        const { std::cell::RefCell::new(std::collections::VecDeque::new()) };
}

/// The label of a derived hole over `key` (`name`, newline, input): the first 8 bytes of its
/// SHA-1, in hex.
fn derived_label(key: String) -> String {
    LABELS.with(|recent| {
        let mut recent = recent.borrow_mut();
        if let Some((_, label)) = recent.iter().find(|(k, _)| *k == key) {
            return label.clone();
        }
        let label = hex(&sha1(key.as_bytes())[..8]);
        if recent.len() == RECENT_LABELS {
            recent.pop_front();
        }
        recent.push_back((key, label.clone()));
        label
    })
}

/// The 64-bit Murmur-style hash ARM's `uniqueString` uses (seed 0).
fn murmur64(data: &[u8]) -> u64 {
    const C1: u32 = 0x239b_961b;
    const C2: u32 = 0xab0e_9789;
    let word = |b: &[u8]| -> u32 {
        b.iter()
            .enumerate()
            .fold(0u32, |acc, (i, &x)| acc | (u32::from(x) << (8 * i)))
    };
    let (mut h1, mut h2) = (0u32, 0u32);
    let mut chunks = data.chunks_exact(8);
    for chunk in &mut chunks {
        let k1 = word(&chunk[..4])
            .wrapping_mul(C1)
            .rotate_left(15)
            .wrapping_mul(C2);
        h1 = (h1 ^ k1)
            .rotate_left(19)
            .wrapping_add(h2)
            .wrapping_mul(5)
            .wrapping_add(0x561c_cd1b);
        let k2 = word(&chunk[4..])
            .wrapping_mul(C2)
            .rotate_left(17)
            .wrapping_mul(C1);
        h2 = (h2 ^ k2)
            .rotate_left(13)
            .wrapping_add(h1)
            .wrapping_mul(5)
            .wrapping_add(0x0bca_a747);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let (a, b) = tail.split_at(tail.len().min(4));
        h1 ^= word(a).wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        if !b.is_empty() {
            h2 ^= word(b).wrapping_mul(C2).rotate_left(17).wrapping_mul(C1);
        }
    }
    // The length is XORed in as a 32-bit value, as the reference does.
    let len = data.len() as u32;
    h1 ^= len;
    h2 ^= len;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix32(h1);
    h2 = fmix32(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    (u64::from(h2) << 32) | u64::from(h1)
}

fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// The 13 base-32 characters (RFC 4648 alphabet, lowercase) of a 64-bit value, high bits first.
fn base32(mut v: u64) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    (0..13)
        .map(|_| {
            let c = ALPHABET[(v >> 59) as usize] as char;
            v <<= 5;
            c
        })
        .collect()
}

/// An RFC 4122 version 5 UUID, lowercase with hyphens.
fn uuid_v5(namespace: &[u8; 16], name: &[u8]) -> String {
    let mut input = namespace.to_vec();
    input.extend_from_slice(name);
    let digest = sha1(&input);
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-1 (FIPS 180-4).
fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xefcd_ab89,
        0x98ba_dcfe,
        0x1032_5476,
        0xc3d2_e1f0,
    ];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, &wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5a82_7999),
                20..=39 => (b ^ c ^ d, 0x6ed9_eba1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8f1b_bcdc),
                _ => (b ^ c ^ d, 0xca62_c1d6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, x) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn cx() -> FnCtx {
        FnCtx {
            unit: 7,
            span: Span::NONE,
        }
    }
    fn s(x: &str) -> Value {
        Value::str(x, Span::NONE)
    }
    fn us(args: &[&str]) -> String {
        let args: Vec<Value> = args.iter().map(|a| s(a)).collect();
        let v = super::super::call("uniquestring", &args, &cx())
            .unwrap()
            .unwrap();
        v.as_str().unwrap().to_owned()
    }
    fn g(args: &[&str]) -> String {
        let args: Vec<Value> = args.iter().map(|a| s(a)).collect();
        let v = super::super::call("guid", &args, &cx()).unwrap().unwrap();
        v.as_str().unwrap().to_owned()
    }

    #[test]
    fn unique_string_matches_azure() {
        // Pairs a public reimplementation states were checked against Bicep's uniqueString;
        // between them they cover tails of 0, 3 and 4 bytes after the 8-byte blocks.
        assert_eq!(us(&["test"]), "rbgf3xv4ufgzg");
        assert_eq!(us(&["hello", "world"]), "a7wkljktk6wne");
        assert_eq!(us(&["abc"]), "cgtzqvhu4i23s");
        assert_eq!(
            us(&["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg"]),
            "bmg7c6xu4tw46"
        );
        assert_eq!(us(&["foo", "bar", "baz"]), "xzi4ioaxtmth4");
        assert_eq!(us(&["foo", "bar", "baz"]), us(&["foo-bar-baz"]));
        // The other tail lengths, against an independent transcription of the same algorithm
        // (regression values, not observed from Azure).
        assert_eq!(us(&["a"]), "eveiun73364hy");
        assert_eq!(us(&["ab"]), "twldla3s3qb3q");
        assert_eq!(us(&["abcde"]), "5a3qs7ylzrs64");
        assert_eq!(us(&["abcdef"]), "rmkkamh3kazwq");
        assert_eq!(us(&["abcdefg"]), "logmp4qgzfm46");
        assert_eq!(us(&["ü"]), "6t5wmuwzn24mu");
        assert_eq!(us(&["x"]).len(), 13);
    }

    #[test]
    fn guid_is_uuid_v5_in_the_arm_namespace() {
        // Standard RFC 4122 version 5 UUIDs of the joined text in ARM's namespace (computed with
        // Python's uuid.uuid5); no value observed from Azure itself was available.
        assert_eq!(g(&["hello"]), "520f8434-fe3a-5d99-888d-450a827486a1");
        assert_eq!(g(&["a", "b", "c"]), "a98fa280-e03f-5afa-8d8e-92d0a9c201e8");
        assert_eq!(
            g(&["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg"]),
            "bb733f78-f75f-5345-b2b1-ca384ca6fcab"
        );
    }

    #[test]
    fn sha1_known_vectors() {
        assert_eq!(
            hex(&sha1(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(hex(&sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(
            hex(&sha1(&[b'a'; 1000])),
            "291e9a6c66994949b57ba5e650361e98fc36b1ba"
        );
    }

    #[test]
    fn holes_make_derived_holes() {
        let rg = hole::make(HoleKind::ResourceGroup, "", 7);
        let id = format!("/subscriptions/x/resourceGroups/{rg}");
        let a = super::super::call("uniquestring", &[s(&id)], &cx())
            .unwrap()
            .unwrap();
        let b = super::super::call("uniquestring", &[s(&id)], &cx())
            .unwrap()
            .unwrap();
        let c = super::super::call("guid", &[s(&id)], &cx())
            .unwrap()
            .unwrap();
        let a = a.as_str().unwrap();
        assert!(hole::is_whole_hole(a));
        assert_eq!(hole::holes(a)[0].kind, HoleKind::Derived);
        assert_eq!(Some(a), b.as_str());
        assert_ne!(Some(a), c.as_str());
        let other = super::super::call("uniquestring", &[s(&id), s("x")], &cx())
            .unwrap()
            .unwrap();
        assert_ne!(Some(a), other.as_str());
    }

    #[test]
    fn derived_labels_are_the_same_remembered_or_not() {
        let direct = |key: &str| hex(&sha1(key.as_bytes())[..8]);
        let keys: Vec<String> = (0..RECENT_LABELS + 5)
            .map(|i| format!("uniqueString\nrg-{i}"))
            .collect();
        // Made, remembered, then forgotten as more are made: the label never changes.
        for _ in 0..2 {
            for key in &keys {
                assert_eq!(derived_label(key.clone()), direct(key));
                assert_eq!(derived_label(key.clone()), direct(key));
            }
        }
        assert_ne!(direct(&keys[0]), direct(&keys[1]));
    }

    #[test]
    fn errors_and_unknowns() {
        assert!(super::super::call("guid", &[], &cx()).unwrap().is_err());
        let err = super::super::call("uniquestring", &[Value::int(1, Span::NONE)], &cx()).unwrap();
        assert_eq!(
            err.unwrap_err().0,
            "`uniqueString` expects a string as first argument, got Int"
        );
        let u = Value::unknown("why", Span::NONE);
        let r = super::super::call("guid", &[s("a"), u], &cx())
            .unwrap()
            .unwrap();
        assert_eq!(r.as_unknown().unwrap().reason, "why");
    }
}
