//! NSG address prefixes, the endpoints of the traffic amlint asks about, and whether one covers
//! the other.
//!
//! An NSG rule's address is `*`, a CIDR or IP, `Internet` (all public address space, so every
//! public service tag), `VirtualNetwork` (the VNet's address space, not the service tags),
//! `AzureLoadBalancer`, or a service tag with an optional suffix (`Storage.westeurope`,
//! `AzureFrontDoor.FrontEnd`), which is part of its parent tag. Different service tags are
//! disjoint, except `AzureCloud[.region]`, a superset of the service tags. Tags compare
//! case-insensitively. Whether a public CIDR overlaps a service tag cannot be decided offline.
//! (azure-docs `virtual-network/network-security-groups-overview.md`, `service-tags-overview.md`.)

use super::address::Cidr;

/// An address prefix as an NSG rule writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Prefix {
    Any,
    Internet,
    VirtualNetwork,
    AzureLoadBalancer,
    /// A service tag: lowercase base name and optional lowercase suffix (region or part).
    Tag {
        base: String,
        suffix: Option<String>,
    },
    Cidr(Cidr),
}

impl Prefix {
    /// Reads an address prefix; `None` for text that is neither a CIDR, an IP nor a tag name.
    pub fn parse(text: &str) -> Option<Prefix> {
        let t = text.trim();
        if t == "*" {
            return Some(Prefix::Any);
        }
        if let Some(c) = Cidr::parse(t) {
            return Some(Prefix::Cidr(c));
        }
        // Something that looks like an address but is not a valid one is not a tag either.
        if t.starts_with(|c: char| c.is_ascii_digit()) || t.contains(':') || t.contains('/') {
            return None;
        }
        if t.is_empty()
            || !t
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-' || c == b'_')
        {
            return None;
        }
        // The names with a meaning of their own are compared in place; a tag is lowercased once,
        // its base and suffix split out of that copy.
        for (name, prefix) in [
            ("internet", Prefix::Internet),
            ("virtualnetwork", Prefix::VirtualNetwork),
            ("azureloadbalancer", Prefix::AzureLoadBalancer),
        ] {
            if t.eq_ignore_ascii_case(name) {
                return Some(prefix);
            }
        }
        let mut base = t.to_ascii_lowercase();
        let suffix = base.find('.').map(|dot| {
            let suffix = base[dot + 1..].to_owned();
            base.truncate(dot);
            suffix
        });
        Some(Prefix::Tag { base, suffix })
    }
}

/// One side of the traffic amlint asks about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// The addresses of an Azure service: a service tag, with the suffix (region) when the traffic
    /// is regional. `suffix: Err(())` means regional but in an unknown region.
    Service {
        base: String,
        suffix: Result<Option<String>, ()>,
    },
    /// Addresses in a subnet of a virtual network, with the subnet's known prefixes.
    Subnet { prefixes: Vec<Cidr> },
    /// Every public address: "the internet".
    AnyInternet,
}

impl Endpoint {
    /// A service endpoint: `Service { base, suffix }` from a tag such as `Storage.westeurope`.
    pub fn service(tag: &str) -> Endpoint {
        let lower = tag.to_ascii_lowercase();
        match lower.split_once('.') {
            Some((b, s)) => Endpoint::Service {
                base: b.to_owned(),
                suffix: Ok(Some(s.to_owned())),
            },
            None => Endpoint::Service {
                base: lower,
                suffix: Ok(None),
            },
        }
    }
}

/// Whether a prefix covers an endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cover {
    Yes,
    No,
    /// Cannot be decided offline, and why.
    Unknown(String),
}

