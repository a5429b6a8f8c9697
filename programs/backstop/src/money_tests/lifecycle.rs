//! A whole series, step by step as the instructions do it: writes (escrow in), ratcheting
//! release steps (epoch-capped advances), expiry settlement of what is still owed, every writer's reclaim, and the close that sweeps the
//! dust. Tracks the escrow's token balance independently and checks that no transfer ever
//! exceeds it, that payouts never exceed what was deposited (nor the exact strike value), and
//! that the writers' pro-rata shares of the payouts cover the payouts and their reclaims sum to
//! at most what the escrow holds.

use super::*;
use crate::errors::BackstopError;
use crate::instructions::close_series::escrow_on_books;
use crate::instructions::reclaim::{payout_share, reclaim_split};
use crate::instructions::settle_series::settlement_payout;
use crate::instructions::trigger::{ratchet_step, roll_epoch};
use crate::math::tests::cases;
use crate::units::{escrow_for, intrinsic_for, strike_to_price};
use std::cell::RefCell;

const WRITERS: usize = 5;
const T0: i64 = 1_700_000_000;

#[derive(Debug, Clone)]
struct Case {
    cd: u8,
    qd: u8,
    strike: u64,
    /// `(writer, size)`, in order.
    writes: Vec<(usize, u64)>,
    cap_per_epoch: u64,
    epoch_secs: u32,
    /// `(seconds after the previous trigger, price selector, raw price)`.
    triggers: Vec<(u32, u8, u64)>,
    settle: (u8, u64),
}

fn case() -> impl Strategy<Value = Case> {
    (decimals(), 1usize..=8)
        .prop_flat_map(|((cd, qd), n)| (Just(cd), Just(qd), Just(n), amount(1, max_strike(qd))))
        .prop_flat_map(|(cd, qd, n, strike)| {
            // Sizes whose total escrow fits (the size cap open_series admits).
            let per_write = (max_size(strike, cd) / n as u64).max(1);
            (
                Just(cd),
                Just(qd),
                Just(strike),
                prop::collection::vec((0..WRITERS, amount(1, per_write)), n),
                amount(1, u64::MAX),
                prop_oneof![Just(60u32), 60u32..=86_400, Just(u32::MAX)],
                prop::collection::vec(
                    (
                        prop_oneof![Just(0u32), 0u32..=200_000, Just(u32::MAX)],
                        any::<u8>(),
                        raw_u64(),
                    ),
                    0..8,
                ),
                (any::<u8>(), raw_u64()),
            )
        })
        .prop_map(
            |(cd, qd, strike, writes, cap_per_epoch, epoch_secs, triggers, settle)| Case {
                cd,
                qd,
                strike,
                writes,
                cap_per_epoch,
                epoch_secs,
                triggers,
                settle,
            },
        )
}

/// How often the interesting paths ran (the test fails if one never did).
#[derive(Debug, Default)]
struct Seen {
    releases: u32,
    capped_releases: u32,
    refused_releases: u32,
    epoch_rolls: u32,
    settlement_payouts: u32,
    advance_kept: u32,
    dust: u32,
}

#[test]
fn a_series_never_pays_out_more_than_its_escrow() {
    let seen = RefCell::new(Seen::default());
    runner(120)
        .run(&case(), |c| run_series(&c, &mut seen.borrow_mut()))
        .unwrap();
    let seen = seen.into_inner();
    println!("lifecycle coverage over {} cases: {seen:?}", cases());
    let min = cases() / 100;
    for n in [
        seen.releases,
        seen.capped_releases,
        seen.refused_releases,
        seen.epoch_rolls,
        seen.settlement_payouts,
        seen.advance_kept,
        seen.dust,
    ] {
        assert!(n >= min, "a path ran too rarely: {seen:?}");
    }
}

