use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::{
    constants::*,
    errors::BackstopError,
    events::SeriesRolled,
    instructions::open_series::{
        check_series_args, commit_series, new_series, FloorRule, OpenSeriesArgs, SeriesAccounts,
    },
    math::{BPS, PRICE_SCALE},
    oracle::{self, Freshness},
    state::{pause, Config, Ladder, LadderTemplate, Rung, Series, Vault, LADDER_RUNGS},
};

/// The caller names the series it opens (its address depends on strike and expiry); the
/// program checks both are the rung's (docs/DESIGN.md section 7c).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct RollSeriesArgs {
    pub rung: u8,
    /// A point of the template's tick grid within one tick of `spot x strike_bps`.
    pub strike: u64,
    /// The rung's previous expiry plus the tenor; after a lapse (or the first roll), the whole
    /// hour in `(now + tenor - 1 h, now + tenor]`.
    pub expiry: i64,
}

/// Permissionless: opens a rung's next series from the vault's ladder template once the
/// rung's series is within the overlap window of its expiry (or the rung has none), strike
/// from the validated oracle price, budget committed from the uncommitted reserve, exactly as
/// `open_series` would. The ladder's lamport float repays the caller the new accounts' rent.
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: RollSeriesArgs)]
pub struct RollSeries<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,

    #[account(address = CONFIG_ADDRESS @ BackstopError::WrongConfig)]
    pub config: Account<'info, Config>,

    #[account(
        mut,
        dup,
        has_one = reserve @ BackstopError::WrongReserveAccount,
        has_one = quote_mint @ BackstopError::WrongMint,
    )]
    pub vault: AccountLoader<'info, Vault>,

    #[account(
        mut,
        seeds = [LADDER_SEED, vault.key().as_ref()],
        bump = ladder.bump,
        has_one = vault @ BackstopError::WrongVault,
    )]
    pub ladder: Box<Account<'info, Ladder>>,

    /// CHECK: a Pyth `PriceUpdateV2` of the vault's feed, validated by `oracle::read_price`.
    pub price_update: UncheckedAccount<'info>,

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

/// Whether the rung may roll at `now`: it has no series yet, or its series expires within the
/// overlap window.
pub fn roll_due(rung: &Rung, overlap_secs: u32, now: i64) -> bool {
    rung.series == Pubkey::default() || now >= rung.expiry.saturating_sub(i64::from(overlap_secs))
}

/// The expiry a roll at `now` must name: on schedule while the previous series lives, else the
/// whole hour at most one tenor away.
pub fn expiry_ok(rung: &Rung, tenor_secs: u32, now: i64, expiry: i64) -> bool {
    let tenor = i64::from(tenor_secs);
    if rung.series != Pubkey::default() && now < rung.expiry {
        return rung.expiry.checked_add(tenor) == Some(expiry);
    }
    let latest = now.saturating_add(tenor);
    // Unsigned remainder: SBF has no signed division.
    let grid = LADDER_EXPIRY_GRID_SECS.unsigned_abs();
    u64::try_from(expiry).is_ok_and(|e| e.is_multiple_of(grid))
        && expiry <= latest
        && expiry > latest.saturating_sub(LADDER_EXPIRY_GRID_SECS)
}

/// The rung's strike target, `spot x bps / 10^4` in quote base units (rounded down), and
/// whether `strike` is a tick-grid point less than one tick from it and not above spot (a
/// coarse grid must not lift a put's strike over the price it insures).
pub fn strike_ok(spot: u64, bps: u16, quote_decimals: u8, tick: u64, strike: u64) -> Result<bool> {
    let per_quote_unit = 10u64
        .checked_pow(u32::from(quote_decimals))
        .and_then(|d| PRICE_SCALE.checked_div(d))
        .filter(|&d| d > 0)
        .ok_or(BackstopError::InvalidQuoteDecimals)?;
    let spot_quote = u128::from(spot)
        .checked_div(u128::from(per_quote_unit))
        .ok_or(BackstopError::MathDivisionByZero)?;
    let target = u128::from(spot)
        .checked_mul(u128::from(bps))
        .and_then(|v| v.checked_div(u128::from(BPS)))
        .and_then(|v| v.checked_div(u128::from(per_quote_unit)))
        .ok_or(BackstopError::MathDivisionByZero)?;
    Ok(tick > 0
        && strike.is_multiple_of(tick)
        && u128::from(strike).abs_diff(target) < u128::from(tick)
        && u128::from(strike) <= spot_quote)
}

