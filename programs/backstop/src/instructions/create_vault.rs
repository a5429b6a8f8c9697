use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::{
    constants::*,
    errors::BackstopError,
    events::VaultCreated,
    math::{MAX_CONF_MULTIPLIER_BPS, MAX_RATE, MAX_TAIL_LOADING_BPS, MIN_TAIL_LOADING_BPS},
    state::{
        pause, Config, OracleSettings, PricingSettings, ReleaseSettings, TriggerSettings, Vault,
    },
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct CreateVaultArgs {
    /// Signs solvency reports and may trigger by CPI (e.g. a PDA of the protocol's program).
    pub reporter: Pubkey,
    /// Opens put series.
    pub risk_authority: Pubkey,
    /// Decimals of the collateral (and of every put token of the vault).
    pub collateral_decimals: u8,
    pub oracle: OracleSettings,
    pub trigger: TriggerSettings,
    pub pricing: PricingSettings,
    pub release: ReleaseSettings,
    /// Delay between proposing and applying new settings, seconds (1 hour to 7 days).
    pub settings_timelock_secs: u32,
    /// Push-oracle shard of `oracle.collateral_price_account` when it is pinned (checked here,
    /// not stored: the pin is the derived address).
    pub collateral_price_shard: u16,
    /// Push-oracle shard of `oracle.depeg_price_account` when it is pinned.
    pub depeg_price_shard: u16,
}

#[event_cpi]
#[derive(Accounts)]
#[instruction(args: CreateVaultArgs)]
pub struct CreateVault<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,

    /// The protected protocol's authority over this vault.
    pub authority: Signer<'info>,

    #[account(address = CONFIG_ADDRESS @ BackstopError::WrongConfig)]
    pub config: Account<'info, Config>,

    #[account(
        init,
        payer = payer,
        space = Vault::SPACE,
        seeds = [VAULT_SEED, authority.key().as_ref(), quote_mint.key().as_ref(), args.oracle.collateral_feed.as_ref()],
        bump,
    )]
    pub vault: AccountLoader<'info, Vault>,

    /// Classic SPL Token mints only: Token-2022 extensions (transfer fees, hooks) would break
    /// the escrow accounting, and the owner check rejects them.
    pub quote_mint: Box<Account<'info, Mint>>,

    #[account(
        init,
        payer = payer,
        seeds = [RESERVE_SEED, vault.key().as_ref()],
        bump,
        token::mint = quote_mint,
        token::authority = vault,
        token::token_program = token_program,
    )]
    pub reserve: Box<Account<'info, TokenAccount>>,

    /// Where released capital lands: a vault-owned account the protocol draws from
    /// (`withdraw_recovery`), so the protocol cannot block releases or settlements by closing
    /// or freezing an account of its own.
    #[account(
        init,
        payer = payer,
        seeds = [RECOVERY_SEED, vault.key().as_ref()],
        bump,
        token::mint = quote_mint,
        token::authority = vault,
        token::token_program = token_program,
    )]
    pub recovery: Box<Account<'info, TokenAccount>>,

    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,

    /// The collateral's SPL mint: given, the vault may open physical delivery series (its
    /// decimals must be `collateral_decimals`); omitted, cash series only.
    pub collateral_mint: Option<Box<Account<'info, Mint>>>,
}

impl CreateVault<'_> {
    pub fn validate(&self, args: &CreateVaultArgs) -> Result<()> {
        require!(
            !self.config.is_paused(pause::CREATE_VAULT),
            BackstopError::OperationPaused
        );
        if let Some(mint) = &self.collateral_mint {
            require_keys_neq!(
                mint.key(),
                self.quote_mint.key(),
                BackstopError::WrongCollateralMint
            );
            require!(
                mint.decimals == args.collateral_decimals,
                BackstopError::CollateralDecimalsMismatch
            );
        }
        require_keys_eq!(
            args.oracle.receiver,
            self.config.pyth_receiver,
            BackstopError::UntrustedOracleReceiver
        );
        // Strikes and prices share one 1e-12 scale: a finer quote mint cannot be priced.
        require!(
            i32::from(self.quote_mint.decimals) <= PRICE_DECIMALS,
            BackstopError::InvalidQuoteDecimals
        );
        require!(
            args.reporter != Pubkey::default() && args.risk_authority != Pubkey::default(),
            BackstopError::InvalidParty
        );
        validate_settings(args)?;
        let o = &args.oracle;
        let push_oracle = &self.config.pyth_push_oracle;
        require!(
            pin_is_sponsored(
                o.collateral_price_account,
                args.collateral_price_shard,
                &o.collateral_feed,
                push_oracle
            ) && pin_is_sponsored(
                o.depeg_price_account,
                args.depeg_price_shard,
                &o.depeg_feed,
                push_oracle
            ),
            BackstopError::InvalidPriceAccountPin
        );
        Ok(())
    }
}

/// A pin is unset, or the push oracle's sponsored account of `feed` on `shard`.
fn pin_is_sponsored(pin: Pubkey, shard: u16, feed: &[u8; 32], push_oracle: &Pubkey) -> bool {
    pin == Pubkey::default()
        || pin == Pubkey::find_program_address(&[&shard.to_le_bytes(), feed], push_oracle).0
}

