use anchor_lang::prelude::*;
use anchor_spl::token::{self, CloseAccount, Mint, Token, TokenAccount, TransferChecked};

use crate::{
    errors::BackstopError,
    events::SeriesClosed,
    state::{Series, SeriesStatus, Vault},
};

/// Permissionless, once a series is settled and every position reclaimed: sweeps the escrow's
/// rounding dust into the reserve, closes the escrow, the holder and the series, and returns
/// their rent to the vault authority. (Classic SPL mints cannot be closed; the put mint stays,
/// with zero supply.) Never paused.
#[event_cpi]
#[derive(Accounts)]
pub struct CloseSeries<'info> {
    #[account(
        mut,
        dup,
        has_one = reserve @ BackstopError::WrongReserveAccount,
        has_one = quote_mint @ BackstopError::WrongMint,
        constraint = crate::guards::distinct(&[vault.key(), series.key(), escrow.key(), holder.key(), reserve.key()]) @ BackstopError::DuplicateMutableAccount,
    )]
    pub vault: AccountLoader<'info, Vault>,

    #[account(
        mut,
        dup,
        close = rent_receiver,
        has_one = vault @ BackstopError::WrongVault,
        has_one = escrow @ BackstopError::WrongSeriesAccount,
        has_one = holder @ BackstopError::WrongSeriesAccount,
    )]
    pub series: Box<Account<'info, Series>>,

    #[account(mut, dup)]
    pub escrow: Box<Account<'info, TokenAccount>>,
    #[account(mut, dup)]
    pub holder: Box<Account<'info, TokenAccount>>,
    #[account(mut, dup)]
    pub reserve: Box<Account<'info, TokenAccount>>,

    /// CHECK: receives the rent; must be the vault authority.
    #[account(mut, address = vault.load()?.authority @ BackstopError::WrongRentReceiver)]
    pub rent_receiver: UncheckedAccount<'info>,

    pub quote_mint: Box<Account<'info, Mint>>,
    pub token_program: Program<'info, Token>,

    /// A physical series that took deliveries: its collateral account, closed when empty (the
    /// last reclaim empties it; anything sent to it afterwards keeps it open, never the series).
    #[account(
        mut,
        constraint = collateral.key() == series.collateral @ BackstopError::WrongCollateralAccount,
    )]
    pub collateral: Option<Box<Account<'info, TokenAccount>>>,
}

/// What the vault's books hold in a series' escrow: deposits less payouts less reclaims (after
/// every reclaim, the rounding dust of the payout shares).
pub fn escrow_on_books(
    escrow_deposited: u64,
    payout_total: u64,
    escrow_reclaimed: u64,
) -> Result<u64> {
    escrow_deposited
        .checked_sub(payout_total)
        .and_then(|v| v.checked_sub(escrow_reclaimed))
        .ok_or_else(|| BackstopError::MathUnderflow.into())
}

pub fn handler(ctx: Context<CloseSeries>) -> Result<()> {
    let a = &ctx.accounts;
    require!(
        a.series.status == SeriesStatus::Settled,
        BackstopError::SeriesNotSettled
    );
    require!(
        a.series.open_positions == 0,
        BackstopError::PositionsStillOpen
    );
    // Sweep the whole balance (including anything sent to the escrow directly), but take off
    // the vault's books only what they hold for this series.
    let dust = a.escrow.amount;
    let s = &a.series;
    let accounted = escrow_on_books(s.escrow_deposited, s.payout_total, s.escrow_reclaimed)?;
    let (strike_le, expiry_le) = (s.strike.to_le_bytes(), s.expiry.to_le_bytes());
    let series_seeds = s.signer_seeds(&strike_le, &expiry_le);
    if dust > 0 {
        token::transfer_checked(
            CpiContext::new_with_signer(
                a.token_program.key(),
                TransferChecked {
                    from: a.escrow.to_account_info(),
                    mint: a.quote_mint.to_account_info(),
                    to: a.reserve.to_account_info(),
                    authority: s.to_account_info(),
                },
                &[&series_seeds],
            ),
            dust,
            a.quote_mint.decimals,
        )?;
    }
    token::close_account(CpiContext::new_with_signer(
        a.token_program.key(),
        CloseAccount {
            account: a.escrow.to_account_info(),
            destination: a.rent_receiver.to_account_info(),
            authority: s.to_account_info(),
        },
        &[&series_seeds],
    ))?;
    let signer = a.vault.load()?.signer();
    let vault_seeds = signer.seeds();
    token::close_account(CpiContext::new_with_signer(
        a.token_program.key(),
        CloseAccount {
            account: a.holder.to_account_info(),
            destination: a.rent_receiver.to_account_info(),
            authority: a.vault.to_account_info(),
        },
        &[&vault_seeds],
    ))?;
    if a.series.collateral != Pubkey::default() {
        let Some(collateral) = a.collateral.as_ref() else {
            return err!(BackstopError::CollateralAccountsMissing);
        };
        if collateral.amount == 0 {
            token::close_account(CpiContext::new_with_signer(
                a.token_program.key(),
                CloseAccount {
                    account: collateral.to_account_info(),
                    destination: a.rent_receiver.to_account_info(),
                    authority: s.to_account_info(),
                },
                &[&series_seeds],
            ))?;
        }
    }
    let series_key = a.series.key();
    let vault_key = ctx.accounts.vault.key();
    let t = &mut ctx.accounts.vault.load_mut()?.totals;
    t.escrowed = t
        .escrowed
        .checked_sub(accounted)
        .ok_or(BackstopError::MathUnderflow)?;
    let event = SeriesClosed {
        vault: vault_key,
        series: series_key,
        dust,
    };
    emit_cpi!(event);
    Ok(())
}
