use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::{
    constants::*,
    errors::BackstopError,
    events::SeriesOpened,
    math::{SviParams, BPS, MAX_PREMIUM_FLOOR_BPS, MAX_TENOR_SECS},
    state::{
        pause, uncommitted_reserve, Config, Series, SeriesStatus, SeriesStyle, SettlementSource,
        SviSlice, Vault,
    },
    units,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenSeriesArgs {
    /// Quote base units per whole collateral unit.
    pub strike: u64,
    /// Unix time of expiry.
    pub expiry: i64,
    pub svi: SviSlice,
    /// Most collateral base units that may be written.
    pub size_cap: u64,
    /// Reserve committed to this series' premiums, quote base units.
    pub premium_budget: u64,
    /// Cash ratchet or physical delivery (the latter needs the vault's collateral mint).
    pub style: SeriesStyle,
}

/// The risk authority opens a strike/expiry: creates the series, its escrow, its put mint and
/// the holder account, and commits the premium budget out of the uncommitted reserve.
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: OpenSeriesArgs)]
pub struct OpenSeries<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,

    pub risk_authority: Signer<'info>,

    #[account(address = CONFIG_ADDRESS @ BackstopError::WrongConfig)]
    pub config: Account<'info, Config>,

    #[account(
        mut,
        dup,
        has_one = risk_authority @ BackstopError::NotRiskAuthority,
        has_one = reserve @ BackstopError::WrongReserveAccount,
        has_one = quote_mint @ BackstopError::WrongMint,
    )]
    pub vault: AccountLoader<'info, Vault>,

    pub reserve: Box<Account<'info, TokenAccount>>,

    #[account(
        init,
        payer = payer,
        space = Series::SPACE,
        seeds = [SERIES_SEED, vault.key().as_ref(), &args.strike.to_le_bytes(), &args.expiry.to_le_bytes()],
        bump,
    )]
    pub series: Box<Account<'info, Series>>,

    #[account(
        init,
        payer = payer,
        seeds = [ESCROW_SEED, series.key().as_ref()],
        bump,
        token::mint = quote_mint,
        token::authority = series,
        token::token_program = token_program,
    )]
    pub escrow: Box<Account<'info, TokenAccount>>,

    #[account(
        init,
        payer = payer,
        seeds = [PUT_MINT_SEED, series.key().as_ref()],
        bump,
        mint::decimals = vault.load()?.collateral_decimals,
        mint::authority = series,
        mint::freeze_authority = series,
        mint::token_program = token_program,
    )]
    pub put_mint: Box<Account<'info, Mint>>,

    #[account(
        init,
        payer = payer,
        seeds = [HOLDER_SEED, series.key().as_ref()],
        bump,
        token::mint = put_mint,
        token::authority = vault,
        token::token_program = token_program,
    )]
    pub holder: Box<Account<'info, TokenAccount>>,

    pub quote_mint: Box<Account<'info, Mint>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl OpenSeries<'_> {
    pub fn validate(&self, args: &OpenSeriesArgs, now: i64) -> Result<()> {
        require!(
            !self.config.is_paused(pause::OPEN_SERIES),
            BackstopError::OperationPaused
        );
        check_series_args(
            &*self.vault.load()?,
            self.reserve.amount,
            args,
            now,
            FloorRule::Refuse,
        )
    }
}

/// Whether a strike whose 1 % is below the vault's premium floor is refused. `open_series`
/// refuses it (the risk authority chose the strike); a ladder's roll does not (its strike
/// follows spot, and refusing would lapse coverage in the crash it exists for): the pricing
/// engine caps the floor at `MAX_PREMIUM_FLOOR_BPS` of the strike either way.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum FloorRule {
    Refuse,
    EngineCaps,
}

