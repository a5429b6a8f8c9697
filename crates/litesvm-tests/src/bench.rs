//! Compute-unit measurements shared by the benchmark (`src/bin/bench.rs`, which writes
//! docs/COMPUTE_UNITS.md) and the CI guard (`tests/compute_guard.rs`, which fails when an
//! instruction costs more than 5 % above the committed table).
use anchor_lang::prelude::Pubkey;
use backstop::instructions::ReportSolvencyArgs;
use backstop_harness::{send_ok, warp_to_timestamp, Signer};

use crate::{series::*, vault::*};

const SOL: u64 = 1_000_000_000;

/// Compute units of every state-changing instruction, once each, along one life cycle.
/// Keys are seeded, so the PDA bump searches (and with them the compute units) are the same on
/// every run.
pub fn life_cycle() -> Vec<(&'static str, u64)> {
    backstop_harness::deterministic_keys(0xb4c5_7009);
    let mut out = vec![];
    let mut f = VaultFixture::new();
    out.push(("create_vault", f.create_vault().compute_units_consumed));
    let acc = f.reserve_accounts();
    let m = send_ok(
        &mut f.env.svm,
        &[acc.fund_ix(500_000 * USDC)],
        &f.payer,
        &[&f.protocol],
    );
    out.push(("fund_reserve", m.compute_units_consumed));
    let m = send_ok(
        &mut f.env.svm,
        &[acc.withdraw_ix(USDC)],
        &f.payer,
        &[&f.protocol],
    );
    out.push(("withdraw_reserve", m.compute_units_consumed));
    let mut mk = Market {
        f,
        price_account: Pubkey::new_unique(),
        depeg_account: Pubkey::new_unique(),
    };
    mk.tick(0, 15_000);
    let (strike, expiry) = (100 * USDC, mk.now() + 30 * 86_400);
    let accounts = mk.open_accounts(strike, expiry);
    let ix = accounts.ix(Market::series_args(strike, expiry));
    let (payer, risk) = (mk.f.payer.insecure_clone(), mk.f.risk.insecure_clone());
    out.push((
        "open_series",
        send_ok(&mut mk.f.env.svm, &[ix], &payer, &[&risk]).compute_units_consumed,
    ));
    let keys = accounts.keys;
    let w = mk.writer(100_000);
    out.push((
        "write_put (new position)",
        mk.write(&w, keys, 100 * SOL, 0)
            .expect("write")
            .compute_units_consumed,
    ));
    out.push((
        "write_put (existing position)",
        mk.write(&w, keys, SOL, 0)
            .expect("write")
            .compute_units_consumed,
    ));
    let keeper = mk.keeper();
    mk.tick(10, 8_500);
    out.push((
        "observe_breach",
        mk.observe().expect("observe").compute_units_consumed,
    ));
    let reporter = mk.f.reporter.insecure_clone();
    let args = ReportSolvencyArgs {
        collateral_amount: 1_000 * SOL,
        liabilities: 100_000 * USDC,
    };
    let ix = mk.report_ix(&reporter.pubkey(), args);
    out.push((
        "report_solvency",
        send_ok(&mut mk.f.env.svm, &[ix], &payer, &[&reporter]).compute_units_consumed,
    ));
    mk.tick(61, 8_500);
    out.push((
        "trigger (release, 1 writer)",
        mk.trigger(&keeper, keys)
            .expect("trigger")
            .compute_units_consumed,
    ));
    warp_to_timestamp(&mut mk.f.env.svm, keys.expiry + 5);
    let upd = Pubkey::new_unique();
    mk.set_price_at(upd, 9_000, keys.expiry + 1, keys.expiry - 1);
    out.push((
        "settle_series",
        mk.settle(keys, upd).expect("settle").compute_units_consumed,
    ));
    out.push((
        "reclaim",
        mk.reclaim(keys, &w)
            .expect("reclaim")
            .compute_units_consumed,
    ));
    out.push((
        "close_series",
        mk.close_with(mk.close_accounts(keys))
            .expect("close")
            .compute_units_consumed,
    ));
    out
}

/// `trigger` and `settle_series` compute units on a series written by `writers` writers of
/// 1 SOL each (partly released at $80, the rest settled at $90 in the money).
pub fn release_and_settle_with_writers(writers: usize) -> (u64, u64) {
    let mut m = Market::new(500_000 * USDC, 150);
    let keys = m.open_series(100, 30);
    for _ in 0..writers {
        let w = m.quick_writer(200);
        m.write(&w, keys, SOL, 0).expect("write");
    }
    let keeper = m.keeper();
    m.tick(10, 8_000);
    m.observe().expect("observe");
    m.tick(61, 8_000);
    let trigger = m
        .trigger(&keeper, keys)
        .expect("trigger")
        .compute_units_consumed;
    // A fresh series of the same writers' count for the expiry path (nothing exercised).
    let mut m = Market::new(500_000 * USDC, 150);
    let keys = m.open_series(100, 2);
    for _ in 0..writers {
        let w = m.quick_writer(200);
        m.write(&w, keys, SOL, 0).expect("write");
    }
    warp_to_timestamp(&mut m.f.env.svm, keys.expiry + 5);
    let upd = Pubkey::new_unique();
    m.set_price_at(upd, 9_000, keys.expiry + 1, keys.expiry - 1);
    let settle = m.settle(keys, upd).expect("settle").compute_units_consumed;
    (trigger, settle)
}

/// `write_put` compute units on a vault with `open` series (the write goes to the last one).
pub fn write_with_open_series(open: usize) -> u64 {
    let mut m = Market::new(900_000 * USDC, 150);
    let expiry = m.now() + 30 * 86_400;
    let (payer, risk) = (m.f.payer.insecure_clone(), m.f.risk.insecure_clone());
    let mut last = None;
    for i in 0..open as u64 {
        let strike = (100 + i) * USDC;
        let accounts = m.open_accounts(strike, expiry);
        let mut args = Market::series_args(strike, expiry);
        args.premium_budget = 10_000 * USDC; // 50 budgets fit the reserve
        send_ok(&mut m.f.env.svm, &[accounts.ix(args)], &payer, &[&risk]);
        last = Some(accounts.keys);
    }
    let keys = last.expect("at least one series");
    let w = m.writer(100_000);
    m.write(&w, keys, 10 * SOL, 0)
        .expect("write")
        .compute_units_consumed
}

/// Account types with their sizes (bytes, with the discriminator) and rent-exempt minimums.
pub fn account_sizes() -> Vec<(&'static str, usize, u64)> {
    let env = crate::Env::new();
    let rent = |n: usize| env.svm.minimum_balance_for_rent_exemption(n);
    [
        ("Config", backstop::state::Config::SPACE),
        ("Vault", backstop::state::Vault::SPACE),
        ("Series", backstop::state::Series::SPACE),
        ("Position", backstop::state::Position::SPACE),
        ("SPL token account (reserve, recovery, escrow, holder)", 165),
        ("SPL mint (put mint)", 82),
    ]
    .into_iter()
    .map(|(name, n)| (name, n, rent(n)))
    .collect()
}

/// The committed instruction table of docs/COMPUTE_UNITS.md: `(name, compute units)`.
pub fn committed_instruction_table(markdown: &str) -> Vec<(String, u64)> {
    let section = markdown
        .split("## Instructions")
        .nth(1)
        .unwrap_or_default()
        .split("\n## ")
        .next()
        .unwrap_or_default();
    section
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l
                .trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            match cells.as_slice() {
                [name, cu] => cu.parse().ok().map(|cu| (name.to_string(), cu)),
                _ => None,
            }
        })
        .collect()
}