impl RollSeries<'_> {
    pub fn validate(
        &self,
        args: &RollSeriesArgs,
        now: i64,
    ) -> Result<(LadderTemplate, oracle::OraclePrice)> {
        require!(
            !self.config.is_paused(pause::OPEN_SERIES),
            BackstopError::OperationPaused
        );
        let t = self.ladder.template;
        require!(!t.is_stopped(), BackstopError::LadderStopped);
        let i = usize::from(args.rung);
        let bps = t.strikes_bps.get(i).copied().unwrap_or(0);
        require!(bps != 0, BackstopError::RungUnused);
        let rung = self.ladder.rungs.get(i).copied().unwrap_or_default();
        require!(
            roll_due(&rung, t.overlap_secs, now),
            BackstopError::RollNotDue
        );
        require!(
            expiry_ok(&rung, t.tenor_secs, now, args.expiry),
            BackstopError::RollExpiryMismatch
        );
        let vault = self.vault.load()?;
        let freshness = Freshness::MaxAge {
            now,
            max_age_secs: i64::from(vault.oracle.max_age_secs),
        };
        let spot = oracle::read_price(&self.price_update, &vault.collateral_oracle(), freshness)?;
        require!(
            strike_ok(
                spot.price,
                bps,
                vault.quote_decimals,
                t.strike_tick,
                args.strike
            )?,
            BackstopError::RollStrikeOffTarget
        );
        check_series_args(
            &vault,
            self.reserve.amount,
            &series_args(&t, args),
            now,
            FloorRule::EngineCaps,
        )?;
        Ok((t, spot))
    }
}

fn series_args(t: &LadderTemplate, args: &RollSeriesArgs) -> OpenSeriesArgs {
    OpenSeriesArgs {
        strike: args.strike,
        expiry: args.expiry,
        svi: t.svi,
        size_cap: t.size_cap,
        premium_budget: t.budget_per_series,
        style: t.style,
    }
}

/// Lamports the ladder holds above its own rent-exempt minimum.
fn float(ladder: &AccountInfo) -> Result<u64> {
    let keep = Rent::get()?.minimum_balance(ladder.data_len());
    Ok(ladder.lamports().saturating_sub(keep))
}

