//! Continuous coverage on the built program (docs/DESIGN.md section 7c): a ladder template
//! rolls each rung's next series in the overlap window, from the oracle's spot, without a
//! lapse; nothing rolls without a template, before the window or without reserve.
use anchor_lang::{prelude::Pubkey, AccountDeserialize};
use backstop::{
    errors::BackstopError,
    events::{SeriesOpened, SeriesRolled},
    state::{LadderTemplate, Series, SeriesStyle, Vault},
};
use backstop_harness::*;
use backstop_litesvm_tests::{ladder::*, series::*, vault::*};

fn read<T: AccountDeserialize>(svm: &LiteSVM, key: &Pubkey) -> T {
    let acc = svm.get_account(key).expect("account exists");
    T::try_deserialize(&mut acc.data.as_slice()).expect("account data")
}

/// A funded market at $100 with the daily ladder set (applied at once: it was stopped).
fn laddered() -> Market {
    let mut m = Market::new(100_000 * USDC, 100);
    m.set_ladder(daily_template()).expect("set ladder");
    m
}

/// Every account whose bytes a refused roll must leave alone.
fn roll_state(m: &Market) -> Vec<Option<(u64, Pubkey, Vec<u8>)>> {
    account_states(&m.f.env.svm, &[m.ladder(), m.f.vault(), m.f.reserve()])
}

#[test]
fn three_expiries_roll_without_a_lapse() {
    let mut m = laddered();
    let keeper = m.f.env.funded();
    // A float that repays the keeper's rent (anyone may top it up).
    let ladder = m.ladder();
    m.f.env.svm.airdrop(&ladder, 1_000_000_000).expect("float");
    let template = daily_template();
    let mut opened: Vec<(usize, Series)> = Vec::new();
    let mut spot_cents = 10_000;
    for round in 0..4 {
        let before = m.f.env.svm.get_balance(&keeper.pubkey()).unwrap_or(0);
        for rung in 0..2u8 {
            let (strike, expiry) = m.rung_terms(usize::from(rung), spot_cents);
            let meta = m.roll(&keeper, rung, spot_cents).expect("roll");
            let rolled = cpi_events::<SeriesRolled>(&meta);
            let opened_events = cpi_events::<SeriesOpened>(&meta);
            assert_eq!((rolled.len(), opened_events.len()), (1, 1));
            let keys = SeriesKeys::new(&m.f.vault(), strike, expiry);
            let s: Series = read(&m.f.env.svm, &keys.series);
            // The strike is the rung's share of this roll's spot, on the $1 grid.
            let bps = u64::from(template.strikes_bps[usize::from(rung)]);
            assert_eq!(
                s.strike,
                spot_cents as u64 * USDC / 100 * bps / 10_000 / USDC * USDC
            );
            assert_eq!(
                (s.size_cap, s.premium_budget),
                (template.size_cap, template.budget_per_series)
            );
            assert_eq!(rolled[0].spot, spot_cents as u64 * 10_000_000_000);
            // The float repaid the rent of the four new accounts exactly.
            let rent: u64 = [keys.series, keys.escrow, keys.put_mint, keys.holder]
                .iter()
                .map(|k| m.f.env.svm.get_balance(k).unwrap_or(0))
                .sum();
            assert_eq!(rolled[0].rent_repaid, rent);
            if round > 0 {
                // On schedule: the previous expiry plus the tenor.
                let prev = opened
                    .iter()
                    .rev()
                    .find(|(r, _)| *r == usize::from(rung))
                    .unwrap();
                assert_eq!(s.expiry, prev.1.expiry + DAY);
            }
            let l = m.read_ladder();
            assert_eq!(l.rungs[usize::from(rung)].series, keys.series);
            // Rolling the same rung again is not due.
            let again = m.roll(&keeper, rung, spot_cents);
            assert_program_error(again, BackstopError::RollNotDue);
            opened.push((usize::from(rung), s));
        }
        // The keeper paid fees only (two rolls and two refusals, 5,000 lamports each).
        let after = m.f.env.svm.get_balance(&keeper.pubkey()).unwrap_or(0);
        assert_eq!(before - after, 4 * 5_000, "rent repaid in full");
        if round == 3 {
            break;
        }
        // Walk hour by hour to the next overlap window: every rung always has a live series.
        let window = m.read_ladder().rungs[0].expiry - i64::from(template.overlap_secs);
        while m.now() < window + 60 {
            let step = HOUR.min(window + 60 - m.now());
            advance_seconds(&mut m.f.env.svm, step);
            for rung in 0..2 {
                let live = opened
                    .iter()
                    .filter(|(r, s)| *r == rung && s.expiry > m.now())
                    .count();
                assert!(live >= 1, "rung {rung} lapsed at {}", m.now());
            }
        }
        spot_cents = [9_000, 12_345, 8_000][round];
        m.set_price(spot_cents * 1_000_000, 5_000_000);
    }
    assert_eq!(m.read_ladder().rolled, 8);
    let v: Vault = read(&m.f.env.svm, &m.f.vault());
    assert_eq!(v.totals.committed_premium, 8 * template.budget_per_series);
    assert_eq!(v.series_count, 8);
}

