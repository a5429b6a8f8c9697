use anchor_lang::prelude::*;

use crate::{
    errors::BackstopError,
    events::VaultSettingsUpdated,
    instructions::create_vault::{validate_settings, CreateVaultArgs},
    state::{PricingSettings, ReleaseSettings, TriggerSettings, Vault},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpdateVaultSettingsArgs {
    pub trigger: TriggerSettings,
    pub pricing: PricingSettings,
    pub release: ReleaseSettings,
}

/// The vault authority changes trigger, pricing and release settings within the same bounds as
/// at creation. Parties, mints, feeds and the recovery account never change, and no setting
/// can move writers' escrow or the committed reserve.
#[event_cpi]
#[derive(Accounts)]
pub struct UpdateVaultSettings<'info> {
    pub authority: Signer<'info>,

    #[account(mut, has_one = authority @ BackstopError::NotVaultAuthority)]
    pub vault: Box<Account<'info, Vault>>,
}

pub fn handler(ctx: Context<UpdateVaultSettings>, args: UpdateVaultSettingsArgs) -> Result<()> {
    let vault = &mut ctx.accounts.vault;
    validate_settings(&CreateVaultArgs {
        reporter: vault.reporter,
        risk_authority: vault.risk_authority,
        collateral_decimals: vault.collateral_decimals,
        oracle: vault.oracle,
        trigger: args.trigger,
        pricing: args.pricing,
        release: args.release,
    })?;
    vault.trigger = args.trigger;
    vault.pricing = args.pricing;
    vault.release = args.release;
    let event = VaultSettingsUpdated {
        vault: vault.key(),
        trigger: args.trigger,
        pricing: args.pricing,
        release: args.release,
    };
    emit_cpi!(event);
    Ok(())
}
