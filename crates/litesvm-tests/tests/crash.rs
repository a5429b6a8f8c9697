//! Releases that hold in a crash, on the built .so: one scenario per failure of the old release
//! model (issue 13), each asserting the exact amounts the new model pays.
//!
//! 1. an early crank is never final: a writer's crank a cent below the strike, then the deep
//!    step, pay the protocol the deep intrinsic value;
//! 2. writes are refused while a breach is pending, near expiry and on a wide feed;
//! 3. a stale, wide or missing feed never makes observations or release steps fail closed;
//! 4. settlement always ends, even when the feed stops at expiry;
//! 5. a confirmed breach expires when nobody sees it again, and the tip only pays real steps.
use anchor_lang::{prelude::Pubkey, AccountDeserialize};
use backstop::{
    constants::SETTLEMENT_DEADLINE_SECS,
    errors::BackstopError,
    events::{BreachObserved, CapitalReleased, PositionReclaimed, SeriesSettled},
    state::{BreachTransition, Series, SettlementSource, Vault},
};
use backstop_harness::*;
use backstop_litesvm_tests::{breach::Keeper, series::*, vault::*};

const SOL: u64 = 1_000_000_000;

fn read<T: AccountDeserialize>(m: &Market, key: &Pubkey) -> T {
    let acc = m.f.env.svm.get_account(key).expect("account exists");
    T::try_deserialize(&mut acc.data.as_slice()).expect("account data")
}

fn transition(meta: &TransactionMetadata) -> BreachTransition {
    cpi_events::<BreachObserved>(meta)
        .last()
        .expect("BreachObserved")
        .transition
}

fn released(meta: &TransactionMetadata) -> CapitalReleased {
    cpi_events::<CapitalReleased>(meta).remove(0)
}

/// A collateral update `age` seconds old with `conf` (both at 10^-8).
fn publish(m: &mut Market, cents: i64, conf: u64, age: i64) {
    let update = PriceUpdate::new(SOL_FEED, cents * 1_000_000, conf, -8, m.now() - age);
    write_price_update(&mut m.f.env.svm, m.price_account, &update);
}

/// A stablecoin update `age` seconds old with `conf` (10^-8).
fn publish_depeg(m: &mut Market, price: i64, conf: u64, age: i64) {
    let update = PriceUpdate::new(USDC_FEED, price, conf, -8, m.now() - age);
    write_price_update(&mut m.f.env.svm, m.depeg_account, &update);
}

/// Observes with or without the stablecoin account.
fn observe_with(m: &mut Market, depeg: bool) -> TxResult {
    let mut ix = m.observe_ix();
    if !depeg {
        ix.accounts[2].pubkey = backstop::ID; // Anchor's "None"
    }
    let payer = m.f.payer.insecure_clone();
    send(&mut m.f.env.svm, &[ix], &payer, &[])
}

fn trigger_with(m: &mut Market, keeper: &Keeper, keys: SeriesKeys, depeg: bool) -> TxResult {
    let mut accounts = m.trigger_accounts(keeper, keys);
    if !depeg {
        accounts.depeg_price_update = None;
    }
    let payer = m.f.payer.insecure_clone();
    send(
        &mut m.f.env.svm,
        &[Market::trigger_ix(accounts)],
        &payer,
        &[&keeper.key],
    )
}

/// Observes at `cents` every 60 s for `minutes` (the keeper watching a crash).
fn hold(m: &mut Market, cents: i64, minutes: usize) {
    for _ in 0..minutes {
        m.tick(60, cents);
        m.observe().expect("observe");
    }
}

fn token(m: &Market, key: &Pubkey) -> u64 {
    token_balance(&m.f.env.svm, key)
}

/// $150 market, one $100 series expiring in 30 days, one writer of 100 SOL ($10,000 escrowed),
/// with the barrier at `barrier_usd`.
fn market(barrier_usd: u64) -> (Market, SeriesKeys, Writer) {
    let mut m = Market::with_settings(500_000 * USDC, 150, |a| {
        a.trigger.barrier_price = barrier_usd * PRICE_ONE;
    });
    let keys = m.open_series(100, 30);
    let w = m.writer(100_000);
    m.write(&w, keys, 100 * SOL, 0).expect("write");
    (m, keys, w)
}

