//! ARM resource IDs: building them from a type and a name, and reading them back.
//!
//! `/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.Network/virtualNetworks/{v}/subnets/{n}`
//! is type `Microsoft.Network/virtualNetworks/subnets` and name `{v}/{n}`. Comparison is
//! case-insensitive. A subscription or resource group that is a hole (not known offline) reads as
//! `None`: two IDs then match on type and name alone.

use super::hole;
use std::borrow::Cow;

/// A parsed resource ID. Its parts are shared strings: the model's entities each have an ID, and
/// [`parse_shared`] gives them the copies of their parts that the thread shares, since most IDs
/// repeat the subscription, resource group and type of others.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceId {
    /// The subscription, when known.
    pub subscription: Option<arcstr::ArcStr>,
    /// The resource group, when known; `None` also for IDs above resource group scope.
    pub resource_group: Option<arcstr::ArcStr>,
    /// Whether the ID names a resource group scope at all (known or not).
    pub in_resource_group: bool,
    /// Full type, e.g. `Microsoft.Network/virtualNetworks/subnets`.
    pub full_type: arcstr::ArcStr,
    /// Full name, e.g. `vnet/snet`.
    pub full_name: arcstr::ArcStr,
    /// [`ResourceId::key_hash`], worked out when the ID is made (in parallel, while its parts are
    /// in the cache) rather than at each look-up.
    hash: u64,
}

impl ResourceId {
    pub fn new(
        subscription: Option<arcstr::ArcStr>,
        resource_group: Option<arcstr::ArcStr>,
        in_resource_group: bool,
        full_type: arcstr::ArcStr,
        full_name: arcstr::ArcStr,
    ) -> Self {
        let hash = key_hash(&full_type, &full_name);
        ResourceId {
            subscription,
            resource_group,
            in_resource_group,
            full_type,
            full_name,
            hash,
        }
    }

    /// The matching key: lowercase type and name.
    pub fn key(&self) -> (String, String) {
        (
            self.full_type.to_ascii_lowercase(),
            self.full_name.to_ascii_lowercase(),
        )
    }

    /// [`ResourceId::key`] hashed, without building it: equal keys hash the same (the converse
    /// needs checking).
    pub fn key_hash(&self) -> u64 {
        self.hash
    }

    /// Whether two IDs have the same [`ResourceId::key`].
    pub fn same_key(&self, other: &ResourceId) -> bool {
        self.full_type.eq_ignore_ascii_case(&other.full_type)
            && self.full_name.eq_ignore_ascii_case(&other.full_name)
    }

    /// Whether two IDs may name the same resource: same type and name, and the same subscription
    /// and resource group wherever both sides know them.
    pub fn matches(&self, other: &ResourceId) -> bool {
        fn compatible(a: &Option<arcstr::ArcStr>, b: &Option<arcstr::ArcStr>) -> bool {
            match (a, b) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => true,
            }
        }
        self.full_type.eq_ignore_ascii_case(&other.full_type)
            && self.full_name.eq_ignore_ascii_case(&other.full_name)
            && compatible(&self.subscription, &other.subscription)
            && compatible(&self.resource_group, &other.resource_group)
    }

    /// The ID of the parent resource (a subnet's virtual network); `None` for a top-level type.
    pub fn parent(&self) -> Option<ResourceId> {
        let (ptype, _) = self.full_type.rsplit_once('/')?;
        let (pname, _) = self.full_name.rsplit_once('/')?;
        Some(ResourceId::new(
            self.subscription.clone(),
            self.resource_group.clone(),
            self.in_resource_group,
            arcstr::ArcStr::from(ptype),
            arcstr::ArcStr::from(pname),
        ))
    }

    /// The last segment of the name.
    pub fn short_name(&self) -> &str {
        self.full_name.rsplit('/').next().unwrap_or(&self.full_name)
    }
}

