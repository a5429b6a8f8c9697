//! Compute-unit measurements shared by the benchmark (`src/bin/bench.rs`, which writes
//! docs/COMPUTE_UNITS.md) and the CI guard (`tests/compute_guard.rs`, which fails when an
//! instruction costs more than 5 % above the committed table).
use anchor_lang::{
    prelude::Pubkey, solana_program::instruction::Instruction, InstructionData, ToAccountMetas,
};
use backstop::{
    instructions::{OpenSeriesArgs, ReportSolvencyArgs},
    state::{LadderTemplate, SeriesStyle},
};
use backstop_harness::{
    send_ok, set_token_account, warp_to_timestamp, write_price_update, PriceUpdate, Signer,
};

use crate::{
    delivery::PhysicalMarket, ladder::daily_template, pricing::metered_units, series::*, vault::*,
};

const SOL: u64 = 1_000_000_000;

/// One life cycle's inputs: the key seed (PDA bump searches cost ~1,500 CU a try, so keys move
/// compute units), the series and the write.
#[derive(Clone, Copy, Debug)]
pub struct Scenario {
    pub seed: u64,
    pub strike_usd: u64,
    pub days: i64,
    /// Whole SOL of the first write (a second write of 1 SOL follows).
    pub size_sol: u64,
    /// Price the breach confirms at, in cents (below the $90 barrier and the strike).
    pub breach_cents: i64,
    /// Settlement price at expiry, in cents.
    pub settle_cents: i64,
}

/// The guarded scenario: `tests/compute_guard.rs` replays it.
pub const BASELINE: Scenario = Scenario {
    seed: 0xb4c5_7009,
    strike_usd: 100,
    days: 30,
    size_sol: 100,
    breach_cents: 8_500,
    settle_cents: 9_000,
};

/// Realistic spread of inputs for the min / median / max columns: the baseline first, then
/// other keys, strikes 90-140 USD, tenors 1-180 days, sizes 1-600 SOL, releases and settlements
/// deep and barely in the money (one series settles out of the money).
pub fn scenarios() -> Vec<Scenario> {
    let mut out = vec![BASELINE];
    let strikes = [90u64, 100, 110, 120, 140];
    let days = [1i64, 7, 30, 90, 180];
    let sizes = [1u64, 10, 100, 250, 600];
    for i in 1..15u64 {
        let strike_usd = strikes[(i % 5) as usize];
        out.push(Scenario {
            seed: BASELINE.seed.wrapping_add(i * 7_919),
            strike_usd,
            days: days[((i / 2) % 5) as usize],
            size_sol: sizes[((i / 3) % 5) as usize],
            breach_cents: [8_900, 8_000, 6_000, 4_500][(i % 4) as usize],
            settle_cents: (strike_usd as i64 * 100) * (70 + (i as i64 % 5) * 10) / 100,
        });
    }
    out
}

/// Compute units of every state-changing instruction, once each, along one life cycle of the
/// baseline scenario.
pub fn life_cycle() -> Vec<(&'static str, u64)> {
    life_cycle_of(BASELINE)
}

