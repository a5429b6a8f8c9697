use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, Token, TokenAccount, TransferChecked};

use crate::{
    errors::BackstopError,
    events::ReserveWithdrawn,
    state::{uncommitted_reserve, Vault},
};

/// The vault authority takes back reserve that no open series has been promised. Never paused:
/// the protocol can always recover its uncommitted funds.
#[event_cpi]
#[derive(Accounts)]
pub struct WithdrawReserve<'info> {
    pub authority: Signer<'info>,

    #[account(
        has_one = authority @ BackstopError::NotVaultAuthority,
        has_one = reserve @ BackstopError::WrongReserveAccount,
        has_one = quote_mint @ BackstopError::WrongMint,
    )]
    pub vault: AccountLoader<'info, Vault>,

    #[account(
        mut,
        dup,
        constraint = crate::guards::distinct(&[reserve.key(), destination.key()]) @ BackstopError::DuplicateMutableAccount,
    )]
    pub reserve: Box<Account<'info, TokenAccount>>,

    #[account(mut, dup, constraint = destination.mint == quote_mint.key() @ BackstopError::WrongMint)]
    pub destination: Box<Account<'info, TokenAccount>>,

    pub quote_mint: Box<Account<'info, Mint>>,
    pub token_program: Program<'info, Token>,
}

impl WithdrawReserve<'_> {
    pub fn validate(&self, amount: u64) -> Result<()> {
        check_withdrawal(
            amount,
            self.reserve.amount,
            self.vault.load()?.totals.committed_premium,
        )
    }
}

/// A withdrawal of `amount` leaves at least `committed_premium` in the `reserve`.
pub fn check_withdrawal(amount: u64, reserve: u64, committed_premium: u64) -> Result<()> {
    require!(amount > 0, BackstopError::ZeroAmount);
    let uncommitted = uncommitted_reserve(reserve, committed_premium);
    require!(
        amount <= uncommitted,
        BackstopError::InsufficientUncommittedReserve
    );
    Ok(())
}

pub fn handler(ctx: Context<WithdrawReserve>, amount: u64) -> Result<()> {
    ctx.accounts.validate(amount)?;
    let a = &ctx.accounts;
    let signer = a.vault.load()?.signer();
    let seeds = signer.seeds();
    token::transfer_checked(
        CpiContext::new_with_signer(
            a.token_program.key(),
            TransferChecked {
                from: a.reserve.to_account_info(),
                mint: a.quote_mint.to_account_info(),
                to: a.destination.to_account_info(),
                authority: a.vault.to_account_info(),
            },
            &[&seeds],
        ),
        amount,
        a.quote_mint.decimals,
    )?;
    ctx.accounts.reserve.reload()?;
    emit_cpi!(ReserveWithdrawn {
        vault: ctx.accounts.vault.key(),
        destination: ctx.accounts.destination.key(),
        amount,
        reserve_balance: ctx.accounts.reserve.amount,
        committed: ctx.accounts.vault.load()?.totals.committed_premium,
    });
    Ok(())
}
