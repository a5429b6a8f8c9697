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
