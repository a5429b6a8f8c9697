use anchor_lang::prelude::*;

use super::SviSlice;
use crate::constants::SERIES_SEED;

/// Life cycle of a put series.
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub enum SeriesStatus {
    /// Writable until the write cutoff before expiry (and until its first advance).
    #[default]
    Open,
    /// Expiry settled: writers may reclaim.
    Settled,
}

/// How a series' holder exercises (docs/DESIGN.md sections 6, 7 and 7b).
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub enum SeriesStyle {
    /// Cash advances as the held price falls, cash settlement at expiry.
    #[default]
    CashRatchet,
    /// The protocol delivers collateral and is paid the strike for it.
    PhysicalDelivery,
}

/// Which rung of the settlement ladder priced the series (docs/DESIGN.md section 7).
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub enum SettlementSource {
    /// Not settled.
    #[default]
    None,
    /// The first update at or after expiry.
    FirstUpdate,
    /// The earliest update at or after expiry shown during the grace period.
    EarliestShown,
    /// After the grace, with nothing shown in it: a fresh update at or after expiry.
    FreshAfterGrace,
    /// After the deadline: the update shown nearest to expiry, however old.
    NearestAfterDeadline,
    /// After the deadline, no nearer update: the last price the vault observed.
    LastObserved,
}

/// One strike and expiry of puts on the vault's collateral.
/// Seeds: `["series", vault, strike_le, expiry_le]`.
#[account]
#[derive(InitSpace)]
pub struct Series {
    pub vault: Pubkey,
    /// PDA token account (quote mint, authority = this series) holding writers' capital.
    pub escrow: Pubkey,
    /// PDA mint of the put tokens (decimals = collateral decimals, authority = this series).
    pub put_mint: Pubkey,
    /// PDA token account (put mint, authority = the vault) holding the series' put tokens on
    /// behalf of the protected protocol.
    pub holder: Pubkey,
    /// Quote base units per whole collateral unit.
    pub strike: u64,
    /// Unix time of expiry.
    pub expiry: i64,
    pub svi: SviSlice,
    /// Most collateral base units that may be written.
    pub size_cap: u64,
    /// Most quote base units of premium the reserve pays for this series.
    pub premium_budget: u64,
    pub premium_paid: u64,
    /// Collateral base units written (put tokens minted).
    pub written_size: u64,
    /// Quote base units advanced to the recovery account by release steps before expiry.
    pub advanced: u64,
    /// Quote base units that left the escrow for the recovery account (advances + expiry).
    pub payout_total: u64,
    /// Quote base units writers put into the escrow.
    pub escrow_deposited: u64,
    /// Quote base units writers took back.
    pub escrow_reclaimed: u64,
    /// Expiry settlement: price used (`PRICE_SCALE`) and the candidate update's publish time
    /// (0 = no candidate yet).
    pub settlement_price: u64,
    pub settlement_publish_time: i64,
    pub settlement_source: SettlementSource,
    /// Cluster time of the latest release step (0 = none yet).
    pub last_step_at: i64,
    pub status: SeriesStatus,
    /// Positions not yet reclaimed (the series closes when this is 0 after settlement).
    pub open_positions: u32,
    pub bump: u8,
    pub escrow_bump: u8,
    pub put_mint_bump: u8,
    pub holder_bump: u8,
    pub style: SeriesStyle,
    /// Physical series: the collateral token account (`["collateral", series]`), set at the
    /// first delivery (default until then).
    pub collateral: Pubkey,
    pub collateral_bump: u8,
    /// Physical series: collateral base units delivered (put tokens burned for them).
    pub delivered_size: u64,
    /// Physical series: collateral base units writers took back.
    pub collateral_reclaimed: u64,
    pub reserved: [u8; 64],
}

impl Series {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    /// Seeds that sign for the series PDA (escrow transfers, put-token minting). The caller
    /// keeps the little-endian strike and expiry alive: `(self.strike.to_le_bytes(),
    /// self.expiry.to_le_bytes())`.
    pub fn signer_seeds<'a>(
        &'a self,
        strike_le: &'a [u8; 8],
        expiry_le: &'a [u8; 8],
    ) -> [&'a [u8]; 5] {
        [
            SERIES_SEED,
            self.vault.as_ref(),
            strike_le,
            expiry_le,
            std::slice::from_ref(&self.bump),
        ]
    }
}

/// One writer's puts in one series. Seeds: `["position", series, writer]`.
#[account]
#[derive(InitSpace)]
pub struct Position {
    pub series: Pubkey,
    pub writer: Pubkey,
    /// Collateral base units written.
    pub size: u64,
    /// Quote base units this writer put into the escrow.
    pub escrow_deposited: u64,
    /// Premium received, quote base units.
    pub premium_received: u64,
    pub bump: u8,
    pub reserved: [u8; 32],
}

impl Position {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;
}
