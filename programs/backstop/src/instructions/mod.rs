//! One instruction per file: its accounts struct, an optional `validate()`, and `handler()`.
// Every file exports a `handler`; lib.rs calls each by its module path, so the glob
// re-exports (needed for Anchor's generated account types) may repeat the name.
#![allow(ambiguous_glob_reexports)]

pub mod initialize_config;
pub mod quote_premium;

pub use initialize_config::*;
pub use quote_premium::*;
