// The keeper: watches vaults, confirms breaches over the persistence window, cranks release
// steps (`trigger`) whenever one would pay, and settles expired series by the settlement
// ladder, and rolls each due rung of a vault's coverage ladder (`roll_series`). What to send is decided from account data by keeper-plan.ts (the SDK's mirrors of the
// program), so the keeper sends only what changes something. Deterministic per tick (`tick()`),
// so tests drive it step by step; `run()` loops until its signal aborts.
import { fetchMaybeToken } from '@solana-program/token';
import {
  fetchChainTime,
  fetchRawAccount,
  fetchReading,
  fetchVaultAccount,
  formatPrice,
  formatUnits,
  listSeries,
  listVaults,
  needsDepegPrice,
  observeBreach,
  parseBackstopError,
  settleSeries,
  shownUpdate,
  dueRungs,
  fetchLadderState,
  rollSeries,
  trigger,
  associatedTokenAddress,
  ObservationError,
  OracleError,
  QuoteError,
  SettlementSource,
  type Connection,
  type Reading,
  type SeriesView,
  type ShownUpdate,
  pinnedPriceAccount,
  vaultPriceAccounts,
  buildPostUpdate,
  decodePriceUpdateV2,
  fetchHermesUpdate,
  pushFeedAddress,
  sendInstructions,
  POST_UPDATE_COMPUTE_UNITS,
  type PushFeedOptions,
  type Vault,
} from '@backstop/sdk';
import { generateKeyPairSigner, type Address, type Instruction, type TransactionSigner } from '@solana/kit';
import { planSettlements, planVault } from './keeper-plan';

export interface KeeperOptions {
  connection: Connection;
  keeper: TransactionSigner;
  /** Vaults to watch; empty = every vault of the program. */
  vaults: Address[];
  /** The collateral PriceUpdateV2 account and the stablecoin's for joint triggers; by default
   * each vault's own feeds' sponsored accounts (`vaultPriceAccounts`, with `feeds`). */
  priceAccount?: Address;
  depegPriceAccount?: Address;
  /** Shard and push-oracle program of the derived accounts. */
  feeds?: PushFeedOptions;
  /** A Hermes endpoint: a sponsored feed account older than half the vault's max age is
   * refreshed from it before the tick reads it (a quiet feed in a crash is refreshed, not waited
   * for). A failing Hermes or post is logged and the tick goes on with what is on chain. */
  hermes?: { url: string; fetch?: typeof fetch };
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
  /** A release step, with what the keeper expected it to pay and tip. */
  | { kind: 'trigger'; vault: Address; series: Address; signature: string; payout: bigint; tip: bigint; heldPrice: bigint }
  | { kind: 'settle'; vault: Address; series: Address; signature: string; source: string }
  | { kind: 'candidate'; vault: Address; series: Address; signature: string }
  /** A ladder rung's next series opened. */
  | { kind: 'roll'; vault: Address; series: Address; rung: number; strike: bigint; expiry: bigint; signature: string }
  | { kind: 'skip'; vault: Address; reason: string }
  | { kind: 'error'; vault: Address; series?: Address; error: string };

/** Program errors that a later tick may not hit again (a price moved, a slot or an epoch rolled). */
const RETRY_NEXT_TICK = new Set(['OracleStale', 'OracleOutdated', 'SettlementPriceTooEarly', 'SettlementPriceStale', 'SettlementPriceMissing',
  'ReleaseCapReached', 'ReleaseIntervalNotElapsed', 'BreachNotConfirmed', 'NotInTheMoney', 'NothingToRelease', 'NoHeldPrice', 'SeriesNotOpen']);

/** Roll refusals that pass: the price moves, the reserve is funded, the hour turns. */
const ROLL_WAITS = new Set(['OracleStale', 'OracleConfidenceTooWide', 'OracleNonPositivePrice', 'InsufficientUncommittedReserve',
  'RollStrikeOffTarget', 'RollExpiryMismatch', 'RollNotDue', 'OperationPaused', 'InvalidExpiry']);

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
  /** Waiting reasons already logged (an exhausted epoch cap, a settlement waiting for a price). */
  private readonly noted = new Set<string>();
  /** Transient failures per vault, and until when (chain time) the vault is left alone. */
  private readonly failures = new Map<string, number>();
  private readonly backoffUntil = new Map<string, bigint>();
  /** Quote decimals per vault, for the log. */
  private readonly quoteDecimals = new Map<string, number>();
  private readonly log: (line: string) => void;

