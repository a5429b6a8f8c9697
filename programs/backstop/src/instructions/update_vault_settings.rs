use anchor_lang::prelude::*;

use crate::{
    constants::*,
    errors::BackstopError,
    events::{VaultSettingsProposed, VaultSettingsUpdated},
    instructions::create_vault::{validate_settings, CreateVaultArgs},
    state::{
        PendingSettings, PricingSettings, ReleaseSettings, StoredPendingSettings, TriggerSettings,
        Vault,
    },
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpdateVaultSettingsArgs {
    pub trigger: TriggerSettings,
    pub pricing: PricingSettings,
    pub release: ReleaseSettings,
    pub settings_timelock_secs: u32,
}

/// The vault authority changes trigger, pricing and release settings (and the timelock itself)
/// within the same bounds as at creation, behind a timelock: the first call proposes the
/// settings; the same call with the same settings once `settings_timelock_secs` have passed
/// applies them (a different proposal replaces the pending one and restarts the clock). Each
/// pricing setting moves at most a bounded step per update. Parties, mints, feeds and the
/// recovery account never change, and no setting can move writers' escrow or the committed
/// reserve. While writers' capital is in escrow the triggers may only be loosened (writers
/// priced their puts against them; checked when proposing and again when applying), and any
/// trigger change restarts the breach state.
#[event_cpi]
#[derive(Accounts)]
pub struct UpdateVaultSettings<'info> {
    pub authority: Signer<'info>,

    #[account(mut, dup, has_one = authority @ BackstopError::NotVaultAuthority)]
    pub vault: AccountLoader<'info, Vault>,
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

/// Whether every pricing setting stays within its bounded step of the current one.
pub fn pricing_step_ok(old: &PricingSettings, new: &PricingSettings) -> bool {
    let floor_cap = old.min_premium.saturating_mul(2).max(MIN_FLOOR_STEP);
    old.tail_loading_bps.abs_diff(new.tail_loading_bps) <= MAX_LOADING_STEP_BPS
        && old.conf_multiplier_bps.abs_diff(new.conf_multiplier_bps) <= MAX_CONF_MULTIPLIER_STEP_BPS
        && old.rate.abs_diff(new.rate) <= MAX_RATE_STEP.unsigned_abs()
        && new.min_premium <= floor_cap
}

impl UpdateVaultSettings<'_> {
    pub fn validate(&self, args: &UpdateVaultSettingsArgs) -> Result<()> {
        let vault = self.vault.load()?;
        require!(
            vault.totals.escrowed == 0 || !tightens(&vault.trigger.into(), &args.trigger),
            BackstopError::TriggerTightened
        );
        require!(
            pricing_step_ok(&vault.pricing.into(), &args.pricing),
            BackstopError::PricingStepTooLarge
        );
        validate_settings(&CreateVaultArgs {
            reporter: vault.reporter,
            risk_authority: vault.risk_authority,
            collateral_decimals: vault.collateral_decimals,
            oracle: vault.oracle.into(),
            trigger: args.trigger,
            pricing: args.pricing,
            release: args.release,
            settings_timelock_secs: args.settings_timelock_secs,
            collateral_price_shard: 0,
            depeg_price_shard: 0,
        })
    }
}

fn proposal(args: &UpdateVaultSettingsArgs, effective_at: i64) -> PendingSettings {
    PendingSettings {
        trigger: args.trigger,
        pricing: args.pricing,
        release: args.release,
        settings_timelock_secs: args.settings_timelock_secs,
        effective_at,
    }
}

pub fn handler(ctx: Context<UpdateVaultSettings>, args: UpdateVaultSettingsArgs) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let now = Clock::get()?.unix_timestamp;
    let vault_key = ctx.accounts.vault.key();
    let vault = &mut *ctx.accounts.vault.load_mut()?;
    let pending = PendingSettings::from(vault.pending_settings);
    let same = pending.effective_at != 0 && proposal(&args, pending.effective_at) == pending;
    if !same {
        let effective_at = now
            .checked_add(i64::from(vault.settings_timelock_secs))
            .ok_or(BackstopError::MathOverflow)?;
        let pending = proposal(&args, effective_at);
        vault.pending_settings = pending.into();
        let event = VaultSettingsProposed {
            vault: vault_key,
            pending,
        };
        emit_cpi!(event);
        return Ok(());
    }
    require!(
        now >= pending.effective_at,
        BackstopError::SettingsTimelockNotElapsed
    );
    if TriggerSettings::from(vault.trigger) != args.trigger {
        // A breach seen under other rules does not count under these.
        vault.breach.restart();
    }
    vault.trigger = args.trigger.into();
    vault.pricing = args.pricing.into();
    vault.release = args.release.into();
    vault.settings_timelock_secs = args.settings_timelock_secs;
    vault.pending_settings = StoredPendingSettings::default();
    let event = VaultSettingsUpdated {
        vault: vault_key,
        trigger: args.trigger,
        pricing: args.pricing,
        release: args.release,
        settings_timelock_secs: args.settings_timelock_secs,
    };
    emit_cpi!(event);
    Ok(())
}
