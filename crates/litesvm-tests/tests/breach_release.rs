//! Solvency triggers and automatic release on the built .so: each trigger kind fires when it
//! should and not on a single-observation spike; a release step pays the recovery account
//! exactly (the increase of what is owed at the held price), respects the epoch cap and costs
//! the same for 1 or 1,000 writers.
use anchor_lang::{error::ErrorCode as AnchorError, prelude::Pubkey, AccountDeserialize};
use backstop::{
    errors::BackstopError,
    events::{BreachObserved, CapitalReleased},
    instructions::ReportSolvencyArgs,
    state::{BreachTransition, Series, Vault},
};
use backstop_harness::*;
use backstop_litesvm_tests::{series::*, vault::*};

const SOL: u64 = 1_000_000_000;

fn read<T: AccountDeserialize>(svm: &LiteSVM, key: &Pubkey) -> T {
    let acc = svm.get_account(key).expect("account exists");
    T::try_deserialize(&mut acc.data.as_slice()).expect("account data")
}

fn transition(meta: &TransactionMetadata) -> BreachTransition {
    cpi_events::<BreachObserved>(meta)
        .last()
        .expect("BreachObserved")
        .transition
}

/// A market at $150 with one $100 series and one writer of 100 SOL.
fn written_market() -> (Market, SeriesKeys, Writer) {
    let mut m = Market::new(500_000 * USDC, 150);
    let keys = m.open_series(100, 30);
    let w = m.writer(100_000);
    m.write(&w, keys, 100 * SOL, 0).expect("write");
    (m, keys, w)
}

#[test]
fn barrier_breach_confirms_only_after_persistence_and_releases_exactly() {
    let (mut m, keys, w) = written_market();
    let keeper = m.keeper();
    let total = |m: &Market| {
        [
            m.f.reserve(),
            keys.escrow,
            m.f.recovery,
            w.token,
            keeper.token,
        ]
        .iter()
        .map(|k| token_balance(&m.f.env.svm, k))
        .sum::<u64>()
    };
    let before = total(&m);

    // $150 -> $85 (barrier $90): first sighting starts the clock.
    m.tick(10, 8_500);
    assert_eq!(
        transition(&m.observe().expect("observe")),
        BreachTransition::Started
    );
    assert_program_error(m.trigger(&keeper, keys), BackstopError::BreachNotConfirmed);
    m.tick(30, 8_500);
    assert_eq!(
        transition(&m.observe().expect("observe")),
        BreachTransition::StillPending
    );
    m.tick(30, 8_500);
    let meta = m
        .trigger(&keeper, keys)
        .expect("trigger confirms and releases");
    println!(
        "trigger (1 writer): {} compute units",
        meta.compute_units_consumed
    );
    assert_eq!(transition(&meta), BreachTransition::Confirmed);

    // 100 puts at K = $100, held at $85: $1,500 advanced to the recovery account; tip paid;
    // the puts stay (an advance is not final before expiry).
    let ev = cpi_events::<CapitalReleased>(&meta);
    assert_eq!(
        (ev[0].held_price, ev[0].owed, ev[0].payout, ev[0].advanced),
        (85 * PRICE_ONE, 1_500 * USDC, 1_500 * USDC, 1_500 * USDC)
    );
    assert_eq!(ev[0].keeper_tip, 5 * USDC);
    assert_eq!(token_balance(&m.f.env.svm, &m.f.recovery), 1_500 * USDC);
    assert_eq!(
        token_balance(&m.f.env.svm, &keys.escrow),
        10_000 * USDC - 1_500 * USDC
    );
    assert_eq!(token_balance(&m.f.env.svm, &keys.holder), 100 * SOL);
    assert_eq!(mint_supply(&m.f.env.svm, &keys.put_mint), 100 * SOL);
    assert_eq!(token_balance(&m.f.env.svm, &keeper.token), 5 * USDC);
    assert_eq!(total(&m), before, "every token accounted for");
    let s: Series = read(&m.f.env.svm, &keys.series);
    assert_eq!((s.advanced, s.payout_total), (1_500 * USDC, 1_500 * USDC));
    let v: Vault = read(&m.f.env.svm, &m.f.vault());
    assert_eq!(
        (v.totals.released, v.totals.tips_paid),
        (1_500 * USDC, 5 * USDC)
    );
    assert_eq!(v.totals.escrowed, 8_500 * USDC);

    // In the same slot of the release grid nothing more can step; at the same held price in
    // the next slot nothing more is owed, and no tip is paid for nothing.
    m.tick(1, 8_500);
    assert_program_error(
        m.trigger(&keeper, keys),
        BackstopError::ReleaseIntervalNotElapsed,
    );
    m.tick(60, 8_500);
    assert_program_error(m.trigger(&keeper, keys), BackstopError::NothingToRelease);
    assert_eq!(token_balance(&m.f.env.svm, &keeper.token), 5 * USDC);
    // Writing is frozen while the breach lasts, and after it on a series that advanced.
    let late = m.writer(10_000);
    assert_program_error(m.write(&late, keys, SOL, 0), BackstopError::WritingFrozen);
    m.tick(10, 15_000);
    assert_eq!(
        transition(&m.observe().expect("observe")),
        BreachTransition::Cleared
    );
    assert_program_error(m.write(&late, keys, SOL, 0), BackstopError::SeriesAdvanced);
}

