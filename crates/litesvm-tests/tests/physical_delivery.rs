//! Physical delivery series on the built program (docs/DESIGN.md section 7b): the protocol
//! sells collateral to its backstop at the strike during a confirmed breach and at expiry;
//! writers reclaim their pro-rata collateral and quote; both mints are conserved to the unit.
use anchor_lang::{prelude::Pubkey, AccountDeserialize};
use backstop::{
    errors::BackstopError,
    events::{CollateralDelivered, PositionReclaimed},
    instructions::OpenSeriesArgs,
    state::{SeriesStatus, SeriesStyle, Vault},
};
use backstop_harness::*;
use backstop_litesvm_tests::{delivery::*, series::*, vault::*};

const SOL: u64 = 1_000_000_000;

fn read<T: AccountDeserialize>(svm: &LiteSVM, key: &Pubkey) -> T {
    let acc = svm.get_account(key).expect("account exists");
    T::try_deserialize(&mut acc.data.as_slice()).expect("account data")
}

/// The one event of `E` the transaction emitted by CPI.
fn the_cpi_event<E: anchor_lang::Discriminator + anchor_lang::AnchorDeserialize>(
    meta: &TransactionMetadata,
) -> E {
    let mut events = cpi_events::<E>(meta);
    assert_eq!(events.len(), 1, "one event");
    events.remove(0)
}

/// $100 physical series, writer A 30 SOL and writer B 70 SOL, the price at $150.
fn written() -> (PhysicalMarket, SeriesKeys, Writer, Writer) {
    let mut p = PhysicalMarket::new(500_000 * USDC, 150);
    let keys = p.open_physical(100, 30);
    let a = p.m.writer(100_000);
    let b = p.m.writer(100_000);
    p.m.write(&a, keys, 30 * SOL, 0).expect("write a");
    p.m.write(&b, keys, 70 * SOL, 0).expect("write b");
    (p, keys, a, b)
}

/// Holds $60 until the barrier breach ($90) is confirmed.
fn confirm_crash(m: &mut Market) {
    m.tick(10, 6_000);
    m.observe().expect("observe");
    m.tick(61, 6_000);
    m.observe().expect("observe");
    let v: Vault = read(&m.f.env.svm, &m.f.vault());
    assert!(v.breach_confirmed(m.now()), "confirmed");
}

fn quote_total(m: &Market, accounts: &[Pubkey]) -> u64 {
    accounts
        .iter()
        .map(|k| token_balance(&m.f.env.svm, k))
        .sum()
}

#[test]
fn a_confirmed_breach_lets_the_protocol_sell_collateral_at_the_strike() {
    let (mut p, keys, a, b) = written();
    let seized = p.collateral_account(&p.m.f.protocol.pubkey(), 100 * SOL);
    let quote_accounts = [
        keys.escrow,
        p.m.f.recovery,
        p.m.f.reserve(),
        a.token,
        b.token,
    ];
    let quote_before = quote_total(&p.m, &quote_accounts);
    let collateral = collateral_pda(&keys.series);
    // Before the breach is confirmed: refused, nothing moves.
    assert_program_error(
        p.deliver(keys, seized, 40 * SOL),
        BackstopError::DeliveryNotOpen,
    );
    confirm_crash(&mut p.m);

    let meta = p.deliver(keys, seized, 40 * SOL).expect("deliver");
    let event: CollateralDelivered = the_cpi_event(&meta);
    assert_eq!(
        (
            event.size,
            event.paid,
            event.delivered_size,
            event.payout_total
        ),
        (40 * SOL, 4_000 * USDC, 40 * SOL, 4_000 * USDC)
    );
    assert_eq!(token_balance(&p.m.f.env.svm, &collateral), 40 * SOL);
    assert_eq!(token_balance(&p.m.f.env.svm, &seized), 60 * SOL);
    assert_eq!(token_balance(&p.m.f.env.svm, &p.m.f.recovery), 4_000 * USDC);
    assert_eq!(
        mint_supply(&p.m.f.env.svm, &keys.put_mint),
        60 * SOL,
        "puts burned"
    );
    let v: Vault = read(&p.m.f.env.svm, &p.m.f.vault());
    assert_eq!(v.totals.released, 4_000 * USDC);
    assert_eq!(v.totals.escrowed, 6_000 * USDC);

    // The reporter (the protocol's PDA in production) delivers too; never past what is left.
    let reporter = p.m.f.reporter.insecure_clone();
    let reporter_collateral = p.collateral_account(&reporter.pubkey(), 100 * SOL);
    let accounts = p.deliver_accounts(keys, reporter.pubkey(), reporter_collateral);
    p.deliver_with(accounts, &reporter, 60 * SOL)
        .expect("reporter delivers");
    assert_program_error(
        p.deliver_with(accounts, &reporter, 1),
        BackstopError::DeliveryExceedsUnexercised,
    );
    assert_eq!(mint_supply(&p.m.f.env.svm, &keys.put_mint), 0);
    assert_eq!(
        token_balance(&p.m.f.env.svm, &p.m.f.recovery),
        10_000 * USDC
    );
    assert_eq!(
        quote_total(&p.m, &quote_accounts),
        quote_before,
        "quote conserved"
    );
    // Once the price recovers, a series that delivered still takes no more writes, like one
    // that advanced (pro-rata shares).
    p.m.tick(10, 15_000);
    p.m.observe().expect("observe");
    assert_program_error(p.m.write(&a, keys, SOL, 0), BackstopError::SeriesAdvanced);
}

