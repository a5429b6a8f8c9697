//! The protected protocol integrates by CPI: example-lender reports its solvency to Backstop
//! with its reporter PDA as signer, and triggers the release itself, on the built .so files.
use anchor_lang::prelude::Pubkey;
use backstop::{
    errors::BackstopError,
    events::{BreachObserved, CapitalReleased},
    instructions::ReleaseStatus,
};
use backstop_harness::*;
use backstop_litesvm_tests::{
    delivery::collateral_pda, event_authority, lender::*, series::*, vault::*,
};
use example_lender::{MARKET_SEED, REPORTER_SEED, VAULT_AUTHORITY_SEED};

const SOL: u64 = 1_000_000_000;

#[test]
fn lender_reports_by_cpi_and_triggers_the_release_itself() {
    // 1,000 SOL against $140,000 of deposits: at $95 the ratio is 68 % < 110 %, so the first
    // report starts the persistence clock and the second confirms it.
    let (mut m, _admin) = lender_market(1_000 * SOL, 140_000 * USDC);
    let keys = m.open_series(100, 30);
    let w = m.writer(100_000);
    m.write(&w, keys, 100 * SOL, 0).expect("write");
    let reporter_token =
        set_token_account(&mut m.f.env.svm, &m.f.quote_mint, &pda(REPORTER_SEED), 0);
    let payer = m.f.payer.insecure_clone();

    m.tick(10, 9_500);
    let ix = report_ix(&m);
    let meta = send_ok(&mut m.f.env.svm, &[ix], &payer, &[]);
    println!(
        "report_solvency by CPI: {} compute units",
        meta.compute_units_consumed
    );
    m.tick(61, 9_500);
    let ix = report_ix(&m);
    send_ok(&mut m.f.env.svm, &[ix], &payer, &[]);

    let mut accounts = example_lender::accounts::TriggerBackstop {
        market: pda(MARKET_SEED),
        reporter: pda(REPORTER_SEED),
        vault: m.f.vault(),
        series: keys.series,
        escrow: keys.escrow,
        recovery: m.f.recovery,
        reserve: m.f.reserve(),
        keeper_token: reporter_token,
        price_update: m.price_account,
        depeg_price_update: Some(m.depeg_account),
        quote_mint: m.f.quote_mint,
        token_program: TOKEN_PROGRAM_ID,
        backstop_event_authority: event_authority(),
        backstop_program: backstop::ID,
    };
    let meta = send_ok(
        &mut m.f.env.svm,
        &[lender_ix(
            accounts,
            example_lender::instruction::TriggerBackstop {},
        )],
        &payer,
        &[],
    );
    println!(
        "trigger by CPI: {} compute units",
        meta.compute_units_consumed
    );
    let ev = cpi_events::<CapitalReleased>(&meta);
    assert_eq!(
        (ev[0].payout, ev[0].keeper, ev[0].keeper_tip),
        (500 * USDC, pda(REPORTER_SEED), 0)
    );
    assert_eq!(token_balance(&m.f.env.svm, &m.f.recovery), 500 * USDC);
    // The protocol releasing its own backstop earns no keeper tip.
    assert_eq!(token_balance(&m.f.env.svm, &reporter_token), 0);

    // The lender cannot redirect the release: Backstop checks the recovery account.
    accounts.recovery =
        set_token_account(&mut m.f.env.svm, &m.f.quote_mint, &pda(REPORTER_SEED), 0);
    m.tick(1, 9_000);
    let r = send(
        &mut m.f.env.svm,
        &[lender_ix(
            accounts,
            example_lender::instruction::TriggerBackstop {},
        )],
        &payer,
        &[],
    );
    assert_program_error(r, BackstopError::WrongRecoveryAccount);
}

