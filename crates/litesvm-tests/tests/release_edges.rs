//! Edges of the release model on the built .so that the crash scenarios (`crash.rs`) do not
//! reach: expired series, old reports, straddling bands, future publish times, the settlement
//! ladder's last rung with a wide update or with only a write's price, and pause immunity.
use anchor_lang::{prelude::Pubkey, InstructionData, ToAccountMetas};
use backstop::{
    constants::SETTLEMENT_DEADLINE_SECS,
    errors::BackstopError,
    events::{BreachObserved, SeriesSettled},
    instructions::ReportSolvencyArgs,
    state::{pause, BreachTransition, SettlementSource},
};
use backstop_harness::*;
use backstop_litesvm_tests::{config_pda, event_authority, series::*, vault::*};

const SOL: u64 = 1_000_000_000;

fn transition(meta: &TransactionMetadata) -> BreachTransition {
    cpi_events::<BreachObserved>(meta)
        .last()
        .expect("BreachObserved")
        .transition
}

/// A collateral update at `publish_time` with `conf` (10^-8).
fn publish_at(m: &mut Market, cents: i64, conf: u64, publish_time: i64) {
    let update = PriceUpdate::new(SOL_FEED, cents * 1_000_000, conf, -8, publish_time);
    write_price_update(&mut m.f.env.svm, m.price_account, &update);
}

fn written_market() -> (Market, SeriesKeys, Writer) {
    let mut m = Market::new(500_000 * USDC, 150);
    let keys = m.open_series(100, 2);
    let w = m.writer(100_000);
    m.write(&w, keys, 100 * SOL, 0).expect("write");
    (m, keys, w)
}

#[test]
fn a_series_past_expiry_never_steps() {
    let (mut m, keys, _w) = written_market();
    let keeper = m.keeper();
    warp_to_timestamp(&mut m.f.env.svm, keys.expiry - 200);
    m.tick(0, 8_000);
    m.observe().expect("observe");
    m.tick(61, 8_000);
    m.observe().expect("confirm");
    warp_to_timestamp(&mut m.f.env.svm, keys.expiry);
    m.tick(0, 8_000);
    assert_program_error(m.trigger(&keeper, keys), BackstopError::SeriesExpired);
}

#[test]
fn a_report_older_than_its_max_age_counts_as_healthy() {
    let (mut m, _keys, _w) = written_market();
    let (reporter, payer) = (m.f.reporter.insecure_clone(), m.f.payer.insecure_clone());
    // 1,000 SOL at $150 against $140,000: 107 % < 110 %.
    m.tick(10, 15_000);
    let ix = m.report_ix(
        &reporter.pubkey(),
        ReportSolvencyArgs {
            collateral_amount: 1_000 * SOL,
            liabilities: 140_000 * USDC,
        },
    );
    let meta = send_ok(&mut m.f.env.svm, &[ix], &payer, &[&reporter]);
    assert_eq!(transition(&meta), BreachTransition::Started);
    m.tick(60, 15_000);
    assert_eq!(
        transition(&m.observe().expect("observe")),
        BreachTransition::Confirmed
    );
    // The vault's max report age is 300 s: the same report 301 s on says nothing any more.
    m.tick(241, 15_000);
    assert_eq!(
        transition(&m.observe().expect("observe")),
        BreachTransition::Cleared
    );
}

#[test]
fn a_band_straddling_the_barrier_decides_nothing() {
    let (mut m, _keys, _w) = written_market();
    m.tick(10, 8_500);
    m.observe().expect("observe");
    let now = m.now();
    // $92 +- $4 (4.3 %, wider than the 2 % cap): $88-$96 straddles the $90 barrier.
    publish_at(&mut m, 9_200, 400_000_000, now + 1);
    advance_seconds(&mut m.f.env.svm, 1);
    assert_eq!(
        transition(&m.observe().expect("observe")),
        BreachTransition::NoInformation
    );
    // $95 +- $4: the whole band is above the barrier (and the stablecoin is at $1): healthy.
    advance_seconds(&mut m.f.env.svm, 1);
    publish_at(&mut m, 9_500, 400_000_000, now + 2);
    assert_eq!(
        transition(&m.observe().expect("observe")),
        BreachTransition::Cleared
    );
}

#[test]
fn a_future_publish_time_is_accepted() {
    let (mut m, _keys, _w) = written_market();
    let now = m.now();
    publish_at(&mut m, 8_000, 5_000_000, now + 30);
    let meta = m.observe().expect("clock skew is normal");
    let ev = cpi_events::<BreachObserved>(&meta).remove(0);
    assert_eq!(
        (ev.transition, ev.publish_time),
        (BreachTransition::Started, now + 30)
    );
}

