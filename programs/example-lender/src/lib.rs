//! example-lender: the smallest protected protocol, and the Rust integration sample. It keeps
//! its books (collateral held, liabilities owed), reports them to its Backstop vault by CPI
//! signed by its reporter PDA, liquidates through `try_release` (which never reverts for the
//! backstop's state) and can trigger the release itself. It reaches Backstop the way any
//! protocol would: `declare_program!` on the committed IDL. Used by Backstop's integration
//! tests and docs/INTEGRATION.md.
#![allow(unexpected_cfgs)]

#[cfg(target_arch = "bpf")]
use solana_compiler_builtins as _;

use anchor_lang::prelude::*;
// The standard integrator route: the client is generated from Backstop's committed IDL
// (`idls/backstop.json` links to the repository's `idl/backstop.json`); no dependency on its
// crate.
declare_program!(backstop);
use backstop::{
    cpi::accounts as bs,
    program::Backstop,
    types::{CreateVaultArgs, ReleaseStatus, ReportSolvencyArgs},
};

declare_id!("VKT5uyz6QwAt1NYQ8TWGqNEBuVHBUA3etpjuGkZk7u5");

/// Seed of the PDA that signs for this program in Backstop (the vault's `reporter`).
pub const REPORTER_SEED: &[u8] = b"reporter";
/// Seed of the market's books.
pub const MARKET_SEED: &[u8] = b"market";
/// Seed of the PDA that is the market's Backstop vault authority (draws released capital).
pub const VAULT_AUTHORITY_SEED: &[u8] = b"vault_authority";

#[program]
pub mod example_lender {
    use super::*;

    /// Creates the market's books, owned by `admin`.
    pub fn initialize(ctx: Context<Initialize>) -> Result<()> {
        let market = &mut ctx.accounts.market;
        market.admin = ctx.accounts.admin.key();
        market.bump = ctx.bumps.market;
        market.reporter_bump = ctx.bumps.reporter;
        Ok(())
    }

    /// The admin updates the books (deposits, borrows and liquidations happen elsewhere).
    pub fn set_books(
        ctx: Context<SetBooks>,
        collateral_amount: u64,
        liabilities: u64,
    ) -> Result<()> {
        let market = &mut ctx.accounts.market;
        market.collateral_amount = collateral_amount;
        market.liabilities = liabilities;
        Ok(())
    }

    /// Reports the books to Backstop, signed by the reporter PDA (anyone may crank it).
    pub fn report_to_backstop(ctx: Context<ReportToBackstop>) -> Result<()> {
        let m = &ctx.accounts.market;
        let seeds: &[&[u8]] = &[REPORTER_SEED, &[m.reporter_bump]];
        let accounts = bs::ReportSolvency {
            reporter: ctx.accounts.reporter.to_account_info(),
            vault: ctx.accounts.vault.to_account_info(),
            price_update: ctx.accounts.price_update.to_account_info(),
            depeg_price_update: ctx
                .accounts
                .depeg_price_update
                .as_ref()
                .map(|a| a.to_account_info()),
            event_authority: ctx.accounts.backstop_event_authority.to_account_info(),
            program: ctx.accounts.backstop_program.to_account_info(),
        };
        let signer = &[seeds];
        let cpi =
            CpiContext::new_with_signer(ctx.accounts.backstop_program.key(), accounts, signer);
        backstop::cpi::report_solvency(
            cpi,
            ReportSolvencyArgs {
                collateral_amount: m.collateral_amount,
                liabilities: m.liabilities,
            },
        )
    }

    /// Triggers Backstop's release on one series, as the keeper, signed by the reporter PDA.
    pub fn trigger_backstop(ctx: Context<TriggerBackstop>) -> Result<()> {
        let seeds: &[&[u8]] = &[REPORTER_SEED, &[ctx.accounts.market.reporter_bump]];
        let a = &ctx.accounts;
        let accounts = bs::Trigger {
            keeper: a.reporter.to_account_info(),
            vault: a.vault.to_account_info(),
            series: a.series.to_account_info(),
            escrow: a.escrow.to_account_info(),
            recovery: a.recovery.to_account_info(),
            reserve: a.reserve.to_account_info(),
            keeper_token: a.keeper_token.to_account_info(),
            price_update: a.price_update.to_account_info(),
            depeg_price_update: a.depeg_price_update.as_ref().map(|x| x.to_account_info()),
            quote_mint: a.quote_mint.to_account_info(),
            token_program: a.token_program.to_account_info(),
            event_authority: a.backstop_event_authority.to_account_info(),
            program: a.backstop_program.to_account_info(),
        };
        let signer = &[seeds];
        backstop::cpi::trigger(CpiContext::new_with_signer(
            a.backstop_program.key(),
            accounts,
            signer,
        ))
    }

