//! The substitution matrix: for every instruction and every account it takes (read from the
//! committed IDL, so a new instruction or account fails this test until it has rows), the
//! attacks that apply to it — missing signer, wrong authority, wrong account type, foreign
//! owner, wrong or non-canonical PDA, wrong mint, token account of the wrong owner, fake
//! program, duplicate writable account, forged runtime account — each refused with its exact
//! error and nothing changed.
use std::collections::{BTreeMap, BTreeSet};

use anchor_lang::{error::ErrorCode as A, prelude::Pubkey};
use backstop::errors::BackstopError as B;
use backstop_harness::*;
use backstop_litesvm_tests::matrix::{Ready, World};

#[derive(Clone, Copy, Debug)]
enum Attack {
    /// The account is passed without its signature.
    NotSigner,
    /// A stranger signs in its place.
    OtherSigner,
    /// The same bytes, owned by another program.
    ForeignOwner,
    /// The same bytes and owner at another address (a forged runtime account).
    ForgedCopy,
    /// A named alternative from the world (another vault's, mint's, series', a stranger's).
    Sub(&'static str),
    /// The key of another account of the same instruction (wrong type, or a duplicate).
    Slot(&'static str),
    /// A fresh address with no account behind it.
    Random,
}

#[derive(Clone, Debug)]
enum Expect {
    Anchor(A),
    Program(B),
    /// A runtime error before or after the program's own checks (`InstructionError` variant).
    Runtime(InstructionError),
}

impl Expect {
    fn describe(&self) -> String {
        match self.clone() {
            Expect::Anchor(e) => u32::from(e).to_string(),
            Expect::Program(e) => u32::from(e).to_string(),
            Expect::Runtime(e) => format!("{:?}", TransactionError::InstructionError(0, e)),
        }
    }
}

use Attack::*;
use Expect::{Anchor as An, Program as Pr, Runtime as Rt};

type Row = (&'static str, &'static str, Attack, Expect);

/// Accounts every Anchor instruction with events takes, with their attacks.
fn common_rows(ix: &'static str, accounts: &[String]) -> Vec<Row> {
    let mut rows = vec![];
    for a in accounts {
        match a.as_str() {
            "event_authority" => {
                rows.push((ix, "event_authority", Random, An(A::ConstraintAddress)))
            }
            // Not checked on entry: the event's self-CPI cannot find the program and the whole
            // transaction reverts.
            "program" => rows.push((ix, "program", Random, Rt(InstructionError::MissingAccount))),
            "token_program" => rows.push((
                ix,
                "token_program",
                Sub("token2022"),
                An(A::InvalidProgramId),
            )),
            "system_program" => rows.push((ix, "system_program", Random, An(A::InvalidProgramId))),
            _ => {}
        }
    }
    rows
}

/// The instruction-specific rows.
fn rows() -> Vec<Row> {
    vec![
        // initialize_config: only the upgrade authority, only the canonical config.
        (
            "initialize_config",
            "payer",
            NotSigner,
            An(A::AccountNotSigner),
        ),
        (
            "initialize_config",
            "upgrade_authority",
            NotSigner,
            An(A::AccountNotSigner),
        ),
        (
            "initialize_config",
            "upgrade_authority",
            OtherSigner,
            Pr(B::NotUpgradeAuthority),
        ),
        (
            "initialize_config",
            "config",
            Sub("noncanon.config"),
            An(A::ConstraintSeeds),
        ),
        (
            "initialize_config",
            "config",
            Random,
            An(A::ConstraintSeeds),
        ),
        (
            "initialize_config",
            "program_data",
            ForgedCopy,
            Pr(B::InvalidProgramData),
        ),
        // The ProgramData is read by hand: its own error for every failed check (address,
        // owner, layout).
        (
            "initialize_config",
            "program_data",
            ForeignOwner,
            Pr(B::InvalidProgramData),
        ),
        // create_vault
        ("create_vault", "payer", NotSigner, An(A::AccountNotSigner)),
        (
            "create_vault",
            "authority",
            NotSigner,
            An(A::AccountNotSigner),
        ),
        (
            "create_vault",
            "authority",
            OtherSigner,
            An(A::ConstraintSeeds),
        ),
        (
            "create_vault",
            "config",
            ForeignOwner,
            An(A::AccountOwnedByWrongProgram),
        ),
        (
            "create_vault",
            "config",
            Sub("vault2"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "create_vault",
            "vault",
            Sub("noncanon.vault"),
            An(A::ConstraintSeeds),
        ),
        (
            "create_vault",
            "vault",
            Sub("vault2"),
            An(A::ConstraintSeeds),
        ),
        (
            "create_vault",
            "quote_mint",
            Sub("stranger.token"),
            Rt(InstructionError::InvalidAccountData),
        ),
        (
            "create_vault",
            "quote_mint",
            ForeignOwner,
            An(A::AccountOwnedByWrongProgram),
        ),
        (
            "create_vault",
            "reserve",
            Sub("noncanon.reserve"),
            An(A::ConstraintSeeds),
        ),
        (
            "create_vault",
            "recovery",
            Sub("noncanon.recovery"),
            An(A::ConstraintSeeds),
        ),
        (
            "create_vault",
            "collateral_mint",
            Sub("mint2"),
            Pr(B::CollateralDecimalsMismatch),
        ),
        (
            "create_vault",
            "collateral_mint",
            Slot("quote_mint"),
            Pr(B::WrongCollateralMint),
        ),
        (
            "create_vault",
            "collateral_mint",
            ForeignOwner,
            An(A::AccountOwnedByWrongProgram),
        ),
        // fund_reserve
        ("fund_reserve", "funder", NotSigner, An(A::AccountNotSigner)),
        ("fund_reserve", "funder", OtherSigner, Pr(B::NotTokenOwner)),
        (
            "fund_reserve",
            "config",
            Sub("noncanon.config"),
            An(A::AccountNotInitialized),
        ),
        (
            "fund_reserve",
            "config",
            Sub("vault2"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "fund_reserve",
            "vault",
            Sub("s1.series"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "fund_reserve",
            "vault",
            ForeignOwner,
            An(A::AccountOwnedByWrongProgram),
        ),
        (
            "fund_reserve",
            "vault",
            Sub("vault2"),
            Pr(B::WrongReserveAccount),
        ),
        (
            "fund_reserve",
            "reserve",
            Sub("vault2.reserve"),
            Pr(B::WrongReserveAccount),
        ),
        (
            "fund_reserve",
            "reserve",
            ForeignOwner,
            An(A::AccountOwnedByWrongProgram),
        ),
        (
            "fund_reserve",
            "funder_token",
            Sub("mint2.protocol"),
            Pr(B::WrongMint),
        ),
        (
            "fund_reserve",
            "funder_token",
            Sub("stranger.token"),
            Pr(B::NotTokenOwner),
        ),
        (
            "fund_reserve",
            "funder_token",
            Slot("reserve"),
            Pr(B::DuplicateMutableAccount),
        ),
        ("fund_reserve", "quote_mint", Sub("mint2"), Pr(B::WrongMint)),
        (
            "fund_reserve",
            "quote_mint",
            Sub("stranger.token"),
            Rt(InstructionError::InvalidAccountData),
        ),
        // withdraw_reserve
        (
            "withdraw_reserve",
            "authority",
            NotSigner,
            An(A::AccountNotSigner),
        ),
        (
            "withdraw_reserve",
            "authority",
            OtherSigner,
            Pr(B::NotVaultAuthority),
        ),
        (
            "withdraw_reserve",
            "vault",
            Sub("s1.series"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "withdraw_reserve",
            "vault",
            ForeignOwner,
            An(A::AccountOwnedByWrongProgram),
        ),
        (
            "withdraw_reserve",
            "vault",
            Sub("vault2"),
            Pr(B::WrongReserveAccount),
        ),
        (
            "withdraw_reserve",
            "reserve",
            Sub("vault2.reserve"),
            Pr(B::WrongReserveAccount),
        ),
        (
            "withdraw_reserve",
            "reserve",
            ForeignOwner,
            An(A::AccountOwnedByWrongProgram),
        ),
        (
            "withdraw_reserve",
            "destination",
            Sub("mint2.protocol"),
            Pr(B::WrongMint),
        ),
        (
            "withdraw_reserve",
            "destination",
            Slot("reserve"),
            Pr(B::DuplicateMutableAccount),
        ),
        (
            "withdraw_reserve",
            "quote_mint",
            Sub("mint2"),
            Pr(B::WrongMint),
        ),
        // withdraw_recovery
        (
            "withdraw_recovery",
            "authority",
            NotSigner,
            An(A::AccountNotSigner),
        ),
        (
            "withdraw_recovery",
            "authority",
            OtherSigner,
            Pr(B::NotVaultAuthority),
        ),
        (
            "withdraw_recovery",
            "vault",
            Sub("s1.series"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "withdraw_recovery",
            "vault",
            ForeignOwner,
            An(A::AccountOwnedByWrongProgram),
        ),
        (
            "withdraw_recovery",
            "vault",
            Sub("vault2"),
            Pr(B::WrongRecoveryAccount),
        ),
        (
            "withdraw_recovery",
            "recovery",
            Sub("vault2.recovery"),
            Pr(B::WrongRecoveryAccount),
        ),
        (
            "withdraw_recovery",
            "recovery",
            ForeignOwner,
            An(A::AccountOwnedByWrongProgram),
        ),
        (
            "withdraw_recovery",
            "destination",
            Sub("mint2.protocol"),
            Pr(B::WrongMint),
        ),
        (
            "withdraw_recovery",
            "destination",
            Slot("recovery"),
            Pr(B::DuplicateMutableAccount),
        ),
        (
            "withdraw_recovery",
            "quote_mint",
            Sub("mint2"),
            Pr(B::WrongMint),
        ),
        // open_series
        ("open_series", "payer", NotSigner, An(A::AccountNotSigner)),
        (
            "open_series",
            "risk_authority",
            NotSigner,
            An(A::AccountNotSigner),
        ),
        (
            "open_series",
            "risk_authority",
            OtherSigner,
            Pr(B::NotRiskAuthority),
        ),
        (
            "open_series",
            "config",
            Sub("vault2"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "open_series",
            "vault",
            Sub("s1.series"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "open_series",
            "vault",
            Sub("vault2"),
            An(A::ConstraintSeeds),
        ),
        (
            "open_series",
            "reserve",
            Sub("vault2.reserve"),
            Pr(B::WrongReserveAccount),
        ),
        (
            "open_series",
            "series",
            Sub("noncanon.series"),
            An(A::ConstraintSeeds),
        ),
        (
            "open_series",
            "series",
            Sub("s1.series"),
            An(A::ConstraintSeeds),
        ),
        (
            "open_series",
            "escrow",
            Sub("noncanon.escrow"),
            An(A::ConstraintSeeds),
        ),
        (
            "open_series",
            "put_mint",
            Sub("noncanon.put_mint"),
            An(A::ConstraintSeeds),
        ),
        (
            "open_series",
            "holder",
            Sub("noncanon.holder"),
            An(A::ConstraintSeeds),
        ),
        ("open_series", "quote_mint", Sub("mint2"), Pr(B::WrongMint)),
        // set_ladder
        ("set_ladder", "payer", NotSigner, An(A::AccountNotSigner)),
        (
            "set_ladder",
            "risk_authority",
            NotSigner,
            An(A::AccountNotSigner),
        ),
        (
            "set_ladder",
            "risk_authority",
            OtherSigner,
            Pr(B::NotRiskAuthority),
        ),
        (
            "set_ladder",
            "vault",
            Sub("s1.series"),
            An(A::AccountDiscriminatorMismatch),
        ),
        ("set_ladder", "vault", Sub("vault2"), An(A::ConstraintSeeds)),
        (
            "set_ladder",
            "ladder",
            Sub("noncanon.ladder"),
            An(A::ConstraintSeeds),
        ),
        (
            "set_ladder",
            "ladder",
            Sub("s1.series"),
            An(A::ConstraintSeeds),
        ),
        (
            "set_ladder",
            "ladder",
            Sub("vault2.ladder"),
            An(A::ConstraintSeeds),
        ),
        // roll_series
        ("roll_series", "payer", NotSigner, An(A::AccountNotSigner)),
        (
            "roll_series",
            "config",
            Sub("vault2"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "roll_series",
            "vault",
            Sub("s1.series"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "roll_series",
            "vault",
            Sub("vault2"),
            An(A::ConstraintSeeds),
        ),
        (
            "roll_series",
            "ladder",
            Sub("noncanon.ladder"),
            An(A::AccountNotInitialized),
        ),
        (
            "roll_series",
            "ladder",
            Sub("vault2.ladder"),
            An(A::ConstraintSeeds),
        ),
        (
            "roll_series",
            "ladder",
            Sub("s1.series"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "roll_series",
            "ladder",
            Random,
            An(A::AccountNotInitialized),
        ),
        (
            "roll_series",
            "price_update",
            Sub("price.other_feed"),
            Pr(B::OracleWrongFeed),
        ),
        (
            "roll_series",
            "price_update",
            ForeignOwner,
            Pr(B::OracleWrongOwner),
        ),
        (
            "roll_series",
            "reserve",
            Sub("vault2.reserve"),
            Pr(B::WrongReserveAccount),
        ),
        (
            "roll_series",
            "series",
            Sub("noncanon.rolled_series"),
            An(A::ConstraintSeeds),
        ),
        (
            "roll_series",
            "series",
            Sub("s1.series"),
            An(A::ConstraintSeeds),
        ),
        (
            "roll_series",
            "escrow",
            Sub("s1.escrow"),
            An(A::ConstraintSeeds),
        ),
        (
            "roll_series",
            "put_mint",
            Sub("s1.put_mint"),
            An(A::ConstraintSeeds),
        ),
        (
            "roll_series",
            "holder",
            Sub("s1.holder"),
            An(A::ConstraintSeeds),
        ),
        ("roll_series", "quote_mint", Sub("mint2"), Pr(B::WrongMint)),
        // write_put
        ("write_put", "writer", NotSigner, An(A::AccountNotSigner)),
        ("write_put", "writer", OtherSigner, An(A::ConstraintSeeds)),
        (
            "write_put",
            "config",
            Sub("vault2"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "write_put",
            "vault",
            Sub("s1.series"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "write_put",
            "vault",
            Sub("vault2"),
            Pr(B::WrongReserveAccount),
        ),
        (
            "write_put",
            "series",
            Slot("vault"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "write_put",
            "series",
            Sub("series3"),
            An(A::ConstraintSeeds),
        ),
        (
            "write_put",
            "position",
            Sub("noncanon.position"),
            An(A::ConstraintSeeds),
        ),
        (
            "write_put",
            "position",
            Sub("s2.position"),
            An(A::ConstraintSeeds),
        ),
        (
            "write_put",
            "writer_token",
            Sub("stranger.token"),
            Pr(B::NotTokenOwner),
        ),
        (
            "write_put",
            "writer_token",
            Sub("mint2.w1"),
            Pr(B::WrongMint),
        ),
        (
            "write_put",
            "writer_token",
            Slot("escrow"),
            Pr(B::DuplicateMutableAccount),
        ),
        (
            "write_put",
            "reserve",
            Sub("vault2.reserve"),
            Pr(B::WrongReserveAccount),
        ),
        (
            "write_put",
            "escrow",
            Sub("s2.escrow"),
            Pr(B::WrongSeriesAccount),
        ),
        (
            "write_put",
            "put_mint",
            Sub("s2.put_mint"),
            Pr(B::WrongSeriesAccount),
        ),
        (
            "write_put",
            "holder",
            Sub("s2.holder"),
            Pr(B::WrongSeriesAccount),
        ),
        (
            "write_put",
            "holder",
            Slot("escrow"),
            Pr(B::DuplicateMutableAccount),
        ),
        (
            "write_put",
            "price_update",
            ForeignOwner,
            Pr(B::OracleWrongOwner),
        ),
        (
            "write_put",
            "price_update",
            Sub("price.other_feed"),
            Pr(B::OracleWrongFeed),
        ),
        ("write_put", "quote_mint", Sub("mint2"), Pr(B::WrongMint)),
        // observe_breach
        (
            "observe_breach",
            "vault",
            Sub("s1.series"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "observe_breach",
            "vault",
            ForeignOwner,
            An(A::AccountOwnedByWrongProgram),
        ),
        (
            "observe_breach",
            "price_update",
            ForeignOwner,
            Pr(B::OracleWrongOwner),
        ),
        (
            "observe_breach",
            "price_update",
            Sub("price.other_feed"),
            Pr(B::OracleWrongFeed),
        ),
        (
            "observe_breach",
            "depeg_price_update",
            Sub("price.collateral"),
            Pr(B::OracleWrongFeed),
        ),
        // report_solvency
        (
            "report_solvency",
            "reporter",
            NotSigner,
            An(A::AccountNotSigner),
        ),
        (
            "report_solvency",
            "reporter",
            OtherSigner,
            Pr(B::NotReporter),
        ),
        (
            "report_solvency",
            "vault",
            Sub("s1.series"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "report_solvency",
            "vault",
            ForeignOwner,
            An(A::AccountOwnedByWrongProgram),
        ),
        (
            "report_solvency",
            "price_update",
            ForeignOwner,
            Pr(B::OracleWrongOwner),
        ),
        (
            "report_solvency",
            "price_update",
            Sub("price.other_feed"),
            Pr(B::OracleWrongFeed),
        ),
        (
            "report_solvency",
            "depeg_price_update",
            Sub("price.collateral"),
            Pr(B::OracleWrongFeed),
        ),
        // trigger
        ("trigger", "keeper", NotSigner, An(A::AccountNotSigner)),
        (
            "trigger",
            "vault",
            Sub("s1.series"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "trigger",
            "vault",
            Sub("vault2"),
            Pr(B::WrongReserveAccount),
        ),
        (
            "trigger",
            "series",
            Slot("vault"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "trigger",
            "series",
            Sub("s2.series"),
            Pr(B::WrongSeriesAccount),
        ),
        ("trigger", "series", Sub("series3"), Pr(B::WrongVault)),
        (
            "trigger",
            "escrow",
            Sub("s2.escrow"),
            Pr(B::WrongSeriesAccount),
        ),
        (
            "trigger",
            "recovery",
            Sub("vault2.recovery"),
            Pr(B::WrongRecoveryAccount),
        ),
        (
            "trigger",
            "reserve",
            Sub("vault2.reserve"),
            Pr(B::WrongReserveAccount),
        ),
        (
            "trigger",
            "keeper_token",
            Sub("mint2.keeper"),
            Pr(B::WrongMint),
        ),
        (
            "trigger",
            "keeper_token",
            Slot("recovery"),
            Pr(B::DuplicateMutableAccount),
        ),
        (
            "trigger",
            "price_update",
            ForeignOwner,
            Pr(B::OracleWrongOwner),
        ),
        (
            "trigger",
            "price_update",
            Sub("price.other_feed"),
            Pr(B::OracleWrongFeed),
        ),
        (
            "trigger",
            "depeg_price_update",
            Sub("price.collateral"),
            Pr(B::OracleWrongFeed),
        ),
        ("trigger", "quote_mint", Sub("mint2"), Pr(B::WrongMint)),
        // try_release: trigger's accounts, the same refusals (a wrong account is a bug, not "nothing due")
        ("try_release", "keeper", NotSigner, An(A::AccountNotSigner)),
        (
            "try_release",
            "vault",
            Sub("s1.series"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "try_release",
            "vault",
            Sub("vault2"),
            Pr(B::WrongReserveAccount),
        ),
        (
            "try_release",
            "series",
            Slot("vault"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "try_release",
            "series",
            Sub("s2.series"),
            Pr(B::WrongSeriesAccount),
        ),
        ("try_release", "series", Sub("series3"), Pr(B::WrongVault)),
        (
            "try_release",
            "escrow",
            Sub("s2.escrow"),
            Pr(B::WrongSeriesAccount),
        ),
        (
            "try_release",
            "recovery",
            Sub("vault2.recovery"),
            Pr(B::WrongRecoveryAccount),
        ),
        (
            "try_release",
            "reserve",
            Sub("vault2.reserve"),
            Pr(B::WrongReserveAccount),
        ),
        (
            "try_release",
            "keeper_token",
            Sub("mint2.keeper"),
            Pr(B::WrongMint),
        ),
        (
            "try_release",
            "keeper_token",
            Slot("recovery"),
            Pr(B::DuplicateMutableAccount),
        ),
        (
            "try_release",
            "price_update",
            ForeignOwner,
            Pr(B::OracleWrongOwner),
        ),
        (
            "try_release",
            "price_update",
            Sub("price.other_feed"),
            Pr(B::OracleWrongFeed),
        ),
        (
            "try_release",
            "depeg_price_update",
            Sub("price.collateral"),
            Pr(B::OracleWrongFeed),
        ),
        ("try_release", "quote_mint", Sub("mint2"), Pr(B::WrongMint)),
        // release_status: read-only, the same identity checks
        (
            "release_status",
            "vault",
            Sub("s1.series"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "release_status",
            "vault",
            Sub("vault2"),
            Pr(B::WrongReserveAccount),
        ),
        (
            "release_status",
            "series",
            Slot("vault"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "release_status",
            "series",
            Sub("series3"),
            Pr(B::WrongVault),
        ),
        (
            "release_status",
            "reserve",
            Sub("vault2.reserve"),
            Pr(B::WrongReserveAccount),
        ),
        (
            "release_status",
            "price_update",
            ForeignOwner,
            Pr(B::OracleWrongOwner),
        ),
        (
            "release_status",
            "price_update",
            Sub("price.other_feed"),
            Pr(B::OracleWrongFeed),
        ),
        (
            "release_status",
            "depeg_price_update",
            Sub("price.collateral"),
            Pr(B::OracleWrongFeed),
        ),
        // settle_series
        (
            "settle_series",
            "vault",
            Sub("s1.series"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "settle_series",
            "vault",
            Sub("vault2"),
            Pr(B::WrongRecoveryAccount),
        ),
        (
            "settle_series",
            "series",
            Slot("vault"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "settle_series",
            "series",
            Sub("s1.series"),
            Pr(B::WrongSeriesAccount),
        ),
        (
            "settle_series",
            "escrow",
            Sub("s1.escrow"),
            Pr(B::WrongSeriesAccount),
        ),
        (
            "settle_series",
            "put_mint",
            Sub("s1.put_mint"),
            Pr(B::WrongSeriesAccount),
        ),
        (
            "settle_series",
            "holder",
            Sub("s1.holder"),
            Pr(B::WrongSeriesAccount),
        ),
        (
            "settle_series",
            "recovery",
            Sub("vault2.recovery"),
            Pr(B::WrongRecoveryAccount),
        ),
        // The vault's `has_one = recovery` runs before the duplicate check.
        (
            "settle_series",
            "recovery",
            Slot("escrow"),
            Pr(B::WrongRecoveryAccount),
        ),
        (
            "settle_series",
            "holder",
            Slot("escrow"),
            Pr(B::DuplicateMutableAccount),
        ),
        (
            "settle_series",
            "price_update",
            ForeignOwner,
            Pr(B::OracleWrongOwner),
        ),
        (
            "settle_series",
            "price_update",
            Sub("price.other_feed"),
            Pr(B::OracleWrongFeed),
        ),
        (
            "settle_series",
            "quote_mint",
            Sub("mint2"),
            Pr(B::WrongMint),
        ),
        // reclaim
        (
            "reclaim",
            "vault",
            Sub("s1.series"),
            An(A::AccountDiscriminatorMismatch),
        ),
        ("reclaim", "vault", Sub("vault2"), Pr(B::WrongVault)),
        (
            "reclaim",
            "series",
            Slot("vault"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "reclaim",
            "series",
            Sub("s1.series"),
            Pr(B::WrongSeriesAccount),
        ),
        (
            "reclaim",
            "position",
            Sub("s1.position"),
            Pr(B::WrongPositionOwner),
        ),
        (
            "reclaim",
            "position",
            Slot("series"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "reclaim",
            "writer",
            Sub("stranger"),
            Pr(B::WrongPositionOwner),
        ),
        (
            "reclaim",
            "writer_token",
            Sub("stranger.token"),
            Pr(B::NotTokenOwner),
        ),
        ("reclaim", "writer_token", Sub("mint2.w2"), Pr(B::WrongMint)),
        (
            "reclaim",
            "writer_token",
            Slot("escrow"),
            Pr(B::DuplicateMutableAccount),
        ),
        (
            "reclaim",
            "escrow",
            Sub("s1.escrow"),
            Pr(B::WrongSeriesAccount),
        ),
        ("reclaim", "quote_mint", Sub("mint2"), Pr(B::WrongMint)),
        // close_series
        (
            "close_series",
            "vault",
            Sub("s1.series"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "close_series",
            "vault",
            Sub("vault2"),
            Pr(B::WrongReserveAccount),
        ),
        (
            "close_series",
            "series",
            Slot("vault"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "close_series",
            "series",
            Sub("s1.series"),
            Pr(B::WrongSeriesAccount),
        ),
        (
            "close_series",
            "escrow",
            Sub("s1.escrow"),
            Pr(B::WrongSeriesAccount),
        ),
        (
            "close_series",
            "holder",
            Sub("s1.holder"),
            Pr(B::WrongSeriesAccount),
        ),
        (
            "close_series",
            "holder",
            Slot("escrow"),
            Pr(B::DuplicateMutableAccount),
        ),
        (
            "close_series",
            "reserve",
            Sub("vault2.reserve"),
            Pr(B::WrongReserveAccount),
        ),
        (
            "close_series",
            "rent_receiver",
            Sub("stranger"),
            Pr(B::WrongRentReceiver),
        ),
        ("close_series", "quote_mint", Sub("mint2"), Pr(B::WrongMint)),
        (
            "close_series",
            "collateral",
            Sub("stranger.collateral"),
            Pr(B::WrongCollateralAccount),
        ),
        // reclaim of a physical series: its collateral accounts
        (
            "reclaim",
            "collateral",
            Sub("stranger.collateral"),
            Pr(B::WrongCollateralAccount),
        ),
        (
            "reclaim",
            "writer_collateral",
            Sub("stranger.collateral"),
            Pr(B::NotTokenOwner),
        ),
        (
            "reclaim",
            "writer_collateral",
            Sub("mint2.w2"),
            Pr(B::WrongCollateralMint),
        ),
        (
            "reclaim",
            "collateral_mint",
            Sub("mint2"),
            Pr(B::WrongCollateralMint),
        ),
        // deliver_collateral: only the protocol, only its own collateral, only this series'
        // accounts, only this vault's recovery
        (
            "deliver_collateral",
            "payer",
            NotSigner,
            An(A::AccountNotSigner),
        ),
        (
            "deliver_collateral",
            "deliverer",
            NotSigner,
            An(A::AccountNotSigner),
        ),
        (
            "deliver_collateral",
            "deliverer",
            OtherSigner,
            Pr(B::NotTokenOwner),
        ),
        (
            "deliver_collateral",
            "vault",
            Sub("vault2"),
            Pr(B::WrongRecoveryAccount),
        ),
        (
            "deliver_collateral",
            "vault",
            Sub("s1.series"),
            An(A::AccountDiscriminatorMismatch),
        ),
        // The collateral account's `init_if_needed` seeds are checked first.
        (
            "deliver_collateral",
            "series",
            Sub("s1.series"),
            An(A::ConstraintSeeds),
        ),
        (
            "deliver_collateral",
            "series",
            Slot("vault"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "deliver_collateral",
            "collateral",
            Random,
            An(A::ConstraintSeeds),
        ),
        (
            "deliver_collateral",
            "collateral",
            Sub("s1.escrow"),
            An(A::ConstraintSeeds),
        ),
        (
            "deliver_collateral",
            "deliverer_collateral",
            Sub("stranger.collateral"),
            Pr(B::NotTokenOwner),
        ),
        (
            "deliver_collateral",
            "deliverer_collateral",
            Sub("mint2.protocol"),
            Pr(B::WrongCollateralMint),
        ),
        (
            "deliver_collateral",
            "deliverer_collateral",
            Slot("escrow"),
            Pr(B::DuplicateMutableAccount),
        ),
        (
            "deliver_collateral",
            "escrow",
            Sub("s1.escrow"),
            Pr(B::WrongSeriesAccount),
        ),
        (
            "deliver_collateral",
            "put_mint",
            Sub("s1.put_mint"),
            Pr(B::WrongSeriesAccount),
        ),
        (
            "deliver_collateral",
            "holder",
            Sub("s1.holder"),
            Pr(B::WrongSeriesAccount),
        ),
        (
            "deliver_collateral",
            "recovery",
            Sub("vault2.recovery"),
            Pr(B::WrongRecoveryAccount),
        ),
        (
            "deliver_collateral",
            "collateral_mint",
            Sub("mint2"),
            Pr(B::WrongCollateralMint),
        ),
        (
            "deliver_collateral",
            "quote_mint",
            Sub("mint2"),
            Pr(B::WrongMint),
        ),
        // set_pause_flags, update_vault_settings
        (
            "set_pause_flags",
            "admin",
            NotSigner,
            An(A::AccountNotSigner),
        ),
        ("set_pause_flags", "admin", OtherSigner, Pr(B::NotAdmin)),
        (
            "set_pause_flags",
            "config",
            Sub("vault2"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "set_pause_flags",
            "config",
            ForeignOwner,
            An(A::AccountOwnedByWrongProgram),
        ),
        (
            "update_vault_settings",
            "authority",
            NotSigner,
            An(A::AccountNotSigner),
        ),
        (
            "update_vault_settings",
            "authority",
            OtherSigner,
            Pr(B::NotVaultAuthority),
        ),
        (
            "update_vault_settings",
            "vault",
            Sub("s1.series"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "update_vault_settings",
            "vault",
            ForeignOwner,
            An(A::AccountOwnedByWrongProgram),
        ),
        // views
        (
            "get_vault_strength",
            "vault",
            Sub("s1.series"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "get_vault_strength",
            "vault",
            ForeignOwner,
            An(A::AccountOwnedByWrongProgram),
        ),
        (
            "check_price",
            "vault",
            Sub("s1.series"),
            An(A::AccountDiscriminatorMismatch),
        ),
        (
            "check_price",
            "vault",
            ForeignOwner,
            An(A::AccountOwnedByWrongProgram),
        ),
        (
            "check_price",
            "price_update",
            ForeignOwner,
            Pr(B::OracleWrongOwner),
        ),
        (
            "check_price",
            "price_update",
            Sub("price.other_feed"),
            Pr(B::OracleWrongFeed),
        ),
    ]
}

/// `(instruction, [account names in order])` from the committed IDL.
fn idl_accounts() -> Vec<(String, Vec<String>)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../idl/backstop.json");
    let idl: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("idl")).expect("json");
    idl["instructions"]
        .as_array()
        .expect("instructions")
        .iter()
        .map(|ix| {
            let names = ix["accounts"]
                .as_array()
                .expect("accounts")
                .iter()
                .map(|a| a["name"].as_str().expect("name").to_string())
                .collect();
            (ix["name"].as_str().expect("name").to_string(), names)
        })
        .collect()
}

/// Applies `attack` to `account` of the valid call; returns the keys whose state must not move.
fn apply(
    world: &World,
    r: &mut Ready,
    names: &[String],
    account: &str,
    attack: Attack,
) -> Vec<Pubkey> {
    let idx = names
        .iter()
        .position(|n| n == account)
        .expect("account in idl");
    let original = r.ix.accounts[idx].pubkey;
    let slot = |n: &str| r.ix.accounts[names.iter().position(|x| x == n).expect("slot")].pubkey;
    let copy_with_owner = |r: &mut Ready, owner: Option<Pubkey>| {
        let mut acc = r.svm.get_account(&original).expect("account to copy");
        if let Some(owner) = owner {
            acc.owner = owner;
        }
        let forged = Pubkey::new_unique();
        r.svm.set_account(forged, acc).expect("forge");
        forged
    };
    let new_key = match attack {
        NotSigner => {
            r.ix.accounts[idx].is_signer = false;
            r.signers.retain(|k| k.pubkey() != original);
            original
        }
        OtherSigner => {
            r.signers.retain(|k| k.pubkey() != original);
            r.signers.push(world.stranger.insecure_clone());
            world.stranger.pubkey()
        }
        ForeignOwner => copy_with_owner(r, Some(Pubkey::new_unique())),
        ForgedCopy => copy_with_owner(r, None),
        Sub(name) => world.alt(name),
        Slot(name) => slot(name),
        Random => Pubkey::new_unique(),
    };
    r.ix.accounts[idx].pubkey = new_key;
    r.ix.accounts.iter().map(|m| m.pubkey).collect()
}

#[test]
fn every_valid_call_succeeds_untouched() {
    let world = World::build();
    for (name, ready) in &world.ready {
        let mut r = ready.clone_state();
        if let Err(e) = r.send() {
            panic!(
                "{name} should succeed: {:?}\n{}",
                e.err,
                e.meta.logs.join("\n")
            );
        }
    }
}

#[test]
fn every_account_of_every_instruction_refuses_every_applicable_attack() {
    let world = World::build();
    let idl = idl_accounts();
    let mut rows = rows();
    for (ix, accounts) in &idl {
        let ix: &'static str = Box::leak(ix.clone().into_boxed_str());
        rows.extend(common_rows(ix, accounts));
    }

    // Coverage: every (instruction, account) pair of the IDL has rows, and every row names one.
    let pairs: BTreeSet<(String, String)> = idl
        .iter()
        .flat_map(|(ix, accs)| accs.iter().map(move |a| (ix.clone(), a.clone())))
        .collect();
    let covered: BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| (r.0.to_string(), r.1.to_string()))
        .collect();
    let missing: Vec<_> = pairs.difference(&covered).collect();
    let unknown: Vec<_> = covered.difference(&pairs).collect();
    assert!(
        missing.is_empty(),
        "(instruction, account) pairs without rows: {missing:?}"
    );
    assert!(
        unknown.is_empty(),
        "rows for pairs the IDL does not have: {unknown:?}"
    );
    for (ix, accs) in &idl {
        assert!(
            accs.is_empty() || world.ready.contains_key(ix.as_str()),
            "no valid call of {ix} in the matrix world"
        );
    }

    let names: BTreeMap<&str, &Vec<String>> = idl.iter().map(|(i, a)| (i.as_str(), a)).collect();
    let mut failures = vec![];
    for (ix, account, attack, expect) in rows.iter().cloned() {
        let mut r = world.ready[ix].clone_state();
        let keys = apply(&world, &mut r, names[ix], account, attack);
        let before = account_states(&r.svm, &keys);
        let result = r.send();
        let got = match &result {
            Ok(_) => "succeeded".to_string(),
            Err(e) => match custom_error_code(e) {
                Some(code) => code.to_string(),
                None => format!("{:?}", e.err),
            },
        };
        if got != expect.describe() {
            failures.push(format!(
                "{ix}.{account} {attack:?}: wanted {expect:?} ({}), got {got}",
                expect.describe()
            ));
        } else if account_states(&r.svm, &keys) != before {
            failures.push(format!(
                "{ix}.{account} {attack:?}: refused but state changed"
            ));
        }
    }
    println!(
        "substitution matrix: {} attacks over {}/{} (instruction, account) pairs of {} instructions",
        rows.len(),
        covered.len(),
        pairs.len(),
        idl.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}
