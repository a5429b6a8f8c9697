use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, Token, TokenAccount, TransferChecked};

use crate::{
    errors::BackstopError,
    events::PositionReclaimed,
    state::{Position, Series, SeriesStatus, Vault},
};

/// Permissionless: after settlement, returns a writer's escrow minus its pro-rata share of the
/// series' payouts to the writer's own token account and, on a physical series, its pro-rata
/// share of the delivered collateral (the last position takes what is left), and closes the
/// position (rent to the writer). Never paused.
#[event_cpi]
#[derive(Accounts)]
pub struct Reclaim<'info> {
    #[account(
        mut,
        dup,
        has_one = quote_mint @ BackstopError::WrongMint,
        constraint = crate::guards::distinct(&[vault.key(), series.key(), position.key(), writer_token.key(), escrow.key()]) @ BackstopError::DuplicateMutableAccount,
    )]
    pub vault: AccountLoader<'info, Vault>,

    #[account(
        mut,
        dup,
        has_one = vault @ BackstopError::WrongVault,
        has_one = escrow @ BackstopError::WrongSeriesAccount,
    )]
    pub series: Box<Account<'info, Series>>,

    #[account(
        mut,
        dup,
        close = writer,
        constraint = position.series == series.key() @ BackstopError::WrongPositionOwner,
        constraint = position.writer == writer.key() @ BackstopError::WrongPositionOwner,
    )]
    pub position: Box<Account<'info, Position>>,

    /// CHECK: the position's writer (checked above); receives the position's rent.
    #[account(mut)]
    pub writer: UncheckedAccount<'info>,

    #[account(
        mut,
        dup,
        constraint = writer_token.mint == quote_mint.key() @ BackstopError::WrongMint,
        constraint = writer_token.owner == writer.key() @ BackstopError::NotTokenOwner,
    )]
    pub writer_token: Box<Account<'info, TokenAccount>>,

    #[account(mut, dup)]
    pub escrow: Box<Account<'info, TokenAccount>>,

    pub quote_mint: Box<Account<'info, Mint>>,
    pub token_program: Program<'info, Token>,

    /// Physical series with deliveries: the series' collateral account.
    #[account(
        mut,
        constraint = collateral.key() == series.collateral @ BackstopError::WrongCollateralAccount,
    )]
    pub collateral: Option<Box<Account<'info, TokenAccount>>>,

    /// Physical series with deliveries: the writer's collateral token account.
    #[account(
        mut,
        constraint = writer_collateral.mint == vault.load()?.collateral_mint @ BackstopError::WrongCollateralMint,
        constraint = writer_collateral.owner == writer.key() @ BackstopError::NotTokenOwner,
    )]
    pub writer_collateral: Option<Box<Account<'info, TokenAccount>>>,

    /// Physical series with deliveries: the vault's collateral mint.
    #[account(address = vault.load()?.collateral_mint @ BackstopError::WrongCollateralMint)]
    pub collateral_mint: Option<Box<Account<'info, Mint>>>,
}

/// A position's collateral from a physical series: `floor(delivered * size / written)`, or, for
/// the last open position, everything left in the collateral account (the rounding dust).
pub fn collateral_share(
    delivered: u64,
    size: u64,
    written_size: u64,
    last: bool,
    left: u64,
) -> Result<u64> {
    if last {
        return Ok(left);
    }
    require!(written_size > 0, BackstopError::MathDivisionByZero);
    let share = u128::from(delivered)
        .checked_mul(u128::from(size))
        .ok_or(BackstopError::MathOverflow)?
        .checked_div(u128::from(written_size))
        .ok_or(BackstopError::MathDivisionByZero)?;
    let share = u64::try_from(share).map_err(|_| BackstopError::MathOverflow)?;
    // The shares of the others never exceed what is left (each rounds down).
    Ok(share.min(left))
}

/// `ceil(payout_total * size / written_size)`: the share rounds up so the writers together
/// never take more than the escrow holds.
pub fn payout_share(payout_total: u64, size: u64, written_size: u64) -> Result<u64> {
    let num = u128::from(payout_total)
        .checked_mul(u128::from(size))
        .ok_or(BackstopError::MathOverflow)?;
    require!(written_size > 0, BackstopError::MathDivisionByZero);
    u64::try_from(num.div_ceil(u128::from(written_size)))
        .map_err(|_| BackstopError::MathOverflow.into())
}

