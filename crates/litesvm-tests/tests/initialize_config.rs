//! `initialize_config` on the built .so: success, re-initialisation, missing signatures and
//! authority checks, each asserting the exact error.
use anchor_lang::{
    error::ErrorCode as AnchorError, prelude::Pubkey, AccountDeserialize, InstructionData,
};
use backstop::{
    errors::BackstopError,
    events::ConfigInitialized,
    instructions::InitializeConfigArgs,
    state::{pause, Config},
};
use backstop_harness::*;
use backstop_litesvm_tests::*;

fn args(admin: Pubkey) -> InitializeConfigArgs {
    InitializeConfigArgs {
        admin,
        pause_flags: pause::WRITE_PUT,
        pyth_receiver: PYTH_RECEIVER_ID,
        pyth_push_oracle: PYTH_PUSH_ORACLE_ID,
    }
}

fn read_config(svm: &LiteSVM) -> Config {
    let acc = svm.get_account(&config_pda()).expect("config exists");
    Config::try_deserialize(&mut acc.data.as_slice()).expect("config data")
}

#[test]
fn initializes_config_and_emits_event() {
    let mut env = Env::new();
    let payer = env.funded();
    let admin = Pubkey::new_unique();
    let ix = initialize_config_ix(
        &payer.pubkey(),
        &env.upgrade_authority.pubkey(),
        args(admin),
    );
    let meta = send_ok(&mut env.svm, &[ix], &payer, &[&env.upgrade_authority]);
    println!(
        "initialize_config: {} compute units",
        meta.compute_units_consumed
    );

    let config = read_config(&env.svm);
    assert_eq!(config.admin, admin);
    assert_eq!(config.pause_flags, pause::WRITE_PUT);
    assert_eq!(
        Pubkey::find_program_address(&[b"config"], &backstop::ID).1,
        config.bump
    );
    assert!(config.is_paused(pause::WRITE_PUT) && !config.is_paused(pause::OPEN_SERIES));
    let acc = env.svm.get_account(&config_pda()).expect("config");
    assert_eq!(acc.owner, backstop::ID);
    assert_eq!(acc.data.len(), Config::SPACE);

    let events = cpi_events::<ConfigInitialized>(&meta);
    assert_eq!(events.len(), 1, "one ConfigInitialized event");
    assert_eq!(events[0].config, config_pda());
    assert_eq!(events[0].admin, admin);
    assert_eq!(events[0].pause_flags, pause::WRITE_PUT);
    assert_eq!(events[0].slot, clock(&env.svm).slot);
}

#[test]
fn second_initialize_is_rejected_and_changes_nothing() {
    let mut env = Env::new();
    let payer = env.funded();
    let first = Pubkey::new_unique();
    let ix = initialize_config_ix(
        &payer.pubkey(),
        &env.upgrade_authority.pubkey(),
        args(first),
    );
    send_ok(&mut env.svm, &[ix], &payer, &[&env.upgrade_authority]);
    let before = env.svm.get_account(&config_pda()).expect("config");

    let ix = initialize_config_ix(
        &payer.pubkey(),
        &env.upgrade_authority.pubkey(),
        args(Pubkey::new_unique()),
    );
    let failed = assert_tx_error(
        send(&mut env.svm, &[ix], &payer, &[&env.upgrade_authority]),
        TransactionError::InstructionError(0, InstructionError::Custom(0)),
    );
    // System program error 0 = AccountAlreadyInUse, raised by Anchor's `init`.
    assert!(
        failed
            .meta
            .logs
            .iter()
            .any(|l| l.contains("already in use")),
        "{:?}",
        failed.meta.logs
    );
    assert_eq!(env.svm.get_account(&config_pda()).expect("config"), before);
}

#[test]
fn non_signer_upgrade_authority_is_rejected() {
    let mut env = Env::new();
    let payer = env.funded();
    let mut ix = initialize_config_ix(
        &payer.pubkey(),
        &env.upgrade_authority.pubkey(),
        args(Pubkey::new_unique()),
    );
    // The authority is listed but does not sign.
    ix.accounts[1].is_signer = false;
    assert_error_code(
        send(&mut env.svm, &[ix], &payer, &[]),
        AnchorError::AccountNotSigner.into(),
    );
    assert!(env.svm.get_account(&config_pda()).is_none());
}

#[test]
fn signer_that_is_not_the_upgrade_authority_is_rejected() {
    let mut env = Env::new();
    let payer = env.funded();
    let impostor = env.funded();
    let ix = initialize_config_ix(&payer.pubkey(), &impostor.pubkey(), args(impostor.pubkey()));
    assert_program_error(
        send(&mut env.svm, &[ix], &payer, &[&impostor]),
        BackstopError::NotUpgradeAuthority,
    );
    assert!(env.svm.get_account(&config_pda()).is_none());
}