    /// A liquidation: the liquidator repays `repaid` of a bad loan and takes `seized`
    /// collateral, then the backstop is asked for what it owes by `try_release`, which never
    /// reverts because of the backstop's state (no confirmed breach, out of the money, cap
    /// spent...): the liquidation always goes through, and capital arrives only when due.
    pub fn liquidate(ctx: Context<Liquidate>, seized: u64, repaid: u64) -> Result<()> {
        let market = &mut ctx.accounts.market;
        market.collateral_amount = market
            .collateral_amount
            .checked_sub(seized)
            .ok_or(LenderError::NotEnoughCollateral)?;
        market.liabilities = market
            .liabilities
            .checked_sub(repaid)
            .ok_or(LenderError::RepaysTooMuch)?;
        let seeds: &[&[u8]] = &[REPORTER_SEED, &[market.reporter_bump]];
        let a = &ctx.accounts;
        let accounts = bs::TryRelease {
            keeper: a.reporter.to_account_info(),
            vault: a.vault.to_account_info(),
            series: a.series.to_account_info(),
            escrow: a.escrow.to_account_info(),
            recovery: a.recovery.to_account_info(),
            reserve: a.reserve.to_account_info(),
            keeper_token: a.keeper_token.to_account_info(),
            price_update: a.price_update.to_account_info(),
            depeg_price_update: a.depeg_price_update.as_ref().map(|x| x.to_account_info()),
            quote_mint: a.quote_mint.to_account_info(),
            token_program: a.token_program.to_account_info(),
            event_authority: a.backstop_event_authority.to_account_info(),
            program: a.backstop_program.to_account_info(),
        };
        let signer = &[seeds];
        let outcome = backstop::cpi::try_release(CpiContext::new_with_signer(
            a.backstop_program.key(),
            accounts,
            signer,
        ))?
        .get();
        let market = &mut ctx.accounts.market;
        market.liquidations = market.liquidations.saturating_add(1);
        market.backstop_released = market.backstop_released.saturating_add(outcome.payout);
        market.last_release = Some(outcome.status);
        Ok(())
    }

    /// A liquidation that sells the seized collateral to the backstop at the strike (a physical
    /// delivery series) instead of dumping it into a falling market: books the seizure and the
    /// repayment, then delivers `seized` from the reporter's collateral account by CPI. The
    /// strike's worth lands in the vault's recovery account (`draw_recovery`). Reverts when the
    /// backstop cannot take delivery now (no confirmed breach before expiry): the collateral
    /// then stays with the market.
    pub fn liquidate_by_delivery(
        ctx: Context<LiquidateByDelivery>,
        seized: u64,
        repaid: u64,
    ) -> Result<()> {
        let market = &mut ctx.accounts.market;
        market.collateral_amount = market
            .collateral_amount
            .checked_sub(seized)
            .ok_or(LenderError::NotEnoughCollateral)?;
        market.liabilities = market
            .liabilities
            .checked_sub(repaid)
            .ok_or(LenderError::RepaysTooMuch)?;
        let seeds: &[&[u8]] = &[REPORTER_SEED, &[market.reporter_bump]];
        let a = &ctx.accounts;
        let accounts = bs::DeliverCollateral {
            payer: a.liquidator.to_account_info(),
            deliverer: a.reporter.to_account_info(),
            vault: a.vault.to_account_info(),
            series: a.series.to_account_info(),
            collateral: a.collateral.to_account_info(),
            deliverer_collateral: a.seized_collateral.to_account_info(),
            escrow: a.escrow.to_account_info(),
            put_mint: a.put_mint.to_account_info(),
            holder: a.holder.to_account_info(),
            recovery: a.recovery.to_account_info(),
            collateral_mint: a.collateral_mint.to_account_info(),
            quote_mint: a.quote_mint.to_account_info(),
            token_program: a.token_program.to_account_info(),
            system_program: a.system_program.to_account_info(),
            event_authority: a.backstop_event_authority.to_account_info(),
            program: a.backstop_program.to_account_info(),
        };
        let signer = &[seeds];
        backstop::cpi::deliver_collateral(
            CpiContext::new_with_signer(a.backstop_program.key(), accounts, signer),
            seized,
        )?;
        let market = &mut ctx.accounts.market;
        market.liquidations = market.liquidations.saturating_add(1);
        market.delivered_to_backstop = market.delivered_to_backstop.saturating_add(seized);
        Ok(())
    }

