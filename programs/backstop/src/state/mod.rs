//! Account types, one file each, and the value types they embed.
pub mod config;
pub mod ladder;
pub mod price_window;
pub mod series;
pub mod svi_slice;
pub mod vault;

pub use config::*;
pub use ladder::*;
pub use price_window::*;
pub use series::*;
pub use svi_slice::*;
pub use vault::*;
