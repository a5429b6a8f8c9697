//! Backstop: an options-based liquidity backstop.
//!
//! A protected protocol funds a premium reserve; market makers write cash-settled puts on its
//! collateral against escrowed quote capital; when the protocol's solvency threshold is breached
//! the in-the-money puts are exercised and the released capital goes to the protocol.
//! `lib.rs` only dispatches: every instruction lives in its own file under `instructions/`.
#![allow(unexpected_cfgs)]

#[cfg(target_arch = "bpf")]
use solana_compiler_builtins as _;

use anchor_lang::prelude::*;

pub mod compute_units;
pub mod constants;
pub mod errors;
pub mod events;
pub mod guards;
pub mod instructions;
pub mod math;
pub mod oracle;
pub mod solvency;
pub mod state;
pub mod units;

#[cfg(test)]
mod money_tests;

use instructions::*;
use state::LadderTemplate;

// Read by explorers and `query-security-txt`: who to tell about a vulnerability, and how.
// SECURITY.md is the policy; deployers set the contact before a mainnet deployment.
#[cfg(not(feature = "no-entrypoint"))]
solana_security_txt::security_txt! {
    name: "Backstop",
    project_url: "private",
    contacts: "email:security@backstop.invalid",
    policy: "Report privately to the contact above; never test on mainnet. See SECURITY.md in the source repository: scope, response times, disclosure.",
    preferred_languages: "en",
    auditors: "None yet"
}

declare_id!("8iGtDoQSrt2hGK6eiQFth9cQWtdeS7TGQnnyrB9iGKn7");

#[program]
pub mod backstop {
    use super::*;

    /// Creates the global config. Only the program's upgrade authority may call it, so nobody can
    /// front-run the deployment and make themselves admin.
    pub fn initialize_config(
        ctx: Context<InitializeConfig>,
        args: InitializeConfigArgs,
    ) -> Result<()> {
        instructions::initialize_config::handler(ctx, args)
    }

    /// Prices a put with the on-chain engine and returns the quote; changes nothing.
    pub fn quote_premium(
        ctx: Context<QuotePremium>,
        args: QuotePremiumArgs,
    ) -> Result<PremiumQuoteResult> {
        instructions::quote_premium::handler(ctx, args)
    }

    /// Reads the vault's collateral price with its oracle rules and returns it; changes
    /// nothing.
    pub fn check_price(ctx: Context<CheckPrice>) -> Result<CheckedPrice> {
        instructions::check_price::handler(ctx)
    }

    /// The protected protocol creates its backstop vault for one collateral feed and quote mint.
    pub fn create_vault(ctx: Context<CreateVault>, args: CreateVaultArgs) -> Result<()> {
        instructions::create_vault::handler(ctx, args)
    }

    /// Adds quote tokens to a vault's premium reserve.
    pub fn fund_reserve(ctx: Context<FundReserve>, amount: u64) -> Result<()> {
        instructions::fund_reserve::handler(ctx, amount)
    }

    /// The vault authority withdraws reserve no open series has been promised.
    pub fn withdraw_reserve(ctx: Context<WithdrawReserve>, amount: u64) -> Result<()> {
        instructions::withdraw_reserve::handler(ctx, amount)
    }

    /// The vault authority draws released capital from the vault's recovery account.
    pub fn withdraw_recovery(ctx: Context<WithdrawRecovery>, amount: u64) -> Result<()> {
        instructions::withdraw_recovery::handler(ctx, amount)
    }

    /// The risk authority opens a put series and commits its premium budget.
    pub fn open_series(ctx: Context<OpenSeries>, args: OpenSeriesArgs) -> Result<()> {
        instructions::open_series::handler(ctx, args)
    }

    /// The risk authority sets the vault's ladder template (continuous coverage), behind the
    /// settings timelock unless the ladder is stopped.
    pub fn set_ladder(ctx: Context<SetLadder>, template: LadderTemplate) -> Result<()> {
        instructions::set_ladder::handler(ctx, template)
    }

