//! Program errors. Append-only: never reorder or remove a variant, clients match on the codes.
use anchor_lang::prelude::*;

use crate::math::MathError;

#[error_code]
pub enum BackstopError {
    #[msg("Pause flags contain bits that name no operation")]
    UnknownPauseFlags, // 6000
    #[msg("Signer is not the program's upgrade authority")]
    NotUpgradeAuthority, // 6001
    #[msg("Program data account does not belong to this program")]
    InvalidProgramData, // 6002
    #[msg("Signer is not the config admin")]
    NotAdmin, // 6003
    #[msg("Admin must not be the default public key")]
    InvalidAdmin, // 6004
    #[msg("Pricing: arithmetic overflow or a result that does not fit its format")]
    MathOverflow, // 6005
    #[msg("Pricing: unsigned subtraction below zero")]
    MathUnderflow, // 6006
    #[msg("Pricing: division by zero")]
    MathDivisionByZero, // 6007
    #[msg("Pricing: logarithm of zero")]
    MathLnOfZero, // 6008
    #[msg("Pricing: exponential argument too large")]
    MathExpOverflow, // 6009
    #[msg("Pricing: log-moneyness out of range")]
    MathLogMoneynessOutOfRange, // 6010
    #[msg("Pricing: spot price is zero")]
    MathZeroSpot, // 6011
    #[msg("Pricing: strike is zero")]
    MathZeroStrike, // 6012
    #[msg("Pricing: spot minus the confidence haircut is not positive")]
    MathShiftedSpotNonPositive, // 6013
    #[msg("Pricing: confidence multiplier too large")]
    MathConfMultiplierTooLarge, // 6014
    #[msg("Pricing: tail loading below 10,000 bps")]
    MathTailLoadingBelowOne, // 6015
    #[msg("Pricing: tail loading too large")]
    MathTailLoadingTooLarge, // 6016
    #[msg("Pricing: no time left to expiry")]
    MathZeroTenor, // 6017
    #[msg("Pricing: time to expiry above the maximum")]
    MathTenorTooLong, // 6018
    #[msg("Pricing: interest rate out of range")]
    MathRateOutOfRange, // 6019
    #[msg("Pricing: volatility too large")]
    MathVolatilityTooLarge, // 6020
    #[msg("SVI: b must not be negative")]
    MathSviNegativeB, // 6021
    #[msg("SVI: b too large")]
    MathSviBTooLarge, // 6022
    #[msg("SVI: |rho| must be below 1")]
    MathSviRhoOutOfRange, // 6023
    #[msg("SVI: sigma must be positive")]
    MathSviSigmaNonPositive, // 6024
    #[msg("SVI: sigma too large")]
    MathSviSigmaTooLarge, // 6025
    #[msg("SVI: |a| too large")]
    MathSviAOutOfRange, // 6026
    #[msg("SVI: |m| too large")]
    MathSviMOutOfRange, // 6027
    #[msg("SVI: minimum variance a + b sigma sqrt(1 - rho^2) is negative")]
    MathSviNegativeVariance, // 6028
    #[msg("SVI: Lee wing bound b (1 + |rho|) tau <= 2 violated")]
    MathSviLeeBoundViolated, // 6029
    #[msg("Oracle: price account is not owned by the configured Pyth receiver")]
    OracleWrongOwner, // 6030
    #[msg("Oracle: account is not a PriceUpdateV2")]
    OracleInvalidAccount, // 6031
    #[msg("Oracle: price update is for another feed")]
    OracleWrongFeed, // 6032
    #[msg("Oracle: price update is not fully verified")]
    OracleNotFullyVerified, // 6033
    #[msg("Oracle: price is zero or negative")]
    OracleNonPositivePrice, // 6034
    #[msg("Oracle: price update is too old")]
    OracleStale, // 6035
    #[msg("Oracle: confidence interval is too wide")]
    OracleConfidenceTooWide, // 6036
    #[msg("Oracle: price exponent out of the accepted range")]
    OracleExponentOutOfRange, // 6037
    #[msg("Oracle: normalised price does not fit")]
    OraclePriceOutOfRange, // 6038
    #[msg("Vault settings enable no solvency trigger")]
    NoTriggerEnabled, // 6039
    #[msg("Breach persistence window out of bounds")]
    InvalidPersistence, // 6040
    #[msg("Oracle max age out of bounds")]
    InvalidOracleMaxAge, // 6041
    #[msg("Oracle confidence cap out of bounds")]
    InvalidConfidenceCap, // 6042
    #[msg("Joint depeg trigger needs its own stablecoin feed")]
    InvalidDepegFeed, // 6043
    #[msg("Solvency-ratio trigger needs a positive report max age")]
    InvalidReportAge, // 6044
    #[msg("Pricing settings out of bounds")]
    InvalidPricingSettings, // 6045
    #[msg("Release cap, epoch or keeper tip out of bounds")]
    InvalidReleaseSettings, // 6046
    #[msg("Collateral decimals out of bounds")]
    InvalidCollateralDecimals, // 6047
    #[msg("Token account or mint does not match the vault's")]
    WrongMint, // 6048
    #[msg("Recovery account does not match the vault's")]
    WrongRecoveryAccount, // 6049
    #[msg("This operation is paused")]
    OperationPaused, // 6050
    #[msg("Signer is not the vault authority")]
    NotVaultAuthority, // 6051
    #[msg("Signer is not the vault's risk authority")]
    NotRiskAuthority, // 6052
    #[msg("Signer is not the vault's solvency reporter")]
    NotReporter, // 6053
    #[msg("Amount must be positive")]
    ZeroAmount, // 6054
    #[msg("Not enough uncommitted reserve")]
    InsufficientUncommittedReserve, // 6055
    #[msg("Reserve account does not match the vault's")]
    WrongReserveAccount, // 6056
    #[msg("Token account is not owned by the signer")]
    NotTokenOwner, // 6057
    #[msg("Strike must be positive and fit the price scale")]
    InvalidStrike, // 6058
    #[msg("Expiry must be at least one hour, at most two years, and past the write cutoff away")]
    InvalidExpiry, // 6059
    #[msg("Size cap must be positive and its escrow must fit")]
    InvalidSizeCap, // 6060
    #[msg("Account belongs to another vault")]
    WrongVault, // 6061
    #[msg("Escrow, put mint or holder does not match the series")]
    WrongSeriesAccount, // 6062
    #[msg("Series is not open")]
    SeriesNotOpen, // 6063
    #[msg("Series has expired")]
    SeriesExpired, // 6064
    #[msg("Writing is frozen: a breach of the vault is pending or confirmed")]
    WritingFrozen, // 6065
    #[msg("Size would exceed the series cap")]
    SizeCapExceeded, // 6066
    #[msg("Premium would exceed the series budget")]
    PremiumBudgetExceeded, // 6067
    #[msg("Premium is below the writer's minimum")]
    SlippageExceeded, // 6068
    #[msg("Position belongs to another writer or series")]
    WrongPositionOwner, // 6069
    #[msg("Quote mint has more than 12 decimals")]
    InvalidQuoteDecimals, // 6070
    #[msg("Oracle: update is older than one already observed")]
    OracleOutdated, // 6071
    #[msg("Joint depeg trigger needs the stablecoin price account")]
    DepegPriceMissing, // 6072
    #[msg("Solvency breach is not confirmed")]
    BreachNotConfirmed, // 6073
    #[msg("Series is not in the money")]
    NotInTheMoney, // 6074
    #[msg("Nothing owed beyond what the series already advanced")]
    NothingToRelease, // 6075
    #[msg("This epoch's release cap is used up")]
    ReleaseCapReached, // 6076
    #[msg("Liabilities must be positive")]
    InvalidSolvencyReport, // 6077
    #[msg("Series has not expired yet")]
    SeriesNotExpired, // 6078
    #[msg("Settlement needs an update published at or after expiry")]
    SettlementPriceTooEarly, // 6079
    #[msg("Series is not settled yet")]
    SeriesNotSettled, // 6080
    #[msg("Fallback settlement needs a fresh update")]
    SettlementPriceStale, // 6081
    #[msg("Series still has open positions")]
    PositionsStillOpen, // 6082
    #[msg("Rent receiver is not the vault authority")]
    WrongRentReceiver, // 6083
    #[msg("Oracle receiver is not the one the config trusts")]
    UntrustedOracleReceiver, // 6084
    #[msg("Not enough released capital in the recovery account")]
    InsufficientRecovery, // 6085
    #[msg("Trigger settings can only be loosened while writers' capital is in escrow")]
    TriggerTightened, // 6086
    #[msg("Reporter and risk authority must be set")]
    InvalidParty, // 6087
    #[msg("The same account was passed for two writable accounts")]
    DuplicateMutableAccount, // 6088
    #[msg("Writes are refused: the oracle confidence is wider than the vault's write cap")]
    WriteConfidenceTooWide, // 6089
    #[msg("Writes are closed this close to expiry (the vault's write cutoff)")]
    WriteCutoff, // 6090
    #[msg("Writes are refused: this series has already advanced capital")]
    SeriesAdvanced, // 6091
    #[msg("This series stepped less than the vault's release interval ago")]
    ReleaseIntervalNotElapsed, // 6092
    #[msg("No price was observed over the breach's release window")]
    NoHeldPrice, // 6093
    #[msg("Settlement needs a price update until the deadline")]
    SettlementPriceMissing, // 6094
    #[msg("Write cutoff must be at least persistence + oracle max age")]
    WriteCutoffTooShort, // 6095
    #[msg("SVI: butterfly arbitrage (Durrleman's condition fails on the check grid)")]
    MathSviButterflyArbitrage, // 6096
    #[msg("SVI: at-the-money volatility outside 5 % to 300 %")]
    MathSviAtmVolOutOfRange, // 6097
    #[msg("The vault's premium floor exceeds 1 % of this strike")]
    PremiumFloorTooHigh, // 6098
    #[msg("Tail loading outside 1x to 3x of the time value")]
    TailLoadingOutOfBounds, // 6099
    #[msg("Settings timelock outside 1 hour to 7 days")]
    InvalidSettingsTimelock, // 6100
    #[msg("The proposed settings' timelock has not passed yet")]
    SettingsTimelockNotElapsed, // 6101
    #[msg("A pricing setting moves by more than its bounded step in one update")]
    PricingStepTooLarge, // 6102
    #[msg("A padding field of the settings is not zero (no longer raised: arguments carry no padding)")]
    NonZeroPadding, // 6103
    #[msg("This price account is not the one the vault pinned for the feed")]
    PriceAccountNotPinned, // 6104
    #[msg("A pinned price account must be the push oracle's sponsored account of its feed on the given shard")]
    InvalidPriceAccountPin, // 6105
    #[msg("The Pyth push oracle program must be set")]
    InvalidPushOracle, // 6106
    #[msg("This is not the program's config account")]
    WrongConfig, // 6107
    #[msg("Only the vault's reporter or authority delivers collateral")]
    NotDeliverer, // 6108
    #[msg("Delivery is open only during a confirmed breach before expiry and for the grace hour after it")]
    DeliveryNotOpen, // 6109
    #[msg("Delivery exceeds the series' unexercised size")]
    DeliveryExceedsUnexercised, // 6110
    #[msg("The vault has no collateral mint: physical delivery series are not offered")]
    NoCollateralMint, // 6111
    #[msg("This series settles by physical delivery: its holder delivers collateral instead")]
    NotCashSeries, // 6112
    #[msg("This series settles in cash: it takes no collateral")]
    NotPhysicalSeries, // 6113
    #[msg("This is not the vault's collateral mint")]
    WrongCollateralMint, // 6114
    #[msg("The collateral mint's decimals are not the vault's collateral decimals")]
    CollateralDecimalsMismatch, // 6115
    #[msg("This is not the series' collateral account")]
    WrongCollateralAccount, // 6116
    #[msg("A physical series with delivered collateral needs its collateral accounts to reclaim or close")]
    CollateralAccountsMissing, // 6117
    #[msg("A physical series settles once its delivery window (the grace hour after expiry) has closed")]
    DeliveryWindowOpen, // 6118
    #[msg("Ladder tenor must be whole hours within the series tenor bounds and longer than the write cutoff")]
    InvalidLadderTenor, // 6119
    #[msg("Ladder overlap must be at least 10 minutes and at most half the tenor")]
    InvalidLadderOverlap, // 6120
    #[msg("Ladder strikes must each be 0 (unused) or 10 % to 100 % of spot, without repeats")]
    InvalidLadderStrikes, // 6121
    #[msg("Ladder strike tick must be positive")]
    InvalidStrikeTick, // 6122
    #[msg("The ladder has no template in force (never set, or stopped)")]
    LadderStopped, // 6123
    #[msg("This rung is not used by the ladder's template")]
    RungUnused, // 6124
    #[msg("The rung's series does not expire within the ladder's overlap window yet")]
    RollNotDue, // 6125
    #[msg("Expiry is not the rung's next one: the previous expiry plus the tenor, or after a lapse the whole hour at most one tenor from now")]
    RollExpiryMismatch, // 6126
    #[msg("Strike is not a point of the ladder's tick grid within one tick of the rung's share of the oracle price, at most spot")]
    RollStrikeOffTarget, // 6127
    #[msg(
        "Ladder budget per series must be positive: a series with no budget can never be written"
    )]
    InvalidLadderBudget, // 6128
}

