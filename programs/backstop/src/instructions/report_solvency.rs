use anchor_lang::prelude::*;

use crate::{
    errors::BackstopError,
    events::{BreachObserved, SolvencyReported},
    solvency,
    state::{SolvencyReport, Vault},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportSolvencyArgs {
    /// Collateral the protocol holds, collateral base units.
    pub collateral_amount: u64,
    /// What the protocol owes, quote base units.
    pub liabilities: u64,
}

/// The protected protocol's reporter (fixed at vault creation; typically a PDA signing by CPI)
/// reports its balance sheet; the report is observed at once. Never paused.
#[event_cpi]
#[derive(Accounts)]
pub struct ReportSolvency<'info> {
    pub reporter: Signer<'info>,

    #[account(mut, dup, has_one = reporter @ BackstopError::NotReporter)]
    pub vault: AccountLoader<'info, Vault>,

    /// CHECK: the collateral `PriceUpdateV2`, validated by `oracle::read_price`.
    pub price_update: UncheckedAccount<'info>,

    /// CHECK: the stablecoin `PriceUpdateV2` (joint depeg trigger only), validated likewise.
    pub depeg_price_update: Option<UncheckedAccount<'info>>,
}

pub fn handler(ctx: Context<ReportSolvency>, args: ReportSolvencyArgs) -> Result<()> {
    require!(args.liabilities > 0, BackstopError::InvalidSolvencyReport);
    let now = Clock::get()?.unix_timestamp;
    let depeg = ctx
        .accounts
        .depeg_price_update
        .as_ref()
        .map(|a| a.to_account_info());
    let price_account = ctx.accounts.price_update.to_account_info();
    let vault_key = ctx.accounts.vault.key();
    let vault = &mut *ctx.accounts.vault.load_mut()?;
    vault.report = SolvencyReport {
        collateral_amount: args.collateral_amount,
        liabilities: args.liabilities,
        reported_at: now,
    };
    // A stale collateral feed still records the report: the ratio trigger is only undecided.
    let observed = solvency::observe(vault, &price_account, depeg.as_ref(), now)?;
    let ratio_bps = match observed.price {
        Some(p) => solvency::solvency_ratio_bps(vault, p.price)?,
        None => 0,
    };
    let reported = SolvencyReported {
        vault: vault_key,
        collateral_amount: args.collateral_amount,
        liabilities: args.liabilities,
        ratio_bps,
    };
    let observed = BreachObserved::new(vault, vault_key, &observed);
    emit_cpi!(reported);
    emit_cpi!(observed);
    Ok(())
}
