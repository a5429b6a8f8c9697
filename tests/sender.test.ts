// The SDK's mainnet-grade sender against a local validator with fast slots (a blockhash lives
// 150 slots: seconds here, not a minute) behind a proxy that loses sends: rebroadcast, a fresh
// blockhash only once the old signature can no longer land, a clear give-up, the compute-unit
// limit from simulation and the priority fee from recent fees, and each transfer executed once.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { createSolanaRpc, generateKeyPairSigner, getBase58Encoder, lamports, type Address, type KeyPairSigner, type Rpc, type Signature, type SolanaRpcApi } from '@solana/kit';
import { getTransferSolInstruction } from '@solana-program/system';
import {
  COMPUTE_BUDGET_PROGRAM_ADDRESS,
  SendGaveUpError,
  TransactionFailedError,
  customErrorCode,
  errorLogs,
  pickComputeUnitPrice,
  computeUnitLimitFromSimulation,
  sendReliably,
  type SendEvent,
  type SenderPolicy,
} from '../app/sdk/src/index';
import { loadKeypairFile } from '../app/sdk/src/node';
import { ROOT, ownLocalnetEnv } from './support/localnet';
import { DropProxy, dropShare } from './support/drop-proxy';

const run = promisify(execFile);
const RPC_PORT = Number(process.env.SENDER_TEST_RPC_PORT ?? 8993);
/** 150 slots of 30 ms: a blockhash expires in about 4.5 s. */
const SLOT_MS = 30;
const STATE = resolve(ROOT, '.localnet-sender');
const env = ownLocalnetEnv(RPC_PORT, STATE, { LOCALNET_SLOT_TIME_MS: String(SLOT_MS) });
const direct = createSolanaRpc(env.LOCALNET_RPC_URL);
const proxy = new DropProxy(env.LOCALNET_RPC_URL);
let rpc: Rpc<SolanaRpcApi>;
let payer: KeyPairSigner;

const FAST: SenderPolicy = { rebroadcastMs: 150, pollMs: 60, priorityFee: 0n };

async function balance(address: Address): Promise<bigint> {
  return BigInt((await direct.getBalance(address, { commitment: 'confirmed' }).send()).value);
}

async function landed(signature: Signature) {
  const { value } = await direct.getSignatureStatuses([signature], { searchTransactionHistory: true }).send();
  return value[0];
}

const transfer = (to: Address, amount: bigint) => getTransferSolInstruction({ source: payer, destination: to, amount: lamports(amount) });

before(async () => {
  await run(resolve(ROOT, 'scripts/localnet-down.sh'), [], { env });
  await run(resolve(ROOT, 'scripts/localnet-up.sh'), [], { env });
  payer = await loadKeypairFile(resolve(STATE, 'deployer.json'));
  await proxy.start();
  rpc = createSolanaRpc(proxy.url);
});
after(async () => {
  await proxy.stop();
  await run(resolve(ROOT, 'scripts/localnet-down.sh'), [], { env });
});
beforeEach(() => proxy.reset());

test('fee percentile and simulated limit rules', () => {
  assert.equal(pickComputeUnitPrice([], 75, 10n), 0n);
  assert.equal(pickComputeUnitPrice([4n, 1n, 3n, 2n], 75, 100n), 3n);
  assert.equal(pickComputeUnitPrice([4n, 1n, 3n, 2n], 100, 100n), 4n);
  assert.equal(pickComputeUnitPrice([4n, 1n, 3n, 2n], 0, 100n), 1n);
  assert.equal(pickComputeUnitPrice([400n, 100n], 100, 250n), 250n, 'capped');
  assert.throws(() => pickComputeUnitPrice([1n], 101, 1n), RangeError);
  assert.equal(computeUnitLimitFromSimulation(150, 1_000), 1_150, 'at least 1,000 over');
  assert.equal(computeUnitLimitFromSimulation(40_000, 1_000), 44_000);
  assert.equal(computeUnitLimitFromSimulation(1_399_000, 1_000), 1_400_000, 'never above the runtime maximum');
});

test('through a proxy that loses 60 % of sends, every transfer confirms and executes exactly once', async () => {
  proxy.drop = dropShare(0.6, 7);
  const to = (await generateKeyPairSigner()).address;
  const amounts = [1_000_001n, 1_000_002n, 1_000_003n, 1_000_004n, 1_000_005n];
  for (const amount of amounts) await sendReliably(rpc, payer, [transfer(to, amount)], FAST);
  assert.equal(await balance(to), amounts.reduce((a, b) => a + b, 0n));
  assert.ok(proxy.dropped > 0, `the proxy lost sends (${proxy.dropped} lost, ${proxy.forwarded} forwarded)`);
});

