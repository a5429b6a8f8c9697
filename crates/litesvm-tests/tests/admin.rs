//! Admin and vault-authority settings on the built .so: pause flags (admin only, never
//! blocking release), bounded setting updates (authority only), and the strength view.
use anchor_lang::{
    error::ErrorCode as AnchorError, prelude::Pubkey, solana_program::instruction::Instruction,
    AccountDeserialize, AnchorDeserialize, InstructionData, ToAccountMetas,
};
use backstop::{
    errors::BackstopError,
    events::{PauseFlagsSet, VaultSettingsProposed, VaultSettingsUpdated},
    instructions::{UpdateVaultSettingsArgs, VaultStrength},
    state::pause,
};
use backstop_harness::*;
use backstop_litesvm_tests::{config_pda, event_authority, series::*, vault::*};

const SOL: u64 = 1_000_000_000;

fn pause_ix(admin: &Pubkey, flags: u32) -> Instruction {
    Instruction {
        program_id: backstop::ID,
        accounts: backstop::accounts::SetPauseFlags {
            admin: *admin,
            config: config_pda(),
            event_authority: event_authority(),
            program: backstop::ID,
        }
        .to_account_metas(None),
        data: backstop::instruction::SetPauseFlags { pause_flags: flags }.data(),
    }
}

fn settings_ix(authority: &Pubkey, vault: &Pubkey, args: UpdateVaultSettingsArgs) -> Instruction {
    Instruction {
        program_id: backstop::ID,
        accounts: backstop::accounts::UpdateVaultSettings {
            authority: *authority,
            vault: *vault,
            event_authority: event_authority(),
            program: backstop::ID,
        }
        .to_account_metas(None),
        data: backstop::instruction::UpdateVaultSettings { args }.data(),
    }
}

fn strength(m: &Market) -> VaultStrength {
    let ix = Instruction {
        program_id: backstop::ID,
        accounts: backstop::accounts::GetVaultStrength { vault: m.f.vault() }
            .to_account_metas(None),
        data: backstop::instruction::GetVaultStrength {}.data(),
    };
    let payer = &m.f.payer;
    let tx = Transaction::new_signed_with_payer(
        &[ix],
        Some(&payer.pubkey()),
        &[payer],
        m.f.env.svm.latest_blockhash(),
    );
    let sim = m.f.env.svm.simulate_transaction(tx).expect("view");
    VaultStrength::deserialize(&mut sim.meta.return_data.data.as_slice()).expect("return data")
}

#[test]
fn only_the_admin_sets_pause_flags_and_pausing_never_blocks_release() {
    let mut m = Market::new(500_000 * USDC, 150);
    let keys = m.open_series(100, 30);
    let w = m.writer(50_000);
    m.write(&w, keys, 10 * SOL, 0).expect("write");
    let admin = m.f.env.upgrade_authority.insecure_clone();
    let payer = m.f.payer.insecure_clone();

    let stranger = m.f.env.funded();
    let r = send(
        &mut m.f.env.svm,
        &[pause_ix(&stranger.pubkey(), pause::ALL)],
        &payer,
        &[&stranger],
    );
    assert_program_error(r, BackstopError::NotAdmin);
    let mut ix = pause_ix(&admin.pubkey(), pause::ALL);
    ix.accounts[0].is_signer = false;
    assert_error_code(
        send(&mut m.f.env.svm, &[ix], &payer, &[]),
        AnchorError::AccountNotSigner.into(),
    );
    let r = send(
        &mut m.f.env.svm,
        &[pause_ix(&admin.pubkey(), 1 << 9)],
        &payer,
        &[&admin],
    );
    assert_program_error(r, BackstopError::UnknownPauseFlags);
    let mut ix = pause_ix(&admin.pubkey(), pause::ALL);
    ix.accounts[1].pubkey = m.f.vault(); // substituted config
    assert_error_code(
        send(&mut m.f.env.svm, &[ix], &payer, &[&admin]),
        AnchorError::AccountDiscriminatorMismatch.into(),
    );

    let meta = send_ok(
        &mut m.f.env.svm,
        &[pause_ix(&admin.pubkey(), pause::ALL)],
        &payer,
        &[&admin],
    );
    let ev = cpi_events::<PauseFlagsSet>(&meta);
    assert_eq!((ev[0].old_flags, ev[0].new_flags), (0, pause::ALL));
    assert_program_error(m.write(&w, keys, SOL, 0), BackstopError::OperationPaused);

    // Everything paused: the breach is still observed, capital released, series settled,
    // escrow reclaimed.
    let keeper = m.keeper();
    m.tick(10, 8_000);
    m.observe().expect("observe while paused");
    m.tick(61, 8_000);
    m.trigger(&keeper, keys).expect("release while paused");
    assert_eq!(token_balance(&m.f.env.svm, &m.f.recovery), 200 * USDC);
    warp_to_timestamp(&mut m.f.env.svm, keys.expiry + 5);
    let upd = Pubkey::new_unique();
    m.set_price_at(upd, 9_000, keys.expiry + 1, keys.expiry - 1);
    m.settle(keys, upd).expect("settle while paused");
    m.reclaim(keys, &w).expect("reclaim while paused");
}

