// The keeper: watches vaults, confirms breaches over the persistence window, cranks `trigger`
// on in-the-money series and settles expired ones. Deterministic per tick (`tick()`), so tests
// drive it step by step; `run()` loops until its signal aborts.
import { fetchMaybeToken } from '@solana-program/token';
import {
  breachConfirmsAt,
  breachPhase,
  fetchRawAccount,
  fetchSeriesView,
  validatePriceAccount,
  SETTLEMENT_GRACE_SECS,
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
const RETRY_NEXT_TICK = new Set(['OracleStale', 'OracleOutdated', 'SettlementPriceTooEarly', 'SettlementPriceStale', 'ReleaseCapReached', 'BreachNotConfirmed', 'NotInTheMoney', 'NothingToRelease', 'SeriesNotOpen']);

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
  /** Transient failures per vault, and until when (chain time) the vault is left alone. */
  private readonly failures = new Map<string, number>();
  private readonly backoffUntil = new Map<string, bigint>();
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
    const { connection, programAddress } = this.o;
    const now = await fetchChainTime(connection.rpc);
    if (now < (this.backoffUntil.get(address) ?? 0n)) return;
    const series = await listSeries(connection.rpc, address, programAddress);
    await this.settleExpired(address, vault, series, now);

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
    const fresh = collateral.publishTime > vault.breach.lastObserved;
    const breached = breachedTriggers(vault, collateral, depeg);
    const phase = breachPhase(vault);
    const observe = (reason: string) => this.observe(address, reason);

    if (breached.length === 0) {
      // Clear a pending breach as soon as the price recovers: a spike must not survive.
      if (phase !== 'healthy' && fresh) await observe('recovered');
      return;
    }
    if (phase === 'healthy') {
      if (fresh) await observe(`breach seen: ${breached.join(', ')}`);
      return;
    }
    // The program confirms only when both clocks moved a persistence window since the first
    // sighting and no two observations are further apart than persistence + max age.
    const confirmsNow = phase === 'confirmed' || breachConfirmsAt(vault, collateral.publishTime, now);
    if (!confirmsNow) {
      // Pending: keep the observation chain unbroken with every new price.
      if (fresh) await observe(`breach persists: ${breached.join(', ')}`);
      return;
    }
    const exercisable = series.filter(
      (s) => !s.settled && s.data.expiry > now && s.unexercised > 0n && isInTheMoney(vault, s.data, collateral.price),
    );
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
      if (phase === 'pending' && fresh) await observe(`breach confirmed: ${breached.join(', ')}`);
      if (exercisable.length > 0) {
        const key = `${address}:${vault.epochStart}`;
        if (!this.capNoted.has(key)) {
          this.capNoted.add(key);
          this.record({ kind: 'skip', vault: address, reason: 'release cap reached for this epoch; waiting for the next' });
        }
      }
      return;
    }
    const tipAccount = await this.tipAccountFor(vault);
    for (const s of releasable) {
      await this.once(s.address, async () => {
        try {
          // One attempt per tick: a resend after an unclear failure could land twice; the next
          // tick re-reads the series and sizes the release again from the chain.
          const sig = await trigger(connection, this.o.keeper, {
            priceUpdate: this.o.priceAccount, depegPriceUpdate: this.o.depegPriceAccount,
            programAddress, series: s.address, keeperToken: tipAccount,
          });
          this.record({ kind: 'trigger', vault: address, series: s.address, signature: sig });
          this.failures.delete(address);
        } catch (e) {
          const typed = parseBackstopError(e);
          if (typed?.errorName === 'BreachNotConfirmed' && fresh) {
            await observe('breach not confirmed by the program: observing instead');
          } else if (typed && RETRY_NEXT_TICK.has(typed.errorName)) {
            this.record({ kind: 'skip', vault: address, reason: `${s.address}: ${typed.errorName}, next tick` });
          } else {
            this.backOff(address, now);
            throw e;
          }
        }
      });
    }
  }

  private async observe(vault: Address, reason: string) {
    const sig = await this.send('observe', () => observeBreach(this.o.connection, this.o.keeper, {
      vault, priceUpdate: this.o.priceAccount, depegPriceUpdate: this.o.depegPriceAccount, programAddress: this.o.programAddress,
    }));
    this.record({ kind: 'observe', vault, reason, signature: sig });
  }

  /** Exponential pause for a vault after a transient failure (chain seconds). */
  private backOff(vault: Address, now: bigint) {
    const n = (this.failures.get(vault) ?? 0) + 1;
    this.failures.set(vault, n);
    const secs = BigInt(Math.min(2 ** (n - 1), 64));
    this.backoffUntil.set(vault, now + secs);
    this.log(`backing off ${vault} for ${secs} s after ${n} failure(s)`);
  }

  /** The tip account for this vault's quote mint: the configured one if its mint matches, else
   * the keeper's associated account of that mint. */
  private async tipAccountFor(vault: Vault): Promise<Address> {
    const rpc = this.o.connection.rpc;
    if (this.o.tipAccount) {
      const t = await fetchMaybeToken(rpc, this.o.tipAccount, { commitment: 'confirmed' });
      if (t.exists && t.data.mint === vault.quoteMint) return this.o.tipAccount;
    }
    const ata = await associatedTokenAddress(this.o.keeper.address, vault.quoteMint);
    const t = await fetchMaybeToken(rpc, ata, { commitment: 'confirmed' });
    if (!t.exists) throw new Error(`the keeper has no token account of quote mint ${vault.quoteMint} for its tip: create ${ata}`);
    return ata;
  }

  private async settleExpired(vault: Address, v: Vault, series: SeriesView[], now: bigint) {
    const { connection, keeper, programAddress } = this.o;
    const expired = series.filter((x) => !x.settled && x.data.expiry <= now);
    if (expired.length === 0) return;
    const raw = await fetchRawAccount(connection.rpc, this.o.priceAccount);
    let update: OraclePrice | null = null;
    try {
      if (raw) {
        update = validatePriceAccount(raw.owner, raw.data, {
          receiver: v.oracle.receiver, feedId: Uint8Array.from(v.oracle.collateralFeed), maxConfBps: v.oracle.maxConfBps,
        });
      }
    } catch {
      update = null;
    }
    for (const s of expired) {
      // Send only what changes something: the first update at/after expiry settles at once;
      // a later one is a candidate only if earlier than the recorded one; after the grace
      // period anything settles.
      const d = s.data;
      if (!update || update.publishTime < d.expiry) continue;
      const first = update.prevPublishTime < d.expiry;
      const graceOver = now >= d.expiry + SETTLEMENT_GRACE_SECS;
      const improves = d.settlementPublishTime === 0n || update.publishTime < d.settlementPublishTime;
      if (!first && !graceOver && !improves) continue;
      await this.once(s.address, async () => {
        try {
          const sig = await settleSeries(connection, keeper, { series: s.address, priceUpdate: this.o.priceAccount, programAddress });
          const settled = (await fetchSeriesView(connection.rpc, s.address)).settled;
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
