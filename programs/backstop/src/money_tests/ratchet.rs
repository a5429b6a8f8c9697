//! The release ratchet over whole crashes: random price paths (drifts, jumps, rebounds, wide
//! and stale updates) with random crank schedules by random callers (a keeper, a writer, the
//! protocol's reporter), driven through the program's own observation (`solvency::record`),
//! step sizing (`trigger::plan_step`), booking (`trigger::apply_step`) and settlement
//! (`settle_series::settlement_payout`) functions. A trigger that fails changes nothing (the
//! transaction reverts, its observation with it).
//!
//! Properties, every case:
//! * the protocol's final receipt is at least the receipt with no crank at all;
//! * it equals `max(advanced, owed at expiry)`, and with no cap binding, `advanced` is the most
//!   any step's held price made owed;
//! * the writers' total loss is at most what they escrowed; tokens are conserved to the unit;
//! * every step paid at a held price no lower than any price recorded over the window;
//! * a tip never exceeds its step, is never paid to the reporter, nor for a step below
//!   `min_tip_release`.

use super::*;
use crate::instructions::settle_series::settlement_payout;
use crate::instructions::trigger::{apply_step, plan_step};
use crate::math::tests::cases;
use crate::oracle::OraclePrice;
use crate::solvency::record;
use crate::state::*;
use crate::units::{escrow_for, intrinsic_for, strike_to_price};
use anchor_lang::prelude::Pubkey;
use std::cell::RefCell;

const T0: i64 = 1_700_000_000;
const CD: u8 = 9; // SOL-like collateral
const QD: u8 = 6; // USDC-like quote
const USD: u64 = 1_000_000;
const MAX_CONF_BPS: u16 = 200;

#[derive(Debug, Clone, Copy)]
enum Caller {
    Nobody,
    Observer,
    Keeper,
    Writer,
    Reporter,
}

#[derive(Debug, Clone)]
struct Tick {
    dt: u32,
    /// Price move, bps (negative: down).
    move_bps: i32,
    conf_bps: u32,
    stale: bool,
    caller: Caller,
}

#[derive(Debug, Clone)]
struct Crash {
    strike_usd: u64,
    written: u64,
    start_bps: u32,
    barrier_bps: u32,
    persistence: u32,
    max_age: u32,
    interval: u32,
    /// Cap per epoch in bps of the series' strike value (`None`: unbounded).
    cap_bps: Option<u32>,
    epoch_secs: u32,
    ticks: Vec<Tick>,
}

fn tick() -> impl Strategy<Value = Tick> {
    (
        1u32..=240,
        prop_oneof![
            6 => -300i32..=250,
            2 => -2_500i32..=-500,
            1 => 300i32..=2_000,
        ],
        prop_oneof![6 => 0u32..=150, 1 => 150u32..=3_000],
        prop::bool::weighted(0.1),
        prop_oneof![
            3 => Just(Caller::Nobody),
            3 => Just(Caller::Observer),
            3 => Just(Caller::Keeper),
            2 => Just(Caller::Writer),
            1 => Just(Caller::Reporter),
        ],
    )
        .prop_map(|(dt, move_bps, conf_bps, stale, caller)| Tick {
            dt,
            move_bps,
            conf_bps,
            stale,
            caller,
        })
}

fn crash() -> impl Strategy<Value = Crash> {
    (
        1u64..=1_000,
        1u64..=10_000_000_000_000,
        9_000u32..=14_000,
        6_000u32..=11_000,
        30u32..=600,
        1u32..=60,
        60u32..=3_600,
        prop_oneof![2 => Just(None), 1 => (1u32..=3_000).prop_map(Some)],
        60u32..=86_400,
        prop::collection::vec(tick(), 20..160),
    )
        .prop_map(
            |(
                strike_usd,
                written,
                start_bps,
                barrier_bps,
                persistence,
                max_age,
                interval,
                cap_bps,
                epoch_secs,
                ticks,
            )| Crash {
                strike_usd,
                written,
                start_bps,
                barrier_bps,
                persistence,
                max_age,
                interval,
                cap_bps,
                epoch_secs,
                ticks,
            },
        )
}