#[test]
fn vault_settings_change_only_within_bounds_and_only_by_the_authority() {
    let mut m = Market::new(500_000 * USDC, 150);
    let base = m.f.args();
    let mut args = UpdateVaultSettingsArgs {
        trigger: base.trigger,
        pricing: base.pricing,
        release: base.release,
        settings_timelock_secs: base.settings_timelock_secs,
    };
    args.trigger.barrier_price = 100 * PRICE_ONE;
    args.pricing.tail_loading_bps = 20_000;
    let (payer, protocol, risk) = (
        m.f.payer.insecure_clone(),
        m.f.protocol.insecure_clone(),
        m.f.risk.insecure_clone(),
    );
    let vault = m.f.vault();

    let r = send(
        &mut m.f.env.svm,
        &[settings_ix(&risk.pubkey(), &vault, args)],
        &payer,
        &[&risk],
    );
    assert_program_error(r, BackstopError::NotVaultAuthority);
    let mut ix = settings_ix(&protocol.pubkey(), &vault, args);
    ix.accounts[0].is_signer = false;
    assert_error_code(
        send(&mut m.f.env.svm, &[ix], &payer, &[]),
        AnchorError::AccountNotSigner.into(),
    );
    let r = send(
        &mut m.f.env.svm,
        &[settings_ix(&protocol.pubkey(), &m.f.recovery, args)],
        &payer,
        &[&protocol],
    );
    assert_error_code(r, AnchorError::AccountOwnedByWrongProgram.into());
    let mut bad = args;
    bad.trigger.persistence_secs = 1;
    let r = send(
        &mut m.f.env.svm,
        &[settings_ix(&protocol.pubkey(), &vault, bad)],
        &payer,
        &[&protocol],
    );
    assert_program_error(r, BackstopError::InvalidPersistence);

    // A pricing setting moves at most a bounded step per update (loading by 0.5x).
    let mut jump = args;
    jump.pricing.tail_loading_bps = 25_000;
    let r = send(
        &mut m.f.env.svm,
        &[settings_ix(&protocol.pubkey(), &vault, jump)],
        &payer,
        &[&protocol],
    );
    assert_program_error(r, BackstopError::PricingStepTooLarge);
    let mut timelock = args;
    timelock.settings_timelock_secs = 3_599;
    let r = send(
        &mut m.f.env.svm,
        &[settings_ix(&protocol.pubkey(), &vault, timelock)],
        &payer,
        &[&protocol],
    );
    assert_program_error(r, BackstopError::InvalidSettingsTimelock);

    // The first call proposes; the same call applies once the timelock (1 hour) has passed.
    let propose = |m: &mut Market| {
        send(
            &mut m.f.env.svm,
            &[settings_ix(&protocol.pubkey(), &vault, args)],
            &payer,
            &[&protocol],
        )
    };
    let meta = propose(&mut m).expect("proposed");
    let ev = cpi_events::<VaultSettingsProposed>(&meta);
    assert_eq!(ev[0].pending.effective_at, m.now() + 3_600);
    let read_vault = |m: &Market| {
        let acc = m.f.env.svm.get_account(&vault).expect("vault");
        backstop::state::Vault::try_deserialize(&mut acc.data.as_slice()).expect("vault")
    };
    assert_eq!(
        read_vault(&m).pricing.tail_loading_bps,
        base.pricing.tail_loading_bps
    );
    advance_seconds(&mut m.f.env.svm, 3_599);
    assert_program_error(propose(&mut m), BackstopError::SettingsTimelockNotElapsed);
    advance_seconds(&mut m.f.env.svm, 1);
    let meta = propose(&mut m).expect("applied");
    let ev = cpi_events::<VaultSettingsUpdated>(&meta);
    assert_eq!(
        (ev[0].trigger.barrier_price, ev[0].pricing.tail_loading_bps),
        (100 * PRICE_ONE, 20_000)
    );
    let v = read_vault(&m);
    assert_eq!(
        (v.pricing.tail_loading_bps, v.pending_settings.effective_at),
        (20_000, 0)
    );
    // A different proposal replaces a pending one and restarts the clock.
    let mut other = args;
    other.pricing.tail_loading_bps = 21_000;
    propose(&mut m).expect("same settings again: a new proposal");
    advance_seconds(&mut m.f.env.svm, 1_800);
    send_ok(
        &mut m.f.env.svm,
        &[settings_ix(&protocol.pubkey(), &vault, other)],
        &payer,
        &[&protocol],
    );
    assert_eq!(
        read_vault(&m).pending_settings.effective_at,
        m.now() + 3_600
    );
}

#[test]
fn strength_view_reports_coverage_and_ratio() {
    let mut m = Market::new(500_000 * USDC, 150);
    let keys = m.open_series(100, 30);
    let w = m.writer(50_000);
    m.write(&w, keys, 100 * SOL, 0).expect("write");
    let s = strength(&m);
    assert_eq!(
        (s.coverage, s.released, s.liabilities, s.coverage_ratio_bps),
        (10_000 * USDC, 0, 0, 0)
    );
    assert!(s.premium_paid > 0 && !s.breach_confirmed);

    let reporter = m.f.reporter.insecure_clone();
    let payer = m.f.payer.insecure_clone();
    let args = backstop::instructions::ReportSolvencyArgs {
        collateral_amount: 1_000 * SOL,
        liabilities: 80_000 * USDC,
    };
    let ix = m.report_ix(&reporter.pubkey(), args);
    send_ok(&mut m.f.env.svm, &[ix], &payer, &[&reporter]);
    let s = strength(&m);
    assert_eq!(
        (s.liabilities, s.coverage_ratio_bps),
        (80_000 * USDC, 1_250)
    ); // 10,000 / 80,000
}