#[test]
fn healthy_books_do_not_trigger_and_a_foreign_reporter_is_refused() {
    // 1,000 SOL at $150 against $100,000: 150 % > 110 %.
    let (mut m, _admin) = lender_market(1_000 * SOL, 100_000 * USDC);
    let payer = m.f.payer.insecure_clone();
    m.tick(10, 15_000);
    let ix = report_ix(&m);
    send_ok(&mut m.f.env.svm, &[ix], &payer, &[]);
    m.tick(61, 15_000);
    let ix = report_ix(&m);
    send_ok(&mut m.f.env.svm, &[ix], &payer, &[]);
    let v: backstop::state::Vault = {
        use anchor_lang::AccountDeserialize;
        let acc = m.f.env.svm.get_account(&m.f.vault()).expect("vault");
        backstop::state::Vault::try_deserialize(&mut acc.data.as_slice()).expect("vault data")
    };
    assert_eq!(
        (v.breach.first_seen, v.report.liabilities),
        (0, 100_000 * USDC)
    );

    // A vault whose reporter is someone else refuses the lender's reports.
    let mut other = VaultFixture::new();
    add_upgradeable_program(
        &mut other.env.svm,
        "example_lender",
        example_lender::ID,
        &other.env.upgrade_authority.pubkey(),
    );
    other.create_vault();
    let mut m2 = Market {
        f: other,
        price_account: Pubkey::new_unique(),
        depeg_account: Pubkey::new_unique(),
    };
    m2.tick(0, 15_000);
    let admin = m2.f.env.funded();
    let init = lender_ix(
        example_lender::accounts::Initialize {
            admin: admin.pubkey(),
            market: pda(MARKET_SEED),
            reporter: pda(REPORTER_SEED),
            system_program: anchor_lang::system_program::ID,
        },
        example_lender::instruction::Initialize {},
    );
    send_ok(&mut m2.f.env.svm, &[init], &admin, &[]);
    let ix = report_ix(&m2);
    let r = send(&mut m2.f.env.svm, &[ix], &admin, &[]);
    assert_program_error(r, BackstopError::NotReporter);
}

/// Every quote token of the market: escrows, reserve, recovery, writers, the reporter's.
fn quote_total(m: &Market, accounts: &[Pubkey]) -> u64 {
    accounts
        .iter()
        .map(|a| token_balance(&m.f.env.svm, a))
        .sum()
}