    /// Creates the market's Backstop vault, with this program's vault-authority PDA as its
    /// authority (so the market draws released capital itself) and its reporter PDA as reporter.
    pub fn create_backstop_vault(
        ctx: Context<CreateBackstopVault>,
        args: CreateVaultArgs,
    ) -> Result<()> {
        let seeds: &[&[u8]] = &[VAULT_AUTHORITY_SEED, &[ctx.bumps.vault_authority]];
        let a = &ctx.accounts;
        let accounts = bs::CreateVault {
            payer: a.payer.to_account_info(),
            authority: a.vault_authority.to_account_info(),
            config: a.config.to_account_info(),
            vault: a.vault.to_account_info(),
            quote_mint: a.quote_mint.to_account_info(),
            reserve: a.reserve.to_account_info(),
            recovery: a.recovery.to_account_info(),
            token_program: a.token_program.to_account_info(),
            system_program: a.system_program.to_account_info(),
            // Cash series only (physical delivery needs the collateral mint).
            collateral_mint: None,
            event_authority: a.backstop_event_authority.to_account_info(),
            program: a.backstop_program.to_account_info(),
        };
        let signer = &[seeds];
        backstop::cpi::create_vault(
            CpiContext::new_with_signer(a.backstop_program.key(), accounts, signer),
            args,
        )
    }

    /// Draws `amount` of released capital from the vault's recovery account into the market's
    /// treasury (any token account of the quote mint), signed by the vault-authority PDA.
    pub fn draw_recovery(ctx: Context<DrawRecovery>, amount: u64) -> Result<()> {
        let seeds: &[&[u8]] = &[VAULT_AUTHORITY_SEED, &[ctx.bumps.vault_authority]];
        let a = &ctx.accounts;
        let accounts = bs::WithdrawRecovery {
            authority: a.vault_authority.to_account_info(),
            vault: a.vault.to_account_info(),
            recovery: a.recovery.to_account_info(),
            destination: a.treasury.to_account_info(),
            quote_mint: a.quote_mint.to_account_info(),
            token_program: a.token_program.to_account_info(),
            event_authority: a.backstop_event_authority.to_account_info(),
            program: a.backstop_program.to_account_info(),
        };
        let signer = &[seeds];
        backstop::cpi::withdraw_recovery(
            CpiContext::new_with_signer(a.backstop_program.key(), accounts, signer),
            amount,
        )
    }
}

// The generated status is a one-byte Borsh enum.
impl anchor_lang::Space for ReleaseStatus {
    const INIT_SPACE: usize = 1;
}

#[account]
#[derive(InitSpace)]
pub struct Market {
    pub admin: Pubkey,
    /// Collateral held, collateral base units.
    pub collateral_amount: u64,
    /// Owed to depositors, quote base units.
    pub liabilities: u64,
    pub bump: u8,
    pub reporter_bump: u8,
    /// Liquidations run, and what the backstop released during them (quote base units).
    pub liquidations: u64,
    pub backstop_released: u64,
    /// What the backstop said at the latest liquidation (`None` before the first).
    pub last_release: Option<ReleaseStatus>,
    /// Collateral sold to the backstop at the strike (physical delivery), base units.
    pub delivered_to_backstop: u64,
}

#[derive(Accounts)]
pub struct Initialize<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(init, payer = admin, space = 8 + Market::INIT_SPACE, seeds = [MARKET_SEED], bump)]
    pub market: Account<'info, Market>,
    /// CHECK: the reporter PDA; only its bump is recorded.
    #[account(seeds = [REPORTER_SEED], bump)]
    pub reporter: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

#[derive(Accounts)]
pub struct SetBooks<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [MARKET_SEED], bump = market.bump, has_one = admin @ LenderError::NotAdmin)]
    pub market: Account<'info, Market>,
}

