//! open_series and write_put on the built .so: accounts created with the right authorities,
//! the premium equal to the host engine's to the unit, every token accounted for, and the
//! exact error of each rejected call.
use anchor_lang::{error::ErrorCode as AnchorError, prelude::Pubkey, AccountDeserialize};
use backstop::{
    errors::BackstopError,
    events::{PutWritten, SeriesOpened},
    instructions::WritePutArgs,
    math::{put_premium, PremiumInputs},
    state::{pause, Position, Series, SviSlice, Vault},
    units,
};
use backstop_harness::*;
use backstop_litesvm_tests::{series::*, vault::*};

const SOL: u64 = 1_000_000_000;

fn read<T: AccountDeserialize>(svm: &LiteSVM, key: &Pubkey) -> T {
    let acc = svm.get_account(key).expect("account exists");
    T::try_deserialize(&mut acc.data.as_slice()).expect("account data")
}

fn token_owner(svm: &LiteSVM, key: &Pubkey) -> Pubkey {
    use solana_program_pack::Pack;
    spl_token_interface::state::Account::unpack(&svm.get_account(key).expect("token account").data)
        .expect("token data")
        .owner
}

#[test]
fn opens_a_series_and_commits_its_budget() {
    let mut m = Market::new(500_000 * USDC, 150);
    let (strike, expiry) = (100 * USDC, m.now() + 30 * 86_400);
    let accounts = m.open_accounts(strike, expiry);
    let meta = send_ok(
        &mut m.f.env.svm,
        &[accounts.ix(Market::series_args(strike, expiry))],
        &m.f.payer,
        &[&m.f.risk],
    );
    println!("open_series: {} compute units", meta.compute_units_consumed);
    let k = accounts.keys;
    let s: Series = read(&m.f.env.svm, &k.series);
    assert_eq!(
        (s.vault, s.escrow, s.put_mint, s.holder),
        (m.f.vault(), k.escrow, k.put_mint, k.holder)
    );
    assert_eq!((s.strike, s.expiry, s.svi), (strike, expiry, default_svi()));
    assert_eq!(
        (s.written_size, s.premium_paid, s.open_positions),
        (0, 0, 0)
    );
    assert_eq!(
        token_owner(&m.f.env.svm, &k.escrow),
        k.series,
        "escrow is owned by the series PDA"
    );
    assert_eq!(
        token_owner(&m.f.env.svm, &k.holder),
        m.f.vault(),
        "put tokens are held by the vault PDA"
    );
    assert_eq!(mint_supply(&m.f.env.svm, &k.put_mint), 0);
    let v: Vault = read(&m.f.env.svm, &m.f.vault());
    assert_eq!(v.totals.committed_premium, 100_000 * USDC);
    assert_eq!(v.series_count, 1);
    let ev = cpi_events::<SeriesOpened>(&meta);
    assert_eq!(
        (ev[0].series, ev[0].committed_premium),
        (k.series, 100_000 * USDC)
    );

    // Committed reserve cannot be withdrawn; the rest can.
    let acc = m.f.reserve_accounts();
    let r = send(
        &mut m.f.env.svm,
        &[acc.withdraw_ix(400_000 * USDC + 1)],
        &m.f.payer,
        &[&m.f.protocol],
    );
    assert_program_error(r, BackstopError::InsufficientUncommittedReserve);
    send_ok(
        &mut m.f.env.svm,
        &[acc.withdraw_ix(400_000 * USDC)],
        &m.f.payer,
        &[&m.f.protocol],
    );
}

