//! Events, emitted with `emit_cpi!` so indexers can read them from inner instructions even when
//! logs are truncated.
use anchor_lang::prelude::*;

#[event]
pub struct ConfigInitialized {
    pub config: Pubkey,
    pub admin: Pubkey,
    pub pause_flags: u32,
    pub slot: u64,
}

#[event]
pub struct VaultCreated {
    pub vault: Pubkey,
    pub authority: Pubkey,
    pub quote_mint: Pubkey,
    pub collateral_feed: [u8; 32],
    pub recovery: Pubkey,
    pub reporter: Pubkey,
    pub risk_authority: Pubkey,
}

#[event]
pub struct ReserveFunded {
    pub vault: Pubkey,
    pub funder: Pubkey,
    pub amount: u64,
    pub reserve_balance: u64,
}

#[event]
pub struct ReserveWithdrawn {
    pub vault: Pubkey,
    pub destination: Pubkey,
    pub amount: u64,
    pub reserve_balance: u64,
    pub committed: u64,
}
