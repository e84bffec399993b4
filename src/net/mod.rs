//! Network reasoning over the model: addresses, routes, egress.
//!
//! Every verdict is three-valued: known, or unknown with the reason, and it carries what decided
//! it (the route, the NAT gateway) so that a finding can point there.

pub mod address;
pub mod routing;