#[test]
fn program_without_upgrade_authority_cannot_be_configured() {
    let mut env = Env::new();
    set_upgrade_authority(&mut env.svm, &backstop::ID, None);
    let payer = env.funded();
    let ix = initialize_config_ix(
        &payer.pubkey(),
        &env.upgrade_authority.pubkey(),
        args(Pubkey::new_unique()),
    );
    assert_program_error(
        send(&mut env.svm, &[ix], &payer, &[&env.upgrade_authority]),
        BackstopError::NotUpgradeAuthority,
    );
}

#[test]
fn forged_program_data_account_is_rejected() {
    let mut env = Env::new();
    let payer = env.funded();
    let mut ix = initialize_config_ix(
        &payer.pubkey(),
        &env.upgrade_authority.pubkey(),
        args(Pubkey::new_unique()),
    );
    // Another program's ProgramData, whose upgrade authority the attacker controls.
    let attacker = env.funded();
    let other_program = Pubkey::new_unique();
    env.svm
        .add_program(other_program, &read_program("backstop"))
        .expect("add");
    set_upgrade_authority(&mut env.svm, &other_program, Some(&attacker.pubkey()));
    ix.accounts[3].pubkey = program_data_address(&other_program);
    let ix = anchor_lang::solana_program::instruction::Instruction {
        accounts: {
            let mut a = ix.accounts.clone();
            a[1].pubkey = attacker.pubkey();
            a
        },
        ..ix
    };
    assert_program_error(
        send(&mut env.svm, &[ix], &payer, &[&attacker]),
        BackstopError::InvalidProgramData,
    );
}

#[test]
fn unknown_pause_bits_and_default_admin_are_rejected() {
    let mut env = Env::new();
    let payer = env.funded();
    let auth = env.upgrade_authority.pubkey();
    let bad_flags = InitializeConfigArgs {
        admin: Pubkey::new_unique(),
        pause_flags: 1 << 31,
        pyth_receiver: PYTH_RECEIVER_ID,
        pyth_push_oracle: PYTH_PUSH_ORACLE_ID,
    };
    let ix = initialize_config_ix(&payer.pubkey(), &auth, bad_flags);
    assert_program_error(
        send(&mut env.svm, &[ix], &payer, &[&env.upgrade_authority]),
        BackstopError::UnknownPauseFlags,
    );

    let default_admin = InitializeConfigArgs {
        admin: Pubkey::default(),
        pause_flags: 0,
        pyth_receiver: PYTH_RECEIVER_ID,
        pyth_push_oracle: PYTH_PUSH_ORACLE_ID,
    };
    let ix = initialize_config_ix(&payer.pubkey(), &auth, default_admin);
    assert_program_error(
        send(&mut env.svm, &[ix], &payer, &[&env.upgrade_authority]),
        BackstopError::InvalidAdmin,
    );
    let no_receiver = InitializeConfigArgs {
        pyth_receiver: Pubkey::default(),
        ..args(Pubkey::new_unique())
    };
    let ix = initialize_config_ix(&payer.pubkey(), &auth, no_receiver);
    assert_program_error(
        send(&mut env.svm, &[ix], &payer, &[&env.upgrade_authority]),
        BackstopError::UntrustedOracleReceiver,
    );
    let no_push_oracle = InitializeConfigArgs {
        pyth_push_oracle: Pubkey::default(),
        ..args(Pubkey::new_unique())
    };
    let ix = initialize_config_ix(&payer.pubkey(), &auth, no_push_oracle);
    assert_program_error(
        send(&mut env.svm, &[ix], &payer, &[&env.upgrade_authority]),
        BackstopError::InvalidPushOracle,
    );
    assert!(env.svm.get_account(&config_pda()).is_none());
}

#[test]
fn instruction_data_round_trips() {
    // Guards the wire format the TypeScript client depends on: 8-byte discriminator + borsh args.
    let a = args(Pubkey::new_from_array([9; 32]));
    let data = backstop::instruction::InitializeConfig { args: a }.data();
    assert_eq!(data.len(), 8 + 32 + 4 + 32 + 32);
    assert_eq!(&data[76..108], PYTH_PUSH_ORACLE_ID.as_ref());
    assert_eq!(&data[8..40], &[9; 32]);
    assert_eq!(
        u32::from_le_bytes(data[40..44].try_into().unwrap()),
        pause::WRITE_PUT
    );
}