#[test]
fn nothing_rolls_without_a_template_before_the_window_or_without_reserve() {
    // No ladder at all: the account is missing.
    let mut m = Market::new(100_000 * USDC, 100);
    let keeper = m.f.env.funded();
    let (strike, expiry) = (80 * USDC, {
        let t = m.now() + DAY;
        t - t % HOUR
    });
    let ix = m.roll_accounts(&keeper.pubkey(), strike, expiry).ix(0);
    assert!(send(&mut m.f.env.svm, &[ix], &keeper, &[]).is_err());

    // A stopped ladder (created by proposing a stop): LadderStopped.
    m.set_ladder(LadderTemplate::default())
        .expect("a stopped ladder");
    let before = roll_state(&m);
    let ix = m.roll_accounts(&keeper.pubkey(), strike, expiry).ix(0);
    assert_program_error(
        send(&mut m.f.env.svm, &[ix], &keeper, &[]),
        BackstopError::LadderStopped,
    );
    assert_eq!(roll_state(&m), before);

    // With the template (proposed over the stopped one, applied after the timelock): an unused
    // rung, a wrong strike, a wrong expiry, a stale price.
    m.set_ladder(daily_template()).expect("propose");
    assert!(m.read_ladder().template.is_stopped());
    advance_seconds(&mut m.f.env.svm, 3_600);
    m.set_ladder(daily_template()).expect("apply");
    m.set_price(100 * 100_000_000, 5_000_000);
    let before = roll_state(&m);
    assert_program_error(m.roll(&keeper, 2, 10_000), BackstopError::RungUnused);
    let (strike, expiry) = m.rung_terms(0, 10_000);
    let ix = m.roll_accounts(&keeper.pubkey(), strike, expiry).ix(9);
    assert_program_error(
        send(&mut m.f.env.svm, &[ix], &keeper, &[]),
        BackstopError::RungUnused,
    );
    for (s, e, err) in [
        (strike - USDC, expiry, BackstopError::RollStrikeOffTarget),
        (
            strike + 2 * USDC,
            expiry,
            BackstopError::RollStrikeOffTarget,
        ),
        (
            strike + USDC / 2,
            expiry,
            BackstopError::RollStrikeOffTarget,
        ),
        (strike, expiry - HOUR, BackstopError::RollExpiryMismatch),
        (strike, expiry + HOUR, BackstopError::RollExpiryMismatch),
        (strike, expiry + 1, BackstopError::RollExpiryMismatch),
    ] {
        let ix = m.roll_accounts(&keeper.pubkey(), s, e).ix(0);
        assert_program_error(send(&mut m.f.env.svm, &[ix], &keeper, &[]), err);
    }
    // The grid point above the target is the caller's other choice.
    let ix = m
        .roll_accounts(&keeper.pubkey(), strike + USDC, expiry)
        .ix(1);
    assert_program_error(
        send(&mut m.f.env.svm, &[ix], &keeper, &[]),
        BackstopError::RollStrikeOffTarget,
    );
    advance_seconds(&mut m.f.env.svm, 61);
    assert_program_error(m.roll(&keeper, 0, 10_000), BackstopError::OracleStale);
    assert_eq!(roll_state(&m), before, "refused rolls change nothing");
    m.set_price(100 * 100_000_000, 5_000_000);

    // Rolled, then not due until the overlap window.
    m.roll(&keeper, 0, 10_000).expect("roll");
    let window = m.read_ladder().rungs[0].expiry - 2 * HOUR;
    let wait = window - 61 - m.now();
    advance_seconds(&mut m.f.env.svm, wait);
    m.set_price(100 * 100_000_000, 5_000_000);
    let before = roll_state(&m);
    assert_program_error(m.roll(&keeper, 0, 10_000), BackstopError::RollNotDue);
    assert_eq!(roll_state(&m), before);

    // In the window, a reserve that cannot pay the budget: nothing opens.
    advance_seconds(&mut m.f.env.svm, 61);
    m.set_price(100 * 100_000_000, 5_000_000);
    let v: Vault = read(&m.f.env.svm, &m.f.vault());
    let free = token_balance(&m.f.env.svm, &m.f.reserve()) - v.totals.committed_premium;
    let ix = m.f.reserve_accounts().withdraw_ix(free - 999 * USDC);
    send_ok(&mut m.f.env.svm, &[ix], &m.f.payer, &[&m.f.protocol]);
    let before = roll_state(&m);
    assert_program_error(
        m.roll(&keeper, 0, 10_000),
        BackstopError::InsufficientUncommittedReserve,
    );
    assert_eq!(roll_state(&m), before);
    // Funded again, the same roll opens the next series on schedule.
    let ix = m.f.reserve_accounts().fund_ix(USDC);
    send_ok(&mut m.f.env.svm, &[ix], &m.f.payer, &[&m.f.protocol]);
    let prev = m.read_ladder().rungs[0].expiry;
    m.roll(&keeper, 0, 10_000).expect("roll with the reserve");
    assert_eq!(m.read_ladder().rungs[0].expiry, prev + DAY);
}

