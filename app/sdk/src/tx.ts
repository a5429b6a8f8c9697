// Transaction sending and error inspection shared by the CLI, the migrations and the tests.
import {
  appendTransactionMessageInstructions,
  compileTransaction,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getBase64Encoder,
  getSignatureFromTransaction,
  pipe,
  sendAndConfirmTransactionFactory,
  setTransactionMessageFeePayer,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type Address,
  type Instruction,
  type Rpc,
  type RpcSubscriptions,
  type Signature,
  type SolanaRpcApi,
  type SolanaRpcSubscriptionsApi,
  type TransactionSigner,
} from '@solana/kit';
import { setComputeUnitLimitInstruction, setComputeUnitPriceInstruction } from './compute';
import { sendReliably, type SenderPolicy } from './sender';

export interface Connection {
  rpc: Rpc<SolanaRpcApi>;
  rpcSubscriptions: RpcSubscriptions<SolanaRpcSubscriptionsApi>;
  /** How transactions are sent. Given: the mainnet-grade `sendReliably` (limit from simulation,
   * priority fee, rebroadcast, fresh blockhash when safe). Omitted: one send, confirmed over
   * the websocket (the local validator in tests). */
  sender?: SenderPolicy;
}

export interface SendOptions {
  /** Compute-unit limit for the transaction (see `computeUnitLimit`); default: the runtime's. */
  computeUnitLimit?: number;
  /** Priority fee, micro-lamports per compute unit. */
  computeUnitPrice?: bigint;
}

/** Builds a v0 transaction, signs it with every signer attached to the instructions plus the
 * payer, sends it and waits for `confirmed`: under `connection.sender` when the connection has
 * one (the options' limit is the fallback of a policy that does not simulate, a given price
 * overrides the policy's), else once, over the websocket. */
export async function sendInstructions(
  connection: Connection,
  payer: TransactionSigner,
  instructions: Instruction[],
  options: SendOptions = {},
): Promise<Signature> {
  if (connection.sender) {
    const policy = options.computeUnitPrice === undefined ? connection.sender : { ...connection.sender, priorityFee: options.computeUnitPrice };
    return sendReliably(connection.rpc, payer, instructions, policy, options.computeUnitLimit);
  }
  const budget: Instruction[] = [];
  if (options.computeUnitLimit !== undefined) budget.push(setComputeUnitLimitInstruction(options.computeUnitLimit));
  if (options.computeUnitPrice !== undefined) budget.push(setComputeUnitPriceInstruction(options.computeUnitPrice));
  instructions = [...budget, ...instructions];
  const { value: blockhash } = await connection.rpc.getLatestBlockhash({ commitment: 'confirmed' }).send();
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
  );
  const tx = await signTransactionMessageWithSigners(message);
  const sendAndConfirm = sendAndConfirmTransactionFactory(connection);
  await sendAndConfirm(tx as Parameters<typeof sendAndConfirm>[0], { commitment: 'confirmed' });
  return getSignatureFromTransaction(tx);
}

type ErrorWithContext = { cause?: unknown; context?: { code?: unknown; logs?: unknown } };

function causes(err: unknown): ErrorWithContext[] {
  const chain: ErrorWithContext[] = [];
  for (let e = err as ErrorWithContext | undefined; e && typeof e === 'object'; e = e.cause as ErrorWithContext) {
    chain.push(e);
  }
  return chain;
}

/** The custom program error code anywhere in an error's cause chain, if any. */
export function customErrorCode(err: unknown): number | undefined {
  const code = causes(err).map((e) => e.context?.code).find((c) => typeof c === 'number' || typeof c === 'bigint');
  return code === undefined ? undefined : Number(code);
}

/** Program logs of a failed send (from the preflight simulation), if any. */
export function errorLogs(err: unknown): string[] {
  const logs = causes(err).map((e) => e.context?.logs).find(Array.isArray);
  return (logs as string[] | undefined) ?? [];
}

/** A simulation the runtime refused, with its logs. */
export class SimulationError extends Error {
  constructor(message: string, readonly logs: string[]) {
    super(message);
    this.name = 'SimulationError';
  }
}

/** Simulates `instructions` (no signatures checked, nothing written): the transaction error
 * (null when it would succeed), the logs and the return data. */
export async function simulateInstructions(rpc: Rpc<SolanaRpcApi>, feePayer: Address, instructions: Instruction[]) {
  const { value: blockhash } = await rpc.getLatestBlockhash({ commitment: 'confirmed' }).send();
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayer(feePayer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
  );
  const wire = getBase64EncodedWireTransaction(compileTransaction(message));
  const { value } = await rpc
    .simulateTransaction(wire, { encoding: 'base64', sigVerify: false, replaceRecentBlockhash: true, commitment: 'confirmed' })
    .send();
  return { err: value.err as unknown, logs: [...(value.logs ?? [])], returnData: value.returnData };
}

/** Simulates `instructions` (no signatures checked, nothing written) and returns the return data
 * the last program left, e.g. a view's answer. */
export async function simulateReturnData(rpc: Rpc<SolanaRpcApi>, feePayer: Address, instructions: Instruction[]): Promise<Uint8Array> {
  const value = await simulateInstructions(rpc, feePayer, instructions);
  if (value.err) throw new SimulationError(`simulation failed: ${JSON.stringify(value.err, (_, v) => (typeof v === 'bigint' ? Number(v) : v))}`, value.logs);
  const data = value.returnData?.data[0];
  if (data === undefined) throw new SimulationError('the simulation returned no data', value.logs);
  return base64Bytes(data);
}

/** Bytes of a base64 string (RPC account data, return data, Hermes updates). */
export function base64Bytes(data: string): Uint8Array {
  return Uint8Array.from(getBase64Encoder().encode(data));
}
