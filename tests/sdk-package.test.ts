// The SDK as a package: `app/sdk/pack.mjs` packs what would be published (dist/, types, README,
// CHANGELOG; exports point at dist/), npm installs the tarball into an empty project, and plain
// Node (no TypeScript) uses it against the local validator. The @solana/* peers are the
// project's own, linked from this workspace (no network here).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { generateKeyPairSigner } from '@solana/kit';
import { fetchVault } from '../app/sdk/src/index';
import { createFixture, type Fixture } from '../migrations/lib/backstop-fixture';
import { ROOT, RPC_URL, deployer, rpc } from './support/localnet';
import { net } from './support/net';

const run = promisify(execFile);
let f: Fixture;

before(async () => {
  f = await createFixture(net, {
    deployer: await deployer(), spotUsd: 150n, barrierUsd: 90n, strikesUsd: [100n], tenorSecs: 30n * 86_400n,
    reserveUsdc: 10_000n,
  });
});

test('the packed SDK installs into an empty project and reads a vault with plain Node', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'backstop-sdk-'));
  const tarball = (await run(process.execPath, [resolve(ROOT, 'app/sdk/pack.mjs'), join(dir, 'pack')])).stdout.trim();
  const manifest = JSON.parse((await run('tar', ['-xOzf', tarball, 'package/package.json'])).stdout);
  assert.equal(manifest.name, '@backstop/sdk');
  assert.match(manifest.version, /^\d+\.\d+\.\d+$/);
  assert.deepEqual(Object.keys(manifest.peerDependencies).sort(), ['@solana-program/system', '@solana-program/token', '@solana/kit']);
  const files = (await run('tar', ['-tzf', tarball])).stdout;
  assert.ok(files.includes('package/dist/types/index.d.ts') && files.includes('package/CHANGELOG.md'));
  assert.ok(!files.includes('package/src/'), 'sources are not shipped');

  const project = join(dir, 'app');
  mkdirSync(join(project, 'node_modules'), { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--legacy-peer-deps', '--no-package-lock', tarball], { cwd: project });
  // The application's own @solana/* installation (linked after npm, which prunes what its
  // package.json does not list).
  for (const scope of ['@solana', '@solana-program']) symlinkSync(resolve(ROOT, 'node_modules', scope), join(project, 'node_modules', scope));
  writeFileSync(join(project, 'use.mjs'), `
import { createSolanaRpc, address, lamports } from '@solana/kit';
import { getTransferSolInstruction } from '@solana-program/system';
import { fetchVault, sendReliably, BACKSTOP_PROGRAM_ADDRESS, pushFeedAddress } from '@backstop/sdk';
import { loadKeypairFile } from '@backstop/sdk/node';
const rpc = createSolanaRpc(process.argv[2]);
const vault = await fetchVault(rpc, address(process.argv[3]));
const payer = await loadKeypairFile(process.argv[4]);
const sent = await sendReliably(rpc, payer, [getTransferSolInstruction({ source: payer, destination: address(process.argv[5]), amount: lamports(1_000_000n) })]);
console.log(JSON.stringify({
  sent,
  program: BACKSTOP_PROGRAM_ADDRESS,
  authority: vault.data.authority,
  quoteMint: vault.data.quoteMint,
  feedAccount: await pushFeedAddress(Uint8Array.from(vault.data.oracle.collateralFeed)),
  keypairHelper: typeof loadKeypairFile,
}));
`);
  const recipient = (await generateKeyPairSigner()).address;
  const keyFile = resolve(process.env.LOCALNET_STATE_DIR ?? resolve(ROOT, '.localnet'), 'deployer.json');
  const out = JSON.parse((await run(process.execPath, ['use.mjs', RPC_URL, f.vault, keyFile, recipient], { cwd: project })).stdout);
  // The packaged sender: its signature is confirmed and the transfer landed once.
  const { value: [status] } = await rpc.getSignatureStatuses([out.sent]).send();
  assert.ok(status && !status.err, `sent ${out.sent}`);
  assert.equal((await rpc.getBalance(recipient, { commitment: 'confirmed' }).send()).value, 1_000_000n);
  const v = (await fetchVault(rpc, f.vault)).data;
  assert.deepEqual(
    [out.authority, out.quoteMint, out.keypairHelper],
    [v.authority, v.quoteMint, 'function'],
  );
  assert.equal(out.program, JSON.parse(readFileSync(resolve(ROOT, 'idl/backstop.json'), 'utf8')).address);
});