/// Every bound on a vault's settings (shared with later parameter updates).
pub fn validate_settings(args: &CreateVaultArgs) -> Result<()> {
    let t = &args.trigger;
    let joint = t.joint_collateral_price > 0 && t.depeg_price > 0;
    require!(
        t.barrier_price > 0 || t.ratio_threshold_bps > 0 || joint,
        BackstopError::NoTriggerEnabled
    );
    require!(
        (MIN_PERSISTENCE_SECS..=MAX_PERSISTENCE_SECS).contains(&t.persistence_secs),
        BackstopError::InvalidPersistence
    );
    require!(
        t.ratio_threshold_bps == 0 || t.max_report_age_secs > 0,
        BackstopError::InvalidReportAge
    );
    let o = &args.oracle;
    require!(
        (1..=MAX_ORACLE_AGE_SECS).contains(&o.max_age_secs),
        BackstopError::InvalidOracleMaxAge
    );
    require!(
        (1..=MAX_CONF_CAP_BPS).contains(&o.max_conf_bps),
        BackstopError::InvalidConfidenceCap
    );
    let has_depeg_feed = o.depeg_feed != [0; 32] && o.depeg_feed != o.collateral_feed;
    require!(
        (t.depeg_price == 0 && t.joint_collateral_price == 0) || (joint && has_depeg_feed),
        BackstopError::InvalidDepegFeed
    );
    require!(
        o.depeg_price_account == Pubkey::default() || has_depeg_feed,
        BackstopError::InvalidPriceAccountPin
    );
    let p = &args.pricing;
    require!(
        (MIN_TAIL_LOADING_BPS..=MAX_TAIL_LOADING_BPS).contains(&u64::from(p.tail_loading_bps)),
        BackstopError::TailLoadingOutOfBounds
    );
    require!(
        u64::from(p.conf_multiplier_bps) <= MAX_CONF_MULTIPLIER_BPS
            && (0..=MAX_RATE).contains(&p.rate)
            && (1..=o.max_conf_bps).contains(&p.write_conf_bps),
        BackstopError::InvalidPricingSettings
    );
    let r = &args.release;
    // A tip never exceeds what the step that earns it releases.
    require!(
        r.cap_per_epoch > 0
            && r.epoch_secs >= MIN_RELEASE_EPOCH_SECS
            && r.keeper_tip <= r.min_tip_release
            && r.min_tip_release <= r.cap_per_epoch
            && (MIN_RELEASE_INTERVAL_SECS..=MAX_RELEASE_INTERVAL_SECS)
                .contains(&r.release_interval_secs),
        BackstopError::InvalidReleaseSettings
    );
    // A writer must never see a breach coming that the program cannot: writes close at least a
    // persistence window plus the oldest accepted update before expiry.
    let shortest_cutoff = t.persistence_secs.saturating_add(o.max_age_secs);
    require!(
        (shortest_cutoff..=MAX_WRITE_CUTOFF_SECS.max(shortest_cutoff))
            .contains(&r.write_cutoff_secs),
        BackstopError::WriteCutoffTooShort
    );
    require!(
        args.collateral_decimals <= MAX_COLLATERAL_DECIMALS,
        BackstopError::InvalidCollateralDecimals
    );
    require!(
        (MIN_SETTINGS_TIMELOCK_SECS..=MAX_SETTINGS_TIMELOCK_SECS)
            .contains(&args.settings_timelock_secs),
        BackstopError::InvalidSettingsTimelock
    );
    Ok(())
}

pub fn handler(ctx: Context<CreateVault>, args: CreateVaultArgs) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let now = Clock::get()?.unix_timestamp;
    let vault_key = ctx.accounts.vault.key();
    let mut vault = ctx.accounts.vault.load_init()?;
    // Field by field into the zeroed account: no 1 KiB temporary on the stack.
    vault.authority = ctx.accounts.authority.key();
    vault.reporter = args.reporter;
    vault.risk_authority = args.risk_authority;
    vault.quote_mint = ctx.accounts.quote_mint.key();
    vault.recovery = ctx.accounts.recovery.key();
    vault.reserve = ctx.accounts.reserve.key();
    vault.quote_decimals = ctx.accounts.quote_mint.decimals;
    vault.collateral_decimals = args.collateral_decimals;
    vault.collateral_mint = ctx
        .accounts
        .collateral_mint
        .as_ref()
        .map_or_else(Pubkey::default, |m| m.key());
    vault.oracle = args.oracle.into();
    vault.trigger = args.trigger.into();
    vault.pricing = args.pricing.into();
    vault.release = args.release.into();
    vault.epoch_start = now;
    vault.bump = ctx.bumps.vault;
    vault.reserve_bump = ctx.bumps.reserve;
    vault.settings_timelock_secs = args.settings_timelock_secs;
    let event = VaultCreated {
        vault: vault_key,
        authority: vault.authority,
        quote_mint: vault.quote_mint,
        collateral_feed: vault.oracle.collateral_feed,
        recovery: vault.recovery,
        reporter: vault.reporter,
        risk_authority: vault.risk_authority,
        collateral_mint: vault.collateral_mint,
    };
    drop(vault);
    emit_cpi!(event);
    Ok(())
}
