// Every series of the vault: strike, expiry, size, premium, moneyness, payouts.
import { isInTheMoney, type SeriesView } from '@backstop/sdk';
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
          <thead><tr><th>series</th><th>strike</th><th>expiry</th><th>written</th><th>premium paid</th><th>moneyness</th><th>exercised</th><th>payouts</th><th>status</th></tr></thead>
          <tbody>
            {d.series.map((s) => (
              <tr key={s.address} data-series={s.address} className={s.address === selected ? 'selected' : ''} onClick={() => onSelect(s.address)}>
                <td title={s.address}>{short(s.address)}</td>
                <td data-col="strike" data-raw={s.data.strike.toString()}>{usd(s.data.strike, q)}</td>
                <td>{date(s.data.expiry)}</td>
                <td data-col="written" data-raw={s.data.writtenSize.toString()}>{units(s.data.writtenSize, c)}</td>
                <td data-col="premium" data-raw={s.data.premiumPaid.toString()}>{usd(s.data.premiumPaid, q)}</td>
                <td data-col="moneyness">{money(s)}</td>
                <td data-col="exercised" data-raw={s.data.exercisedSize.toString()}>{units(s.data.exercisedSize, c)}</td>
                <td data-col="payouts" data-raw={s.data.payoutTotal.toString()}>{usd(s.data.payoutTotal, q)}</td>
                <td>{s.settled ? 'settled' : 'open'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
