//! Builders shared by the LiteSVM integration tests in `tests/`: instruction constructors for
//! the backstop program and a ready-made environment with the program deployed.
pub mod bench;
pub mod breach;
pub mod delivery;
pub mod fuzz;
pub mod ladder;
pub mod lender;
pub mod matrix;
pub mod pricing;
pub mod series;
pub mod stack;
pub mod vault;

use anchor_lang::{
    prelude::Pubkey, solana_program::instruction::Instruction, InstructionData, ToAccountMetas,
};
use backstop::{constants::CONFIG_SEED, instructions::InitializeConfigArgs};
use backstop_harness::{
    funded_keypair, program_data_address, svm_with_program, Keypair, LiteSVM, Signer,
};

/// A LiteSVM running the built backstop `.so`, with a funded upgrade authority.
pub struct Env {
    pub svm: LiteSVM,
    pub upgrade_authority: Keypair,
}

impl Env {
    pub fn new() -> Self {
        let upgrade_authority = backstop_harness::new_keypair();
        let mut svm = svm_with_program("backstop", backstop::ID, &upgrade_authority.pubkey());
        svm.airdrop(
            &upgrade_authority.pubkey(),
            backstop_harness::DEFAULT_FUNDING,
        )
        .expect("airdrop");
        Self {
            svm,
            upgrade_authority,
        }
    }

    pub fn funded(&mut self) -> Keypair {
        funded_keypair(&mut self.svm)
    }
}

impl Default for Env {
    fn default() -> Self {
        Self::new()
    }
}

pub fn config_pda() -> Pubkey {
    Pubkey::find_program_address(&[CONFIG_SEED], &backstop::ID).0
}

pub fn event_authority() -> Pubkey {
    Pubkey::find_program_address(&[b"__event_authority"], &backstop::ID).0
}

pub fn initialize_config_ix(
    payer: &Pubkey,
    upgrade_authority: &Pubkey,
    args: InitializeConfigArgs,
) -> Instruction {
    Instruction {
        program_id: backstop::ID,
        accounts: backstop::accounts::InitializeConfig {
            payer: *payer,
            upgrade_authority: *upgrade_authority,
            config: config_pda(),
            program_data: program_data_address(&backstop::ID),
            system_program: anchor_lang::system_program::ID,
            event_authority: event_authority(),
            program: backstop::ID,
        }
        .to_account_metas(None),
        data: backstop::instruction::InitializeConfig { args }.data(),
    }
}
