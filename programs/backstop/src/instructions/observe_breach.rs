use anchor_lang::prelude::*;

use crate::{events::BreachObserved, solvency, state::Vault};

/// Permissionless: records one observation of the vault's triggers (keepers call it to start
/// and confirm the persistence window). Never paused.
#[event_cpi]
#[derive(Accounts)]
pub struct ObserveBreach<'info> {
    #[account(mut, dup)]
    pub vault: AccountLoader<'info, Vault>,

    /// CHECK: the collateral `PriceUpdateV2`, validated by `oracle::read_price`.
    pub price_update: UncheckedAccount<'info>,

    /// CHECK: the stablecoin `PriceUpdateV2` (joint depeg trigger only), validated likewise.
    pub depeg_price_update: Option<UncheckedAccount<'info>>,
}

pub fn handler(ctx: Context<ObserveBreach>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let depeg = ctx
        .accounts
        .depeg_price_update
        .as_ref()
        .map(|a| a.to_account_info());
    let price_account = ctx.accounts.price_update.to_account_info();
    let vault_key = ctx.accounts.vault.key();
    let vault = &mut *ctx.accounts.vault.load_mut()?;
    let observed = solvency::observe(vault, &price_account, depeg.as_ref(), now)?;
    let event = BreachObserved::new(vault, vault_key, &observed);
    emit_cpi!(event);
    Ok(())
}
