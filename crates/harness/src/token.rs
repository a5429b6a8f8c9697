use anchor_lang::prelude::Pubkey;
use litesvm::LiteSVM;
use solana_keypair::Keypair;
use solana_program_pack::Pack;
use solana_signer::Signer;
use spl_token_interface::state::{Account as TokenAccount, Mint};

use crate::send_ok;

/// The classic SPL token program id.
pub const TOKEN_PROGRAM_ID: Pubkey = spl_token_interface::ID;
/// Token-2022: mints it owns are refused by the program (fees and hooks break escrow math).
pub const TOKEN_2022_PROGRAM_ID: Pubkey =
    Pubkey::from_str_const("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");

/// Creates an SPL mint with `decimals`, `authority` as its mint authority, through the real
/// token program.
pub fn create_mint(svm: &mut LiteSVM, payer: &Keypair, authority: &Pubkey, decimals: u8) -> Pubkey {
    let mint = crate::new_keypair();
    let rent = svm.minimum_balance_for_rent_exemption(Mint::LEN);
    let ixs = [
        solana_system_interface::instruction::create_account(
            &payer.pubkey(),
            &mint.pubkey(),
            rent,
            Mint::LEN as u64,
            &TOKEN_PROGRAM_ID,
        ),
        spl_token_interface::instruction::initialize_mint2(
            &TOKEN_PROGRAM_ID,
            &mint.pubkey(),
            authority,
            None,
            decimals,
        )
        .expect("initialize_mint2"),
    ];
    send_ok(svm, &ixs, payer, &[&mint]);
    mint.pubkey()
}

/// Creates a token account for `mint` owned by `owner` (a fresh keypair address, not an ATA).
pub fn create_token_account(
    svm: &mut LiteSVM,
    payer: &Keypair,
    mint: &Pubkey,
    owner: &Pubkey,
) -> Pubkey {
    let account = crate::new_keypair();
    let rent = svm.minimum_balance_for_rent_exemption(TokenAccount::LEN);
    let ixs = [
        solana_system_interface::instruction::create_account(
            &payer.pubkey(),
            &account.pubkey(),
            rent,
            TokenAccount::LEN as u64,
            &TOKEN_PROGRAM_ID,
        ),
        spl_token_interface::instruction::initialize_account3(
            &TOKEN_PROGRAM_ID,
            &account.pubkey(),
            mint,
            owner,
        )
        .expect("initialize_account3"),
    ];
    send_ok(svm, &ixs, payer, &[&account]);
    account.pubkey()
}

/// Mints `amount` base units of `mint` into `to`; `authority` must be the mint authority.
pub fn mint_to(
    svm: &mut LiteSVM,
    payer: &Keypair,
    mint: &Pubkey,
    authority: &Keypair,
    to: &Pubkey,
    amount: u64,
) {
    let ix = spl_token_interface::instruction::mint_to(
        &TOKEN_PROGRAM_ID,
        mint,
        to,
        &authority.pubkey(),
        &[],
        amount,
    )
    .expect("mint_to");
    send_ok(svm, &[ix], payer, &[authority]);
}

/// The balance of a token account, in base units.
pub fn token_balance(svm: &LiteSVM, account: &Pubkey) -> u64 {
    let acc = svm.get_account(account).expect("token account exists");
    TokenAccount::unpack(&acc.data)
        .expect("token account data")
        .amount
}

/// The supply of a mint, in base units.
pub fn mint_supply(svm: &LiteSVM, mint: &Pubkey) -> u64 {
    let acc = svm.get_account(mint).expect("mint exists");
    Mint::unpack(&acc.data).expect("mint data").supply
}

/// A plain SPL `transfer` of `amount` from `from` to `to`, signed by `owner`.
pub fn spl_transfer(
    from: &Pubkey,
    to: &Pubkey,
    owner: &Pubkey,
    amount: u64,
) -> anchor_lang::solana_program::instruction::Instruction {
    spl_token_interface::instruction::transfer(&TOKEN_PROGRAM_ID, from, to, owner, &[], amount)
        .expect("transfer")
}

/// Writes a token account holding `amount` of `mint` for `owner` straight into the SVM (no
/// transaction): for tests that need many funded accounts quickly. The mint's supply is not
/// changed, so conservation checks must count from these balances.
pub fn set_token_account(svm: &mut LiteSVM, mint: &Pubkey, owner: &Pubkey, amount: u64) -> Pubkey {
    let address = Pubkey::new_unique();
    let state = TokenAccount {
        mint: *mint,
        owner: *owner,
        amount,
        state: spl_token_interface::state::AccountState::Initialized,
        ..TokenAccount::default()
    };
    let mut data = vec![0u8; TokenAccount::LEN];
    TokenAccount::pack(state, &mut data).expect("pack token account");
    let lamports = svm.minimum_balance_for_rent_exemption(TokenAccount::LEN);
    let account = solana_account::Account {
        lamports,
        data,
        owner: TOKEN_PROGRAM_ID,
        executable: false,
        rent_epoch: 0,
    };
    svm.set_account(address, account)
        .expect("set token account");
    address
}

/// A keypair funded by writing its system account directly (no airdrop transaction).
pub fn keypair_with_lamports(svm: &mut LiteSVM, lamports: u64) -> Keypair {
    let kp = crate::new_keypair();
    let account = solana_account::Account {
        lamports,
        data: vec![],
        owner: anchor_lang::system_program::ID,
        executable: false,
        rent_epoch: 0,
    };
    svm.set_account(kp.pubkey(), account)
        .expect("set system account");
    kp
}
