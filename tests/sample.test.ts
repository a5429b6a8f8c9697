// The TypeScript integration sample (app/sdk/examples/release-from-liquidation.ts) run as a
// protocol would run it, against the local validator: before confirmation it reports
// NotConfirmed and moves nothing; once a crash is confirmed its release pays what it asked.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createKeyPairSignerFromPrivateKeyBytes, getAddressEncoder, type KeyPairSigner } from '@solana/kit';
import { observeBreach, writePut } from '../app/sdk/src/index';
import { SOL, SOL_FEED, createFixture, fundWriter, type Fixture } from '../migrations/lib/backstop-fixture';
import { ROOT, RPC_URL, WS_URL, deployer, rpc, rpcSubscriptions } from './support/localnet';
import { net } from './support/net';

const connection = { rpc, rpcSubscriptions };
let f: Fixture;
let caller: KeyPairSigner;
let keypairFile: string;
let keeperToken: string;

before(async () => {
  f = await createFixture(net, {
    deployer: await deployer(), spotUsd: 150n, barrierUsd: 90n, strikesUsd: [100n], tenorSecs: 30n * 86_400n,
    reserveUsdc: 100_000n,
  });
  const w = await fundWriter(net, f, 50_000n);
  await writePut(connection, { writer: w.signer, series: f.series[0]!.address, priceUpdate: f.priceAccount, size: 100n * SOL });
  // The caller's key as a Solana keypair file (secret seed, then public key).
  const seed = crypto.getRandomValues(new Uint8Array(32));
  caller = await createKeyPairSignerFromPrivateKeyBytes(seed);
  keypairFile = join(mkdtempSync(join(tmpdir(), 'backstop-sample-')), 'caller.json');
  writeFileSync(keypairFile, JSON.stringify([...seed, ...getAddressEncoder().encode(caller.address)]));
  await net.airdrop(caller.address, 1n);
  keeperToken = await net.tokenAccount(f.payer, f.quoteMint, caller.address);
});

async function runSample() {
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--import', 'tsx', resolve(ROOT, 'app/sdk/examples/release-from-liquidation.ts'),
    '--rpc', RPC_URL, '--ws', WS_URL, '--series', f.series[0]!.address, '--price', f.priceAccount,
    '--keypair', keypairFile, '--keeper-token', keeperToken,
  ], { cwd: ROOT });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { asked: { status: string; payout: string }; outcome: { status: string; payout: string } };
}

test('the TypeScript sample asks, then releases only when a step is due', async () => {
  let before = await net.balance(f.recovery);
  let r = await runSample();
  assert.deepEqual([r.asked.status, r.outcome.status, r.outcome.payout], ['NotConfirmed', 'NotConfirmed', '0']);
  assert.equal(await net.balance(f.recovery), before);

  // $80 once the $150 has left the held-price window, seen, then confirmed a minute later.
  await net.advance(250n);
  await net.postPrice(f.priceAccount, SOL_FEED, 80n * 100_000_000n);
  await observeBreach(connection, caller, { vault: f.vault, priceUpdate: f.priceAccount });
  await net.advance(61n);
  await net.postPrice(f.priceAccount, SOL_FEED, 80n * 100_000_000n);
  before = await net.balance(f.recovery);
  r = await runSample();
  assert.deepEqual([r.asked.status, r.outcome.status], ['Released', 'Released']);
  assert.equal(r.outcome.payout, r.asked.payout);
  assert.equal((await net.balance(f.recovery)) - before, BigInt(r.outcome.payout));
});