/// Compute units of every state-changing instruction, once each, along one life cycle.
pub fn life_cycle_of(sc: Scenario) -> Vec<(&'static str, u64)> {
    backstop_harness::deterministic_keys(sc.seed);
    let mut out = vec![];
    let mut f = VaultFixture::new();
    // The vault offers physical delivery too (a second series below delivers).
    let collateral_mint = f.offer_delivery();
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
    let (strike, expiry) = (sc.strike_usd * USDC, mk.now() + sc.days * 86_400);
    let accounts = mk.open_accounts(strike, expiry);
    let ix = accounts.ix(Market::series_args(strike, expiry));
    let (payer, risk) = (mk.f.payer.insecure_clone(), mk.f.risk.insecure_clone());
    out.push((
        "open_series",
        send_ok(&mut mk.f.env.svm, &[ix], &payer, &[&risk]).compute_units_consumed,
    ));
    let keys = accounts.keys;
    // The vault's ladder (one rung three dollars above this scenario's strike, as a share of
    // spot rounded up: the other series take the strike and one dollar above) and its first
    // roll.
    let template = LadderTemplate {
        strikes_bps: [((sc.strike_usd + 3) * 10_000).div_ceil(150) as u16, 0, 0, 0],
        ..daily_template()
    };
    out.push((
        "set_ladder",
        mk.set_ladder(template)
            .expect("set ladder")
            .compute_units_consumed,
    ));
    let roller = mk.f.env.funded();
    out.push((
        "roll_series",
        mk.roll(&roller, 0, 15_000)
            .expect("roll")
            .compute_units_consumed,
    ));
    let w = mk.writer(400_000);
    out.push((
        "write_put (new position)",
        mk.write(&w, keys, sc.size_sol * SOL, 0)
            .expect("write")
            .compute_units_consumed,
    ));
    out.push((
        "write_put (existing position)",
        mk.write(&w, keys, SOL, 0)
            .expect("write")
            .compute_units_consumed,
    ));
    // A physical series one dollar above, written by the same writer.
    let (pstrike, pexpiry) = ((sc.strike_usd + 1) * USDC, expiry);
    let paccounts = mk.open_accounts(pstrike, pexpiry);
    let ix = paccounts.ix(OpenSeriesArgs {
        style: SeriesStyle::PhysicalDelivery,
        ..Market::series_args(pstrike, pexpiry)
    });
    send_ok(&mut mk.f.env.svm, &[ix], &payer, &[&risk]);
    let pkeys = paccounts.keys;
    mk.write(&w, pkeys, sc.size_sol * SOL, 0)
        .expect("write physical");
    let keeper = mk.keeper();
    mk.tick(10, sc.breach_cents);
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
    mk.tick(61, sc.breach_cents);
    out.push((
        "trigger (release, 1 writer)",
        mk.trigger(&keeper, keys)
            .expect("trigger")
            .compute_units_consumed,
    ));
    // The protocol delivers half the physical series' size during the confirmed breach.
    let protocol = mk.f.protocol.insecure_clone();
    let seized = set_token_account(
        &mut mk.f.env.svm,
        &collateral_mint,
        &protocol.pubkey(),
        sc.size_sol * SOL,
    );
    let mut physical = PhysicalMarket {
        m: mk,
        collateral_mint,
    };
    let deliver = physical.deliver_accounts(pkeys, protocol.pubkey(), seized);
    out.push((
        "deliver_collateral",
        physical
            .deliver_with(deliver, &protocol, sc.size_sol * SOL / 2)
            .expect("deliver")
            .compute_units_consumed,
    ));
    let mut mk = physical.m;
    warp_to_timestamp(&mut mk.f.env.svm, keys.expiry + 5);
    let upd = Pubkey::new_unique();
    mk.set_price_at(upd, sc.settle_cents, keys.expiry + 1, keys.expiry - 1);
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
    // The physical series after its delivery window: settled without a price, then reclaimed
    // with its collateral.
    warp_to_timestamp(&mut mk.f.env.svm, pkeys.expiry + 3_601);
    out.push((
        "settle_series (physical)",
        mk.settle(pkeys, upd)
            .expect("settle physical")
            .compute_units_consumed,
    ));
    let mut physical = PhysicalMarket {
        m: mk,
        collateral_mint,
    };
    let to = physical.collateral_account(&w.key.pubkey(), 0);
    let reclaim = physical.reclaim_physical_accounts(pkeys, &w, to);
    out.push((
        "reclaim (physical, with collateral)",
        physical
            .m
            .reclaim_with(reclaim)
            .expect("reclaim physical")
            .compute_units_consumed,
    ));
    out
}

/// `check_price` on one vault over realistic updates (exponents -5 to -12, prices $0.01 to
/// $100,000, confidence 0-2 %): the meter-logged cost of `oracle::read_price` alone, and the
/// whole transaction.
pub fn oracle_read_units() -> Vec<(u64, u64)> {
    let mut m = Market::new(0, 150);
    let payer = m.f.payer.insecure_clone();
    let mut out = vec![];
    for expo in [-5i32, -6, -8, -10, -12] {
        for dollars_x100 in [1i64, 150, 15_000, 10_000_000] {
            for conf_bps in [0i64, 10, 200] {
                let price = dollars_x100 * 10i64.pow((-expo - 2) as u32);
                let conf = (price / 10_000 * conf_bps) as u64;
                let update = PriceUpdate::new(SOL_FEED, price, conf, expo, m.now());
                write_price_update(&mut m.f.env.svm, m.price_account, &update);
                let ix = Instruction {
                    program_id: backstop::ID,
                    accounts: backstop::accounts::CheckPrice {
                        vault: m.f.vault(),
                        price_update: m.price_account,
                    }
                    .to_account_metas(None),
                    data: backstop::instruction::CheckPrice {}.data(),
                };
                let tx = backstop_harness::Transaction::new_signed_with_payer(
                    &[ix],
                    Some(&payer.pubkey()),
                    &[&payer],
                    m.f.env.svm.latest_blockhash(),
                );
                let sim = m.f.env.svm.simulate_transaction(tx).expect("check_price");
                out.push((
                    metered_units(&sim.meta.logs),
                    sim.meta.compute_units_consumed,
                ));
            }
        }
    }
    out
}

