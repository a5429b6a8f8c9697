use anchor_lang::prelude::*;

use crate::{
    constants::*,
    errors::BackstopError,
    events::{LadderProposed, LadderUpdated},
    math::{SviParams, MAX_TENOR_SECS},
    state::{Ladder, LadderTemplate, SeriesStyle, Vault},
};

/// The risk authority sets the vault's ladder template (docs/DESIGN.md section 7c). The call that
/// creates the ladder applies its template at once: no series depends on it. Every later change
/// waits the vault's settings timelock: the first call proposes, the same call once it has
/// passed applies it (a different proposal replaces the pending one and restarts the clock).
/// Stopping (every rung 0) and restarting wait too: the protocol sees every template before it
/// binds, and coverage never ends without notice.
#[event_cpi]
#[derive(Accounts)]
pub struct SetLadder<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,

    pub risk_authority: Signer<'info>,

    #[account(has_one = risk_authority @ BackstopError::NotRiskAuthority)]
    pub vault: AccountLoader<'info, Vault>,

    #[account(
        init_if_needed,
        payer = payer,
        space = Ladder::SPACE,
        seeds = [LADDER_SEED, vault.key().as_ref()],
        bump,
    )]
    pub ladder: Box<Account<'info, Ladder>>,

    pub system_program: Program<'info, System>,
}

/// Whether `t` is a template the program can roll for this vault (a stopped one always is).
pub fn check_template(vault: &Vault, t: &LadderTemplate) -> Result<()> {
    if t.is_stopped() {
        return Ok(());
    }
    // After a lapse a roll's life is in (tenor - 1 h, tenor]: all of it must still be a valid
    // series (at least the shortest tenor, longer than the write cutoff).
    let grid = LADDER_EXPIRY_GRID_SECS.unsigned_abs();
    let shortest = u64::from(t.tenor_secs).saturating_sub(grid);
    require!(
        u64::from(t.tenor_secs).is_multiple_of(grid)
            && shortest >= MIN_SERIES_TENOR_SECS.unsigned_abs()
            && shortest > u64::from(vault.release.write_cutoff_secs)
            && u64::from(t.tenor_secs) <= MAX_TENOR_SECS,
        BackstopError::InvalidLadderTenor
    );
    // A roll in the overlap window opens a series of up to tenor + overlap.
    let longest = u64::from(t.tenor_secs).saturating_add(u64::from(t.overlap_secs));
    require!(
        t.overlap_secs >= MIN_LADDER_OVERLAP_SECS
            && t.overlap_secs <= t.tenor_secs / 2
            && longest <= MAX_TENOR_SECS,
        BackstopError::InvalidLadderOverlap
    );
    let used = || t.strikes_bps.iter().filter(|&&b| b != 0);
    let in_range = used().all(|b| (MIN_LADDER_STRIKE_BPS..=MAX_LADDER_STRIKE_BPS).contains(b));
    // Two rungs at one strike would name the same series.
    let distinct = used().all(|b| used().filter(|&c| c == b).count() == 1);
    require!(in_range && distinct, BackstopError::InvalidLadderStrikes);
    require!(t.strike_tick > 0, BackstopError::InvalidStrikeTick);
    require!(t.size_cap > 0, BackstopError::InvalidSizeCap);
    require!(t.budget_per_series > 0, BackstopError::InvalidLadderBudget);
    require!(
        t.style == SeriesStyle::CashRatchet || vault.collateral_mint != Pubkey::default(),
        BackstopError::NoCollateralMint
    );
    // The check `open_series` makes, at the longest life a rolled series can have.
    SviParams::from(t.svi).validate_for_series(longest)?;
    Ok(())
}

pub fn handler(ctx: Context<SetLadder>, template: LadderTemplate) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let vault_key = ctx.accounts.vault.key();
    let timelock = {
        let vault = ctx.accounts.vault.load()?;
        check_template(&vault, &template)?;
        vault.settings_timelock_secs
    };
    let ladder_key = ctx.accounts.ladder.key();
    let ladder = &mut ctx.accounts.ladder;
    // Only the call that creates the ladder takes its template at once: a stop followed by a
    // new template must not skip the timelock.
    let fresh = ladder.vault == Pubkey::default();
    if fresh {
        ladder.vault = vault_key;
        ladder.bump = ctx.bumps.ladder;
    }
    let same = ladder.pending_at != 0 && ladder.pending == template;
    if fresh || same {
        require!(
            fresh || now >= ladder.pending_at,
            BackstopError::SettingsTimelockNotElapsed
        );
        let previous = ladder.template;
        ladder.template = template;
        ladder.pending = LadderTemplate::default();
        ladder.pending_at = 0;
        emit_cpi!(LadderUpdated {
            vault: vault_key,
            ladder: ladder_key,
            template,
            previous,
        });
        return Ok(());
    }
    let applies_at = now
        .checked_add(i64::from(timelock))
        .ok_or(BackstopError::MathOverflow)?;
    ladder.pending = template;
    ladder.pending_at = applies_at;
    emit_cpi!(LadderProposed {
        vault: vault_key,
        ladder: ladder_key,
        pending: template,
        applies_at,
    });
    Ok(())
}
