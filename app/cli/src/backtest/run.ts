// One backtest run's parties and what they do at a tick (engine.ts calls them in order): the
// keeper as `backstop keeper run` decides (keeper-plan.ts), the writer filling the live series
// and reclaiming settled ones, the protocol opening the next series. Each transaction's token
// movements are measured from balances into the series' records, and its events are kept.
import type { Address } from '@solana/kit';
import {
  DEFAULT_SLIPPAGE_BPS,
  QuoteError,
  quoteAmountDown,
  quoteWrite,
  oracleReadConfig,
  readReading,
  seriesView,
  shownUpdate,
  rollExpiry,
  rollStrike,
  rungDue,
  validatePriceAccount,
  SeriesStatus,
  SeriesStyle,
  SettlementSource,
  type Series,
  type Vault,
  type WriteQuote,
} from '@backstop/sdk';
import { planSettlements, planVault } from '../keeper-plan';
import type { Chain, Landed } from './chain';
import { COLLATERAL_DECIMALS, QUOTE_DECIMALS, type Market } from './market';
import { holdingsTotal, newSeriesRecord, type Holdings, type RunEvent, type SeriesRecord } from './ledger';
import type { BacktestConfig } from './engine';

/** Without --budget, each series may spend this share of the insured notional at its opening. */
export const DEFAULT_BUDGET_BPS = 1_000n;
/** The protocol keeps this many keeper tips uncommitted in the reserve beside the budgets. */
const TIPS_KEPT = 100n;
const U64_MAX = (1n << 64n) - 1n;

export class Run {
  readonly records: SeriesRecord[] = [];
  readonly events: RunEvent[] = [];
  minted = 0n;
  /** A token moved since conservation was last checked. */
  moved = false;
  reserveFunded = 0n;
  writerCapitalIn = 0n;
  now = 0n;

  constructor(readonly c: BacktestConfig, readonly chain: Chain, readonly m: Market, readonly start: bigint, readonly end: bigint) {}

  holdings(): Holdings {
    const b = (a: Address) => this.chain.balance(a);
    return {
      protocol: b(this.m.tokens.protocol), writer: b(this.m.tokens.writer), keeper: b(this.m.tokens.keeper),
      reserve: b(this.m.reserve), recovery: b(this.m.recovery),
      escrows: this.records.filter((r) => !r.closed).reduce((sum, r) => sum + b(r.escrow), 0n),
    };
  }

  /** Sends through `f`, keeps its events, and returns how the balances of `accounts` moved. */
  async measured(tx: string, f: () => Promise<Landed>, accounts: Address[]): Promise<bigint[]> {
    const before = accounts.map((a) => this.chain.balance(a));
    const landed = await f();
    if (accounts.length > 0) this.moved = true;
    for (const e of landed.events) this.events.push({ ...e, time: this.now, tx });
    return accounts.map((a, i) => this.chain.balance(a) - before[i]!);
  }

  async mint(to: Address, amount: bigint) {
    await this.m.mint(to, amount);
    this.minted += amount;
    this.moved = true;
  }

  /** Every quote unit minted is in one of the run's token accounts (docs/DESIGN.md section 4). */
  checkConservation() {
    const held = holdingsTotal(this.holdings());
    if (held !== this.minted) throw new Error(`conservation broken at ${this.now}: ${held} quote units held, ${this.minted} minted`);
    this.moved = false;
  }

  unsettled(): SeriesRecord[] {
    return this.records.filter((r) => r.settledAt === null);
  }

  seriesViews(records: SeriesRecord[]) {
    return records.map((r) => seriesView(r.address, this.m.seriesData(r.address)));
  }

