// Everything the dashboard shows, read from the chain through the SDK.
import { createSolanaRpc, isAddress, type Address, type Rpc, type Signature, type SolanaRpcApi } from '@solana/kit';
import { fetchMaybeToken } from '@solana-program/token';
import {
  breachedTriggers,
  eventsNamed,
  fetchChainTime,
  fetchLadderState,
  fetchOraclePrice,
  rungViews,
  isStopped,
  fetchTransactionEvents,
  fetchVaultAccount,
  parseFeedId,
  pushFeedAddress,
  vaultPriceAccounts,
  listPositions,
  listSeries,
  needsDepegPrice,
  NotFoundError,
  solvencyRatioBps,
  vaultStrength,
  type OraclePrice,
  type Position,
  type SeriesView,
  type Vault,
  type LadderTemplate,
  type RungView,
  type VaultStrengthView,
} from '@backstop/sdk';

export interface HistoryItem {
  kind: 'release' | 'settlement';
  signature: Signature;
  slot: bigint;
  series: Address;
  /** Quote base units paid to the recovery account. */
  amount: bigint;
  /** Price paid at, PRICE_SCALE: the held price of a release step, the settlement price. */
  price: bigint;
  /** The series' advances after a step; before settlement for a settlement. */
  advanced: bigint;
  /** A step's keeper tip, quote base units. */
  tip?: bigint;
  /** The settlement ladder rung that priced a settlement (a SettlementSource name). */
  source?: string;
}

export interface LadderView {
  address: Address;
  template: LadderTemplate;
  stopped: boolean;
  /** A proposed template applies from then (0: none). */
  pendingAt: bigint;
  rungs: RungView[];
  rolled: bigint;
}

export interface Dashboard {
  vaultAddress: Address;
  vault: Vault;
  strength: VaultStrengthView;
  reserve: bigint;
  recovery: bigint;
  now: bigint;
  price: OraclePrice | null;
  priceError: string | null;
  ratioBps: bigint | null;
  breachedNow: string[];
  series: SeriesView[];
  history: HistoryItem[];
  ladder: LadderView | null;
}

export type LoadError = { kind: 'unreachable' | 'not-found' | 'bad-input' | 'other'; message: string };

export function rpcFor(url: string): Rpc<SolanaRpcApi> {
  return createSolanaRpc(url);
}

function classify(e: unknown, rpcUrl: string): LoadError {
  if (e instanceof NotFoundError) return { kind: 'not-found', message: e.message };
  const text = String((e as Error)?.message ?? e);
  if (/fetch|network|unreachable|HTTP error|Failed to/i.test(text)) {
    return { kind: 'unreachable', message: `The RPC at ${rpcUrl} cannot be reached (${text}).` };
  }
  return { kind: 'other', message: text };
}

async function ladderView(rpc: Rpc<SolanaRpcApi>, vault: Address, now: bigint): Promise<LadderView | null> {
  const state = await fetchLadderState(rpc, vault);
  if (!state) return null;
  const l = state.ladder;
  return {
    address: state.address,
    template: l.template,
    stopped: isStopped(l.template),
    pendingAt: l.pendingAt,
    rolled: l.rolled,
    rungs: rungViews(l, now).filter((r) => r.strikeBps !== 0 || r.series !== null),
  };
}

async function history(rpc: Rpc<SolanaRpcApi>, vault: Address): Promise<HistoryItem[]> {
  const sigs = await rpc.getSignaturesForAddress(vault, { limit: 100, commitment: 'confirmed' }).send();
  const items: HistoryItem[] = [];
  for (const s of sigs) {
    if (s.err) continue;
    for (const ev of await fetchTransactionEvents(rpc, s.signature)) {
      const d = ev.data as Record<string, unknown>;
      if (d.vault !== vault) continue; // a transaction may touch several vaults
      const at = { signature: s.signature, slot: s.slot };
      for (const r of eventsNamed([ev], 'CapitalReleased')) {
        items.push({ kind: 'release', ...at, series: r.series, amount: r.payout, price: r.heldPrice, advanced: r.advanced, tip: r.keeperTip });
      }
      for (const r of eventsNamed([ev], 'SeriesSettled')) {
        items.push({ kind: 'settlement', ...at, series: r.series, amount: r.payout, price: r.price, advanced: r.advanced, source: r.source });
      }
    }
  }
  return items.sort((a, b) => Number(b.slot - a.slot));
}

/** A price account typed in, or a feed (a symbol, a feed id, or "vault": the vault's own) read
 * from Pyth's sponsored push-feed account. */
async function priceAccountOf(text: string, vault: Vault): Promise<Address> {
  if (isAddress(text)) return text;
  // A vault that pins its price account is read from that account only.
  if (text === 'vault') return (await vaultPriceAccounts(vault)).collateral;
  return pushFeedAddress(parseFeedId(text));
}

export async function loadDashboard(rpcUrl: string, vaultText: string, priceText: string): Promise<Dashboard | LoadError> {
  if (!isAddress(vaultText)) return { kind: 'bad-input', message: `"${vaultText}" is not a vault address.` };
  if (priceText && !isAddress(priceText) && priceText !== 'vault') {
    try {
      parseFeedId(priceText);
    } catch {
      return { kind: 'bad-input', message: `"${priceText}" is neither a price account address nor a feed (SOL/USD, a 64-hex feed id, or "vault").` };
    }
  }
  const rpc = rpcFor(rpcUrl);
  try {
    const { data: vault } = await fetchVaultAccount(rpc, vaultText);
    const [reserve, recovery, now, series] = await Promise.all([
      fetchMaybeToken(rpc, vault.reserve, { commitment: 'confirmed' }),
      fetchMaybeToken(rpc, vault.recovery, { commitment: 'confirmed' }),
      fetchChainTime(rpc),
      listSeries(rpc, vaultText),
    ]);
    let price: OraclePrice | null = null;
    let priceError: string | null = null;
    if (priceText) {
      try {
        price = await fetchOraclePrice(rpc, vault, await priceAccountOf(priceText, vault), now);
      } catch (e) {
        priceError = (e as Error).message;
      }
    }
    return {
      vaultAddress: vaultText,
      vault,
      strength: vaultStrength(vault, now),
      reserve: reserve.exists ? reserve.data.amount : 0n,
      recovery: recovery.exists ? recovery.data.amount : 0n,
      now,
      price,
      priceError,
      ratioBps: price ? solvencyRatioBps(vault, price.price) : null,
      // The joint trigger also needs the stablecoin's price, which the page is not given.
      breachedNow: price ? [...breachedTriggers(vault, price), ...(needsDepegPrice(vault) ? ['joint: unknown (no stablecoin price)'] : [])] : [],
      series,
      history: await history(rpc, vaultText),
      ladder: await ladderView(rpc, vaultText, now),
    };
  } catch (e) {
    return classify(e, rpcUrl);
  }
}

export async function loadPositions(rpcUrl: string, writer: string): Promise<{ address: Address; data: Position }[] | LoadError> {
  if (!isAddress(writer)) return { kind: 'bad-input', message: `"${writer}" is not an address.` };
  try {
    return await listPositions(rpcFor(rpcUrl), { writer });
  } catch (e) {
    return classify(e, rpcUrl);
  }
}
