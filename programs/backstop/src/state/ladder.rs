use anchor_lang::prelude::*;

use super::{SeriesStyle, SviSlice};

/// Strike rungs a ladder may hold.
pub const LADDER_RUNGS: usize = 4;

/// What every rolled series looks like (docs/DESIGN.md section 7c). The SVI slice is in
/// log-moneyness `k = ln(K / F)`, so one slice serves every spot a roll meets.
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub struct LadderTemplate {
    /// Life of each series, a whole number of hours.
    pub tenor_secs: u32,
    /// How long before a series' expiry its successor may open (coverage overlaps, never
    /// lapses while a keeper cranks within this window).
    pub overlap_secs: u32,
    /// Strike of each rung in basis points of spot (1,000..=10,000); 0 = an unused rung. All
    /// zero: the ladder is stopped.
    pub strikes_bps: [u16; LADDER_RUNGS],
    /// Strikes are listed on this grid (quote base units per collateral unit).
    pub strike_tick: u64,
    pub style: SeriesStyle,
    /// Most collateral base units each series may sell.
    pub size_cap: u64,
    /// Reserve committed to each series' premiums, quote base units.
    pub budget_per_series: u64,
    pub svi: SviSlice,
}

impl LadderTemplate {
    /// No rung in use: nothing rolls.
    pub fn is_stopped(&self) -> bool {
        self.strikes_bps.iter().all(|&b| b == 0)
    }
}

/// The series a rung last opened (default: none yet).
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub struct Rung {
    pub series: Pubkey,
    pub expiry: i64,
}

/// A vault's continuous coverage: the template in force, a proposed one behind the vault's
/// settings timelock, and the live series of each rung. Seeds: `["ladder", vault]`.
/// Lamports above its rent-exempt minimum are a float that repays `roll_series` callers the
/// rent of the accounts they create (anyone may top it up).
#[account]
#[derive(InitSpace)]
pub struct Ladder {
    pub vault: Pubkey,
    pub template: LadderTemplate,
    pub pending: LadderTemplate,
    /// When `pending` may be applied; 0 = nothing pending.
    pub pending_at: i64,
    pub rungs: [Rung; LADDER_RUNGS],
    /// Series opened by this ladder, all time.
    pub rolled: u64,
    pub bump: u8,
    pub reserved: [u8; 64],
}

impl Ladder {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;
}