/// `(payout_share, reclaimed)` of a position of `size` that deposited `escrow_deposited`: its
/// share of the series' payouts (rounded up) and the rest of its deposit, returned to it.
pub fn reclaim_split(
    payout_total: u64,
    written_size: u64,
    size: u64,
    escrow_deposited: u64,
) -> Result<(u64, u64)> {
    let share = payout_share(payout_total, size, written_size)?;
    // share <= escrow_deposited always (a payout never exceeds the strike); an underflow here
    // would be a broken invariant, so it fails loudly rather than saturating.
    let amount = escrow_deposited
        .checked_sub(share)
        .ok_or(BackstopError::MathUnderflow)?;
    Ok((share, amount))
}

/// Pays a physical series' writer its collateral share; 0 for a cash series or one without
/// deliveries (its collateral accounts are then not needed).
fn reclaim_collateral(a: &Reclaim) -> Result<u64> {
    let s = &a.series;
    if s.delivered_size == 0 {
        return Ok(0);
    }
    let (Some(collateral), Some(to), Some(mint)) = (
        a.collateral.as_ref(),
        a.writer_collateral.as_ref(),
        a.collateral_mint.as_ref(),
    ) else {
        return err!(BackstopError::CollateralAccountsMissing);
    };
    let share = collateral_share(
        s.delivered_size,
        a.position.size,
        s.written_size,
        s.open_positions == 1,
        collateral.amount,
    )?;
    if share > 0 {
        let (strike_le, expiry_le) = (s.strike.to_le_bytes(), s.expiry.to_le_bytes());
        let seeds = s.signer_seeds(&strike_le, &expiry_le);
        token::transfer_checked(
            CpiContext::new_with_signer(
                a.token_program.key(),
                TransferChecked {
                    from: collateral.to_account_info(),
                    mint: mint.to_account_info(),
                    to: to.to_account_info(),
                    authority: s.to_account_info(),
                },
                &[&seeds],
            ),
            share,
            mint.decimals,
        )?;
    }
    Ok(share)
}

pub fn handler(ctx: Context<Reclaim>) -> Result<()> {
    let a = &ctx.accounts;
    require!(
        a.series.status == SeriesStatus::Settled,
        BackstopError::SeriesNotSettled
    );
    let p = &a.position;
    let (share, amount) = reclaim_split(
        a.series.payout_total,
        a.series.written_size,
        p.size,
        p.escrow_deposited,
    )?;
    if amount > 0 {
        let s = &a.series;
        let (strike_le, expiry_le) = (s.strike.to_le_bytes(), s.expiry.to_le_bytes());
        let seeds = s.signer_seeds(&strike_le, &expiry_le);
        token::transfer_checked(
            CpiContext::new_with_signer(
                a.token_program.key(),
                TransferChecked {
                    from: a.escrow.to_account_info(),
                    mint: a.quote_mint.to_account_info(),
                    to: a.writer_token.to_account_info(),
                    authority: s.to_account_info(),
                },
                &[&seeds],
            ),
            amount,
            a.quote_mint.decimals,
        )?;
    }
    let collateral_reclaimed = reclaim_collateral(a)?;
    let event = PositionReclaimed {
        series: a.series.key(),
        writer: p.writer,
        size: p.size,
        escrow_deposited: p.escrow_deposited,
        payout_share: share,
        reclaimed: amount,
        collateral_reclaimed,
    };
    let series = &mut ctx.accounts.series;
    series.collateral_reclaimed = series
        .collateral_reclaimed
        .checked_add(collateral_reclaimed)
        .ok_or(BackstopError::MathOverflow)?;
    series.escrow_reclaimed = series
        .escrow_reclaimed
        .checked_add(amount)
        .ok_or(BackstopError::MathOverflow)?;
    series.open_positions = series
        .open_positions
        .checked_sub(1)
        .ok_or(BackstopError::MathOverflow)?;
    let t = &mut ctx.accounts.vault.load_mut()?.totals;
    t.escrowed = t
        .escrowed
        .checked_sub(amount)
        .ok_or(BackstopError::MathOverflow)?;
    emit_cpi!(event);
    Ok(())
}
