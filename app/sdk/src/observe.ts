// One observation of a vault's triggers, as the program makes it (`solvency.rs`, `BreachState::
// observe`): three-valued verdicts on price bands, the breach state machine, the price window
// and the last price. Clients use it to predict what `observe_breach` or `trigger` would do
// with an update before sending it. docs/DESIGN.md section 5.
import { BreachTransition, type BreachState, type Vault } from './generated/backstop/index';
import { priceBand, type OraclePrice, type Reading } from './oracle';
import { breachMaxGap, heldSpan, recordPrice } from './release';
import { solvencyRatioBps } from './views';

export type Verdict = 'healthy' | 'breached' | 'unknown';

/** Kleene "or": breached if either is, healthy only if both are. */
export function verdictOr(a: Verdict, b: Verdict): Verdict {
  if (a === 'breached' || b === 'breached') return 'breached';
  return a === 'healthy' && b === 'healthy' ? 'healthy' : 'unknown';
}

/** Kleene "and": healthy if either is, breached only if both are. */
export function verdictAnd(a: Verdict, b: Verdict): Verdict {
  if (a === 'healthy' || b === 'healthy') return 'healthy';
  return a === 'breached' && b === 'breached' ? 'breached' : 'unknown';
}

/** `price <= level` on a band: breached at its top, healthy at its bottom, else unknown. */
function atOrBelow([low, high]: [bigint, bigint], level: bigint): Verdict {
  if (high <= level) return 'breached';
  return low > level ? 'healthy' : 'unknown';
}

/** The verdict of every enabled trigger on a collateral band and (joint trigger) the
 * stablecoin band, `null` when that feed gives no information (`solvency::verdict`). */
export function triggerVerdict(vault: Vault, collateral: [bigint, bigint], publishTime: bigint, depeg: [bigint, bigint] | null): Verdict {
  const t = vault.trigger;
  let v: Verdict = 'healthy';
  if (t.barrierPrice > 0n) v = verdictOr(v, atOrBelow(collateral, t.barrierPrice));
  if (t.ratioThresholdBps > 0 && vault.report.liabilities > 0n && publishTime - vault.report.reportedAt <= BigInt(t.maxReportAgeSecs)) {
    const threshold = BigInt(t.ratioThresholdBps);
    // The ratio grows with the price: breached when below at the band's top.
    const leg: Verdict = solvencyRatioBps(vault, collateral[1])! < threshold ? 'breached'
      : solvencyRatioBps(vault, collateral[0])! >= threshold ? 'healthy' : 'unknown';
    v = verdictOr(v, leg);
  }
  if (t.jointCollateralPrice > 0n && t.depegPrice > 0n) {
    const depegLeg = depeg ? atOrBelow(depeg, t.depegPrice) : 'unknown';
    v = verdictOr(v, verdictAnd(atOrBelow(collateral, t.jointCollateralPrice), depegLeg));
  }
  return v;
}

/** The breach state after one observation and the transition it makes (`BreachState::observe`). */
export function observeBreachState(
  breach: BreachState,
  o: { publishTime: bigint; clock: bigint; verdict: Verdict },
  persistenceSecs: number,
  maxGapSecs: bigint,
): { breach: BreachState; transition: BreachTransition } {
  const gap = o.publishTime - breach.lastBreached;
  const b: BreachState = { ...breach, lastObserved: o.publishTime };
  const wasBreached = breach.firstSeen !== 0n;
  const cleared = { ...b, firstSeen: 0n, firstSeenClock: 0n, confirmedAt: 0n };
  if (o.verdict === 'healthy') {
    return { breach: cleared, transition: wasBreached ? BreachTransition.Cleared : BreachTransition.StillHealthy };
  }
  if (o.verdict === 'unknown') {
    return wasBreached && gap > maxGapSecs
      ? { breach: cleared, transition: BreachTransition.Expired }
      : { breach: b, transition: BreachTransition.NoInformation };
  }
  b.lastBreached = o.publishTime;
  if (!wasBreached || gap > maxGapSecs) {
    return {
      breach: { ...b, firstSeen: o.publishTime, firstSeenClock: o.clock, confirmedAt: 0n },
      transition: BreachTransition.Started,
    };
  }
  if (b.confirmedAt !== 0n) return { breach: b, transition: BreachTransition.StillConfirmed };
  const p = BigInt(persistenceSecs);
  if (o.publishTime - b.firstSeen >= p && o.clock - b.firstSeenClock >= p) {
    return { breach: { ...b, confirmedAt: o.publishTime }, transition: BreachTransition.Confirmed };
  }
  return { breach: b, transition: BreachTransition.StillPending };
}

export class ObservationError extends Error {
  constructor(readonly reason: 'OracleOutdated', message: string) {
    super(`${reason}: ${message}`);
    this.name = 'ObservationError';
  }
}

export interface Observed {
  /** The vault as the observation leaves it. */
  vault: Vault;
  transition: BreachTransition;
  /** The collateral price read; null when the feed gave no information. */
  price: OraclePrice | null;
  /** What the price window recorded: the price, or `price + conf` for a wide update; 0 for none. */
  recorded: bigint;
}

/** What an observation (`observe_breach`, `report_solvency` or the one inside `trigger`) with
 * these readings does to the vault at cluster time `now` (`solvency::observe`). `depeg`:
 * the stablecoin reading, `undefined` when no stablecoin account is passed. Throws
 * ObservationError('OracleOutdated') where the program refuses an older collateral update. */
export function simulateObservation(vault: Vault, collateral: Reading, depeg: Reading | undefined, now: bigint): Observed {
  // A stale collateral update records nothing: only the clock acts on the breach.
  if (collateral.kind === 'none') return { vault, transition: BreachTransition.NoInformation, price: null, recorded: 0n };
  const price = collateral.price;
  if (price.publishTime < vault.breach.lastObserved) {
    throw new ObservationError('OracleOutdated', `update of ${price.publishTime} is older than the last observed ${vault.breach.lastObserved}`);
  }
  let breach = vault.breach;
  let depegBand: [bigint, bigint] | null = null;
  const joint = vault.trigger.jointCollateralPrice > 0n && vault.trigger.depegPrice > 0n;
  if (joint && depeg?.kind === 'price' && depeg.price.publishTime >= breach.depegLastObserved) {
    breach = { ...breach, depegLastObserved: depeg.price.publishTime };
    depegBand = priceBand(depeg.price, depeg.wide);
  }
  const band = priceBand(price, collateral.wide);
  const verdict = triggerVerdict(vault, band, price.publishTime, depegBand);
  // The window keeps the top of the band: a step never pays at a price below what was seen.
  const recorded = band[1];
  const window = recordPrice(vault.window, price.publishTime, recorded, heldSpan(vault));
  const lastPrice = price.publishTime >= vault.lastPrice.publishTime ? { price: recorded, publishTime: price.publishTime } : vault.lastPrice;
  const next = observeBreachState(breach, { publishTime: price.publishTime, clock: now, verdict }, vault.trigger.persistenceSecs, breachMaxGap(vault));
  return { vault: { ...vault, breach: next.breach, window, lastPrice }, transition: next.transition, price, recorded };
}
