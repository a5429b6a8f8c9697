// The vault's continuous coverage: its ladder template and, per rung, the series that covers it
// now and when that series expires; a rung whose series expired unrolled shows as lapsed.
import type { Dashboard } from './data';
import { date, short, units, usd } from './format';

/** Seconds as whole days, hours or minutes when they are. */
function span(secs: number): string {
  const [n, unit] = secs % 86_400 === 0 ? [secs / 86_400, 'day'] : secs % 3_600 === 0 ? [secs / 3_600, 'hour'] : [secs / 60, 'minute'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

export function LadderCard({ d }: { d: Dashboard }) {
  const l = d.ladder;
  if (!l) {
    return (
      <section className="card" data-testid="ladder">
        <h2>Coverage ladder</h2>
        <p data-testid="no-ladder">No ladder: coverage ends with the last series the risk authority opened.</p>
      </section>
    );
  }
  const t = l.template;
  const state = (r: (typeof l.rungs)[number]) =>
    r.strikeBps === 0 ? 'retired' : r.expiry === null ? 'not rolled yet' : r.expiry <= d.now ? 'lapsed' : r.due ? 'live, next due' : 'live';
  const live = l.rungs.filter((r) => r.strikeBps !== 0 && r.expiry !== null && r.expiry > d.now);
  const coveredUntil = live.length === l.rungs.filter((r) => r.strikeBps !== 0).length && live.length > 0
    ? live.reduce((m, r) => (r.expiry! < m ? r.expiry! : m), live[0]!.expiry!)
    : null;
  return (
    <section className="card" data-testid="ladder">
      <h2>Coverage ladder</h2>
      <p data-testid="ladder-template">
        {l.stopped ? 'Stopped: nothing rolls.' : (
          <>
            Puts of {span(t.tenorSecs)}, rolled {span(t.overlapSecs)} before expiry; up to {units(t.sizeCap, d.vault.collateralDecimals)} each,
            {' '}{usd(t.budgetPerSeries, d.vault.quoteDecimals)} of premium per series. {l.rolled.toString()} rolled so far.
          </>
        )}
        {l.pendingAt !== 0n && <> A new template applies from {date(l.pendingAt)}.</>}
      </p>
      <p>Every rung covered until: <strong data-testid="covered-until" data-raw={coveredUntil?.toString() ?? ''}>{coveredUntil ? date(coveredUntil) : 'not every rung is covered'}</strong></p>
      <table data-testid="ladder-table">
        <thead><tr><th>rung</th><th>strike</th><th>series</th><th>expiry</th><th>state</th></tr></thead>
        <tbody>
          {l.rungs.map((r) => (
            <tr key={r.rung} data-rung={r.rung}>
              <td>{r.rung}</td>
              <td data-col="strike-bps" data-raw={r.strikeBps}>{r.strikeBps / 100} % of spot</td>
              <td data-col="series" data-raw={r.series ?? ''} title={r.series ?? ''}>{r.series ? short(r.series) : '—'}</td>
              <td data-col="expiry" data-raw={r.expiry?.toString() ?? ''}>{r.expiry ? date(r.expiry) : '—'}</td>
              <td data-col="state">{state(r)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
