//! CIDR functions: `parseCidr`, `cidrSubnet`, `cidrHost`, for IPv4 and IPv6.
//!
//! IPv4 ranges have a network and a broadcast address, and the usable hosts lie between them;
//! IPv6 ranges have no broadcast and every address from the network on is usable (but
//! `cidrHost(…, 0)` is still the network address plus one, as the docs show). ARM's usable range
//! of an IPv4 `/31` or `/32` is not documented, so it is unknown.

use super::{
    arity, fail, first_unknown, hole_unknown, int_arg, str_arg, type_error, unknown, FnCtx,
    FnResult,
};
use crate::arm::hole;
use crate::arm::value::Value;
use std::net::{Ipv4Addr, Ipv6Addr};

/// A parsed range: the address as a 128-bit number, its width (32 or 128) and prefix length.
#[derive(Clone, Copy)]
struct Range {
    addr: u128,
    bits: u32,
    prefix: u32,
}

impl Range {
    fn mask(&self) -> u128 {
        let all = if self.bits == 32 {
            u128::from(u32::MAX)
        } else {
            u128::MAX
        };
        if self.prefix == 0 {
            0
        } else {
            all & (all << (self.bits - self.prefix))
        }
    }

    fn network(&self) -> u128 {
        self.addr & self.mask()
    }

    fn last(&self) -> u128 {
        let all = if self.bits == 32 {
            u128::from(u32::MAX)
        } else {
            u128::MAX
        };
        self.network() | (all & !self.mask())
    }

    fn text(&self, n: u128) -> String {
        if self.bits == 32 {
            Ipv4Addr::from(n as u32).to_string()
        } else {
            Ipv6Addr::from(n).to_string()
        }
    }
}

/// Parses `address/prefix`.
fn parse(name: &str, s: &str) -> Result<Range, super::FnError> {
    let bad = || {
        fail(format!(
            "`{name}` argument `{s}` is not an IP range in CIDR notation"
        ))
    };
    let Some((addr, prefix)) = s.split_once('/') else {
        return bad();
    };
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) || prefix.len() > 3 {
        return bad();
    }
    let prefix: u32 = prefix.parse().unwrap_or(u32::MAX);
    let (addr, bits) = if addr.contains(':') {
        match addr.parse::<Ipv6Addr>() {
            Ok(a) => (u128::from(a), 128),
            Err(_) => return bad(),
        }
    } else {
        match addr.parse::<Ipv4Addr>() {
            Ok(a) => (u128::from(u32::from(a)), 32),
            Err(_) => return bad(),
        }
    };
    if prefix > bits {
        return bad();
    }
    Ok(Range { addr, bits, prefix })
}

/// Checks the network argument and the integer arguments after it; the range, or the result to
/// return when an argument is unknown.
fn network_arg(
    name: &str,
    args: &[Value],
    cx: &FnCtx,
) -> Result<Result<Range, Value>, super::FnError> {
    if !args[0].is_unknown() && args[0].as_str().is_none() {
        return type_error(name, 0, "a string", &args[0]);
    }
    for i in 1..args.len() {
        if !args[i].is_unknown() {
            int_arg(name, args, i)?;
        }
    }
    if let Some(u) = first_unknown(args) {
        return Ok(Err(Value::from_unknown(u, cx.span)));
    }
    let s = str_arg(name, args, 0)?;
    if hole::has_hole(s) {
        return Ok(Err(hole_unknown(s, cx)?));
    }
    parse(name, s).map(Ok)
}

/// Whether an IPv4 range is too small for ARM's documented usable range.
fn tiny_v4(r: &Range) -> bool {
    r.bits == 32 && r.prefix >= 31
}

