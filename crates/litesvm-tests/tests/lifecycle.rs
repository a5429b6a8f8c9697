//! The whole life of a backstop on the built .so, for several writers and series: create,
//! fund, open, write, crash, confirm, release, expire, settle, reclaim, close. After every step
//! every token is accounted for, to the unit.
use anchor_lang::{error::ErrorCode as AnchorError, prelude::Pubkey, AccountDeserialize};
use backstop::{
    errors::BackstopError,
    events::{PositionReclaimed, SeriesSettled, SettlementCandidate},
    state::{Series, SeriesStatus, Vault},
};
use backstop_harness::*;
use backstop_litesvm_tests::{series::*, vault::*};

const SOL: u64 = 1_000_000_000;

fn read<T: AccountDeserialize>(svm: &LiteSVM, key: &Pubkey) -> T {
    let acc = svm.get_account(key).expect("account exists");
    T::try_deserialize(&mut acc.data.as_slice()).expect("account data")
}

#[test]
fn full_life_cycle_conserves_every_token() {
    let mut m = Market::new(0, 150);
    let protocol_start = token_balance(&m.f.env.svm, &m.f.protocol_token);
    let fund = m.f.reserve_accounts().fund_ix(200_000 * USDC);
    send_ok(&mut m.f.env.svm, &[fund], &m.f.payer, &[&m.f.protocol]);
    let s100 = m.open_series(100, 30);
    let s120 = m.open_series(120, 30);
    let writers = [m.writer(50_000), m.writer(50_000), m.writer(50_000)];
    let keeper = m.keeper();
    let total_in = protocol_start + 150_000 * USDC;
    let accounts: Vec<Pubkey> = [
        m.f.protocol_token,
        m.f.reserve(),
        m.f.recovery,
        s100.escrow,
        s120.escrow,
        keeper.token,
    ]
    .into_iter()
    .chain(writers.iter().map(|w| w.token))
    .collect();
    let check = |m: &Market, step: &str| {
        let sum: u64 = accounts
            .iter()
            .map(|k| token_balance(&m.f.env.svm, k))
            .sum();
        assert_eq!(sum, total_in, "tokens conserved after {step}");
    };
    check(&m, "funding and opening");

    // Three market makers write at two strikes (one twice), with odd sizes.
    m.write(&writers[0], s100, 100 * SOL, 0).expect("w0");
    m.write(&writers[1], s100, 37 * SOL + 123, 0).expect("w1");
    m.write(&writers[2], s120, 60 * SOL, 0).expect("w2");
    m.write(&writers[0], s120, 15 * SOL + 7, 0)
        .expect("w0 again");
    check(&m, "writing");

    // Crash: $150 -> $110 -> $80 in steps; the barrier ($90) breach persists.
    m.tick(60, 11_000);
    m.observe().expect("observe at $110");
    m.tick(60, 8_000);
    m.observe().expect("first sighting at $80");
    check(&m, "observations");
    m.tick(61, 8_000);
    m.observe().expect("confirmed at $80");
    // The keeper keeps watching until $80 has held over the whole window (the $110 seen three
    // minutes ago leaves it): a step pays at the highest price seen in the window.
    m.tick(1, 8_000);
    assert_program_error(m.trigger(&keeper, s100), BackstopError::NotInTheMoney);
    for _ in 0..3 {
        m.tick(60, 8_000);
        m.observe().expect("still breached");
    }
    m.trigger(&keeper, s100).expect("release s100");
    m.trigger(&keeper, s120).expect("release s120");
    check(&m, "release");
    let released = token_balance(&m.f.env.svm, &m.f.recovery);
    // (100 - 80) x 137.000000123 SOL + (120 - 80) x 75.000000007 SOL, each rounded down.
    assert_eq!(released, 2_740_000_002 + 3_000_000_000);

    // Expiry at $90: less is owed than was advanced, so settlement pays nothing more and the
    // protocol keeps the advances.
    let expiry = s100.expiry;
    warp_to_timestamp(&mut m.f.env.svm, expiry + 5);
    let settle_price = Pubkey::new_unique();
    m.set_price_at(settle_price, 9_000, expiry + 2, expiry - 1);
    let meta = m.settle(s100, settle_price).expect("settle s100");
    assert_eq!(cpi_events::<SeriesSettled>(&meta)[0].payout, 0);
    m.settle(s120, settle_price).expect("settle s120");
    check(&m, "settlement");
    let v: Vault = read(&m.f.env.svm, &m.f.vault());
    assert_eq!(v.totals.committed_premium, 0, "unused budgets returned");
    assert_eq!(v.totals.released, released);

    // Every writer reclaims every position; positions close; escrows keep only dust.
    for (keys, ws) in [(s100, vec![0, 1]), (s120, vec![2, 0])] {
        for i in ws {
            let meta = m.reclaim(keys, &writers[i]).expect("reclaim");
            let ev = cpi_events::<PositionReclaimed>(&meta);
            assert_eq!(ev[0].reclaimed + ev[0].payout_share, ev[0].escrow_deposited);
            assert!(m
                .f
                .env
                .svm
                .get_account(&position_pda(&keys.series, &writers[i].key.pubkey()))
                .is_none());
            check(&m, "reclaim");
        }
        let s: Series = read(&m.f.env.svm, &keys.series);
        assert_eq!(s.open_positions, 0);
        let dust = token_balance(&m.f.env.svm, &keys.escrow);
        assert_eq!(
            dust,
            s.escrow_deposited - s.payout_total - s.escrow_reclaimed
        );
        assert!(dust <= 2, "only rounding dust is left: {dust}");
    }
    let v: Vault = read(&m.f.env.svm, &m.f.vault());
    assert_eq!(
        v.totals.escrowed,
        token_balance(&m.f.env.svm, &s100.escrow) + token_balance(&m.f.env.svm, &s120.escrow)
    );

    // The protocol takes back the uncommitted reserve.
    let left = token_balance(&m.f.env.svm, &m.f.reserve());
    let ix = m.f.reserve_accounts().withdraw_ix(left);
    send_ok(&mut m.f.env.svm, &[ix], &m.f.payer, &[&m.f.protocol]);
    check(&m, "withdrawal");
}

