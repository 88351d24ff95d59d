//! redline: keep every version of an article in a git-backed store and show,
//! word by word, what changed. See ARCHITECTURE.md for the map.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cli;
pub mod core;
pub mod error;
pub mod fetch;
pub mod render;
pub mod store;

#[cfg(test)]
mod json_contract_tests;

pub use error::{Error, Result};