    /// Permissionless: opens a ladder rung's next series when the previous one is within the
    /// overlap window of expiry (strike from the validated oracle price).
    pub fn roll_series(ctx: Context<RollSeries>, args: RollSeriesArgs) -> Result<()> {
        instructions::roll_series::handler(ctx, args)
    }

    /// A market maker writes puts on an open series at the on-chain premium.
    pub fn write_put(ctx: Context<WritePut>, args: WritePutArgs) -> Result<()> {
        instructions::write_put::handler(ctx, args)
    }

    /// Permissionless: records one observation of the vault's solvency triggers.
    pub fn observe_breach(ctx: Context<ObserveBreach>) -> Result<()> {
        instructions::observe_breach::handler(ctx)
    }

    /// The protected protocol's reporter reports collateral and liabilities (usually by CPI).
    pub fn report_solvency(ctx: Context<ReportSolvency>, args: ReportSolvencyArgs) -> Result<()> {
        instructions::report_solvency::handler(ctx, args)
    }

    /// Releases capital from one series once a breach is confirmed (keeper tip paid).
    pub fn trigger(ctx: Context<Trigger>) -> Result<()> {
        instructions::trigger::handler(ctx)
    }

    /// `trigger` for callers that must not revert (a liquidation, by CPI): releases when a step
    /// is due, otherwise moves nothing and returns why.
    pub fn try_release(ctx: Context<Trigger>) -> Result<ReleaseOutcome> {
        instructions::try_release::handler(ctx)
    }

    /// Read-only: what `try_release` by `caller` would do now; changes nothing.
    pub fn release_status(
        ctx: Context<ReleaseStatusView>,
        caller: Pubkey,
    ) -> Result<ReleaseOutcome> {
        instructions::release_status::handler(ctx, caller)
    }

    /// Permissionless cash settlement of an expired series from the first update at/after
    /// expiry.
    pub fn settle_series(ctx: Context<SettleSeries>) -> Result<()> {
        instructions::settle_series::handler(ctx)
    }

    /// The protected protocol (reporter by CPI, or vault authority) sells `size` collateral to a
    /// physical delivery series at the strike: collateral in, strike x size out of the escrow
    /// to the recovery account, put tokens burned.
    pub fn deliver_collateral(ctx: Context<DeliverCollateral>, size: u64) -> Result<()> {
        instructions::deliver_collateral::handler(ctx, size)
    }

    /// Permissionless: returns a writer's escrow minus its share of payouts and closes the
    /// position.
    pub fn reclaim(ctx: Context<Reclaim>) -> Result<()> {
        instructions::reclaim::handler(ctx)
    }

    /// Permissionless: once settled and fully reclaimed, sweeps dust to the reserve and closes
    /// the series' accounts (rent to the vault authority).
    pub fn close_series(ctx: Context<CloseSeries>) -> Result<()> {
        instructions::close_series::handler(ctx)
    }

    /// The admin pauses or resumes risk-adding operations.
    pub fn set_pause_flags(ctx: Context<SetPauseFlags>, pause_flags: u32) -> Result<()> {
        instructions::set_pause_flags::handler(ctx, pause_flags)
    }

    /// The vault authority proposes trigger, pricing and release settings within bounds; the
    /// same call after the vault's timelock applies them.
    pub fn update_vault_settings(
        ctx: Context<UpdateVaultSettings>,
        args: UpdateVaultSettingsArgs,
    ) -> Result<()> {
        instructions::update_vault_settings::handler(ctx, args)
    }

    /// Read-only: coverage, premium paid, released and the coverage ratio of a vault.
    pub fn get_vault_strength(ctx: Context<GetVaultStrength>) -> Result<VaultStrength> {
        instructions::vault_strength::handler(ctx)
    }
}