#[test]
fn a_single_observation_spike_never_triggers() {
    let (mut m, keys, _w) = written_market();
    let keeper = m.keeper();
    m.tick(10, 8_000);
    assert_eq!(
        transition(&m.observe().expect("observe")),
        BreachTransition::Started
    );
    m.tick(30, 15_000); // recovered before the persistence window ended
    assert_eq!(
        transition(&m.observe().expect("observe")),
        BreachTransition::Cleared
    );
    m.tick(45, 8_000); // 85 s after the first sighting, but the clock restarted
    assert_program_error(m.trigger(&keeper, keys), BackstopError::BreachNotConfirmed);
    assert_eq!(token_balance(&m.f.env.svm, &m.f.recovery), 0);
}

#[test]
fn an_older_update_cannot_reset_a_pending_breach() {
    let (mut m, _keys, _w) = written_market();
    m.tick(10, 8_000);
    m.observe().expect("observe");
    // Re-post a healthy update published before the one already observed.
    let stale = PriceUpdate::new(SOL_FEED, 150 * 100_000_000, 5_000_000, -8, m.now() - 5);
    write_price_update(&mut m.f.env.svm, m.price_account, &stale);
    assert_program_error(m.observe(), BackstopError::OracleOutdated);
    let v: Vault = read(&m.f.env.svm, &m.f.vault());
    assert_ne!(v.breach.first_seen, 0, "still pending");
}

#[test]
fn joint_collateral_drop_and_depeg_triggers() {
    let (mut m, keys, _w) = written_market();
    let keeper = m.keeper();
    // $95: above the $90 barrier, below the $120 joint level, with USDC at $0.96.
    m.tick(10, 9_500);
    m.set_depeg_price(96_000_000);
    assert_eq!(
        transition(&m.observe().expect("observe")),
        BreachTransition::Started
    );
    m.tick(61, 9_500);
    m.set_depeg_price(96_000_000);
    let meta = m.trigger(&keeper, keys).expect("joint trigger releases");
    assert_eq!(transition(&meta), BreachTransition::Confirmed);
    assert_eq!(token_balance(&m.f.env.svm, &m.f.recovery), 500 * USDC); // ($100 - $95) x 100

    // A healthy stablecoin update older than one already observed cannot clear the breach:
    // it is no information for the joint trigger.
    m.tick(5, 9_500);
    let now = m.now();
    let old = PriceUpdate::new(USDC_FEED, 100_000_000, 10_000, -8, now - 10);
    write_price_update(&mut m.f.env.svm, m.depeg_account, &old);
    assert_eq!(
        transition(&m.observe().expect("observe")),
        BreachTransition::NoInformation
    );
    let v: Vault = read(&m.f.env.svm, &m.f.vault());
    assert!(v.breach_confirmed(m.now()), "still confirmed");

    // The same drop without a depeg is no breach; omitting the stablecoin account decides
    // nothing either way (it neither starts nor clears a breach).
    let (mut m, _keys, _w) = written_market();
    m.tick(10, 9_500);
    assert_eq!(
        transition(&m.observe().expect("observe")),
        BreachTransition::StillHealthy
    );
    let mut ix = m.observe_ix();
    ix.accounts[2].pubkey = backstop::ID; // Anchor's "None" for an optional account
    let payer = m.f.payer.insecure_clone();
    let meta = send_ok(&mut m.f.env.svm, &[ix], &payer, &[]);
    assert_eq!(transition(&meta), BreachTransition::NoInformation);
}