#[test]
fn a_liquidation_proceeds_in_every_release_state_and_releases_only_when_due() {
    // A release cap of 300 USDC per hour, so the cap is spent within one breach.
    let (mut m, _admin) = lender_market_with(1_000 * SOL, 140_000 * USDC, |a| {
        a.release.cap_per_epoch = 300 * USDC;
    });
    // $100 strike: 100 SOL; $82: 10 SOL (owes $20 at $80); $70: out of the money at $80.
    let a = m.open_series(100, 30);
    let c = m.open_series(82, 30);
    let b = m.open_series(70, 30);
    let w = m.writer(100_000);
    m.write(&w, a, 100 * SOL, 0).expect("write a");
    m.write(&w, c, 10 * SOL, 0).expect("write c");
    m.write(&w, b, 10 * SOL, 0).expect("write b");
    let reporter_token =
        set_token_account(&mut m.f.env.svm, &m.f.quote_mint, &pda(REPORTER_SEED), 0);
    let tokens = [
        a.escrow,
        b.escrow,
        c.escrow,
        m.f.reserve(),
        m.f.recovery,
        w.token,
        reporter_token,
    ];
    let total = quote_total(&m, &tokens);
    let payer = m.f.payer.insecure_clone();
    let liquidations = std::cell::Cell::new(0);
    let released = std::cell::Cell::new(0);
    // One liquidation: it always succeeds; the backstop's answer agrees with the view asked
    // just before, and tokens move only on `Released`.
    let liquidate = |m: &mut Market, keys: SeriesKeys, price: Pubkey, want: ReleaseStatus| {
        let asked = status_view(m, keys, price);
        let recovery_before = token_balance(&m.f.env.svm, &m.f.recovery);
        let ix = liquidate_ix(m, keys, price, reporter_token);
        let meta = send_ok(&mut m.f.env.svm, &[ix], &payer, &[]);
        let books = lender_books(m);
        liquidations.set(liquidations.get() + 1);
        // The lender's status type is its own (generated by `declare_program!`): compare names.
        assert_eq!(
            format!("{:?}", books.last_release),
            format!("{:?}", Some(want))
        );
        assert_eq!(asked.status, want, "release_status said {asked:?}");
        let paid = token_balance(&m.f.env.svm, &m.f.recovery) - recovery_before;
        let events = cpi_events::<CapitalReleased>(&meta);
        if want == ReleaseStatus::Released {
            assert_eq!((events.len(), events[0].payout), (1, paid));
            assert_eq!(asked.payout, paid, "the view priced the same step");
        } else {
            assert_eq!((events.len(), paid), (0, 0));
        }
        released.set(released.get() + paid);
        assert_eq!(
            (books.liquidations, books.backstop_released),
            (liquidations.get(), released.get())
        );
        assert_eq!(quote_total(m, &tokens), total, "quote tokens conserved");
        meta
    };

    // Healthy, then a first breached look: nothing confirmed, the liquidations go through.
    let price = m.price_account;
    liquidate(&mut m, a, price, ReleaseStatus::NotConfirmed);
    m.tick(10, 8_000);
    liquidate(&mut m, a, price, ReleaseStatus::NotConfirmed);
    // Confirmed a persistence window later, but the held price (the highest of the last
    // 180 s) is still the healthy $150: out of the money.
    m.tick(61, 8_000);
    liquidate(&mut m, a, price, ReleaseStatus::NotInTheMoney);
    // Three minutes of $80 later the window holds only $80: $82 owes $20, then $100 gets the
    // 280 left of the epoch's cap.
    for _ in 0..3 {
        m.tick(60, 8_000);
        m.observe().expect("observe");
    }
    liquidate(&mut m, c, price, ReleaseStatus::Released);
    liquidate(&mut m, a, price, ReleaseStatus::Released);
    assert_eq!(released.get(), 300 * USDC);
    // The same slot of the release grid, shown an update older than the last one observed:
    // skipped (no observation), not refused.
    let older = Pubkey::new_unique();
    let now = m.now();
    m.set_price_at(older, 8_000, now - 30, now - 31);
    let meta = liquidate(&mut m, a, older, ReleaseStatus::IntervalNotElapsed);
    assert!(cpi_events::<BreachObserved>(&meta).is_empty());
    liquidate(&mut m, b, price, ReleaseStatus::NotInTheMoney);
    // The next slot: $82 is paid in full, $100 waits for the next epoch's cap.
    m.tick(60, 8_000);
    liquidate(&mut m, c, price, ReleaseStatus::NothingOwed);
    liquidate(&mut m, a, price, ReleaseStatus::CapSpent);
    // The feed fails in the crash: no update for two minutes (stale: nothing is recorded), then
    // one too wide to trust ($80 +- $16: its band's top, $96, joins the held-price window, so
    // $82 is out of the money again). Neither undoes a liquidation.
    advance_seconds(&mut m.f.env.svm, 120);
    liquidate(&mut m, c, price, ReleaseStatus::NothingOwed);
    liquidate(&mut m, a, price, ReleaseStatus::CapSpent);
    m.set_price(8_000 * 1_000_000, 1_600 * 1_000_000);
    liquidate(&mut m, c, price, ReleaseStatus::NotInTheMoney);
    liquidate(&mut m, a, price, ReleaseStatus::CapSpent);
    // After expiry a release is settlement's job.
    let wait = 30 * 86_400;
    m.tick(wait, 8_000);
    liquidate(&mut m, a, price, ReleaseStatus::SeriesNotOpen);
    // What the backstop paid is what the writers' escrows lost.
    let escrowed = token_balance(&m.f.env.svm, &a.escrow) + token_balance(&m.f.env.svm, &c.escrow);
    assert_eq!(escrowed + released.get(), (100 * 100 + 10 * 82) * USDC);
}