#[test]
fn open_series_rejections() {
    let mut m = Market::new(150_000 * USDC, 150);
    let (strike, expiry) = (100 * USDC, m.now() + 30 * 86_400);
    let good = m.open_accounts(strike, expiry);
    let args = Market::series_args(strike, expiry);
    let (payer, risk, protocol) = (
        m.f.payer.insecure_clone(),
        m.f.risk.insecure_clone(),
        m.f.protocol.insecure_clone(),
    );
    let svm = &mut m.f.env.svm;

    let mut ix = good.ix(args);
    ix.accounts[1].is_signer = false;
    assert_error_code(
        send(svm, &[ix], &payer, &[]),
        AnchorError::AccountNotSigner.into(),
    );

    let wrong = OpenSeriesAccounts {
        risk_authority: protocol.pubkey(),
        ..good.clone()
    };
    assert_program_error(
        send(svm, &[wrong.ix(args)], &payer, &[&protocol]),
        BackstopError::NotRiskAuthority,
    );

    let other_mint = create_mint(svm, &payer, &Pubkey::new_unique(), QUOTE_DECIMALS);
    let wrong = OpenSeriesAccounts {
        quote_mint: other_mint,
        ..good.clone()
    };
    assert_program_error(
        send(svm, &[wrong.ix(args)], &payer, &[&risk]),
        BackstopError::WrongMint,
    );

    let wrong = OpenSeriesAccounts {
        reserve: m.f.recovery,
        ..good.clone()
    };
    assert_program_error(
        send(svm, &[wrong.ix(args)], &payer, &[&risk]),
        BackstopError::WrongReserveAccount,
    );

    let mut wrong = good.clone();
    wrong.keys.escrow = Pubkey::new_unique();
    assert_error_code(
        send(svm, &[wrong.ix(args)], &payer, &[&risk]),
        AnchorError::ConstraintSeeds.into(),
    );

    let mut bad = args;
    bad.strike = 0;
    let acc = m_open(&good, bad.strike, bad.expiry);
    assert_program_error(
        send(svm, &[acc.ix(bad)], &payer, &[&risk]),
        BackstopError::InvalidStrike,
    );
    let mut bad = args;
    bad.expiry = clock(svm).unix_timestamp + 3_599;
    let acc = m_open(&good, bad.strike, bad.expiry);
    assert_program_error(
        send(svm, &[acc.ix(bad)], &payer, &[&risk]),
        BackstopError::InvalidExpiry,
    );
    let mut bad = args;
    bad.svi = SviSlice {
        rho: -1_000_000_000,
        ..bad.svi
    };
    assert_program_error(
        send(svm, &[good.ix(bad)], &payer, &[&risk]),
        BackstopError::MathSviRhoOutOfRange,
    );
    // Gatheral-Jacquier's arbitrageable slice (Vogt): Durrleman's condition fails.
    let mut bad = args;
    bad.svi = SviSlice {
        a: -41_000_000,
        b: 133_100_000,
        rho: 306_000_000,
        m: 358_600_000,
        sigma: 415_300_000,
    };
    bad.expiry = clock(svm).unix_timestamp + 365 * 86_400;
    let acc = m_open(&good, bad.strike, bad.expiry);
    assert_program_error(
        send(svm, &[acc.ix(bad)], &payer, &[&risk]),
        BackstopError::MathSviButterflyArbitrage,
    );
    // A 4 % at-the-money volatility, and a 310 % one.
    for a in [1_600_000, 9_610_000_000] {
        let mut bad = args;
        bad.svi = SviSlice {
            a,
            b: 0,
            rho: 0,
            m: 0,
            sigma: 100_000_000,
        };
        assert_program_error(
            send(svm, &[good.ix(bad)], &payer, &[&risk]),
            BackstopError::MathSviAtmVolOutOfRange,
        );
    }
    // The vault's floor ($0.01) is more than 1 % of a $0.99 strike.
    let mut bad = args;
    bad.strike = 990_000;
    let acc = m_open(&good, bad.strike, bad.expiry);
    assert_program_error(
        send(svm, &[acc.ix(bad)], &payer, &[&risk]),
        BackstopError::PremiumFloorTooHigh,
    );
    let mut bad = args;
    bad.size_cap = 0;
    assert_program_error(
        send(svm, &[good.ix(bad)], &payer, &[&risk]),
        BackstopError::InvalidSizeCap,
    );
    let mut bad = args;
    bad.premium_budget = 150_000 * USDC + 1;
    assert_program_error(
        send(svm, &[good.ix(bad)], &payer, &[&risk]),
        BackstopError::InsufficientUncommittedReserve,
    );
    assert!(svm.get_account(&good.keys.series).is_none());
}

