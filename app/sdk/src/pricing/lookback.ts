// Discretely monitored fixed-strike lookback put on the minimum (mirror of math/lookback.rs;
// see there for the formula, the regimes of the minimum's value, the formats and the bounds).
// Every Rust checked operation keeps its check here (same error, same order), so the two agree
// to the last integer unit (tests/vectors/lookback.json).

import { black76CoreQ62 } from './black76.js';
import { fail } from './errors.js';
import { discountFactorQ62, expFixed, gaussExp } from './exp.js';
import { lnRatio } from './ln.js';
import { normCdfNeg, normTail, ONE_Q63, TAIL_CUT_Q57 } from './ncdf.js';
import {
  abs,
  addU128,
  addU64,
  assertType,
  divWide,
  hi64,
  isqrtU128,
  lo64,
  mulU128U64,
  mulWide,
  negI128,
  negI64,
  subU64,
  toI128,
  toI64,
  toU64,
  U64_MAX,
} from './wide.js';

/** `round(beta * 2^63)`, `beta = -zeta(1/2) / sqrt(2 pi) = 0.58259715793901067`. */
export const BGK_BETA_Q63 = 5_373_510_335_285_736_365n;
/** `round(2^64 / sqrt(2 pi))`. */
const INV_SQRT_2PI_Q64 = 7_359_186_146_747_302_452n;
const ONE_Q62 = 1n << 62n;
/** Up to `a = 2^-10` (Q57: `2^47`) the series is used, above it the direct formula. */
const A_SERIES_MAX_Q57 = 1n << 47n;
/** `|y| <= 63` in Q57: the normal CDF is exactly 0 or 1 at Q63 well before. */
const CDF_ARG_MAX_Q57 = 63n << 57n;

/** Inputs of `lookbackPutQ62` (all bigint; units as in Rust `LookbackInputs`). */
export interface LookbackInputs {
  /** Spot, which is also the running minimum at the start, PRICE_SCALE units, > 0 (u64). */
  spot: bigint;
  /** Strike, PRICE_SCALE units, > 0 (u64). */
  strike: bigint;
  /** Total variance `w` at the strike, Q56 (u64). */
  wQ56: bigint;
  /** `r tau`, Q57 (i64), in `[0, 1]`. */
  rtQ57: bigint;
  /** Seconds to expiry, > 0 (u64). */
  tenorSecs: bigint;
  /** Seconds between monitoring dates (u64; 0 is continuous monitoring). */
  intervalSecs: bigint;
}

/** Rust `smul`: `sign(a b) floor(|a| |b| / 2^shift)`; the smaller factor must fit u64. */
function smul(a: bigint, b: bigint, shift: bigint): bigint {
  const ma = abs(a);
  const mb = abs(b);
  const [big, small] = mb > ma ? [mb, ma] : [ma, mb];
  const mag = toI128(mulU128U64(big, toU64(small)) >> shift);
  return a < 0n !== b < 0n ? negI128(mag) : mag;
}

/** Rust `sdiv`: `v / d` truncated toward zero (`div_wide` on the magnitude). */
function sdiv(v: bigint, d: bigint): bigint {
  const mag = divWide(abs(v), d);
  return v < 0n ? negI128(mag) : mag;
}

/** `phi(d)` in Q63 for a Q57 `0 <= d < 16`. */
function gaussDensityQ63(d: bigint): bigint {
  const [mant, n] = gaussExp(d);
  const shift = addU64(64n, abs(n));
  if (shift >= 128n) return 0n;
  return toU64(mulWide(mant, INV_SQRT_2PI_Q64) >> shift);
}

/** `n 2^60 / s60` (Q57), or null when it would not fit u64. */
function overS(n: bigint, s60: bigint): bigint | null {
  const num = n << 60n;
  if (hi64(num) >= s60) return null;
  return divWide(num, s60);
}

interface AtD {
  d: bigint;
  tail: bigint;
  phi: bigint;
  psi: bigint;
}

