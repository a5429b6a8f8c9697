//! PDA seeds and protocol-wide constants.

/// Seed of the singleton [`crate::state::Config`] PDA.
pub const CONFIG_SEED: &[u8] = b"config";

/// Decimals of every normalised price (`math::PRICE_SCALE` = 10^12, exponent -12).
pub const PRICE_DECIMALS: i32 = 12;
const _: () = assert!(10u64.pow(PRICE_DECIMALS as u32) == crate::math::PRICE_SCALE);
