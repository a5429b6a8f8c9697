// The real deploy path: a second local validator started with no program at all, the built .so
// deployed through the upgradeable loader by migrations/deploy.ts (buffer, chunked writes,
// deploy with a maximum length: no cheatcode), the life cycle run on it, an upgrade, a refused
// wrong authority, a resumed buffer, and the authority handed over.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { createSolanaRpc, createSolanaRpcSubscriptions, generateKeyPairSigner, type Address, type Signature } from '@solana/kit';
import { BACKSTOP_PROGRAM_ADDRESS, findProgramDataAddress, observeBreach, sendInstructions, trigger, writePut } from '../app/sdk/src/index';
import { EXAMPLE_LENDER_PROGRAM_ADDRESS } from '../app/sdk/src/generated/example_lender/index';
import { loadKeypairFile } from '../app/sdk/src/node';
import { SOL, SOL_FEED, createFixture, ensureConfig, fundWriter } from '../migrations/lib/backstop-fixture';
import { Localnet, newKeypairFile } from '../migrations/lib/localnet';
import { CHUNK_BYTES, DeployError, upgradeFromBuffer, writeBuffer } from '../migrations/lib/deployer';
import {
  BUFFER_HEADER,
  LOADER_V3,
  PROGRAMDATA_HEADER,
  decodeLoaderState,
  deployWithMaxDataLen,
  initializeBuffer,
  setAuthority,
  upgrade,
  write,
} from '../migrations/lib/loader-v3';
import { ROOT, ownLocalnetEnv } from './support/localnet';
import { theEvent } from './support/events';

const run = promisify(execFile);
const RPC_PORT = Number(process.env.DEPLOY_TEST_RPC_PORT ?? 8997);
const STATE = resolve(ROOT, '.localnet-deploy');
const env = ownLocalnetEnv(RPC_PORT, STATE);
const net = new Localnet(
  { rpc: createSolanaRpc(env.LOCALNET_RPC_URL), rpcSubscriptions: createSolanaRpcSubscriptions(env.LOCALNET_WS_URL) },
  env.LOCALNET_RPC_URL,
);
const rpc = net.connection.rpc;
const so = (name: string) => new Uint8Array(readFileSync(resolve(ROOT, 'target/deploy', `${name}.so`)));
const deploy = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', resolve(ROOT, 'migrations/deploy.ts'), '--cluster', 'localnet', '--concurrency', '64', ...args], { env, cwd: ROOT, maxBuffer: 1 << 24 });

async function account(address: Address) {
  const { value } = await rpc.getAccountInfo(address, { encoding: 'base64', commitment: 'confirmed' }).send();
  return value ? { ...value, bytes: Uint8Array.from(Buffer.from(value.data[0], 'base64')) } : null;
}

async function programData(program: Address) {
  const acc = await account(await findProgramDataAddress(program));
  assert.ok(acc, `ProgramData of ${program}`);
  const state = decodeLoaderState(acc.bytes);
  assert.equal(state?.kind, 'programData');
  return { ...(state as { slot: bigint; authority: Address | null }), code: acc.bytes.subarray(PROGRAMDATA_HEADER), owner: acc.owner };
}

/** The next slot: the loader refuses an upgrade in the slot of the last deploy. */
async function nextSlot() {
  const start = await rpc.getSlot({ commitment: 'confirmed' }).send();
  while ((await rpc.getSlot({ commitment: 'confirmed' }).send()) <= start) await new Promise((r) => setTimeout(r, 100));
}

before(async () => {
  await run(resolve(ROOT, 'scripts/localnet-down.sh'), [], { env });
  await run(resolve(ROOT, 'scripts/localnet-up.sh'), [], { env });
});
after(async () => {
  await run(resolve(ROOT, 'scripts/localnet-down.sh'), [], { env });
});

test('loader instructions encode as the loader reads them', () => {
  const [a, b, c] = ['11111111111111111111111111111112', 'SysvarRent111111111111111111111111111111111', LOADER_V3] as Address[];
  const s = { address: a, signTransactions: async () => [] } as unknown as Parameters<typeof write>[1];
  assert.deepEqual([...initializeBuffer(a!, b!).data!], [0, 0, 0, 0]);
  assert.deepEqual([...write(a!, s, 0x01020304, Uint8Array.of(9, 8)).data!], [1, 0, 0, 0, 4, 3, 2, 1, 2, 0, 0, 0, 0, 0, 0, 0, 9, 8]);
  const d = deployWithMaxDataLen({ payer: s, programData: a!, program: b!, buffer: c!, authority: s, maxDataLen: 0x0102n }).data!;
  assert.deepEqual([...d], [2, 0, 0, 0, 2, 1, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...upgrade({ programData: a!, program: b!, buffer: c!, spill: a!, authority: s }).data!], [3, 0, 0, 0]);
  assert.equal(setAuthority(a!, s).accounts!.length, 2, 'no third account: immutable');
  assert.equal(setAuthority(a!, s, b!).accounts!.length, 3);
});