/// Point 1: during a confirmed breach the writer itself cranks a cent below the strike. The
/// old model exercised every unit there, final; now it is an advance of $1, the deep step
/// later pays the increase, and expiry after a rebound leaves the protocol the deep intrinsic.
#[test]
fn an_early_crank_by_a_writer_does_not_lower_the_final_receipt() {
    let (mut m, keys, w) = market(100);
    let writer_as_keeper = Keeper {
        key: w.key.insecure_clone(),
        token: w.token,
    };
    let keeper = m.keeper();
    m.tick(10, 9_999);
    m.observe().expect("first sighting at $99.99");
    hold(&mut m, 9_999, 3);
    let writer_before = token(&m, &w.token);
    let ev = released(&m.trigger(&writer_as_keeper, keys).expect("early crank"));
    assert_eq!((ev.held_price, ev.payout), (9_999 * PRICE_ONE / 100, USDC));
    // $1 released: far below the tip's minimum, so cranking early earns the writer nothing.
    assert_eq!(ev.keeper_tip, 0);
    assert_eq!(token(&m, &w.token), writer_before);

    // The crash deepens to $60 and holds there for the whole window.
    m.tick(30, 6_000);
    m.observe().expect("observe");
    hold(&mut m, 6_000, 4);
    let ev = released(&m.trigger(&keeper, keys).expect("deep step"));
    assert_eq!(ev.held_price, 60 * PRICE_ONE);
    assert_eq!(
        (ev.owed, ev.payout, ev.advanced),
        (4_000 * USDC, 3_999 * USDC, 4_000 * USDC)
    );
    assert_eq!(ev.keeper_tip, 5 * USDC);

    // The price recovers to $100 by expiry: nothing more is owed, and nothing is taken back.
    let upd = Pubkey::new_unique();
    warp_to_timestamp(&mut m.f.env.svm, keys.expiry + 5);
    m.set_price_at(upd, 10_000, keys.expiry + 1, keys.expiry - 1);
    let ev = cpi_events::<SeriesSettled>(&m.settle(keys, upd).expect("settle")).remove(0);
    assert_eq!((ev.payout, ev.advanced), (0, 4_000 * USDC));
    assert_eq!(ev.source, SettlementSource::FirstUpdate);
    // With no crank at all the protocol would have received the intrinsic value at $100: 0.
    assert_eq!(token(&m, &m.f.recovery), 4_000 * USDC);
    let ev = cpi_events::<PositionReclaimed>(&m.reclaim(keys, &w).expect("reclaim")).remove(0);
    assert_eq!(
        (ev.payout_share, ev.reclaimed),
        (4_000 * USDC, 6_000 * USDC)
    );
}

/// Point 2: a market maker cannot write into a breach it can see coming (pending, not yet
/// confirmed), nor within the write cutoff of expiry, nor on a feed wider than the write cap.
#[test]
fn writes_are_refused_while_a_breach_is_pending_near_expiry_and_on_a_wide_feed() {
    let (mut m, keys, _w) = market(90);
    let late = m.writer(100_000);
    m.tick(10, 8_900);
    assert_eq!(
        transition(&m.observe().expect("observe")),
        BreachTransition::Started
    );
    assert_program_error(m.write(&late, keys, SOL, 0), BackstopError::WritingFrozen);
    m.tick(20, 15_000);
    assert_eq!(
        transition(&m.observe().expect("observe")),
        BreachTransition::Cleared
    );
    m.write(&late, keys, SOL, 0)
        .expect("writes reopen after a spike");

    // 1.01 % confidence against the vault's 1 % write cap (the 2 % oracle cap still reads it).
    m.tick(1, 15_000);
    publish(&mut m, 15_000, 151_500_000, 0);
    assert_program_error(
        m.write(&late, keys, SOL, 0),
        BackstopError::WriteConfidenceTooWide,
    );
    publish(&mut m, 15_000, 150_000_000, 0);
    m.write(&late, keys, SOL, 0).expect("1 % is within the cap");

    // Five minutes before expiry writes close.
    warp_to_timestamp(&mut m.f.env.svm, keys.expiry - 300);
    m.tick(0, 15_000);
    assert_program_error(m.write(&late, keys, SOL, 0), BackstopError::WriteCutoff);
    warp_to_timestamp(&mut m.f.env.svm, keys.expiry - 301);
    m.tick(0, 15_000);
    m.write(&late, keys, SOL, 0)
        .expect("one second before the cutoff");
}