#[test]
fn each_bad_delivery_is_refused_with_its_error_and_changes_nothing() {
    let (mut p, keys, _a, _b) = written();
    let cash = p.m.open_series(120, 30);
    let w = p.m.writer(100_000);
    p.m.write(&w, cash, 10 * SOL, 0).expect("write cash");
    confirm_crash(&mut p.m);
    let protocol = p.m.f.protocol.insecure_clone();
    let seized = p.collateral_account(&protocol.pubkey(), 100 * SOL);
    let stranger = p.m.f.env.funded();
    let stranger_collateral = p.collateral_account(&stranger.pubkey(), 100 * SOL);
    let foreign_mint = create_mint(
        &mut p.m.f.env.svm,
        &p.m.f.payer,
        &p.m.f.payer.pubkey(),
        COLLATERAL_DECIMALS,
    );
    let foreign = set_token_account(&mut p.m.f.env.svm, &foreign_mint, &protocol.pubkey(), SOL);
    let good = p.deliver_accounts(keys, protocol.pubkey(), seized);
    let watched = [
        keys.series,
        keys.escrow,
        p.m.f.vault(),
        p.m.f.recovery,
        seized,
        collateral_pda(&keys.series),
    ];
    let cases: Vec<(
        backstop::accounts::DeliverCollateral,
        &Keypair,
        u64,
        BackstopError,
    )> = vec![
        (good, &protocol, 0, BackstopError::ZeroAmount),
        (
            p.deliver_accounts(keys, stranger.pubkey(), stranger_collateral),
            &stranger,
            SOL,
            BackstopError::NotDeliverer,
        ),
        (
            p.deliver_accounts(cash, protocol.pubkey(), seized),
            &protocol,
            SOL,
            BackstopError::NotPhysicalSeries,
        ),
        (
            backstop::accounts::DeliverCollateral {
                deliverer_collateral: stranger_collateral,
                ..good
            },
            &protocol,
            SOL,
            BackstopError::NotTokenOwner,
        ),
        (
            backstop::accounts::DeliverCollateral {
                deliverer_collateral: foreign,
                ..good
            },
            &protocol,
            SOL,
            BackstopError::WrongCollateralMint,
        ),
        (
            backstop::accounts::DeliverCollateral {
                collateral_mint: foreign_mint,
                ..good
            },
            &protocol,
            SOL,
            BackstopError::WrongCollateralMint,
        ),
        (
            backstop::accounts::DeliverCollateral {
                recovery: p.m.f.protocol_token,
                ..good
            },
            &protocol,
            SOL,
            BackstopError::WrongRecoveryAccount,
        ),
        (
            backstop::accounts::DeliverCollateral {
                escrow: cash.escrow,
                ..good
            },
            &protocol,
            SOL,
            BackstopError::WrongSeriesAccount,
        ),
        (
            good,
            &protocol,
            100 * SOL + 1,
            BackstopError::DeliveryExceedsUnexercised,
        ),
    ];
    for (accounts, signer, size, err) in cases {
        let before = account_states(&p.m.f.env.svm, &watched);
        assert_program_error(p.deliver_with(accounts, signer, size), err);
        assert!(
            account_states(&p.m.f.env.svm, &watched) == before,
            "{err:?} changed state"
        );
    }
    // A cash series is not exercised by delivery, and a physical one is not cranked.
    let keeper = p.m.keeper();
    assert_program_error(p.m.trigger(&keeper, keys), BackstopError::NotCashSeries);
}