#[test]
fn a_lapsed_rung_restarts_one_tenor_from_now() {
    let mut m = laddered();
    let keeper = m.f.env.funded();
    m.roll(&keeper, 0, 10_000).expect("roll");
    let first = m.read_ladder().rungs[0].expiry;
    // Nobody rolled in the window: the series expired 5,000 s ago.
    let wait = first - m.now() + 5_000;
    advance_seconds(&mut m.f.env.svm, wait);
    m.set_price(95 * 100_000_000, 5_000_000);
    let on_schedule = first + DAY;
    let ix = m
        .roll_accounts(
            &keeper.pubkey(),
            rung_strike(9_500, 8_000, USDC),
            on_schedule,
        )
        .ix(0);
    assert_program_error(
        send(&mut m.f.env.svm, &[ix], &keeper, &[]),
        BackstopError::RollExpiryMismatch,
    );
    m.roll(&keeper, 0, 9_500).expect("roll after a lapse");
    let e = m.read_ladder().rungs[0].expiry;
    assert!(e % HOUR == 0 && e <= m.now() + DAY && e > m.now() + DAY - HOUR);
}

#[test]
fn a_template_change_waits_the_timelock_and_a_stopped_ladder_rolls_nothing() {
    let mut m = laddered();
    let keeper = m.f.env.funded();
    let mut wider = daily_template();
    wider.strikes_bps = [7_000, 8_000, 9_000, 0];
    m.set_ladder(wider).expect("propose");
    let l = m.read_ladder();
    assert_eq!((l.template, l.pending), (daily_template(), wider));
    assert_eq!(l.pending_at, m.now() + 3_600);
    assert_program_error(
        m.set_ladder(wider),
        BackstopError::SettingsTimelockNotElapsed,
    );
    assert_program_error(m.roll(&keeper, 2, 10_000), BackstopError::RungUnused);
    advance_seconds(&mut m.f.env.svm, 3_600);
    m.set_ladder(wider).expect("apply");
    let l = m.read_ladder();
    assert_eq!((l.template, l.pending_at), (wider, 0));
    m.set_price(100 * 100_000_000, 5_000_000);
    m.roll(&keeper, 2, 10_000).expect("the new rung rolls");

    // Stopping waits too; then nothing rolls.
    m.set_ladder(LadderTemplate::default())
        .expect("propose a stop");
    m.roll(&keeper, 0, 10_000)
        .expect("still rolling during the timelock");
    advance_seconds(&mut m.f.env.svm, 3_600);
    m.set_ladder(LadderTemplate::default()).expect("stop");
    m.set_price(100 * 100_000_000, 5_000_000);
    assert_program_error(m.roll(&keeper, 1, 10_000), BackstopError::LadderStopped);
    // Restarting waits the timelock too: a stop followed by a new template in one go must not
    // skip it (the protocol sees every template before it binds).
    let stop_then_restart = [
        m.set_ladder_accounts().ix(LadderTemplate::default()),
        m.set_ladder_accounts().ix(daily_template()),
    ];
    let payer = m.f.payer.insecure_clone();
    send_ok(&mut m.f.env.svm, &stop_then_restart, &payer, &[&m.f.risk]);
    let l = m.read_ladder();
    assert!(l.template.is_stopped(), "the restart did not apply at once");
    assert_eq!(
        (l.pending, l.pending_at),
        (daily_template(), m.now() + 3_600)
    );
    assert_program_error(m.roll(&keeper, 1, 10_000), BackstopError::LadderStopped);
    advance_seconds(&mut m.f.env.svm, 3_600);
    m.set_ladder(daily_template())
        .expect("restart after the timelock");
    assert_eq!(m.read_ladder().template, daily_template());
    m.set_price(100 * 100_000_000, 5_000_000);
    m.roll(&keeper, 1, 10_000).expect("rolls again");
}

