use anchor_lang::prelude::*;
use anchor_spl::token::{self, MintTo, Token, TokenAccount, TransferChecked};

use crate::{
    constants::*,
    errors::BackstopError,
    events::PutWritten,
    math::{american_put_premium, put_premium, PremiumInputs},
    oracle::{self, Freshness},
    state::{pause, Config, Position, Series, SeriesStatus, SeriesStyle, Vault},
    units,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct WritePutArgs {
    /// Collateral base units of puts to write.
    pub size: u64,
    /// Slippage guard: the least premium (quote base units) the writer accepts.
    pub min_premium: u64,
}

/// A market maker writes puts: escrows strike x size, is paid the on-chain premium out of the
/// reserve, and the put tokens are minted to the series' holder account for the protocol.
#[event_cpi]
#[derive(Accounts)]
pub struct WritePut<'info> {
    #[account(mut)]
    pub writer: Signer<'info>,

    #[account(address = CONFIG_ADDRESS @ BackstopError::WrongConfig)]
    pub config: Account<'info, Config>,

    #[account(
        mut,
        dup,
        has_one = reserve @ BackstopError::WrongReserveAccount,
        has_one = quote_mint @ BackstopError::WrongMint,
        constraint = crate::guards::distinct(&[vault.key(), series.key(), position.key(), writer_token.key(), reserve.key(), escrow.key(), put_mint.key(), holder.key()]) @ BackstopError::DuplicateMutableAccount,
    )]
    pub vault: AccountLoader<'info, Vault>,

    #[account(
        mut,
        dup,
        has_one = vault @ BackstopError::WrongVault,
        has_one = escrow @ BackstopError::WrongSeriesAccount,
        has_one = put_mint @ BackstopError::WrongSeriesAccount,
        has_one = holder @ BackstopError::WrongSeriesAccount,
    )]
    pub series: Box<Account<'info, Series>>,

    #[account(
        init_if_needed,
        dup,
        payer = writer,
        space = Position::SPACE,
        seeds = [POSITION_SEED, series.key().as_ref(), writer.key().as_ref()],
        bump,
    )]
    pub position: Box<Account<'info, Position>>,

    /// Pays the escrow and receives the premium.
    #[account(
        mut,
        dup,
        constraint = writer_token.mint == quote_mint.key() @ BackstopError::WrongMint,
        constraint = writer_token.owner == writer.key() @ BackstopError::NotTokenOwner,
    )]
    pub writer_token: Box<Account<'info, TokenAccount>>,

    // The program's own PDA token accounts, named by the vault and the series (`has_one`) and
    // only passed on to the token program: nothing here reads them, so none is deserialized.
    /// CHECK: the vault's reserve (`has_one = reserve` on the vault).
    #[account(mut, dup)]
    pub reserve: UncheckedAccount<'info>,
    /// CHECK: the series' escrow (`has_one = escrow` on the series).
    #[account(mut, dup)]
    pub escrow: UncheckedAccount<'info>,
    /// CHECK: the series' put mint (`has_one = put_mint` on the series).
    #[account(mut, dup)]
    pub put_mint: UncheckedAccount<'info>,
    /// CHECK: the series' put holder (`has_one = holder` on the series).
    #[account(mut, dup)]
    pub holder: UncheckedAccount<'info>,

    /// CHECK: a Pyth `PriceUpdateV2`, validated by `oracle::read_price` (owner, feed, age...).
    pub price_update: UncheckedAccount<'info>,

    /// CHECK: the vault's quote mint (`has_one = quote_mint` on the vault); its decimals are the
    /// vault's `quote_decimals`, and `transfer_checked` checks both.
    pub quote_mint: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

/// What one write costs and pays, in quote base units.
struct Quote {
    premium_per_unit: u64,
    premium: u64,
    escrow: u64,
    spot: u64,
    confidence: u64,
    publish_time: i64,
}