#[test]
fn expiry_settles_in_the_money_units_from_the_first_update_after_expiry() {
    let mut m = Market::new(500_000 * USDC, 150);
    let keys = m.open_series(100, 2);
    let (a, b) = (m.writer(50_000), m.writer(50_000));
    m.write(&a, keys, 30 * SOL, 0).expect("a");
    m.write(&b, keys, 10 * SOL, 0).expect("b");
    let expiry = keys.expiry;
    let upd = Pubkey::new_unique();

    m.set_price_at(upd, 9_000, expiry - 10, expiry - 20);
    assert_program_error(m.settle(keys, upd), BackstopError::SeriesNotExpired);
    warp_to_timestamp(&mut m.f.env.svm, expiry + 30);
    assert_program_error(m.settle(keys, upd), BackstopError::SettlementPriceTooEarly);

    // A later update during the grace period is only a candidate ...
    m.set_price_at(upd, 9_500, expiry + 20, expiry + 10);
    let meta = m.settle(keys, upd).expect("candidate");
    assert_eq!(
        cpi_events::<SettlementCandidate>(&meta)[0].publish_time,
        expiry + 20
    );
    // ... a still later one does not replace it ...
    m.set_price_at(upd, 9_900, expiry + 25, expiry + 21);
    m.settle(keys, upd).expect("not earlier");
    let s: Series = read(&m.f.env.svm, &keys.series);
    assert_eq!(
        (s.settlement_publish_time, s.status),
        (expiry + 20, SeriesStatus::Open)
    );
    // ... and the first update at or after expiry settles it at its price.
    m.set_price_at(upd, 9_000, expiry + 1, expiry - 1);
    let meta = m.settle(keys, upd).expect("final");
    let ev = cpi_events::<SeriesSettled>(&meta);
    assert_eq!((ev[0].units, ev[0].payout), (40 * SOL, 400 * USDC));
    assert_eq!(token_balance(&m.f.env.svm, &m.f.recovery), 400 * USDC);
    assert_eq!(mint_supply(&m.f.env.svm, &keys.put_mint), 0);
    assert_program_error(m.settle(keys, upd), BackstopError::SeriesNotOpen);

    // Writers share the payout pro rata (30:10).
    let a_before = token_balance(&m.f.env.svm, &a.token);
    m.reclaim(keys, &a).expect("a reclaims");
    assert_eq!(
        token_balance(&m.f.env.svm, &a.token) - a_before,
        3_000 * USDC - 300 * USDC
    );
    let b_before = token_balance(&m.f.env.svm, &b.token);
    m.reclaim(keys, &b).expect("b reclaims");
    assert_eq!(
        token_balance(&m.f.env.svm, &b.token) - b_before,
        1_000 * USDC - 100 * USDC
    );
    assert_eq!(token_balance(&m.f.env.svm, &keys.escrow), 0);
}

