use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, Token, TokenAccount, TransferChecked};

use crate::{
    constants::CONFIG_ADDRESS,
    errors::BackstopError,
    events::ReserveFunded,
    state::{pause, Config, Vault},
};

/// Adds quote tokens to a vault's premium reserve. Anyone may fund; only the vault authority
/// may withdraw what is not committed.
#[event_cpi]
#[derive(Accounts)]
pub struct FundReserve<'info> {
    pub funder: Signer<'info>,

    #[account(address = CONFIG_ADDRESS @ BackstopError::WrongConfig)]
    pub config: Account<'info, Config>,

    #[account(
        has_one = reserve @ BackstopError::WrongReserveAccount,
        has_one = quote_mint @ BackstopError::WrongMint,
    )]
    pub vault: AccountLoader<'info, Vault>,

    #[account(
        mut,
        dup,
        constraint = crate::guards::distinct(&[reserve.key(), funder_token.key()]) @ BackstopError::DuplicateMutableAccount,
    )]
    pub reserve: Box<Account<'info, TokenAccount>>,

    #[account(
        mut,
        dup,
        constraint = funder_token.mint == quote_mint.key() @ BackstopError::WrongMint,
        constraint = funder_token.owner == funder.key() @ BackstopError::NotTokenOwner,
    )]
    pub funder_token: Box<Account<'info, TokenAccount>>,

    pub quote_mint: Box<Account<'info, Mint>>,
    pub token_program: Program<'info, Token>,
}

impl FundReserve<'_> {
    pub fn validate(&self, amount: u64) -> Result<()> {
        require!(
            !self.config.is_paused(pause::FUND_RESERVE),
            BackstopError::OperationPaused
        );
        require!(amount > 0, BackstopError::ZeroAmount);
        Ok(())
    }
}

pub fn handler(ctx: Context<FundReserve>, amount: u64) -> Result<()> {
    ctx.accounts.validate(amount)?;
    let a = &ctx.accounts;
    token::transfer_checked(
        CpiContext::new(
            a.token_program.key(),
            TransferChecked {
                from: a.funder_token.to_account_info(),
                mint: a.quote_mint.to_account_info(),
                to: a.reserve.to_account_info(),
                authority: a.funder.to_account_info(),
            },
        ),
        amount,
        a.quote_mint.decimals,
    )?;
    ctx.accounts.reserve.reload()?;
    emit_cpi!(ReserveFunded {
        vault: ctx.accounts.vault.key(),
        funder: ctx.accounts.funder.key(),
        amount,
        reserve_balance: ctx.accounts.reserve.amount,
    });
    Ok(())
}