  /** The keeper's tick: settlements by the ladder, then release steps or an observation. */
  async keeper() {
    const { m, now } = this;
    const feed = this.chain.raw(m.priceAccount)!;
    let vault = m.vaultData();
    const expired = this.unsettled().filter((r) => r.expiry <= now);
    if (expired.length > 0) {
      const { send } = planSettlements(vault, this.seriesViews(expired), now, shownUpdate(vault, feed.owner, feed.data), true);
      for (const p of send) {
        const r = this.records.find((x) => x.address === p.series)!;
        const [paid] = await this.measured('settle_series', () => m.settle(p.series, p.withPriceAccount), [m.recovery]);
        r.settlementPaid += paid!;
        const s = m.seriesData(p.series);
        if (s.status === SeriesStatus.Settled) {
          r.settledAt = now;
          r.settlementPrice = s.settlementPrice;
          r.settlementSource = SettlementSource[s.settlementSource] ?? String(s.settlementSource);
        }
      }
      vault = m.vaultData();
    }
    const reading = readReading(feed.owner, feed.data, oracleReadConfig(vault, now));
    const plan = planVault({
      vault, series: this.seriesViews(this.unsettled()), collateral: reading, now,
      keeper: m.keeper.address, reserveBalance: this.chain.balance(m.reserve),
    });
    for (const { series } of plan.steps) {
      const r = this.records.find((x) => x.address === series)!;
      const [released, tip] = await this.measured('trigger', () => m.trigger(series), [m.recovery, m.tokens.keeper]);
      r.ratchetReleased += released!;
      r.tips += tip!;
      r.steps++;
    }
    if (plan.steps.length === 0 && plan.observe) await this.measured('observe_breach', () => m.observe(), []);
  }

  /** The writer takes back what settlement left it; the keeper then closes the series. */
  async reclaimAndClose() {
    for (const r of this.records) {
      if (r.settledAt === null || r.closed) continue;
      if (await this.m.position(r.address)) {
        const [back] = await this.measured('reclaim', () => this.m.reclaim(r.address), [this.m.tokens.writer]);
        r.reclaimed += back!;
      }
      const [dust] = await this.measured('close_series', () => this.m.close(r.address), [this.m.reserve]);
      r.dustSwept += dust!;
      r.closed = true;
    }
  }

  /** The vault's ladder (docs/DESIGN.md section 7c), set by the protocol's risk authority at
   * the run's start: one rung at `strikePct` of spot, `tenor`, `overlap`, the size insured and
   * a fixed budget per series (default DEFAULT_BUDGET_BPS of the notional at the first price). */
  async setLadder(price: bigint) {
    const { c, m } = this;
    const budget = c.budget ?? (this.notional(price) * DEFAULT_BUDGET_BPS) / 10_000n;
    const landed = await m.setLadder({
      tenorSecs: Number(c.tenorSecs), overlapSecs: Number(c.overlapSecs), strikesBps: [Number(c.strikePct) * 100, 0, 0, 0],
      strikeTick: c.strikeTick, style: SeriesStyle.CashRatchet, sizeCap: c.insuredSize, budgetPerSeries: budget,
      svi: { a: c.svi.a, b: c.svi.b, rho: c.svi.rho, m: c.svi.m, sigma: c.svi.sigma },
    });
    for (const e of landed.events) this.events.push({ ...e, time: this.now, tx: 'set_ladder' });
  }

  /** Continuous coverage, the one place a series is opened: the keeper rolls the ladder's rung
   * when it is due (no series yet, or the live one within the overlap window of its expiry),
   * naming the strike and expiry the program checks (the SDK's mirrors, as `keeper run` does);
   * the protocol keeps the reserve able to pay the budget. The series live at the path's end
   * expires after it: the run's wind-down settles it (engine.ts). */
  async roll(price: bigint) {
    const { m, now } = this;
    const ladder = m.ladderData();
    if (!rungDue(ladder, 0, now)) return;
    const expiry = rollExpiry(ladder, 0, now);
    const t = ladder.template;
    const strike = rollStrike(price, t.strikesBps[0]!, QUOTE_DECIMALS, t.strikeTick);
    const vault = m.vaultData();
    await this.fundReserve(vault, t.budgetPerSeries + TIPS_KEPT * vault.release.keeperTip);
    const { series, landed } = await m.roll(0, strike, expiry);
    for (const e of landed.events) this.events.push({ ...e, time: now, tx: 'roll_series' });
    const s = m.seriesData(series);
    this.records.push(newSeriesRecord(series, s.escrow, now, expiry, strike, price, t.sizeCap, t.budgetPerSeries));
  }