  constructor(private readonly o: KeeperOptions) {
    this.log = o.log ?? ((line) => console.log(`${new Date().toISOString()} ${line}`));
  }

  private record(a: KeeperAction) {
    this.actions.push(a);
    const where = 'series' in a && a.series ? `${a.vault} series ${a.series}` : a.vault;
    if (a.kind === 'error') this.log(`error ${where}: ${a.error}`);
    else if (a.kind === 'skip') this.log(`skip ${where}: ${a.reason}`);
    else if (a.kind === 'observe') this.log(`observe ${where} (${a.reason}): ${a.signature}`);
    else if (a.kind === 'trigger') {
      const amount = (x: bigint) => formatUnits(x, this.quoteDecimals.get(a.vault) ?? 0, 2);
      this.log(`step ${where} at held ${formatPrice(a.heldPrice)}: pays ${amount(a.payout)}${a.tip > 0n ? `, tip ${amount(a.tip)}` : ', no tip'}: ${a.signature}`);
    } else if (a.kind === 'settle') this.log(`settle ${where} (${a.source}): ${a.signature}`);
    else if (a.kind === 'roll') {
      const strike = formatUnits(a.strike, this.quoteDecimals.get(a.vault) ?? 0, 2);
      this.log(`roll ${where} (rung ${a.rung}): strike ${strike}, expires ${new Date(Number(a.expiry) * 1000).toISOString()}: ${a.signature}`);
    }
    else this.log(`settlement candidate ${where}: ${a.signature}`);
  }

