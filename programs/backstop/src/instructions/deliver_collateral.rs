use anchor_lang::prelude::*;
use anchor_spl::token::{self, Burn, Mint, Token, TokenAccount, TransferChecked};

use crate::{
    constants::{COLLATERAL_SEED, SETTLEMENT_GRACE_SECS},
    errors::BackstopError,
    events::CollateralDelivered,
    state::{Series, SeriesStatus, SeriesStyle, Vault},
    units,
};

/// The protected protocol (its reporter, by CPI, or the vault authority) sells collateral to a
/// physical delivery series at the strike, final, in one instruction (docs/DESIGN.md section
/// 7b): `size` collateral into the series' collateral account, `floor(strike x size)` quote
/// from the escrow to the vault's recovery account, `size` put tokens burned. Open during a
/// confirmed breach before expiry and for the grace hour after it. Never paused.
#[event_cpi]
#[derive(Accounts)]
pub struct DeliverCollateral<'info> {
    /// Pays the collateral account's rent at the first delivery (any signer: a protocol's PDA
    /// delivering by CPI holds no lamports).
    #[account(mut)]
    pub payer: Signer<'info>,

    /// The vault's reporter or authority.
    pub deliverer: Signer<'info>,

    #[account(
        mut,
        dup,
        has_one = recovery @ BackstopError::WrongRecoveryAccount,
        has_one = quote_mint @ BackstopError::WrongMint,
        has_one = collateral_mint @ BackstopError::WrongCollateralMint,
        constraint = crate::guards::distinct(&[vault.key(), series.key(), collateral.key(), deliverer_collateral.key(), escrow.key(), put_mint.key(), holder.key(), recovery.key()]) @ BackstopError::DuplicateMutableAccount,
    )]
    pub vault: AccountLoader<'info, Vault>,

    #[account(
        mut,
        dup,
        has_one = vault @ BackstopError::WrongVault,
        has_one = escrow @ BackstopError::WrongSeriesAccount,
        has_one = put_mint @ BackstopError::WrongSeriesAccount,
        has_one = holder @ BackstopError::WrongSeriesAccount,
    )]
    pub series: Box<Account<'info, Series>>,

    /// The series' collateral account (PDA), created at the first delivery.
    #[account(
        init_if_needed,
        dup,
        payer = payer,
        seeds = [COLLATERAL_SEED, series.key().as_ref()],
        bump,
        token::mint = collateral_mint,
        token::authority = series,
    )]
    pub collateral: Box<Account<'info, TokenAccount>>,

    /// Where the delivered collateral comes from: the deliverer's own account.
    #[account(
        mut,
        dup,
        constraint = deliverer_collateral.mint == collateral_mint.key() @ BackstopError::WrongCollateralMint,
        constraint = deliverer_collateral.owner == deliverer.key() @ BackstopError::NotTokenOwner,
    )]
    pub deliverer_collateral: Box<Account<'info, TokenAccount>>,

    // The program's own PDA token accounts, named by the vault and the series (`has_one`) and
    // only passed on to the token program.
    /// CHECK: the series' escrow (`has_one = escrow` on the series).
    #[account(mut, dup)]
    pub escrow: UncheckedAccount<'info>,
    /// CHECK: the series' put mint (`has_one = put_mint` on the series).
    #[account(mut, dup)]
    pub put_mint: UncheckedAccount<'info>,
    /// CHECK: the series' put holder (`has_one = holder` on the series).
    #[account(mut, dup)]
    pub holder: UncheckedAccount<'info>,
    /// CHECK: the vault's recovery account (`has_one = recovery` on the vault).
    #[account(mut, dup)]
    pub recovery: UncheckedAccount<'info>,

    pub collateral_mint: Box<Account<'info, Mint>>,
    /// CHECK: the vault's quote mint (`has_one = quote_mint` on the vault); `transfer_checked`
    /// checks it against the escrow with the vault's `quote_decimals`.
    pub quote_mint: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

/// Whether a physical series may take a delivery at `now`: during a confirmed breach before
/// expiry, and from expiry until the end of the grace hour.
pub fn delivery_open(expiry: i64, breach_confirmed: bool, now: i64) -> Result<bool> {
    if now < expiry {
        return Ok(breach_confirmed);
    }
    let grace_end = expiry
        .checked_add(SETTLEMENT_GRACE_SECS)
        .ok_or(BackstopError::MathOverflow)?;
    Ok(now < grace_end)
}

