// The keeper: watches vaults, confirms breaches over the persistence window, cranks `trigger`
// on in-the-money series and settles expired ones. Deterministic per tick (`tick()`), so tests
// drive it step by step; `run()` loops until its signal aborts.
import { fetchToken } from '@solana-program/token';
import {
  breachPhase,
  breachedTriggers,
  fetchChainTime,
  fetchOraclePrice,
  fetchVaultAccount,
  isInTheMoney,
  listSeries,
  listVaults,
  releaseCapLeft,
  releaseSize,
  needsDepegPrice,
  observeBreach,
  parseBackstopError,
  settleSeries,
  trigger,
  associatedTokenAddress,
  OracleError,
  type Connection,
  type OraclePrice,
  type SeriesView,
  type Vault,
} from '@backstop/sdk';
import type { Address, TransactionSigner } from '@solana/kit';

export interface KeeperOptions {
  connection: Connection;
  keeper: TransactionSigner;
  /** Vaults to watch; empty = every vault of the program. */
  vaults: Address[];
  /** The collateral PriceUpdateV2 account (one feed), and the stablecoin's for joint triggers. */
  priceAccount: Address;
  depegPriceAccount?: Address;
  /** Where tips go; default: the keeper's associated account of each vault's quote mint. */
  tipAccount?: Address;
  programAddress: Address;
  /** Attempts per transaction on transient failures, with exponential backoff. */
  maxAttempts?: number;
  backoffMs?: number;
  log?: (line: string) => void;
}

export type KeeperAction =
  | { kind: 'observe'; vault: Address; reason: string; signature: string }
  | { kind: 'trigger'; vault: Address; series: Address; signature: string }
  | { kind: 'settle'; vault: Address; series: Address; signature: string }
  | { kind: 'skip'; vault: Address; reason: string }
  | { kind: 'error'; vault: Address; series?: Address; error: string };