#[test]
fn at_expiry_the_protocol_delivers_then_writers_reclaim_collateral_and_quote_pro_rata() {
    let (mut p, keys, a, b) = written();
    let protocol = p.m.f.protocol.pubkey();
    let seized = p.collateral_account(&protocol, 100 * SOL);
    let a_collateral = p.collateral_account(&a.key.pubkey(), 0);
    let b_collateral = p.collateral_account(&b.key.pubkey(), 0);
    let quote_accounts = [
        keys.escrow,
        p.m.f.recovery,
        p.m.f.reserve(),
        a.token,
        b.token,
    ];
    let quote_before = quote_total(&p.m, &quote_accounts);
    let escrowed = token_balance(&p.m.f.env.svm, &keys.escrow);
    // At expiry no breach is needed: the holder chooses (here 33.333333333 SOL, an odd size).
    let size = 33_333_333_333;
    p.m.tick(30 * 86_400, 9_500);
    p.deliver(keys, seized, size).expect("delivery at expiry");
    // Settlement waits for the grace hour to close, then burns what was not delivered.
    assert_program_error(
        p.m.settle(keys, p.m.price_account),
        BackstopError::DeliveryWindowOpen,
    );
    p.m.tick(3_600, 9_500);
    assert_program_error(p.deliver(keys, seized, SOL), BackstopError::DeliveryNotOpen);
    p.m.settle(keys, p.m.price_account).expect("settle");
    let series: backstop::state::Series = read(&p.m.f.env.svm, &keys.series);
    assert_eq!(series.status, SeriesStatus::Settled);
    assert_eq!(mint_supply(&p.m.f.env.svm, &keys.put_mint), 0);
    let paid = token_balance(&p.m.f.env.svm, &p.m.f.recovery);
    assert_eq!(paid, 3_333_333_333, "floor($100 x 33.333333333)");

    // A reclaim without the collateral accounts is refused: the collateral would be lost.
    assert_program_error(
        p.m.reclaim(keys, &a),
        BackstopError::CollateralAccountsMissing,
    );
    // A (30 %): floor of its share of the collateral, its deposit less its share of the quote
    // paid rounded up. B, the last, takes what is left of the collateral.
    let accounts = p.reclaim_physical_accounts(keys, &a, a_collateral);
    let meta = p.m.reclaim_with(accounts).expect("reclaim a");
    let ea: PositionReclaimed = the_cpi_event(&meta);
    assert_eq!(ea.collateral_reclaimed, size * 30 / 100);
    assert_eq!(ea.payout_share, (paid * 30).div_ceil(100));
    assert_eq!(ea.reclaimed, 3_000 * USDC - ea.payout_share);
    let accounts = p.reclaim_physical_accounts(keys, &b, b_collateral);
    let meta = p.m.reclaim_with(accounts).expect("reclaim b");
    let eb: PositionReclaimed = the_cpi_event(&meta);
    assert_eq!(eb.collateral_reclaimed, size - ea.collateral_reclaimed);
    assert_eq!(
        token_balance(&p.m.f.env.svm, &a_collateral),
        ea.collateral_reclaimed
    );
    assert_eq!(
        token_balance(&p.m.f.env.svm, &b_collateral),
        eb.collateral_reclaimed
    );
    assert_eq!(
        token_balance(&p.m.f.env.svm, &collateral_pda(&keys.series)),
        0
    );
    // Collateral: what the protocol gave is what the writers hold. Quote: to the unit.
    assert_eq!(
        token_balance(&p.m.f.env.svm, &seized) + ea.collateral_reclaimed + eb.collateral_reclaimed,
        100 * SOL
    );
    assert_eq!(quote_total(&p.m, &quote_accounts), quote_before);
    assert_eq!(
        ea.reclaimed + eb.reclaimed + paid,
        escrowed - token_balance(&p.m.f.env.svm, &keys.escrow)
    );

    // Close sweeps the escrow's dust and closes the empty collateral account.
    let accounts = p.close_physical_accounts(keys);
    p.m.close_with(accounts).expect("close");
    let closed = p.m.f.env.svm.get_account(&collateral_pda(&keys.series));
    assert!(
        closed.is_none_or(|acc| acc.lamports == 0),
        "collateral account closed"
    );
}