impl WritePut<'_> {
    pub fn validate(&self, vault: &Vault, args: &WritePutArgs, now: i64) -> Result<()> {
        require!(
            !self.config.is_paused(pause::WRITE_PUT),
            BackstopError::OperationPaused
        );
        require!(args.size > 0, BackstopError::ZeroAmount);
        require!(
            self.series.status == SeriesStatus::Open,
            BackstopError::SeriesNotOpen
        );
        require!(now < self.series.expiry, BackstopError::SeriesExpired);
        // Nobody writes into a breach they can see coming: the premium would be near intrinsic
        // and the writer could crank it at once.
        require!(!vault.breach_active(now), BackstopError::WritingFrozen);
        // Pro-rata shares assume every writer of a series shares every advance and delivery.
        require!(
            self.series.advanced == 0 && self.series.delivered_size == 0,
            BackstopError::SeriesAdvanced
        );
        let cutoff = self
            .series
            .expiry
            .checked_sub(i64::from(vault.release.write_cutoff_secs))
            .ok_or(BackstopError::MathOverflow)?;
        require!(now < cutoff, BackstopError::WriteCutoff);
        let written = self
            .series
            .written_size
            .checked_add(args.size)
            .ok_or(BackstopError::MathOverflow)?;
        require!(
            written <= self.series.size_cap,
            BackstopError::SizeCapExceeded
        );
        Ok(())
    }

    fn quote(&self, vault: &Vault, size: u64, now: i64) -> Result<Quote> {
        let series = &self.series;
        let price = oracle::read_price(
            &self.price_update,
            &vault.collateral_oracle(),
            Freshness::MaxAge {
                now,
                max_age_secs: i64::from(vault.oracle.max_age_secs),
            },
        )?;
        // No price older than one the vault already observed (no picking an old dip).
        require!(
            price.publish_time >= vault.breach.last_observed,
            BackstopError::OracleOutdated
        );
        require!(
            oracle::within_bps(
                price.conf,
                price.price,
                u64::from(vault.pricing.write_conf_bps)
            )?,
            BackstopError::WriteConfidenceTooWide
        );
        let tenor = series
            .expiry
            .checked_sub(now)
            .ok_or(BackstopError::MathOverflow)?;
        let inputs = PremiumInputs {
            spot: price.price,
            strike: units::strike_to_price(series.strike, vault.quote_decimals)?,
            confidence: price.conf,
            tenor_secs: tenor.unsigned_abs(),
            svi: series.svi.into(),
            rate: vault.pricing.rate,
            conf_multiplier_bps: u64::from(vault.pricing.conf_multiplier_bps),
            tail_loading_bps: u64::from(vault.pricing.tail_loading_bps),
            min_premium: vault.pricing.min_premium,
            // What the vault delivers: the lookback put on its release grid (cash), or a put
            // its holder exercises when it chooses (physical: the American bound).
            release_interval_secs: u64::from(vault.release.release_interval_secs),
        };
        let quote = match series.style {
            SeriesStyle::CashRatchet => put_premium(&inputs)?,
            SeriesStyle::PhysicalDelivery => american_put_premium(&inputs)?,
        };
        Ok(Quote {
            premium_per_unit: quote.premium,
            premium: units::quote_amount_down(
                quote.premium,
                size,
                vault.collateral_decimals,
                vault.quote_decimals,
            )?,
            escrow: units::escrow_for(series.strike, size, vault.collateral_decimals)?,
            spot: price.price,
            confidence: price.conf,
            publish_time: price.publish_time,
        })
    }
}