#[test]
fn reported_solvency_ratio_triggers_and_only_the_reporter_may_report() {
    let (mut m, keys, _w) = written_market();
    let keeper = m.keeper();
    let reporter = m.f.reporter.insecure_clone();
    let payer = m.f.payer.insecure_clone();
    // 1,000 SOL at $150 against $140,000 of debt: 107 % < 110 %.
    let args = ReportSolvencyArgs {
        collateral_amount: 1_000 * SOL,
        liabilities: 140_000 * USDC,
    };
    m.tick(10, 15_000);
    let ix = m.report_ix(&reporter.pubkey(), args);
    let meta = send_ok(&mut m.f.env.svm, &[ix], &payer, &[&reporter]);
    assert_eq!(transition(&meta), BreachTransition::Started);
    let ev = cpi_events::<backstop::events::SolvencyReported>(&meta);
    assert_eq!(ev[0].ratio_bps, 10_714);

    // Wrong reporter and a missing signature.
    let impostor = m.f.env.funded();
    let ix = m.report_ix(&impostor.pubkey(), args);
    assert_program_error(
        send(&mut m.f.env.svm, &[ix], &payer, &[&impostor]),
        BackstopError::NotReporter,
    );
    let mut ix = m.report_ix(&reporter.pubkey(), args);
    ix.accounts[0].is_signer = false;
    assert_error_code(
        send(&mut m.f.env.svm, &[ix], &payer, &[]),
        AnchorError::AccountNotSigner.into(),
    );

    // At $150 the series (K = $100) is out of the money: the breach confirms, nothing releases.
    m.tick(61, 15_000);
    assert_program_error(m.trigger(&keeper, keys), BackstopError::NotInTheMoney);
    // A dip to $99 is a wick while the $150 seen at the report is in the window: the step
    // waits until $99 has held for the whole window, then pays $1 x 100.
    m.tick(1, 9_900);
    assert_program_error(m.trigger(&keeper, keys), BackstopError::NotInTheMoney);
    let first_dip = m.now();
    let meta = loop {
        // A failed trigger records nothing: the keeper observes on its own to keep the breach.
        m.tick(30, 9_900);
        m.observe().expect("observe");
        match m.trigger(&keeper, keys) {
            Ok(meta) => break meta,
            Err(e) => {
                assert_eq!(
                    custom_error_code(&e),
                    Some(BackstopError::NotInTheMoney.into())
                );
                assert!(m.now() - first_dip < 300, "the step never came");
            }
        }
    };
    // The $150 sighting was at first_dip - 62: it leaves the window (2 x 60 + 60 s, in 23 s
    // buckets) no earlier than 180 s after it.
    assert!(m.now() - (first_dip - 62) >= 180);
    assert_eq!(cpi_events::<CapitalReleased>(&meta)[0].payout, 100 * USDC);
}

