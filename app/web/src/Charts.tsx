// The volatility skew and the premium curve of one series, from its on-chain SVI slice: implied
// vol by strike (sqrt of the annualised SVI variance) and the premium the program would pay per
// unit now (the SDK's exact mirror of the on-chain engine: the lookback put the vault delivers
// on its release grid), against the European put's premium for comparison.
import { PRICE_SCALE, putPremium, type SeriesView } from '@backstop/sdk';
import type { Dashboard } from './data';

type Pt = [number, number];

/** Annualised implied vol at log-moneyness k (display only: floats are fine off-chain). */
export function sviVol(s: SeriesView, k: number): number {
  const p = s.data.svi;
  const f = (x: bigint) => Number(x) / 1e9;
  const [a, b, rho, m, sigma] = [f(p.a), f(p.b), f(p.rho), f(p.m), f(p.sigma)];
  const v = a + b * (rho * (k - m) + Math.sqrt((k - m) ** 2 + sigma ** 2));
  return Math.sqrt(Math.max(v, 0));
}

function LineChart({ points, compare, xLabel, yLabel, testid, markX }: { points: Pt[]; compare?: Pt[]; xLabel: string; yLabel: string; testid: string; markX?: number }) {
  const W = 420, H = 220, L = 52, B = 34, T = 10, R = 12;
  if (points.length < 2) return <p data-testid={`${testid}-empty`}>Not enough points to plot.</p>;
  const xs = points.map((p) => p[0]);
  const ys = [...points, ...(compare ?? [])].map((p) => p[1]);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [0, Math.max(...ys) * 1.1 || 1];
  const sx = (x: number) => L + ((x - x0) / (x1 - x0 || 1)) * (W - L - R);
  const sy = (y: number) => H - B - ((y - y0) / (y1 - y0 || 1)) * (H - B - T);
  const path = (pts: Pt[]) => pts.map((p, i) => `${i ? 'L' : 'M'}${sx(p[0]).toFixed(1)} ${sy(p[1]).toFixed(1)}`).join(' ');
  const d = path(points);
  const ticks = (lo: number, hi: number) => [0, 0.25, 0.5, 0.75, 1].map((t) => lo + t * (hi - lo));
  return (
    <svg viewBox={`0 0 ${W} ${H}`} className="chart" data-testid={testid} data-points={points.length} data-compare-points={compare?.length ?? 0}>
      <line x1={L} y1={H - B} x2={W - R} y2={H - B} className="axis" />
      <line x1={L} y1={T} x2={L} y2={H - B} className="axis" />
      {ticks(x0, x1).map((x) => <text key={`x${x}`} x={sx(x)} y={H - B + 14} textAnchor="middle" className="tick">{x.toFixed(x1 - x0 < 5 ? 2 : 0)}</text>)}
      {ticks(y0, y1).map((y) => <text key={`y${y}`} x={L - 6} y={sy(y) + 4} textAnchor="end" className="tick">{y.toFixed(y1 < 5 ? 2 : 0)}</text>)}
      <text x={(L + W - R) / 2} y={H - 4} textAnchor="middle" className="axis-label">{xLabel}</text>
      <text x={12} y={(T + H - B) / 2} textAnchor="middle" transform={`rotate(-90 12 ${(T + H - B) / 2})`} className="axis-label">{yLabel}</text>
      {markX !== undefined && markX >= x0 && markX <= x1 && <line x1={sx(markX)} y1={T} x2={sx(markX)} y2={H - B} className="marker" data-testid={`${testid}-marker`} />}
      <path d={d} className="line" />
      {compare && compare.length > 1 && <path d={path(compare)} className="line compare" />}
    </svg>
  );
}

export function SeriesCharts({ d, series }: { d: Dashboard; series: SeriesView | undefined }) {
  if (!series) return <section className="card"><h2>Skew</h2><p>Select a series.</p></section>;
  const q = d.vault.quoteDecimals;
  const strikeUsd = Number(series.data.strike) / 10 ** q;
  const spot = d.price ? Number(d.price.price) / Number(PRICE_SCALE) : null;
  const centre = spot ?? strikeUsd;
  const grid = Array.from({ length: 41 }, (_, i) => centre * (0.4 + (0.9 * i) / 40));
  const skew: Pt[] = grid.map((k) => [k, 100 * sviVol(series, Math.log(k / centre))]);
  const tenor = series.data.expiry - d.now;
  const premiums: Pt[] = [];
  const european: Pt[] = [];
  if (d.price && tenor > 0n) {
    const price = d.price;
    const at = (k: number, releaseIntervalSecs: bigint) => putPremium({
      spot: price.price, strike: BigInt(Math.round(k * 1e6)) * 1_000_000n, confidence: price.conf, tenorSecs: tenor,
      svi: series.data.svi, rate: d.vault.pricing.rate, confMultiplierBps: BigInt(d.vault.pricing.confMultiplierBps),
      tailLoadingBps: BigInt(d.vault.pricing.tailLoadingBps), minPremium: d.vault.pricing.minPremium, releaseIntervalSecs,
    });
    for (const k of grid) {
      try {
        premiums.push([k, Number(at(k, BigInt(d.vault.release.releaseIntervalSecs)).premium) / Number(PRICE_SCALE)]);
        european.push([k, Number(at(k, 0n).premium) / Number(PRICE_SCALE)]);
      } catch {
        // outside the engine's domain at this strike: leave the point out
      }
    }
  }
  return (
    <section className="card charts">
      <div>
        <h2>Volatility skew</h2>
        <LineChart testid="skew-chart" points={skew} xLabel={spot ? 'strike ($)' : 'strike ($, spot unknown: centred on the strike)'} yLabel="implied vol (%)" markX={strikeUsd} />
      </div>
      <div>
        <h2>Premium curve</h2>
        <p className="legend">solid: what the vault delivers (lookback on its release grid), as paid; dashed: the European put</p>
        {premiums.length > 1
          ? <LineChart testid="premium-chart" points={premiums} compare={european} xLabel="strike ($)" yLabel="premium per unit ($)" markX={strikeUsd} />
          : <p data-testid="premium-chart-missing">{tenor <= 0n ? 'The series has expired.' : 'Give the price account (?price=) to price the curve.'}</p>}
      </div>
    </section>
  );
}