pub fn handler(ctx: Context<WritePut>, args: WritePutArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    // Read once, released before the transfers (the runtime borrows every account a CPI passes).
    let (q, signer, decimals) = {
        let vault = ctx.accounts.vault.load()?;
        ctx.accounts.validate(&vault, &args, now)?;
        let q = ctx.accounts.quote(&vault, args.size, now)?;
        (q, vault.signer(), vault.quote_decimals)
    };
    require!(
        q.premium >= args.min_premium,
        BackstopError::SlippageExceeded
    );
    let paid = ctx
        .accounts
        .series
        .premium_paid
        .checked_add(q.premium)
        .ok_or(BackstopError::MathOverflow)?;
    require!(
        paid <= ctx.accounts.series.premium_budget,
        BackstopError::PremiumBudgetExceeded
    );

    let a = &ctx.accounts;
    // Writer -> escrow: strike x size, rounded up.
    token::transfer_checked(
        CpiContext::new(
            a.token_program.key(),
            TransferChecked {
                from: a.writer_token.to_account_info(),
                mint: a.quote_mint.to_account_info(),
                to: a.escrow.to_account_info(),
                authority: a.writer.to_account_info(),
            },
        ),
        q.escrow,
        decimals,
    )?;
    // Reserve -> writer: the premium, rounded down.
    if q.premium > 0 {
        let seeds = signer.seeds();
        token::transfer_checked(
            CpiContext::new_with_signer(
                a.token_program.key(),
                TransferChecked {
                    from: a.reserve.to_account_info(),
                    mint: a.quote_mint.to_account_info(),
                    to: a.writer_token.to_account_info(),
                    authority: a.vault.to_account_info(),
                },
                &[&seeds],
            ),
            q.premium,
            decimals,
        )?;
    }
    // Put tokens for the protected protocol, minted by the series PDA.
    let (strike_le, expiry_le) = (a.series.strike.to_le_bytes(), a.series.expiry.to_le_bytes());
    let series_seeds = a.series.signer_seeds(&strike_le, &expiry_le);
    token::mint_to(
        CpiContext::new_with_signer(
            a.token_program.key(),
            MintTo {
                mint: a.put_mint.to_account_info(),
                to: a.holder.to_account_info(),
                authority: a.series.to_account_info(),
            },
            &[&series_seeds],
        ),
        args.size,
    )?;

    let writer = ctx.accounts.writer.key();
    let series_key = ctx.accounts.series.key();
    let position = &mut ctx.accounts.position;
    if position.writer == Pubkey::default() {
        position.series = series_key;
        position.writer = writer;
        position.bump = ctx.bumps.position;
        ctx.accounts.series.open_positions = ctx
            .accounts
            .series
            .open_positions
            .checked_add(1)
            .ok_or(BackstopError::MathOverflow)?;
    }
    require!(
        position.writer == writer && position.series == series_key,
        BackstopError::WrongPositionOwner
    );
    position.size = position
        .size
        .checked_add(args.size)
        .ok_or(BackstopError::MathOverflow)?;
    position.escrow_deposited = position
        .escrow_deposited
        .checked_add(q.escrow)
        .ok_or(BackstopError::MathOverflow)?;
    position.premium_received = position
        .premium_received
        .checked_add(q.premium)
        .ok_or(BackstopError::MathOverflow)?;

    let series = &mut ctx.accounts.series;
    series.written_size = series
        .written_size
        .checked_add(args.size)
        .ok_or(BackstopError::MathOverflow)?;
    series.premium_paid = paid;
    series.escrow_deposited = series
        .escrow_deposited
        .checked_add(q.escrow)
        .ok_or(BackstopError::MathOverflow)?;

    let vault = &mut *ctx.accounts.vault.load_mut()?;
    // The settlement price of last resort: every written series has one (DESIGN.md section 7).
    vault.last_price.advance(q.spot, q.publish_time);
    let totals = &mut vault.totals;
    totals.committed_premium = totals
        .committed_premium
        .checked_sub(q.premium)
        .ok_or(BackstopError::MathOverflow)?;
    totals.premium_paid = totals
        .premium_paid
        .checked_add(q.premium)
        .ok_or(BackstopError::MathOverflow)?;
    totals.escrowed = totals
        .escrowed
        .checked_add(q.escrow)
        .ok_or(BackstopError::MathOverflow)?;

    emit_cpi!(PutWritten {
        vault: ctx.accounts.vault.key(),
        series: series_key,
        writer,
        size: args.size,
        premium: q.premium,
        premium_per_unit: q.premium_per_unit,
        escrow: q.escrow,
        spot: q.spot,
        confidence: q.confidence,
        written_size: ctx.accounts.series.written_size,
    });
    Ok(())
}