/// Reference costs measured in the same run: `(top-level SPL transfer, a token transfer CPI
/// as its caller pays it, Anchor init of the 129-byte position)`.
///
/// The CPI: `write_put` makes three token CPIs back to back (escrow in, premium out, put
/// tokens minted); the log prints the meter left as each starts (`consumed X of Y`), so the
/// second one, a PDA-signed `transfer_checked`, costs the difference between the second and
/// third starts (plus the few units building the third's context). The init: `write_put` on a
/// new position minus the same write on an existing one.
pub fn reference_units() -> (u64, u64, u64) {
    let mut m = Market::new(500_000 * USDC, 150);
    let w = m.writer(10);
    let dest = m.writer(0);
    let ix = backstop_harness::spl_transfer(&w.token, &dest.token, &w.key.pubkey(), USDC);
    let payer = m.f.payer.insecure_clone();
    let transfer = send_ok(&mut m.f.env.svm, &[ix], &payer, &[&w.key]).compute_units_consumed;
    let keys = m.open_series(100, 30);
    let w = m.writer(100_000);
    let new = m
        .write(&w, keys, SOL, 0)
        .expect("write")
        .compute_units_consumed;
    let existing = m.write(&w, keys, SOL, 0).expect("write");
    let token_program = backstop_harness::TOKEN_PROGRAM_ID.to_string();
    let starts: Vec<u64> = existing
        .logs
        .iter()
        .filter(|l| l.starts_with(&format!("Program {token_program} consumed")))
        .filter_map(|l| l.split(" of ").nth(1)?.split(' ').next()?.parse().ok())
        .collect();
    assert_eq!(starts.len(), 3, "write_put makes three token CPIs");
    let cpi = starts[1] - starts[2];
    (
        transfer,
        cpi,
        new.saturating_sub(existing.compute_units_consumed),
    )
}

/// `trigger` and `settle_series` compute units on a series written by `writers` writers of
/// 1 SOL each (a step at $80, which earns the tip however few the writers: the vault tips any
/// step of at least the tip; settled at $90 in the money on a fresh series).
pub fn release_and_settle_with_writers(writers: usize) -> (u64, u64) {
    let mut m = Market::with_settings(500_000 * USDC, 150, |a| {
        a.release.min_tip_release = a.release.keeper_tip;
    });
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
    // A fresh series of the same writers' count for the expiry path (nothing advanced).
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
        ("Ladder", backstop::state::Ladder::SPACE),
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
            // `| instruction | seeded run | min | median | max |`: the guard holds the seeded run.
            match table_cells(l).as_slice() {
                [name, cu, ..] => cu.parse().ok().map(|cu| (name.to_string(), cu)),
                _ => None,
            }
        })
        .collect()
}

/// The `max` cell of the committed top table's row starting with `what` (`| what | samples |
/// min | median | max | target |`).
pub fn committed_row_max(markdown: &str, what: &str) -> Option<u64> {
    markdown
        .lines()
        .find_map(|l| match table_cells(l).as_slice() {
            [name, _, _, _, max, _] if name.starts_with(what) => max.parse().ok(),
            _ => None,
        })
}

/// The trimmed cells of one markdown table row.
fn table_cells(line: &str) -> Vec<&str> {
    line.trim()
        .trim_matches('|')
        .split('|')
        .map(str::trim)
        .collect()
}

/// What a protected protocol pays to reach Backstop by CPI: example-lender's own instructions
/// (whole transactions: the lender's account checks plus Backstop's), along one crash, and the
/// read-only `release_status` simulated. `(what, compute units)`.
pub fn cpi_units() -> Vec<(&'static str, u64)> {
    use crate::lender::*;
    let (mut m, _admin) = lender_market(1_000 * SOL, 140_000 * USDC);
    let (a, b) = (m.open_series(100, 30), m.open_series(100, 31));
    let w = m.writer(100_000);
    m.write(&w, a, 100 * SOL, 0).expect("write");
    m.write(&w, b, 100 * SOL, 0).expect("write");
    let reporter_token = set_token_account(
        &mut m.f.env.svm,
        &m.f.quote_mint,
        &pda(example_lender::REPORTER_SEED),
        0,
    );
    let payer = m.f.payer.insecure_clone();
    let send =
        |m: &mut Market, ix| send_ok(&mut m.f.env.svm, &[ix], &payer, &[]).compute_units_consumed;
    let mut out = vec![];
    // $95 against $140,000 owed: a ratio breach, seen now and confirmed a minute later.
    m.tick(10, 9_500);
    let report = report_ix(&m);
    out.push((
        "`report_solvency` by CPI (`report_to_backstop`)",
        send(&mut m, report),
    ));
    m.tick(61, 9_500);
    let report = report_ix(&m);
    send(&mut m, report);
    let price = m.price_account;
    let trigger = trigger_backstop_ix(&m, a, price, reporter_token);
    out.push((
        "`trigger` by CPI, a step paid (`trigger_backstop`)",
        send(&mut m, trigger),
    ));
    let liquidate = liquidate_ix(&m, b, price, reporter_token);
    out.push((
        "`try_release` by CPI, a step paid (`liquidate`)",
        send(&mut m, liquidate),
    ));
    let liquidate = liquidate_ix(&m, b, price, reporter_token);
    out.push((
        "`try_release` by CPI, nothing due (`liquidate`)",
        send(&mut m, liquidate),
    ));
    out.push((
        "`release_status`, simulated (nothing due)",
        status_view_units(&m, b, price),
    ));
    out
}
