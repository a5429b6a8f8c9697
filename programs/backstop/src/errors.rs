//! Program errors. Append-only: never reorder or remove a variant, clients match on the codes.
use anchor_lang::prelude::*;

#[error_code]
pub enum BackstopError {
    #[msg("Pause flags contain bits that name no operation")]
    UnknownPauseFlags, // 6000
    #[msg("Signer is not the program's upgrade authority")]
    NotUpgradeAuthority, // 6001
    #[msg("Program data account does not belong to this program")]
    InvalidProgramData, // 6002
    #[msg("Signer is not the config admin")]
    NotAdmin, // 6003
    #[msg("Admin must not be the default public key")]
    InvalidAdmin, // 6004
}