/// Whether traffic at `endpoint` matches `prefix`.
pub fn covers(prefix: &Prefix, endpoint: &Endpoint) -> Cover {
    match (prefix, endpoint) {
        (Prefix::Any, _) => Cover::Yes,
        // Service tags are public addresses: in `Internet`, not in `VirtualNetwork`.
        (Prefix::Internet, Endpoint::Service { .. } | Endpoint::AnyInternet) => Cover::Yes,
        (Prefix::Internet, Endpoint::Subnet { .. }) => Cover::No,
        (Prefix::VirtualNetwork, Endpoint::Subnet { .. }) => Cover::Yes,
        (
            Prefix::VirtualNetwork | Prefix::AzureLoadBalancer,
            Endpoint::Service { .. } | Endpoint::AnyInternet,
        ) => Cover::No,
        (Prefix::AzureLoadBalancer, Endpoint::Subnet { .. }) => Cover::No,
        (Prefix::Tag { .. }, Endpoint::Subnet { .. }) => Cover::No,
        (
            Prefix::Tag { base, suffix },
            Endpoint::Service {
                base: eb,
                suffix: es,
            },
        ) => {
            if base == "azurecloud" {
                return match (suffix, es) {
                    (None, _) => Cover::Yes,
                    (Some(r), Ok(Some(er))) if r == er => Cover::Yes,
                    (Some(_), Ok(Some(_))) => Cover::No,
                    (Some(r), _) => Cover::Unknown(format!(
                        "whether `AzureCloud.{r}` holds the addresses of `{eb}` depends on the region"
                    )),
                };
            }
            if base != eb {
                return Cover::No;
            }
            match (suffix, es) {
                (None, _) => Cover::Yes,
                (Some(s), Ok(Some(e))) if s == e => Cover::Yes,
                (Some(_), Ok(Some(_))) => Cover::No,
                (Some(s), Ok(None)) => Cover::Unknown(format!(
                    "`{base}.{s}` holds only part of the addresses of `{eb}`"
                )),
                (Some(s), Err(())) => Cover::Unknown(format!(
                    "the region of the traffic is not known, so whether `{base}.{s}` matches it is not either"
                )),
            }
        }
        (Prefix::Tag { base, .. }, Endpoint::AnyInternet) => {
            Cover::Unknown(format!("`{base}` holds only part of the public addresses"))
        }
        (Prefix::Cidr(c), Endpoint::Subnet { prefixes }) => {
            if prefixes.is_empty() {
                return Cover::Unknown("the subnet's address prefix is not known".to_owned());
            }
            if prefixes.iter().all(|p| c.contains(*p)) {
                Cover::Yes
            } else if prefixes.iter().all(|p| !c.overlaps(*p)) {
                Cover::No
            } else {
                Cover::Unknown("the rule's prefix covers only part of the subnet".to_owned())
            }
        }
        (Prefix::Cidr(c), Endpoint::Service { base, .. }) => {
            if c.is_non_public() {
                Cover::No
            } else if c.prefix_len() == 0 {
                Cover::Yes
            } else {
                Cover::Unknown(format!(
                    "whether `{}` overlaps service tag `{base}` cannot be decided offline",
                    cidr_text(c)
                ))
            }
        }
        (Prefix::Cidr(c), Endpoint::AnyInternet) => {
            if c.prefix_len() == 0 && c.is_v4() {
                Cover::Yes
            } else if c.is_non_public() {
                Cover::No
            } else {
                Cover::Unknown(format!(
                    "`{}` holds only part of the public addresses",
                    cidr_text(c)
                ))
            }
        }
    }
}

