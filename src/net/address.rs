//! Address prefixes: IPv4 and IPv6 CIDRs, and which of them lie in public address space.

use std::net::{Ipv4Addr, Ipv6Addr};

/// A CIDR prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cidr {
    V4 { addr: u32, len: u8 },
    V6 { addr: u128, len: u8 },
}

impl Cidr {
    /// Parses `a.b.c.d/n`, `a.b.c.d` (a /32), `x::y/n` or `x::y` (a /128). Host bits may be set,
    /// as Azure accepts them in NSG rules.
    pub fn parse(text: &str) -> Option<Cidr> {
        let text = text.trim();
        // Service tags and other words are turned away before the address parsers: an IPv4
        // address starts with a digit, an IPv6 address has a colon.
        if !text.starts_with(|c: char| c.is_ascii_digit()) && !text.contains(':') {
            return None;
        }
        let (addr, len) = match text.split_once('/') {
            Some((a, l)) => (a, Some(l.parse::<u8>().ok()?)),
            None => (text, None),
        };
        if let Ok(v4) = addr.parse::<Ipv4Addr>() {
            let len = len.unwrap_or(32);
            if len > 32 {
                return None;
            }
            return Some(Cidr::V4 {
                addr: u32::from(v4),
                len,
            });
        }
        if let Ok(v6) = addr.parse::<Ipv6Addr>() {
            let len = len.unwrap_or(128);
            if len > 128 {
                return None;
            }
            return Some(Cidr::V6 {
                addr: u128::from(v6),
                len,
            });
        }
        None
    }

    pub fn prefix_len(self) -> u8 {
        match self {
            Cidr::V4 { len, .. } | Cidr::V6 { len, .. } => len,
        }
    }

    pub fn is_v4(self) -> bool {
        matches!(self, Cidr::V4 { .. })
    }

    /// The first address, as a 128-bit number with the family's width in `bits`.
    fn network(self) -> (u128, u8, u8) {
        match self {
            Cidr::V4 { addr, len } => {
                let mask = if len == 0 {
                    0
                } else {
                    u32::MAX << (32 - u32::from(len))
                };
                (u128::from(addr & mask), len, 32)
            }
            Cidr::V6 { addr, len } => {
                let mask = if len == 0 {
                    0
                } else {
                    u128::MAX << (128 - u32::from(len))
                };
                (addr & mask, len, 128)
            }
        }
    }

    /// Whether every address of `other` is in `self` (same family).
    pub fn contains(self, other: Cidr) -> bool {
        let (a, alen, abits) = self.network();
        let (b, blen, bbits) = other.network();
        if abits != bbits || blen < alen {
            return false;
        }
        let shift = u32::from(abits - alen);
        if alen == 0 {
            return true;
        }
        (a >> shift) == (b >> shift)
    }

    /// Whether the two prefixes share an address.
    pub fn overlaps(self, other: Cidr) -> bool {
        self.contains(other) || other.contains(self)
    }

    /// Whether the prefix lies entirely in address space that is never a public service's:
    /// private (RFC 1918, RFC 6598 shared, IPv6 unique local), loopback, link-local, multicast,
    /// reserved.
    pub fn is_non_public(self) -> bool {
        let list: &[Cidr] = if self.is_v4() {
            &NON_PUBLIC_V4
        } else {
            &NON_PUBLIC_V6
        };
        list.iter().any(|range| range.contains(self))
    }
}

/// An IPv4 prefix `a.b.c.d/len`, for the tables below.
const fn v4(a: u8, b: u8, c: u8, d: u8, len: u8) -> Cidr {
    Cidr::V4 {
        addr: u32::from_be_bytes([a, b, c, d]),
        len,
    }
}

/// An IPv6 prefix whose first 16 bits are `head` and the rest zero, or `::1/128`.
const fn v6(head: u16, last: u16, len: u8) -> Cidr {
    Cidr::V6 {
        addr: ((head as u128) << 112) | last as u128,
        len,
    }
}