/// The hash of the lowercase type and name, without lowercasing them into new strings.
fn key_hash(full_type: &str, full_name: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    for part in [full_type.as_bytes(), full_name.as_bytes()] {
        let mut buf = [0u8; 64];
        for chunk in part.chunks(buf.len()) {
            let lower = &mut buf[..chunk.len()];
            lower.copy_from_slice(chunk);
            lower.make_ascii_lowercase();
            h.write(lower);
        }
        // Keeps `a` + `bc` apart from `ab` + `c`.
        h.write_usize(part.len());
    }
    h.finish()
}

/// Appends a full type and a full name interleaved: `A.B/x/y` + `n/m` → `A.B/x/n/y/m`; on an
/// error (segment counts that differ) `out` is left as it was.
fn push_type_name_path(out: &mut String, full_type: &str, full_name: &str) -> Result<(), String> {
    let (namespace, types, type_count) = match full_type.split_once('/') {
        Some((namespace, types)) => (namespace, types, segment_count(types)),
        None => (full_type, "", 0),
    };
    let name_count = segment_count(full_name);
    if type_count == 0 || type_count != name_count {
        return Err(format!(
            "name `{}` has {name_count} segment(s) but type `{full_type}` needs {type_count}",
            hole::display(full_name),
        ));
    }
    out.push_str(namespace);
    for (t, n) in slash_segments(types).zip(slash_segments(full_name)) {
        out.push('/');
        out.push_str(t);
        out.push('/');
        out.push_str(n);
    }
    Ok(())
}

/// How many segments [`slash_segments`] gives: a count the compiler vectorizes, where the
/// iterator looks for each `/` in turn.
fn segment_count(s: &str) -> usize {
    s.bytes().filter(|&b| b == b'/').count() + 1
}

