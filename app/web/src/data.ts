// Everything the dashboard shows, read from the chain through the SDK.
import { createSolanaRpc, isAddress, type Address, type Rpc, type Signature, type SolanaRpcApi } from '@solana/kit';
import { fetchMaybeToken } from '@solana-program/token';
import {
  breachedTriggers,
  fetchChainTime,
  fetchOraclePrice,
  fetchTransactionEvents,
  fetchVaultAccount,
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
  type VaultStrengthView,
} from '@backstop/sdk';

export interface HistoryItem {
  kind: 'release' | 'settlement';
  signature: Signature;
  slot: bigint;
  series: Address;
  /** Quote base units paid to the recovery account. */
  amount: bigint;
  /** Price used, PRICE_SCALE. */
  price: bigint;
  units: bigint;
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

async function history(rpc: Rpc<SolanaRpcApi>, vault: Address): Promise<HistoryItem[]> {
  const sigs = await rpc.getSignaturesForAddress(vault, { limit: 100, commitment: 'confirmed' }).send();
  const items: HistoryItem[] = [];
  for (const s of sigs) {
    if (s.err) continue;
    for (const ev of await fetchTransactionEvents(rpc, s.signature)) {
      const d = ev.data as Record<string, unknown>;
      if (d.vault !== vault) continue; // a transaction may touch several vaults
      if (ev.name === 'CapitalReleased') {
        items.push({ kind: 'release', signature: s.signature, slot: s.slot, series: d.series as Address, amount: d.payout as bigint, price: d.price as bigint, units: d.units as bigint });
      } else if (ev.name === 'SeriesSettled') {
        items.push({ kind: 'settlement', signature: s.signature, slot: s.slot, series: d.series as Address, amount: d.payout as bigint, price: d.price as bigint, units: (d.units ?? 0n) as bigint });
      }
    }
  }
  return items.sort((a, b) => Number(b.slot - a.slot));
}

export async function loadDashboard(rpcUrl: string, vaultText: string, priceText: string): Promise<Dashboard | LoadError> {
  if (!isAddress(vaultText)) return { kind: 'bad-input', message: `"${vaultText}" is not a vault address.` };
  if (priceText && !isAddress(priceText)) return { kind: 'bad-input', message: `"${priceText}" is not a price account address.` };
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
        price = await fetchOraclePrice(rpc, vault, priceText as Address, now);
      } catch (e) {
        priceError = (e as Error).message;
      }
    }
    return {
      vaultAddress: vaultText,
      vault,
      strength: vaultStrength(vault),
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
