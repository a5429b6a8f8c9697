//! `trigger`: one release never pays more than the epoch cap left, exercises no more than the
//! unexercised units, pays each unit its intrinsic value rounded down, and the keeper tip never
//! touches reserve promised to open series.

use super::*;
use crate::errors::BackstopError;
use crate::instructions::trigger::{keeper_tip, release_within_cap, roll_epoch};
use crate::units::{escrow_for, strike_to_price};

#[test]
fn a_release_stays_within_the_cap_and_the_unexercised_units() {
    let case = decimals().prop_flat_map(|(cd, qd)| {
        (
            Just(cd),
            Just(qd),
            amount(1, max_strike(qd)),
            amount(1, u64::MAX), // unexercised (clamped to what the escrow admits below)
            amount(0, u64::MAX), // cap left
            any::<u8>(),
            raw_u64(),
        )
    });
    runner(110)
        .run(
            &case,
            |(cd, qd, strike, unexercised, cap_left, sel, raw)| {
                let unexercised = unexercised.min(max_size(strike, cd));
                let k = strike_to_price(strike, qd).unwrap();
                let Some(price) = price_below(k, sel, raw) else {
                    return Ok(());
                };
                let s = scale(cd, qd);
                let per_unit = u128::from(k - price);
                match release_within_cap(k, price, unexercised, cap_left, cd, qd) {
                    Ok((units, payout)) => {
                        prop_assert!(payout > 0);
                        prop_assert!(units <= unexercised, "more units than unexercised");
                        prop_assert!(
                            payout <= cap_left,
                            "payout {} > cap left {}",
                            payout,
                            cap_left
                        );
                        prop_assert!(payout <= escrow_for(strike, units, cd).unwrap());
                        // Exactly the intrinsic value of `units`, rounded down.
                        let exact = per_unit * u128::from(units);
                        let p = u128::from(payout) * s;
                        prop_assert!(p <= exact && exact - p < s);
                        // As many units as the cap pays for in full (the next one would exceed it).
                        if units < unexercised {
                            let next = per_unit * (u128::from(units) + 1);
                            let cap = u128::from(cap_left).checked_mul(s);
                            prop_assert!(cap.is_some_and(|c| next > c), "a unit left unpaid");
                        }
                    }
                    Err(e) => {
                        prop_assert_eq!(e, BackstopError::ReleaseCapReached.into());
                        // Refused only when the cap pays for nothing.
                        let fit = u128::from(cap_left)
                            .checked_mul(s)
                            .map_or(u128::from(unexercised), |c| {
                                (c / per_unit).min(u128::from(unexercised))
                            });
                        prop_assert_eq!(per_unit * fit / s, 0);
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