  /** Tops the reserve up so that `needed` is uncommitted (the protocol brings new quote). */
  async fundReserve(vault: Vault, needed: bigint) {
    const uncommitted = this.chain.balance(this.m.reserve) - vault.totals.committedPremium;
    if (uncommitted >= needed) return;
    const amount = needed - uncommitted;
    await this.mint(this.m.tokens.protocol, amount);
    const [funded] = await this.measured('fund_reserve', () => this.m.fund(amount), [this.m.reserve]);
    this.reserveFunded += funded!;
  }

  /** The writer fills the live series up to its size cap (within its premium budget) whenever
   * the program would accept the write: not while a breach is pending or confirmed, not within
   * the write cutoff, not after the series advanced. */
  async write() {
    const { m, now } = this;
    const feed = this.chain.raw(m.priceAccount)!;
    for (const r of this.records) {
      if (r.settledAt !== null || now >= r.expiry) continue;
      const s = m.seriesData(r.address);
      if (s.writtenSize >= s.sizeCap) continue;
      const vault = m.vaultData();
      const price = validatePriceAccount(feed.owner, feed.data, oracleReadConfig(vault, now));
      const quote = quoteWithinBudget(vault, s, price, now, s.sizeCap - s.writtenSize);
      if (!quote) continue;
      const wallet = this.chain.balance(m.tokens.writer);
      if (wallet < quote.escrow) {
        await this.mint(m.tokens.writer, quote.escrow - wallet);
        this.writerCapitalIn += quote.escrow - wallet;
      }
      const minPremium = (quote.premium * (10_000n - DEFAULT_SLIPPAGE_BPS)) / 10_000n;
      const [reserve, escrow] = await this.measured('write_put', () => m.writePut(r.address, quote.size, minPremium), [m.reserve, r.escrow]);
      r.premium += -reserve!;
      r.escrowDeposited += escrow!;
      r.written += quote.size;
    }
  }

  notional(price: bigint): bigint {
    return quoteAmountDown(price, this.c.insuredSize, COLLATERAL_DECIMALS, QUOTE_DECIMALS);
  }

  /** Quote in the escrows of the series that insure now (open and unexpired). */
  coverage(): bigint {
    return this.records
      .filter((r) => r.settledAt === null && this.now < r.expiry)
      .reduce((sum, r) => sum + this.chain.balance(r.escrow), 0n);
  }

  liveStrike(): bigint | null {
    return this.records.find((r) => r.settledAt === null && this.now < r.expiry)?.strike ?? null;
  }
}

/** The quote for the largest size up to `size` whose premium fits the series' budget; null when
 * the program would refuse any write now (frozen, cutoff, budget spent). */
function quoteWithinBudget(vault: Vault, s: Series, price: ReturnType<typeof validatePriceAccount>, now: bigint, size: bigint): (WriteQuote & { size: bigint }) | null {
  const attempt = (n: bigint) => ({ ...quoteWrite(vault, s, price, now, n), size: n });
  let full: WriteQuote;
  try {
    full = quoteWrite(vault, { ...s, premiumBudget: U64_MAX }, price, now, size);
  } catch (e) {
    if (e instanceof QuoteError) return null;
    throw e;
  }
  const left = s.premiumBudget - s.premiumPaid;
  if (full.premium <= left) return attempt(size);
  // The premium is linear in size up to rounding: start there and step down past the rounding.
  for (let n = (size * left) / full.premium; n > 0n; n -= n / 10_000n + 1n) {
    try {
      return attempt(n);
    } catch (e) {
      if (!(e instanceof QuoteError && e.reason === 'PremiumBudgetExceeded')) throw e;
    }
  }
  return null;
}
