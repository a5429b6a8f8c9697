use anchor_lang::prelude::*;
use anchor_spl::token::{self, Burn, Mint, Token, TokenAccount, TransferChecked};

use crate::{
    constants::SETTLEMENT_GRACE_SECS,
    errors::BackstopError,
    events::{SeriesSettled, SettlementCandidate},
    oracle::{self, Freshness, OraclePrice},
    state::{Series, SeriesStatus, Vault},
    units,
};

/// Permissionless cash settlement at expiry `T`. The price is the first Pyth update published
/// at or after `T`: an update with `prev_publish_time < T <= publish_time` settles at once.
/// Until `T + SETTLEMENT_GRACE_SECS` any later update is only recorded as a candidate when it
/// is earlier than the current one, so no caller can pick a later price than one already
/// shown; after the grace period the earliest candidate is final, or, if none was ever shown,
/// a fresh update settles. Never paused.
#[event_cpi]
#[derive(Accounts)]
pub struct SettleSeries<'info> {
    #[account(
        mut,
        dup,
        has_one = recovery @ BackstopError::WrongRecoveryAccount,
        has_one = quote_mint @ BackstopError::WrongMint,
        constraint = crate::guards::distinct(&[vault.key(), series.key(), escrow.key(), put_mint.key(), holder.key(), recovery.key()]) @ BackstopError::DuplicateMutableAccount,
    )]
    pub vault: Box<Account<'info, Vault>>,

    #[account(
        mut,
        dup,
        has_one = vault @ BackstopError::WrongVault,
        has_one = escrow @ BackstopError::WrongSeriesAccount,
        has_one = put_mint @ BackstopError::WrongSeriesAccount,
        has_one = holder @ BackstopError::WrongSeriesAccount,
    )]
    pub series: Box<Account<'info, Series>>,

    #[account(mut, dup)]
    pub escrow: Box<Account<'info, TokenAccount>>,
    #[account(mut, dup)]
    pub put_mint: Box<Account<'info, Mint>>,
    #[account(mut, dup)]
    pub holder: Box<Account<'info, TokenAccount>>,
    #[account(mut, dup)]
    pub recovery: Box<Account<'info, TokenAccount>>,

    /// CHECK: the collateral `PriceUpdateV2`, validated by `oracle::read_price`.
    pub price_update: UncheckedAccount<'info>,

    pub quote_mint: Box<Account<'info, Mint>>,
    pub token_program: Program<'info, Token>,
}

/// What the update shown does to the settlement.
enum Outcome {
    /// Settle now at this price and publish time.
    Final(u64, i64),
    /// Recorded as the earliest candidate so far.
    Candidate(u64, i64),
}

fn decide(series: &Series, update: &OraclePrice, now: i64, max_age: i64) -> Result<Outcome> {
    let expiry = series.expiry;
    require!(
        update.publish_time >= expiry,
        BackstopError::SettlementPriceTooEarly
    );
    if update.prev_publish_time < expiry {
        return Ok(Outcome::Final(update.price, update.publish_time));
    }
    let grace_end = expiry
        .checked_add(SETTLEMENT_GRACE_SECS)
        .ok_or(BackstopError::MathOverflow)?;
    let has_candidate = series.settlement_publish_time != 0;
    if now < grace_end {
        if !has_candidate || update.publish_time < series.settlement_publish_time {
            return Ok(Outcome::Candidate(update.price, update.publish_time));
        }
        return Ok(Outcome::Candidate(
            series.settlement_price,
            series.settlement_publish_time,
        ));
    }
    if has_candidate {
        return Ok(Outcome::Final(
            series.settlement_price,
            series.settlement_publish_time,
        ));
    }
    let oldest = now
        .checked_sub(max_age)
        .ok_or(BackstopError::MathOverflow)?;
    require!(
        update.publish_time >= oldest,
        BackstopError::SettlementPriceStale
    );
    Ok(Outcome::Final(update.price, update.publish_time))
}