#[test]
fn trigger_rejects_missing_signer_wrong_mint_and_substituted_accounts() {
    let (mut m, keys, _w) = written_market();
    let keeper = m.keeper();
    m.tick(10, 8_000);
    m.observe().expect("observe");
    m.tick(61, 8_000);
    m.observe().expect("confirm");
    let payer = m.f.payer.insecure_clone();
    let good = m.trigger_accounts(&keeper, keys);

    let mut ix = Market::trigger_ix(good);
    ix.accounts[0].is_signer = false;
    assert_error_code(
        send(&mut m.f.env.svm, &[ix], &payer, &[]),
        AnchorError::AccountNotSigner.into(),
    );

    let other_mint = create_mint(
        &mut m.f.env.svm,
        &payer,
        &Pubkey::new_unique(),
        QUOTE_DECIMALS,
    );
    let other = create_token_account(&mut m.f.env.svm, &payer, &other_mint, &keeper.key.pubkey());
    // A quote-mint account that is none of the vault's (the keeper's own would be rejected
    // earlier by Anchor as a duplicate mutable account).
    let stranger = create_token_account(
        &mut m.f.env.svm,
        &payer,
        &m.f.quote_mint,
        &Pubkey::new_unique(),
    );
    let other_series = m.open_series(90, 30);
    let cases: Vec<(backstop::accounts::Trigger, BackstopError)> = vec![
        (
            backstop::accounts::Trigger {
                keeper_token: other,
                ..good
            },
            BackstopError::WrongMint,
        ),
        (
            backstop::accounts::Trigger {
                quote_mint: other_mint,
                ..good
            },
            BackstopError::WrongMint,
        ),
        (
            backstop::accounts::Trigger {
                recovery: stranger,
                ..good
            },
            BackstopError::WrongRecoveryAccount,
        ),
        (
            backstop::accounts::Trigger {
                reserve: stranger,
                ..good
            },
            BackstopError::WrongReserveAccount,
        ),
        (
            backstop::accounts::Trigger {
                escrow: other_series.escrow,
                ..good
            },
            BackstopError::WrongSeriesAccount,
        ),
    ];
    for (accounts, err) in cases {
        let ix = Market::trigger_ix(accounts);
        assert_program_error(send(&mut m.f.env.svm, &[ix], &payer, &[&keeper.key]), err);
    }
    let mut wrong = good;
    let fake = Pubkey::new_unique();
    let update = PriceUpdate::new(SOL_FEED, 8_000_000_000, 5_000_000, -8, m.now());
    write_price_update_with_owner(&mut m.f.env.svm, fake, &update, Pubkey::new_unique());
    wrong.price_update = fake;
    let ix = Market::trigger_ix(wrong);
    assert_program_error(
        send(&mut m.f.env.svm, &[ix], &payer, &[&keeper.key]),
        BackstopError::OracleWrongOwner,
    );
    assert_eq!(token_balance(&m.f.env.svm, &m.f.recovery), 0);
}

#[test]
fn release_is_capped_per_epoch_and_resumes_next_epoch() {
    let mut f = VaultFixture::new();
    let mut args = f.args();
    args.release.cap_per_epoch = 600 * USDC;
    args.release.keeper_tip = 0;
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
    let keys = m.open_series(100, 30);
    let w = m.writer(100_000);
    m.write(&w, keys, 100 * SOL, 0).expect("write");
    let keeper = m.keeper();

    m.tick(10, 8_000); // $20 per unit in the money: $2,000 owed, $600 per epoch
    m.observe().expect("observe");
    m.tick(61, 8_000);
    let ev = cpi_events::<CapitalReleased>(&m.trigger(&keeper, keys).expect("first epoch"));
    assert_eq!((ev[0].owed, ev[0].payout), (2_000 * USDC, 600 * USDC));
    m.tick(60, 8_000);
    assert_program_error(m.trigger(&keeper, keys), BackstopError::ReleaseCapReached);
    // The keeper keeps the breach observed through the epoch; the next epoch pays on.
    for _ in 0..60 {
        m.tick(60, 8_000);
        m.observe().expect("observe");
    }
    let ev = cpi_events::<CapitalReleased>(&m.trigger(&keeper, keys).expect("next epoch"));
    assert_eq!((ev[0].payout, ev[0].advanced), (600 * USDC, 1_200 * USDC));
    let s: Series = read(&m.f.env.svm, &keys.series);
    assert_eq!((s.advanced, s.payout_total), (1_200 * USDC, 1_200 * USDC));
    assert_eq!(token_balance(&m.f.env.svm, &m.f.recovery), 1_200 * USDC);
}