/** `g1 + a g2/2 + a^2 g3/6` in Q63 (i128 throughout, as in Rust `series_q63`). */
function seriesQ63(at: AtD, x57: bigint, wQ56: bigint, s57: bigint, a: bigint): bigint {
  // g2 and g3 in Q40 (they only enter times a <= 2^-10 and a^2); g1 exact to Q63.
  const q40 = (v: bigint, from: bigint) => v >> (from - 40n);
  const [x, w, s, d] = [q40(x57, 57n), q40(wQ56, 56n), q40(s57, 57n), q40(at.d, 57n)];
  const { tail, phi, psi } = at;
  const g1 = smul(s57, psi, 57n);
  const g2 = negI128(smul(smul(s, toI128(x - (w >> 1n)), 40n), psi, 63n));
  const x2 = x === 0n ? 0n : smul(x, x, 40n);
  const x3 = x === 0n ? 0n : smul(x2, x, 40n);
  const w2 = smul(w, w, 40n);
  const w3_8 = smul(w2, w, 40n) >> 3n;
  const t1 = negI128(smul(toI128(x3 + w3_8), tail, 63n));
  // (3s/2)(x^2 + w^2/4) - (s^3/2) d^2 - s^3/4, Q40: one multiply by phi.
  const s3 = smul(smul(s, s, 40n), s, 40n);
  const first3 = toI128(smul(s, toI128(x2 + (w2 >> 2n)), 40n) * 3n) >> 1n;
  const byPhi = toI128(toI128(first3 - (smul(s3, smul(d, d, 40n), 40n) >> 1n)) - (s3 >> 2n));
  const g3 = toI128(t1 + smul(byPhi, phi, 63n));
  const first = toI128(g1 + sdiv(smul(a, g2, 34n), 2n));
  return toI128(first + sdiv(smul(smul(a, a, 57n), g3, 34n), 6n));
}

/** The European core's output that the minimum reuses. */
interface Core {
  df: bigint;
  n1: bigint;
  n2: bigint;
}

/** `(A - B) / a` in Q63 above the series range (Rust `direct_q63`; `a` never formed; the
 * CDFs the core already has are reused: `N(-(d + rt/s)) = N(-d1)`, and at `x = 0`
 * `N(-(d - rt/s)) = 1 - N(-d2)`). */
function directQ63(at: AtD, x: bigint, wQ56: bigint, s60: bigint, rt: bigint, core: Core): bigint {
  let nA: bigint;
  if (x === 0n) {
    nA = subU64(ONE_Q63, core.n2);
  } else {
    const c = overS(rt, s60) ?? CDF_ARG_MAX_Q57; // rt / s, Q57
    const v = toI128(at.d - c);
    nA = normCdfNeg(
      toI64(v < -CDF_ARG_MAX_Q57 ? -CDF_ARG_MAX_Q57 : v > CDF_ARG_MAX_Q57 ? CDF_ARG_MAX_Q57 : v),
    );
  }
  const nB = core.n1;
  // e^(-a x) with a x = x rt / w in Q57; from 64 on it is 0 at Q64.
  const xr = mulWide(x, rt);
  const ax = hi64(xr) >= wQ56 ? U64_MAX : divWide(xr, wQ56);
  const eAx = ax >= 64n << 57n ? 0n : expFixed(negI64(toI64(ax)));
  const aVal = mulU128U64(eAx, nA) >> 64n;
  const eRt = divWide(1n << 124n, core.df); // e^rt = 1 / DF, Q62
  const bVal = mulWide(eRt, nB) >> 62n;
  const diff = toU64(aVal > bVal ? aVal - bVal : 0n);
  const num = mulWide(diff, wQ56);
  return hi64(num) >= rt ? U64_MAX : divWide(num, rt);
}

/** The value of the minimum in price units times 2^62 (Rust `minimum_value_q62`). */
function minimumValueQ62(
  spot: bigint,
  x: bigint,
  wQ56: bigint,
  s60: bigint,
  rt: bigint,
  core: Core,
): bigint {
  const s57 = s60 >> 3n;
  const q = overS(x, s60);
  if (q === null) return 0n; // d >= 2^7: the minimum adds nothing at this resolution
  const d = addU64(q, s57 >> 1n);
  const tail = normTail(d);
  // Rust shares e^(-d^2/2) with the tail, which stops at the cut-off (the density is 0 there).
  const phi = d >= TAIL_CUT_Q57 ? 0n : gaussDensityQ63(d);
  const dTail = toU64(mulWide(d, tail) >> 57n);
  const at: AtD = { d, tail, phi, psi: phi > dTail ? phi - dTail : 0n };
  let g: bigint;
  if (rt === 0n) {
    g = smul(s57, at.psi, 57n);
  } else {
    const num = rt << 57n;
    let smallA: bigint | null = null;
    if (hi64(num) < wQ56) {
      const a = divWide(num, wQ56);
      if (a <= A_SERIES_MAX_Q57) smallA = a;
    }
    // Rust shifts a u64 (`w_q56 << 1`): the bits above 64 are dropped there, so here too.
    g =
      smallA !== null
        ? seriesQ63(at, x, wQ56, s57, smallA)
        : directQ63(at, x, wQ56, s60, rt, core);
  }
  const gU = toU64(g > 0n ? g : 0n);
  const gdf = toU64(mulWide(gU, core.df) >> 62n);
  return mulWide(spot, gdf) >> 1n;
}

