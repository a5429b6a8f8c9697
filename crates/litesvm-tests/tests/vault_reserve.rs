//! create_vault, fund_reserve and withdraw_reserve on the built .so: state, events, token
//! conservation, and the exact error of every rejected call.
use anchor_lang::{error::ErrorCode as AnchorError, prelude::Pubkey, AccountDeserialize};
use backstop::{
    errors::BackstopError,
    events::{ReserveFunded, ReserveWithdrawn, VaultCreated},
    instructions::CreateVaultArgs,
    state::{pause, Vault},
};
use backstop_harness::*;
use backstop_litesvm_tests::vault::*;

fn read_vault(f: &VaultFixture) -> Vault {
    let acc = f.env.svm.get_account(&f.vault()).expect("vault exists");
    Vault::try_deserialize(&mut acc.data.as_slice()).expect("vault data")
}

#[test]
fn creates_a_vault_with_its_reserve() {
    let mut f = VaultFixture::new();
    let meta = f.create_vault();
    println!(
        "create_vault: {} compute units",
        meta.compute_units_consumed
    );
    let v = read_vault(&f);
    assert_eq!(v.authority, f.protocol.pubkey());
    assert_eq!(v.reporter, f.reporter.pubkey());
    assert_eq!(v.risk_authority, f.risk.pubkey());
    assert_eq!(v.quote_mint, f.quote_mint);
    assert_eq!(v.recovery, f.recovery);
    assert_eq!(v.reserve, f.reserve());
    assert_eq!(
        (v.quote_decimals, v.collateral_decimals),
        (QUOTE_DECIMALS, COLLATERAL_DECIMALS)
    );
    assert_eq!(v.trigger, f.args().trigger.into());
    assert_eq!(v.totals, Default::default());
    assert!(!v.breach_confirmed(0));
    assert_eq!(token_balance(&f.env.svm, &f.reserve()), 0);
    let reserve = f.env.svm.get_account(&f.reserve()).expect("reserve");
    assert_eq!(reserve.owner, TOKEN_PROGRAM_ID);

    let ev = cpi_events::<VaultCreated>(&meta);
    assert_eq!(ev.len(), 1);
    assert_eq!(
        (ev[0].vault, ev[0].authority, ev[0].recovery),
        (f.vault(), f.protocol.pubkey(), f.recovery)
    );
}

#[test]
fn create_vault_rejects_missing_signer_wrong_mint_and_substituted_accounts() {
    let mut f = VaultFixture::new();
    let args = f.args();

    // Missing signer: the authority is listed but does not sign.
    let mut ix = f.create.ix(args);
    ix.accounts[1].is_signer = false;
    assert_error_code(
        send(&mut f.env.svm, &[ix], &f.payer, &[]),
        AnchorError::AccountNotSigner.into(),
    );

    // Substituted recovery: not the vault's own recovery PDA.
    let mut accounts = f.create.clone();
    accounts.recovery = recovery_pda(&Pubkey::new_unique());
    let r = send(
        &mut f.env.svm,
        &[accounts.ix(args)],
        &f.payer,
        &[&f.protocol],
    );
    assert_error_code(r, AnchorError::ConstraintSeeds.into());

    // Substituted reserve: not the PDA of this vault.
    let mut accounts = f.create.clone();
    accounts.reserve = reserve_pda(&Pubkey::new_unique());
    let r = send(
        &mut f.env.svm,
        &[accounts.ix(args)],
        &f.payer,
        &[&f.protocol],
    );
    assert_error_code(r, AnchorError::ConstraintSeeds.into());

    // Substituted config: an account the program does not own.
    let mut accounts = f.create.clone();
    accounts.config = f.protocol_token;
    let r = send(
        &mut f.env.svm,
        &[accounts.ix(args)],
        &f.payer,
        &[&f.protocol],
    );
    assert_error_code(r, AnchorError::AccountOwnedByWrongProgram.into());

    // Substituted vault address (another authority's PDA).
    let mut accounts = f.create.clone();
    accounts.vault = vault_pda(&f.payer.pubkey(), &f.quote_mint, &SOL_FEED);
    let r = send(
        &mut f.env.svm,
        &[accounts.ix(args)],
        &f.payer,
        &[&f.protocol],
    );
    assert_error_code(r, AnchorError::ConstraintSeeds.into());

    assert!(
        f.env.svm.get_account(&f.vault()).is_none(),
        "nothing was created"
    );
}