#[test]
fn set_ladder_refuses_every_bad_template() {
    let mut m = Market::new(100_000 * USDC, 100);
    let t = daily_template();
    let cases: Vec<(LadderTemplate, BackstopError)> = vec![
        (
            LadderTemplate {
                tenor_secs: 86_400 + 60,
                ..t
            },
            BackstopError::InvalidLadderTenor,
        ),
        (
            LadderTemplate {
                tenor_secs: 0,
                overlap_secs: 0,
                ..t
            },
            BackstopError::InvalidLadderTenor,
        ),
        (
            LadderTemplate {
                tenor_secs: 3 * 366 * 86_400,
                ..t
            },
            BackstopError::InvalidLadderTenor,
        ),
        // One hour: after a lapse a roll's life would be under the shortest tenor.
        (
            LadderTemplate {
                tenor_secs: 3_600,
                overlap_secs: 1_200,
                ..t
            },
            BackstopError::InvalidLadderTenor,
        ),
        (
            LadderTemplate {
                budget_per_series: 0,
                ..t
            },
            BackstopError::InvalidLadderBudget,
        ),
        (
            LadderTemplate {
                overlap_secs: 599,
                ..t
            },
            BackstopError::InvalidLadderOverlap,
        ),
        (
            LadderTemplate {
                overlap_secs: 12 * 3_600 + 1,
                ..t
            },
            BackstopError::InvalidLadderOverlap,
        ),
        (
            LadderTemplate {
                strikes_bps: [999, 0, 0, 0],
                ..t
            },
            BackstopError::InvalidLadderStrikes,
        ),
        (
            LadderTemplate {
                strikes_bps: [10_001, 0, 0, 0],
                ..t
            },
            BackstopError::InvalidLadderStrikes,
        ),
        (
            LadderTemplate {
                strikes_bps: [8_000, 0, 8_000, 0],
                ..t
            },
            BackstopError::InvalidLadderStrikes,
        ),
        (
            LadderTemplate {
                strike_tick: 0,
                ..t
            },
            BackstopError::InvalidStrikeTick,
        ),
        (
            LadderTemplate { size_cap: 0, ..t },
            BackstopError::InvalidSizeCap,
        ),
        (
            LadderTemplate {
                style: SeriesStyle::PhysicalDelivery,
                ..t
            },
            BackstopError::NoCollateralMint,
        ),
    ];
    for (bad, err) in cases {
        assert_program_error(m.set_ladder(bad), err);
    }
    // A slice the program refuses for series (zero variance level).
    let mut flat = t;
    flat.svi.a = 0;
    flat.svi.b = 0;
    assert!(m.set_ladder(flat).is_err());
    assert!(
        m.f.env.svm.get_account(&m.ladder()).is_none(),
        "nothing created"
    );
    // Only the risk authority.
    let stranger = m.f.env.funded();
    let mut accounts = m.set_ladder_accounts();
    accounts.risk_authority = stranger.pubkey();
    let ix = accounts.ix(t);
    let payer = m.f.payer.insecure_clone();
    assert_program_error(
        send(&mut m.f.env.svm, &[ix], &payer, &[&stranger]),
        BackstopError::NotRiskAuthority,
    );
    m.set_ladder(t).expect("the risk authority sets it");
}

#[test]
fn a_tenor_within_an_hour_of_the_write_cutoff_is_refused() {
    // A roll after a lapse lives (tenor - 1 h, tenor]: all of it must exceed the cutoff.
    let mut m = Market::with_settings(100_000 * USDC, 100, |a| {
        a.release.write_cutoff_secs = 23 * 3_600;
    });
    assert_program_error(
        m.set_ladder(daily_template()),
        BackstopError::InvalidLadderTenor,
    );
    let two_days = LadderTemplate {
        tenor_secs: 2 * DAY as u32,
        ..daily_template()
    };
    m.set_ladder(two_days)
        .expect("a tenor more than an hour past the cutoff");
}