/// The whole integrator path through example-lender alone: it creates its vault by CPI (its own
/// PDAs as the vault's authority and reporter), reports, liquidates through `try_release`, and
/// draws the released capital into its treasury.
#[test]
fn the_lender_creates_its_vault_releases_in_a_liquidation_and_draws_the_capital() {
    use anchor_lang::{solana_program::instruction::Instruction, Discriminator, ToAccountMetas};
    let mut f = VaultFixture::new();
    add_upgradeable_program(
        &mut f.env.svm,
        "example_lender",
        example_lender::ID,
        &f.env.upgrade_authority.pubkey(),
    );
    let authority = pda(VAULT_AUTHORITY_SEED);
    let vault = vault_pda(&authority, &f.quote_mint, &SOL_FEED);
    f.create = CreateVaultAccounts {
        authority,
        vault,
        reserve: reserve_pda(&vault),
        recovery: recovery_pda(&vault),
        ..f.create.clone()
    };
    f.recovery = f.create.recovery;
    let admin = f.env.funded();
    let init = lender_ix(
        example_lender::accounts::Initialize {
            admin: admin.pubkey(),
            market: pda(MARKET_SEED),
            reporter: pda(REPORTER_SEED),
            system_program: anchor_lang::system_program::ID,
        },
        example_lender::instruction::Initialize {},
    );
    let books = lender_ix(
        example_lender::accounts::SetBooks {
            admin: admin.pubkey(),
            market: pda(MARKET_SEED),
        },
        example_lender::instruction::SetBooks {
            collateral_amount: 1_000 * SOL,
            liabilities: 140_000 * USDC,
        },
    );
    send_ok(&mut f.env.svm, &[init, books], &admin, &[]);
    // The lender's instruction takes its own (declared) copy of CreateVaultArgs: the same bytes.
    let mut args = f.args();
    args.reporter = pda(REPORTER_SEED);
    let mut data = example_lender::instruction::CreateBackstopVault::DISCRIMINATOR.to_vec();
    data.extend(anchor_lang::prelude::borsh::to_vec(&args).expect("args"));
    let create = Instruction {
        program_id: example_lender::ID,
        accounts: example_lender::accounts::CreateBackstopVault {
            payer: f.payer.pubkey(),
            market: pda(MARKET_SEED),
            admin: admin.pubkey(),
            vault_authority: authority,
            config: f.create.config,
            vault,
            quote_mint: f.quote_mint,
            reserve: f.create.reserve,
            recovery: f.create.recovery,
            token_program: TOKEN_PROGRAM_ID,
            system_program: anchor_lang::system_program::ID,
            backstop_event_authority: event_authority(),
            backstop_program: backstop::ID,
        }
        .to_account_metas(None),
        data,
    };
    let payer = f.payer.insecure_clone();
    send_ok(&mut f.env.svm, &[create], &payer, &[&admin]);
    let fund = f.reserve_accounts().fund_ix(500_000 * USDC);
    send_ok(&mut f.env.svm, &[fund], &payer, &[&f.protocol]);
    let mut m = Market {
        f,
        price_account: Pubkey::new_unique(),
        depeg_account: Pubkey::new_unique(),
    };
    m.tick(0, 15_000);
    let keys = m.open_series(100, 30);
    let w = m.writer(100_000);
    m.write(&w, keys, 100 * SOL, 0).expect("write");
    let reporter_token =
        set_token_account(&mut m.f.env.svm, &m.f.quote_mint, &pda(REPORTER_SEED), 0);

    // $95 against $140,000 owed: the ratio trigger, reported twice a minute apart.
    m.tick(10, 9_500);
    let report = report_ix(&m);
    send_ok(&mut m.f.env.svm, &[report], &payer, &[]);
    m.tick(61, 9_500);
    let report = report_ix(&m);
    send_ok(&mut m.f.env.svm, &[report], &payer, &[]);
    let liquidate = liquidate_ix(&m, keys, m.price_account, reporter_token);
    send_ok(&mut m.f.env.svm, &[liquidate], &payer, &[]);
    let released = token_balance(&m.f.env.svm, &m.f.recovery);
    assert_eq!(released, 500 * USDC, "$5 below the strike on 100 SOL");
    assert_eq!(lender_books(&m).backstop_released, released);

    let treasury = set_token_account(&mut m.f.env.svm, &m.f.quote_mint, &admin.pubkey(), 0);
    let draw = lender_ix(
        example_lender::accounts::DrawRecovery {
            market: pda(MARKET_SEED),
            admin: admin.pubkey(),
            vault_authority: authority,
            vault,
            recovery: m.f.recovery,
            treasury,
            quote_mint: m.f.quote_mint,
            token_program: TOKEN_PROGRAM_ID,
            backstop_event_authority: event_authority(),
            backstop_program: backstop::ID,
        },
        example_lender::instruction::DrawRecovery { amount: released },
    );
    send_ok(&mut m.f.env.svm, &[draw], &admin, &[]);
    assert_eq!(
        (
            token_balance(&m.f.env.svm, &treasury),
            token_balance(&m.f.env.svm, &m.f.recovery)
        ),
        (released, 0)
    );
}