#[test]
fn a_write_refuses_an_update_older_than_one_observed() {
    let (mut m, keys, _w) = written_market();
    m.tick(10, 15_000);
    m.observe().expect("observe");
    let now = m.now();
    publish_at(&mut m, 15_000, 5_000_000, now - 5);
    let late = m.writer(100_000);
    assert_program_error(m.write(&late, keys, SOL, 0), BackstopError::OracleOutdated);
}

/// After the deadline, a wide update counts at the top of its band, the writers' side.
#[test]
fn after_the_deadline_a_wide_update_counts_at_its_top() {
    let (mut m, keys, _w) = written_market();
    let upd = Pubkey::new_unique();
    warp_to_timestamp(&mut m.f.env.svm, keys.expiry + SETTLEMENT_DEADLINE_SECS);
    // $80 +- $5 published at expiry: settles at $85.
    let mut update = PriceUpdate::new(SOL_FEED, 8_000_000_000, 500_000_000, -8, keys.expiry);
    update.prev_publish_time = keys.expiry - 1;
    write_price_update(&mut m.f.env.svm, upd, &update);
    let ev = cpi_events::<SeriesSettled>(&m.settle(keys, upd).expect("settle")).remove(0);
    assert_eq!(ev.source, SettlementSource::NearestAfterDeadline);
    assert_eq!((ev.price, ev.payout), (85 * PRICE_ONE, 1_500 * USDC));
}

/// A series nobody observed still settles after the deadline: the write recorded the vault's
/// last price ($150), which stands in when no update is shown.
#[test]
fn a_write_records_the_price_the_deadline_falls_back_to() {
    let mut m = Market::new(500_000 * USDC, 150);
    let keys = m.open_series(200, 2);
    let w = m.writer(100_000);
    m.write(&w, keys, SOL, 0).expect("write");
    warp_to_timestamp(&mut m.f.env.svm, keys.expiry + SETTLEMENT_DEADLINE_SECS);
    let mut accounts = m.settle_accounts(keys, Pubkey::new_unique());
    accounts.price_update = None;
    let ev = cpi_events::<SeriesSettled>(&m.settle_with(accounts).expect("settle")).remove(0);
    assert_eq!(ev.source, SettlementSource::LastObserved);
    // ($200 - $150) x 1 SOL.
    assert_eq!((ev.price, ev.payout), (150 * PRICE_ONE, 50 * USDC));
}

/// Every pause flag set: settlement, reclaim and close still run.
#[test]
fn settlement_reclaim_and_close_are_never_paused() {
    let (mut m, keys, w) = written_market();
    let admin = m.f.env.upgrade_authority.insecure_clone();
    let ix = anchor_lang::solana_program::instruction::Instruction {
        program_id: backstop::ID,
        accounts: backstop::accounts::SetPauseFlags {
            admin: admin.pubkey(),
            config: config_pda(),
            event_authority: event_authority(),
            program: backstop::ID,
        }
        .to_account_metas(None),
        data: backstop::instruction::SetPauseFlags {
            pause_flags: pause::ALL,
        }
        .data(),
    };
    let payer = m.f.payer.insecure_clone();
    send_ok(&mut m.f.env.svm, &[ix], &payer, &[&admin]);
    let upd = Pubkey::new_unique();
    warp_to_timestamp(&mut m.f.env.svm, keys.expiry + 5);
    m.set_price_at(upd, 9_000, keys.expiry + 1, keys.expiry - 1);
    m.settle(keys, upd).expect("settle while paused");
    m.reclaim(keys, &w).expect("reclaim while paused");
    m.close_with(m.close_accounts(keys))
        .expect("close while paused");
}

#[test]
fn the_put_mint_has_the_collateral_decimals_and_the_series_as_authority() {
    use solana_program_pack::Pack;
    let (m, keys, _w) = written_market();
    let acc = m.f.env.svm.get_account(&keys.put_mint).expect("put mint");
    let mint = spl_token_interface::state::Mint::unpack(&acc.data).expect("mint");
    assert_eq!(mint.decimals, COLLATERAL_DECIMALS);
    assert_eq!(mint.mint_authority, Some(keys.series).into());
    assert_eq!(mint.freeze_authority, Some(keys.series).into());
    assert_eq!(mint.supply, 100 * SOL);
}
