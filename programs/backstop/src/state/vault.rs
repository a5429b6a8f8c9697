use anchor_lang::prelude::*;

use super::PriceWindow;
use crate::constants::VAULT_SEED;

/// Declares a settings struct twice: the Borsh form that instruction arguments and events carry,
/// and the stored form inside the zero-copy vault (the same fields plus explicit zero padding,
/// so its `repr(C)` layout has no hidden bytes). A `declare_program!` client gets both as they
/// are: a Borsh type, and a `#[zero_copy]` one its generated `Vault` can hold.
macro_rules! settings_pair {
    (
        $(#[$meta:meta])*
        $name:ident / $stored:ident, padding $pad:literal {
            $( $(#[$fmeta:meta])* $field:ident : $ty:tt ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        #[doc = concat!("[`", stringify!($name), "`] as the zero-copy vault stores it.")]
        #[zero_copy]
        #[derive(Debug, Default, PartialEq, Eq)]
        pub struct $stored {
            $( $(#[$fmeta])* pub $field: $ty, )*
            /// Zero (explicit `repr(C)` padding).
            pub padding: [u8; $pad],
        }

        impl From<$name> for $stored {
            fn from(s: $name) -> Self {
                Self { $( $field: s.$field, )* padding: [0; $pad] }
            }
        }

        impl From<$stored> for $name {
            fn from(s: $stored) -> Self {
                Self { $( $field: s.$field, )* }
            }
        }
    };
}

settings_pair! {
    /// Which Pyth feeds a vault reads and how strictly.
    OracleSettings / StoredOracleSettings, padding 2 {
        /// Owner of genuine `PriceUpdateV2` accounts (the Pyth receiver program).
        receiver: Pubkey,
        /// Pyth feed id of the collateral (priced in the quote's currency).
        collateral_feed: [u8; 32],
        /// Pyth feed id of the stablecoin for the joint depeg trigger; all zero when unused.
        depeg_feed: [u8; 32],
        /// The only `PriceUpdateV2` account the collateral feed is read from (e.g. its sponsored
        /// push-feed account, which only moves forward); `Pubkey::default()` = any update of the feed.
        collateral_price_account: Pubkey,
        /// The same pin for the stablecoin feed.
        depeg_price_account: Pubkey,
        /// Oldest accepted update for live reads, seconds.
        max_age_secs: u32,
        /// Widest accepted confidence interval, bps of the price.
        max_conf_bps: u16,
    }
}

settings_pair! {
    /// When the protected protocol counts as insolvent. A zero threshold disables that trigger;
    /// at least one trigger is always enabled.
    TriggerSettings / StoredTriggerSettings, padding 4 {
        /// Barrier: collateral price at or below this (`PRICE_SCALE`, 1e-12).
        barrier_price: u64,
        /// Reported solvency ratio below this, bps (collateral value / liabilities).
        ratio_threshold_bps: u32,
        /// A solvency report older than this is ignored, seconds.
        max_report_age_secs: u32,
        /// Joint trigger: collateral price at or below this (`PRICE_SCALE`) ...
        joint_collateral_price: u64,
        /// ... and the stablecoin's price at or below this (`PRICE_SCALE`).
        depeg_price: u64,
        /// A breach must still be observed this many seconds after it was first seen.
        persistence_secs: u32,
    }
}

settings_pair! {
    /// How write_put prices premiums (see `math::put_premium`).
    PricingSettings / StoredPricingSettings, padding 6 {
        /// Spot haircut in multiples of the oracle confidence, bps.
        conf_multiplier_bps: u32,
        /// Premium multiplier, bps (>= 10_000).
        tail_loading_bps: u32,
        /// Premium floor per unit of collateral, `PRICE_SCALE` (1e-12).
        min_premium: u64,
        /// Continuously compounded annual rate, `PARAM_SCALE` (1e-9).
        rate: i64,
        /// Writes are refused when the update's `conf / price` exceeds this, bps
        /// (`1..=oracle.max_conf_bps`).
        write_conf_bps: u16,
    }
}

settings_pair! {
    /// Limits on how fast capital is released, and the keeper's reward.
    ReleaseSettings / StoredReleaseSettings, padding 4 {
        /// Quote base units releasable per epoch (across all series of the vault).
        cap_per_epoch: u64,
        /// Quote base units paid from the uncommitted reserve to whoever cranks a release step.
        keeper_tip: u64,
        /// Least quote base units a step must release to earn the tip (`>= keeper_tip`).
        min_tip_release: u64,
        /// Epoch length, seconds.
        epoch_secs: u32,
        /// A series steps at most once per this many seconds.
        release_interval_secs: u32,
        /// Writes close this many seconds before expiry (`>= persistence + max_age`).
        write_cutoff_secs: u32,
    }
}

/// Breach observation state: Healthy (`first_seen == 0`), Pending, Confirmed.
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct BreachState {
    /// Publish time of the update that first showed the current breach; 0 when healthy.
    pub first_seen: i64,
    /// The cluster clock when the breach was first seen: confirmation also needs the chain's
    /// own clock to move `persistence_secs`, so updates shown together never confirm.
    pub first_seen_clock: i64,
    /// Unix time the breach was confirmed; 0 when not confirmed.
    pub confirmed_at: i64,
    /// Unix time of the latest observation.
    pub last_observed: i64,
    /// Publish time of the latest observed stablecoin (depeg feed) update.
    pub depeg_last_observed: i64,
    /// Publish time of the latest breached observation: a breach not re-observed within
    /// `persistence + max_age` of it is over.
    pub last_breached: i64,
}

impl LastPrice {
    /// Moves to `price` at `publish_time` unless an update already recorded is newer.
    pub fn advance(&mut self, price: u64, publish_time: i64) {
        if publish_time >= self.publish_time {
            *self = LastPrice {
                price,
                publish_time,
            };
        }
    }
}

/// Settings the vault authority proposed, applied by the same call once `effective_at` has
/// passed (a timelock: writers and the protocol's own governance see every change coming).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PendingSettings {
    pub trigger: TriggerSettings,
    pub pricing: PricingSettings,
    pub release: ReleaseSettings,
    pub settings_timelock_secs: u32,
    /// Unix time from which the proposal may be applied; 0 = nothing pending.
    pub effective_at: i64,
}

/// [`PendingSettings`] as the zero-copy vault stores it.
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct StoredPendingSettings {
    pub trigger: StoredTriggerSettings,
    pub pricing: StoredPricingSettings,
    pub release: StoredReleaseSettings,
    pub settings_timelock_secs: u32,
    /// Zero (explicit `repr(C)` padding).
    pub padding: [u8; 4],
    /// Unix time from which the proposal may be applied; 0 = nothing pending.
    pub effective_at: i64,
}

impl From<PendingSettings> for StoredPendingSettings {
    fn from(p: PendingSettings) -> Self {
        Self {
            trigger: p.trigger.into(),
            pricing: p.pricing.into(),
            release: p.release.into(),
            settings_timelock_secs: p.settings_timelock_secs,
            padding: [0; 4],
            effective_at: p.effective_at,
        }
    }
}

impl From<StoredPendingSettings> for PendingSettings {
    fn from(p: StoredPendingSettings) -> Self {
        Self {
            trigger: p.trigger.into(),
            pricing: p.pricing.into(),
            release: p.release.into(),
            settings_timelock_secs: p.settings_timelock_secs,
            effective_at: p.effective_at,
        }
    }
}

/// The last collateral price the vault observed (or a write read): the settlement price of
/// last resort.
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LastPrice {
    /// `PRICE_SCALE` (1e-12); `price + conf` when the update was wider than the cap; 0 when
    /// the vault never read a price (a read price is always positive).
    pub price: u64,
    pub publish_time: i64,
}

/// The protected protocol's latest self-report.
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SolvencyReport {
    /// Collateral held, collateral base units.
    pub collateral_amount: u64,
    /// Liabilities, quote base units.
    pub liabilities: u64,
    pub reported_at: i64,
}

/// Public strength of the backstop, all in quote base units.
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct VaultTotals {
    /// Reserve the open series may still spend on premiums.
    pub committed_premium: u64,
    /// Premiums paid to writers, all time.
    pub premium_paid: u64,
    /// Capital released to the recovery account, all time (breach releases and expiry payouts).
    pub released: u64,
    /// Writers' capital currently in escrow across series: the coverage.
    pub escrowed: u64,
    /// Keeper tips paid, all time.
    pub tips_paid: u64,
}

/// What of the reserve account's balance no open series has been promised: the most a
/// withdrawal, a new series' budget or a keeper tip may take.
pub fn uncommitted_reserve(reserve: u64, committed_premium: u64) -> u64 {
    reserve.saturating_sub(committed_premium)
}

/// One backstop: one protected protocol, one collateral feed, one quote mint.
/// Seeds: `["vault", authority, quote_mint, collateral_feed]`.
/// Zero-copy: instructions borrow it in place instead of copying 1 KiB through the 4 KiB stack
/// frame. `repr(C)` with every padding byte a named zero field, so the IDL (and the generated
/// client, which decodes field by field) describes the bytes exactly.
#[account(zero_copy)]
#[derive(Debug, PartialEq, Eq)]
pub struct Vault {
    pub authority: Pubkey,
    pub reporter: Pubkey,
    pub risk_authority: Pubkey,
    pub quote_mint: Pubkey,
    /// Token account (quote mint) that receives released capital.
    pub recovery: Pubkey,
    /// PDA token account holding the premium reserve.
    pub reserve: Pubkey,
    pub oracle: StoredOracleSettings,
    pub trigger: StoredTriggerSettings,
    pub pricing: StoredPricingSettings,
    pub release: StoredReleaseSettings,
    pub breach: BreachState,
    pub report: SolvencyReport,
    pub totals: VaultTotals,
    /// Highest recorded collateral prices per time bucket: the held price of release steps.
    pub window: PriceWindow,
    pub last_price: LastPrice,
    pub pending_settings: StoredPendingSettings,
    /// Start of the current release epoch and what it has released.
    pub epoch_start: i64,
    pub released_in_epoch: u64,
    pub series_count: u32,
    /// Delay between proposing and applying new settings (`update_vault_settings`).
    pub settings_timelock_secs: u32,
    pub quote_decimals: u8,
    pub collateral_decimals: u8,
    pub bump: u8,
    pub reserve_bump: u8,
    /// Zero (explicit `repr(C)` padding).
    pub padding: [u8; 4],
    /// SPL mint of the collateral, for physical delivery series (default: cash series only).
    pub collateral_mint: Pubkey,
    /// Room for later fields without a migration.
    pub reserved: [u8; 96],
}

const _: () = {
    use core::mem::{align_of, offset_of, size_of};
    assert!(size_of::<StoredOracleSettings>() == 168);
    assert!(size_of::<StoredTriggerSettings>() == 40);
    assert!(size_of::<StoredPricingSettings>() == 32);
    assert!(size_of::<StoredReleaseSettings>() == 40);
    assert!(size_of::<BreachState>() == 48);
    assert!(size_of::<SolvencyReport>() == 24);
    assert!(size_of::<VaultTotals>() == 40);
    assert!(size_of::<LastPrice>() == 16);
    assert!(size_of::<StoredPendingSettings>() == 128);
    assert!(size_of::<PriceWindow>() == 168);
    assert!(size_of::<Vault>() == 1056 && align_of::<Vault>() == 8);
    assert!(offset_of!(Vault, recovery) == 128 && offset_of!(Vault, oracle) == 192);
    assert!(offset_of!(Vault, collateral_mint) == 928 && offset_of!(Vault, reserved) == 960);
    assert!(Vault::SPACE == 1064);
};

impl Vault {
    pub const SPACE: usize = 8 + core::mem::size_of::<Vault>();

    /// A breach is pending or confirmed and was re-observed recently enough to count at `now`.
    pub fn breach_active(&self, now: i64) -> bool {
        self.breach.active(now, self.breach_max_gap())
    }

    /// A confirmed breach that has not expired at `now`.
    pub fn breach_confirmed(&self, now: i64) -> bool {
        self.breach_active(now) && self.breach.confirmed_at != 0
    }

    /// Longest gap between two breached observations that keeps a breach going: one
    /// persistence window plus the oldest accepted update.
    pub fn breach_max_gap(&self) -> i64 {
        i64::from(self.trigger.persistence_secs).saturating_add(i64::from(self.oracle.max_age_secs))
    }

    /// Span of the held-price window: `2 x persistence + max_age`, so the window always reaches
    /// a breached observation at least one persistence before its anchor.
    pub fn held_span(&self) -> i64 {
        i64::from(self.trigger.persistence_secs)
            .saturating_mul(2)
            .saturating_add(i64::from(self.oracle.max_age_secs))
    }

    /// The price the current breach held at: the highest price recorded over the window
    /// ending at the latest observation. Anchored at the newest recorded bucket, the window never
    /// needs a ring slot a newer bucket reused.
    pub fn held_price(&self) -> Option<u64> {
        self.window
            .high(self.breach.last_observed, self.held_span())
    }

    /// How to read the collateral feed.
    pub fn collateral_oracle(&self) -> crate::oracle::OracleConfig {
        self.oracle_config(
            self.oracle.collateral_feed,
            self.oracle.collateral_price_account,
        )
    }

    /// How to read the stablecoin feed (joint depeg trigger).
    pub fn depeg_oracle(&self) -> crate::oracle::OracleConfig {
        self.oracle_config(self.oracle.depeg_feed, self.oracle.depeg_price_account)
    }

    fn oracle_config(
        &self,
        feed_id: [u8; 32],
        price_account: Pubkey,
    ) -> crate::oracle::OracleConfig {
        crate::oracle::OracleConfig {
            receiver: self.oracle.receiver,
            feed_id,
            price_account,
            max_conf_bps: u64::from(self.oracle.max_conf_bps),
        }
    }

    /// What signs for the vault PDA (reserve transfers, holder accounts), copied out so no
    /// borrow of the vault is alive during the CPI (the runtime borrows every account it passes).
    pub fn signer(&self) -> VaultSigner {
        VaultSigner {
            authority: self.authority,
            quote_mint: self.quote_mint,
            collateral_feed: self.oracle.collateral_feed,
            bump: [self.bump],
        }
    }
}

/// The vault PDA's seeds, owned.
pub struct VaultSigner {
    authority: Pubkey,
    quote_mint: Pubkey,
    collateral_feed: [u8; 32],
    bump: [u8; 1],
}

impl VaultSigner {
    pub fn seeds(&self) -> [&[u8]; 5] {
        [
            VAULT_SEED,
            self.authority.as_ref(),
            self.quote_mint.as_ref(),
            self.collateral_feed.as_ref(),
            &self.bump,
        ]
    }
}

/// What one observation did to the breach state.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreachTransition {
    /// Healthy before and after.
    StillHealthy,
    /// First breached observation: the persistence clock starts.
    Started,
    /// Breached again, but not yet `persistence_secs` after the first sighting.
    StillPending,
    /// Breached `persistence_secs` or more after the first sighting: confirmed now.
    Confirmed,
    /// Breached and already confirmed.
    StillConfirmed,
    /// A healthy observation ended a pending or confirmed breach.
    Cleared,
    /// The observation decided nothing (a stale, wide or missing feed): no change.
    NoInformation,
    /// An undecided observation found the breach not re-observed for too long: it is over.
    Expired,
}

/// Three-valued verdict of a trigger (or of all of them) on one observation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Healthy,
    Breached,
    /// Not enough information to say (a failing feed, or a band straddling the level).
    Unknown,
}

impl Verdict {
    /// Kleene "or": breached if either is, healthy only if both are.
    pub fn or(self, other: Verdict) -> Verdict {
        match (self, other) {
            (Verdict::Breached, _) | (_, Verdict::Breached) => Verdict::Breached,
            (Verdict::Healthy, Verdict::Healthy) => Verdict::Healthy,
            _ => Verdict::Unknown,
        }
    }

    /// Kleene "and": healthy if either is, breached only if both are.
    pub fn and(self, other: Verdict) -> Verdict {
        match (self, other) {
            (Verdict::Healthy, _) | (_, Verdict::Healthy) => Verdict::Healthy,
            (Verdict::Breached, Verdict::Breached) => Verdict::Breached,
            _ => Verdict::Unknown,
        }
    }
}

/// One look at the triggers: the update's publish time, the cluster clock, and the verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Observation {
    pub publish_time: i64,
    pub clock: i64,
    pub verdict: Verdict,
}

impl BreachState {
    /// A breach is pending or confirmed and its latest breached observation is no more than
    /// `max_gap_secs` before `now` (cluster clock).
    pub fn active(&self, now: i64, max_gap_secs: i64) -> bool {
        self.first_seen != 0 && now.saturating_sub(self.last_breached) <= max_gap_secs
    }

    fn clear(&mut self) {
        self.first_seen = 0;
        self.first_seen_clock = 0;
        self.confirmed_at = 0;
    }

    /// Forgets the breach entirely (new trigger rules: a breach seen under others does not
    /// count).
    pub fn restart(&mut self) {
        self.clear();
        self.last_breached = 0;
    }

    /// Records one observation. A breach counts only when it is seen again at least
    /// `persistence_secs` after it was first seen, by publish time and by the cluster clock,
    /// with no healthy observation in between and no gap longer than `max_gap_secs` between
    /// two breached observations (a price that recovered while nobody looked restarts the
    /// clock). An unknown observation changes nothing, except that it ends a breach whose
    /// latest breached observation is more than `max_gap_secs` old.
    pub fn observe(
        &mut self,
        o: Observation,
        persistence_secs: u32,
        max_gap_secs: i64,
    ) -> BreachTransition {
        let gap = o.publish_time.saturating_sub(self.last_breached);
        self.last_observed = o.publish_time;
        let was_breached = self.first_seen != 0;
        match o.verdict {
            Verdict::Healthy => {
                self.clear();
                if was_breached {
                    BreachTransition::Cleared
                } else {
                    BreachTransition::StillHealthy
                }
            }
            Verdict::Unknown => {
                if was_breached && gap > max_gap_secs {
                    self.clear();
                    BreachTransition::Expired
                } else {
                    BreachTransition::NoInformation
                }
            }
            Verdict::Breached => {
                self.last_breached = o.publish_time;
                if !was_breached || gap > max_gap_secs {
                    self.clear();
                    self.first_seen = o.publish_time;
                    self.first_seen_clock = o.clock;
                    return BreachTransition::Started;
                }
                if self.confirmed_at != 0 {
                    return BreachTransition::StillConfirmed;
                }
                let persistence = i64::from(persistence_secs);
                let by_publish = o.publish_time.saturating_sub(self.first_seen) >= persistence;
                let by_clock = o.clock.saturating_sub(self.first_seen_clock) >= persistence;
                if by_publish && by_clock {
                    self.confirmed_at = o.publish_time;
                    BreachTransition::Confirmed
                } else {
                    BreachTransition::StillPending
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: u32 = 60;
    const GAP: i64 = 120;

    /// An observation whose publish time and clock agree.
    fn at(t: i64, breached: bool) -> Observation {
        Observation {
            publish_time: t,
            clock: t,
            verdict: if breached {
                Verdict::Breached
            } else {
                Verdict::Healthy
            },
        }
    }

    fn unknown(t: i64) -> Observation {
        Observation {
            publish_time: t,
            clock: t,
            verdict: Verdict::Unknown,
        }
    }

    #[test]
    fn a_single_spike_never_confirms() {
        let mut b = BreachState::default();
        assert_eq!(b.observe(at(100, true), P, GAP), BreachTransition::Started);
        assert_eq!(b.observe(at(130, false), P, GAP), BreachTransition::Cleared);
        assert_eq!(b.observe(at(200, true), P, GAP), BreachTransition::Started);
        assert_eq!(
            b.observe(at(259, true), P, GAP),
            BreachTransition::StillPending
        );
        assert_eq!(b.confirmed_at, 0);
    }

    #[test]
    fn a_persistent_breach_confirms_once_and_clears_on_recovery() {
        let mut b = BreachState::default();
        assert_eq!(b.observe(at(100, true), P, GAP), BreachTransition::Started);
        assert_eq!(
            b.observe(at(160, true), P, GAP),
            BreachTransition::Confirmed
        );
        assert_eq!(b.confirmed_at, 160);
        assert_eq!(
            b.observe(at(170, true), P, GAP),
            BreachTransition::StillConfirmed
        );
        assert_eq!(b.observe(at(180, false), P, GAP), BreachTransition::Cleared);
        assert_eq!((b.first_seen, b.confirmed_at, b.last_observed), (0, 0, 180));
        assert_eq!(
            b.observe(at(190, false), P, GAP),
            BreachTransition::StillHealthy
        );
    }

    #[test]
    fn spike_silence_spike_restarts_instead_of_confirming() {
        let mut b = BreachState::default();
        assert_eq!(b.observe(at(100, true), P, GAP), BreachTransition::Started);
        // Nobody looked for a day: the price may have recovered in between.
        assert_eq!(
            b.observe(at(86_500, true), P, GAP),
            BreachTransition::Started
        );
        assert_eq!(b.first_seen, 86_500);
        assert_eq!(
            b.observe(at(86_560, true), P, GAP),
            BreachTransition::Confirmed
        );
    }

    #[test]
    fn updates_shown_in_one_transaction_never_confirm() {
        // Two updates 60 s apart by publish time, both shown at clock 1_000.
        let mut b = BreachState::default();
        let first = Observation {
            publish_time: 940,
            clock: 1_000,
            verdict: Verdict::Breached,
        };
        let second = Observation {
            publish_time: 1_000,
            clock: 1_000,
            verdict: Verdict::Breached,
        };
        assert_eq!(b.observe(first, P, GAP), BreachTransition::Started);
        assert_eq!(b.observe(second, P, GAP), BreachTransition::StillPending);
        let later = Observation {
            publish_time: 1_060,
            clock: 1_060,
            verdict: Verdict::Breached,
        };
        assert_eq!(b.observe(later, P, GAP), BreachTransition::Confirmed);
    }

    #[test]
    fn same_second_observations_do_not_confirm() {
        let mut b = BreachState::default();
        b.observe(at(100, true), 30, GAP);
        assert_eq!(
            b.observe(at(100, true), 30, GAP),
            BreachTransition::StillPending
        );
    }

    #[test]
    fn unknown_observations_neither_start_confirm_nor_clear() {
        let mut b = BreachState::default();
        assert_eq!(
            b.observe(unknown(50), P, GAP),
            BreachTransition::NoInformation
        );
        assert_eq!(b.first_seen, 0);
        assert_eq!(b.observe(at(100, true), P, GAP), BreachTransition::Started);
        assert_eq!(
            b.observe(unknown(170), P, GAP),
            BreachTransition::NoInformation
        );
        assert_eq!(b.confirmed_at, 0);
        assert_eq!(
            b.observe(at(180, true), P, GAP),
            BreachTransition::Confirmed
        );
        assert_eq!(
            b.observe(unknown(250), P, GAP),
            BreachTransition::NoInformation
        );
        assert!(b.active(250, GAP));
        // Not re-observed within the gap: an undecided look ends it, and so does the clock.
        assert!(!b.active(301, GAP));
        assert_eq!(b.observe(unknown(301), P, GAP), BreachTransition::Expired);
        assert_eq!((b.first_seen, b.confirmed_at), (0, 0));
    }

    #[test]
    fn a_confirmed_breach_seen_again_after_the_gap_starts_over() {
        let mut b = BreachState::default();
        b.observe(at(100, true), P, GAP);
        assert_eq!(
            b.observe(at(160, true), P, GAP),
            BreachTransition::Confirmed
        );
        assert_eq!(b.observe(at(400, true), P, GAP), BreachTransition::Started);
        assert_eq!((b.first_seen, b.confirmed_at), (400, 0));
    }

    #[test]
    fn kleene_logic() {
        use Verdict::*;
        assert_eq!(Unknown.or(Breached), Breached);
        assert_eq!(Unknown.or(Healthy), Unknown);
        assert_eq!(Healthy.or(Healthy), Healthy);
        assert_eq!(Unknown.and(Healthy), Healthy);
        assert_eq!(Unknown.and(Breached), Unknown);
        assert_eq!(Breached.and(Breached), Breached);
    }
}
