use std::path::PathBuf;

use anchor_lang::{prelude::Pubkey, solana_program::instruction::Instruction};
use litesvm::{
    types::{FailedTransactionMetadata, TransactionMetadata},
    LiteSVM,
};
use solana_keypair::Keypair;
use solana_signer::Signer;
use solana_transaction::Transaction;

/// Lamports given to every keypair made by [`funded_keypair`]: 100 SOL.
pub const DEFAULT_FUNDING: u64 = 100_000_000_000;

/// Result of sending one transaction.
pub type TxResult = Result<TransactionMetadata, FailedTransactionMetadata>;

/// Where `scripts/build-sbf.sh` puts the `.so` files (override with `BACKSTOP_DEPLOY_DIR`).
pub fn deploy_dir() -> PathBuf {
    std::env::var_os("BACKSTOP_DEPLOY_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/deploy"))
        })
}

/// Reads `target/deploy/<name>.so`, failing with a hint when it has not been built.
pub fn read_program(name: &str) -> Vec<u8> {
    let path = deploy_dir().join(format!("{name}.so"));
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; build it first with scripts/build-sbf.sh",
            path.display()
        )
    })
}

/// A LiteSVM with the named program loaded through the upgradeable loader, its upgrade
/// authority set to `upgrade_authority` (LiteSVM itself leaves it empty).
pub fn svm_with_program(name: &str, program_id: Pubkey, upgrade_authority: &Pubkey) -> LiteSVM {
    let mut svm = LiteSVM::new();
    add_upgradeable_program(&mut svm, name, program_id, upgrade_authority);
    svm
}

/// Loads `target/deploy/<name>.so` at `program_id` and sets its upgrade authority.
pub fn add_upgradeable_program(
    svm: &mut LiteSVM,
    name: &str,
    program_id: Pubkey,
    upgrade_authority: &Pubkey,
) {
    svm.add_program(program_id, &read_program(name))
        .unwrap_or_else(|e| panic!("loading {name}.so: {e:?}"));
    set_upgrade_authority(svm, &program_id, Some(upgrade_authority));
}

/// The ProgramData address of an upgradeable program.
pub fn program_data_address(program_id: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(
        &[program_id.as_ref()],
        &anchor_lang::solana_program::bpf_loader_upgradeable::ID,
    )
    .0
}

/// Rewrites the upgrade authority in a program's ProgramData header (bincode
/// `ProgramData { slot: u64, upgrade_authority_address: Option<Pubkey> }` after a u32 tag).
pub fn set_upgrade_authority(svm: &mut LiteSVM, program_id: &Pubkey, authority: Option<&Pubkey>) {
    const OPTION_TAG: usize = 4 + 8;
    let address = program_data_address(program_id);
    let mut account = svm.get_account(&address).expect("program data account");
    let header = &mut account.data[OPTION_TAG..OPTION_TAG + 33];
    match authority {
        Some(key) => {
            header[0] = 1;
            header[1..].copy_from_slice(key.as_ref());
        }
        None => header.fill(0),
    }
    svm.set_account(address, account).expect("set program data");
}

/// A new keypair holding [`DEFAULT_FUNDING`] lamports.
pub fn funded_keypair(svm: &mut LiteSVM) -> Keypair {
    let kp = crate::new_keypair();
    svm.airdrop(&kp.pubkey(), DEFAULT_FUNDING).expect("airdrop");
    kp
}

/// Signs with `payer` plus `signers` (deduplicated) and sends. The blockhash is expired first
/// so identical transactions in one test are not rejected as duplicates.
pub fn send(
    svm: &mut LiteSVM,
    ixs: &[Instruction],
    payer: &Keypair,
    signers: &[&Keypair],
) -> TxResult {
    svm.expire_blockhash();
    let mut all: Vec<&Keypair> = vec![payer];
    for s in signers {
        if !all.iter().any(|k| k.pubkey() == s.pubkey()) {
            all.push(s);
        }
    }
    let tx = Transaction::new_signed_with_payer(
        ixs,
        Some(&payer.pubkey()),
        &all,
        svm.latest_blockhash(),
    );
    svm.send_transaction(tx)
}

/// Like [`send`], panicking with the program logs when the transaction fails.
pub fn send_ok(
    svm: &mut LiteSVM,
    ixs: &[Instruction],
    payer: &Keypair,
    signers: &[&Keypair],
) -> TransactionMetadata {
    match send(svm, ixs, payer, signers) {
        Ok(meta) => meta,
        Err(e) => panic!(
            "transaction failed: {:?}\n{}",
            e.err,
            e.meta.logs.join("\n")
        ),
    }
}

/// Lamports, owner and data of each of `keys` (`None`: no account): two equal results mean
/// nothing moved between them.
pub fn account_states(svm: &LiteSVM, keys: &[Pubkey]) -> Vec<Option<(u64, Pubkey, Vec<u8>)>> {
    keys.iter()
        .map(|k| svm.get_account(k).map(|a| (a.lamports, a.owner, a.data)))
        .collect()
}