#[test]
fn create_vault_rejects_each_out_of_bounds_setting() {
    let mut f = VaultFixture::new();
    type Edit = fn(&mut CreateVaultArgs);
    let cases: [(Edit, BackstopError); 27] = [
        (
            |a| {
                a.trigger.barrier_price = 0;
                a.trigger.ratio_threshold_bps = 0;
                a.trigger.depeg_price = 0;
                a.trigger.joint_collateral_price = 0;
            },
            BackstopError::NoTriggerEnabled,
        ),
        (
            |a| a.trigger.persistence_secs = 29,
            BackstopError::InvalidPersistence,
        ),
        (
            |a| a.trigger.persistence_secs = 7 * 86_400 + 1,
            BackstopError::InvalidPersistence,
        ),
        (
            |a| a.trigger.max_report_age_secs = 0,
            BackstopError::InvalidReportAge,
        ),
        (
            |a| a.oracle.max_age_secs = 0,
            BackstopError::InvalidOracleMaxAge,
        ),
        (
            |a| a.oracle.max_conf_bps = 2_001,
            BackstopError::InvalidConfidenceCap,
        ),
        (
            |a| a.oracle.depeg_feed = SOL_FEED,
            BackstopError::InvalidDepegFeed,
        ),
        (
            |a| a.trigger.depeg_price = 0,
            BackstopError::InvalidDepegFeed,
        ),
        (
            |a| a.pricing.tail_loading_bps = 9_999,
            BackstopError::TailLoadingOutOfBounds,
        ),
        (
            |a| a.pricing.tail_loading_bps = 30_001,
            BackstopError::TailLoadingOutOfBounds,
        ),
        (
            |a| a.release.epoch_secs = 59,
            BackstopError::InvalidReleaseSettings,
        ),
        (
            |a| a.release.keeper_tip = a.release.cap_per_epoch + 1,
            BackstopError::InvalidReleaseSettings,
        ),
        (
            |a| a.collateral_decimals = 19,
            BackstopError::InvalidCollateralDecimals,
        ),
        // The tip never exceeds the smallest step that earns it.
        (
            |a| a.release.keeper_tip = a.release.min_tip_release + 1,
            BackstopError::InvalidReleaseSettings,
        ),
        (
            |a| a.release.min_tip_release = a.release.cap_per_epoch + 1,
            BackstopError::InvalidReleaseSettings,
        ),
        (
            |a| a.release.release_interval_secs = 59,
            BackstopError::InvalidReleaseSettings,
        ),
        (
            |a| a.release.release_interval_secs = 86_401,
            BackstopError::InvalidReleaseSettings,
        ),
        // Writes close at least persistence + max age (60 + 60 s) before expiry.
        (
            |a| a.release.write_cutoff_secs = 119,
            BackstopError::WriteCutoffTooShort,
        ),
        (
            |a| a.release.write_cutoff_secs = 7 * 86_400 + 1,
            BackstopError::WriteCutoffTooShort,
        ),
        (
            |a| a.pricing.write_conf_bps = 0,
            BackstopError::InvalidPricingSettings,
        ),
        (
            |a| a.pricing.write_conf_bps = a.oracle.max_conf_bps + 1,
            BackstopError::InvalidPricingSettings,
        ),
        (
            |a| a.oracle.receiver = Pubkey::new_from_array([7; 32]),
            BackstopError::UntrustedOracleReceiver,
        ),
        (
            |a| a.oracle.max_age_secs = 61,
            BackstopError::InvalidOracleMaxAge,
        ),
        // A pin is the push oracle's sponsored account of its own feed on the shard named, and a
        // depeg pin needs the joint trigger's feed.
        (
            |a| {
                a.trigger.depeg_price = 0;
                a.trigger.joint_collateral_price = 0;
                a.oracle.depeg_feed = [0; 32];
                a.oracle.depeg_price_account = push_feed_address(0, &[0; 32]);
            },
            BackstopError::InvalidPriceAccountPin,
        ),
        (
            |a| a.oracle.collateral_price_account = Pubkey::new_from_array([3; 32]),
            BackstopError::InvalidPriceAccountPin,
        ),
        (
            |a| a.oracle.collateral_price_account = push_feed_address(0, &USDC_FEED),
            BackstopError::InvalidPriceAccountPin,
        ),
        (
            |a| {
                a.oracle.depeg_price_account = push_feed_address(1, &USDC_FEED);
                a.depeg_price_shard = 2;
            },
            BackstopError::InvalidPriceAccountPin,
        ),
    ];
    for (edit, err) in cases {
        let mut args = f.args();
        edit(&mut args);
        let r = send(
            &mut f.env.svm,
            &[f.create.ix(args)],
            &f.payer,
            &[&f.protocol],
        );
        assert_program_error(r, err);
    }
    assert!(f.env.svm.get_account(&f.vault()).is_none());
}

