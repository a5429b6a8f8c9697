//! `trigger`: one step never pays more than the epoch cap left nor more than the increase of
//! what is owed over what was advanced, and the keeper tip never touches reserve promised to
//! open series.

use super::*;
use crate::errors::BackstopError;
use crate::instructions::trigger::{keeper_tip, ratchet_step, roll_epoch, step_allowed};
use crate::units::{escrow_for, intrinsic_for, strike_to_price};

#[test]
fn a_step_pays_the_increase_within_the_cap() {
    let case = decimals().prop_flat_map(|(cd, qd)| {
        (
            Just(cd),
            Just(qd),
            amount(1, max_strike(qd)),
            amount(1, u64::MAX), // written (clamped to what the escrow admits below)
            amount(0, u64::MAX), // advanced (clamped below)
            amount(0, u64::MAX), // cap left
            any::<u8>(),
            raw_u64(),
        )
    });
    runner(110)
        .run(
            &case,
            |(cd, qd, strike, written, advanced, cap_left, sel, raw)| {
                let written = written.min(max_size(strike, cd));
                let k = strike_to_price(strike, qd).unwrap();
                let Some(price) = price_below(k, sel, raw) else {
                    return Ok(());
                };
                let owed = intrinsic_for(k, price, written, cd, qd).unwrap();
                prop_assert!(owed <= escrow_for(strike, written, cd).unwrap());
                let advanced = advanced % owed.saturating_add(2);
                match ratchet_step(owed, advanced, cap_left) {
                    Ok(payout) => {
                        prop_assert!(payout > 0);
                        prop_assert!(payout <= cap_left);
                        prop_assert!(advanced + payout <= owed, "advanced past what is owed");
                        // Pays the whole increase unless the cap binds.
                        prop_assert!(payout == owed - advanced || payout == cap_left);
                    }
                    Err(e) if advanced >= owed => {
                        prop_assert_eq!(e, BackstopError::NothingToRelease.into());
                    }
                    Err(e) => {
                        prop_assert_eq!(cap_left, 0);
                        prop_assert_eq!(e, BackstopError::ReleaseCapReached.into());
                    }
                }
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn a_series_steps_at_most_once_per_slot_of_the_grid() {
    runner(113)
        .run(
            &(any::<i64>(), any::<u32>(), any::<i64>()),
            |(last, interval, now)| {
                let allowed = step_allowed(last, interval, now);
                let slot = |t: i64| t.div_euclid(i64::from(interval.max(1)));
                if last == 0 {
                    prop_assert!(allowed);
                } else {
                    // One step per slot of the fixed grid: a later slot, never the same one.
                    prop_assert_eq!(allowed, slot(now) > slot(last));
                    if allowed {
                        prop_assert!(now > last);
                    }
                }
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn the_epoch_rolls_only_when_it_has_run_its_length() {
    runner(111)
        .run(
            &(
                any::<i64>(),
                any::<u32>(),
                amount(0, u64::MAX),
                any::<i64>(),
            ),
            |(start, secs, released, now)| {
                let got = roll_epoch(start, secs, released, now);
                let Some(end) = start.checked_add(i64::from(secs)) else {
                    prop_assert!(got.is_err());
                    return Ok(());
                };
                let expect = if now >= end {
                    (now, 0)
                } else {
                    (start, released)
                };
                prop_assert_eq!(got.unwrap(), expect);
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn the_keeper_tip_never_touches_committed_premium() {
    runner(112)
        .run(
            &(
                amount(0, u64::MAX),
                amount(0, u64::MAX),
                amount(0, u64::MAX),
            ),
            |(setting, reserve, committed)| {
                let tip = keeper_tip(setting, reserve, committed);
                prop_assert!(tip <= setting);
                prop_assert!(tip <= reserve);
                if reserve >= committed {
                    prop_assert!(reserve - tip >= committed);
                    // ... and is paid in full whenever the uncommitted reserve allows.
                    prop_assert_eq!(tip, setting.min(reserve - committed));
                } else {
                    prop_assert_eq!(tip, 0);
                }
                Ok(())
            },
        )
        .unwrap();
}
