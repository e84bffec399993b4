//! The ARM template language: expressions, functions and evaluation.

pub mod expr;
pub mod functions;
pub mod hole;
pub mod value;