fn cidr_text(c: &Cidr) -> String {
    c.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Prefix {
        Prefix::parse(s).unwrap_or_else(|| panic!("{s}"))
    }

    fn subnet(s: &str) -> Endpoint {
        Endpoint::Subnet {
            prefixes: vec![Cidr::parse(s).unwrap()],
        }
    }

    #[test]
    fn parses_prefixes() {
        assert_eq!(p("*"), Prefix::Any);
        assert_eq!(p("INTERNET"), Prefix::Internet);
        assert_eq!(p("VirtualNetwork"), Prefix::VirtualNetwork);
        let tag = |base: &str, suffix: Option<&str>| Prefix::Tag {
            base: base.into(),
            suffix: suffix.map(Into::into),
        };
        assert_eq!(p("Storage.WestEurope"), tag("storage", Some("westeurope")));
        assert_eq!(p(" azureLoadBalancer "), Prefix::AzureLoadBalancer);
        // The suffix is everything after the first dot.
        assert_eq!(
            p("AzureFrontDoor.FrontEnd.x"),
            tag("azurefrontdoor", Some("frontend.x"))
        );
        assert_eq!(p("Sql"), tag("sql", None));
        assert!(matches!(p("10.0.0.0/8"), Prefix::Cidr(_)));
        for bad in [
            "10.0.0.0/33",
            "300.1.1.1",
            "10.0.0.0/",
            "a b",
            "",
            "::g",
            "Stöörage",
        ] {
            assert!(Prefix::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn tags_and_regions() {
        let aml = Endpoint::service("AzureMachineLearning");
        let batch_we = Endpoint::service("BatchNodeManagement.westeurope");
        assert_eq!(covers(&p("AzureMachineLearning"), &aml), Cover::Yes);
        assert_eq!(
            covers(&p("azuremachinelearning"), &aml),
            Cover::Yes,
            "case-insensitive"
        );
        assert_eq!(covers(&p("Internet"), &aml), Cover::Yes);
        assert_eq!(covers(&p("VirtualNetwork"), &aml), Cover::No);
        assert_eq!(
            covers(&p("Storage"), &aml),
            Cover::No,
            "different tags are disjoint"
        );
        assert_eq!(covers(&p("BatchNodeManagement"), &batch_we), Cover::Yes);
        assert_eq!(
            covers(&p("BatchNodeManagement.westeurope"), &batch_we),
            Cover::Yes
        );
        assert_eq!(
            covers(&p("BatchNodeManagement.eastus"), &batch_we),
            Cover::No
        );
        assert_eq!(covers(&p("AzureCloud"), &batch_we), Cover::Yes);
        assert_eq!(covers(&p("AzureCloud.westeurope"), &batch_we), Cover::Yes);
        assert_eq!(covers(&p("AzureCloud.eastus"), &batch_we), Cover::No);
        let unknown_region = Endpoint::Service {
            base: "batchnodemanagement".into(),
            suffix: Err(()),
        };
        assert!(matches!(
            covers(&p("BatchNodeManagement.westeurope"), &unknown_region),
            Cover::Unknown(_)
        ));
        assert_eq!(
            covers(&p("BatchNodeManagement"), &unknown_region),
            Cover::Yes
        );
        assert!(matches!(
            covers(&p("AzureMachineLearning.westeurope"), &aml),
            Cover::Unknown(_)
        ));
    }

    #[test]
    fn cidrs_against_services_and_subnets() {
        let aml = Endpoint::service("AzureMachineLearning");
        assert_eq!(covers(&p("0.0.0.0/0"), &aml), Cover::Yes);
        assert_eq!(
            covers(&p("10.0.0.0/8"), &aml),
            Cover::No,
            "private ranges hold no service"
        );
        assert!(matches!(covers(&p("20.0.0.0/8"), &aml), Cover::Unknown(_)));
        let s = subnet("10.1.2.0/24");
        assert_eq!(covers(&p("10.1.0.0/16"), &s), Cover::Yes);
        assert_eq!(covers(&p("10.2.0.0/16"), &s), Cover::No);
        assert!(matches!(covers(&p("10.1.2.0/25"), &s), Cover::Unknown(_)));
        assert_eq!(covers(&p("VirtualNetwork"), &s), Cover::Yes);
        assert_eq!(covers(&p("Internet"), &s), Cover::No);
        assert_eq!(covers(&p("AzureMachineLearning"), &s), Cover::No);
    }

    #[test]
    fn the_whole_internet() {
        let any = Endpoint::AnyInternet;
        assert_eq!(covers(&p("*"), &any), Cover::Yes);
        assert_eq!(covers(&p("Internet"), &any), Cover::Yes);
        assert_eq!(covers(&p("0.0.0.0/0"), &any), Cover::Yes);
        assert_eq!(covers(&p("VirtualNetwork"), &any), Cover::No);
        assert!(matches!(covers(&p("20.0.0.0/8"), &any), Cover::Unknown(_)));
    }
}
