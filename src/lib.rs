//! amlint: a linter for the network configuration of Azure Machine Learning deployments.
//!
//! Data flows one way: `discover → parse → arm (evaluate) → model → rules → report`.

pub mod alloc;
pub mod arm;
pub mod cli;
pub mod config;
pub mod discover;
pub mod lint;
pub mod model;
pub mod net;
pub mod parse;
pub mod report;
pub mod rules;
pub mod source;