/// The segments of `s` between its `/`s, as `s.split('/')` gives them. IDs and names are short:
/// a loop over the bytes costs less than the `memchr` call `split` makes for each segment.
fn slash_segments(s: &str) -> impl Iterator<Item = &str> + Clone {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.bytes().position(|b| b == b'/') {
            Some(i) => {
                rest = Some(&r[i + 1..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// Builds an ID under `prefix` (`/subscriptions/s/resourceGroups/g`, `/subscriptions/s`, or empty).
pub fn build(prefix: &str, full_type: &str, full_name: &str) -> Result<String, String> {
    if full_type.eq_ignore_ascii_case("Microsoft.Resources/resourceGroups") {
        let sub = prefix.split("/resourceGroups/").next().unwrap_or(prefix);
        return Ok(concat(&[sub, "/resourceGroups/", full_name]));
    }
    if full_type.eq_ignore_ascii_case("Microsoft.Resources/subscriptions") {
        return Ok(concat(&["/subscriptions/", full_name]));
    }
    let mut out = String::with_capacity(prefix.len() + 11 + full_type.len() + full_name.len() + 8);
    out.push_str(prefix);
    out.push_str("/providers/");
    push_type_name_path(&mut out, full_type, full_name)?;
    Ok(out)
}

/// The pieces one after the other, in a string of the exact size (what `format!` does for plain
/// strings, without its formatting machinery: IDs are built for every resource).
pub fn concat(pieces: &[&str]) -> String {
    let mut out = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for p in pieces {
        out.push_str(p);
    }
    out
}

/// Reads a resource ID. `None` when the text is not one (no leading `/`, odd segments, ...).
pub fn parse(id: &str) -> Option<ResourceId> {
    parse_with(id, |s| arcstr::ArcStr::from(s))
}

/// [`parse`], for an ID that is kept: its parts are the copies this thread shares
/// ([`crate::arm::eval::shared_str`]).
pub fn parse_shared(id: &str) -> Option<ResourceId> {
    parse_with(id, crate::arm::eval::shared_str)
}

/// The ID [`build`] makes in resource group `resource_group` of subscription `subscription`,
/// read back as [`parse_shared`] reads it, without making and splitting the text: the evaluator
/// hands it to the model with the ID's text. `None` where reading the text back could differ
/// from the parts (an empty or `/`-holding scope part, an empty segment, a type segment that
/// reads as `providers`, a name ending in white space, the resource group and subscription
/// types), and where [`build`] fails: the caller then parses the text.
pub fn in_resource_group(
    subscription: &arcstr::ArcStr,
    resource_group: &arcstr::ArcStr,
    full_type: &str,
    full_name: &arcstr::ArcStr,
) -> Option<ResourceId> {
    in_resource_group_with(
        subscription,
        resource_group,
        full_type,
        full_name,
        crate::arm::eval::shared_str,
    )
}

/// [`in_resource_group`]: the scope parts and the name are the strings given (the evaluated
/// values'), the type the copy `shared` gives.
fn in_resource_group_with(
    subscription: &arcstr::ArcStr,
    resource_group: &arcstr::ArcStr,
    full_type: &str,
    full_name: &arcstr::ArcStr,
    shared: fn(&str) -> arcstr::ArcStr,
) -> Option<ResourceId> {
    let plain_scope_part = |s: &str| !s.is_empty() && !s.contains('/');
    if !plain_scope_part(subscription) || !plain_scope_part(resource_group) {
        return None;
    }
    let (namespace, types) = full_type.split_once('/')?;
    if namespace.is_empty()
        || slash_segments(types).any(|t| t.is_empty() || t.eq_ignore_ascii_case("providers"))
        || segment_count(types) != segment_count(full_name)
        || slash_segments(full_name).any(str::is_empty)
        || full_name.trim_end().len() != full_name.len()
        || full_type.eq_ignore_ascii_case("Microsoft.Resources/resourceGroups")
        || full_type.eq_ignore_ascii_case("Microsoft.Resources/subscriptions")
    {
        return None;
    }
    let known = |s: &arcstr::ArcStr| (!hole::has_hole(s)).then(|| s.clone());
    Some(ResourceId::new(
        known(subscription),
        known(resource_group),
        true,
        shared(full_type),
        full_name.clone(),
    ))
}

fn parse_with(id: &str, shared: fn(&str) -> arcstr::ArcStr) -> Option<ResourceId> {
    let id = id.trim();
    let rest = id.strip_prefix('/')?;
    // IDs have up to a dozen segments: one allocation, not three growths.
    let mut segs: Vec<&str> = Vec::with_capacity(16);
    segs.extend(slash_segments(rest));
    if segs.iter().any(|s| s.is_empty()) {
        return None;
    }
    let known = |s: &str| (!hole::has_hole(s)).then(|| shared(s));
    let mut i = 0;
    let mut subscription = None;
    let mut resource_group = None;
    let mut in_resource_group = false;
    // The last (type, name) pair read: the scopes' are borrowed, as most IDs go on past them.
    let mut last: Option<(Cow<'_, str>, Cow<'_, str>)> = None;
    if segs.get(i)?.eq_ignore_ascii_case("subscriptions") {
        subscription = known(segs.get(i + 1)?);
        last = Some((
            Cow::Borrowed("Microsoft.Resources/subscriptions"),
            Cow::Borrowed(segs[i + 1]),
        ));
        i += 2;
        if segs
            .get(i)
            .is_some_and(|s| s.eq_ignore_ascii_case("resourceGroups"))
        {
            resource_group = known(segs.get(i + 1)?);
            in_resource_group = true;
            last = Some((
                Cow::Borrowed("Microsoft.Resources/resourceGroups"),
                Cow::Borrowed(segs[i + 1]),
            ));
            i += 2;
        }
    }
    while i < segs.len() {
        if !segs[i].eq_ignore_ascii_case("providers") {
            return None;
        }
        let namespace = segs.get(i + 1)?;
        i += 2;
        // Type and name pairs up to the next `providers` in a type's place (a name may be
        // `providers`).
        let mut end = i;
        while end < segs.len() && !segs[end].eq_ignore_ascii_case("providers") {
            segs.get(end + 1)?;
            end += 2;
        }
        if end == i {
            return None;
        }
        last = Some(if end == i + 2 {
            // One type and name: the type (`Namespace/type`) is a slice of the ID, as the
            // segments are separated by single slashes.
            let at = |s: &str| s.as_ptr() as usize - rest.as_ptr() as usize;
            let full_type = &rest[at(namespace)..at(segs[i]) + segs[i].len()];
            (Cow::Borrowed(full_type), Cow::Borrowed(segs[i + 1]))
        } else {
            let mut full_type = String::with_capacity(rest.len());
            full_type.push_str(namespace);
            let mut full_name = String::with_capacity(rest.len());
            for pair in segs[i..end].chunks_exact(2) {
                full_type.push('/');
                full_type.push_str(pair[0]);
                if !full_name.is_empty() {
                    full_name.push('/');
                }
                full_name.push_str(pair[1]);
            }
            (Cow::Owned(full_type), Cow::Owned(full_name))
        });
        i = end;
    }
    let (full_type, full_name) = last?;
    Some(ResourceId::new(
        subscription,
        resource_group,
        in_resource_group,
        shared(&full_type),
        shared(&full_name),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_in_a_resource_group_are_what_reading_the_built_text_gives() {
        let hole = hole::make(hole::HoleKind::Parameter, "p", 3);
        let with_hole = format!("pre{hole}post");
        let scope_parts = [
            "sub",
            "",
            "a/b",
            " x ",
            "providers",
            "resourceGroups",
            hole.as_str(),
            with_hole.as_str(),
            "é",
        ];
        let types = [
            "Microsoft.Network/virtualNetworks",
            "Microsoft.Network/virtualNetworks/subnets",
            "Microsoft.Network/virtualNetworks/providers",
            "Microsoft.Network/virtualNetworks/PROVIDERS/x",
            "Microsoft.Network//subnets",
            "Microsoft.Network/virtualNetworks/",
            "/virtualNetworks",
            "Microsoft.Network",
            "providers/x",
            "Microsoft.Resources/resourceGroups",
            "microsoft.resources/SUBSCRIPTIONS",
            "A.B/c/d/e",
            "",
        ];
        let names = [
            "vnet",
            "vnet/snet",
            "vnet/providers",
            "providers",
            "a/b/c",
            "vnet/",
            "/snet",
            "vnet ",
            " vnet",
            "vnet\u{a0}",
            "",
            hole.as_str(),
            with_hole.as_str(),
            "v n/é",
        ];
        let mut structured = 0;
        for sub in scope_parts {
            for rg in scope_parts {
                for t in types {
                    for n in names {
                        let prefix = concat(&["/subscriptions/", sub, "/resourceGroups/", rg]);
                        let expected = build(&prefix, t, n).ok().and_then(|id| parse(&id));
                        let got =
                            in_resource_group_with(&sub.into(), &rg.into(), t, &n.into(), |s| {
                                arcstr::ArcStr::from(s)
                            });
                        if let Some(got) = got {
                            structured += 1;
                            assert_eq!(Some(&got), expected.as_ref(), "{sub:?} {rg:?} {t:?} {n:?}");
                            assert_eq!(got.key_hash(), expected.unwrap().key_hash());
                        }
                    }
                }
            }
        }
        // The common cases are taken (not everything falls back to parsing).
        assert!(structured > 300, "{structured}");
        assert!(in_resource_group_with(
            &"s".into(),
            &"g".into(),
            "Microsoft.Network/virtualNetworks/subnets",
            &"vnet/snet".into(),
            |s| arcstr::ArcStr::from(s)
        )
        .is_some());
    }

    #[test]
    fn slash_segments_are_what_split_gives() {
        for s in [
            "",
            "/",
            "a",
            "a/b",
            "/a/b/",
            "a//b",
            "é/ü/\u{E000}x\u{E001}",
            "//",
            "sub/rg/p/ns/t/n",
        ] {
            assert_eq!(
                slash_segments(s).collect::<Vec<_>>(),
                s.split('/').collect::<Vec<_>>(),
                "{s:?}"
            );
            assert_eq!(segment_count(s), s.split('/').count(), "{s:?}");
        }
    }

    fn type_name_path(full_type: &str, full_name: &str) -> Result<String, String> {
        let mut out = String::new();
        push_type_name_path(&mut out, full_type, full_name).map(|()| out)
    }

    #[test]
    fn type_name_paths_pair_type_and_name_segments() {
        assert_eq!(
            type_name_path("Microsoft.Network/virtualNetworks/subnets", "vnet/snet").as_deref(),
            Ok("Microsoft.Network/virtualNetworks/vnet/subnets/snet")
        );
        assert_eq!(
            type_name_path("Microsoft.Network/virtualNetworks", "vnet").as_deref(),
            Ok("Microsoft.Network/virtualNetworks/vnet")
        );
        // An empty segment is a segment.
        assert_eq!(
            type_name_path("Microsoft.Foo/", "x").as_deref(),
            Ok("Microsoft.Foo//x")
        );
        assert_eq!(
            type_name_path("Microsoft.Network/virtualNetworks/subnets", "snet"),
            Err("name `snet` has 1 segment(s) but type `Microsoft.Network/virtualNetworks/subnets` needs 2".to_owned())
        );
        assert_eq!(
            type_name_path("Microsoft.Network", "x"),
            Err("name `x` has 1 segment(s) but type `Microsoft.Network` needs 0".to_owned())
        );
    }
    use crate::arm::hole::{make, HoleKind};

    #[test]
    fn key_hash_is_the_hash_of_the_lowercase_key() {
        let id = |t: &str, n: &str| ResourceId::new(None, None, true, t.into(), n.into());
        let long = "Snet-".repeat(40);
        let a = id(
            "Microsoft.Network/virtualNetworks/subnets",
            &format!("VNet/{long}"),
        );
        let b = id(
            "microsoft.network/VIRTUALNETWORKS/subnets",
            &format!("vnet/{}", long.to_lowercase()),
        );
        assert!(a.same_key(&b));
        assert_eq!(a.key_hash(), b.key_hash());
        // Where the type ends and the name begins counts.
        assert_ne!(id("a/b", "cd").key_hash(), id("a/bc", "d").key_hash());
        assert!(!id("a/b", "cd").same_key(&id("a/bc", "d")));
        assert_ne!(
            a.key_hash(),
            id("Microsoft.Network/virtualNetworks/subnets", "vnet/x").key_hash()
        );
        // A parent's hash is its own key's.
        assert_eq!(
            a.parent().unwrap().key_hash(),
            id("Microsoft.Network/virtualNetworks", "vnet").key_hash()
        );
    }

    #[test]
    fn builds_and_parses_child_ids() {
        let id = build(
            "/subscriptions/s1/resourceGroups/rg",
            "Microsoft.Network/virtualNetworks/subnets",
            "vnet/snet",
        )
        .unwrap();
        assert_eq!(
            id,
            "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet"
        );
        let p = parse(&id).unwrap();
        assert_eq!(p.full_type, "Microsoft.Network/virtualNetworks/subnets");
        assert_eq!(p.full_name, "vnet/snet");
        assert_eq!(p.subscription.as_deref(), Some("s1"));
        assert_eq!(p.resource_group.as_deref(), Some("rg"));
        assert_eq!(p.short_name(), "snet");
        let vnet = p.parent().unwrap();
        assert_eq!(
            (&*vnet.full_type, &*vnet.full_name),
            ("Microsoft.Network/virtualNetworks", "vnet")
        );
        assert_eq!(vnet.resource_group.as_deref(), Some("rg"));
        assert!(vnet.parent().is_none());
    }

    #[test]
    fn mismatched_segments_are_an_error() {
        assert!(build("", "Microsoft.Network/virtualNetworks/subnets", "vnet").is_err());
    }

    #[test]
    fn ids_kept_on_one_thread_share_their_parts() {
        let a = parse_shared("/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-a").unwrap();
        let b = parse_shared("/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-b").unwrap();
        let (sa, sb) = (a.subscription.unwrap(), b.subscription.unwrap());
        assert!(arcstr::ArcStr::ptr_eq(&sa, &sb));
        let (ga, gb) = (a.resource_group.unwrap(), b.resource_group.unwrap());
        assert!(arcstr::ArcStr::ptr_eq(&ga, &gb));
        assert!(arcstr::ArcStr::ptr_eq(&a.full_type, &b.full_type));
        assert_eq!(&*a.full_type, "Microsoft.Network/networkSecurityGroups");
        assert_eq!((&*a.full_name, &*b.full_name), ("nsg-a", "nsg-b"));
    }

    #[test]
    fn resource_groups_and_subscriptions() {
        let id = build(
            "/subscriptions/s",
            "Microsoft.Resources/resourceGroups",
            "rg",
        )
        .unwrap();
        assert_eq!(id, "/subscriptions/s/resourceGroups/rg");
        let p = parse(&id).unwrap();
        assert_eq!(p.full_type, "Microsoft.Resources/resourceGroups");
        assert_eq!(parse("/subscriptions/s").unwrap().full_name, "s");
    }

    #[test]
    fn holes_in_scope_read_as_unknown_and_still_match() {
        let sub = make(HoleKind::Subscription, "", 1);
        let rg = make(HoleKind::ResourceGroup, "", 1);
        let a = parse(&format!(
            "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/V/subnets/S"
        ))
        .unwrap();
        assert_eq!(a.subscription, None);
        assert!(a.in_resource_group);
        let b = parse("/subscriptions/x/resourceGroups/other/providers/microsoft.network/virtualnetworks/v/subnets/s").unwrap();
        assert!(a.matches(&b));
        let c = parse("/subscriptions/x/resourceGroups/third/providers/microsoft.network/virtualnetworks/v/subnets/s").unwrap();
        assert!(!b.matches(&c), "known, different resource groups");
    }

    #[test]
    fn extension_resources_take_the_last_provider_section() {
        let p = parse("/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/providers/Microsoft.Insights/diagnosticSettings/d").unwrap();
        assert_eq!(p.full_type, "Microsoft.Insights/diagnosticSettings");
        assert_eq!(p.full_name, "d");
    }

    #[test]
    fn a_provider_section_of_one_or_more_pairs_reads_as_type_and_name() {
        for (id, full_type, full_name) in [
            ("/providers/A.B/t/n", "A.B/t", "n"),
            ("/providers/A.B/t/n/c/m", "A.B/t/c", "n/m"),
            ("/providers/A.B/t/n/c/m/d/o", "A.B/t/c/d", "n/m/o"),
            // A resource may be named `providers`; a type may not be.
            ("/providers/A.B/t/providers", "A.B/t", "providers"),
            ("/providers/A.B/t/providers/c/m", "A.B/t/c", "providers/m"),
            ("/providers/A.B/t/n/providers/C.D/u/o", "C.D/u", "o"),
            (
                "/providers/A.B/t/n/c/m/providers/C.D/u/o/e/p",
                "C.D/u/e",
                "o/p",
            ),
        ] {
            let p = parse(id).unwrap_or_else(|| panic!("{id}"));
            assert_eq!(
                (&*p.full_type, &*p.full_name),
                (full_type, full_name),
                "{id}"
            );
        }
        for id in [
            "/providers/A.B",
            "/providers/A.B/t",
            "/providers/A.B/t/n/c",
            "/providers/A.B/providers/C.D/u/o",
            "/providers/A.B/t/n/providers/C.D",
        ] {
            assert!(parse(id).is_none(), "{id}");
        }
    }

    #[test]
    fn rejects_non_ids() {
        for s in [
            "",
            "vnet",
            "/",
            "/subscriptions",
            "/foo/bar",
            "/providers/A.B/x",
            "//x",
        ] {
            assert!(parse(s).is_none(), "{s}");
        }
    }
}
