//! The ARM template language: expressions, functions and evaluation.

pub mod eval;
pub mod expr;
pub mod functions;
pub mod hole;
pub mod resource_id;
pub mod value;
