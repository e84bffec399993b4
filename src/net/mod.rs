//! Network reasoning over the model: addresses and service tags, NSG verdicts, routes, egress.
//!
//! Every verdict is three-valued: known, or unknown with the reason, and it carries what decided
//! it (the NSG rule, the route, the NAT gateway) so that a finding can point there.

pub mod address;
pub mod endpoint;
pub mod nsg;
pub mod routing;