/** Program errors that a later tick may not hit again (a price moved, an epoch rolled). */
const RETRY_NEXT_TICK = new Set(['OracleStale', 'OracleOutdated', 'SettlementPriceTooEarly', 'SettlementPriceStale', 'ReleaseCapReached', 'BreachNotConfirmed', 'NotInTheMoney']);

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => { clearTimeout(t); resolve(); };
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export class Keeper {
  readonly actions: KeeperAction[] = [];
  /** Series with a trigger or settlement in flight: never sent twice at once. */
  private readonly inFlight = new Set<string>();
  /** Epochs whose exhausted cap was already logged. */
  private readonly capNoted = new Set<string>();
  private readonly log: (line: string) => void;

  constructor(private readonly o: KeeperOptions) {
    this.log = o.log ?? ((line) => console.log(`${new Date().toISOString()} ${line}`));
  }

  private record(a: KeeperAction) {
    this.actions.push(a);
    const where = 'series' in a && a.series ? `${a.vault} series ${a.series}` : a.vault;
    if (a.kind === 'error') this.log(`error ${where}: ${a.error}`);
    else if (a.kind === 'skip') this.log(`skip ${where}: ${a.reason}`);
    else this.log(`${a.kind} ${where}${a.kind === 'observe' ? ` (${a.reason})` : ''}: ${a.signature}`);
  }

  /** Sends with retries on transient failures; program errors are final (returned as thrown). */
  private async send<T>(what: string, f: () => Promise<T>): Promise<T> {
    const attempts = this.o.maxAttempts ?? 4;
    for (let i = 1; ; i++) {
      try {
        return await f();
      } catch (e) {
        if (parseBackstopError(e) || i >= attempts) throw e;
        const wait = (this.o.backoffMs ?? 500) * 2 ** (i - 1);
        this.log(`retry ${what} in ${wait} ms (attempt ${i} failed: ${(e as Error).message.split('\n')[0]})`);
        await sleep(wait);
      }
    }
  }

  private async vaults(): Promise<{ address: Address; data: Vault }[]> {
    if (this.o.vaults.length === 0) return listVaults(this.o.connection.rpc, this.o.programAddress);
    return Promise.all(this.o.vaults.map((v) => fetchVaultAccount(this.o.connection.rpc, v)));
  }

  /** One pass over every watched vault. Returns what it did. */
  async tick(): Promise<KeeperAction[]> {
    const start = this.actions.length;
    for (const v of await this.vaults()) {
      try {
        await this.tickVault(v.address, v.data);
      } catch (e) {
        this.record({ kind: 'error', vault: v.address, error: (parseBackstopError(e) ?? (e as Error)).message });
      }
    }
    return this.actions.slice(start);
  }

  private async prices(vault: Vault, now: bigint): Promise<{ collateral: OraclePrice; depeg?: OraclePrice }> {
    const rpc = this.o.connection.rpc;
    const collateral = await fetchOraclePrice(rpc, vault, this.o.priceAccount, now);
    let depeg: OraclePrice | undefined;
    if (needsDepegPrice(vault)) {
      if (!this.o.depegPriceAccount) throw new Error('the joint depeg trigger is on: run the keeper with --depeg-price-account');
      depeg = await fetchOraclePrice(rpc, vault, this.o.depegPriceAccount, now, 'depeg');
    }
    return { collateral, depeg };
  }

  private async tickVault(address: Address, vault: Vault) {
    const { connection, keeper, programAddress } = this.o;
    const now = await fetchChainTime(connection.rpc);
    const series = await listSeries(connection.rpc, address, programAddress);
    await this.settleExpired(address, series, now);

    let prices: { collateral: OraclePrice; depeg?: OraclePrice };
    try {
      prices = await this.prices(vault, now);
    } catch (e) {
      if (e instanceof OracleError) return this.record({ kind: 'skip', vault: address, reason: `price not usable: ${e.message}` });
      throw e;
    }
    const { collateral, depeg } = prices;
    if (collateral.publishTime < vault.breach.lastObserved) {
      return this.record({ kind: 'skip', vault: address, reason: 'price is older than the last observation' });
    }
    const breached = breachedTriggers(vault, collateral, depeg);
    const phase = breachPhase(vault);
    const accounts = { vault: address, priceUpdate: this.o.priceAccount, depegPriceUpdate: this.o.depegPriceAccount, programAddress };

    if (breached.length === 0) {
      // Clear a pending breach as soon as the price recovers: a spike must not survive.
      if (phase !== 'healthy' && collateral.publishTime > vault.breach.lastObserved) {
        const sig = await this.send('observe', () => observeBreach(connection, keeper, accounts));
        this.record({ kind: 'observe', vault: address, reason: 'recovered', signature: sig });
      }
      return;
    }
    const persisted = phase === 'confirmed' ||
      (phase === 'pending' && collateral.publishTime >= vault.breach.firstSeen + BigInt(vault.trigger.persistenceSecs));
    if (!persisted) {
      if (phase === 'healthy') {
        const sig = await this.send('observe', () => observeBreach(connection, keeper, accounts));
        this.record({ kind: 'observe', vault: address, reason: `breach seen: ${breached.join(', ')}`, signature: sig });
      }
      return; // pending: wait for the persistence window
    }
    const exercisable = series.filter(
      (s) => !s.settled && s.data.expiry > now && s.unexercised > 0n && isInTheMoney(vault, s.data, collateral.price),
    );
    if (exercisable.length === 0) {
      if (phase === 'pending') {
        const sig = await this.send('observe', () => observeBreach(connection, keeper, accounts));
        this.record({ kind: 'observe', vault: address, reason: `breach persisted: ${breached.join(', ')}`, signature: sig });
      }
      return;
    }
    // Only series the program would release something on now: the epoch cap is shared, so a
    // crank past it would fail (and pay no tip). Sized in series order, as the cranks land.
    let capLeft = releaseCapLeft(vault, now);
    const releasable = [];
    for (const s of exercisable) {
      const r = releaseSize(vault, s.data, collateral.price, capLeft);
      if (r.payout === 0n) continue;
      releasable.push(s);
      capLeft -= r.payout;
    }
    if (releasable.length === 0) {
      const key = `${address}:${vault.epochStart}`;
      if (!this.capNoted.has(key)) {
        this.capNoted.add(key);
        this.record({ kind: 'skip', vault: address, reason: 'release cap reached for this epoch; waiting for the next' });
      }
      return;
    }
    const tipAccount = this.o.tipAccount ?? (await associatedTokenAddress(keeper.address, vault.quoteMint));
    await this.ensureTipAccount(tipAccount);
    for (const s of releasable) {
      await this.once(s.address, async () => {
        try {
          const sig = await this.send('trigger', () => trigger(connection, keeper, { ...accounts, series: s.address, keeperToken: tipAccount }));
          this.record({ kind: 'trigger', vault: address, series: s.address, signature: sig });
        } catch (e) {
          const typed = parseBackstopError(e);
          if (typed && RETRY_NEXT_TICK.has(typed.errorName)) {
            this.record({ kind: 'skip', vault: address, reason: `${s.address}: ${typed.errorName}, next tick` });
          } else throw e;
        }
      });
    }
  }

  private async ensureTipAccount(account: Address) {
    try {
      await fetchToken(this.o.connection.rpc, account, { commitment: 'confirmed' });
    } catch {
      throw new Error(`tip account ${account} does not exist: create the keeper's quote token account first`);
    }
  }

  private async settleExpired(vault: Address, series: SeriesView[], now: bigint) {
    const { connection, keeper, programAddress } = this.o;
    for (const s of series.filter((x) => !x.settled && x.data.expiry <= now)) {
      await this.once(s.address, async () => {
        try {
          const sig = await this.send('settle', () => settleSeries(connection, keeper, { series: s.address, priceUpdate: this.o.priceAccount, programAddress }));
          // A candidate update is recorded without settling until the grace period ends.
          const settled = (await listSeries(connection.rpc, vault, programAddress)).find((x) => x.address === s.address)?.settled;
          if (settled) this.record({ kind: 'settle', vault, series: s.address, signature: sig });
          else this.record({ kind: 'skip', vault, reason: `${s.address}: settlement candidate recorded (${sig})` });
        } catch (e) {
          const typed = parseBackstopError(e);
          if (typed && RETRY_NEXT_TICK.has(typed.errorName)) this.record({ kind: 'skip', vault, reason: `${s.address}: ${typed.errorName}, next tick` });
          else this.record({ kind: 'error', vault, series: s.address, error: (typed ?? (e as Error)).message });
        }
      });
    }
  }

  private async once(key: string, f: () => Promise<void>) {
    if (this.inFlight.has(key)) return;
    this.inFlight.add(key);
    try {
      await f();
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** Ticks every `intervalMs` until `signal` aborts (SIGINT/SIGTERM) or `maxTicks` is reached. */
  async run(signal: AbortSignal, intervalMs: number, maxTicks = Infinity): Promise<void> {
    this.log(`keeper ${this.o.keeper.address} watching ${this.o.vaults.length ? this.o.vaults.join(', ') : 'every vault'}`);
    for (let n = 0; n < maxTicks && !signal.aborted; n++) {
      try {
        await this.tick();
      } catch (e) {
        this.log(`tick failed: ${(e as Error).message}`);
      }
      await sleep(intervalMs, signal);
    }
    this.log('keeper stopped');
  }
}
