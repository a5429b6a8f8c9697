// Calibration of a raw-SVI slice to implied-volatility quotes (off-chain, floating point): the
// quasi-explicit method — for each (m, sigma) the slice is linear in (a, d, c) with
// w(k) = a + d y + c sqrt(y^2 + 1), y = (k - m) / sigma, c = b sigma, d = rho b sigma — solved by
// least squares on total variance under c >= 0 and |d| < c (b >= 0, |rho| < 1), with (m, sigma)
// searched on a grid and refined by Nelder-Mead. The result is in the program's units
// (annualised, PARAM_SCALE); whether the program accepts it is a separate check.
import { PARAM_SCALE, SECONDS_PER_YEAR } from './pricing/index';

export interface VolQuote {
  /** Strike, in quote units per collateral unit (a plain number: off-chain). */
  strike: number;
  /** Annualised implied volatility, e.g. 0.65. */
  iv: number;
}

export interface SviFit {
  /** Annualised raw SVI: total variance w(k) = T (a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2))). */
  slice: { a: number; b: number; rho: number; m: number; sigma: number };
  /** The same in the program's fixed point (PARAM_SCALE = 10^9), as `open_series` takes it. */
  params: { a: bigint; b: bigint; rho: bigint; m: bigint; sigma: bigint };
  /** Per quote: log-moneyness k = ln(K / F), the quote's and the fit's implied volatility. */
  points: { strike: number; k: number; iv: number; fitIv: number; error: number }[];
  /** Root mean square of the implied-volatility errors. */
  rmse: number;
}

export class SviFitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SviFitError';
  }
}