test('dry run prints the cost in SOL and sends nothing', async () => {
  const { stdout } = await deploy('--dry-run');
  const bytes = so('backstop').length;
  const rent = BigInt(await rpc.getMinimumBalanceForRentExemption(BigInt(PROGRAMDATA_HEADER + bytes)).send()) +
    BigInt(await rpc.getMinimumBalanceForRentExemption(36n).send());
  const chunks = Math.ceil(bytes / CHUNK_BYTES);
  const fees = BigInt(2 + chunks + 3) * 5_000n;
  const solText = (l: bigint) => `${l / 1_000_000_000n}.${(l % 1_000_000_000n).toString().padStart(9, '0')} SOL`;
  assert.ok(stdout.includes(`backstop at ${BACKSTOP_PROGRAM_ADDRESS}: deploy ${bytes} bytes in ${chunks} chunks`), stdout);
  assert.ok(stdout.includes(`= ${solText(rent + fees)}`), stdout);
  assert.equal(await account(BACKSTOP_PROGRAM_ADDRESS), null, 'nothing deployed');
});

test('deploy through the loader, then the life cycle runs on the deployed program', async () => {
  const { stdout } = await deploy();
  const deployer = await loadKeypairFile(resolve(STATE, 'deployer.json'));
  for (const [name, id] of [['backstop', BACKSTOP_PROGRAM_ADDRESS], ['example_lender', EXAMPLE_LENDER_PROGRAM_ADDRESS]] as const) {
    assert.match(stdout, new RegExp(`deployed ${name} at ${id}, upgrade authority ${deployer.address}`));
    const program = await account(id);
    assert.ok(program?.executable, `${name} executable`);
    assert.equal(program.owner, LOADER_V3, 'owned by the upgradeable loader, not written by a cheatcode');
    const pd = await programData(id);
    assert.equal(pd.authority, deployer.address);
    assert.deepEqual(pd.code.subarray(0, so(name).length), so(name), `${name}'s ProgramData holds the built .so`);
  }
  // initialize_config reads the upgrade authority from the real ProgramData.
  await ensureConfig(net, deployer);
  const f = await createFixture(net, { deployer, spotUsd: 150n, barrierUsd: 90n, strikesUsd: [100n], tenorSecs: 86_400n, reserveUsdc: 100_000n });
  const w = await fundWriter(net, f, 50_000n);
  await writePut(net.connection, { writer: w.signer, series: f.series[0]!.address, priceUpdate: f.priceAccount, size: 10n * SOL });
  const keeper = await net.fundedSigner(1n);
  // A crash held over the persistence window, then a release step.
  await net.advance(5n);
  await net.postPrice(f.priceAccount, SOL_FEED, 80n * 100_000_000n);
  await observeBreach(net.connection, keeper, { vault: f.vault, priceUpdate: f.priceAccount });
  // Every 50 s for 250 s: the held-price window (2 x 60 + 60 s) then holds only $80.
  for (let i = 0; i < 5; i++) {
    await net.advance(50n);
    await net.postPrice(f.priceAccount, SOL_FEED, 80n * 100_000_000n);
    await observeBreach(net.connection, keeper, { vault: f.vault, priceUpdate: f.priceAccount });
  }
  const keeperToken = await net.tokenAccount(f.payer, f.quoteMint, keeper.address);
  const sig = await trigger(net.connection, keeper, { series: f.series[0]!.address, priceUpdate: f.priceAccount, keeperToken });
  const released = await theEvent(sig as Signature, 'CapitalReleased', rpc);
  assert.equal(released.payout, 200_000_000n, '10 SOL x ($100 - $80) advanced');
});

test('upgrade through the loader; a wrong authority is refused by the script and by the loader', async () => {
  const deployer = await loadKeypairFile(resolve(STATE, 'deployer.json'));
  const before = await programData(EXAMPLE_LENDER_PROGRAM_ADDRESS);
  await nextSlot();
  const { stdout } = await deploy('--program', 'example_lender');
  assert.match(stdout, /example_lender at .*: upgrade \d+ bytes/);
  assert.match(stdout, new RegExp(`upgraded example_lender at ${EXAMPLE_LENDER_PROGRAM_ADDRESS}`));
  const after = await programData(EXAMPLE_LENDER_PROGRAM_ADDRESS);
  assert.ok(after.slot > before.slot, 'the ProgramData was rewritten in a later slot');
  assert.equal(after.authority, deployer.address);

  // The script refuses a deployer that is not the authority ...
  const keyFile = resolve(STATE, 'stranger.json');
  const stranger = await newKeypairFile(keyFile);
  await net.airdrop(stranger.address, 20n);
  await assert.rejects(deploy('--program', 'example_lender', '--keypair', keyFile), (e: { stderr: string }) =>
    new RegExp(`the upgrade authority is ${deployer.address}, not the deployer ${stranger.address}`).test(e.stderr));
  // ... and the loader refuses the upgrade itself, whoever builds it.
  await nextSlot();
  const buffer = await writeBuffer(net.connection, stranger, stranger, so('example_lender'), { concurrency: 64 });
  await assert.rejects(
    upgradeFromBuffer(net.connection, { payer: stranger, authority: stranger, program: EXAMPLE_LENDER_PROGRAM_ADDRESS, buffer, bytes: so('example_lender').length }),
    (e: unknown) => /IncorrectAuthority|incorrect authority/i.test(JSON.stringify(e, Object.getOwnPropertyNames(e as object)) + String(e)),
  );
  assert.equal((await programData(EXAMPLE_LENDER_PROGRAM_ADDRESS)).slot, after.slot, 'nothing changed');
});