#[derive(Accounts)]
pub struct ReportToBackstop<'info> {
    #[account(seeds = [MARKET_SEED], bump = market.bump)]
    pub market: Account<'info, Market>,
    /// CHECK: this program's reporter PDA, signs the CPI.
    #[account(seeds = [REPORTER_SEED], bump = market.reporter_bump)]
    pub reporter: UncheckedAccount<'info>,
    /// CHECK: the Backstop vault; Backstop checks the reporter against it.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: validated by Backstop's oracle module.
    pub price_update: UncheckedAccount<'info>,
    /// CHECK: validated by Backstop's oracle module.
    pub depeg_price_update: Option<UncheckedAccount<'info>>,
    /// CHECK: Backstop's event authority, checked by Backstop.
    pub backstop_event_authority: UncheckedAccount<'info>,
    pub backstop_program: Program<'info, Backstop>,
}

#[derive(Accounts)]
pub struct TriggerBackstop<'info> {
    #[account(seeds = [MARKET_SEED], bump = market.bump)]
    pub market: Account<'info, Market>,
    /// CHECK: this program's reporter PDA, signs the CPI as Backstop's keeper.
    #[account(seeds = [REPORTER_SEED], bump = market.reporter_bump)]
    pub reporter: UncheckedAccount<'info>,
    /// CHECK: every account below is validated by Backstop's `trigger`.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: see above.
    #[account(mut)]
    pub series: UncheckedAccount<'info>,
    /// CHECK: see above.
    #[account(mut)]
    pub escrow: UncheckedAccount<'info>,
    /// CHECK: see above.
    #[account(mut)]
    pub recovery: UncheckedAccount<'info>,
    /// CHECK: see above.
    #[account(mut)]
    pub reserve: UncheckedAccount<'info>,
    /// CHECK: see above.
    #[account(mut)]
    pub keeper_token: UncheckedAccount<'info>,
    /// CHECK: see above.
    pub price_update: UncheckedAccount<'info>,
    /// CHECK: see above.
    pub depeg_price_update: Option<UncheckedAccount<'info>>,
    /// CHECK: see above.
    pub quote_mint: UncheckedAccount<'info>,
    /// CHECK: see above.
    pub token_program: UncheckedAccount<'info>,
    /// CHECK: Backstop's event authority, checked by Backstop.
    pub backstop_event_authority: UncheckedAccount<'info>,
    pub backstop_program: Program<'info, Backstop>,
}

#[derive(Accounts)]
pub struct Liquidate<'info> {
    pub liquidator: Signer<'info>,
    #[account(mut, seeds = [MARKET_SEED], bump = market.bump)]
    pub market: Account<'info, Market>,
    /// CHECK: this program's reporter PDA, signs the CPI as Backstop's caller (no tip).
    #[account(seeds = [REPORTER_SEED], bump = market.reporter_bump)]
    pub reporter: UncheckedAccount<'info>,
    /// CHECK: every account below is validated by Backstop's `try_release`.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: see above.
    #[account(mut)]
    pub series: UncheckedAccount<'info>,
    /// CHECK: see above.
    #[account(mut)]
    pub escrow: UncheckedAccount<'info>,
    /// CHECK: see above.
    #[account(mut)]
    pub recovery: UncheckedAccount<'info>,
    /// CHECK: see above.
    #[account(mut)]
    pub reserve: UncheckedAccount<'info>,
    /// CHECK: see above.
    #[account(mut)]
    pub keeper_token: UncheckedAccount<'info>,
    /// CHECK: see above.
    pub price_update: UncheckedAccount<'info>,
    /// CHECK: see above.
    pub depeg_price_update: Option<UncheckedAccount<'info>>,
    /// CHECK: see above.
    pub quote_mint: UncheckedAccount<'info>,
    /// CHECK: see above.
    pub token_program: UncheckedAccount<'info>,
    /// CHECK: Backstop's event authority, checked by Backstop.
    pub backstop_event_authority: UncheckedAccount<'info>,
    pub backstop_program: Program<'info, Backstop>,
}

