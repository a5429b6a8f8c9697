//! Breach confirmation that cannot be rushed, settings that cannot be turned against writers,
//! and every oracle rejection on the built .so (one test and one error each).
use anchor_lang::{
    prelude::Pubkey, solana_program::instruction::Instruction, AccountDeserialize, InstructionData,
    ToAccountMetas,
};
use backstop::{
    errors::BackstopError,
    events::BreachObserved,
    instructions::{ReportSolvencyArgs, UpdateVaultSettingsArgs},
    state::{BreachTransition, Vault},
};
use backstop_harness::*;
use backstop_litesvm_tests::{event_authority, series::*, vault::*};

const SOL: u64 = 1_000_000_000;

fn vault_state(m: &Market) -> Vault {
    let acc = m.f.env.svm.get_account(&m.f.vault()).expect("vault");
    Vault::try_deserialize(&mut acc.data.as_slice()).expect("vault data")
}

fn transition(meta: &TransactionMetadata) -> BreachTransition {
    cpi_events::<BreachObserved>(meta)
        .last()
        .expect("BreachObserved")
        .transition
}

/// $150 market, one $100 series, 100 SOL written (so writers' capital is in escrow).
fn written_market() -> (Market, SeriesKeys) {
    let mut m = Market::new(500_000 * USDC, 150);
    let keys = m.open_series(100, 30);
    let w = m.writer(100_000);
    m.write(&w, keys, 100 * SOL, 0).expect("write");
    (m, keys)
}

#[test]
fn spike_then_silence_then_spike_restarts_the_clock() {
    let (mut m, keys) = written_market();
    let keeper = m.keeper();
    m.tick(10, 8_000);
    assert_eq!(
        transition(&m.observe().expect("observe")),
        BreachTransition::Started
    );
    // A day later, nobody having looked in between: the breach is new, not confirmed.
    m.tick(86_400, 8_000);
    assert_program_error(m.trigger(&keeper, keys), BackstopError::BreachNotConfirmed);
    assert_eq!(
        transition(&m.observe().expect("observe")),
        BreachTransition::Started
    );
    m.tick(60, 8_000);
    m.trigger(&keeper, keys)
        .expect("persisted for a full window: released");
    assert!(token_balance(&m.f.env.svm, &m.f.recovery) > 0);
}

#[test]
fn two_updates_shown_in_one_transaction_never_confirm() {
    let (mut m, keys) = written_market();
    let keeper = m.keeper();
    m.tick(10, 15_000);
    m.observe().expect("healthy observation");
    // Two genuine $80 updates, 60 s apart by publish time, both shown at the same slot.
    advance_seconds(&mut m.f.env.svm, 60);
    let now = m.now();
    let early = PriceUpdate::new(SOL_FEED, 8_000 * 1_000_000, 5_000_000, -8, now - 60);
    write_price_update(&mut m.f.env.svm, m.price_account, &early);
    m.set_depeg_price(100_000_000);
    let late_account = Pubkey::new_unique();
    let late = PriceUpdate::new(SOL_FEED, 8_000 * 1_000_000, 5_000_000, -8, now);
    write_price_update(&mut m.f.env.svm, late_account, &late);
    let observe = m.observe_ix();
    let mut accounts = m.trigger_accounts(&keeper, keys);
    accounts.price_update = late_account;
    let trigger = Market::trigger_ix(accounts);
    let payer = m.f.payer.insecure_clone();
    let r = send(
        &mut m.f.env.svm,
        &[observe, trigger],
        &payer,
        &[&keeper.key],
    );
    assert_program_error(r, BackstopError::BreachNotConfirmed);
    assert_eq!(token_balance(&m.f.env.svm, &m.f.recovery), 0);
}

fn settings_ix(m: &Market, args: UpdateVaultSettingsArgs) -> Instruction {
    Instruction {
        program_id: backstop::ID,
        accounts: backstop::accounts::UpdateVaultSettings {
            authority: m.f.protocol.pubkey(),
            vault: m.f.vault(),
            event_authority: event_authority(),
            program: backstop::ID,
        }
        .to_account_metas(None),
        data: backstop::instruction::UpdateVaultSettings { args }.data(),
    }
}