#[test]
fn after_the_grace_period_the_earliest_candidate_or_a_fresh_update_settles() {
    let mut m = Market::new(500_000 * USDC, 150);
    let k1 = m.open_series(100, 2);
    let k2 = m.open_series(110, 2);
    let w = m.writer(50_000);
    m.write(&w, k1, 10 * SOL, 0).expect("w1");
    m.write(&w, k2, 10 * SOL, 0).expect("w2");
    let expiry = k1.expiry;
    let upd = Pubkey::new_unique();

    // k1: a candidate shown in the grace period becomes final afterwards.
    warp_to_timestamp(&mut m.f.env.svm, expiry + 100);
    m.set_price_at(upd, 9_000, expiry + 50, expiry + 40);
    m.settle(k1, upd).expect("candidate");
    warp_to_timestamp(&mut m.f.env.svm, expiry + 3_700);
    m.set_price_at(upd, 5_000, expiry + 3_690, expiry + 3_680);
    let ev = cpi_events::<SeriesSettled>(&m.settle(k1, upd).expect("final"));
    assert_eq!((ev[0].price, ev[0].payout), (90 * PRICE_ONE, 100 * USDC));

    // k2: no candidate was ever shown: a fresh update settles, a stale one does not.
    m.set_price_at(upd, 9_000, expiry + 3_600, expiry + 3_590);
    assert_program_error(m.settle(k2, upd), BackstopError::SettlementPriceStale);
    m.set_price_at(upd, 10_000, expiry + 3_695, expiry + 3_690);
    let ev = cpi_events::<SeriesSettled>(&m.settle(k2, upd).expect("fallback"));
    assert_eq!(ev[0].payout, 100 * USDC);
}

