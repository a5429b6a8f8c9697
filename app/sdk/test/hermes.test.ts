// Posting a Hermes update into a sponsored feed account: parsing the accumulator update, the
// instructions' bytes and accounts, and that each transaction fits Solana's 1,232 bytes. It cannot
// run end to end here (no network, no Wormhole guardian set on the local validator).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendTransactionMessageInstructions,
  compileTransaction,
  createTransactionMessage,
  generateKeyPairSigner,
  getBase64EncodedWireTransaction,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  type Blockhash,
} from '@solana/kit';
import {
  ENCODED_VAA_HEADER,
  HermesError,
  PYTH_RECEIVER_ADDRESS,
  WORMHOLE_RECEIVER_ADDRESS,
  buildPostUpdate,
  fetchHermesUpdate,
  guardianSetAddress,
  parseAccumulatorUpdate,
  parseFeedId,
  pushFeedAddress,
  updatePriceFeedData,
  vaaGuardianSetIndex,
} from '../src/index';

const SOL = parseFeedId('SOL/USD');
const BTC = parseFeedId('BTC/USD');

/** A VAA v1 shaped like Pyth's: guardian set 4, 13 signatures, a 51-byte body + 37-byte payload. */
function vaa(): Uint8Array {
  const sigs = 13;
  const out = new Uint8Array(6 + 66 * sigs + 51 + 37);
  out[0] = 1;
  new DataView(out.buffer).setUint32(1, 4, false);
  out[5] = sigs;
  for (let i = 6; i < out.length; i++) out[i] ||= (i * 7) & 0xff;
  return out;
}

/** An 85-byte price message of `feed` (tag 0, id, then fields). */
const message = (feed: Uint8Array) => Uint8Array.from([0, ...feed, ...new Array(52).fill(3)]);

/** Accumulator update data as Hermes serialises it (big-endian lengths). */
function accumulator(v: Uint8Array, messages: Uint8Array[], proofNodes = 11): Uint8Array {
  const parts: number[] = [...'PNAU'].map((c) => c.charCodeAt(0));
  parts.push(1, 0, 2, 0xaa, 0xbb); // major 1, minor 0, 2 trailing bytes
  parts.push(0, v.length >> 8, v.length & 0xff, ...v, messages.length);
  for (const m of messages) {
    parts.push(m.length >> 8, m.length & 0xff, ...m, proofNodes);
    for (let i = 0; i < proofNodes; i++) parts.push(...new Array(20).fill(i));
  }
  return Uint8Array.from(parts);
}

test('the accumulator update parses to its VAA and Merkle updates, and bad data is named', () => {
  const v = vaa();
  const parsed = parseAccumulatorUpdate(accumulator(v, [message(SOL), message(BTC)]));
  assert.deepEqual(parsed.vaa, v);
  assert.equal(parsed.updates.length, 2);
  assert.deepEqual(parsed.updates[1]!.message, message(BTC));
  assert.equal(parsed.updates[0]!.proof.length, 11);
  assert.deepEqual(parsed.updates[0]!.proof[3], new Uint8Array(20).fill(3));
  assert.equal(vaaGuardianSetIndex(v), 4);

  const good = accumulator(v, [message(SOL)]);
  const cases: [Uint8Array, RegExp][] = [
    [Uint8Array.from([...good.subarray(0, 3), 0x58, ...good.subarray(4)]), /no PNAU magic/],
    [Uint8Array.from([...good.subarray(0, 4), 2, ...good.subarray(5)]), /major version 2/],
    [good.subarray(0, good.length - 1), /update data ends at byte/],
    [Uint8Array.from([...good, 0]), /trailing bytes/],
  ];
  for (const [data, why] of cases) assert.throws(() => parseAccumulatorUpdate(data), (e: unknown) => e instanceof HermesError && why.test(e.message));
});

