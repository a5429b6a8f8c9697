use anchor_lang::prelude::*;

use crate::{
    errors::BackstopError,
    events::BreachObserved,
    instructions::trigger::{book_step, pay_step, plan_step, Step, Trigger},
    solvency::{self, Observed},
    state::{Series, Vault},
};

/// Why a release attempt paid nothing, or that it paid (`try_release`, `release_status`).
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReleaseStatus {
    /// A step was paid.
    Released,
    /// Settled, or at/after expiry: settle instead.
    SeriesNotOpen,
    /// No confirmed breach: observe again after the persistence window.
    NotConfirmed,
    /// The series already stepped in this slot of the release grid.
    IntervalNotElapsed,
    /// No price recorded for the breach window.
    OracleUnavailable,
    /// The held price is at or above the strike.
    NotInTheMoney,
    /// Everything owed at the held price was already advanced.
    NothingOwed,
    /// The epoch's release cap is spent.
    CapSpent,
}

/// What a release attempt did (or would do), in quote base units.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReleaseOutcome {
    pub status: ReleaseStatus,
    /// Paid to the recovery account by this step.
    pub payout: u64,
    /// Paid to the caller from the reserve.
    pub tip: u64,
    /// The series' advances after the attempt.
    pub advanced: u64,
}

/// The status of an error `plan_step` fails with when no step is due; `None` for every other
/// error (a bug or a broken invariant: those still revert).
pub fn status_of(e: &Error) -> Option<ReleaseStatus> {
    let Error::AnchorError(e) = e else {
        return None;
    };
    let code = e.error_code_number;
    let is = |err: BackstopError| code == u32::from(err);
    Some(
        if is(BackstopError::SeriesNotOpen) || is(BackstopError::SeriesExpired) {
            ReleaseStatus::SeriesNotOpen
        } else if is(BackstopError::BreachNotConfirmed) {
            ReleaseStatus::NotConfirmed
        } else if is(BackstopError::ReleaseIntervalNotElapsed) {
            ReleaseStatus::IntervalNotElapsed
        } else if is(BackstopError::NoHeldPrice) {
            ReleaseStatus::OracleUnavailable
        } else if is(BackstopError::NotInTheMoney) {
            ReleaseStatus::NotInTheMoney
        } else if is(BackstopError::NothingToRelease) {
            ReleaseStatus::NothingOwed
        } else if is(BackstopError::ReleaseCapReached) {
            ReleaseStatus::CapSpent
        } else {
            return None;
        },
    )
}

/// One release attempt at `now`, on a copy of the vault: the vault after the observation (and,
/// when a step is due, its epoch roll), what was observed (`None`: the update was older than
/// one already observed, so nothing was), and the step or why none is due.
pub(crate) struct Attempt {
    pub vault: Box<Vault>,
    pub observed: Option<Observed>,
    pub step: core::result::Result<Step, ReleaseStatus>,
}

pub(crate) fn attempt(
    current: &Vault,
    series: &Series,
    price_account: &AccountInfo,
    depeg_account: Option<&AccountInfo>,
    now: i64,
    caller: Pubkey,
    reserve: u64,
) -> Result<Attempt> {
    let mut vault = Box::new(*current);
    let observed = match solvency::observe(&mut vault, price_account, depeg_account, now) {
        Ok(observed) => Some(observed),
        Err(Error::AnchorError(e))
            if e.error_code_number == u32::from(BackstopError::OracleOutdated) =>
        {
            *vault = *current;
            None
        }
        Err(e) => return Err(e),
    };
    let by_reporter = caller == vault.reporter;
    let mut planned = vault.clone();
    let step = match plan_step(&mut planned, series, now, by_reporter, reserve) {
        Ok(step) => {
            vault = planned;
            Ok(step)
        }
        Err(e) => Err(status_of(&e).ok_or(e)?),
    };
    Ok(Attempt {
        vault,
        observed,
        step,
    })
}

/// `trigger` for callers that cannot afford a revert (a liquidation calling by CPI): the same
/// accounts and the same step when one is due; otherwise nothing moves and the outcome says why.
/// The observation counts either way; an update older than one observed is skipped, not
/// refused. Wrong accounts still fail. Never paused.
pub fn handler(ctx: Context<Trigger>) -> Result<ReleaseOutcome> {
    let now = Clock::get()?.unix_timestamp;
    let depeg = ctx
        .accounts
        .depeg_price_update
        .as_ref()
        .map(|a| a.to_account_info());
    let price_account = ctx.accounts.price_update.to_account_info();
    let a = &ctx.accounts;
    let Attempt {
        vault,
        observed,
        step,
    } = attempt(
        &*a.vault.load()?,
        &a.series,
        &price_account,
        depeg.as_ref(),
        now,
        a.keeper.key(),
        a.reserve.amount,
    )?;
    *a.vault.load_mut()? = *vault;
    let vault_key = a.vault.key();
    if let Some(observed) = &observed {
        let event = BreachObserved::new(&vault, vault_key, observed);
        emit_cpi!(event);
    }
    let step = match step {
        Ok(step) => step,
        Err(status) => {
            return Ok(ReleaseOutcome {
                status,
                payout: 0,
                tip: 0,
                advanced: ctx.accounts.series.advanced,
            })
        }
    };
    pay_step(ctx.accounts, &step, &vault.signer())?;
    let released = book_step(ctx.accounts, &step, now)?;
    let advanced = released.advanced;
    emit_cpi!(released);
    Ok(ReleaseOutcome {
        status: ReleaseStatus::Released,
        payout: step.payout,
        tip: step.tip,
        advanced,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_nothing_due_error_has_a_status_and_others_revert() {
        let cases = [
            (BackstopError::SeriesNotOpen, ReleaseStatus::SeriesNotOpen),
            (BackstopError::SeriesExpired, ReleaseStatus::SeriesNotOpen),
            (
                BackstopError::BreachNotConfirmed,
                ReleaseStatus::NotConfirmed,
            ),
            (
                BackstopError::ReleaseIntervalNotElapsed,
                ReleaseStatus::IntervalNotElapsed,
            ),
            (BackstopError::NoHeldPrice, ReleaseStatus::OracleUnavailable),
            (BackstopError::NotInTheMoney, ReleaseStatus::NotInTheMoney),
            (BackstopError::NothingToRelease, ReleaseStatus::NothingOwed),
            (BackstopError::ReleaseCapReached, ReleaseStatus::CapSpent),
        ];
        for (err, status) in cases {
            assert_eq!(status_of(&err.into()), Some(status), "{err:?}");
        }
        for err in [
            BackstopError::MathOverflow,
            BackstopError::OracleWrongFeed,
            BackstopError::PriceAccountNotPinned,
            BackstopError::WrongVault,
        ] {
            assert_eq!(status_of(&err.into()), None, "{err:?}");
        }
    }
}