impl DeliverCollateral<'_> {
    pub fn validate(&self, vault: &Vault, size: u64, now: i64) -> Result<()> {
        let deliverer = self.deliverer.key();
        require!(
            deliverer == vault.reporter || deliverer == vault.authority,
            BackstopError::NotDeliverer
        );
        let series = &self.series;
        require!(
            series.style == SeriesStyle::PhysicalDelivery,
            BackstopError::NotPhysicalSeries
        );
        require!(
            series.status == SeriesStatus::Open,
            BackstopError::SeriesNotOpen
        );
        require!(size > 0, BackstopError::ZeroAmount);
        let unexercised = series
            .written_size
            .checked_sub(series.delivered_size)
            .ok_or(BackstopError::MathUnderflow)?;
        require!(
            size <= unexercised,
            BackstopError::DeliveryExceedsUnexercised
        );
        require!(
            delivery_open(series.expiry, vault.breach_confirmed(now), now)?,
            BackstopError::DeliveryNotOpen
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<DeliverCollateral>, size: u64) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let (signer, quote_decimals, collateral_decimals) = {
        let vault = ctx.accounts.vault.load()?;
        ctx.accounts.validate(&vault, size, now)?;
        (
            vault.signer(),
            vault.quote_decimals,
            vault.collateral_decimals,
        )
    };
    let a = &ctx.accounts;
    let paid = units::delivery_payment(a.series.strike, size, collateral_decimals)?;

    // Collateral in: exactly `size`, from the deliverer.
    token::transfer_checked(
        CpiContext::new(
            a.token_program.key(),
            TransferChecked {
                from: a.deliverer_collateral.to_account_info(),
                mint: a.collateral_mint.to_account_info(),
                to: a.collateral.to_account_info(),
                authority: a.deliverer.to_account_info(),
            },
        ),
        size,
        collateral_decimals,
    )?;
    // Quote out: the strike for it, rounded down, to the recovery account.
    let (strike_le, expiry_le) = (a.series.strike.to_le_bytes(), a.series.expiry.to_le_bytes());
    let series_seeds = a.series.signer_seeds(&strike_le, &expiry_le);
    if paid > 0 {
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
            paid,
            quote_decimals,
        )?;
    }
    // The exercised put tokens go: the put supply stays the unexercised size.
    let vault_seeds = signer.seeds();
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
        size,
    )?;

    let collateral = ctx.accounts.collateral.key();
    let series = &mut ctx.accounts.series;
    series.collateral = collateral;
    series.collateral_bump = ctx.bumps.collateral;
    series.delivered_size = series
        .delivered_size
        .checked_add(size)
        .ok_or(BackstopError::MathOverflow)?;
    series.payout_total = series
        .payout_total
        .checked_add(paid)
        .ok_or(BackstopError::MathOverflow)?;
    let event = CollateralDelivered {
        vault: ctx.accounts.vault.key(),
        series: series.key(),
        deliverer: ctx.accounts.deliverer.key(),
        size,
        paid,
        delivered_size: series.delivered_size,
        payout_total: series.payout_total,
    };
    let t = &mut ctx.accounts.vault.load_mut()?.totals;
    t.released = t
        .released
        .checked_add(paid)
        .ok_or(BackstopError::MathOverflow)?;
    t.escrowed = t
        .escrowed
        .checked_sub(paid)
        .ok_or(BackstopError::MathOverflow)?;
    emit_cpi!(event);
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn delivery_opens_on_a_confirmed_breach_and_for_the_grace_hour_after_expiry() {
        let t = 1_000_000;
        assert!(!delivery_open(t, false, t - 1).unwrap());
        assert!(delivery_open(t, true, t - 1).unwrap());
        assert!(delivery_open(t, false, t).unwrap());
        assert!(delivery_open(t, false, t + SETTLEMENT_GRACE_SECS - 1).unwrap());
        assert!(!delivery_open(t, true, t + SETTLEMENT_GRACE_SECS).unwrap());
    }
}
