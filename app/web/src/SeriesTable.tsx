// Every series of the vault: strike, expiry, size, premium, moneyness, what release steps
// advanced, what settlement at today's price would still pay, when it may step next, payouts.
import { isInTheMoney, seriesRelease, type SeriesView } from '@backstop/sdk';
import type { Dashboard } from './data';
import { date, short, units, usd } from './format';

export function SeriesTable({ d, selected, onSelect }: { d: Dashboard; selected: string | null; onSelect: (s: string) => void }) {
  const q = d.vault.quoteDecimals;
  const c = d.vault.collateralDecimals;
  const money = (s: SeriesView) => (d.price ? (isInTheMoney(d.vault, s.data, d.price.price) ? 'ITM' : 'OTM') : '—');
  return (
    <section className="card">
      <h2>Series</h2>
      {d.series.length === 0 ? <p data-testid="no-series">No series yet.</p> : (
        <table data-testid="series-table">
          <thead><tr>
            <th>series</th><th>strike</th><th>expiry</th><th>written</th><th>premium paid</th><th>moneyness</th>
            <th title="paid to the protocol by release steps (a lookback: never given back)">advanced</th>
            <th title="what settlement at today's price would still pay beyond the advances">owed at expiry</th>
            <th title="start of the next release-interval slot after the last step">next step</th>
            <th>payouts</th><th>status</th>
          </tr></thead>
          <tbody>
            {d.series.map((s) => {
              const r = seriesRelease(d.vault, s.data, d.price?.price);
              const owed = s.settled ? 0n : r.stillOwedAtPrice;
              return (
                <tr key={s.address} data-series={s.address} className={s.address === selected ? 'selected' : ''} onClick={() => onSelect(s.address)}>
                  <td title={s.address}>{short(s.address)}</td>
                  <td data-col="strike" data-raw={s.data.strike.toString()}>{usd(s.data.strike, q)}</td>
                  <td>{date(s.data.expiry)}</td>
                  <td data-col="written" data-raw={s.data.writtenSize.toString()}>{units(s.data.writtenSize, c)}</td>
                  <td data-col="premium" data-raw={s.data.premiumPaid.toString()}>{usd(s.data.premiumPaid, q)}</td>
                  <td data-col="moneyness">{money(s)}</td>
                  <td data-col="advanced" data-raw={s.data.advanced.toString()}>{usd(s.data.advanced, q)}</td>
                  <td data-col="owed-at-expiry" data-raw={owed?.toString() ?? ''}>{owed === null ? '—' : usd(owed, q)}</td>
                  <td data-col="next-step" data-raw={r.nextStepAt.toString()}>{s.settled ? '—' : r.nextStepAt === 0n ? 'no step yet' : date(r.nextStepAt)}</td>
                  <td data-col="payouts" data-raw={s.data.payoutTotal.toString()}>{usd(s.data.payoutTotal, q)}</td>
                  <td>{s.settled ? 'settled' : 'open'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
