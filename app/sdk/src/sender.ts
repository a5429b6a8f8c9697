// The mainnet-grade send path used by the CLI and the keeper: compute-unit limit from a
// simulation plus a margin, a priority fee from recent prioritization fees (capped), rebroadcast
// until confirmed or the blockhash expires, then a fresh blockhash only once the old transaction
// can no longer land. A send that gives up says so with a SendGaveUpError; a transaction the
// runtime refused throws a TransactionFailedError carrying the program's error code and logs.
import {
  appendTransactionMessageInstructions,
  compileTransaction,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  getSolanaErrorFromTransactionError,
  isWritableRole,
  pipe,
  setTransactionMessageFeePayer,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type Address,
  type Blockhash,
  type Instruction,
  type Rpc,
  type Signature,
  type SolanaRpcApi,
  type TransactionSigner,
} from '@solana/kit';
import { COMPUTE_BUDGET_PROGRAM_ADDRESS, setComputeUnitLimitInstruction, setComputeUnitPriceInstruction } from './compute';

/** The runtime's largest compute-unit limit per transaction. */
export const MAX_COMPUTE_UNIT_LIMIT = 1_400_000;

export interface SenderPolicy {
  /** 'simulate' (default): the limit is what a simulation consumed plus the margin; 'given': the
   * caller's limit (the measured table), no simulation. */
  computeUnits?: 'simulate' | 'given';
  /** Margin over the simulated units, basis points (default 1,000 = 10 %), at least 1,000 CU. */
  computeUnitMarginBps?: number;
  /** 'auto' (default): the `priorityFeePercentile` of the recent prioritization fees paid on the
   * accounts this transaction writes; or a fixed price in micro-lamports per compute unit. */
  priorityFee?: 'auto' | bigint;
  /** Percentile of the recent fees, 0-100 (default 75). */
  priorityFeePercentile?: number;
  /** Cap on the price, micro-lamports per compute unit (default 1,000,000: at most 1 lamport a
   * unit, 0.0014 SOL for a whole 1.4M-unit transaction). */
  maxComputeUnitPrice?: bigint;
  /** Rebroadcast the signed transaction this often while it is unconfirmed (default 2,000 ms). */
  rebroadcastMs?: number;
  /** Signature status polling period (default 400 ms). */
  pollMs?: number;
  /** Fresh blockhashes to try before giving up (default 3). */
  maxBlockhashes?: number;
  /** Progress lines (sent, rebroadcast, expired, confirmed), e.g. for the keeper's log. */
  onEvent?: (event: SendEvent) => void;
}

export type SendEvent =
  | { kind: 'simulated'; unitsConsumed: number; computeUnitLimit: number }
  | { kind: 'priced'; computeUnitPrice: bigint; samples: number }
  | { kind: 'sent'; signature: Signature; attempt: number; sends: number }
  | { kind: 'expired'; signature: Signature; attempt: number; sends: number }
  | { kind: 'confirmed'; signature: Signature; attempt: number; sends: number };

/** The transaction was refused by the runtime, in the simulation or on chain. `cause` is kit's
 * error for the TransactionError (its context holds a custom program error code); `context.logs`
 * are the program logs. */
export class TransactionFailedError extends Error {
  readonly context: { logs: string[] };
  constructor(
    readonly stage: 'simulation' | 'execution',
    transactionError: unknown,
    logs: readonly string[],
    readonly signature?: Signature,
  ) {
    const cause = getSolanaErrorFromTransactionError(transactionError as Parameters<typeof getSolanaErrorFromTransactionError>[0]);
    super(`transaction failed in ${stage}${signature ? ` (${signature})` : ''}: ${cause.message}`, { cause });
    this.name = 'TransactionFailedError';
    this.context = { logs: [...logs] };
  }
}

/** The sender stopped without a confirmation. `executed` is false when every signed version's
 * blockhash expired unseen (nothing ran; sending again is safe), undefined when the last one was
 * processed but never confirmed (it may still land: look it up before sending again). */
