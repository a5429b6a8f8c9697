use anchor_lang::prelude::*;
use anchor_spl::token::TokenAccount;

use crate::{
    errors::BackstopError,
    instructions::try_release::{attempt, ReleaseOutcome, ReleaseStatus},
    state::{Series, Vault},
};

/// Read-only: what `try_release` (or `trigger`) by `caller` would do now — simulate it, or call
/// it by CPI before a liquidation. It observes the price on a copy and writes nothing.
#[derive(Accounts)]
pub struct ReleaseStatusView<'info> {
    #[account(has_one = reserve @ BackstopError::WrongReserveAccount)]
    pub vault: AccountLoader<'info, Vault>,

    #[account(has_one = vault @ BackstopError::WrongVault)]
    pub series: Box<Account<'info, Series>>,

    pub reserve: Box<Account<'info, TokenAccount>>,

    /// CHECK: the collateral `PriceUpdateV2`, validated by `oracle::read_reading`.
    pub price_update: UncheckedAccount<'info>,

    /// CHECK: the stablecoin `PriceUpdateV2` (joint depeg trigger only), validated likewise.
    pub depeg_price_update: Option<UncheckedAccount<'info>>,
}

pub fn handler(ctx: Context<ReleaseStatusView>, caller: Pubkey) -> Result<ReleaseOutcome> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let depeg = a.depeg_price_update.as_ref().map(|d| d.to_account_info());
    let attempt = attempt(
        &*a.vault.load()?,
        &a.series,
        &a.price_update.to_account_info(),
        depeg.as_ref(),
        now,
        caller,
        a.reserve.amount,
    )?;
    Ok(match attempt.step {
        Ok(step) => ReleaseOutcome {
            status: ReleaseStatus::Released,
            payout: step.payout,
            tip: step.tip,
            advanced: a
                .series
                .advanced
                .checked_add(step.payout)
                .ok_or(BackstopError::MathOverflow)?,
        },
        Err(status) => ReleaseOutcome {
            status,
            payout: 0,
            tip: 0,
            advanced: a.series.advanced,
        },
    })
}