fn vault(c: &Crash, strike: u64) -> Vault {
    let strike_value = escrow_for(strike, c.written, CD).unwrap();
    let cap = c.cap_bps.map_or(u64::MAX / 2, |bps| {
        (u128::from(strike_value) * u128::from(bps) / 10_000).max(1) as u64
    });
    Vault {
        authority: Pubkey::default(),
        reporter: Pubkey::default(),
        risk_authority: Pubkey::default(),
        quote_mint: Pubkey::default(),
        recovery: Pubkey::default(),
        reserve: Pubkey::default(),
        quote_decimals: QD,
        collateral_decimals: CD,
        oracle: StoredOracleSettings {
            max_age_secs: c.max_age,
            max_conf_bps: MAX_CONF_BPS,
            ..Default::default()
        },
        trigger: StoredTriggerSettings {
            barrier_price: (u128::from(strike_to_price(strike, QD).unwrap())
                * u128::from(c.barrier_bps)
                / 10_000) as u64,
            persistence_secs: c.persistence,
            ..Default::default()
        },
        pricing: StoredPricingSettings::default(),
        release: StoredReleaseSettings {
            cap_per_epoch: cap,
            epoch_secs: c.epoch_secs,
            keeper_tip: 5 * USD,
            min_tip_release: 100 * USD,
            release_interval_secs: c.interval,
            write_cutoff_secs: c.persistence + c.max_age,
            ..Default::default()
        },
        breach: BreachState::default(),
        report: SolvencyReport::default(),
        totals: VaultTotals {
            escrowed: strike_value,
            ..Default::default()
        },
        epoch_start: T0,
        released_in_epoch: 0,
        series_count: 1,
        bump: 255,
        reserve_bump: 255,
        window: PriceWindow::default(),
        last_price: LastPrice::default(),
        settings_timelock_secs: 86_400,
        pending_settings: StoredPendingSettings::default(),
        ..bytemuck::Zeroable::zeroed()
    }
}

fn series(c: &Crash, strike: u64, expiry: i64) -> Series {
    Series {
        vault: Pubkey::default(),
        escrow: Pubkey::default(),
        put_mint: Pubkey::default(),
        holder: Pubkey::default(),
        strike,
        expiry,
        svi: SviSlice::default(),
        size_cap: c.written,
        premium_budget: 0,
        premium_paid: 0,
        written_size: c.written,
        advanced: 0,
        payout_total: 0,
        escrow_deposited: escrow_for(strike, c.written, CD).unwrap(),
        escrow_reclaimed: 0,
        settlement_price: 0,
        settlement_publish_time: 0,
        settlement_source: SettlementSource::None,
        last_step_at: 0,
        status: SeriesStatus::Open,
        open_positions: 1,
        bump: 255,
        escrow_bump: 255,
        put_mint_bump: 255,
        style: SeriesStyle::CashRatchet,
        collateral: Pubkey::default(),
        collateral_bump: 0,
        delivered_size: 0,
        collateral_reclaimed: 0,
        holder_bump: 255,
        reserved: [0; 64],
    }
}

#[derive(Debug, Default)]
struct Seen {
    steps: u32,
    capped_steps: u32,
    stale_steps: u32,
    wide_steps: u32,
    tips: u32,
    reporter_steps: u32,
    advance_kept: u32,
    paid_at_expiry_after_steps: u32,
}

#[test]
fn no_crank_lowers_what_the_protocol_finally_receives() {
    let seen = RefCell::new(Seen::default());
    runner(130)
        .run(&crash(), |c| run_crash(&c, &mut seen.borrow_mut()))
        .unwrap();
    let seen = seen.into_inner();
    println!("ratchet coverage over {} cases: {seen:?}", cases());
    let min = cases() / 200;
    for n in [
        seen.steps / 10,
        seen.capped_steps,
        seen.stale_steps,
        seen.wide_steps,
        seen.tips,
        seen.reporter_steps,
        seen.advance_kept,
        seen.paid_at_expiry_after_steps,
    ] {
        assert!(n >= min, "a path ran too rarely: {seen:?}");
    }
}

