// The dashboard: which vault (query string or form), then its strength, series, skew, positions
// and history, refreshed every few seconds. Every failure is a message, never a blank page.
import { useEffect, useState } from 'react';
import { SeriesTable } from './SeriesTable';
import { LadderCard } from './LadderCard';
import { CoverageGauge } from './Gauge';
import { SeriesCharts } from './Charts';
import { History, Positions } from './Tables';
import { loadDashboard, type Dashboard, type LoadError } from './data';
import { price as fmtPrice } from './format';
import { feedSymbol } from '@backstop/sdk';

const REFRESH_MS = 5_000;

function params() {
  const q = new URLSearchParams(location.search);
  return {
    rpc: q.get('rpc') ?? `${location.origin}/rpc`,
    vault: q.get('vault') ?? '',
    price: q.get('price') ?? '',
    writer: q.get('writer') ?? '',
  };
}

export function App() {
  const initial = params();
  const [rpcUrl, setRpcUrl] = useState(initial.rpc);
  const [vault, setVault] = useState(initial.vault);
  const [priceAccount, setPriceAccount] = useState(initial.price);
  const [writer, setWriter] = useState(initial.writer);
  const [form, setForm] = useState(initial);
  const [state, setState] = useState<Dashboard | LoadError | null>(null);
  const [loading, setLoading] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);

  useEffect(() => {
    // One load at a time, and a load for a vault the user has left is dropped on arrival.
    let live = true;
    let busy = false;
    const refresh = async () => {
      if (!vault || busy) return;
      busy = true;
      setLoading(true);
      const r = await loadDashboard(rpcUrl, vault, priceAccount);
      busy = false;
      if (!live) return;
      setState(r);
      setLoading(false);
    };
    setState(null);
    void refresh();
    const t = setInterval(() => void refresh(), REFRESH_MS);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [rpcUrl, vault, priceAccount]);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const q = new URLSearchParams({ vault: form.vault.trim(), ...(form.price.trim() ? { price: form.price.trim() } : {}), ...(form.rpc !== `${location.origin}/rpc` ? { rpc: form.rpc } : {}) });
    history.replaceState(null, '', `?${q}`);
    setRpcUrl(form.rpc.trim());
    setVault(form.vault.trim());
    setPriceAccount(form.price.trim());
  };

  const d = state && 'vault' in state ? state : null;
  const error = state && !('vault' in state) ? state : null;
  const sel = d ? d.series.find((s) => s.address === selected) ?? d.series[0] : undefined;
  return (
    <main>
      <header>
        <h1>Backstop</h1>
        <p className="tagline">Tail-risk capital standing behind the protocol, live from the chain.</p>
        <form className="pick" onSubmit={submit}>
          <input data-testid="vault-input" placeholder="vault address" value={form.vault} onChange={(e) => setForm({ ...form, vault: e.target.value })} size={46} />
          <input data-testid="price-input" placeholder="price account or feed: SOL/USD, vault (optional)" value={form.price} onChange={(e) => setForm({ ...form, price: e.target.value })} size={46} />
          <input data-testid="rpc-input" placeholder="RPC URL" value={form.rpc} onChange={(e) => setForm({ ...form, rpc: e.target.value })} size={30} />
          <button type="submit">Load</button>
        </form>
      </header>
      {!vault && <p data-testid="status">Enter a vault address to see its backstop.</p>}
      {vault && !state && <p data-testid="status">Loading {vault}…</p>}
      {error && (
        <div className={`card error ${error.kind}`} data-testid="error" data-kind={error.kind}>
          <h2>{error.kind === 'unreachable' ? 'RPC unreachable' : error.kind === 'not-found' ? 'Vault not found' : 'Cannot show this vault'}</h2>
          <p>{error.message}</p>
          <p>Retrying every {REFRESH_MS / 1000} s.</p>
        </div>
      )}
      {d && (
        <>
          <p className="meta" data-testid="meta">
            vault <code>{d.vaultAddress}</code>
            {d.price ? <> · {feedSymbol(Uint8Array.from(d.vault.oracle.collateralFeed)) ?? 'price'} <span data-testid="spot">{fmtPrice(d.price.price)}</span></> : d.priceError ? <> · <span className="error" data-testid="price-error">price: {d.priceError}</span></> : null}
            {loading ? ' · refreshing' : ''}
          </p>
          <CoverageGauge d={d} />
          <LadderCard d={d} />
          <SeriesTable d={d} selected={sel?.address ?? null} onSelect={setSelected} />
          <SeriesCharts d={d} series={sel} />
          <Positions d={d} rpcUrl={rpcUrl} writer={writer} onWriter={setWriter} />
          <History d={d} />
        </>
      )}
    </main>
  );
}
