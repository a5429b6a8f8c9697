use anchor_lang::prelude::*;
use anchor_spl::token::{self, Burn, Mint, Token, TokenAccount, TransferChecked};

use crate::{
    errors::BackstopError,
    events::{BreachObserved, CapitalReleased},
    solvency,
    state::{uncommitted_reserve, Series, SeriesStatus, Vault},
    units,
};

/// Automatic release: once a breach is confirmed, anyone (a keeper, for the tip) or the
/// protected protocol by CPI exercises the series' in-the-money puts at the oracle price, up to
/// the epoch's release cap. Cost is independent of the number of writers: positions are not
/// touched, they settle pro rata when they reclaim. Never paused.
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
        constraint = crate::guards::distinct(&[vault.key(), series.key(), escrow.key(), put_mint.key(), holder.key(), recovery.key(), reserve.key(), keeper_token.key()]) @ BackstopError::DuplicateMutableAccount,
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

/// How much one trigger exercises, pays and tips.
struct Release {
    units: u64,
    payout: u64,
    tip: u64,
}

impl Trigger<'_> {
    /// Rolls the release epoch, then sizes the exercise at `price` within the cap.
    fn size_release(&mut self, price: u64, now: i64) -> Result<Release> {
        let series = &self.series;
        require!(
            series.status == SeriesStatus::Open,
            BackstopError::SeriesNotOpen
        );
        require!(now < series.expiry, BackstopError::SeriesExpired);
        let vault = &mut self.vault;
        let strike = units::strike_to_price(series.strike, vault.quote_decimals)?;
        require!(price < strike, BackstopError::NotInTheMoney);
        let unexercised = series
            .written_size
            .checked_sub(series.exercised_size)
            .ok_or(BackstopError::MathOverflow)?;
        require!(unexercised > 0, BackstopError::NothingToRelease);

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
        let (units, payout) = release_within_cap(
            strike,
            price,
            unexercised,
            cap_left,
            vault.collateral_decimals,
            vault.quote_decimals,
        )?;

        // The protocol releasing its own backstop (its reporter, by CPI) earns no tip.
        let tip = if self.keeper.key() == vault.reporter {
            0
        } else {
            keeper_tip(
                vault.release.keeper_tip,
                self.reserve.amount,
                vault.totals.committed_premium,
            )
        };
        Ok(Release { units, payout, tip })
    }
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

/// `(units, payout)` of one release at `price` below `strike` (both `PRICE_SCALE`): as many
/// of the `unexercised` units as `cap_left` pays for, each paid its intrinsic value rounded
/// down, so `payout <= cap_left`. Fails when the cap pays for nothing.
pub fn release_within_cap(
    strike: u64,
    price: u64,
    unexercised: u64,
    cap_left: u64,
    collateral_decimals: u8,
    quote_decimals: u8,
) -> Result<(u64, u64)> {
    // Units whose intrinsic value fits in what is left of the cap (rounded down).
    let per_unit = strike
        .checked_sub(price)
        .ok_or(BackstopError::MathOverflow)?;
    // A cap too large to scale covers every unit: it cannot be the binding limit.
    let affordable = u128::from(cap_left)
        .checked_mul(units::quote_scale(collateral_decimals, quote_decimals)?)
        .map_or(Some(u128::MAX), |v| v.checked_div(u128::from(per_unit)))
        .ok_or(BackstopError::MathDivisionByZero)?;
    let units = u64::try_from(affordable.min(u128::from(unexercised)))
        .map_err(|_| BackstopError::MathOverflow)?;
    let payout = units::intrinsic_for(strike, price, units, collateral_decimals, quote_decimals)?;
    require!(payout > 0, BackstopError::ReleaseCapReached);
    Ok((units, payout))
}

/// The keeper's tip: the vault's setting, but never reserve promised to open series.
pub fn keeper_tip(tip_setting: u64, reserve: u64, committed_premium: u64) -> u64 {
    tip_setting.min(uncommitted_reserve(reserve, committed_premium))
}

pub fn handler(ctx: Context<Trigger>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let depeg = ctx
        .accounts
        .depeg_price_update
        .as_ref()
        .map(|a| a.to_account_info());
    let price_account = ctx.accounts.price_update.to_account_info();
    let (price, transition) =
        solvency::observe(&mut ctx.accounts.vault, &price_account, depeg.as_ref(), now)?;
    require!(
        ctx.accounts.vault.breach_confirmed(),
        BackstopError::BreachNotConfirmed
    );
    let release = ctx.accounts.size_release(price.price, now)?;

    let a = &ctx.accounts;
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
        release.payout,
        decimals,
    )?;
    // The exercised puts are burned: no unit can be paid twice.
    let vault_seeds = a.vault.signer_seeds();
    token::burn(
        CpiContext::new_with_signer(
            a.token_program.key(),
            Burn {
                mint: a.put_mint.to_account_info(),
                from: a.holder.to_account_info(),
                authority: a.vault.to_account_info(),
            },
            &[&vault_seeds],
        ),
        release.units,
    )?;
    if release.tip > 0 {
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
            release.tip,
            decimals,
        )?;
    }

    let series = &mut ctx.accounts.series;
    series.exercised_size = series
        .exercised_size
        .checked_add(release.units)
        .ok_or(BackstopError::MathOverflow)?;
    series.payout_total = series
        .payout_total
        .checked_add(release.payout)
        .ok_or(BackstopError::MathOverflow)?;
    let series_key = series.key();
    let vault = &mut ctx.accounts.vault;
    vault.released_in_epoch = vault
        .released_in_epoch
        .checked_add(release.payout)
        .ok_or(BackstopError::MathOverflow)?;
    let t = &mut vault.totals;
    t.released = t
        .released
        .checked_add(release.payout)
        .ok_or(BackstopError::MathOverflow)?;
    t.escrowed = t
        .escrowed
        .checked_sub(release.payout)
        .ok_or(BackstopError::MathOverflow)?;
    t.tips_paid = t
        .tips_paid
        .checked_add(release.tip)
        .ok_or(BackstopError::MathOverflow)?;

    let observed = BreachObserved::new(vault, vault.key(), transition, &price);
    let released = CapitalReleased {
        vault: vault.key(),
        series: series_key,
        units: release.units,
        payout: release.payout,
        price: price.price,
        released_in_epoch: vault.released_in_epoch,
        keeper_tip: release.tip,
        keeper: ctx.accounts.keeper.key(),
    };
    emit_cpi!(observed);
    emit_cpi!(released);
    Ok(())
}