fn m_open(good: &OpenSeriesAccounts, strike: u64, expiry: i64) -> OpenSeriesAccounts {
    OpenSeriesAccounts {
        keys: SeriesKeys::new(&good.vault, strike, expiry),
        ..good.clone()
    }
}

#[test]
fn paused_series_opening_is_rejected() {
    let mut m = Market::from_fixture(
        VaultFixture::new_with_pause(pause::OPEN_SERIES),
        150_000 * USDC,
        150,
    );
    let (strike, expiry) = (100 * USDC, m.now() + 30 * 86_400);
    let ix = m
        .open_accounts(strike, expiry)
        .ix(Market::series_args(strike, expiry));
    let r = send(&mut m.f.env.svm, &[ix], &m.f.payer, &[&m.f.risk]);
    assert_program_error(r, BackstopError::OperationPaused);
}

/// The premium the host engine computes for this market at this moment, in quote base units.
fn expected_premium(m: &Market, keys: &SeriesKeys, size: u64) -> u64 {
    let v: Vault = read(&m.f.env.svm, &m.f.vault());
    let q = put_premium(&PremiumInputs {
        spot: 150 * PRICE_ONE,
        strike: units::strike_to_price(keys.strike, QUOTE_DECIMALS).unwrap(),
        confidence: PRICE_ONE / 100 * 5, // 5_000_000 at 1e-8 = $0.05
        tenor_secs: (keys.expiry - m.now()) as u64,
        svi: default_svi().into(),
        rate: v.pricing.rate,
        conf_multiplier_bps: v.pricing.conf_multiplier_bps.into(),
        tail_loading_bps: v.pricing.tail_loading_bps.into(),
        min_premium: v.pricing.min_premium,
        release_interval_secs: v.release.release_interval_secs.into(),
    })
    .unwrap();
    units::quote_amount_down(q.premium, size, COLLATERAL_DECIMALS, QUOTE_DECIMALS).unwrap()
}