pub fn handler(ctx: Context<RollSeries>, args: RollSeriesArgs) -> Result<()> {
    require!(
        usize::from(args.rung) < LADDER_RUNGS,
        BackstopError::RungUnused
    );
    let now = Clock::get()?.unix_timestamp;
    let (template, spot) = ctx.accounts.validate(&args, now)?;
    let open = series_args(&template, &args);
    let a = &mut *ctx.accounts;
    let vault_key = a.vault.key();
    let series_key = a.series.key();
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
        &open,
    ));
    let opened = commit_series(&mut *a.vault.load_mut()?, vault_key, series_key, &open)?;
    a.ladder.rungs[usize::from(args.rung)] = Rung {
        series: series_key,
        expiry: args.expiry,
    };
    a.ladder.rolled = a
        .ladder
        .rolled
        .checked_add(1)
        .ok_or(BackstopError::MathOverflow)?;

    // Repay the rent the four accounts need, as far as the float goes: their rent-exempt
    // minimums, not their lamports (lamports sent to a PDA before the roll are nobody's cost
    // here, and the put mint's could never come back: classic mints do not close).
    let rent_sysvar = Rent::get()?;
    let rent = [
        Series::SPACE,
        TokenAccount::LEN,
        Mint::LEN,
        TokenAccount::LEN,
    ]
    .iter()
    .try_fold(0u64, |s, &len| {
        s.checked_add(rent_sysvar.minimum_balance(len))
    })
    .ok_or(BackstopError::MathOverflow)?;
    let ladder_info = a.ladder.to_account_info();
    let repaid = rent.min(float(&ladder_info)?);
    if repaid > 0 {
        let payer_info = a.payer.to_account_info();
        **ladder_info.try_borrow_mut_lamports()? = ladder_info
            .lamports()
            .checked_sub(repaid)
            .ok_or(BackstopError::MathUnderflow)?;
        **payer_info.try_borrow_mut_lamports()? = payer_info
            .lamports()
            .checked_add(repaid)
            .ok_or(BackstopError::MathOverflow)?;
    }
    let (ladder_key, payer_key) = (a.ladder.key(), a.payer.key());
    emit_cpi!(opened);
    emit_cpi!(SeriesRolled {
        vault: vault_key,
        ladder: ladder_key,
        series: series_key,
        rung: args.rung,
        strike: args.strike,
        expiry: args.expiry,
        spot: spot.price,
        spot_publish_time: spot.publish_time,
        payer: payer_key,
        rent_repaid: repaid,
    });
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn live(expiry: i64) -> Rung {
        Rung {
            series: Pubkey::new_unique(),
            expiry,
        }
    }

    #[test]
    fn a_rung_is_due_when_empty_or_inside_the_overlap() {
        assert!(roll_due(&Rung::default(), 3_600, 0));
        let r = live(10 * DAY);
        assert!(!roll_due(&r, 3_600, 10 * DAY - 3_601));
        assert!(roll_due(&r, 3_600, 10 * DAY - 3_600));
        assert!(roll_due(&r, 3_600, 11 * DAY));
    }

    #[test]
    fn on_schedule_the_expiry_is_the_previous_plus_the_tenor() {
        let r = live(10 * DAY);
        let now = 10 * DAY - 600;
        assert!(expiry_ok(&r, 7 * 86_400, now, 17 * DAY));
        assert!(!expiry_ok(&r, 7 * 86_400, now, 17 * DAY - 3_600));
        assert!(!expiry_ok(&r, 7 * 86_400, now, 17 * DAY + 3_600));
    }

    #[test]
    fn after_a_lapse_the_expiry_is_the_whole_hour_one_tenor_away() {
        let r = live(10 * DAY);
        let now = 10 * DAY + 5_000; // lapsed by 5,000 s
        let tenor = 7 * 86_400u32;
        let latest = now + i64::from(tenor);
        let hour = latest - latest % 3_600;
        assert!(expiry_ok(&r, tenor, now, hour));
        assert!(!expiry_ok(&r, tenor, now, hour - 3_600));
        assert!(!expiry_ok(&r, tenor, now, hour + 3_600));
        assert!(!expiry_ok(&r, tenor, now, hour + 1));
        // The schedule is gone once the series expired.
        assert!(!expiry_ok(&r, tenor, now, 17 * DAY));
        // The first roll follows the same rule.
        assert!(expiry_ok(&Rung::default(), tenor, now, hour));
    }

    #[test]
    fn the_strike_is_a_grid_point_within_one_tick_of_the_target() {
        // Spot $123.456789 (PRICE_SCALE 1e12), 80 % rung, 6-decimal quote: target $98.765431.
        let spot = 123_456_789_000_000u64;
        let tick = 500_000; // $0.50
        assert!(strike_ok(spot, 8_000, 6, tick, 98_500_000).unwrap());
        assert!(strike_ok(spot, 8_000, 6, tick, 99_000_000).unwrap());
        assert!(!strike_ok(spot, 8_000, 6, tick, 98_000_000).unwrap());
        assert!(!strike_ok(spot, 8_000, 6, tick, 99_500_000).unwrap());
        assert!(!strike_ok(spot, 8_000, 6, tick, 98_765_431).unwrap());
        assert!(!strike_ok(spot, 8_000, 6, 0, 98_500_000).unwrap());
        // An exact target has one grid point.
        assert!(strike_ok(100_000_000_000_000, 9_000, 6, tick, 90_000_000).unwrap());
        assert!(!strike_ok(100_000_000_000_000, 9_000, 6, tick, 90_500_000).unwrap());
        assert!(strike_ok(100_000_000_000_000, 9_000, 6, 1, 90_000_000).unwrap());
        // A coarse grid never lifts the strike over spot: $101 at 100 % on a $50 grid.
        assert!(strike_ok(101_000_000_000_000, 10_000, 6, 50_000_000, 100_000_000).unwrap());
        assert!(!strike_ok(101_000_000_000_000, 10_000, 6, 50_000_000, 150_000_000).unwrap());
    }
}
