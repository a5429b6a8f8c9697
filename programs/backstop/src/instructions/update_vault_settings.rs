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
/// can move writers' escrow or the committed reserve. While writers' capital is in escrow the
/// triggers may only be loosened (writers priced their puts against them), and any trigger
/// change restarts the breach state.
#[event_cpi]
#[derive(Accounts)]
pub struct UpdateVaultSettings<'info> {
    pub authority: Signer<'info>,

    #[account(mut, dup, has_one = authority @ BackstopError::NotVaultAuthority)]
    pub vault: Box<Account<'info, Vault>>,
}

/// Whether `new` could fire where `old` would not: a higher price level, a higher ratio
/// threshold, an older report accepted, a shorter persistence, or a trigger switched on.
pub fn tightens(old: &TriggerSettings, new: &TriggerSettings) -> bool {
    new.barrier_price > old.barrier_price
        || new.ratio_threshold_bps > old.ratio_threshold_bps
        || new.max_report_age_secs > old.max_report_age_secs
        || new.joint_collateral_price > old.joint_collateral_price
        || new.depeg_price > old.depeg_price
        || new.persistence_secs < old.persistence_secs
}

impl UpdateVaultSettings<'_> {
    pub fn validate(&self, args: &UpdateVaultSettingsArgs) -> Result<()> {
        let vault = &self.vault;
        require!(
            vault.totals.escrowed == 0 || !tightens(&vault.trigger, &args.trigger),
            BackstopError::TriggerTightened
        );
        validate_settings(&CreateVaultArgs {
            reporter: vault.reporter,
            risk_authority: vault.risk_authority,
            collateral_decimals: vault.collateral_decimals,
            oracle: vault.oracle,
            trigger: args.trigger,
            pricing: args.pricing,
            release: args.release,
        })
    }
}

pub fn handler(ctx: Context<UpdateVaultSettings>, args: UpdateVaultSettingsArgs) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let vault = &mut ctx.accounts.vault;
    if vault.trigger != args.trigger {
        // A breach seen under other rules does not count under these.
        vault.breach.first_seen = 0;
        vault.breach.first_seen_clock = 0;
        vault.breach.confirmed_at = 0;
        vault.breach.last_breached = 0;
    }
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
