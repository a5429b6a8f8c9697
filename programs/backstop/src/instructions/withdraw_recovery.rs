use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, Token, TokenAccount, TransferChecked};

use crate::{errors::BackstopError, events::RecoveryWithdrawn, state::Vault};

/// The vault authority (the protected protocol) draws released capital from the vault's
/// recovery account to any account of the quote mint. Never paused.
#[event_cpi]
#[derive(Accounts)]
pub struct WithdrawRecovery<'info> {
    pub authority: Signer<'info>,

    #[account(
        has_one = authority @ BackstopError::NotVaultAuthority,
        has_one = recovery @ BackstopError::WrongRecoveryAccount,
        has_one = quote_mint @ BackstopError::WrongMint,
    )]
    pub vault: AccountLoader<'info, Vault>,

    #[account(
        mut,
        dup,
        constraint = crate::guards::distinct(&[recovery.key(), destination.key()]) @ BackstopError::DuplicateMutableAccount,
    )]
    pub recovery: Box<Account<'info, TokenAccount>>,

    #[account(mut, dup, constraint = destination.mint == quote_mint.key() @ BackstopError::WrongMint)]
    pub destination: Box<Account<'info, TokenAccount>>,

    pub quote_mint: Box<Account<'info, Mint>>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<WithdrawRecovery>, amount: u64) -> Result<()> {
    require!(amount > 0, BackstopError::ZeroAmount);
    let a = &ctx.accounts;
    require!(
        amount <= a.recovery.amount,
        BackstopError::InsufficientRecovery
    );
    let signer = a.vault.load()?.signer();
    let seeds = signer.seeds();
    token::transfer_checked(
        CpiContext::new_with_signer(
            a.token_program.key(),
            TransferChecked {
                from: a.recovery.to_account_info(),
                mint: a.quote_mint.to_account_info(),
                to: a.destination.to_account_info(),
                authority: a.vault.to_account_info(),
            },
            &[&seeds],
        ),
        amount,
        a.quote_mint.decimals,
    )?;
    ctx.accounts.recovery.reload()?;
    let event = RecoveryWithdrawn {
        vault: ctx.accounts.vault.key(),
        destination: ctx.accounts.destination.key(),
        amount,
        remaining: ctx.accounts.recovery.amount,
    };
    emit_cpi!(event);
    Ok(())
}