  /** Logs a waiting reason once per key (it would repeat every tick). */
  private note(key: string, vault: Address, reason: string) {
    if (this.noted.has(key)) return;
    this.noted.add(key);
    this.record({ kind: 'skip', vault, reason });
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

  /** Reads a feed as an observation does (stale: no information); an account that is not the
   * vault's feed throws. */
  private async reading(vault: Vault, account: Address, now: bigint, feed: 'collateral' | 'depeg'): Promise<Reading> {
    return fetchReading(this.o.connection.rpc, vault, account, now, feed);
  }

  /** The stablecoin account to pass, if any: only one that reads as the vault's stablecoin feed
   * (the program refuses a wrong account; without one the joint trigger is only undecided). */
  private async depegReading(vault: Vault, account: Address | undefined, now: bigint): Promise<{ account?: Address; reading?: Reading }> {
    if (!needsDepegPrice(vault) || !account) return {};
    try {
      return { account, reading: await this.reading(vault, account, now, 'depeg') };
    } catch (e) {
      if (!(e instanceof OracleError || e instanceof QuoteError)) throw e;
      this.log(`stablecoin account not usable (${e.message}): the joint trigger stays undecided`);
      return {};
    }
  }

  /** Posts the newest Hermes update of `feedId` into its sponsored account when that account
   * is older than half the vault's max age (only sponsored accounts: a one-off update account
   * cannot be refreshed). */
  private async refreshFromHermes(vault: Vault, account: Address, feedId: Uint8Array, now: bigint) {
    const { hermes, connection, keeper } = this.o;
    if (!hermes || account !== (await pushFeedAddress(feedId, this.o.feeds))) return;
    try {
      const raw = await fetchRawAccount(connection.rpc, account);
      const current = raw ? decodePriceUpdateV2(raw.data) : null;
      if (current && now - current.publishTime < BigInt(vault.oracle.maxAgeSecs) / 2n) return;
      const updateData = await fetchHermesUpdate(hermes.url, feedId, hermes.fetch);
      const encodedVaa = await generateKeyPairSigner();
      const rentFor = async (space: number) => BigInt(await connection.rpc.getMinimumBalanceForRentExemption(BigInt(space)).send());
      const plan = await buildPostUpdate({ payer: keeper, encodedVaa, updateData, feedId, rentFor, shard: this.o.feeds?.shard, pushOracleProgram: this.o.feeds?.pushOracleProgram });
      const [first, second] = plan.transactions as [Instruction[], Instruction[]];
      await sendInstructions(connection, keeper, first, { computeUnitLimit: POST_UPDATE_COMPUTE_UNITS.first });
      try {
        await sendInstructions(connection, keeper, second, { computeUnitLimit: POST_UPDATE_COMPUTE_UNITS.second });
      } catch (e) {
        // The encoded VAA holds the keeper's rent: close it even when the post failed.
        await sendInstructions(connection, keeper, [second[second.length - 1]!]).catch(() => undefined);
        throw e;
      }
      this.log(`posted a Hermes update into ${account}`);
    } catch (e) {
      this.log(`Hermes refresh of ${account} failed (${(e as Error).message.split('\n')[0]}): reading what is on chain`);
    }
  }

  /** Where this vault's prices are read: its pinned accounts (the program reads no other), else
   * the configured accounts, else its own feeds' sponsored accounts. */
  private async priceAccounts(vault: Vault): Promise<{ collateral: Address; depeg?: Address }> {
    const { priceAccount, depegPriceAccount } = this.o;
    const own = await vaultPriceAccounts(vault, this.o.feeds);
    return {
      collateral: pinnedPriceAccount(vault, 'collateral') ?? priceAccount ?? own.collateral,
      depeg: pinnedPriceAccount(vault, 'depeg') ?? depegPriceAccount ?? own.depeg,
    };
  }

  private async tickVault(address: Address, vault: Vault) {
    const { connection, programAddress } = this.o;
    const now = await fetchChainTime(connection.rpc);
    if (now < (this.backoffUntil.get(address) ?? 0n)) return;
    this.quoteDecimals.set(address, vault.quoteDecimals);
    const series = await listSeries(connection.rpc, address, programAddress);
    const prices = await this.priceAccounts(vault);
    await this.refreshFromHermes(vault, prices.collateral, Uint8Array.from(vault.oracle.collateralFeed), now);
    if (prices.depeg && needsDepegPrice(vault)) await this.refreshFromHermes(vault, prices.depeg, Uint8Array.from(vault.oracle.depegFeed), now);
    await this.settleExpired(address, vault, series, now, prices.collateral);
    await this.rollDue(address, vault, now, prices.collateral);

    let collateral: Reading;
    try {
      collateral = await this.reading(vault, prices.collateral, now, 'collateral');
    } catch (e) {
      if (e instanceof OracleError || e instanceof QuoteError) return this.record({ kind: 'skip', vault: address, reason: `price account not usable: ${e.message}` });
      throw e;
    }
    const depeg = await this.depegReading(vault, prices.depeg, now);
    const reserve = await fetchMaybeToken(connection.rpc, vault.reserve, { commitment: 'confirmed' });
    let plan: ReturnType<typeof planVault>;
    try {
      plan = planVault({
        vault, series, collateral, depeg: depeg.reading, now, keeper: this.o.keeper.address,
        reserveBalance: reserve.exists ? reserve.data.amount : 0n,
      });
    } catch (e) {
      if (e instanceof ObservationError) return this.record({ kind: 'skip', vault: address, reason: 'price is older than the last observation' });
      throw e;
    }
    const capped = plan.refusals.get('ReleaseCapReached');
    if (capped) this.note(`${address}:cap:${vault.epochStart}`, address, 'release cap reached for this epoch; waiting for the next');

    if (plan.steps.length === 0) {
      if (plan.observe) await this.observe(address, plan.observe, prices.collateral, depeg.account);
      return;
    }
    // Every step observes the update first, so no separate observation is needed.
    const tipAccount = await this.tipAccountFor(vault);
    for (const { series: s, step } of plan.steps) {
      await this.once(s, async () => {
        try {
          // One attempt per tick: a resend after an unclear failure could land twice; the next
          // tick re-reads the series and plans the step again from the chain.
          const sig = await trigger(connection, this.o.keeper, {
            priceUpdate: prices.collateral, depegPriceUpdate: depeg.account,
            programAddress, series: s, keeperToken: tipAccount,
          });
          this.record({ kind: 'trigger', vault: address, series: s, signature: sig, payout: step.payout, tip: step.tip, heldPrice: step.heldPrice });
          this.failures.delete(address);
        } catch (e) {
          const typed = parseBackstopError(e);
          if (typed && RETRY_NEXT_TICK.has(typed.errorName)) {
            this.record({ kind: 'skip', vault: address, reason: `${s}: ${typed.errorName}, next tick` });
          } else {
            this.backOff(address, now);
            throw e;
          }
        }
      });
    }
  }

  private async observe(vault: Address, reason: string, priceAccount: Address, depegAccount?: Address) {
    const sig = await this.send('observe', () => observeBreach(this.o.connection, this.o.keeper, {
      vault, priceUpdate: priceAccount, depegPriceUpdate: depegAccount, programAddress: this.o.programAddress,
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

  /** Settles expired series by the ladder: sends only what settles a series or records an
   * earlier candidate; after the deadline, with no usable update, sends none (the candidate or
   * the vault's last observed price then settles). */
  private async settleExpired(vault: Address, v: Vault, series: SeriesView[], now: bigint, priceAccount: Address) {
    const { connection, keeper, programAddress } = this.o;
    if (!series.some((x) => !x.settled && x.data.expiry <= now)) return;
    const raw = await fetchRawAccount(connection.rpc, priceAccount);
    let shown: ShownUpdate | null = null;
    let usable = false;
    try {
      if (raw) {
        shown = shownUpdate(v, raw.owner, raw.data);
        usable = true;
      }
    } catch (e) {
      if (!(e instanceof OracleError)) throw e;
    }
    const { send, waiting } = planSettlements(v, series, now, shown, usable);
    for (const w of waiting) this.note(`${w.series}:settle:${w.reason}`, vault, `${w.series}: settlement waits (${w.reason})`);
    for (const p of send) {
      await this.once(p.series, async () => {
        try {
          const sig = await settleSeries(connection, keeper, {
            series: p.series, priceUpdate: p.withPriceAccount ? priceAccount : undefined, programAddress,
          });
          if (p.outcome.kind === 'final') this.record({ kind: 'settle', vault, series: p.series, signature: sig, source: SettlementSource[p.outcome.source] });
          else this.record({ kind: 'candidate', vault, series: p.series, signature: sig });
        } catch (e) {
          const typed = parseBackstopError(e);
          if (typed && RETRY_NEXT_TICK.has(typed.errorName)) this.record({ kind: 'skip', vault, reason: `${p.series}: ${typed.errorName}, next tick` });
          else this.record({ kind: 'error', vault, series: p.series, error: (typed ?? (e as Error)).message });
        }
      });
    }
  }

  /** Rolls every due rung of the vault's ladder: continuous coverage. A refusal a later tick
   * may not meet (a stale price, a reserve short of the budget, a price that moved the strike
   * target) is logged once and retried next tick: the overlap window is the time to retry. */
  private async rollDue(vault: Address, v: Vault, now: bigint, priceAccount: Address) {
    const { connection, programAddress, keeper } = this.o;
    const state = await fetchLadderState(connection.rpc, vault, programAddress);
    if (!state) return;
    for (const rung of dueRungs(state.ladder, now)) {
      await this.once(`${vault}:rung:${rung}`, async () => {
        try {
          const r = await this.send(`roll ${vault} rung ${rung}`, () =>
            rollSeries(connection, keeper, { vault, rung, priceUpdate: priceAccount, vaultData: v, programAddress }));
          this.record({ kind: 'roll', vault, series: r.series, rung, strike: r.strike, expiry: r.expiry, signature: r.signature });
        } catch (e) {
          const typed = parseBackstopError(e);
          const wait = typed ? (ROLL_WAITS.has(typed.errorName) ? typed.errorName : null) : e instanceof OracleError || e instanceof QuoteError ? e.message : null;
          if (wait !== null) this.note(`${vault}:roll:${rung}:${wait}:${now / 60n}`, vault, `rung ${rung} waits: ${wait}`);
          else this.record({ kind: 'error', vault, error: `roll rung ${rung}: ${(typed ?? (e as Error)).message}` });
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
