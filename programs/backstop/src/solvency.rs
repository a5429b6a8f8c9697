//! Solvency observation: evaluates a vault's triggers on validated prices and feeds the
//! result into its breach state machine.
use anchor_lang::prelude::*;

use crate::{
    errors::BackstopError,
    oracle::{self, OracleConfig, OraclePrice, Reading},
    state::{BreachTransition, Observation, Vault, Verdict},
    units,
};

/// Collateral value / liabilities, in bps: `ceil(amount * price / 10^(cd + 12 - qd)) * 10_000 /
/// liabilities`, rounded down.
pub fn solvency_ratio_bps(vault: &Vault, collateral_price: u64) -> Result<u64> {
    let r = &vault.report;
    require!(r.liabilities > 0, BackstopError::InvalidSolvencyReport);
    // Collateral value in quote base units, rounded up: a higher ratio never releases escrow
    // early. amount * price < 2^128, so only the scaling can be out of range.
    let value = u128::from(r.collateral_amount)
        .checked_mul(u128::from(collateral_price))
        .ok_or(BackstopError::MathOverflow)?
        .div_ceil(units::quote_scale(
            vault.collateral_decimals,
            vault.quote_decimals,
        )?);
    // A value too large to scale by 10_000 is a ratio beyond u64 for any u64 liabilities.
    let ratio = value
        .checked_mul(10_000)
        .and_then(|v| v.checked_div(u128::from(r.liabilities)))
        .unwrap_or(u128::MAX);
    Ok(u64::try_from(ratio).unwrap_or(u64::MAX))
}

/// `price <= level` on a band: breached at the top of the band, healthy at the bottom.
fn at_or_below(band: (u64, u64), level: u64) -> Verdict {
    let (low, high) = band;
    if high <= level {
        Verdict::Breached
    } else if low > level {
        Verdict::Healthy
    } else {
        Verdict::Unknown
    }
}

/// The verdict of every enabled trigger on a collateral band and, for the joint trigger, the
/// stablecoin band (`None`: that feed gave no information).
pub fn verdict(
    vault: &Vault,
    collateral: (u64, u64),
    publish_time: i64,
    depeg: Option<(u64, u64)>,
) -> Result<Verdict> {
    let t = &vault.trigger;
    let mut verdict = Verdict::Healthy;
    if t.barrier_price > 0 {
        verdict = verdict.or(at_or_below(collateral, t.barrier_price));
    }
    if t.ratio_threshold_bps > 0 && vault.report.liabilities > 0 {
        let age = publish_time.saturating_sub(vault.report.reported_at);
        if age <= i64::from(t.max_report_age_secs) {
            let threshold = u64::from(t.ratio_threshold_bps);
            // The ratio grows with the price: breached if below at the top of the band.
            let (low, high) = collateral;
            let leg = if solvency_ratio_bps(vault, high)? < threshold {
                Verdict::Breached
            } else if solvency_ratio_bps(vault, low)? >= threshold {
                Verdict::Healthy
            } else {
                Verdict::Unknown
            };
            verdict = verdict.or(leg);
        }
    }
    if t.joint_collateral_price > 0 && t.depeg_price > 0 {
        let collateral_leg = at_or_below(collateral, t.joint_collateral_price);
        let depeg_leg = depeg.map_or(Verdict::Unknown, |d| at_or_below(d, t.depeg_price));
        verdict = verdict.or(collateral_leg.and(depeg_leg));
    }
    Ok(verdict)
}

fn reading(
    vault: &Vault,
    account: &AccountInfo,
    config: &OracleConfig,
    now: i64,
) -> Result<Reading> {
    oracle::read_reading(account, config, now, i64::from(vault.oracle.max_age_secs))
}

/// What one observation saw and did.
pub struct Observed {
    /// The collateral price read, `None` when the feed gave no information.
    pub price: Option<OraclePrice>,
    /// What the observation recorded for the window (`price`, or `price + conf` when wide).
    pub recorded: u64,
    pub transition: BreachTransition,
}

/// The stablecoin band for the joint trigger, or `None` when it gives no information: not
/// passed, stale, non-positive, or older than one already observed.
fn depeg_band(
    vault: &mut Vault,
    account: Option<&AccountInfo>,
    now: i64,
) -> Result<Option<(u64, u64)>> {
    let Some(account) = account else {
        return Ok(None);
    };
    let Reading::Price { price, wide } = reading(vault, account, &vault.depeg_oracle(), now)?
    else {
        return Ok(None);
    };
    if price.publish_time < vault.breach.depeg_last_observed {
        return Ok(None);
    }
    vault.breach.depeg_last_observed = price.publish_time;
    Ok(Some(price.band(wide)))
}

/// Reads the collateral price (and the stablecoin price when the joint trigger is on), checks
/// the update is not older than the last observed one, records it in the price window and
/// feeds the verdict to the breach state machine. A stressed feed never makes it fail: a stale
/// collateral update records nothing, a failing stablecoin feed leaves only the joint trigger
/// undecided.
pub fn observe(
    vault: &mut Vault,
    collateral_account: &AccountInfo,
    depeg_account: Option<&AccountInfo>,
    now: i64,
) -> Result<Observed> {
    let Reading::Price {
        price: collateral,
        wide,
    } = reading(vault, collateral_account, &vault.collateral_oracle(), now)?
    else {
        return Ok(Observed {
            price: None,
            recorded: 0,
            transition: BreachTransition::NoInformation,
        });
    };
    require!(
        collateral.publish_time >= vault.breach.last_observed,
        BackstopError::OracleOutdated
    );
    let joint = vault.trigger.joint_collateral_price > 0 && vault.trigger.depeg_price > 0;
    let depeg = if joint {
        depeg_band(vault, depeg_account, now)?
    } else {
        None
    };
    record(vault, collateral, wide, depeg, now)
}

/// The pure part of [`observe`] (property-tested): records a validated collateral price (and
/// the stablecoin band, `None` when that feed says nothing) in the price window, the last price
/// and the breach state machine.
pub fn record(
    vault: &mut Vault,
    collateral: OraclePrice,
    wide: bool,
    depeg: Option<(u64, u64)>,
    now: i64,
) -> Result<Observed> {
    let band = collateral.band(wide);
    let verdict = verdict(vault, band, collateral.publish_time, depeg)?;
    // The window keeps the top of the band: a step never pays at a price below what was seen.
    let recorded = band.1;
    let span = vault.held_span();
    vault.window.record(collateral.publish_time, recorded, span);
    vault.last_price.advance(recorded, collateral.publish_time);
    let max_gap = vault.breach_max_gap();
    let transition = vault.breach.observe(
        Observation {
            publish_time: collateral.publish_time,
            clock: now,
            verdict,
        },
        vault.trigger.persistence_secs,
        max_gap,
    );
    Ok(Observed {
        price: Some(collateral),
        recorded,
        transition,
    })
}