/// Every pricing failure keeps its own code, so a client can tell which check failed.
impl From<MathError> for BackstopError {
    fn from(e: MathError) -> Self {
        match e {
            MathError::Overflow => BackstopError::MathOverflow,
            MathError::Underflow => BackstopError::MathUnderflow,
            MathError::DivisionByZero => BackstopError::MathDivisionByZero,
            MathError::LnOfZero => BackstopError::MathLnOfZero,
            MathError::ExpOverflow => BackstopError::MathExpOverflow,
            MathError::LogMoneynessOutOfRange => BackstopError::MathLogMoneynessOutOfRange,
            MathError::ZeroSpot => BackstopError::MathZeroSpot,
            MathError::ZeroStrike => BackstopError::MathZeroStrike,
            MathError::ShiftedSpotNonPositive => BackstopError::MathShiftedSpotNonPositive,
            MathError::ConfMultiplierTooLarge => BackstopError::MathConfMultiplierTooLarge,
            MathError::TailLoadingBelowOne => BackstopError::MathTailLoadingBelowOne,
            MathError::TailLoadingTooLarge => BackstopError::MathTailLoadingTooLarge,
            MathError::ZeroTenor => BackstopError::MathZeroTenor,
            MathError::TenorTooLong => BackstopError::MathTenorTooLong,
            MathError::RateOutOfRange => BackstopError::MathRateOutOfRange,
            MathError::VolatilityTooLarge => BackstopError::MathVolatilityTooLarge,
            MathError::SviNegativeB => BackstopError::MathSviNegativeB,
            MathError::SviBTooLarge => BackstopError::MathSviBTooLarge,
            MathError::SviRhoOutOfRange => BackstopError::MathSviRhoOutOfRange,
            MathError::SviSigmaNonPositive => BackstopError::MathSviSigmaNonPositive,
            MathError::SviSigmaTooLarge => BackstopError::MathSviSigmaTooLarge,
            MathError::SviAOutOfRange => BackstopError::MathSviAOutOfRange,
            MathError::SviMOutOfRange => BackstopError::MathSviMOutOfRange,
            MathError::SviNegativeVariance => BackstopError::MathSviNegativeVariance,
            MathError::SviLeeBoundViolated => BackstopError::MathSviLeeBoundViolated,
            MathError::SviButterflyArbitrage => BackstopError::MathSviButterflyArbitrage,
            MathError::SviAtmVolOutOfRange => BackstopError::MathSviAtmVolOutOfRange,
        }
    }
}

impl From<MathError> for anchor_lang::error::Error {
    #[track_caller]
    fn from(e: MathError) -> Self {
        BackstopError::from(e).into()
    }
}
