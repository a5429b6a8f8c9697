use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, Token, TokenAccount, TransferChecked};

use crate::{
    errors::BackstopError,
    events::{BreachObserved, CapitalReleased},
    solvency,
    state::{
        floor_div, uncommitted_reserve, Series, SeriesStatus, SeriesStyle, Vault, VaultSigner,
    },
    units,
};

/// A release step: once a breach is confirmed, anyone (a keeper, for the tip) or the protected
/// protocol by CPI advances the increase of the series' intrinsic value at the held price (the
/// highest price seen over the breach's window) to the recovery account, up to the epoch's
/// release cap, at most once per release interval. Advances ratchet: settlement pays only what
/// is still owed at expiry, so no step can lower what the protocol finally receives. Cost is
/// independent of the number of writers: positions are not touched, they settle pro rata when
/// they reclaim. Never paused.
#[event_cpi]
#[derive(Accounts)]
pub struct Trigger<'info> {
    pub keeper: Signer<'info>,

    #[account(
        mut,
        dup,
        has_one = reserve @ BackstopError::WrongReserveAccount,
        has_one = recovery @ BackstopError::WrongRecoveryAccount,
        has_one = quote_mint @ BackstopError::WrongMint,
        constraint = crate::guards::distinct(&[vault.key(), series.key(), escrow.key(), recovery.key(), reserve.key(), keeper_token.key()]) @ BackstopError::DuplicateMutableAccount,
    )]
    pub vault: AccountLoader<'info, Vault>,

    #[account(
        mut,
        dup,
        has_one = vault @ BackstopError::WrongVault,
        has_one = escrow @ BackstopError::WrongSeriesAccount,
    )]
    pub series: Box<Account<'info, Series>>,

    #[account(mut, dup)]
    pub escrow: Box<Account<'info, TokenAccount>>,
    #[account(mut, dup)]
    pub recovery: Box<Account<'info, TokenAccount>>,
    #[account(mut, dup)]
    pub reserve: Box<Account<'info, TokenAccount>>,

    /// Receives the keeper tip.
    #[account(
        mut,
        dup,
        constraint = keeper_token.mint == quote_mint.key() @ BackstopError::WrongMint,
    )]
    pub keeper_token: Box<Account<'info, TokenAccount>>,

    /// CHECK: the collateral `PriceUpdateV2`, validated by `oracle::read_price`.
    pub price_update: UncheckedAccount<'info>,

    /// CHECK: the stablecoin `PriceUpdateV2` (joint depeg trigger only), validated likewise.
    pub depeg_price_update: Option<UncheckedAccount<'info>>,

    pub quote_mint: Box<Account<'info, Mint>>,
    pub token_program: Program<'info, Token>,
}

/// What one release step pays and tips.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    pub held_price: u64,
    pub owed: u64,
    pub payout: u64,
    pub tip: u64,
}

/// Sizes one release step of `series` at `now` (pure, property-tested): rolls the vault's
/// release epoch, then pays the increase of what is owed at the held price over what was
/// advanced, within the cap left. `by_reporter`: the protocol's own call earns no tip;
/// `reserve` is the reserve account's balance.
pub fn plan_step(
    vault: &mut Vault,
    series: &Series,
    now: i64,
    by_reporter: bool,
    reserve: u64,
) -> Result<Step> {
    require!(
        series.style == SeriesStyle::CashRatchet,
        BackstopError::NotCashSeries
    );
    require!(
        series.status == SeriesStatus::Open,
        BackstopError::SeriesNotOpen
    );
    require!(now < series.expiry, BackstopError::SeriesExpired);
    require!(
        vault.breach_confirmed(now),
        BackstopError::BreachNotConfirmed
    );
    require!(
        step_allowed(
            series.last_step_at,
            vault.release.release_interval_secs,
            now
        ),
        BackstopError::ReleaseIntervalNotElapsed
    );
    let held_price = vault.held_price().ok_or(BackstopError::NoHeldPrice)?;
    let strike = units::strike_to_price(series.strike, vault.quote_decimals)?;
    require!(held_price < strike, BackstopError::NotInTheMoney);
    let owed = units::intrinsic_for(
        strike,
        held_price,
        series.written_size,
        vault.collateral_decimals,
        vault.quote_decimals,
    )?;

    (vault.epoch_start, vault.released_in_epoch) = roll_epoch(
        vault.epoch_start,
        vault.release.epoch_secs,
        vault.released_in_epoch,
        now,
    )?;
    let cap_left = vault
        .release
        .cap_per_epoch
        .saturating_sub(vault.released_in_epoch);
    let payout = ratchet_step(owed, series.advanced, cap_left)?;

    // The protocol releasing its own backstop (its reporter, by CPI) earns no tip, and a step
    // too small to matter earns none either: cranking early is not rewarded.
    let tip = if by_reporter || payout < vault.release.min_tip_release {
        0
    } else {
        keeper_tip(
            vault.release.keeper_tip,
            reserve,
            vault.totals.committed_premium,
        )
    };
    Ok(Step {
        held_price,
        owed,
        payout,
        tip,
    })
}

/// Books a planned step (pure, property-tested): the series' advances and payouts, the
/// epoch's releases, the vault's totals.
pub fn apply_step(vault: &mut Vault, series: &mut Series, step: &Step, now: i64) -> Result<()> {
    series.advanced = series
        .advanced
        .checked_add(step.payout)
        .ok_or(BackstopError::MathOverflow)?;
    series.payout_total = series
        .payout_total
        .checked_add(step.payout)
        .ok_or(BackstopError::MathOverflow)?;
    series.last_step_at = now;
    vault.released_in_epoch = vault
        .released_in_epoch
        .checked_add(step.payout)
        .ok_or(BackstopError::MathOverflow)?;
    let t = &mut vault.totals;
    t.released = t
        .released
        .checked_add(step.payout)
        .ok_or(BackstopError::MathOverflow)?;
    t.escrowed = t
        .escrowed
        .checked_sub(step.payout)
        .ok_or(BackstopError::MathOverflow)?;
    t.tips_paid = t
        .tips_paid
        .checked_add(step.tip)
        .ok_or(BackstopError::MathOverflow)?;
    Ok(())
}