/// Point 3 (joint vault): a crash below the barrier while the stablecoin feed is stale, then
/// missing, then wide. The joint trigger cannot decide, the barrier still confirms, and the
/// step pays. The old model reverted every observation (`OracleStale`, `DepegPriceMissing`).
#[test]
fn stale_wide_or_missing_stablecoin_update_leaves_the_other_triggers_working() {
    let (mut m, keys, _w) = market(90);
    let keeper = m.keeper();
    m.tick(10, 8_500);
    publish_depeg(&mut m, 100_000_000, 10_000, 120);
    assert_eq!(
        transition(&m.observe().expect("stale stablecoin: no revert")),
        BreachTransition::Started
    );
    m.tick(61, 8_500);
    assert_eq!(
        transition(&observe_with(&mut m, false).expect("no stablecoin account: no revert")),
        BreachTransition::Confirmed
    );
    m.tick(60, 8_500);
    publish_depeg(&mut m, 100_000_000, 5_000_000, 0); // +-5 %
    let meta = m
        .trigger(&keeper, keys)
        .expect("wide stablecoin: the step pays");
    assert_eq!(released(&meta).payout, 1_500 * USDC);

    // Joint trigger alone ($95 is above the barrier, below the $120 joint level) with the
    // stablecoin dark: it neither starts nor clears a breach.
    let (mut m, _keys, _w) = market(90);
    m.tick(10, 9_500);
    assert_eq!(
        transition(&observe_with(&mut m, false).expect("observe")),
        BreachTransition::NoInformation
    );
    publish_depeg(&mut m, 96_000_000, 10_000, 0);
    assert_eq!(
        transition(&m.observe().expect("observe")),
        BreachTransition::Started
    );
    m.tick(30, 9_500);
    publish_depeg(&mut m, 100_000_000, 10_000, 300);
    assert_eq!(
        transition(&m.observe().expect("observe")),
        BreachTransition::NoInformation
    );
    let v: Vault = read(&m, &m.f.vault());
    assert_ne!(
        v.breach.first_seen, 0,
        "a dark stablecoin did not clear the breach"
    );
}

/// Point 3 (collateral): a confidence wider than the vault's cap used to make `trigger`
/// revert. Now it is a band: the breach counts at its top, and the step pays there ($85 for
/// $80 +- $5), a smaller advance that the next step catches up once the feed narrows.
#[test]
fn a_wide_collateral_feed_steps_at_the_conservative_bound() {
    let (mut m, keys, _w) = market(90);
    let keeper = m.keeper();
    for _ in 0..5 {
        advance_seconds(&mut m.f.env.svm, 60);
        publish(&mut m, 8_000, 500_000_000, 0);
        m.observe().expect("a wide update is read, not refused");
    }
    let ev = released(&m.trigger(&keeper, keys).expect("step at the band's top"));
    assert_eq!((ev.held_price, ev.payout), (85 * PRICE_ONE, 1_500 * USDC));
    hold(&mut m, 8_000, 4);
    let ev = released(&m.trigger(&keeper, keys).expect("catch-up step"));
    assert_eq!((ev.held_price, ev.payout), (80 * PRICE_ONE, 500 * USDC));
    assert_eq!(ev.advanced, 2_000 * USDC);
}

