//! Account types, one file each.
pub mod config;

pub use config::*;