#[test]
fn settle_and_reclaim_reject_wrong_and_substituted_accounts() {
    let mut m = Market::new(500_000 * USDC, 150);
    let keys = m.open_series(100, 2);
    let other = m.open_series(90, 2);
    let (a, b) = (m.writer(50_000), m.writer(50_000));
    m.write(&a, keys, 10 * SOL, 0).expect("a");
    m.write(&b, other, 10 * SOL, 0).expect("b");
    let upd = Pubkey::new_unique();
    warp_to_timestamp(&mut m.f.env.svm, keys.expiry + 5);
    m.set_price_at(upd, 9_500, keys.expiry + 1, keys.expiry - 1);

    assert_program_error(m.reclaim(keys, &a), BackstopError::SeriesNotSettled);
    let good = m.settle_accounts(keys, upd);
    let stranger = create_token_account(
        &mut m.f.env.svm,
        &m.f.payer.insecure_clone(),
        &m.f.quote_mint,
        &Pubkey::new_unique(),
    );
    let cases = [
        (
            backstop::accounts::SettleSeries {
                recovery: stranger,
                ..good
            },
            BackstopError::WrongRecoveryAccount,
        ),
        (
            backstop::accounts::SettleSeries {
                escrow: other.escrow,
                ..good
            },
            BackstopError::WrongSeriesAccount,
        ),
        (
            backstop::accounts::SettleSeries {
                holder: other.holder,
                ..good
            },
            BackstopError::WrongSeriesAccount,
        ),
    ];
    for (accounts, err) in cases {
        assert_program_error(m.settle_with(accounts), err);
    }
    let fake = Pubkey::new_unique();
    let update = PriceUpdate::new(SOL_FEED, 9_500_000_000, 5_000_000, -8, keys.expiry + 1);
    write_price_update_with_owner(&mut m.f.env.svm, fake, &update, Pubkey::new_unique());
    assert_program_error(m.settle(keys, fake), BackstopError::OracleWrongOwner);
    m.settle(keys, upd).expect("settle");

    let good = m.reclaim_accounts(keys, &a);
    let other_mint = create_mint(
        &mut m.f.env.svm,
        &m.f.payer.insecure_clone(),
        &Pubkey::new_unique(),
        QUOTE_DECIMALS,
    );
    let foreign = create_token_account(
        &mut m.f.env.svm,
        &m.f.payer.insecure_clone(),
        &other_mint,
        &a.key.pubkey(),
    );
    let cases = [
        // The payout goes only to the writer's own account of the quote mint.
        (
            backstop::accounts::Reclaim {
                writer_token: b.token,
                ..good
            },
            BackstopError::NotTokenOwner,
        ),
        (
            backstop::accounts::Reclaim {
                writer_token: foreign,
                ..good
            },
            BackstopError::WrongMint,
        ),
        (
            backstop::accounts::Reclaim {
                writer: b.key.pubkey(),
                writer_token: b.token,
                ..good
            },
            BackstopError::WrongPositionOwner,
        ),
        (
            backstop::accounts::Reclaim {
                escrow: other.escrow,
                ..good
            },
            BackstopError::WrongSeriesAccount,
        ),
        (
            backstop::accounts::Reclaim {
                quote_mint: other_mint,
                ..good
            },
            BackstopError::WrongMint,
        ),
    ];
    for (accounts, err) in cases {
        assert_program_error(m.reclaim_with(accounts), err);
    }
    // A position of another series cannot be reclaimed against this one.
    let wrong = backstop::accounts::Reclaim {
        position: position_pda(&other.series, &a.key.pubkey()),
        ..good
    };
    assert_error_code(
        m.reclaim_with(wrong),
        AnchorError::AccountNotInitialized.into(),
    );
    assert_program_error(
        m.close_with(m.close_accounts(keys)),
        BackstopError::PositionsStillOpen,
    );
    assert_program_error(
        m.close_with(m.close_accounts(other)),
        BackstopError::SeriesNotSettled,
    );
    m.reclaim(keys, &a).expect("reclaim");
    assert_error_code(
        m.reclaim(keys, &a),
        AnchorError::AccountNotInitialized.into(),
    );

    // Anyone may send tokens straight to an escrow; closing sweeps them to the reserve without
    // taking more than this series' share off the vault's books.
    let donor = m.writer(5);
    let payer = m.f.payer.insecure_clone();
    let gift = spl_transfer(&donor.token, &keys.escrow, &donor.key.pubkey(), 5 * USDC);
    send_ok(&mut m.f.env.svm, &[gift], &payer, &[&donor.key]);
    m.close_with(m.close_accounts(keys)).expect("close");
    let v: Vault = read(&m.f.env.svm, &m.f.vault());
    let s: Series = read(&m.f.env.svm, &other.series);
    assert_eq!(
        v.totals.escrowed, s.escrow_deposited,
        "the other series' escrow is still on the books"
    );
}