#[test]
fn paused_vault_creation_is_rejected() {
    let mut f = VaultFixture::new_with_pause(pause::CREATE_VAULT);
    let ix = f.create.ix(f.args());
    let r = send(&mut f.env.svm, &[ix], &f.payer, &[&f.protocol]);
    assert_program_error(r, BackstopError::OperationPaused);
}

#[test]
fn fund_and_withdraw_move_exact_amounts() {
    let mut f = VaultFixture::new();
    f.create_vault();
    let start = token_balance(&f.env.svm, &f.protocol_token);
    let acc = f.reserve_accounts();

    let meta = send_ok(
        &mut f.env.svm,
        &[acc.fund_ix(250_000 * USDC)],
        &f.payer,
        &[&f.protocol],
    );
    println!(
        "fund_reserve: {} compute units",
        meta.compute_units_consumed
    );
    assert_eq!(token_balance(&f.env.svm, &f.reserve()), 250_000 * USDC);
    assert_eq!(
        token_balance(&f.env.svm, &f.protocol_token),
        start - 250_000 * USDC
    );
    let ev = cpi_events::<ReserveFunded>(&meta);
    assert_eq!(
        (ev[0].amount, ev[0].reserve_balance),
        (250_000 * USDC, 250_000 * USDC)
    );

    let meta = send_ok(
        &mut f.env.svm,
        &[acc.withdraw_ix(50_000 * USDC)],
        &f.payer,
        &[&f.protocol],
    );
    println!(
        "withdraw_reserve: {} compute units",
        meta.compute_units_consumed
    );
    assert_eq!(token_balance(&f.env.svm, &f.reserve()), 200_000 * USDC);
    assert_eq!(
        token_balance(&f.env.svm, &f.protocol_token),
        start - 200_000 * USDC
    );
    let ev = cpi_events::<ReserveWithdrawn>(&meta);
    assert_eq!(
        (ev[0].amount, ev[0].reserve_balance, ev[0].committed),
        (50_000 * USDC, 200_000 * USDC, 0)
    );

    // Anyone may fund (a donation only adds uncommitted reserve).
    let donor = f.env.funded();
    let donor_token =
        create_token_account(&mut f.env.svm, &f.payer, &f.quote_mint, &donor.pubkey());
    mint_to(
        &mut f.env.svm,
        &f.payer,
        &f.quote_mint,
        &f.mint_authority,
        &donor_token,
        10 * USDC,
    );
    let donation = ReserveAccounts {
        signer: donor.pubkey(),
        token: donor_token,
        ..acc.clone()
    };
    send_ok(
        &mut f.env.svm,
        &[donation.fund_ix(10 * USDC)],
        &f.payer,
        &[&donor],
    );
    assert_eq!(token_balance(&f.env.svm, &f.reserve()), 200_010 * USDC);
}

#[test]
fn fund_reserve_rejections() {
    let mut f = VaultFixture::new();
    f.create_vault();
    let acc = f.reserve_accounts();

    let mut ix = acc.fund_ix(USDC);
    ix.accounts[0].is_signer = false;
    assert_error_code(
        send(&mut f.env.svm, &[ix], &f.payer, &[]),
        AnchorError::AccountNotSigner.into(),
    );

    assert_program_error(
        send(&mut f.env.svm, &[acc.fund_ix(0)], &f.payer, &[&f.protocol]),
        BackstopError::ZeroAmount,
    );

    // Wrong mint: the funder pays from an account of another mint.
    let other_mint = create_mint(
        &mut f.env.svm,
        &f.payer,
        &f.mint_authority.pubkey(),
        QUOTE_DECIMALS,
    );
    let other = create_token_account(&mut f.env.svm, &f.payer, &other_mint, &f.protocol.pubkey());
    let wrong = ReserveAccounts {
        token: other,
        ..acc.clone()
    };
    assert_program_error(
        send(
            &mut f.env.svm,
            &[wrong.fund_ix(USDC)],
            &f.payer,
            &[&f.protocol],
        ),
        BackstopError::WrongMint,
    );
    // ... or names another mint outright.
    let wrong = ReserveAccounts {
        quote_mint: other_mint,
        ..acc.clone()
    };
    assert_program_error(
        send(
            &mut f.env.svm,
            &[wrong.fund_ix(USDC)],
            &f.payer,
            &[&f.protocol],
        ),
        BackstopError::WrongMint,
    );

    // Substituted reserve: the protocol's own token account instead of the vault's reserve.
    let wrong = ReserveAccounts {
        reserve: f.recovery,
        ..acc.clone()
    };
    assert_program_error(
        send(
            &mut f.env.svm,
            &[wrong.fund_ix(USDC)],
            &f.payer,
            &[&f.protocol],
        ),
        BackstopError::WrongReserveAccount,
    );

    // Someone else's token account (wrong authority over the source).
    let thief = f.env.funded();
    let wrong = ReserveAccounts {
        signer: thief.pubkey(),
        ..acc.clone()
    };
    assert_program_error(
        send(&mut f.env.svm, &[wrong.fund_ix(USDC)], &f.payer, &[&thief]),
        BackstopError::NotTokenOwner,
    );
    assert_eq!(token_balance(&f.env.svm, &f.reserve()), 0);
}