export class SendGaveUpError extends Error {
  constructor(
    readonly signatures: Signature[],
    readonly sends: number,
    readonly executed: false | undefined,
    cause?: unknown,
  ) {
    const last = signatures[signatures.length - 1];
    super(
      `transaction not confirmed after ${sends} sends of ${signatures.length} signed versions: ` +
        (executed === false
          ? `each blockhash expired before it landed, nothing executed (last signature ${last})`
          : `${last} was processed but never confirmed; it may still land, look it up before sending again`),
      { cause },
    );
    this.name = 'SendGaveUpError';
  }
}

/** The `percentile` of `fees` (nearest rank), capped at `cap`. No samples: 0. */
export function pickComputeUnitPrice(fees: readonly bigint[], percentile: number, cap: bigint): bigint {
  if (!(percentile >= 0 && percentile <= 100)) throw new RangeError(`percentile must be 0-100, got ${percentile}`);
  if (fees.length === 0) return 0n;
  const sorted = [...fees].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rank = Math.max(1, Math.ceil((percentile / 100) * sorted.length));
  const fee = sorted[rank - 1]!;
  return fee < cap ? fee : cap;
}

/** The limit for `unitsConsumed` simulated units with `marginBps` on top (at least 1,000 CU). */
export function computeUnitLimitFromSimulation(unitsConsumed: number, marginBps: number): number {
  const margin = Math.max(1_000, Math.ceil((unitsConsumed * marginBps) / 10_000));
  return Math.min(MAX_COMPUTE_UNIT_LIMIT, unitsConsumed + margin);
}