#[test]
fn writers_are_paid_the_engine_premium_and_every_token_is_accounted_for() {
    let mut m = Market::new(500_000 * USDC, 150);
    let keys = m.open_series(100, 30);
    let a = m.writer(100_000);
    let b = m.writer(100_000);
    let total_in = 500_000 * USDC + 200_000 * USDC;
    let wallets =
        |m: &Market| token_balance(&m.f.env.svm, &a.token) + token_balance(&m.f.env.svm, &b.token);
    let conserved = |m: &Market| {
        token_balance(&m.f.env.svm, &m.f.reserve())
            + token_balance(&m.f.env.svm, &keys.escrow)
            + wallets(m)
    };
    assert_eq!(conserved(&m), total_in);

    let premium = expected_premium(&m, &keys, 100 * SOL);
    assert!(premium > 0);
    let meta = m.write(&a, keys, 100 * SOL, premium).expect("write");
    println!(
        "write_put (new position): {} compute units",
        meta.compute_units_consumed
    );
    assert_eq!(
        token_balance(&m.f.env.svm, &keys.escrow),
        10_000 * USDC,
        "100 SOL x $100 escrowed"
    );
    assert_eq!(
        token_balance(&m.f.env.svm, &a.token),
        100_000 * USDC - 10_000 * USDC + premium
    );
    assert_eq!(
        token_balance(&m.f.env.svm, &m.f.reserve()),
        500_000 * USDC - premium
    );
    assert_eq!(token_balance(&m.f.env.svm, &keys.holder), 100 * SOL);
    assert_eq!(conserved(&m), total_in);
    let ev = cpi_events::<PutWritten>(&meta);
    assert_eq!(
        (ev[0].writer, ev[0].size, ev[0].premium, ev[0].escrow),
        (a.key.pubkey(), 100 * SOL, premium, 10_000 * USDC)
    );
    assert_eq!(ev[0].spot, 150 * PRICE_ONE);

    // The same writer adds to its position; another writer gets its own.
    let p2 = expected_premium(&m, &keys, 50 * SOL);
    let meta = m.write(&a, keys, 50 * SOL, 0).expect("second write");
    println!(
        "write_put (existing position): {} compute units",
        meta.compute_units_consumed
    );
    let p3 = expected_premium(&m, &keys, 7 * SOL + 1);
    m.write(&b, keys, 7 * SOL + 1, 0).expect("writer b");
    let pa: Position = read(&m.f.env.svm, &position_pda(&keys.series, &a.key.pubkey()));
    let pb: Position = read(&m.f.env.svm, &position_pda(&keys.series, &b.key.pubkey()));
    assert_eq!(
        (pa.size, pa.escrow_deposited, pa.premium_received),
        (150 * SOL, 15_000 * USDC, premium + p2)
    );
    // 7.000000001 SOL x $100 = 700.0000001 USDC: the escrow rounds up to 700.000001.
    assert_eq!(
        (pb.size, pb.escrow_deposited, pb.premium_received),
        (7 * SOL + 1, 700 * USDC + 1, p3)
    );
    let s: Series = read(&m.f.env.svm, &keys.series);
    assert_eq!((s.written_size, s.open_positions), (157 * SOL + 1, 2));
    assert_eq!(s.premium_paid, premium + p2 + p3);
    assert_eq!(
        s.escrow_deposited,
        token_balance(&m.f.env.svm, &keys.escrow)
    );
    let v: Vault = read(&m.f.env.svm, &m.f.vault());
    assert_eq!(v.totals.premium_paid, s.premium_paid);
    assert_eq!(v.totals.committed_premium, 100_000 * USDC - s.premium_paid);
    assert_eq!(v.totals.escrowed, s.escrow_deposited);
    assert_eq!(mint_supply(&m.f.env.svm, &keys.put_mint), s.written_size);
    assert_eq!(conserved(&m), total_in);
}

