//! example-lender on the built `.so` files: a market whose vault's reporter is the lender's PDA,
//! and the lender's instructions that reach Backstop by CPI (the integration tests and the
//! bench's CPI figures share them).
use anchor_lang::{
    prelude::Pubkey, solana_program::instruction::Instruction, AccountDeserialize,
    AnchorDeserialize, InstructionData, ToAccountMetas,
};
use backstop::instructions::{CreateVaultArgs, ReleaseOutcome};
use backstop_harness::*;
use example_lender::{MARKET_SEED, REPORTER_SEED};

use crate::{
    delivery::{collateral_pda, PhysicalMarket},
    event_authority,
    series::*,
    vault::*,
};

const SOL: u64 = 1_000_000_000;

pub fn pda(seed: &[u8]) -> Pubkey {
    Pubkey::find_program_address(&[seed], &example_lender::ID).0
}

pub fn lender_ix<A: ToAccountMetas, D: InstructionData>(accounts: A, data: D) -> Instruction {
    Instruction {
        program_id: example_lender::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

/// A market whose vault's reporter is example-lender's PDA, with books set by its admin.
pub fn lender_market(collateral: u64, liabilities: u64) -> (Market, Keypair) {
    lender_market_with(collateral, liabilities, |_| {})
}

/// [`lender_market`] with the vault's settings edited first.
pub fn lender_market_with(
    collateral: u64,
    liabilities: u64,
    edit: impl FnOnce(&mut CreateVaultArgs),
) -> (Market, Keypair) {
    lender_market_from(VaultFixture::new(), collateral, liabilities, edit)
}

/// [`lender_market`] on a vault that offers physical delivery (collateral mint created here).
pub fn lender_physical_market(collateral: u64, liabilities: u64) -> (PhysicalMarket, Keypair) {
    let mut f = VaultFixture::new();
    let collateral_mint = f.offer_delivery();
    let (m, admin) = lender_market_from(f, collateral, liabilities, |_| {});
    (PhysicalMarket { m, collateral_mint }, admin)
}

fn lender_market_from(
    mut f: VaultFixture,
    collateral: u64,
    liabilities: u64,
    edit: impl FnOnce(&mut CreateVaultArgs),
) -> (Market, Keypair) {
    add_upgradeable_program(
        &mut f.env.svm,
        "example_lender",
        example_lender::ID,
        &f.env.upgrade_authority.pubkey(),
    );
    let mut args: CreateVaultArgs = f.args();
    args.reporter = pda(REPORTER_SEED);
    edit(&mut args);
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

pub fn report_ix(m: &Market) -> Instruction {
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

pub fn lender_books(m: &Market) -> example_lender::Market {
    let acc = m.f.env.svm.get_account(&pda(MARKET_SEED)).expect("market");
    example_lender::Market::try_deserialize(&mut acc.data.as_slice()).expect("market data")
}

/// A liquidation of `seized` collateral for `repaid`, asking the backstop on `series`.
pub fn liquidate_ix(
    m: &Market,
    keys: SeriesKeys,
    price_update: Pubkey,
    reporter_token: Pubkey,
) -> Instruction {
    lender_ix(
        example_lender::accounts::Liquidate {
            liquidator: m.f.payer.pubkey(),
            market: pda(MARKET_SEED),
            reporter: pda(REPORTER_SEED),
            vault: m.f.vault(),
            series: keys.series,
            escrow: keys.escrow,
            recovery: m.f.recovery,
            reserve: m.f.reserve(),
            keeper_token: reporter_token,
            price_update,
            depeg_price_update: Some(m.depeg_account),
            quote_mint: m.f.quote_mint,
            token_program: TOKEN_PROGRAM_ID,
            backstop_event_authority: event_authority(),
            backstop_program: backstop::ID,
        },
        example_lender::instruction::Liquidate {
            seized: SOL,
            repaid: 100 * USDC,
        },
    )
}

/// `release_status` for the reporter, simulated (it writes nothing).
pub fn status_view(m: &Market, keys: SeriesKeys, price_update: Pubkey) -> ReleaseOutcome {
    simulate_status(m, keys, price_update).0
}

/// The compute units of that simulated `release_status`.
pub fn status_view_units(m: &Market, keys: SeriesKeys, price_update: Pubkey) -> u64 {
    simulate_status(m, keys, price_update).1
}

fn simulate_status(m: &Market, keys: SeriesKeys, price_update: Pubkey) -> (ReleaseOutcome, u64) {
    let ix = Instruction {
        program_id: backstop::ID,
        accounts: backstop::accounts::ReleaseStatusView {
            vault: m.f.vault(),
            series: keys.series,
            reserve: m.f.reserve(),
            price_update,
            depeg_price_update: Some(m.depeg_account),
        }
        .to_account_metas(None),
        data: backstop::instruction::ReleaseStatus {
            caller: pda(REPORTER_SEED),
        }
        .data(),
    };
    let tx = Transaction::new_signed_with_payer(
        &[ix],
        Some(&m.f.payer.pubkey()),
        &[&m.f.payer],
        m.f.env.svm.latest_blockhash(),
    );
    let sim =
        m.f.env
            .svm
            .simulate_transaction(tx)
            .expect("release_status");
    let outcome =
        ReleaseOutcome::deserialize(&mut sim.meta.return_data.data.as_slice()).expect("outcome");
    (outcome, sim.meta.compute_units_consumed)
}

/// The lender's own `trigger_backstop` (a release that fails when nothing is due).
pub fn trigger_backstop_ix(
    m: &Market,
    keys: SeriesKeys,
    price_update: Pubkey,
    reporter_token: Pubkey,
) -> Instruction {
    lender_ix(
        example_lender::accounts::TriggerBackstop {
            market: pda(MARKET_SEED),
            reporter: pda(REPORTER_SEED),
            vault: m.f.vault(),
            series: keys.series,
            escrow: keys.escrow,
            recovery: m.f.recovery,
            reserve: m.f.reserve(),
            keeper_token: reporter_token,
            price_update,
            depeg_price_update: Some(m.depeg_account),
            quote_mint: m.f.quote_mint,
            token_program: TOKEN_PROGRAM_ID,
            backstop_event_authority: event_authority(),
            backstop_program: backstop::ID,
        },
        example_lender::instruction::TriggerBackstop {},
    )
}

/// The lender's liquidation that sells `seized` collateral from `seized_account` (the reporter
/// PDA's) to physical series `keys` at the strike, repaying `repaid`.
pub fn liquidate_by_delivery_ix(
    p: &PhysicalMarket,
    keys: SeriesKeys,
    seized_account: Pubkey,
    seized: u64,
    repaid: u64,
) -> Instruction {
    let f = &p.m.f;
    lender_ix(
        example_lender::accounts::LiquidateByDelivery {
            liquidator: f.payer.pubkey(),
            market: pda(MARKET_SEED),
            reporter: pda(REPORTER_SEED),
            seized_collateral: seized_account,
            vault: f.vault(),
            series: keys.series,
            collateral: collateral_pda(&keys.series),
            escrow: keys.escrow,
            put_mint: keys.put_mint,
            holder: keys.holder,
            recovery: f.recovery,
            collateral_mint: p.collateral_mint,
            quote_mint: f.quote_mint,
            token_program: TOKEN_PROGRAM_ID,
            system_program: anchor_lang::system_program::ID,
            backstop_event_authority: event_authority(),
            backstop_program: backstop::ID,
        },
        example_lender::instruction::LiquidateByDelivery { seized, repaid },
    )
}