#[derive(Accounts)]
pub struct LiquidateByDelivery<'info> {
    /// Runs the liquidation; pays the rent of the series' collateral account at the first
    /// delivery.
    #[account(mut)]
    pub liquidator: Signer<'info>,
    #[account(mut, seeds = [MARKET_SEED], bump = market.bump)]
    pub market: Account<'info, Market>,
    /// CHECK: this program's reporter PDA, signs the CPI as the vault's reporter (the deliverer).
    #[account(seeds = [REPORTER_SEED], bump = market.reporter_bump)]
    pub reporter: UncheckedAccount<'info>,
    /// CHECK: the seized collateral; Backstop requires it to be the deliverer's (this
    /// reporter PDA's) account of the vault's collateral mint.
    #[account(mut)]
    pub seized_collateral: UncheckedAccount<'info>,
    /// CHECK: every account below is validated by Backstop's `deliver_collateral`.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: see above.
    #[account(mut)]
    pub series: UncheckedAccount<'info>,
    /// CHECK: see above.
    #[account(mut)]
    pub collateral: UncheckedAccount<'info>,
    /// CHECK: see above.
    #[account(mut)]
    pub escrow: UncheckedAccount<'info>,
    /// CHECK: see above.
    #[account(mut)]
    pub put_mint: UncheckedAccount<'info>,
    /// CHECK: see above.
    #[account(mut)]
    pub holder: UncheckedAccount<'info>,
    /// CHECK: see above.
    #[account(mut)]
    pub recovery: UncheckedAccount<'info>,
    /// CHECK: see above.
    pub collateral_mint: UncheckedAccount<'info>,
    /// CHECK: see above.
    pub quote_mint: UncheckedAccount<'info>,
    /// CHECK: see above.
    pub token_program: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
    /// CHECK: Backstop's event authority, checked by Backstop.
    pub backstop_event_authority: UncheckedAccount<'info>,
    pub backstop_program: Program<'info, Backstop>,
}

#[derive(Accounts)]
pub struct CreateBackstopVault<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(seeds = [MARKET_SEED], bump = market.bump, has_one = admin @ LenderError::NotAdmin)]
    pub market: Account<'info, Market>,
    pub admin: Signer<'info>,
    /// CHECK: this program's vault-authority PDA, signs the CPI as the vault's authority.
    #[account(seeds = [VAULT_AUTHORITY_SEED], bump)]
    pub vault_authority: UncheckedAccount<'info>,
    /// CHECK: every account below is validated by Backstop's `create_vault`.
    pub config: UncheckedAccount<'info>,
    /// CHECK: see above.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: see above.
    pub quote_mint: UncheckedAccount<'info>,
    /// CHECK: see above.
    #[account(mut)]
    pub reserve: UncheckedAccount<'info>,
    /// CHECK: see above.
    #[account(mut)]
    pub recovery: UncheckedAccount<'info>,
    /// CHECK: see above.
    pub token_program: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
    /// CHECK: Backstop's event authority, checked by Backstop.
    pub backstop_event_authority: UncheckedAccount<'info>,
    pub backstop_program: Program<'info, Backstop>,
}

#[derive(Accounts)]
pub struct DrawRecovery<'info> {
    #[account(seeds = [MARKET_SEED], bump = market.bump, has_one = admin @ LenderError::NotAdmin)]
    pub market: Account<'info, Market>,
    pub admin: Signer<'info>,
    /// CHECK: this program's vault-authority PDA, signs the CPI as the vault's authority.
    #[account(seeds = [VAULT_AUTHORITY_SEED], bump)]
    pub vault_authority: UncheckedAccount<'info>,
    /// CHECK: every account below is validated by Backstop's `withdraw_recovery`.
    pub vault: UncheckedAccount<'info>,
    /// CHECK: see above.
    #[account(mut)]
    pub recovery: UncheckedAccount<'info>,
    /// CHECK: see above (any token account of the quote mint).
    #[account(mut)]
    pub treasury: UncheckedAccount<'info>,
    /// CHECK: see above.
    pub quote_mint: UncheckedAccount<'info>,
    /// CHECK: see above.
    pub token_program: UncheckedAccount<'info>,
    /// CHECK: Backstop's event authority, checked by Backstop.
    pub backstop_event_authority: UncheckedAccount<'info>,
    pub backstop_program: Program<'info, Backstop>,
}

#[error_code]
pub enum LenderError {
    #[msg("Signer is not the market admin")]
    NotAdmin,
    #[msg("The liquidation seizes more collateral than the market holds")]
    NotEnoughCollateral,
    #[msg("The liquidation repays more than the market owes")]
    RepaysTooMuch,
}
