//! Solvency observation: evaluates a vault's triggers on validated prices and feeds the
//! result into its breach state machine.
use anchor_lang::prelude::*;

use crate::{
    errors::BackstopError,
    oracle::{self, Freshness, OraclePrice},
    state::{BreachTransition, Observation, Vault},
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

/// Whether any enabled trigger is breached at these prices.
pub fn is_breached(
    vault: &Vault,
    collateral: &OraclePrice,
    depeg: Option<&OraclePrice>,
) -> Result<bool> {
    let t = &vault.trigger;
    if t.barrier_price > 0 && collateral.price <= t.barrier_price {
        return Ok(true);
    }
    if t.ratio_threshold_bps > 0 && vault.report.liabilities > 0 {
        let age = collateral
            .publish_time
            .saturating_sub(vault.report.reported_at);
        if age <= i64::from(t.max_report_age_secs)
            && solvency_ratio_bps(vault, collateral.price)? < u64::from(t.ratio_threshold_bps)
        {
            return Ok(true);
        }
    }
    if t.joint_collateral_price > 0 && t.depeg_price > 0 {
        let depeg = depeg.ok_or(BackstopError::DepegPriceMissing)?;
        if collateral.price <= t.joint_collateral_price && depeg.price <= t.depeg_price {
            return Ok(true);
        }
    }
    Ok(false)
}

fn read(vault: &Vault, account: &AccountInfo, feed_id: [u8; 32], now: i64) -> Result<OraclePrice> {
    oracle::read_price(
        account,
        &vault.oracle_config(feed_id),
        Freshness::MaxAge {
            now,
            max_age_secs: i64::from(vault.oracle.max_age_secs),
        },
    )
}

/// Reads the collateral price (and the stablecoin price when the joint trigger is on), checks
/// the update is not older than the last observed one, and records the observation.
pub fn observe(
    vault: &mut Vault,
    collateral_account: &AccountInfo,
    depeg_account: Option<&AccountInfo>,
    now: i64,
) -> Result<(OraclePrice, BreachTransition)> {
    let collateral = read(vault, collateral_account, vault.oracle.collateral_feed, now)?;
    let joint = vault.trigger.joint_collateral_price > 0 && vault.trigger.depeg_price > 0;
    let depeg = match (joint, depeg_account) {
        (true, Some(account)) => Some(read(vault, account, vault.oracle.depeg_feed, now)?),
        (true, None) => return err!(BackstopError::DepegPriceMissing),
        (false, _) => None,
    };
    require!(
        collateral.publish_time >= vault.breach.last_observed,
        BackstopError::OracleOutdated
    );
    if let Some(d) = &depeg {
        require!(
            d.publish_time >= vault.breach.depeg_last_observed,
            BackstopError::OracleOutdated
        );
        vault.breach.depeg_last_observed = d.publish_time;
    }
    let breached = is_breached(vault, &collateral, depeg.as_ref())?;
    let max_gap = vault.breach_max_gap();
    let transition = vault.breach.observe(
        Observation {
            publish_time: collateral.publish_time,
            clock: now,
            breached,
        },
        vault.trigger.persistence_secs,
        max_gap,
    );
    Ok((collateral, transition))
}
