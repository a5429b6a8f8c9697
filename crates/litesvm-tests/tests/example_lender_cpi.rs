//! The protected protocol integrates by CPI: example-lender reports its solvency to Backstop
//! with its reporter PDA as signer, and triggers the release itself, on the built .so files.
use anchor_lang::{
    prelude::Pubkey, solana_program::instruction::Instruction, InstructionData, ToAccountMetas,
};
use backstop::{errors::BackstopError, events::CapitalReleased, instructions::CreateVaultArgs};
use backstop_harness::*;
use backstop_litesvm_tests::{event_authority, series::*, vault::*};
use example_lender::{MARKET_SEED, REPORTER_SEED};

const SOL: u64 = 1_000_000_000;

fn pda(seed: &[u8]) -> Pubkey {
    Pubkey::find_program_address(&[seed], &example_lender::ID).0
}

fn lender_ix<A: ToAccountMetas, D: InstructionData>(accounts: A, data: D) -> Instruction {
    Instruction {
        program_id: example_lender::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

/// A market whose vault's reporter is example-lender's PDA, with books set by its admin.
fn lender_market(collateral: u64, liabilities: u64) -> (Market, Keypair) {
    let mut f = VaultFixture::new();
    add_upgradeable_program(
        &mut f.env.svm,
        "example_lender",
        example_lender::ID,
        &f.env.upgrade_authority.pubkey(),
    );
    let mut args: CreateVaultArgs = f.args();
    args.reporter = pda(REPORTER_SEED);
    let ix = f.create.ix(args);
    send_ok(&mut f.env.svm, &[ix], &f.payer, &[&f.protocol]);
    let fund = f.reserve_accounts().fund_ix(500_000 * USDC);
    send_ok(&mut f.env.svm, &[fund], &f.payer, &[&f.protocol]);
    let mut m = Market {
        f,
        price_account: Pubkey::new_unique(),
        depeg_account: Pubkey::new_unique(),
    };
    m.tick(0, 15_000);

    let admin = m.f.env.funded();
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
            collateral_amount: collateral,
            liabilities,
        },
    );
    send_ok(&mut m.f.env.svm, &[init, books], &admin, &[]);
    (m, admin)
}

fn report_ix(m: &Market) -> Instruction {
    lender_ix(
        example_lender::accounts::ReportToBackstop {
            market: pda(MARKET_SEED),
            reporter: pda(REPORTER_SEED),
            vault: m.f.vault(),
            price_update: m.price_account,
            depeg_price_update: Some(m.depeg_account),
            backstop_event_authority: event_authority(),
            backstop_program: backstop::ID,
        },
        example_lender::instruction::ReportToBackstop {},
    )
}

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
