use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, Token, TokenAccount, TransferChecked};

use crate::{
    errors::BackstopError,
    events::PositionReclaimed,
    state::{Position, Series, SeriesStatus, Vault},
};

/// Permissionless: after settlement, returns a writer's escrow minus its pro-rata share of the
/// series' payouts to the writer's own token account, and closes the position (rent to the
/// writer). Never paused.
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
    let event = PositionReclaimed {
        series: a.series.key(),
        writer: p.writer,
        size: p.size,
        escrow_deposited: p.escrow_deposited,
        payout_share: share,
        reclaimed: amount,
    };
    let series = &mut ctx.accounts.series;
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