/// Proposes `args`, waits out the vault's timelock and applies them (the first error stops).
fn update(m: &mut Market, args: UpdateVaultSettingsArgs) -> TxResult {
    let (payer, protocol) = (m.f.payer.insecure_clone(), m.f.protocol.insecure_clone());
    let ix = settings_ix(m, args);
    send(
        &mut m.f.env.svm,
        std::slice::from_ref(&ix),
        &payer,
        &[&protocol],
    )?;
    advance_seconds(&mut m.f.env.svm, i64::from(args.settings_timelock_secs));
    send(&mut m.f.env.svm, &[ix], &payer, &[&protocol])
}

#[test]
fn triggers_only_loosen_while_capital_is_escrowed_and_a_change_restarts_the_breach() {
    let (mut m, _keys) = written_market();
    let base = m.f.args();
    let current = UpdateVaultSettingsArgs {
        trigger: base.trigger,
        pricing: base.pricing,
        release: base.release,
        settings_timelock_secs: base.settings_timelock_secs,
    };
    let tighter: [fn(&mut UpdateVaultSettingsArgs); 6] = [
        |a| a.trigger.barrier_price += PRICE_ONE,
        |a| a.trigger.ratio_threshold_bps += 1,
        |a| a.trigger.max_report_age_secs += 1,
        |a| a.trigger.joint_collateral_price += 1,
        |a| a.trigger.depeg_price += 1,
        |a| a.trigger.persistence_secs -= 1,
    ];
    for tighten in tighter {
        let mut args = current;
        tighten(&mut args);
        assert_program_error(update(&mut m, args), BackstopError::TriggerTightened);
    }
    assert_eq!(
        vault_state(&m).trigger,
        base.trigger.into(),
        "nothing changed"
    );

    // A pending breach, then a looser barrier: the breach restarts under the new rules.
    m.tick(10, 8_500);
    m.observe().expect("observe");
    assert_ne!(vault_state(&m).breach.first_seen, 0);
    let mut looser = current;
    looser.trigger.barrier_price = 80 * PRICE_ONE;
    looser.trigger.persistence_secs = 120;
    update(&mut m, looser).expect("loosening is allowed");
    let v = vault_state(&m);
    assert_eq!(v.trigger.barrier_price, 80 * PRICE_ONE);
    assert_eq!((v.breach.first_seen, v.breach.confirmed_at), (0, 0));
    // Pricing and release settings stay the authority's to change.
    let mut pricing = looser;
    pricing.pricing.tail_loading_bps = 20_000;
    update(&mut m, pricing).expect("pricing change");
}

#[test]
fn create_vault_rejects_an_unpriceable_quote_mint_and_unset_parties() {
    let mut f = VaultFixture::new();
    let mut args = f.args();
    args.reporter = Pubkey::default();
    let ix = f.create.ix(args);
    let (payer, protocol) = (f.payer.insecure_clone(), f.protocol.insecure_clone());
    assert_program_error(
        send(&mut f.env.svm, &[ix], &payer, &[&protocol]),
        BackstopError::InvalidParty,
    );
    let mut args = f.args();
    args.risk_authority = Pubkey::default();
    let ix = f.create.ix(args);
    assert_program_error(
        send(&mut f.env.svm, &[ix], &payer, &[&protocol]),
        BackstopError::InvalidParty,
    );

    let fine_mint = create_mint(&mut f.env.svm, &payer, &payer.pubkey(), 13);
    let mut accounts = f.create.clone();
    accounts.quote_mint = fine_mint;
    accounts.vault = vault_pda(&protocol.pubkey(), &fine_mint, &SOL_FEED);
    accounts.reserve = reserve_pda(&accounts.vault);
    accounts.recovery = recovery_pda(&accounts.vault);
    let ix = accounts.ix(f.args());
    assert_program_error(
        send(&mut f.env.svm, &[ix], &payer, &[&protocol]),
        BackstopError::InvalidQuoteDecimals,
    );
}

/// Writes `update` to the collateral price account and observes.
fn observe_with(m: &mut Market, update: PriceUpdate) -> TxResult {
    write_price_update(&mut m.f.env.svm, m.price_account, &update);
    m.observe()
}

/// A strict read of the collateral price account (what `write_put` and quotes apply).
fn check_price(m: &mut Market) -> TxResult {
    use anchor_lang::{InstructionData, ToAccountMetas};
    let ix = anchor_lang::solana_program::instruction::Instruction {
        program_id: backstop::ID,
        accounts: backstop::accounts::CheckPrice {
            vault: m.f.vault(),
            price_update: m.price_account,
        }
        .to_account_metas(None),
        data: backstop::instruction::CheckPrice {}.data(),
    };
    let payer = m.f.payer.insecure_clone();
    send(&mut m.f.env.svm, &[ix], &payer, &[])
}