test('a signature whose every send is lost expires, and the transfer lands once under a fresh blockhash', async () => {
  let first: string | undefined;
  proxy.drop = (signature) => (first ??= signature) === signature;
  const events: SendEvent[] = [];
  const to = (await generateKeyPairSigner()).address;
  const signature = await sendReliably(rpc, payer, [transfer(to, 2_000_000n)], { ...FAST, onEvent: (e) => events.push(e) });
  assert.notEqual(signature, first);
  assert.ok((proxy.sendsBySignature.get(first!) ?? 0) > 1, 'the first version was rebroadcast before it expired');
  assert.deepEqual(events.map((e) => e.kind).filter((k) => k !== 'simulated'), ['sent', 'expired', 'sent', 'confirmed']);
  assert.equal(await landed(first! as Signature), null, 'the lost version never executed');
  assert.equal(await balance(to), 2_000_000n);
});

test('when every send is lost it gives up with SendGaveUpError and nothing executed', async () => {
  proxy.drop = () => true;
  const to = (await generateKeyPairSigner()).address;
  const before = await balance(payer.address);
  const err = await sendReliably(rpc, payer, [transfer(to, 3_000_000n)], { ...FAST, maxBlockhashes: 2 }).then(
    () => assert.fail('sent through a proxy that loses everything'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof SendGaveUpError, String(err));
  assert.equal(err.executed, false);
  assert.equal(err.signatures.length, 2);
  assert.match(err.message, /each blockhash expired before it landed, nothing executed/);
  for (const s of err.signatures) assert.equal(await landed(s), null);
  assert.equal(await balance(to), 0n);
  assert.equal(await balance(payer.address), before, 'no fee either');
});

test('the limit comes from a simulation plus the margin and the price from recent fees, capped', async () => {
  proxy.fees = Array.from({ length: 100 }, (_, i) => BigInt(i * 100)); // 0 .. 9,900
  const events: SendEvent[] = [];
  const to = (await generateKeyPairSigner()).address;
  const policy: SenderPolicy = { ...FAST, priorityFee: 'auto', priorityFeePercentile: 75, maxComputeUnitPrice: 5_000n, onEvent: (e) => events.push(e) };
  const signature = await sendReliably(rpc, payer, [transfer(to, 1_000_000n)], policy);
  const priced = events.find((e) => e.kind === 'priced');
  assert.deepEqual(priced, { kind: 'priced', computeUnitPrice: 5_000n, samples: 100 }, 'p75 = 7,400 capped at 5,000');
  const simulated = events.find((e) => e.kind === 'simulated');
  assert.ok(simulated && simulated.kind === 'simulated');
  assert.equal(simulated.computeUnitLimit, computeUnitLimitFromSimulation(simulated.unitsConsumed, 1_000));

  const tx = await direct.getTransaction(signature, { commitment: 'confirmed', maxSupportedTransactionVersion: 0, encoding: 'json' }).send();
  assert.ok(tx?.meta);
  const message = tx.transaction.message;
  const budget = message.instructions
    .filter((ix) => message.accountKeys[ix.programIdIndex] === COMPUTE_BUDGET_PROGRAM_ADDRESS)
    .map((ix) => Uint8Array.from(getBase58Encoder().encode(ix.data)));
  const limitIx = budget.find((d) => d[0] === 2)!;
  const priceIx = budget.find((d) => d[0] === 3)!;
  const limit = new DataView(limitIx.buffer, limitIx.byteOffset).getUint32(1, true);
  const price = new DataView(priceIx.buffer, priceIx.byteOffset).getBigUint64(1, true);
  assert.equal(limit, simulated.computeUnitLimit);
  assert.equal(price, 5_000n);
  assert.ok(Number(tx.meta.computeUnitsConsumed) <= limit, 'the transaction fits its limit');
  // One signature (5,000 lamports) plus the priority fee: limit x price, rounded up.
  assert.equal(BigInt(tx.meta.fee), 5_000n + (BigInt(limit) * 5_000n + 999_999n) / 1_000_000n);
});

test('a transaction the runtime refuses throws its error code and logs: from the simulation before any send, or from the chain', async () => {
  const poor = await generateKeyPairSigner();
  await sendReliably(rpc, payer, [transfer(poor.address, 10_000_000n)], FAST);
  proxy.reset();
  const overdraw = getTransferSolInstruction({ source: poor, destination: payer.address, amount: lamports(1_000_000_000n) });

  const simulated = await sendReliably(rpc, poor, [overdraw], FAST).then(() => assert.fail('overdraft sent'), (e: unknown) => e);
  assert.ok(simulated instanceof TransactionFailedError && simulated.stage === 'simulation', String(simulated));
  assert.equal(customErrorCode(simulated), 1, 'SystemError::ResultWithNegativeLamports');
  assert.ok(errorLogs(simulated).some((l) => /insufficient lamports/.test(l)), errorLogs(simulated).join('\n'));
  assert.equal(proxy.forwarded + proxy.dropped, 0, 'nothing was sent');

  const executed = await sendReliably(rpc, poor, [overdraw], { ...FAST, computeUnits: 'given' }, 10_000).then(
    () => assert.fail('overdraft executed'),
    (e: unknown) => e,
  );
  assert.ok(executed instanceof TransactionFailedError && executed.stage === 'execution', String(executed));
  assert.equal(customErrorCode(executed), 1);
  assert.ok(executed.signature && (await landed(executed.signature))?.err, 'it landed, failed');
  assert.ok(errorLogs(executed).length > 0);
});