#[test]
fn release_cost_does_not_grow_with_writers() {
    let mut cu = vec![];
    for writers in [1usize, 1_000] {
        let mut m = Market::new(500_000 * USDC, 150);
        let keys = m.open_series(100, 30);
        // 10 SOL each: even one writer's step ($200) earns the tip, so both runs do the same.
        for _ in 0..writers {
            let w = m.quick_writer(2_000);
            m.write(&w, keys, 10 * SOL, 0).expect("write");
        }
        let keeper = m.keeper();
        m.tick(10, 8_000);
        m.observe().expect("observe");
        m.tick(61, 8_000);
        let meta = m.trigger(&keeper, keys).expect("trigger");
        let ev = cpi_events::<CapitalReleased>(&meta);
        assert_eq!(ev[0].payout, writers as u64 * 200 * USDC);
        assert_eq!(ev[0].keeper_tip, 5 * USDC);
        println!(
            "trigger with {writers} writers: {} compute units",
            meta.compute_units_consumed
        );
        cu.push(meta.compute_units_consumed as f64);
    }
    assert!(
        (cu[1] - cu[0]).abs() <= 0.05 * cu[0],
        "release CU {cu:?} differ by more than 5 %"
    );
}

#[test]
fn ratio_and_joint_spikes_do_not_confirm() {
    // Ratio: one bad report, then a healthy one before the window ends.
    let (mut m, keys, _w) = written_market();
    let keeper = m.keeper();
    let reporter = m.f.reporter.insecure_clone();
    let payer = m.f.payer.insecure_clone();
    let bad = ReportSolvencyArgs {
        collateral_amount: 1_000 * SOL,
        liabilities: 140_000 * USDC,
    };
    let good = ReportSolvencyArgs {
        collateral_amount: 1_000 * SOL,
        liabilities: 80_000 * USDC,
    }; // 124 %
    m.tick(10, 9_900);
    let ix = m.report_ix(&reporter.pubkey(), bad);
    assert_eq!(
        transition(&send_ok(&mut m.f.env.svm, &[ix], &payer, &[&reporter])),
        BreachTransition::Started
    );
    m.tick(30, 9_900);
    let ix = m.report_ix(&reporter.pubkey(), good);
    assert_eq!(
        transition(&send_ok(&mut m.f.env.svm, &[ix], &payer, &[&reporter])),
        BreachTransition::Cleared
    );
    m.tick(45, 9_900);
    assert_program_error(m.trigger(&keeper, keys), BackstopError::BreachNotConfirmed);

    // Joint: a depeg that lasts one observation.
    let (mut m, keys, _w) = written_market();
    let keeper = m.keeper();
    m.tick(10, 9_500);
    m.set_depeg_price(96_000_000);
    assert_eq!(
        transition(&m.observe().expect("observe")),
        BreachTransition::Started
    );
    m.tick(30, 9_500); // USDC back at $1.00
    assert_eq!(
        transition(&m.observe().expect("observe")),
        BreachTransition::Cleared
    );
    m.tick(45, 9_500);
    m.set_depeg_price(96_000_000);
    assert_program_error(m.trigger(&keeper, keys), BackstopError::BreachNotConfirmed);
    assert_eq!(token_balance(&m.f.env.svm, &m.f.recovery), 0);
}