/// IPv4 space no public service has: "this network", RFC 1918 private, RFC 6598 shared, loopback,
/// link-local, multicast, reserved.
const NON_PUBLIC_V4: [Cidr; 9] = [
    v4(0, 0, 0, 0, 8),
    v4(10, 0, 0, 0, 8),
    v4(100, 64, 0, 0, 10),
    v4(127, 0, 0, 0, 8),
    v4(169, 254, 0, 0, 16),
    v4(172, 16, 0, 0, 12),
    v4(192, 168, 0, 0, 16),
    v4(224, 0, 0, 0, 4),
    v4(240, 0, 0, 0, 4),
];

/// IPv6 loopback, unique local, link-local, multicast.
const NON_PUBLIC_V6: [Cidr; 4] = [
    v6(0, 1, 128),
    v6(0xfc00, 0, 7),
    v6(0xfe80, 0, 10),
    v6(0xff00, 0, 8),
];

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Cidr::V4 { addr, len } => write!(f, "{}/{len}", Ipv4Addr::from(addr)),
            Cidr::V6 { addr, len } => write!(f, "{}/{len}", Ipv6Addr::from(addr)),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn non_public_tables_are_the_documented_ranges() {
        use super::*;
        let v4 = [
            "0.0.0.0/8",
            "10.0.0.0/8",
            "100.64.0.0/10",
            "127.0.0.0/8",
            "169.254.0.0/16",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "224.0.0.0/4",
            "240.0.0.0/4",
        ];
        let v6 = ["::1/128", "fc00::/7", "fe80::/10", "ff00::/8"];
        let parsed = |texts: &[&str]| -> Vec<Cidr> {
            texts
                .iter()
                .map(|t| Cidr::parse(t).expect("a CIDR"))
                .collect()
        };
        assert_eq!(NON_PUBLIC_V4.to_vec(), parsed(&v4));
        assert_eq!(NON_PUBLIC_V6.to_vec(), parsed(&v6));
    }

    use super::*;

    fn c(s: &str) -> Cidr {
        Cidr::parse(s).unwrap_or_else(|| panic!("{s}"))
    }

    #[test]
    fn parses_v4_v6_and_rejects_junk() {
        assert_eq!(
            c("10.0.0.0/8"),
            Cidr::V4 {
                addr: 0x0A00_0000,
                len: 8
            }
        );
        assert_eq!(c("10.1.2.3").prefix_len(), 32);
        assert_eq!(c("fd00::/8").prefix_len(), 8);
        assert_eq!(c("::").prefix_len(), 128);
        for bad in [
            "10.0.0.0/33",
            "10.0.0/8",
            "x",
            "",
            "::/129",
            "10.0.0.0/-1",
            "Internet",
            "AzureCloud.westeurope",
            " +10.0.0.0/8",
        ] {
            assert!(Cidr::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn containment_and_overlap() {
        assert!(c("0.0.0.0/0").contains(c("20.1.2.3/32")));
        assert!(c("10.0.0.0/8").contains(c("10.1.0.0/16")));
        assert!(!c("10.1.0.0/16").contains(c("10.0.0.0/8")));
        assert!(c("10.1.0.0/16").overlaps(c("10.0.0.0/8")));
        assert!(!c("10.0.0.0/8").overlaps(c("11.0.0.0/8")));
        assert!(
            c("10.0.0.5/8").contains(c("10.9.9.9")),
            "host bits are ignored"
        );
        assert!(!c("0.0.0.0/0").contains(c("::/0")), "families never mix");
        assert!(c("::/0").contains(c("2001:db8::/32")));
    }

    #[test]
    fn non_public_ranges() {
        assert!(c("10.2.0.0/16").is_non_public());
        assert!(c("192.168.1.0/24").is_non_public());
        assert!(c("100.64.0.0/10").is_non_public());
        assert!(c("fd12::/16").is_non_public());
        assert!(!c("0.0.0.0/0").is_non_public());
        assert!(!c("0.0.0.0/1").is_non_public());
        assert!(!c("20.0.0.0/8").is_non_public());
        assert!(
            !c("172.0.0.0/8").is_non_public(),
            "only 172.16/12 is private"
        );
    }
}
