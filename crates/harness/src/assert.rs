use anchor_lang::error::ERROR_CODE_OFFSET;
use litesvm::types::FailedTransactionMetadata;
use solana_instruction_error::InstructionError;
use solana_transaction_error::TransactionError;

use crate::TxResult;

/// The custom program error code of a failed transaction, if it failed with one.
pub fn custom_error_code(err: &FailedTransactionMetadata) -> Option<u32> {
    match &err.err {
        TransactionError::InstructionError(_, InstructionError::Custom(code)) => Some(*code),
        _ => None,
    }
}

/// Asserts that `result` failed with exactly custom error `code` (an Anchor framework code such
/// as 3010, or `ERROR_CODE_OFFSET + n` for the program's own errors), and returns the failure.
#[track_caller]
pub fn assert_error_code(result: TxResult, code: u32) -> FailedTransactionMetadata {
    match result {
        Ok(meta) => panic!(
            "expected error {code}, transaction succeeded:\n{}",
            meta.logs.join("\n")
        ),
        Err(e) => {
            assert_eq!(
                custom_error_code(&e),
                Some(code),
                "wrong error {:?} (wanted custom {code})\n{}",
                e.err,
                e.meta.logs.join("\n")
            );
            e
        }
    }
}

/// Asserts that `result` failed with the program error `err` (e.g. `BackstopError::NotAdmin`).
#[track_caller]
pub fn assert_program_error(result: TxResult, err: impl Into<u32>) -> FailedTransactionMetadata {
    assert_error_code(result, err.into())
}

/// Asserts that `result` failed with the given `TransactionError` (non-custom failures, such
/// as a missing signature).
#[track_caller]
pub fn assert_tx_error(result: TxResult, expected: TransactionError) -> FailedTransactionMetadata {
    match result {
        Ok(meta) => panic!(
            "expected {expected:?}, transaction succeeded:\n{}",
            meta.logs.join("\n")
        ),
        Err(e) => {
            assert_eq!(e.err, expected, "logs:\n{}", e.meta.logs.join("\n"));
            e
        }
    }
}

/// Offset of the program's own error codes (6000).
pub const PROGRAM_ERROR_OFFSET: u32 = ERROR_CODE_OFFSET;