/** The continuous lookback `LB(K)` in price units times 2^62 (Rust `continuous_q62`); `x` is
 * `ln(S/K)` (Q57, >= 0), the caller's, and 0 for the K > S branch's K = S. */
function continuousQ62(
  spot: bigint,
  strike: bigint,
  x: bigint,
  wQ56: bigint,
  s60: bigint,
  rt: bigint,
  df: bigint,
): bigint {
  if (strike > spot) {
    const gap = mulWide(strike - spot, df);
    return addU128(gap, continuousQ62(spot, spot, 0n, wQ56, s60, rt, df));
  }
  const kf = toI64(negI64(toI64(x)) - rt); // ln(K / F)
  const core = black76CoreQ62(strike, spot, kf, rt, wQ56);
  const minimum = minimumValueQ62(spot, x, wQ56, s60, abs(rt), core);
  return addU128(core.d, minimum);
}

/**
 * The discretely monitored lookback put `P(K) = e^h LB(K e^-h)` per unit of collateral, in
 * PRICE_SCALE units times 2^62 (Rust `lookback_put_q62`). Throws MathError `RateOutOfRange`
 * (rt < 0), `ZeroSpot`, `ZeroStrike`, `ZeroTenor` (in that order), and `Overflow` etc. where
 * Rust does; a RangeError if a field is not of its Rust integer type.
 */
export function lookbackPutQ62(i: LookbackInputs, lnKsQ57?: bigint): bigint {
  assertType(i.spot, 'u64', 'spot');
  assertType(i.strike, 'u64', 'strike');
  assertType(i.wQ56, 'u64', 'wQ56');
  assertType(i.rtQ57, 'i64', 'rtQ57');
  assertType(i.tenorSecs, 'u64', 'tenorSecs');
  assertType(i.intervalSecs, 'u64', 'intervalSecs');
  if (i.rtQ57 < 0n) fail('RateOutOfRange');
  if (i.spot === 0n) fail('ZeroSpot');
  if (i.strike === 0n) fail('ZeroStrike');
  if (i.tenorSecs === 0n) fail('ZeroTenor');
  const df = i.rtQ57 === 0n ? ONE_Q62 : discountFactorQ62(i.rtQ57);
  // ln(K/S), Q57: putPremium passes the one it already has (Rust `lookback_put_with_df_q62`).
  const lnKs = lnKsQ57 ?? lnRatio(i.strike, i.spot);
  const s60 = isqrtU128(i.wQ56 << 64n);
  if (s60 === 0n) {
    // No variance: only the intrinsic value is left.
    return mulWide(i.strike > i.spot ? i.strike - i.spot : 0n, df);
  }
  // h = beta s sqrt(min(1, dt / tau)), Q57.
  const ratio =
    i.intervalSecs >= i.tenorSecs ? U64_MAX : divWide(i.intervalSecs << 64n, i.tenorSecs);
  const root = isqrtU128(ratio << 64n); // Q64
  const h60 = toU64(mulWide(toU64(mulWide(s60, root) >> 64n), BGK_BETA_Q63) >> 63n);
  const h57 = toI64(h60 >> 3n);
  const down = expFixed(negI64(h57)); // Q64, <= 1
  const shifted = toU64(mulU128U64(down, i.strike) >> 64n);
  const strikeC = shifted > 1n ? shifted : 1n;
  // ln(S / K e^-h) = h - ln(K/S), Q57 (Rust reuses put_premium's logarithm; same integer).
  const xRaw = toI64(h57 - lnKs);
  const x = xRaw > 0n ? xRaw : 0n;
  const lb = continuousQ62(i.spot, strikeC, x, i.wQ56, s60, i.rtQ57, df);
  // LB e^h with e^h = 1 / e^-h in Q48 (h < 11): the exact 192-bit product >> 48, refused above
  // u128 as in Rust.
  const up = down <= U64_MAX ? divWide(1n << 112n, down) : 1n << 48n;
  const hi = mulWide(hi64(lb), up);
  const lo = mulWide(lo64(lb), up);
  if (hi64(hi) >= 1n << 48n) fail('Overflow');
  return addU128(hi << 16n, lo >> 48n);
}
