// Errors of the pricing engine: the same names, in the same order, as the Rust
// `MathError` enum (programs/backstop/src/math/error.rs).

/** Variant names of Rust's `MathError`, in declaration order. */
export const MATH_ERROR_NAMES = [
  'Overflow',
  'Underflow',
  'DivisionByZero',
  'LnOfZero',
  'ExpOverflow',
  'LogMoneynessOutOfRange',
  'ZeroSpot',
  'ZeroStrike',
  'ShiftedSpotNonPositive',
  'ConfMultiplierTooLarge',
  'TailLoadingBelowOne',
  'TailLoadingTooLarge',
  'ZeroTenor',
  'TenorTooLong',
  'RateOutOfRange',
  'VolatilityTooLarge',
  'SviNegativeB',
  'SviBTooLarge',
  'SviRhoOutOfRange',
  'SviSigmaNonPositive',
  'SviSigmaTooLarge',
  'SviAOutOfRange',
  'SviMOutOfRange',
  'SviNegativeVariance',
  'SviLeeBoundViolated',
  'SviButterflyArbitrage',
  'SviAtmVolOutOfRange',
] as const;

export type MathErrorName = (typeof MATH_ERROR_NAMES)[number];

/** Thrown wherever the Rust engine returns `Err(MathError::<code>)`. */
export class MathError extends Error {
  readonly code: MathErrorName;

  constructor(code: MathErrorName) {
    super(`MathError::${code}`);
    this.name = 'MathError';
    this.code = code;
  }
}

/** Throws `MathError(code)`; typed `never` so it can end an expression. */
export function fail(code: MathErrorName): never {
  throw new MathError(code);
}