#[test]
fn physical_series_need_a_vault_created_with_its_collateral_mint() {
    // A vault without a collateral mint offers cash series only.
    let mut m = Market::new(500_000 * USDC, 150);
    let (strike, expiry) = (100 * USDC, m.now() + 30 * 86_400);
    let accounts = m.open_accounts(strike, expiry);
    let ix = accounts.ix(OpenSeriesArgs {
        style: SeriesStyle::PhysicalDelivery,
        ..Market::series_args(strike, expiry)
    });
    assert_program_error(
        send(&mut m.f.env.svm, &[ix], &m.f.payer, &[&m.f.risk]),
        BackstopError::NoCollateralMint,
    );
    // The mint's decimals must be the vault's, and it cannot be the quote mint.
    for (decimals, same_as_quote, err) in [
        (6, false, BackstopError::CollateralDecimalsMismatch),
        (9, true, BackstopError::WrongCollateralMint),
    ] {
        let mut f = VaultFixture::new();
        let mint = if same_as_quote {
            f.quote_mint
        } else {
            create_mint(&mut f.env.svm, &f.payer, &f.payer.pubkey(), decimals)
        };
        f.create.collateral_mint = Some(mint);
        let ix = f.create.ix(f.args());
        assert_program_error(send(&mut f.env.svm, &[ix], &f.payer, &[&f.protocol]), err);
    }
}

#[test]
fn a_physical_write_pays_the_american_bound_the_european_put_at_zero_rate() {
    let (p, keys, a, _b) = written();
    let v: Vault = read(&p.m.f.env.svm, &p.m.f.vault());
    assert_eq!(v.pricing.rate, 0, "the fixture's rate");
    let series: backstop::state::Series = read(&p.m.f.env.svm, &keys.series);
    let position: backstop::state::Position =
        read(&p.m.f.env.svm, &position_pda(&keys.series, &a.key.pubkey()));
    assert_eq!(series.written_size, 100 * SOL);
    // The writer was paid the European premium (no lookback), to the unit.
    let q = backstop::math::put_premium(&backstop::math::PremiumInputs {
        spot: 150 * PRICE_ONE,
        strike: backstop::units::strike_to_price(keys.strike, QUOTE_DECIMALS).expect("strike"),
        confidence: PRICE_ONE / 100 * 5,
        tenor_secs: (keys.expiry - p.m.now()) as u64,
        svi: default_svi().into(),
        rate: 0,
        conf_multiplier_bps: v.pricing.conf_multiplier_bps.into(),
        tail_loading_bps: v.pricing.tail_loading_bps.into(),
        min_premium: v.pricing.min_premium,
        release_interval_secs: 0,
    })
    .expect("premium");
    let expected = backstop::units::quote_amount_down(
        q.premium,
        30 * SOL,
        COLLATERAL_DECIMALS,
        QUOTE_DECIMALS,
    )
    .expect("amount");
    assert_eq!(position.premium_received, expected);
}