/// `parseCidr(network)`.
pub(super) fn parse_cidr(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("parseCidr", args, 1, 1)?;
    let r = match network_arg("parseCidr", args, cx)? {
        Ok(r) => r,
        Err(v) => return Ok(v),
    };
    if tiny_v4(&r) {
        return unknown(
            "ARM's usable addresses of an IPv4 /31 or /32 range are not documented",
            cx,
        );
    }
    let s = |text: String| Value::str(text, cx.span);
    let mut entries = vec![
        ("network".into(), s(r.text(r.network()))),
        ("netmask".into(), s(r.text(r.mask()))),
    ];
    let (first, last) = if r.bits == 32 {
        entries.push(("broadcast".into(), s(r.text(r.last()))));
        (r.network() + 1, r.last() - 1)
    } else {
        (r.network(), r.last())
    };
    entries.push(("firstUsable".into(), s(r.text(first))));
    entries.push(("lastUsable".into(), s(r.text(last))));
    entries.push(("cidr".into(), Value::int(i64::from(r.prefix), cx.span)));
    Ok(Value::object(entries, cx.span))
}

/// `cidrSubnet(network, newCIDR, subnetIndex)`.
pub(super) fn cidr_subnet(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("cidrSubnet", args, 3, 3)?;
    let r = match network_arg("cidrSubnet", args, cx)? {
        Ok(r) => r,
        Err(v) => return Ok(v),
    };
    let new_prefix = int_arg("cidrSubnet", args, 1)?;
    let index = int_arg("cidrSubnet", args, 2)?;
    if new_prefix < i64::from(r.prefix) || new_prefix > i64::from(r.bits) {
        return fail(format!(
            "`cidrSubnet` new prefix `{new_prefix}` is not between {} and {}",
            r.prefix, r.bits
        ));
    }
    let new_prefix = new_prefix as u32;
    let count_bits = new_prefix - r.prefix;
    let in_range = index >= 0 && (count_bits >= 63 || (index as u64) < (1u64 << count_bits));
    if !in_range {
        return fail(format!(
            "`cidrSubnet` index `{index}` is out of range for /{new_prefix} subnets of a /{}",
            r.prefix
        ));
    }
    let step = r.bits - new_prefix;
    let offset = if step >= 128 {
        0
    } else {
        (index as u128) << step
    };
    let subnet = r.network() + offset;
    Ok(Value::str(
        format!("{}/{new_prefix}", r.text(subnet)),
        cx.span,
    ))
}