fn sol_update(m: &Market) -> PriceUpdate {
    PriceUpdate::new(SOL_FEED, 150 * 100_000_000, 5_000_000, -8, m.now())
}

#[test]
fn each_oracle_failure_is_its_own_error_or_no_information_on_chain() {
    let (mut m, _keys) = written_market();
    m.tick(5, 15_000);
    let before = vault_state(&m);

    let mut u = sol_update(&m);
    u.feed_id = USDC_FEED;
    assert_program_error(observe_with(&mut m, u), BackstopError::OracleWrongFeed);

    let mut u = sol_update(&m);
    u.verification_level = VerificationLevel::Partial { num_signatures: 13 };
    assert_program_error(
        observe_with(&mut m, u),
        BackstopError::OracleNotFullyVerified,
    );

    // Market failures are no information for an observation (it succeeds and decides
    // nothing) and an error for a strict read (`check_price`, as `write_put` reads).
    let market_failures: Vec<(PriceUpdate, BackstopError)> = vec![
        (
            PriceUpdate {
                price: 0,
                ..sol_update(&m)
            },
            BackstopError::OracleNonPositivePrice,
        ),
        (
            PriceUpdate {
                price: -150 * 100_000_000,
                ..sol_update(&m)
            },
            BackstopError::OracleNonPositivePrice,
        ),
        (
            PriceUpdate {
                publish_time: m.now() - 61,
                ..sol_update(&m)
            },
            BackstopError::OracleStale,
        ),
    ];
    for (u, strict) in market_failures {
        let meta = observe_with(&mut m, u).expect("no information, no revert");
        let ev = cpi_events::<BreachObserved>(&meta);
        assert_eq!(
            (ev[0].transition, ev[0].price),
            (BreachTransition::NoInformation, 0)
        );
        assert_program_error(check_price(&mut m), strict);
    }

    // 2 % cap: $3.01 on $150 is wide: observed as the band $146.99..$153.01 (the window keeps
    // the top), refused by a strict read; $3.00 is within the cap.
    let mut u = sol_update(&m);
    u.conf = 301_000_000;
    let meta = observe_with(&mut m, u).expect("a wide update is a band");
    let ev = cpi_events::<BreachObserved>(&meta);
    assert_eq!(
        (ev[0].price, ev[0].recorded),
        (150 * PRICE_ONE, 15_301 * PRICE_ONE / 100)
    );
    assert_program_error(check_price(&mut m), BackstopError::OracleConfidenceTooWide);
    let mut u = sol_update(&m);
    u.conf = 300_000_000;
    let ev = cpi_events::<BreachObserved>(&observe_with(&mut m, u).expect("within the cap"));
    assert_eq!(ev[0].recorded, 150 * PRICE_ONE);

    for exponent in [-19, 7] {
        let mut u = sol_update(&m);
        u.exponent = exponent;
        u.price = 150;
        u.conf = 0;
        assert_program_error(
            observe_with(&mut m, u),
            BackstopError::OracleExponentOutOfRange,
        );
    }

    // $150 at exponent -4 and at -10 are the same price: normalisation is exact.
    for (price, exponent) in [(1_500_000i64, -4), (1_500_000_000_000, -10)] {
        let mut u = sol_update(&m);
        (u.price, u.conf, u.exponent) = (price, 0, exponent);
        let meta = observe_with(&mut m, u).expect("valid update");
        let ev = cpi_events::<BreachObserved>(&meta);
        assert_eq!(ev[0].price, 150 * PRICE_ONE);
    }

    // Bytes that are not a PriceUpdateV2 (wrong discriminator) under the receiver's ownership.
    let mut bad = sol_update(&m).to_account_data();
    bad[0] ^= 0xff;
    write_raw_account(&mut m.f.env.svm, m.price_account, bad, PYTH_RECEIVER_ID);
    assert_program_error(m.observe(), BackstopError::OracleInvalidAccount);

    // A genuine update of the wrong owner, and the collateral feed passed as the stablecoin's.
    let genuine = sol_update(&m);
    write_price_update_with_owner(
        &mut m.f.env.svm,
        m.price_account,
        &genuine,
        Pubkey::new_unique(),
    );
    assert_program_error(m.observe(), BackstopError::OracleWrongOwner);
    let (price_account, depeg_account) = (m.price_account, m.depeg_account);
    write_price_update(&mut m.f.env.svm, price_account, &genuine);
    write_price_update(&mut m.f.env.svm, depeg_account, &genuine);
    assert_program_error(m.observe(), BackstopError::OracleWrongFeed);

    // report_solvency reads the same way: a price account of the wrong owner is refused.
    write_price_update_with_owner(
        &mut m.f.env.svm,
        price_account,
        &genuine,
        Pubkey::new_unique(),
    );
    let reporter = m.f.reporter.insecure_clone();
    let ix = m.report_ix(
        &reporter.pubkey(),
        ReportSolvencyArgs {
            collateral_amount: 1_000 * SOL,
            liabilities: 100_000 * USDC,
        },
    );
    let payer = m.f.payer.insecure_clone();
    assert_program_error(
        send(&mut m.f.env.svm, &[ix], &payer, &[&reporter]),
        BackstopError::OracleWrongOwner,
    );

    let after = vault_state(&m);
    assert!(after.breach.last_observed >= before.breach.last_observed);
    assert_eq!(after.totals, before.totals, "no rejection moved money");
}