#[test]
fn a_crash_below_the_floor_cap_still_rolls() {
    // A $1.08 floor per unit: under 1 % of the $120 strike at $150, over 1 % of $96 at $120.
    let mut m = Market::with_settings(100_000 * USDC, 150, |a| {
        a.pricing.min_premium = PRICE_ONE * 108 / 100;
    });
    let template = LadderTemplate {
        strikes_bps: [8_000, 0, 0, 0],
        ..daily_template()
    };
    m.set_ladder(template).expect("set");
    let keeper = m.f.env.funded();
    m.roll(&keeper, 0, 15_000).expect("roll at $150");
    let window = m.read_ladder().rungs[0].expiry - 2 * HOUR;
    let wait = window - m.now();
    advance_seconds(&mut m.f.env.svm, wait);
    m.set_price(120 * 100_000_000, 5_000_000);
    // open_series refuses the $96 strike its risk authority would choose...
    let expiry = m.now() + DAY;
    let ix = m
        .open_accounts(96 * USDC, expiry)
        .ix(Market::series_args(96 * USDC, expiry));
    let payer = m.f.payer.insecure_clone();
    assert_program_error(
        send(&mut m.f.env.svm, &[ix], &payer, &[&m.f.risk]),
        BackstopError::PremiumFloorTooHigh,
    );
    // ...but the ladder rolls it: the engine caps the floor at 1 % of the strike.
    m.roll(&keeper, 0, 12_000).expect("roll at $120");
    let s: Series = read(&m.f.env.svm, &m.read_ladder().rungs[0].series);
    assert_eq!(s.strike, 96 * USDC);
    let w = m.writer(100_000);
    let keys = SeriesKeys::new(&m.f.vault(), s.strike, s.expiry);
    m.write(&w, keys, 10 * 1_000_000_000, 0)
        .expect("written at the capped floor");
}

#[test]
fn prefunded_accounts_do_not_inflate_rent_repaid() {
    let mut m = laddered();
    let ladder = m.ladder();
    m.f.env.svm.airdrop(&ladder, 1_000_000_000).expect("float");
    let keeper = m.f.env.funded();
    let (strike, expiry) = m.rung_terms(0, 10_000);
    let keys = SeriesKeys::new(&m.f.vault(), strike, expiry);
    // Lamports sent ahead to the put mint and the escrow PDAs.
    for k in [keys.put_mint, keys.escrow] {
        m.f.env.svm.airdrop(&k, 500_000_000).expect("prefund");
    }
    let float_before = m.f.env.svm.get_balance(&ladder).unwrap_or(0);
    let meta = m.roll(&keeper, 0, 10_000).expect("roll");
    let rolled = cpi_events::<SeriesRolled>(&meta);
    let svm = &m.f.env.svm;
    let rent: u64 = [Series::SPACE, 165, 82, 165]
        .iter()
        .map(|&n| svm.minimum_balance_for_rent_exemption(n))
        .sum();
    assert_eq!(
        rolled[0].rent_repaid, rent,
        "the rent minimums, not the lamports"
    );
    assert_eq!(rolled[0].payer, keeper.pubkey());
    assert_eq!(float_before - svm.get_balance(&ladder).unwrap_or(0), rent);
}

#[test]
fn a_strike_above_spot_is_refused() {
    // A 100 % rung on a $50 grid at $101: $100 is the only strike; $150 would be above spot.
    let mut m = Market::new(100_000 * USDC, 101);
    m.set_ladder(LadderTemplate {
        strikes_bps: [10_000, 0, 0, 0],
        strike_tick: 50 * USDC,
        ..daily_template()
    })
    .expect("set");
    let keeper = m.f.env.funded();
    let (strike, expiry) = m.rung_terms(0, 10_100);
    assert_eq!(strike, 100 * USDC);
    let ix = m
        .roll_accounts(&keeper.pubkey(), strike + 50 * USDC, expiry)
        .ix(0);
    assert_program_error(
        send(&mut m.f.env.svm, &[ix], &keeper, &[]),
        BackstopError::RollStrikeOffTarget,
    );
    m.roll(&keeper, 0, 10_100)
        .expect("the grid point below spot");
}
