//! LiteSVM helpers for Backstop's Rust integration tests: load the built `.so` files, fund
//! keypairs, create SPL mints and token accounts, warp the clock, write Pyth `PriceUpdateV2`
//! accounts, send transactions and decode Anchor events and errors.
//!
//! Nothing here mocks the program: tests run the real SBPF binary built by
//! `scripts/build-sbf.sh`.
mod assert;
mod clock;
mod events;
mod keys;
mod pyth;
mod svm;
mod token;

pub use assert::*;
pub use clock::*;
pub use events::*;
pub use keys::*;
pub use pyth::*;
pub use svm::*;
pub use token::*;

pub use litesvm::{
    types::{FailedTransactionMetadata, TransactionMetadata},
    LiteSVM,
};
pub use solana_instruction_error::InstructionError;
pub use solana_keypair::Keypair;
pub use solana_signer::Signer;
pub use solana_transaction::Transaction;
pub use solana_transaction_error::TransactionError;
