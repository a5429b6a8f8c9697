// Coverage gauge: escrowed capacity against reported liabilities, and the solvency ratio
// against its trigger threshold, with the breach state.
import type { Dashboard } from './data';
import { pct, usd } from './format';

export type BreachBadge = 'armed' | 'pending' | 'confirmed' | 'released' | 'expired';

/** `expired`: a breach nobody re-observed in time is over (writes reopen, no more steps). */
export function breachBadge(d: Dashboard): BreachBadge {
  if (d.strength.breach === 'confirmed') return d.strength.released > 0n ? 'released' : 'confirmed';
  if (d.strength.breach === 'pending' || d.strength.breach === 'expired') return d.strength.breach;
  return d.strength.released > 0n ? 'released' : 'armed';
}

function Arc({ fraction, label, testid }: { fraction: number; label: string; testid: string }) {
  const f = Math.max(0, Math.min(1, fraction));
  const angle = Math.PI * (1 - f);
  const x = 100 + 80 * Math.cos(angle);
  const y = 100 - 80 * Math.sin(angle);
  return (
    <svg viewBox="0 0 200 115" className="gauge" data-testid={testid} data-fraction={f.toFixed(4)}>
      <path d="M20 100 A80 80 0 0 1 180 100" className="gauge-track" />
      {f > 0 && <path d={`M20 100 A80 80 0 0 1 ${x.toFixed(2)} ${y.toFixed(2)}`} className="gauge-fill" />}
      <text x="100" y="95" textAnchor="middle" className="gauge-label">{label}</text>
    </svg>
  );
}

export function CoverageGauge({ d }: { d: Dashboard }) {
  const q = d.vault.quoteDecimals;
  const s = d.strength;
  const badge = breachBadge(d);
  const threshold = d.vault.trigger.ratioThresholdBps;
  return (
    <section className="card gauges">
      <div>
        <h2>Coverage</h2>
        <Arc testid="coverage-gauge" fraction={s.liabilities === 0n ? (s.coverage > 0n ? 1 : 0) : Number(s.coverageRatioBps) / 10_000}
          label={s.liabilities === 0n ? 'no liabilities reported' : pct(s.coverageRatioBps)} />
        <dl>
          <dt>escrowed capacity</dt><dd data-testid="coverage" data-raw={s.coverage.toString()}>{usd(s.coverage, q)}</dd>
          <dt>reported liabilities</dt><dd data-testid="liabilities" data-raw={s.liabilities.toString()}>{usd(s.liabilities, q)}</dd>
          <dt>premium paid</dt><dd data-testid="premium-paid" data-raw={s.premiumPaid.toString()}>{usd(s.premiumPaid, q)}</dd>
          <dt>released</dt><dd data-testid="released" data-raw={s.released.toString()}>{usd(s.released, q)}</dd>
          <dt>premium reserve</dt><dd data-testid="reserve" data-raw={d.reserve.toString()}>{usd(d.reserve, q)}</dd>
        </dl>
      </div>
      <div>
        <h2>Solvency</h2>
        <Arc testid="ratio-gauge" fraction={d.ratioBps === null ? 0 : Number(d.ratioBps) / 20_000}
          label={d.ratioBps === null ? 'no ratio' : pct(d.ratioBps)} />
        <dl>
          <dt>solvency ratio</dt><dd data-testid="ratio" data-raw={d.ratioBps?.toString() ?? ''}>{d.ratioBps === null ? '—' : pct(d.ratioBps)}</dd>
          <dt>trigger threshold</dt><dd data-testid="threshold">{threshold > 0 ? pct(threshold) : 'off'}</dd>
          <dt>barrier</dt><dd data-testid="barrier">{d.vault.trigger.barrierPrice > 0n ? usd(d.vault.trigger.barrierPrice / 1_000_000n, 6) : 'off'}</dd>
          <dt>breach</dt><dd><span data-testid="breach-state" className={`badge ${badge}`}>{badge}</span></dd>
          {s.heldPrice !== null && (<><dt>held price</dt><dd data-testid="held-price" data-raw={s.heldPrice.toString()} title="highest price seen over the breach window: what a release step pays at">{usd(s.heldPrice / 1_000_000n, 6)}</dd></>)}
          {d.breachedNow.length > 0 && (<><dt>breached now</dt><dd data-testid="breached-now">{d.breachedNow.join(', ')}</dd></>)}
        </dl>
      </div>
    </section>
  );
}