/// `(unexercised, payout)` at expiry: the units no release exercised, paid their intrinsic value
/// at the settlement `price` (`PRICE_SCALE`), rounded down. `strike` is in quote base units.
pub fn settlement_payout(
    strike: u64,
    price: u64,
    written_size: u64,
    exercised_size: u64,
    collateral_decimals: u8,
    quote_decimals: u8,
) -> Result<(u64, u64)> {
    let strike = units::strike_to_price(strike, quote_decimals)?;
    let unexercised = written_size
        .checked_sub(exercised_size)
        .ok_or(BackstopError::MathOverflow)?;
    let payout = units::intrinsic_for(
        strike,
        price,
        unexercised,
        collateral_decimals,
        quote_decimals,
    )?;
    Ok((unexercised, payout))
}

pub fn handler(ctx: Context<SettleSeries>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    require!(
        a.series.status == SeriesStatus::Open,
        BackstopError::SeriesNotOpen
    );
    require!(now >= a.series.expiry, BackstopError::SeriesNotExpired);
    let update = oracle::read_price(
        &a.price_update,
        &a.vault.oracle_config(a.vault.oracle.collateral_feed),
        Freshness::Window,
    )?;
    let (price, publish_time) = match decide(
        &a.series,
        &update,
        now,
        i64::from(a.vault.oracle.max_age_secs),
    )? {
        Outcome::Candidate(price, publish_time) => {
            let series = &mut ctx.accounts.series;
            series.settlement_price = price;
            series.settlement_publish_time = publish_time;
            let event = SettlementCandidate {
                series: series.key(),
                price,
                publish_time,
            };
            emit_cpi!(event);
            return Ok(());
        }
        Outcome::Final(price, publish_time) => (price, publish_time),
    };

    let series = &a.series;
    let vault = &a.vault;
    let (unexercised, payout) = settlement_payout(
        series.strike,
        price,
        series.written_size,
        series.exercised_size,
        vault.collateral_decimals,
        vault.quote_decimals,
    )?;
    let (strike_le, expiry_le) = (series.strike.to_le_bytes(), series.expiry.to_le_bytes());
    let series_seeds = series.signer_seeds(&strike_le, &expiry_le);
    if payout > 0 {
        token::transfer_checked(
            CpiContext::new_with_signer(
                a.token_program.key(),
                TransferChecked {
                    from: a.escrow.to_account_info(),
                    mint: a.quote_mint.to_account_info(),
                    to: a.recovery.to_account_info(),
                    authority: series.to_account_info(),
                },
                &[&series_seeds],
            ),
            payout,
            a.quote_mint.decimals,
        )?;
    }
    if unexercised > 0 {
        let vault_seeds = vault.signer_seeds();
        token::burn(
            CpiContext::new_with_signer(
                a.token_program.key(),
                Burn {
                    mint: a.put_mint.to_account_info(),
                    from: a.holder.to_account_info(),
                    authority: vault.to_account_info(),
                },
                &[&vault_seeds],
            ),
            unexercised,
        )?;
    }

    let series = &mut ctx.accounts.series;
    series.payout_total = series
        .payout_total
        .checked_add(payout)
        .ok_or(BackstopError::MathOverflow)?;
    series.settlement_price = price;
    series.settlement_publish_time = publish_time;
    series.status = SeriesStatus::Settled;
    let budget_left = series
        .premium_budget
        .checked_sub(series.premium_paid)
        .ok_or(BackstopError::MathOverflow)?;
    let series_key = series.key();
    let vault = &mut ctx.accounts.vault;
    let t = &mut vault.totals;
    t.released = t
        .released
        .checked_add(payout)
        .ok_or(BackstopError::MathOverflow)?;
    t.escrowed = t
        .escrowed
        .checked_sub(payout)
        .ok_or(BackstopError::MathOverflow)?;
    t.committed_premium = t
        .committed_premium
        .checked_sub(budget_left)
        .ok_or(BackstopError::MathOverflow)?;
    let event = SeriesSettled {
        vault: vault.key(),
        series: series_key,
        price,
        publish_time,
        units: unexercised,
        payout,
        budget_released: budget_left,
    };
    emit_cpi!(event);
    Ok(())
}