fn run_series(c: &Case, seen: &mut Seen) -> Result<(), TestCaseError> {
    let (cd, qd) = (c.cd, c.qd);
    let k = strike_to_price(c.strike, qd).unwrap();

    // write_put: each write escrows strike x size, rounded up.
    let mut size = [0u64; WRITERS];
    let mut deposited = [0u64; WRITERS];
    let (mut written, mut escrow_deposited) = (0u64, 0u64);
    let mut balance: u128 = 0; // the escrow token account
    for &(w, s) in &c.writes {
        let e = escrow_for(c.strike, s, cd).unwrap();
        // Rounding up each write can take the total past u64: that write is refused.
        let Some(total) = escrow_deposited.checked_add(e) else {
            continue;
        };
        escrow_deposited = total;
        size[w] += s;
        deposited[w] += e;
        written += s;
        balance += u128::from(e);
    }
    let positions = size.iter().filter(|&&s| s > 0).count() as u64;

    // trigger: steps at random held prices, epoch by epoch; each pays the increase of what is
    // owed over what was advanced.
    let (mut epoch_start, mut released_in_epoch) = (T0, 0u64);
    let (mut advanced, mut payout_total, mut now) = (0u64, 0u64, T0);
    let mut max_owed = 0u64;
    for &(dt, sel, raw) in &c.triggers {
        now += i64::from(dt);
        let Some(price) = price_below(k, sel, raw) else {
            continue;
        };
        let owed = intrinsic_for(k, price, written, cd, qd).unwrap();
        let (start, released) = roll_epoch(epoch_start, c.epoch_secs, released_in_epoch, now)
            .map_err(|e| TestCaseError::fail(format!("roll_epoch: {e}")))?;
        let cap_left = c.cap_per_epoch.saturating_sub(released);
        match ratchet_step(owed, advanced, cap_left) {
            Ok(payout) => {
                seen.releases += 1;
                seen.capped_releases += u32::from(payout < owed - advanced);
                seen.epoch_rolls += u32::from(start != epoch_start);
                prop_assert!(u128::from(payout) <= balance, "release exceeds the escrow");
                prop_assert!(payout <= cap_left);
                (epoch_start, released_in_epoch) = (start, released + payout);
                prop_assert!(released_in_epoch <= c.cap_per_epoch, "epoch cap exceeded");
                advanced += payout;
                max_owed = max_owed.max(owed);
                prop_assert!(advanced <= max_owed, "advanced past the most ever owed");
                payout_total = payout_total.checked_add(payout).unwrap();
                balance -= u128::from(payout);
            }
            // The transaction fails and nothing changes (not even the epoch roll).
            Err(e) => {
                seen.refused_releases += 1;
                prop_assert!(
                    e == BackstopError::ReleaseCapReached.into()
                        || e == BackstopError::NothingToRelease.into()
                );
            }
        }
    }

    // settle_series: what is still owed at any price, rounded down; never fails.
    let price = any_price(k, c.settle.0, c.settle.1);
    let payout = settlement_payout(c.strike, price, written, advanced, cd, qd)
        .map_err(|e| TestCaseError::fail(format!("settlement: {e}")))?;
    let owed_at_expiry = intrinsic_for(k, price, written, cd, qd).unwrap();
    prop_assert_eq!(payout, owed_at_expiry.saturating_sub(advanced));
    seen.settlement_payouts += u32::from(payout > 0);
    seen.advance_kept += u32::from(advanced > owed_at_expiry);
    prop_assert!(
        u128::from(payout) <= balance,
        "settlement exceeds the escrow"
    );
    payout_total = payout_total.checked_add(payout).unwrap();
    balance -= u128::from(payout);
    // The protocol receives at least what it would with no step at all.
    prop_assert_eq!(payout_total, advanced.max(owed_at_expiry));
    prop_assert!(payout_total <= escrow_deposited);
    // Stronger: the payouts never exceed the exact strike value of what was written.
    prop_assert!(
        u128::from(payout_total) * pow10(u32::from(cd))
            <= u128::from(c.strike) * u128::from(written)
    );

    // reclaim: each writer gets its deposit less its pro-rata share of the payouts.
    let mut shares = 0u128;
    let mut escrow_reclaimed = 0u64;
    for w in (0..WRITERS).filter(|&w| size[w] > 0) {
        let (share, amount) = reclaim_split(payout_total, written, size[w], deposited[w])
            .map_err(|e| TestCaseError::fail(format!("reclaim of writer {w}: {e}")))?;
        prop_assert_eq!(share + amount, deposited[w]);
        // share = ceil(P * s / W): at least the exact pro-rata share, less than one unit above.
        let exact = u128::from(payout_total) * u128::from(size[w]);
        let scaled = u128::from(share) * u128::from(written);
        prop_assert!(scaled >= exact && scaled - exact < u128::from(written));
        prop_assert!(u128::from(amount) <= balance, "reclaim exceeds the escrow");
        balance -= u128::from(amount);
        shares += u128::from(share);
        escrow_reclaimed += amount;
    }
    // The shares cover every unit paid out, with at most one unit of dust per position.
    prop_assert!(shares >= u128::from(payout_total));
    prop_assert!(shares - u128::from(payout_total) < u128::from(positions.max(1)));

    // close_series: the books hold exactly the dust left in the escrow.
    let on_books = escrow_on_books(escrow_deposited, payout_total, escrow_reclaimed)
        .map_err(|e| TestCaseError::fail(format!("close: {e}")))?;
    prop_assert_eq!(u128::from(on_books), balance);
    prop_assert_eq!(u128::from(on_books), shares - u128::from(payout_total));
    seen.dust += u32::from(on_books > 0);
    Ok(())
}