/// The rules every new series meets, opened by hand or rolled by a ladder (`reserve` is the
/// reserve account's balance).
pub fn check_series_args(
    vault: &Vault,
    reserve: u64,
    args: &OpenSeriesArgs,
    now: i64,
    floor_rule: FloorRule,
) -> Result<()> {
    require!(args.strike > 0, BackstopError::InvalidStrike);
    units::strike_to_price(args.strike, vault.quote_decimals)
        .map_err(|_| BackstopError::InvalidStrike)?;
    let tenor = args
        .expiry
        .checked_sub(now)
        .ok_or(BackstopError::InvalidExpiry)?;
    let max_tenor = i64::try_from(MAX_TENOR_SECS).map_err(|_| BackstopError::MathOverflow)?;
    require!(
        (MIN_SERIES_TENOR_SECS..=max_tenor).contains(&tenor)
            && tenor > i64::from(vault.release.write_cutoff_secs),
        BackstopError::InvalidExpiry
    );
    // The slice must be admissible for the whole life of the series (the Lee bound is
    // tightest at the longest tenor, which is now), free of butterfly arbitrage on the
    // check grid, with an at-the-money volatility in [5 %, 300 %].
    SviParams::from(args.svi).validate_for_series(tenor.unsigned_abs())?;
    // The vault's premium floor, at most MAX_PREMIUM_FLOOR_BPS of this strike.
    let strike_price = units::strike_to_price(args.strike, vault.quote_decimals)?;
    let floor_cap = u128::from(strike_price)
        .saturating_mul(u128::from(MAX_PREMIUM_FLOOR_BPS))
        .checked_div(u128::from(BPS))
        .ok_or(BackstopError::MathDivisionByZero)?;
    require!(
        floor_rule == FloorRule::EngineCaps || u128::from(vault.pricing.min_premium) <= floor_cap,
        BackstopError::PremiumFloorTooHigh
    );
    require!(
        args.style == SeriesStyle::CashRatchet || vault.collateral_mint != Pubkey::default(),
        BackstopError::NoCollateralMint
    );
    require!(args.size_cap > 0, BackstopError::InvalidSizeCap);
    units::escrow_for(args.strike, args.size_cap, vault.collateral_decimals)
        .map_err(|_| BackstopError::InvalidSizeCap)?;
    let uncommitted = uncommitted_reserve(reserve, vault.totals.committed_premium);
    require!(
        args.premium_budget <= uncommitted,
        BackstopError::InsufficientUncommittedReserve
    );
    Ok(())
}

/// The four accounts a new series is made of, and their bumps.
pub struct SeriesAccounts {
    pub vault: Pubkey,
    pub escrow: Pubkey,
    pub put_mint: Pubkey,
    pub holder: Pubkey,
    pub bump: u8,
    pub escrow_bump: u8,
    pub put_mint_bump: u8,
    pub holder_bump: u8,
}

/// A new series' record: nothing written, paid or released yet.
pub fn new_series(k: &SeriesAccounts, args: &OpenSeriesArgs) -> Series {
    Series {
        vault: k.vault,
        escrow: k.escrow,
        put_mint: k.put_mint,
        holder: k.holder,
        strike: args.strike,
        expiry: args.expiry,
        svi: args.svi,
        size_cap: args.size_cap,
        premium_budget: args.premium_budget,
        premium_paid: 0,
        written_size: 0,
        advanced: 0,
        payout_total: 0,
        escrow_deposited: 0,
        escrow_reclaimed: 0,
        settlement_price: 0,
        settlement_publish_time: 0,
        settlement_source: SettlementSource::None,
        last_step_at: 0,
        status: SeriesStatus::Open,
        open_positions: 0,
        bump: k.bump,
        escrow_bump: k.escrow_bump,
        put_mint_bump: k.put_mint_bump,
        holder_bump: k.holder_bump,
        style: args.style,
        collateral: Pubkey::default(),
        collateral_bump: 0,
        delivered_size: 0,
        collateral_reclaimed: 0,
        reserved: [0; 64],
    }
}

/// Commits the series' budget and counts it on the vault; the `SeriesOpened` event.
pub fn commit_series(
    vault: &mut Vault,
    vault_key: Pubkey,
    series: Pubkey,
    args: &OpenSeriesArgs,
) -> Result<SeriesOpened> {
    vault.totals.committed_premium = vault
        .totals
        .committed_premium
        .checked_add(args.premium_budget)
        .ok_or(BackstopError::MathOverflow)?;
    vault.series_count = vault
        .series_count
        .checked_add(1)
        .ok_or(BackstopError::MathOverflow)?;
    Ok(SeriesOpened {
        vault: vault_key,
        series,
        strike: args.strike,
        expiry: args.expiry,
        size_cap: args.size_cap,
        premium_budget: args.premium_budget,
        committed_premium: vault.totals.committed_premium,
        style: args.style,
    })
}

pub fn handler(ctx: Context<OpenSeries>, args: OpenSeriesArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    ctx.accounts.validate(&args, now)?;
    let series_key = ctx.accounts.series.key();
    let a = &mut *ctx.accounts;
    let vault_key = a.vault.key();
    a.series.set_inner(new_series(
        &SeriesAccounts {
            vault: vault_key,
            escrow: a.escrow.key(),
            put_mint: a.put_mint.key(),
            holder: a.holder.key(),
            bump: ctx.bumps.series,
            escrow_bump: ctx.bumps.escrow,
            put_mint_bump: ctx.bumps.put_mint,
            holder_bump: ctx.bumps.holder,
        },
        &args,
    ));
    let event = commit_series(&mut *a.vault.load_mut()?, vault_key, series_key, &args)?;
    emit_cpi!(event);
    Ok(())
}