fn withdraw_recovery_ix(
    m: &Market,
    authority: &Pubkey,
    recovery: Pubkey,
    destination: Pubkey,
    quote_mint: Pubkey,
    amount: u64,
) -> anchor_lang::solana_program::instruction::Instruction {
    use anchor_lang::{InstructionData, ToAccountMetas};
    anchor_lang::solana_program::instruction::Instruction {
        program_id: backstop::ID,
        accounts: backstop::accounts::WithdrawRecovery {
            authority: *authority,
            vault: m.f.vault(),
            recovery,
            destination,
            quote_mint,
            token_program: TOKEN_PROGRAM_ID,
            event_authority: backstop_litesvm_tests::event_authority(),
            program: backstop::ID,
        }
        .to_account_metas(None),
        data: backstop::instruction::WithdrawRecovery { amount }.data(),
    }
}

#[test]
fn only_the_vault_authority_draws_released_capital() {
    let (mut m, keys, _w) = written_market();
    let keeper = m.keeper();
    m.tick(10, 8_500);
    m.observe().expect("observe");
    m.tick(61, 8_500);
    m.trigger(&keeper, keys).expect("release");
    assert_eq!(token_balance(&m.f.env.svm, &m.f.recovery), 1_500 * USDC);
    let (payer, protocol) = (m.f.payer.insecure_clone(), m.f.protocol.insecure_clone());
    let (recovery, mint, dest) = (m.f.recovery, m.f.quote_mint, m.f.protocol_token);

    let thief = m.keeper();
    let ix = withdraw_recovery_ix(&m, &thief.key.pubkey(), recovery, thief.token, mint, USDC);
    assert_program_error(
        send(&mut m.f.env.svm, &[ix], &payer, &[&thief.key]),
        BackstopError::NotVaultAuthority,
    );
    let mut ix = withdraw_recovery_ix(&m, &protocol.pubkey(), recovery, dest, mint, USDC);
    ix.accounts[0].is_signer = false;
    assert_error_code(
        send(&mut m.f.env.svm, &[ix], &payer, &[]),
        AnchorError::AccountNotSigner.into(),
    );
    let other_mint = create_mint(
        &mut m.f.env.svm,
        &payer,
        &Pubkey::new_unique(),
        QUOTE_DECIMALS,
    );
    let foreign = create_token_account(&mut m.f.env.svm, &payer, &other_mint, &protocol.pubkey());
    let ix = withdraw_recovery_ix(&m, &protocol.pubkey(), recovery, foreign, mint, USDC);
    assert_program_error(
        send(&mut m.f.env.svm, &[ix], &payer, &[&protocol]),
        BackstopError::WrongMint,
    );
    let ix = withdraw_recovery_ix(&m, &protocol.pubkey(), recovery, dest, other_mint, USDC);
    assert_program_error(
        send(&mut m.f.env.svm, &[ix], &payer, &[&protocol]),
        BackstopError::WrongMint,
    );
    let ix = withdraw_recovery_ix(&m, &protocol.pubkey(), m.f.reserve(), dest, mint, USDC);
    assert_program_error(
        send(&mut m.f.env.svm, &[ix], &payer, &[&protocol]),
        BackstopError::WrongRecoveryAccount,
    );
    let ix = withdraw_recovery_ix(
        &m,
        &protocol.pubkey(),
        recovery,
        dest,
        mint,
        1_500 * USDC + 1,
    );
    assert_program_error(
        send(&mut m.f.env.svm, &[ix], &payer, &[&protocol]),
        BackstopError::InsufficientRecovery,
    );

    let before = token_balance(&m.f.env.svm, &dest);
    let ix = withdraw_recovery_ix(&m, &protocol.pubkey(), recovery, dest, mint, 1_500 * USDC);
    send_ok(&mut m.f.env.svm, &[ix], &payer, &[&protocol]);
    assert_eq!(token_balance(&m.f.env.svm, &dest) - before, 1_500 * USDC);
    assert_eq!(token_balance(&m.f.env.svm, &m.f.recovery), 0);
}