/// A vault pinned to one collateral and one stablecoin account reads those and no other, in
/// every instruction that reads a price; the pinned accounts work as any update does.
#[test]
fn a_pinned_vault_reads_only_its_pinned_accounts() {
    // The push oracle's sponsored accounts: SOL/USD on shard 0, USDC/USD on shard 3.
    let (pinned, pinned_depeg) = (
        push_feed_address(0, &SOL_FEED),
        push_feed_address(3, &USDC_FEED),
    );
    let mut m = Market::with_settings(500_000 * USDC, 150, |a| {
        a.oracle.collateral_price_account = pinned;
        a.oracle.depeg_price_account = pinned_depeg;
        a.depeg_price_shard = 3;
    });
    let stored = vault_state(&m).oracle;
    assert_eq!(
        (stored.collateral_price_account, stored.depeg_price_account),
        (pinned, pinned_depeg)
    );
    // A genuine, fresh update of the right feed in another account.
    let other = m.price_account;
    let other_depeg = m.depeg_account;
    m.price_account = pinned;
    m.depeg_account = pinned_depeg;
    m.tick(1, 15_000);
    let keys = m.open_series(100, 30);
    let w = m.writer(100_000);

    let mut accounts = m.write_accounts(&w, keys);
    accounts.price_update = other;
    let ix = accounts.ix(backstop::instructions::WritePutArgs {
        size: SOL,
        min_premium: 0,
    });
    let signer = w.key.insecure_clone();
    assert_program_error(
        send(&mut m.f.env.svm, &[ix], &signer, &[]),
        BackstopError::PriceAccountNotPinned,
    );
    m.write(&w, keys, 100 * SOL, 0)
        .expect("write from the pinned account");

    // The view and an observation, each shown one account off the pins.
    m.price_account = other;
    assert_program_error(check_price(&mut m), BackstopError::PriceAccountNotPinned);
    assert_program_error(m.observe(), BackstopError::PriceAccountNotPinned);
    m.price_account = pinned;
    m.depeg_account = other_depeg;
    assert_program_error(m.observe(), BackstopError::PriceAccountNotPinned);
    m.depeg_account = pinned_depeg;

    // A crash seen through the pinned accounts confirms and releases; the same step shown
    // through another account is refused.
    let keeper = m.keeper();
    m.tick(10, 8_000);
    m.observe().expect("breach starts");
    m.tick(60, 8_000);
    let mut accounts = m.trigger_accounts(&keeper, keys);
    accounts.price_update = other;
    let ix = Market::trigger_ix(accounts);
    let payer = m.f.payer.insecure_clone();
    assert_program_error(
        send(&mut m.f.env.svm, &[ix], &payer, &[&keeper.key]),
        BackstopError::PriceAccountNotPinned,
    );
    m.trigger(&keeper, keys)
        .expect("released from the pinned account");
    assert!(token_balance(&m.f.env.svm, &m.f.recovery) > 0);

    // Settlement likewise.
    let series = m.f.env.svm.get_account(&keys.series).expect("series");
    let expiry = backstop::state::Series::try_deserialize(&mut series.data.as_slice())
        .expect("series data")
        .expiry;
    let wait = expiry - m.now() + 1;
    advance_seconds(&mut m.f.env.svm, wait);
    m.set_price_at(other, 8_000, expiry, expiry - 1);
    m.set_price_at(pinned, 8_000, expiry, expiry - 1);
    assert_program_error(m.settle(keys, other), BackstopError::PriceAccountNotPinned);
    m.settle(keys, pinned)
        .expect("settled from the pinned account");
}
