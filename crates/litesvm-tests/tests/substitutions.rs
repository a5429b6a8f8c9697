//! Accounts of another vault, another series or another mint, substituted into every
//! instruction that takes them: each refused with its exact error, nothing moved.
use anchor_lang::{error::ErrorCode as AnchorError, prelude::Pubkey};
use backstop::errors::BackstopError;
use backstop_harness::*;
use backstop_litesvm_tests::{series::*, vault::*};

const SOL: u64 = 1_000_000_000;
const OTHER_FEED: [u8; 32] = [0x11; 32];

/// A second vault of the same protocol and mint on another feed: its own reserve and recovery.
fn second_vault(m: &mut Market) -> CreateVaultAccounts {
    m.f.create_vault_on_feed(&OTHER_FEED)
}

#[test]
fn another_vaults_accounts_are_refused_by_every_series_instruction() {
    let mut m = Market::new(500_000 * USDC, 150);
    let keys = m.open_series(100, 2);
    let w = m.writer(50_000);
    m.write(&w, keys, 10 * SOL, 0).expect("write");
    let v2 = second_vault(&mut m);

    // write_put: the series belongs to the first vault.
    let mut write = m.write_accounts(&w, keys);
    (write.vault, write.reserve) = (v2.vault, v2.reserve);
    let ix = write.ix(backstop::instructions::WritePutArgs {
        size: SOL,
        min_premium: 0,
    });
    let payer = m.f.payer.insecure_clone();
    assert_program_error(
        send(&mut m.f.env.svm, &[ix], &payer, &[&w.key]),
        BackstopError::WrongVault,
    );

    // trigger: a confirmed breach on the first vault, cranked through the second.
    let keeper = m.keeper();
    m.tick(10, 8_000);
    m.observe().expect("observe");
    m.tick(61, 8_000);
    let mut trigger = m.trigger_accounts(&keeper, keys);
    (trigger.vault, trigger.reserve, trigger.recovery) = (v2.vault, v2.reserve, v2.recovery);
    let ix = Market::trigger_ix(trigger);
    assert_program_error(
        send(&mut m.f.env.svm, &[ix], &payer, &[&keeper.key]),
        BackstopError::WrongVault,
    );

    // settle_series, reclaim, close_series after expiry.
    let upd = Pubkey::new_unique();
    warp_to_timestamp(&mut m.f.env.svm, keys.expiry + 5);
    m.set_price_at(upd, 9_500, keys.expiry + 1, keys.expiry - 1);
    let mut settle = m.settle_accounts(keys, upd);
    (settle.vault, settle.recovery) = (v2.vault, v2.recovery);
    assert_program_error(m.settle_with(settle), BackstopError::WrongVault);
    m.settle(keys, upd).expect("settle");
    let mut reclaim = m.reclaim_accounts(keys, &w);
    reclaim.vault = v2.vault;
    assert_program_error(m.reclaim_with(reclaim), BackstopError::WrongVault);
    m.reclaim(keys, &w).expect("reclaim");
    let mut close = m.close_accounts(keys);
    (close.vault, close.reserve) = (v2.vault, v2.reserve);
    assert_program_error(m.close_with(close), BackstopError::WrongVault);
    m.close_with(m.close_accounts(keys)).expect("close");
}

#[test]
fn settle_and_close_reject_a_wrong_mint_and_close_checks_every_account() {
    let mut m = Market::new(500_000 * USDC, 150);
    let keys = m.open_series(100, 2);
    let other = m.open_series(90, 2);
    let w = m.writer(50_000);
    m.write(&w, keys, 10 * SOL, 0).expect("write");
    let payer = m.f.payer.insecure_clone();
    let other_mint = create_mint(&mut m.f.env.svm, &payer, &payer.pubkey(), QUOTE_DECIMALS);
    let upd = Pubkey::new_unique();
    warp_to_timestamp(&mut m.f.env.svm, keys.expiry + 5);
    m.set_price_at(upd, 9_500, keys.expiry + 1, keys.expiry - 1);

    let mut settle = m.settle_accounts(keys, upd);
    settle.quote_mint = other_mint;
    assert_program_error(m.settle_with(settle), BackstopError::WrongMint);
    let mut settle = m.settle_accounts(keys, upd);
    settle.put_mint = other.put_mint;
    assert_program_error(m.settle_with(settle), BackstopError::WrongSeriesAccount);
    m.settle(keys, upd).expect("settle");
    m.reclaim(keys, &w).expect("reclaim");

    let good = m.close_accounts(keys);
    let stranger_token = create_token_account(
        &mut m.f.env.svm,
        &payer,
        &m.f.quote_mint,
        &Pubkey::new_unique(),
    );
    let cases = [
        (
            backstop::accounts::CloseSeries {
                rent_receiver: w.key.pubkey(),
                ..good
            },
            BackstopError::WrongRentReceiver,
        ),
        (
            backstop::accounts::CloseSeries {
                quote_mint: other_mint,
                ..good
            },
            BackstopError::WrongMint,
        ),
        (
            backstop::accounts::CloseSeries {
                escrow: other.escrow,
                ..good
            },
            BackstopError::WrongSeriesAccount,
        ),
        (
            backstop::accounts::CloseSeries {
                holder: other.holder,
                ..good
            },
            BackstopError::WrongSeriesAccount,
        ),
        (
            backstop::accounts::CloseSeries {
                reserve: stranger_token,
                ..good
            },
            BackstopError::WrongReserveAccount,
        ),
    ];
    for (accounts, err) in cases {
        assert_program_error(m.close_with(accounts), err);
    }
    m.close_with(good).expect("close");
}

#[test]
fn create_vault_refuses_what_is_not_a_classic_spl_mint() {
    let mut f = VaultFixture::new();
    let (payer, protocol) = (f.payer.insecure_clone(), f.protocol.insecure_clone());
    // A token account where the mint should be: SPL's own unpack refuses its bytes.
    let token = f.protocol_token;
    let mut accounts = f.create.clone();
    accounts.quote_mint = token;
    accounts.vault = vault_pda(&protocol.pubkey(), &token, &SOL_FEED);
    accounts.reserve = reserve_pda(&accounts.vault);
    accounts.recovery = recovery_pda(&accounts.vault);
    let ix = accounts.ix(f.args());
    assert_tx_error(
        send(&mut f.env.svm, &[ix], &payer, &[&protocol]),
        TransactionError::InstructionError(0, InstructionError::InvalidAccountData),
    );
    // A Token-2022 mint (transfer fees and hooks would break the escrow accounting).
    let classic = f.env.svm.get_account(&f.quote_mint).expect("mint");
    let t22 = Pubkey::new_unique();
    write_raw_account(
        &mut f.env.svm,
        t22,
        classic.data.clone(),
        TOKEN_2022_PROGRAM_ID,
    );
    let mut accounts = f.create.clone();
    accounts.quote_mint = t22;
    accounts.vault = vault_pda(&protocol.pubkey(), &t22, &SOL_FEED);
    accounts.reserve = reserve_pda(&accounts.vault);
    accounts.recovery = recovery_pda(&accounts.vault);
    let ix = accounts.ix(f.args());
    assert_error_code(
        send(&mut f.env.svm, &[ix], &payer, &[&protocol]),
        AnchorError::AccountOwnedByWrongProgram.into(),
    );
}