/// Point 3 (collateral): with the breach confirmed, a stale collateral update is no
/// information, and the step still pays at the price that held.
#[test]
fn a_stale_collateral_feed_still_lets_a_confirmed_breach_step() {
    let (mut m, keys, _w) = market(90);
    let keeper = m.keeper();
    m.tick(10, 8_000);
    m.observe().expect("observe");
    hold(&mut m, 8_000, 4);
    advance_seconds(&mut m.f.env.svm, 30);
    publish(&mut m, 8_000, 5_000_000, 90); // 90 s old: stale
    let meta = m
        .trigger(&keeper, keys)
        .expect("stale feed, confirmed breach");
    assert_eq!(transition(&meta), BreachTransition::NoInformation);
    assert_eq!(released(&meta).payout, 2_000 * USDC);
}

/// A one-update wick pays nothing extra: the step pays at the highest price seen over the
/// window, not at the dip.
#[test]
fn a_one_update_wick_pays_nothing_extra() {
    let (mut m, keys, _w) = market(90);
    let keeper = m.keeper();
    m.tick(10, 8_500);
    m.observe().expect("observe");
    hold(&mut m, 8_500, 4);
    m.tick(10, 5_000); // a $50 print shown straight to trigger
    let ev = released(&m.trigger(&keeper, keys).expect("step"));
    assert_eq!((ev.held_price, ev.payout), (85 * PRICE_ONE, 1_500 * USDC));
    m.tick(60, 8_500);
    assert_program_error(m.trigger(&keeper, keys), BackstopError::NothingToRelease);
}

/// Point 4: the feed stops before expiry and never comes back. During the grace nothing can
/// settle; after the deadline every series settles (with the nearest update however old, or
/// with none at all from the vault's last observed price), every writer reclaims, every series
/// closes, and no escrow keeps a unit.
#[test]
fn the_feed_stops_at_expiry_and_every_series_still_settles() {
    let mut m = Market::new(500_000 * USDC, 150);
    let a = m.open_series(100, 2);
    let b = m.open_series(120, 2);
    let writers = [m.writer(100_000), m.writer(100_000), m.writer(100_000)];
    m.write(&writers[0], a, 30 * SOL, 0).expect("w0 a");
    m.write(&writers[1], a, 10 * SOL + 7, 0).expect("w1 a");
    m.write(&writers[2], b, 20 * SOL, 0).expect("w2 b");
    let total_before: u64 = writers.iter().map(|w| token(&m, &w.token)).sum::<u64>()
        + token(&m, &a.escrow)
        + token(&m, &b.escrow)
        + token(&m, &m.f.recovery)
        + token(&m, &m.f.reserve());

    // The last update ever published: $110, 30 s before expiry.
    warp_to_timestamp(&mut m.f.env.svm, a.expiry - 30);
    m.tick(0, 11_000);
    m.observe().expect("last observation");
    let last = m.price_account;

    warp_to_timestamp(&mut m.f.env.svm, a.expiry + 600);
    assert_program_error(m.settle(a, last), BackstopError::SettlementPriceTooEarly);
    let mut no_update = m.settle_accounts(a, last);
    no_update.price_update = None;
    assert_program_error(
        m.settle_with(no_update),
        BackstopError::SettlementPriceMissing,
    );

    // 30 days later.
    warp_to_timestamp(&mut m.f.env.svm, a.expiry + 30 * 86_400);
    const { assert!(30 * 86_400 > SETTLEMENT_DEADLINE_SECS) };
    let ev = cpi_events::<SeriesSettled>(&m.settle(a, last).expect("settle a")).remove(0);
    assert_eq!(ev.source, SettlementSource::NearestAfterDeadline);
    assert_eq!((ev.price, ev.payout), (110 * PRICE_ONE, 0));
    let mut no_update = m.settle_accounts(b, last);
    no_update.price_update = None;
    let ev = cpi_events::<SeriesSettled>(&m.settle_with(no_update).expect("settle b")).remove(0);
    assert_eq!(ev.source, SettlementSource::LastObserved);
    // ($120 - $110) x 20 SOL.
    assert_eq!((ev.price, ev.payout), (110 * PRICE_ONE, 200 * USDC));

    for (keys, ws) in [(a, vec![0, 1]), (b, vec![2])] {
        for i in ws {
            m.reclaim(keys, &writers[i]).expect("reclaim");
        }
        m.close_with(m.close_accounts(keys)).expect("close");
        let s: Option<Series> =
            m.f.env
                .svm
                .get_account(&keys.series)
                .filter(|acc| !acc.data.is_empty())
                .map(|acc| Series::try_deserialize(&mut acc.data.as_slice()).expect("series"));
        assert!(s.is_none(), "series closed");
        assert_eq!(token_balance_or_zero(&m, &keys.escrow), 0, "nothing left");
    }
    let total_after: u64 = writers.iter().map(|w| token(&m, &w.token)).sum::<u64>()
        + token(&m, &m.f.recovery)
        + token(&m, &m.f.reserve());
    assert_eq!(total_after, total_before, "every unit accounted for");
    assert_eq!(token(&m, &m.f.recovery), 200 * USDC);
}