#[test]
fn write_put_rejections() {
    let mut m = Market::new(500_000 * USDC, 150);
    let keys = m.open_series(100, 30);
    let other_keys = m.open_series(80, 30);
    let w = m.writer(100_000);
    let good = m.write_accounts(&w, keys);
    let args = WritePutArgs {
        size: SOL,
        min_premium: 0,
    };
    let payer = m.f.payer.insecure_clone();
    let send_as = |m: &mut Market, acc: &WritePutAccounts, args: WritePutArgs, signer: &Keypair| {
        let ix = acc.ix(args);
        send(&mut m.f.env.svm, &[ix], &payer, &[signer])
    };

    let mut ix = good.ix(args);
    ix.accounts[0].is_signer = false;
    assert_error_code(
        send(&mut m.f.env.svm, &[ix], &m.f.payer, &[]),
        AnchorError::AccountNotSigner.into(),
    );

    // Wrong mint and someone else's token account.
    let other_mint = create_mint(
        &mut m.f.env.svm,
        &m.f.payer,
        &Pubkey::new_unique(),
        QUOTE_DECIMALS,
    );
    let other = create_token_account(&mut m.f.env.svm, &m.f.payer, &other_mint, &w.key.pubkey());
    let wrong = WritePutAccounts {
        writer_token: other,
        ..good.clone()
    };
    assert_program_error(
        send_as(&mut m, &wrong, args, &w.key),
        BackstopError::WrongMint,
    );
    let wrong = WritePutAccounts {
        quote_mint: other_mint,
        ..good.clone()
    };
    assert_program_error(
        send_as(&mut m, &wrong, args, &w.key),
        BackstopError::WrongMint,
    );
    let thief = m.writer(1);
    let wrong = WritePutAccounts {
        writer: thief.key.pubkey(),
        position: position_pda(&keys.series, &thief.key.pubkey()),
        ..good.clone()
    };
    assert_program_error(
        send_as(&mut m, &wrong, args, &thief.key),
        BackstopError::NotTokenOwner,
    );

    // Substituted accounts: another series' escrow, put mint or holder; the reserve.
    for edit in [
        |k: &mut SeriesKeys, o: &SeriesKeys| k.escrow = o.escrow,
        |k: &mut SeriesKeys, o: &SeriesKeys| k.put_mint = o.put_mint,
        |k: &mut SeriesKeys, o: &SeriesKeys| k.holder = o.holder,
    ] {
        let mut wrong = good.clone();
        edit(&mut wrong.keys, &other_keys);
        assert_program_error(
            send_as(&mut m, &wrong, args, &w.key),
            BackstopError::WrongSeriesAccount,
        );
    }
    let wrong = WritePutAccounts {
        reserve: m.f.recovery,
        ..good.clone()
    };
    assert_program_error(
        send_as(&mut m, &wrong, args, &w.key),
        BackstopError::WrongReserveAccount,
    );

    // Oracle: wrong owner, stale.
    let fake = Pubkey::new_unique();
    let update = PriceUpdate::new(SOL_FEED, 150 * 100_000_000, 5_000_000, -8, m.now());
    write_price_update_with_owner(&mut m.f.env.svm, fake, &update, Pubkey::new_unique());
    let wrong = WritePutAccounts {
        price_update: fake,
        ..good.clone()
    };
    assert_program_error(
        send_as(&mut m, &wrong, args, &w.key),
        BackstopError::OracleWrongOwner,
    );
    advance_seconds(&mut m.f.env.svm, 61);
    assert_program_error(
        send_as(&mut m, &good, args, &w.key),
        BackstopError::OracleStale,
    );
    m.set_price(150 * 100_000_000, 5_000_000);

    // Economics: zero size, slippage, size cap, budget.
    assert_program_error(
        send_as(
            &mut m,
            &good,
            WritePutArgs {
                size: 0,
                min_premium: 0,
            },
            &w.key,
        ),
        BackstopError::ZeroAmount,
    );
    let premium = expected_premium(&m, &keys, SOL);
    let greedy = WritePutArgs {
        size: SOL,
        min_premium: premium + 1,
    };
    assert_program_error(
        send_as(&mut m, &good, greedy, &w.key),
        BackstopError::SlippageExceeded,
    );
    let too_big = WritePutArgs {
        size: 10_000 * SOL + 1,
        min_premium: 0,
    };
    assert_program_error(
        send_as(&mut m, &good, too_big, &w.key),
        BackstopError::SizeCapExceeded,
    );

    // Expired series.
    let expiry = keys.expiry;
    warp_to_timestamp(&mut m.f.env.svm, expiry);
    m.set_price(150 * 100_000_000, 5_000_000);
    assert_program_error(
        send_as(&mut m, &good, args, &w.key),
        BackstopError::SeriesExpired,
    );
    assert_eq!(
        token_balance(&m.f.env.svm, &keys.escrow),
        0,
        "nothing was written"
    );
}

#[test]
fn premium_budget_caps_what_the_reserve_pays() {
    let mut m = Market::new(500_000 * USDC, 150);
    let (strike, expiry) = (140 * USDC, m.now() + 30 * 86_400);
    let accounts = m.open_accounts(strike, expiry);
    let mut args = Market::series_args(strike, expiry);
    args.premium_budget = 10 * USDC;
    send_ok(
        &mut m.f.env.svm,
        &[accounts.ix(args)],
        &m.f.payer,
        &[&m.f.risk],
    );
    let w = m.writer(100_000);
    let r = m.write(&w, accounts.keys, 10 * SOL, 0);
    assert_program_error(r, BackstopError::PremiumBudgetExceeded);
}

#[test]
fn paused_writing_is_rejected() {
    let mut m = Market::from_fixture(
        VaultFixture::new_with_pause(pause::WRITE_PUT),
        500_000 * USDC,
        150,
    );
    let keys = m.open_series(100, 30);
    let w = m.writer(100_000);
    assert_program_error(m.write(&w, keys, SOL, 0), BackstopError::OperationPaused);
}