/// Whether a series last stepped at `last_step_at` (0 = never) may step again at `now`: at
/// most one step per slot of `interval_secs` on a fixed grid (`now / interval`), so the
/// monitoring dates of the lookback are the grid's, whoever cranks and whenever.
pub fn step_allowed(last_step_at: i64, interval_secs: u32, now: i64) -> bool {
    last_step_at == 0 || floor_div(now, interval_secs) > floor_div(last_step_at, interval_secs)
}

/// The release epoch in force at `now`: `(epoch_start, released_in_epoch)`, restarted at `now`
/// with nothing released once `epoch_secs` have passed.
pub fn roll_epoch(
    epoch_start: i64,
    epoch_secs: u32,
    released_in_epoch: u64,
    now: i64,
) -> Result<(i64, u64)> {
    let epoch_end = epoch_start
        .checked_add(i64::from(epoch_secs))
        .ok_or(BackstopError::MathOverflow)?;
    if now >= epoch_end {
        return Ok((now, 0));
    }
    Ok((epoch_start, released_in_epoch))
}

/// The ratchet: a step pays the increase of what is owed over what was already advanced, at
/// most `cap_left`. Fails when nothing more is owed or the cap is spent.
pub fn ratchet_step(owed: u64, advanced: u64, cap_left: u64) -> Result<u64> {
    let increase = owed.saturating_sub(advanced);
    require!(increase > 0, BackstopError::NothingToRelease);
    require!(cap_left > 0, BackstopError::ReleaseCapReached);
    Ok(increase.min(cap_left))
}

/// The keeper's tip: the vault's setting, but never reserve promised to open series.
pub fn keeper_tip(tip_setting: u64, reserve: u64, committed_premium: u64) -> u64 {
    tip_setting.min(uncommitted_reserve(reserve, committed_premium))
}

/// Books a paid step on the vault and the series (after `pay_step`) and returns its event.
pub(crate) fn book_step(a: &mut Trigger, step: &Step, now: i64) -> Result<CapitalReleased> {
    let vault_key = a.vault.key();
    let mut vault = a.vault.load_mut()?;
    apply_step(&mut vault, &mut a.series, step, now)?;
    Ok(CapitalReleased {
        vault: vault_key,
        series: a.series.key(),
        held_price: step.held_price,
        owed: step.owed,
        payout: step.payout,
        advanced: a.series.advanced,
        released_in_epoch: vault.released_in_epoch,
        keeper_tip: step.tip,
        keeper: a.keeper.key(),
    })
}

/// Moves a planned step's tokens: the payout from the escrow to the recovery account (signed by
/// the series) and the tip from the reserve to the keeper (signed by the vault). No borrow of
/// the vault may be alive (the runtime borrows every account a CPI passes).
pub(crate) fn pay_step(a: &Trigger, step: &Step, vault_signer: &VaultSigner) -> Result<()> {
    let decimals = a.quote_mint.decimals;
    let (strike_le, expiry_le) = (a.series.strike.to_le_bytes(), a.series.expiry.to_le_bytes());
    let series_seeds = a.series.signer_seeds(&strike_le, &expiry_le);
    token::transfer_checked(
        CpiContext::new_with_signer(
            a.token_program.key(),
            TransferChecked {
                from: a.escrow.to_account_info(),
                mint: a.quote_mint.to_account_info(),
                to: a.recovery.to_account_info(),
                authority: a.series.to_account_info(),
            },
            &[&series_seeds],
        ),
        step.payout,
        decimals,
    )?;
    if step.tip > 0 {
        let vault_seeds = vault_signer.seeds();
        token::transfer_checked(
            CpiContext::new_with_signer(
                a.token_program.key(),
                TransferChecked {
                    from: a.reserve.to_account_info(),
                    mint: a.quote_mint.to_account_info(),
                    to: a.keeper_token.to_account_info(),
                    authority: a.vault.to_account_info(),
                },
                &[&vault_seeds],
            ),
            step.tip,
            decimals,
        )?;
    }
    Ok(())
}

pub fn handler(ctx: Context<Trigger>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let depeg = ctx
        .accounts
        .depeg_price_update
        .as_ref()
        .map(|a| a.to_account_info());
    let price_account = ctx.accounts.price_update.to_account_info();
    // A stale or wide feed does not stop the step: it pays at the price that held.
    // One borrow for the observation and the plan, ended before the transfers (the runtime
    // borrows every account a CPI passes).
    let (observed, step, signer) = {
        let a = &ctx.accounts;
        let vault = &mut *a.vault.load_mut()?;
        let observed = solvency::observe(vault, &price_account, depeg.as_ref(), now)?;
        let by_reporter = a.keeper.key() == vault.reporter;
        let step = plan_step(vault, &a.series, now, by_reporter, a.reserve.amount)?;
        // The step books nothing the breach state shows: the event can be built now.
        let observed = BreachObserved::new(vault, a.vault.key(), &observed);
        (observed, step, vault.signer())
    };

    pay_step(ctx.accounts, &step, &signer)?;

    let released = book_step(ctx.accounts, &step, now)?;
    emit_cpi!(observed);
    emit_cpi!(released);
    Ok(())
}
