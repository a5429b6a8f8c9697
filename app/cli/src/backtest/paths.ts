// Price paths the backtest replays: generated Merton jump-diffusion paths (with an optional
// deterministic crash for CI), and reading a path between its points. Floats live here only:
// every price is turned into the oracle's integer before it reaches the chain.

import { SeededRandom } from './prng';

/** One close of the path: unix seconds and the price in quote units per collateral unit. */
export interface PricePoint {
  time: number;
  price: number;
}

export const SECONDS_PER_YEAR = 365 * 86_400;

export interface JumpDiffusionParams {
  seed: number;
  /** Unix seconds of the first point. */
  start: number;
  durationSecs: number;
  stepSecs: number;
  spot: number;
  /** Annualised diffusion volatility and drift. */
  vol: number;
  drift: number;
  /** Jumps per year, and the mean and volatility of each jump's log size. */
  jumpIntensity: number;
  jumpMean: number;
  jumpVol: number;
  /** A deterministic drop of `size` (0..1) at the first step at or after `atSecs` from the
   * start, undone `forSecs` later when given (a flash crash), else for good. */
  crash?: { atSecs: number; size: number; forSecs?: number };
}

/** Merton's jump diffusion, exact in log space per step: drift compensated for the jumps (so
 * the expected return is `drift`), a Gaussian diffusion step and a Poisson number of normal log
 * jumps. */
export function jumpDiffusionPath(p: JumpDiffusionParams): PricePoint[] {
  const rng = new SeededRandom(p.seed);
  const dt = p.stepSecs / SECONDS_PER_YEAR;
  const meanJump = Math.exp(p.jumpMean + (p.jumpVol * p.jumpVol) / 2) - 1;
  const logDrift = (p.drift - p.jumpIntensity * meanJump - (p.vol * p.vol) / 2) * dt;
  const steps = Math.floor(p.durationSecs / p.stepSecs);
  let logPrice = Math.log(p.spot);
  let crashedAt: number | null = null;
  let recovered = p.crash?.forSecs === undefined;
  const points: PricePoint[] = [{ time: p.start, price: p.spot }];
  for (let i = 1; i <= steps; i++) {
    logPrice += logDrift + p.vol * Math.sqrt(dt) * rng.normal();
    const jumps = rng.poisson(p.jumpIntensity * dt);
    for (let j = 0; j < jumps; j++) logPrice += p.jumpMean + p.jumpVol * rng.normal();
    const elapsed = i * p.stepSecs;
    if (p.crash && crashedAt === null && elapsed >= p.crash.atSecs) {
      logPrice += Math.log(1 - p.crash.size);
      crashedAt = elapsed;
    } else if (p.crash && crashedAt !== null && !recovered && elapsed >= crashedAt + p.crash.forSecs!) {
      logPrice -= Math.log(1 - p.crash.size);
      recovered = true;
    }
    points.push({ time: p.start + i * p.stepSecs, price: Math.exp(logPrice) });
  }
  return points;
}

/** Reads a path at increasing times: linear between closes (the oracle moves continuously
 * between them), flat after the last. */
export class PathCursor {
  private i = 0;
  constructor(private readonly points: PricePoint[]) {}

  at(time: number): number {
    const pts = this.points;
    while (this.i + 1 < pts.length && pts[this.i + 1]!.time <= time) this.i++;
    const a = pts[this.i]!;
    const b = pts[this.i + 1];
    if (!b || time <= a.time) return a.price;
    return a.price + ((b.price - a.price) * (time - a.time)) / (b.time - a.time);
  }
}

/** Exponent of the simulated Pyth feed (SOL/USD publishes at 10^-8). */
export const FEED_EXPONENT = -8;

/** A price as the feed's integer at 10^-8 (at least 1: the feed never publishes zero). */
export function feedInteger(price: number): bigint {
  const v = BigInt(Math.round(price * 1e8));
  return v > 0n ? v : 1n;
}

/** The feed's integer in the program's PRICE_SCALE (10^-12): exactly what the oracle reads. */
export const feedToPriceScale = (feed: bigint) => feed * 10_000n;
