//! One instruction per file: its accounts struct, an optional `validate()`, and `handler()`.
// Every file exports a `handler`; lib.rs calls each by its module path, so the glob
// re-exports (needed for Anchor's generated account types) may repeat the name.
#![allow(ambiguous_glob_reexports)]

pub mod check_price;
pub mod close_series;
pub mod create_vault;
pub mod deliver_collateral;
pub mod fund_reserve;
pub mod initialize_config;
pub mod observe_breach;
pub mod open_series;
pub mod quote_premium;
pub mod reclaim;
pub mod release_status;
pub mod report_solvency;
pub mod roll_series;
pub mod set_ladder;
pub mod set_pause_flags;
pub mod settle_series;
pub mod trigger;
pub mod try_release;
pub mod update_vault_settings;
pub mod vault_strength;
pub mod withdraw_recovery;
pub mod withdraw_reserve;
pub mod write_put;

pub use check_price::*;
pub use close_series::*;
pub use create_vault::*;
pub use deliver_collateral::*;
pub use fund_reserve::*;
pub use initialize_config::*;
pub use observe_breach::*;
pub use open_series::*;
pub use quote_premium::*;
pub use reclaim::*;
pub use release_status::*;
pub use report_solvency::*;
pub use roll_series::*;
pub use set_ladder::*;
pub use set_pause_flags::*;
pub use settle_series::*;
pub use trigger::*;
pub use try_release::*;
pub use update_vault_settings::*;
pub use vault_strength::*;
pub use withdraw_recovery::*;
pub use withdraw_reserve::*;
pub use write_put::*;