/// Pro-rata shares over any partition of the written size, with the largest payouts a series
/// can reach: each share is within one unit above its exact part, the shares cover the whole
/// payout, and the writers' reclaims sum to at most what the escrow holds.
#[test]
fn pro_rata_shares_over_any_partition() {
    let case = (decimals(), 1usize..=64)
        .prop_flat_map(|((cd, qd), n)| (Just(cd), Just(qd), Just(n), amount(1, max_strike(qd))))
        .prop_flat_map(|(cd, _qd, n, strike)| {
            let per = (max_size(strike, cd) / n as u64).max(1);
            (
                Just(cd),
                Just(strike),
                prop::collection::vec(amount(1, per), n),
                any::<u64>(),
                0u8..4,
            )
        });
    runner(121)
        .run(&case, |(cd, strike, sizes, raw, sel)| {
            let deposits: Vec<u64> = sizes
                .iter()
                .map(|&s| escrow_for(strike, s, cd).unwrap())
                .collect();
            let written: u64 = sizes.iter().sum();
            // Any payout up to the exact strike value of the series (what releases and
            // settlement can reach at a zero price).
            let max_payout =
                (u128::from(strike) * u128::from(written) / pow10(u32::from(cd))) as u64;
            let payout_total = match sel {
                0 => max_payout,
                1 => 0,
                2 => max_payout.saturating_sub(raw % 16),
                _ => raw % max_payout.saturating_add(1),
            };
            let (mut shares, mut reclaimed) = (0u128, 0u128);
            for (&s, &d) in sizes.iter().zip(&deposits) {
                let share = payout_share(payout_total, s, written).unwrap();
                let exact = u128::from(payout_total) * u128::from(s);
                let scaled = u128::from(share) * u128::from(written);
                prop_assert!(scaled >= exact && scaled - exact < u128::from(written));
                let (share2, amount) = reclaim_split(payout_total, written, s, d)
                    .map_err(|e| TestCaseError::fail(format!("reclaim: {e}")))?;
                prop_assert_eq!(share2, share);
                prop_assert_eq!(amount, d - share); // reclaim >= 0 (no underflow)
                shares += u128::from(share);
                reclaimed += u128::from(amount);
            }
            let escrow_left =
                deposits.iter().map(|&d| u128::from(d)).sum::<u128>() - u128::from(payout_total);
            prop_assert!(
                reclaimed <= escrow_left,
                "writers take more than the escrow holds"
            );
            prop_assert!(shares >= u128::from(payout_total));
            prop_assert!(shares - u128::from(payout_total) < sizes.len() as u128);
            Ok(())
        })
        .unwrap();
}