/// `cidrHost(network, hostIndex)`.
pub(super) fn cidr_host(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("cidrHost", args, 2, 2)?;
    let r = match network_arg("cidrHost", args, cx)? {
        Ok(r) => r,
        Err(v) => return Ok(v),
    };
    let index = int_arg("cidrHost", args, 1)?;
    if tiny_v4(&r) {
        return unknown(
            "ARM's usable addresses of an IPv4 /31 or /32 range are not documented",
            cx,
        );
    }
    let last_usable = if r.bits == 32 { r.last() - 1 } else { r.last() };
    let host = u128::try_from(index)
        .ok()
        .and_then(|i| r.network().checked_add(1)?.checked_add(i))
        .filter(|h| *h <= last_usable);
    match host {
        Some(h) => Ok(Value::str(r.text(h), cx.span)),
        None => fail(format!(
            "`cidrHost` index `{index}` is out of range for a /{} network",
            r.prefix
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::*;

    #[test]
    fn parse_cidr_follows_the_docs() {
        // template-functions-cidr.md#parsecidr.
        assert_eq!(
            json(call("parsecidr", &[s("10.144.0.0/20")])),
            r#"{"broadcast":"10.144.15.255","cidr":20,"firstUsable":"10.144.0.1","lastUsable":"10.144.15.254","netmask":"255.255.240.0","network":"10.144.0.0"}"#
        );
        assert_eq!(
            json(call("parsecidr", &[s("fdad:3236:5555::/48")])),
            r#"{"cidr":48,"firstUsable":"fdad:3236:5555::","lastUsable":"fdad:3236:5555:ffff:ffff:ffff:ffff:ffff","netmask":"ffff:ffff:ffff::","network":"fdad:3236:5555::"}"#
        );
        // Host bits are masked off.
        let v = call("parsecidr", &[s("10.1.2.3/16")]).unwrap();
        assert_eq!(v.get("network").and_then(|x| x.as_str()), Some("10.1.0.0"));
        assert_eq!(
            v.get("broadcast").and_then(|x| x.as_str()),
            Some("10.1.255.255")
        );
        let v = call("parsecidr", &[s("0.0.0.0/0")]).unwrap();
        assert_eq!(v.get("netmask").and_then(|x| x.as_str()), Some("0.0.0.0"));
    }

    #[test]
    fn cidr_subnet_follows_the_docs() {
        // template-functions-cidr.md#cidrsubnet: the first five /24 of a /20, /52 of a /48.
        let v4 = [
            "10.144.0.0/24",
            "10.144.1.0/24",
            "10.144.2.0/24",
            "10.144.3.0/24",
            "10.144.4.0/24",
        ];
        for (k, want) in v4.iter().enumerate() {
            assert_str(
                call("cidrsubnet", &[s("10.144.0.0/20"), i(24), i(k as i64)]),
                want,
            );
        }
        let v6 = [
            "fdad:3236:5555::/52",
            "fdad:3236:5555:1000::/52",
            "fdad:3236:5555:2000::/52",
            "fdad:3236:5555:3000::/52",
            "fdad:3236:5555:4000::/52",
        ];
        for (k, want) in v6.iter().enumerate() {
            assert_str(
                call(
                    "cidrsubnet",
                    &[s("fdad:3236:5555::/48"), i(52), i(k as i64)],
                ),
                want,
            );
        }
        assert_str(
            call("cidrsubnet", &[s("10.0.0.0/8"), i(8), i(0)]),
            "10.0.0.0/8",
        );
        assert_err(
            call("cidrsubnet", &[s("10.144.0.0/20"), i(24), i(16)]),
            "`cidrSubnet` index `16` is out of range for /24 subnets of a /20",
        );
        assert_err(
            call("cidrsubnet", &[s("10.144.0.0/20"), i(16), i(0)]),
            "`cidrSubnet` new prefix `16` is not between 20 and 32",
        );
        assert_is_err(call("cidrsubnet", &[s("10.144.0.0/20"), i(24), i(-1)]));
        assert_str(
            call("cidrsubnet", &[s("::/0"), i(128), i(i64::MAX)]),
            "::7fff:ffff:ffff:ffff/128",
        );
    }

    #[test]
    fn cidr_host_follows_the_docs() {
        // template-functions-cidr.md#cidrhost.
        for k in 0..5 {
            assert_str(
                call("cidrhost", &[s("10.144.3.0/24"), i(k)]),
                &format!("10.144.3.{}", k + 1),
            );
            assert_str(
                call("cidrhost", &[s("fdad:3236:5555:3000::/52"), i(k)]),
                &format!("fdad:3236:5555:3000::{}", k + 1),
            );
        }
        assert_str(
            call("cidrhost", &[s("10.144.3.0/24"), i(253)]),
            "10.144.3.254",
        );
        assert_err(
            call("cidrhost", &[s("10.144.3.0/24"), i(254)]),
            "`cidrHost` index `254` is out of range for a /24 network",
        );
        assert_is_err(call("cidrhost", &[s("10.144.3.0/24"), i(-1)]));
    }

    #[test]
    fn cidr_errors_and_unknowns() {
        assert_err(
            call("parsecidr", &[s("10.0.0.0")]),
            "`parseCidr` argument `10.0.0.0` is not an IP range in CIDR notation",
        );
        assert_is_err(call("parsecidr", &[s("10.0.0.0/33")]));
        assert_is_err(call("parsecidr", &[s("300.0.0.0/8")]));
        assert_is_err(call("parsecidr", &[s("::/129")]));
        assert_is_err(call("parsecidr", &[i(1)]));
        assert_is_err(call("cidrhost", &[s("10.0.0.0/8"), s("1")]));
        let tiny = "ARM's usable addresses of an IPv4 /31 or /32 range are not documented";
        assert_unknown(call("parsecidr", &[s("10.0.0.0/31")]), tiny);
        assert_unknown(call("cidrhost", &[s("10.0.0.1/32"), i(0)]), tiny);
        assert_unknown(call("parsecidr", &[u("why")]), "why");
        assert_unknown(
            call("cidrsubnet", &[s("10.0.0.0/8"), u("why"), i(0)]),
            "why",
        );
        assert_unknown(
            call("cidrhost", &[s(&hole_p("range")), i(0)]),
            "parameter `range` has no value",
        );
    }
}
