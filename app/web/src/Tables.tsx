// A writer's positions, and the history of releases and settlements (from the program's events).
import { useEffect, useState } from 'react';
import { reclaimable, seriesRelease, type Position } from '@backstop/sdk';
import type { Address } from '@solana/kit';
import { loadPositions, type Dashboard, type LoadError } from './data';
import { price, short, units, usd } from './format';

export function Positions({ d, rpcUrl, writer, onWriter }: { d: Dashboard; rpcUrl: string; writer: string; onWriter: (w: string) => void }) {
  const [rows, setRows] = useState<{ address: Address; data: Position }[] | LoadError | null>(null);
  const [text, setText] = useState(writer);
  useEffect(() => {
    if (!writer) return setRows(null);
    let live = true;
    loadPositions(rpcUrl, writer).then((r) => live && setRows(r));
    return () => { live = false; };
  }, [rpcUrl, writer, d]);
  const q = d.vault.quoteDecimals;
  const mine = Array.isArray(rows) ? rows.filter((p) => d.series.some((s) => s.address === p.data.series)) : [];
  return (
    <section className="card">
      <h2>Writer positions</h2>
      <form onSubmit={(e) => { e.preventDefault(); onWriter(text.trim()); }}>
        <input data-testid="writer-input" placeholder="market maker address" value={text} onChange={(e) => setText(e.target.value)} size={46} />
        <button type="submit">Show</button>
      </form>
      {rows && !Array.isArray(rows) && <p className="error" data-testid="positions-error">{rows.message}</p>}
      {Array.isArray(rows) && (mine.length === 0 ? <p data-testid="no-positions">No open positions in this vault.</p> : (
        <table data-testid="positions-table">
          <thead><tr><th>series</th><th>size</th><th>escrow</th><th>premium</th><th title="escrow less the pro-rata share of the advances and of what settlement at today's price would still pay">reclaimable</th></tr></thead>
          <tbody>
            {mine.map((p) => {
              const s = d.series.find((x) => x.address === p.data.series)!;
              // Before expiry: what the writer would get back if the series settled at today's price.
              const stillOwed = s.settled ? 0n : seriesRelease(d.vault, s.data, d.price?.price).stillOwedAtPrice;
              const back = reclaimable(s.data, p.data, stillOwed ?? 0n);
              return (
                <tr key={p.address} data-position={p.address}>
                  <td title={p.data.series}>{short(p.data.series)}</td>
                  <td data-col="size" data-raw={p.data.size.toString()}>{units(p.data.size, d.vault.collateralDecimals)}</td>
                  <td data-col="escrow" data-raw={p.data.escrowDeposited.toString()}>{usd(p.data.escrowDeposited, q)}</td>
                  <td data-col="premium" data-raw={p.data.premiumReceived.toString()}>{usd(p.data.premiumReceived, q)}</td>
                  <td data-col="reclaimable" data-raw={back.toString()}>
                    {s.settled ? usd(back, q) : stillOwed === null ? `after settlement (payouts so far: ${usd(back, q)})` : `if settled now: ${usd(back, q)}`}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ))}
    </section>
  );
}

export function History({ d }: { d: Dashboard }) {
  const q = d.vault.quoteDecimals;
  return (
    <section className="card">
      <h2>Releases and settlements</h2>
      {d.history.length === 0 ? <p data-testid="no-history">Nothing released or settled yet.</p> : (
        <table data-testid="history-table">
          <thead><tr><th>slot</th><th>event</th><th>series</th><th>price</th><th>paid to recovery</th><th>series advanced</th><th>tip / price from</th><th>transaction</th></tr></thead>
          <tbody>
            {d.history.map((h) => (
              <tr key={`${h.signature}-${h.series}-${h.kind}`} data-kind={h.kind}>
                <td>{h.slot.toString()}</td>
                <td>{h.kind === 'release' ? 'release step' : 'expiry settlement'}</td>
                <td title={h.series}>{short(h.series)}</td>
                <td data-col="price" data-raw={h.price.toString()} title={h.kind === 'release' ? 'held price' : 'settlement price'}>{price(h.price)}</td>
                <td data-col="amount" data-raw={h.amount.toString()}>{usd(h.amount, q)}</td>
                <td data-col="advanced" data-raw={h.advanced.toString()}>{usd(h.advanced, q)}</td>
                <td>{h.kind === 'release' ? `tip ${usd(h.tip ?? 0n, q)}` : settlementSourceText(h.source ?? '')}</td>
                <td title={h.signature}>{short(h.signature)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The settlement ladder rung, in words. */
function settlementSourceText(source: string): string {
  const text: Record<string, string> = {
    FirstUpdate: 'first update after expiry',
    EarliestShown: 'earliest update shown in the grace',
    FreshAfterGrace: 'fresh update after the grace',
    NearestAfterDeadline: 'nearest update, after the deadline',
    LastObserved: 'last observed price, after the deadline',
  };
  return text[source] ?? source;
}