/** Addresses the instructions write (what a prioritization fee competes for). */
export function writableAccounts(payer: Address, instructions: readonly Instruction[]): Address[] {
  const out = new Set<Address>([payer]);
  for (const ix of instructions) for (const a of ix.accounts ?? []) if (isWritableRole(a.role)) out.add(a.address);
  return [...out];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const withoutBudget = (ixs: readonly Instruction[]) => ixs.filter((ix) => ix.programAddress !== COMPUTE_BUDGET_PROGRAM_ADDRESS);

function budget(limit: number, price: bigint): Instruction[] {
  const out = [setComputeUnitLimitInstruction(limit)];
  if (price > 0n) out.push(setComputeUnitPriceInstruction(price));
  return out;
}

async function simulateUnits(rpc: Rpc<SolanaRpcApi>, payer: Address, instructions: Instruction[], price: bigint): Promise<number> {
  const { value: latest } = await rpc.getLatestBlockhash({ commitment: 'confirmed' }).send();
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayer(payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(latest, m),
    (m) => appendTransactionMessageInstructions([...budget(MAX_COMPUTE_UNIT_LIMIT, price), ...instructions], m),
  );
  const wire = getBase64EncodedWireTransaction(compileTransaction(message));
  const { value } = await rpc
    .simulateTransaction(wire, { encoding: 'base64', sigVerify: false, replaceRecentBlockhash: true, commitment: 'confirmed' })
    .send();
  if (value.err) throw new TransactionFailedError('simulation', value.err, value.logs ?? []);
  if (value.unitsConsumed === undefined) throw new Error('the simulation reported no compute units');
  return Number(value.unitsConsumed);
}

async function recentPrice(rpc: Rpc<SolanaRpcApi>, accounts: Address[], policy: SenderPolicy): Promise<bigint> {
  const fixed = policy.priorityFee ?? 'auto';
  const cap = policy.maxComputeUnitPrice ?? 1_000_000n;
  if (fixed !== 'auto') return fixed < cap ? fixed : cap;
  // The RPC takes at most 128 addresses.
  const recent = await rpc.getRecentPrioritizationFees(accounts.slice(0, 128)).send();
  const price = pickComputeUnitPrice(recent.map((r) => BigInt(r.prioritizationFee)), policy.priorityFeePercentile ?? 75, cap);
  policy.onEvent?.({ kind: 'priced', computeUnitPrice: price, samples: recent.length });
  return price;
}

async function failureLogs(rpc: Rpc<SolanaRpcApi>, signature: Signature): Promise<string[]> {
  const tx = await rpc.getTransaction(signature, { commitment: 'confirmed', maxSupportedTransactionVersion: 0, encoding: 'json' }).send().catch(() => null);
  return [...(tx?.meta?.logMessages ?? [])];
}

type Status = { confirmed: boolean; err: unknown } | null;

async function statusOf(rpc: Rpc<SolanaRpcApi>, signature: Signature, searchTransactionHistory: boolean): Promise<Status> {
  const { value } = await rpc.getSignatureStatuses([signature], { searchTransactionHistory }).send();
  const s = value[0];
  if (!s) return null;
  return { confirmed: s.confirmationStatus === 'confirmed' || s.confirmationStatus === 'finalized', err: s.err };
}

/** Signs and sends `instructions` under `policy` (any compute-budget instructions given are
 * replaced). `fallbackComputeUnitLimit` is used when the policy says 'given'. */
export async function sendReliably(
  rpc: Rpc<SolanaRpcApi>,
  payer: TransactionSigner,
  instructions: readonly Instruction[],
  policy: SenderPolicy = {},
  fallbackComputeUnitLimit?: number,
): Promise<Signature> {
  const body = withoutBudget(instructions);
  const price = await recentPrice(rpc, writableAccounts(payer.address, body), policy);
  let limit = fallbackComputeUnitLimit ?? 200_000;
  if ((policy.computeUnits ?? 'simulate') === 'simulate') {
    const units = await simulateUnits(rpc, payer.address, body, price);
    limit = computeUnitLimitFromSimulation(units, policy.computeUnitMarginBps ?? 1_000);
    policy.onEvent?.({ kind: 'simulated', unitsConsumed: units, computeUnitLimit: limit });
  }
  const signed = [...budget(limit, price), ...body];
  const rebroadcastMs = policy.rebroadcastMs ?? 2_000;
  const pollMs = policy.pollMs ?? 400;
  const signatures: Signature[] = [];
  let sends = 0;
  let lastSendError: unknown;

  for (let attempt = 1; attempt <= (policy.maxBlockhashes ?? 3); attempt++) {
    const { value: latest } = await rpc.getLatestBlockhash({ commitment: 'confirmed' }).send();
    const tx = await signTransactionMessageWithSigners(
      pipe(
        createTransactionMessage({ version: 0 }),
        (m) => setTransactionMessageFeePayerSigner(payer, m),
        (m) => setTransactionMessageLifetimeUsingBlockhash(latest as { blockhash: Blockhash; lastValidBlockHeight: bigint }, m),
        (m) => appendTransactionMessageInstructions(signed, m),
      ),
    );
    const signature = getSignatureFromTransaction(tx);
    const wire = getBase64EncodedWireTransaction(tx);
    signatures.push(signature);
    const send = async () => {
      sends++;
      try {
        // Preflight was the simulation; the runtime's own retries are replaced by ours.
        await rpc.sendTransaction(wire, { encoding: 'base64', skipPreflight: true, maxRetries: 0n }).send();
      } catch (e) {
        lastSendError = e;
      }
    };
    await send();
    policy.onEvent?.({ kind: 'sent', signature, attempt, sends });
    let lastSend = Date.now();
    let pollsAfterExpiry = 0;
    for (;;) {
      await sleep(pollMs);
      const status = await statusOf(rpc, signature, false);
      if (status?.confirmed) {
        if (status.err) throw new TransactionFailedError('execution', status.err, await failureLogs(rpc, signature), signature);
        policy.onEvent?.({ kind: 'confirmed', signature, attempt, sends });
        return signature;
      }
      const height = await rpc.getBlockHeight({ commitment: 'confirmed' }).send();
      if (height > latest.lastValidBlockHeight) {
        // No block past this height can hold the transaction; if no earlier one does, it can
        // never land and a fresh signature cannot execute it twice.
        const final = await statusOf(rpc, signature, true);
        if (final === null) break;
        if (!final.confirmed) {
          // Processed in a block not yet confirmed: wait for its verdict, but never resend a
          // transaction that may still land.
          if (++pollsAfterExpiry > 50) throw new SendGaveUpError(signatures, sends, undefined, lastSendError);
          continue;
        }
        if (final.err) throw new TransactionFailedError('execution', final.err, await failureLogs(rpc, signature), signature);
        policy.onEvent?.({ kind: 'confirmed', signature, attempt, sends });
        return signature;
      }
      if (status === null && Date.now() - lastSend >= rebroadcastMs) {
        await send();
        lastSend = Date.now();
      }
    }
    policy.onEvent?.({ kind: 'expired', signature, attempt, sends });
  }
  throw new SendGaveUpError(signatures, sends, false, lastSendError);
}