test('a failed chunk leaves a buffer that a rerun completes, rewriting only what is missing', async () => {
  const payer = await net.fundedSigner(20n);
  const bytes = so('example_lender');
  const failAt = 5 * CHUNK_BYTES;
  const flaky: typeof sendInstructions = async (c, p, ixs, o) => {
    const data = ixs[0]?.data;
    if (data && data[0] === 1 && new DataView(data.buffer, data.byteOffset).getUint32(4, true) === failAt) throw new Error('dropped');
    return sendInstructions(c, p, ixs, o);
  };
  let buffer: Address | undefined;
  await assert.rejects(writeBuffer(net.connection, payer, payer, bytes, { send: flaky, retries: 1, concurrency: 1 }), (e: unknown) => {
    assert.ok(e instanceof DeployError);
    buffer = e.message.match(/--buffer (\S+)/)?.[1] as Address;
    return /writing bytes 5000\.\.6000 of the buffer failed \(dropped\); resume with --buffer/.test(e.message);
  });
  let total = -1;
  const resumed = await writeBuffer(net.connection, payer, payer, bytes, { resumeBuffer: buffer, concurrency: 64, onProgress: (_d, t) => (total = t) });
  assert.equal(resumed, buffer);
  const written = Math.ceil(bytes.length / CHUNK_BYTES);
  assert.ok(total >= 1 && total < written, `only the unwritten chunks again (${total} of ${written})`);
  const acc = await account(buffer!);
  assert.deepEqual(acc!.bytes.subarray(BUFFER_HEADER), bytes);
  // A buffer of another key is not resumed.
  const other = await net.fundedSigner(1n);
  await assert.rejects(writeBuffer(net.connection, other, other, bytes, { resumeBuffer: buffer }), /authority is .*, not/);
});

test('an upgrade to a larger build extends the ProgramData first (at least 10 KiB), then upgrades in a later slot', async () => {
  const deployer = await loadKeypairFile(resolve(STATE, 'deployer.json'));
  const small = so('example_lender');
  const large = so('backstop'); // any valid, larger program: the loader does not check ids
  const before = await account(await findProgramDataAddress(EXAMPLE_LENDER_PROGRAM_ADDRESS));
  assert.ok(before!.bytes.length - PROGRAMDATA_HEADER < large.length, 'the larger build does not fit yet');
  await nextSlot();
  const buffer = await writeBuffer(net.connection, deployer, deployer, large, { concurrency: 64 });
  await upgradeFromBuffer(net.connection, { payer: deployer, authority: deployer, program: EXAMPLE_LENDER_PROGRAM_ADDRESS, buffer, bytes: large.length });
  const grown = await programData(EXAMPLE_LENDER_PROGRAM_ADDRESS);
  assert.ok(grown.code.length >= large.length);
  assert.deepEqual(grown.code.subarray(0, large.length), large, 'the larger build is in place');
  // Back to the lender's own build (smaller: no extension), for the tests after this one.
  await nextSlot();
  await deploy('--program', 'example_lender');
  assert.deepEqual((await programData(EXAMPLE_LENDER_PROGRAM_ADDRESS)).code.subarray(0, small.length), small);
});

test('the upgrade authority is handed to a multisig address, after which the deployer cannot upgrade', async () => {
  const multisig = (await generateKeyPairSigner()).address;
  await nextSlot();
  const { stdout } = await deploy('--program', 'example_lender', '--upgrade-authority', multisig);
  assert.match(stdout, new RegExp(`example_lender: upgrade authority handed to ${multisig}`));
  assert.equal((await programData(EXAMPLE_LENDER_PROGRAM_ADDRESS)).authority, multisig);
  await assert.rejects(deploy('--program', 'example_lender'), (e: { stderr: string }) => new RegExp(`the upgrade authority is ${multisig}`).test(e.stderr));
});