fn run_crash(c: &Crash, seen: &mut Seen) -> Result<(), TestCaseError> {
    let strike = c.strike_usd * USD;
    let k = strike_to_price(strike, QD).unwrap();
    let total: i64 = c.ticks.iter().map(|t| i64::from(t.dt)).sum();
    // Expiry three quarters of the way: the last ticks give the settlement price.
    let expiry = T0 + (total * 3 / 4).max(1);
    let mut v = vault(c, strike);
    let mut s = series(c, strike, expiry);
    let escrow_in = s.escrow_deposited;
    let mut escrow = u128::from(escrow_in);
    let mut recovery = 0u128;

    let mut price = (u128::from(k) * u128::from(c.start_bps) / 10_000) as u64;
    let mut now = T0;
    let mut recorded: Vec<(i64, u64)> = vec![];
    let (mut max_step_owed, mut capped) = (0u64, false);
    let mut settlement_price = None;
    for t in &c.ticks {
        let prev = now;
        now += i64::from(t.dt);
        let moved = i128::from(price) * i128::from(10_000 + t.move_bps) / 10_000;
        price = moved.clamp(1, i128::from(u64::MAX)) as u64;
        if now >= expiry {
            // The first update at or after expiry settles (the ladder's first rung).
            settlement_price.get_or_insert(price);
            continue;
        }
        let conf = (u128::from(price) * u128::from(t.conf_bps) / 10_000) as u64;
        let update = OraclePrice {
            price,
            conf,
            publish_time: now,
            prev_publish_time: prev,
        };
        let wide = t.conf_bps > u32::from(MAX_CONF_BPS);
        // A stale update gives no information: the observation records nothing.
        let observe = |v: &mut Vault| -> Option<u64> {
            if t.stale {
                return None;
            }
            let o = record(v, update, wide, None, now).unwrap();
            Some(o.recorded)
        };
        match t.caller {
            Caller::Nobody => {}
            Caller::Observer => {
                if let Some(r) = observe(&mut v) {
                    recorded.push((now, r));
                }
            }
            Caller::Keeper | Caller::Writer | Caller::Reporter => {
                let by_reporter = matches!(t.caller, Caller::Reporter);
                let mut trial = v;
                let r = observe(&mut trial);
                let Ok(step) = plan_step(&mut trial, &s, now, by_reporter, u64::MAX) else {
                    continue; // reverted: the observation goes too
                };
                if let Some(r) = r {
                    recorded.push((now, r));
                }
                v = trial;
                // The step paid at a price that held: no lower than anything recorded over the
                // window, and no higher than what the window's whole buckets saw.
                let span = v.held_span();
                let width = i64::from(bucket_secs_for(span));
                let anchor = v.breach.last_observed;
                let in_window = |lo: i64, hi: i64| {
                    recorded
                        .iter()
                        .filter(|(t, _)| (lo..=hi).contains(t))
                        .map(|&(_, p)| p)
                        .max()
                };
                let floor = in_window(anchor - span, anchor).unwrap_or(0);
                let ceiling = in_window(anchor - span - width, anchor + width).unwrap();
                prop_assert!(
                    step.held_price >= floor && step.held_price <= ceiling,
                    "held {} outside [{}, {}]",
                    step.held_price,
                    floor,
                    ceiling
                );
                prop_assert!(step.tip <= step.payout);
                if by_reporter || step.payout < v.release.min_tip_release {
                    prop_assert_eq!(step.tip, 0);
                }
                let before = s.advanced;
                apply_step(&mut v, &mut s, &step, now).unwrap();
                prop_assert!(s.advanced > before, "a step that pays nothing");
                prop_assert!(step.payout <= step.owed - before);
                capped |= step.payout < step.owed - before;
                max_step_owed = max_step_owed.max(step.owed);
                prop_assert!(u128::from(step.payout) <= escrow);
                escrow -= u128::from(step.payout);
                recovery += u128::from(step.payout);
                seen.steps += 1;
                seen.capped_steps += u32::from(step.payout < step.owed - before);
                seen.stale_steps += u32::from(t.stale);
                seen.wide_steps += u32::from(wide && !t.stale);
                seen.tips += u32::from(step.tip > 0);
                seen.reporter_steps += u32::from(by_reporter);
            }
        }
    }
    let Some(settle_at) = settlement_price else {
        return Ok(()); // no tick reached expiry
    };
    let payout = settlement_payout(strike, settle_at, c.written, s.advanced, CD, QD).unwrap();
    prop_assert!(u128::from(payout) <= escrow);
    escrow -= u128::from(payout);
    recovery += u128::from(payout);
    let receipt = s.advanced + payout;
    let no_crank = intrinsic_for(k, settle_at, c.written, CD, QD).unwrap();

    prop_assert!(
        receipt >= no_crank,
        "cranks lowered the receipt: {} < {}",
        receipt,
        no_crank
    );
    prop_assert_eq!(receipt, s.advanced.max(no_crank));
    if !capped {
        prop_assert_eq!(s.advanced, max_step_owed);
    }
    prop_assert!(receipt <= escrow_in, "writers lost more than they escrowed");
    prop_assert_eq!(escrow + recovery, u128::from(escrow_in));
    prop_assert_eq!(v.totals.released, s.advanced);
    seen.advance_kept += u32::from(s.advanced > no_crank);
    seen.paid_at_expiry_after_steps += u32::from(s.advanced > 0 && payout > 0);
    Ok(())
}