test('update_price_feed arguments: Borsh, message and proof length-prefixed, shard little-endian', () => {
  const m = message(SOL);
  const data = updatePriceFeedData({ message: m, proof: [new Uint8Array(20).fill(9)] }, 7, 0x0102, SOL);
  assert.deepEqual([...data.subarray(0, 8)], [28, 9, 93, 150, 86, 153, 188, 115]);
  assert.deepEqual([...data.subarray(8, 12)], [85, 0, 0, 0]);
  assert.deepEqual(data.subarray(12, 97), m);
  assert.deepEqual([...data.subarray(97, 101)], [1, 0, 0, 0]);
  assert.deepEqual(data.subarray(101, 121), new Uint8Array(20).fill(9));
  assert.deepEqual([...data.subarray(121, 124)], [7, 2, 1]);
  assert.deepEqual(data.subarray(124), SOL);
});

test('the post is two transactions that each fit 1,232 bytes and touch the right accounts', async () => {
  const payer = await generateKeyPairSigner();
  const encodedVaa = await generateKeyPairSigner();
  const v = vaa();
  const plan = await buildPostUpdate({ payer, encodedVaa, updateData: accumulator(v, [message(BTC), message(SOL)]), feedId: SOL, rentFor: async () => 1n, shard: 0, treasuryId: 3 });
  assert.equal(plan.priceAccount, await pushFeedAddress(SOL));
  assert.equal(plan.transactions.length, 2);
  const [first, second] = plan.transactions as [typeof plan.transactions[0], typeof plan.transactions[0]];
  // create_account space = header + VAA; the VAA split across the two writes, in order.
  const writes = [...first, ...second].filter((ix) => ix.programAddress === WORMHOLE_RECEIVER_ADDRESS && ix.data![0] === 199);
  const written = writes.map((ix) => ix.data!.subarray(16));
  assert.deepEqual(Uint8Array.from(written.flatMap((w) => [...w])), v);
  assert.equal(new DataView(first[0]!.data!.buffer, first[0]!.data!.byteOffset).getBigUint64(12, true), BigInt(ENCODED_VAA_HEADER + v.length));
  const verify = second.find((ix) => ix.data![0] === 103)!;
  assert.equal(verify.accounts![2]!.address, await guardianSetAddress(4));
  const update = second.find((ix) => ix.data![0] === 28)!;
  assert.deepEqual(update.accounts!.map((m) => m.address).slice(1, 3), [PYTH_RECEIVER_ADDRESS, encodedVaa.address]);
  assert.equal(update.accounts![5]!.address, plan.priceAccount);
  assert.deepEqual(update.data!.subarray(12, 97), message(SOL), 'the SOL message, not the BTC one');
  for (const ixs of plan.transactions) {
    const tx = compileTransaction(pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(payer, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash({ blockhash: '11111111111111111111111111111111' as Blockhash, lastValidBlockHeight: 0n }, m),
      (m) => appendTransactionMessageInstructions(ixs, m),
    ));
    const bytes = Buffer.from(getBase64EncodedWireTransaction(tx), 'base64').length;
    assert.ok(bytes <= 1_232, `transaction of ${bytes} bytes`);
  }
  await assert.rejects(
    buildPostUpdate({ payer, encodedVaa, updateData: accumulator(v, [message(BTC)]), feedId: SOL, rentFor: async () => 1n }),
    /no price message of feed/,
  );
});

test('the Hermes request names the feed and decodes the base64 update; failures are explained', async () => {
  const data = accumulator(vaa(), [message(SOL)]);
  let asked = '';
  const ok = (async (url: string) => {
    asked = url;
    return new Response(JSON.stringify({ binary: { encoding: 'base64', data: [Buffer.from(data).toString('base64')] } }));
  }) as typeof fetch;
  assert.deepEqual(await fetchHermesUpdate('https://hermes.example/', SOL, ok), data);
  assert.equal(asked, `https://hermes.example/v2/updates/price/latest?ids[]=0x${Buffer.from(SOL).toString('hex')}&encoding=base64`);
  const down = (async () => new Response('busy', { status: 503 })) as typeof fetch;
  await assert.rejects(fetchHermesUpdate('https://hermes.example', SOL, down), /HTTP 503/);
  const empty = (async () => new Response('{}')) as typeof fetch;
  await assert.rejects(fetchHermesUpdate('https://hermes.example', SOL, empty), /no binary update/);
});