fn token_balance_or_zero(m: &Market, key: &Pubkey) -> u64 {
    m.f.env
        .svm
        .get_account(key)
        .filter(|acc| acc.data.len() >= 72)
        .map_or(0, |_| token(m, key))
}

/// Point 5: a confirmed breach nobody sees again for longer than persistence + max age is
/// over: no step, and writes reopen. The old model kept it confirmed forever.
#[test]
fn a_confirmed_breach_expires_when_not_reobserved() {
    let (mut m, keys, _w) = market(90);
    let keeper = m.keeper();
    m.tick(10, 8_000);
    m.observe().expect("observe");
    m.tick(61, 8_000);
    assert_eq!(
        transition(&m.observe().expect("observe")),
        BreachTransition::Confirmed
    );
    let v: Vault = read(&m, &m.f.vault());
    assert!(v.breach_confirmed(m.now()));
    // 121 s of silence (the gap allowed is 60 s + 60 s), then only a stale update.
    advance_seconds(&mut m.f.env.svm, 121);
    publish(&mut m, 8_000, 5_000_000, 61);
    assert!(!read::<Vault>(&m, &m.f.vault()).breach_confirmed(m.now()));
    assert_program_error(
        trigger_with(&mut m, &keeper, keys, true),
        BackstopError::BreachNotConfirmed,
    );
    let late = m.writer(100_000);
    m.tick(0, 15_000);
    m.write(&late, keys, SOL, 0)
        .expect("an expired breach freezes nothing");
    // Seen again: a new breach, which must persist again.
    m.tick(1, 8_000);
    assert_eq!(
        transition(&m.observe().expect("observe")),
        BreachTransition::Started
    );
}

/// Point 5: the tip is paid only for a step that releases at least `min_tip_release` (100 USDC
/// here), and never more than the step released.
#[test]
fn the_tip_is_paid_only_for_a_step_of_the_minimum() {
    let (mut m, keys, _w) = market(100);
    let keeper = m.keeper();
    m.tick(10, 9_990);
    m.observe().expect("observe");
    hold(&mut m, 9_990, 4);
    let ev = released(&m.trigger(&keeper, keys).expect("a $10 step"));
    assert_eq!((ev.payout, ev.keeper_tip), (10 * USDC, 0));
    assert_eq!(token(&m, &keeper.token), 0);
    hold(&mut m, 9_890, 4);
    let ev = released(&m.trigger(&keeper, keys).expect("a $100 step"));
    assert_eq!((ev.payout, ev.keeper_tip), (100 * USDC, 5 * USDC));
    assert_eq!(token(&m, &keeper.token), 5 * USDC);
    let v: Vault = read(&m, &m.f.vault());
    assert_eq!(v.totals.tips_paid, 5 * USDC);
}
