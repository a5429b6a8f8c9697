// What the keeper should send for one vault, decided from account data alone (no RPC): the
// SDK's mirrors of the program predict what an observation, a release step or a settlement
// would do, so the keeper sends only transactions that change something.
import {
  BreachTransition,
  SeriesStyle,
  breachedTriggers,
  decideSettlement,
  planStep,
  applyStep,
  settlementChangesSomething,
  simulateObservation,
  type Reading,
  type SeriesView,
  type SettlementOutcome,
  type ShownUpdate,
  type Step,
  type StepRefusal,
  type Vault,
} from '@backstop/sdk';
import type { Address } from '@solana/kit';

export interface PlannedStep {
  series: Address;
  step: Step;
}

export interface VaultPlan {
  /** Release steps the program would pay, in order (they share the epoch cap). */
  steps: PlannedStep[];
  /** Send `observe_breach` (when no step carries the observation), and why. */
  observe: string | null;
  /** Why series in the money were not stepped (by refusal), for the log. */
  refusals: Map<StepRefusal, Address[]>;
}

/** Observations worth a transaction when no step carries one, and how they read in the log. */
const OBSERVE_REASONS: Partial<Record<BreachTransition, string>> = {
  [BreachTransition.Started]: 'breach seen',
  [BreachTransition.StillPending]: 'breach persists',
  [BreachTransition.Confirmed]: 'breach confirmed',
  // Keeps the breach from expiring and slides the held-price window to the newer prices.
  [BreachTransition.StillConfirmed]: 'breach holds',
  [BreachTransition.Cleared]: 'recovered',
};

export interface VaultInputs {
  vault: Vault;
  series: SeriesView[];
  /** The collateral update as an observation reads it, and the stablecoin's (undefined: none
   * passed). Throws ObservationError when the collateral update is older than the last one. */
  collateral: Reading;
  depeg?: Reading;
  now: bigint;
  keeper: Address;
  /** The reserve account's balance (sizes the expected tip). */
  reserveBalance: bigint;
}

/** The steps the program would pay on this vault now (after the observation every `trigger`
 * makes with the same update), else whether an `observe_breach` is worth sending. */
export function planVault(i: VaultInputs): VaultPlan {
  const observed = simulateObservation(i.vault, i.collateral, i.depeg, i.now);
  let vault = observed.vault;
  let reserve = i.reserveBalance;
  const steps: PlannedStep[] = [];
  const refusals = new Map<StepRefusal, Address[]>();
  const byReporter = i.keeper === i.vault.reporter;
  for (const s of i.series) {
    if (s.settled || s.data.expiry <= i.now || s.data.writtenSize === 0n) continue;
    // A physical series is exercised by its holder's deliveries, not by keepers.
    if (s.data.style !== SeriesStyle.CashRatchet) continue;
    const plan = planStep(vault, s.data, i.now, { byReporter, reserveBalance: reserve });
    if (!plan.ok) {
      refusals.set(plan.refusal, [...(refusals.get(plan.refusal) ?? []), s.address]);
      continue;
    }
    steps.push({ series: s.address, step: plan.step });
    vault = applyStep(vault, s.data, plan.step, i.now).vault;
    reserve -= plan.step.tip;
  }
  const fresh = i.collateral.kind === 'price' && i.collateral.price.publishTime > i.vault.breach.lastObserved;
  const reason = OBSERVE_REASONS[observed.transition];
  let observe: string | null = null;
  if (steps.length === 0 && fresh && reason && i.collateral.kind === 'price') {
    const triggers = breachedTriggers(i.vault, i.collateral.price);
    observe = triggers.length > 0 && observed.transition !== BreachTransition.Cleared ? `${reason}: ${triggers.join(', ')}` : reason;
  }
  return { steps, observe, refusals };
}

export interface SettlementPlan {
  series: Address;
  outcome: SettlementOutcome;
  /** Pass the price account (it reads as the vault's feed); else settle without one. */
  withPriceAccount: boolean;
}

/** For each expired, unsettled series: what `settle_series` would do now with the update
 * `shown` (null: it says nothing; `usable` false: the account is not the vault's feed at all,
 * so it is left out). Only sends that change something are returned; the rest wait. */
export function planSettlements(vault: Vault, series: SeriesView[], now: bigint, shown: ShownUpdate | null, usable: boolean): {
  send: SettlementPlan[];
  waiting: { series: Address; reason: string }[];
} {
  const send: SettlementPlan[] = [];
  const waiting: { series: Address; reason: string }[] = [];
  for (const s of series) {
    if (s.settled || s.data.expiry > now) continue;
    const outcome = decideSettlement(vault, s.data, now, usable ? shown : null);
    if (settlementChangesSomething(s.data, outcome)) send.push({ series: s.address, outcome, withPriceAccount: usable });
    else waiting.push({ series: s.address, reason: outcome.kind === 'refused' ? outcome.reason : 'no earlier update than the recorded candidate' });
  }
  return { send, waiting };
}