#[test]
fn paused_funding_is_rejected_but_withdrawal_is_not() {
    let mut f = VaultFixture::new_with_pause(pause::FUND_RESERVE);
    f.create_vault();
    let acc = f.reserve_accounts();
    assert_program_error(
        send(
            &mut f.env.svm,
            &[acc.fund_ix(USDC)],
            &f.payer,
            &[&f.protocol],
        ),
        BackstopError::OperationPaused,
    );
    // A direct transfer still reaches the reserve, and the authority can always take it back.
    let ix = spl_transfer(
        &f.protocol_token,
        &f.reserve(),
        &f.protocol.pubkey(),
        7 * USDC,
    );
    send_ok(&mut f.env.svm, &[ix], &f.payer, &[&f.protocol]);
    send_ok(
        &mut f.env.svm,
        &[acc.withdraw_ix(7 * USDC)],
        &f.payer,
        &[&f.protocol],
    );
    assert_eq!(token_balance(&f.env.svm, &f.reserve()), 0);
}

#[test]
fn withdraw_reserve_rejections() {
    let mut f = VaultFixture::new();
    f.create_vault();
    let acc = f.reserve_accounts();
    send_ok(
        &mut f.env.svm,
        &[acc.fund_ix(100 * USDC)],
        &f.payer,
        &[&f.protocol],
    );

    let mut ix = acc.withdraw_ix(USDC);
    ix.accounts[0].is_signer = false;
    assert_error_code(
        send(&mut f.env.svm, &[ix], &f.payer, &[]),
        AnchorError::AccountNotSigner.into(),
    );

    // Wrong authority: another signer naming their own token account.
    let thief = f.env.funded();
    let thief_token =
        create_token_account(&mut f.env.svm, &f.payer, &f.quote_mint, &thief.pubkey());
    let wrong = ReserveAccounts {
        signer: thief.pubkey(),
        token: thief_token,
        ..acc.clone()
    };
    assert_program_error(
        send(
            &mut f.env.svm,
            &[wrong.withdraw_ix(USDC)],
            &f.payer,
            &[&thief],
        ),
        BackstopError::NotVaultAuthority,
    );

    // Wrong mint on the destination.
    let other_mint = create_mint(
        &mut f.env.svm,
        &f.payer,
        &f.mint_authority.pubkey(),
        QUOTE_DECIMALS,
    );
    let other = create_token_account(&mut f.env.svm, &f.payer, &other_mint, &f.protocol.pubkey());
    let wrong = ReserveAccounts {
        token: other,
        ..acc.clone()
    };
    assert_program_error(
        send(
            &mut f.env.svm,
            &[wrong.withdraw_ix(USDC)],
            &f.payer,
            &[&f.protocol],
        ),
        BackstopError::WrongMint,
    );

    // Substituted reserve.
    let wrong = ReserveAccounts {
        reserve: f.recovery,
        ..acc.clone()
    };
    assert_program_error(
        send(
            &mut f.env.svm,
            &[wrong.withdraw_ix(USDC)],
            &f.payer,
            &[&f.protocol],
        ),
        BackstopError::WrongReserveAccount,
    );

    // The quote mint account itself substituted.
    let wrong = ReserveAccounts {
        quote_mint: other_mint,
        ..acc.clone()
    };
    assert_program_error(
        send(
            &mut f.env.svm,
            &[wrong.withdraw_ix(USDC)],
            &f.payer,
            &[&f.protocol],
        ),
        BackstopError::WrongMint,
    );

    // More than the reserve holds.
    assert_program_error(
        send(
            &mut f.env.svm,
            &[acc.withdraw_ix(100 * USDC + 1)],
            &f.payer,
            &[&f.protocol],
        ),
        BackstopError::InsufficientUncommittedReserve,
    );
    assert_program_error(
        send(
            &mut f.env.svm,
            &[acc.withdraw_ix(0)],
            &f.payer,
            &[&f.protocol],
        ),
        BackstopError::ZeroAmount,
    );
    assert_eq!(token_balance(&f.env.svm, &f.reserve()), 100 * USDC);
}
