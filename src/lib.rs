//! amlint: a linter for the network configuration of Azure Machine Learning deployments.
//!
//! Data flows one way: `discover → parse → arm (evaluate) → model → rules → report`.

pub mod arm;
pub mod discover;
pub mod parse;
pub mod source;
