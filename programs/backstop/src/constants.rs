//! PDA seeds and protocol-wide constants.

/// Seed of the singleton [`crate::state::Config`] PDA.
pub const CONFIG_SEED: &[u8] = b"config";