/// The cascade the backstop exists to stop: the lender sells collateral seized from a bad loan to
/// its backstop at the strike ($100) instead of dumping it at the crash price ($60); refused
/// (books untouched) until the breach is confirmed.
#[test]
fn a_liquidation_sells_seized_collateral_to_the_backstop_at_the_strike() {
    let (mut p, _admin) = lender_physical_market(1_000 * SOL, 140_000 * USDC);
    let keys = p.open_physical(100, 30);
    let w = p.m.writer(100_000);
    p.m.write(&w, keys, 100 * SOL, 0).expect("write");
    let seized = p.collateral_account(&pda(REPORTER_SEED), 50 * SOL);
    let payer = p.m.f.payer.insecure_clone();
    let ix = liquidate_by_delivery_ix(&p, keys, seized, 10 * SOL, 800 * USDC);
    assert_program_error(
        send(&mut p.m.f.env.svm, std::slice::from_ref(&ix), &payer, &[]),
        BackstopError::DeliveryNotOpen,
    );
    assert_eq!(lender_books(&p.m).collateral_amount, 1_000 * SOL);

    // $60 held past the persistence window: confirmed.
    p.m.tick(10, 6_000);
    p.m.observe().expect("observe");
    p.m.tick(61, 6_000);
    p.m.observe().expect("observe");
    let meta = send_ok(&mut p.m.f.env.svm, &[ix], &payer, &[]);
    let delivered = cpi_events::<backstop::events::CollateralDelivered>(&meta);
    assert_eq!(delivered.len(), 1);
    assert_eq!(
        (delivered[0].size, delivered[0].paid),
        (10 * SOL, 1_000 * USDC)
    );
    // $1,000 for 10 SOL the market would have paid $600 for, in the recovery account.
    assert_eq!(token_balance(&p.m.f.env.svm, &p.m.f.recovery), 1_000 * USDC);
    assert_eq!(token_balance(&p.m.f.env.svm, &seized), 40 * SOL);
    assert_eq!(
        token_balance(&p.m.f.env.svm, &collateral_pda(&keys.series)),
        10 * SOL
    );
    let books = lender_books(&p.m);
    assert_eq!(
        (
            books.collateral_amount,
            books.liabilities,
            books.delivered_to_backstop,
            books.liquidations
        ),
        (990 * SOL, 139_200 * USDC, 10 * SOL, 1)
    );
}
