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
    /// The collateral mint physical series deliver (default: cash series only).
    pub collateral_mint: Pubkey,
}

#[event]
pub struct ReserveFunded {
    pub vault: Pubkey,
    pub funder: Pubkey,
    pub amount: u64,
    pub reserve_balance: u64,
}

#[event]
pub struct RecoveryWithdrawn {
    pub vault: Pubkey,
    pub destination: Pubkey,
    pub amount: u64,
    pub remaining: u64,
}

#[event]
pub struct ReserveWithdrawn {
    pub vault: Pubkey,
    pub destination: Pubkey,
    pub amount: u64,
    pub reserve_balance: u64,
    pub committed: u64,
}

#[event]
pub struct SeriesOpened {
    pub vault: Pubkey,
    pub series: Pubkey,
    pub strike: u64,
    pub expiry: i64,
    pub size_cap: u64,
    pub premium_budget: u64,
    pub committed_premium: u64,
    pub style: crate::state::SeriesStyle,
}

#[event]
pub struct PutWritten {
    pub vault: Pubkey,
    pub series: Pubkey,
    pub writer: Pubkey,
    pub size: u64,
    /// Quote base units paid from the reserve to the writer.
    pub premium: u64,
    /// Premium per whole collateral unit, `PRICE_SCALE` (1e-12).
    pub premium_per_unit: u64,
    /// Quote base units the writer put into the escrow.
    pub escrow: u64,
    /// Oracle price and confidence used, `PRICE_SCALE`.
    pub spot: u64,
    pub confidence: u64,
    pub written_size: u64,
}

impl BreachObserved {
    /// The event for one observation of `vault` at `price`, with its breach state after it.
    pub fn new(
        vault: &crate::state::Vault,
        key: Pubkey,
        observed: &crate::solvency::Observed,
    ) -> Self {
        Self {
            vault: key,
            transition: observed.transition,
            price: observed.price.map_or(0, |p| p.price),
            publish_time: observed.price.map_or(0, |p| p.publish_time),
            recorded: observed.recorded,
            first_seen: vault.breach.first_seen,
            confirmed_at: vault.breach.confirmed_at,
        }
    }
}

#[event]
pub struct BreachObserved {
    pub vault: Pubkey,
    pub transition: crate::state::BreachTransition,
    /// Collateral price observed, `PRICE_SCALE`, and its publish time (0 when the feed gave no
    /// information).
    pub price: u64,
    pub publish_time: i64,
    /// What the price window recorded: the price, or `price + conf` for a wide update.
    pub recorded: u64,
    pub first_seen: i64,
    pub confirmed_at: i64,
}

#[event]
pub struct SolvencyReported {
    pub vault: Pubkey,
    pub collateral_amount: u64,
    pub liabilities: u64,
    /// Collateral value over liabilities at the observed price, bps.
    pub ratio_bps: u64,
}

#[event]
pub struct CapitalReleased {
    pub vault: Pubkey,
    pub series: Pubkey,
    /// The held price the step paid at, `PRICE_SCALE`.
    pub held_price: u64,
    /// Intrinsic value of every written unit at the held price, quote base units.
    pub owed: u64,
    /// Quote base units moved from the escrow to the recovery account by this step.
    pub payout: u64,
    /// The series' advances after this step.
    pub advanced: u64,
    pub released_in_epoch: u64,
    /// Quote base units paid to the keeper from the reserve (0 when none was due or left).
    pub keeper_tip: u64,
    pub keeper: Pubkey,
}

#[event]
pub struct SettlementCandidate {
    pub series: Pubkey,
    pub price: u64,
    pub publish_time: i64,
}

#[event]
pub struct SeriesSettled {
    pub vault: Pubkey,
    pub series: Pubkey,
    /// Settlement price, `PRICE_SCALE`, and the publish time of its update.
    pub price: u64,
    pub publish_time: i64,
    /// Which rung of the settlement ladder gave the price.
    pub source: crate::state::SettlementSource,
    /// Put tokens burned (every written unit).
    pub units: u64,
    /// What settlement paid to the recovery account: `max(0, owed at the price - advanced)`.
    pub payout: u64,
    /// What release steps had advanced before expiry.
    pub advanced: u64,
    /// Premium budget returned to the uncommitted reserve.
    pub budget_released: u64,
}

#[event]
pub struct PositionReclaimed {
    pub series: Pubkey,
    pub writer: Pubkey,
    pub size: u64,
    pub escrow_deposited: u64,
    /// The writer's pro-rata share of the series' payouts (rounded up).
    pub payout_share: u64,
    /// Quote base units returned to the writer.
    pub reclaimed: u64,
    /// Physical series: collateral base units returned to the writer (its pro-rata share of
    /// what was delivered, rounded down; the last writer takes what is left).
    pub collateral_reclaimed: u64,
}

/// The protected protocol sold collateral to a physical series at the strike.
#[event]
pub struct CollateralDelivered {
    pub vault: Pubkey,
    pub series: Pubkey,
    pub deliverer: Pubkey,
    /// Collateral base units delivered (put tokens burned).
    pub size: u64,
    /// Quote base units paid from the escrow to the recovery account: strike x size, rounded down.
    pub paid: u64,
    /// The series' delivered size and quote paid after this delivery.
    pub delivered_size: u64,
    pub payout_total: u64,
}

#[event]
pub struct PauseFlagsSet {
    pub admin: Pubkey,
    pub old_flags: u32,
    pub new_flags: u32,
}

#[event]
pub struct VaultSettingsUpdated {
    pub vault: Pubkey,
    pub trigger: crate::state::TriggerSettings,
    pub pricing: crate::state::PricingSettings,
    pub release: crate::state::ReleaseSettings,
    pub settings_timelock_secs: u32,
}

#[event]
pub struct VaultSettingsProposed {
    pub vault: Pubkey,
    pub pending: crate::state::PendingSettings,
}

#[event]
pub struct SeriesClosed {
    pub vault: Pubkey,
    pub series: Pubkey,
    /// Rounding dust swept from the escrow to the reserve, quote base units.
    pub dust: u64,
}

#[event]
pub struct LadderProposed {
    pub vault: Pubkey,
    pub ladder: Pubkey,
    pub pending: crate::state::LadderTemplate,
    /// When the same `set_ladder` call may apply it.
    pub applies_at: i64,
}

#[event]
pub struct LadderUpdated {
    pub vault: Pubkey,
    pub ladder: Pubkey,
    pub template: crate::state::LadderTemplate,
    /// What it replaced (all zero: a new ladder).
    pub previous: crate::state::LadderTemplate,
}

#[event]
pub struct SeriesRolled {
    pub vault: Pubkey,
    pub ladder: Pubkey,
    pub series: Pubkey,
    pub rung: u8,
    pub strike: u64,
    pub expiry: i64,
    /// The validated oracle price the strike was set from (`PRICE_SCALE`, 1e-12), and when it
    /// was published.
    pub spot: u64,
    pub spot_publish_time: i64,
    /// Who rolled (and was repaid).
    pub payer: Pubkey,
    /// Lamports of rent the ladder's float repaid the caller.
    pub rent_repaid: u64,
}
