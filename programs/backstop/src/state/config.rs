use anchor_lang::prelude::*;

/// Pause flags: one bit per operation. Only operations that add risk can be paused: breach
/// observation, solvency reports, release, settlement and reclaim never can.
pub mod pause {
    pub const CREATE_VAULT: u32 = 1 << 0;
    pub const FUND_RESERVE: u32 = 1 << 1;
    pub const OPEN_SERIES: u32 = 1 << 2;
    pub const WRITE_PUT: u32 = 1 << 3;
    /// Every bit that names an operation; any other bit is rejected.
    pub const ALL: u32 = CREATE_VAULT | FUND_RESERVE | OPEN_SERIES | WRITE_PUT;
}

/// Program-wide configuration (singleton PDA, seeds = [CONFIG_SEED]).
#[account]
#[derive(InitSpace)]
pub struct Config {
    /// May change pause flags and bounded parameters; never touches escrow or reserves.
    pub admin: Pubkey,
    /// Bit set of paused operations, see [`pause`].
    pub pause_flags: u32,
    /// The only program whose `PriceUpdateV2` accounts vaults may read (the Pyth receiver), so
    /// no vault creator can name a program that posts prices of its choosing.
    pub pyth_receiver: Pubkey,
    /// Pyth's push oracle: a vault may pin a feed only to this program's sponsored account of
    /// that feed (a PDA of `[shard as u16 LE, feed id]`), an account only the push oracle writes
    /// and only ever forward, so a pin can never hand one party the choice of prices.
    pub pyth_push_oracle: Pubkey,
    /// Bump of this PDA, stored so later instructions skip the bump search.
    pub bump: u8,
    /// Room for fields added by later versions without a realloc.
    pub reserved: [u8; 32],
}

impl Config {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    pub fn is_paused(&self, flag: u32) -> bool {
        self.pause_flags & flag != 0
    }
}

const _: () = assert!(Config::SPACE == 8 + 32 + 4 + 32 + 32 + 1 + 32);
