// On-chain pricing engine mirrored in TypeScript (BigInt), integer for integer.
// Source of truth: programs/backstop/src/math (Rust). Held to it by the shared vectors in
// tests/vectors/pricing.json (see app/sdk/test/pricing.test.ts).

export { MATH_ERROR_NAMES, MathError, type MathErrorName } from './errors.js';
export {
  BPS,
  MAX_CONF_MULTIPLIER_BPS,
  MAX_RATE,
  MAX_PREMIUM_FLOOR_BPS,
  MAX_TAIL_LOADING_BPS,
  MAX_TENOR_SECS,
  MAX_VOL,
  MIN_TAIL_LOADING_BPS,
  PARAM_SCALE,
  PRICE_SCALE,
  Q_DF,
  Q_LOG,
  Q_PROB,
  Q_VAR,
  Q_VOL,
  SECONDS_PER_YEAR,
} from './fixed.js';
export { divWide, isqrtU128, mulWide, sqrtFixed } from './wide.js';
export { lnQ64, lnRatio } from './ln.js';
export { expFixed } from './exp.js';
export { normCdf, normTail } from './ncdf.js';
export {
  LEE_MAX_WING_SLOPE,
  SVI_MAX_ABS_A,
  SVI_MAX_ABS_K,
  SVI_MAX_ABS_M,
  SVI_MAX_B,
  SVI_MAX_SIGMA,
  type SviParams,
  sviTotalVariance,
  validateSvi,
} from './svi.js';
export {
  black76Put,
  type PremiumInputs,
  type PremiumQuote,
  putPremium,
  americanPutPremium,
  shiftedSpot,
} from './black76.js';
export { BGK_BETA_Q63, type LookbackInputs, lookbackPutQ62 } from './lookback.js';