/** Least squares of `w ~ X beta` for 1 to 3 columns (normal equations, Gaussian elimination). */
function leastSquares(columns: number[][], w: number[]): number[] | null {
  const n = columns.length;
  const A = columns.map((ci) => columns.map((cj) => ci.reduce((s, x, t) => s + x * cj[t]!, 0)));
  const rhs = columns.map((ci) => ci.reduce((s, x, t) => s + x * w[t]!, 0));
  for (let i = 0; i < n; i++) {
    let p = i;
    for (let r = i + 1; r < n; r++) if (Math.abs(A[r]![i]!) > Math.abs(A[p]![i]!)) p = r;
    if (Math.abs(A[p]![i]!) < 1e-300) return null;
    [A[i], A[p]] = [A[p]!, A[i]!];
    [rhs[i], rhs[p]] = [rhs[p]!, rhs[i]!];
    for (let r = i + 1; r < n; r++) {
      const f = A[r]![i]! / A[i]![i]!;
      for (let c = i; c < n; c++) A[r]![c]! -= f * A[i]![c]!;
      rhs[r]! -= f * rhs[i]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = rhs[i]!;
    for (let c = i + 1; c < n; c++) s -= A[i]![c]! * x[c]!;
    x[i] = s / A[i]![i]!;
  }
  return x;
}

/** The largest |rho| fitted: the program takes |rho| < 1 strictly. */
const RHO_MAX = 1 - 1e-6;

/** The best (a, d, c) for fixed (m, sigma) under c >= 0, |d| <= RHO_MAX c, and its squared error. */
function inner(k: number[], w: number[], m: number, sigma: number): { a: number; d: number; c: number; sse: number } {
  const y = k.map((x) => (x - m) / sigma);
  const root = y.map((v) => Math.sqrt(v * v + 1));
  const ones = k.map(() => 1);
  const sse = (a: number, d: number, c: number) => w.reduce((s, wi, i) => s + (a + d * y[i]! + c * root[i]! - wi) ** 2, 0);
  const candidates: { a: number; d: number; c: number }[] = [];
  const free = leastSquares([ones, y, root], w);
  if (free && free[2]! >= 0 && Math.abs(free[1]!) <= RHO_MAX * free[2]!) candidates.push({ a: free[0]!, d: free[1]!, c: free[2]! });
  // On the boundary: d = +-RHO_MAX c (rho at its bound), or a flat slice.
  for (const sign of [RHO_MAX, -RHO_MAX]) {
    const col = y.map((v, i) => sign * v + root[i]!);
    const s = leastSquares([ones, col], w);
    if (s) {
      const c = Math.max(0, s[1]!);
      candidates.push({ a: c === s[1] ? s[0]! : w.reduce((p, q) => p + q, 0) / w.length, d: sign * c, c });
    }
  }
  candidates.push({ a: w.reduce((p, q) => p + q, 0) / w.length, d: 0, c: 0 });
  let best = { ...candidates[0]!, sse: Infinity };
  for (const cand of candidates) {
    const e = sse(cand.a, cand.d, cand.c);
    if (e < best.sse) best = { ...cand, sse: e };
  }
  return best;
}

/** Nelder-Mead on two variables (deterministic, a fixed number of iterations). */
function nelderMead(f: (x: number[]) => number, start: number[], step: number[], iterations = 400): number[] {
  let simplex = [start, [start[0]! + step[0]!, start[1]!], [start[0]!, start[1]! + step[1]!]].map((x) => ({ x, v: f(x) }));
  for (let it = 0; it < iterations; it++) {
    simplex.sort((p, q) => p.v - q.v);
    const [best, mid, worst] = simplex as [typeof simplex[0], typeof simplex[0], typeof simplex[0]];
    const centroid = [0, 1].map((i) => (best.x[i]! + mid.x[i]!) / 2);
    const along = (t: number) => centroid.map((c, i) => c + t * (c - worst.x[i]!));
    const reflected = along(1);
    const fr = f(reflected);
    if (fr < best.v) {
      const expanded = along(2);
      const fe = f(expanded);
      simplex[2] = fe < fr ? { x: expanded, v: fe } : { x: reflected, v: fr };
    } else if (fr < mid.v) {
      simplex[2] = { x: reflected, v: fr };
    } else {
      const contracted = along(-0.5);
      const fc = f(contracted);
      if (fc < worst.v) simplex[2] = { x: contracted, v: fc };
      else simplex = simplex.map((p, i) => (i === 0 ? p : { x: p.x.map((v, j) => best.x[j]! + (v - best.x[j]!) / 2), v: f(p.x.map((v, j) => best.x[j]! + (v - best.x[j]!) / 2)) }));
    }
  }
  simplex.sort((p, q) => p.v - q.v);
  return simplex[0]!.x;
}

const toParam = (x: number) => BigInt(Math.round(x * Number(PARAM_SCALE)));

/** Fits a raw-SVI slice to `quotes` at `spot` for a tenor of `tenorSecs` and a continuously
 * compounded annual `rate` (the forward is `spot e^{rT}`). At least five quotes at five strikes. */
export function fitSvi(quotes: VolQuote[], spot: number, tenorSecs: number, rate = 0): SviFit {
  if (!(spot > 0)) throw new SviFitError('the spot must be positive');
  if (!(tenorSecs > 0)) throw new SviFitError('the tenor must be positive');
  const strikes = new Set(quotes.map((q) => q.strike));
  if (quotes.length < 5 || strikes.size < 5) throw new SviFitError(`an SVI slice has five parameters: give at least five quotes at five strikes (got ${strikes.size})`);
  for (const q of quotes) {
    if (!(q.strike > 0)) throw new SviFitError(`strike ${q.strike} is not positive`);
    if (!(q.iv > 0 && q.iv < 10)) throw new SviFitError(`implied volatility ${q.iv} at strike ${q.strike} is not between 0 and 1000 %`);
  }
  const T = tenorSecs / Number(SECONDS_PER_YEAR);
  const forward = spot * Math.exp(rate * T);
  const k = quotes.map((q) => Math.log(q.strike / forward));
  const w = quotes.map((q) => q.iv * q.iv * T);
  const span = Math.max(...k) - Math.min(...k);
  const objective = ([m, logSigma]: number[]) => inner(k, w, m!, Math.exp(logSigma!)).sse;
  // Coarse grid over m around the quoted range and sigma from 0.5 % to 200 %, then refine.
  let start = [0, Math.log(0.1)];
  let bestValue = Infinity;
  for (let i = 0; i <= 30; i++) {
    for (let j = 0; j <= 30; j++) {
      const x = [Math.min(...k) - span / 2 + (2 * span * i) / 30, Math.log(0.005) + ((Math.log(2) - Math.log(0.005)) * j) / 30];
      const v = objective(x);
      if (v < bestValue) [bestValue, start] = [v, x];
    }
  }
  const [m, logSigma] = nelderMead(objective, start, [span / 30 || 0.01, 0.2]);
  const sigma = Math.exp(logSigma!);
  const { a, d, c } = inner(k, w, m!, sigma);
  const b = c / sigma;
  const slice = { a: a / T, b: b / T, rho: c > 0 ? d / c : 0, m: m!, sigma };
  const total = (x: number) => a + b * (slice.rho * (x - slice.m) + Math.sqrt((x - slice.m) ** 2 + sigma * sigma));
  const points = quotes.map((q, i) => {
    const fitIv = Math.sqrt(Math.max(0, total(k[i]!)) / T);
    return { strike: q.strike, k: k[i]!, iv: q.iv, fitIv, error: fitIv - q.iv };
  });
  const rmse = Math.sqrt(points.reduce((s, p) => s + p.error * p.error, 0) / points.length);
  return {
    slice,
    params: { a: toParam(slice.a), b: toParam(slice.b), rho: toParam(slice.rho), m: toParam(slice.m), sigma: toParam(slice.sigma) },
    points,
    rmse,
  };
}

/** `strike,iv` lines (a header line is skipped; iv as a decimal or with a % sign). */
export function parseVolQuotes(csv: string): VolQuote[] {
  const out: VolQuote[] = [];
  csv.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const cells = line.split(',').map((c) => c.trim());
    if (i === 0 && !Number.isFinite(Number(cells[0])) && /[a-z]/i.test(cells[0]!)) return; // a header
    if (cells.length !== 2) throw new SviFitError(`line ${i + 1}: expected "strike,iv", got "${line}"`);
    const strike = Number(cells[0]);
    const pct = cells[1]!.endsWith('%');
    const iv = Number(pct ? cells[1]!.slice(0, -1) : cells[1]) / (pct ? 100 : 1);
    if (!Number.isFinite(strike) || !Number.isFinite(iv) || cells[0] === '' || cells[1] === '') throw new SviFitError(`line ${i + 1}: "${line}" is not two numbers`);
    out.push({ strike, iv });
  });
  return out;
}
