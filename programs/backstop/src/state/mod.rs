//! Account types, one file each, and the value types they embed.
pub mod config;
pub mod svi_slice;

pub use config::*;
pub use svi_slice::*;
