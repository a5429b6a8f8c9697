// Deploys or upgrades every program of target/deploy through the upgradeable loader: the same
// code for localnet, devnet and mainnet (no cheatcode). A program whose ProgramData exists is
// upgraded (authority: the deployer), else deployed (needs the program keypair).
//
// usage: tsx migrations/deploy.ts --cluster localnet|devnet|mainnet [--dry-run] [--keypair DEPLOYER]
//          [--program NAME] [--program-keypair PATH] [--buffer ADDRESS] [--max-data-len BYTES]
//          [--upgrade-authority ADDRESS | --final]
//   --dry-run            prints, per program, deploy or upgrade and its cost in SOL; sends nothing
//   --buffer             resumes a failed run: only the chunks that differ are written again
//   --concurrency        chunk writes in flight (default 32)
//   --max-data-len       ProgramData room on a first deploy (default: the .so's size; an upgrade
//                        that needs more extends the account first)
//   --upgrade-authority  hands the upgrade authority over afterwards (e.g. to a multisig)
//   --final              makes the programs immutable afterwards
// Program keypairs default to keys/<name>-keypair.json: localnet and devnet keys, committed on
// purpose; mainnet refuses them (anyone holding a public key file could create the account
// first) and needs --program-keypair.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { isAddress, type Address } from '@solana/kit';
import { ROOT, connect, deployerKeypairPath, parseOptions, programIds, run, type Options } from './cluster';
import { loadKeypairFile } from '../app/sdk/src/node';
import { DeployError, deployFromBuffer, planDeploy, setUpgradeAuthority, sol, upgradeAuthority, upgradeFromBuffer, writeBuffer } from './lib/deployer';

const COMMITTED_KEYS = resolve(ROOT, 'keys');

function programKeypairPath(opts: Options, name: string): string {
  if (opts.rest['program-keypair']) return opts.rest['program-keypair'];
  if (opts.cluster === 'mainnet') throw new DeployError('mainnet needs --program-keypair (the committed keys/ are public)');
  return resolve(COMMITTED_KEYS, `${name}-keypair.json`);
}

/** Program ids whose keypairs are committed (public): never a mainnet program. */
async function committedIds(): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const f of existsSync(COMMITTED_KEYS) ? readdirSync(COMMITTED_KEYS) : []) {
    if (f.endsWith('-keypair.json')) ids.add((await loadKeypairFile(resolve(COMMITTED_KEYS, f))).address);
  }
  return ids;
}

function bar(name: string) {
  let last = -1;
  return (done: number, total: number) => {
    const pct = total === 0 ? 100 : Math.floor((done * 100) / total);
    if (pct === last && done !== total) return;
    last = pct;
    const filled = Math.round(pct / 5);
    process.stderr.write(`\r${name} [${'#'.repeat(filled)}${' '.repeat(20 - filled)}] ${pct}% ${done}/${total} chunks`);
    if (done === total) process.stderr.write('\n');
  };
}

run(async () => {
  const opts = parseOptions(process.argv.slice(2));
  const all = programIds(opts.cluster);
  const only = opts.rest.program;
  const names = Object.keys(all).filter((n) => !only || n === only);
  if (names.length === 0) throw new DeployError(only ? `no program ${only} in [programs.${opts.cluster}] of Anchor.toml` : `no [programs.${opts.cluster}] in Anchor.toml`);
  const handTo = opts.rest['upgrade-authority'];
  if (handTo !== undefined && !isAddress(handTo)) throw new DeployError(`--upgrade-authority is not an address: ${handTo}`);
  const final = opts.rest.final !== undefined;
  if (final && handTo) throw new DeployError('give --upgrade-authority or --final, not both');
  if (opts.rest.buffer !== undefined && (names.length !== 1 || !isAddress(opts.rest.buffer))) {
    throw new DeployError('--buffer resumes one program: give --program NAME and the buffer address');
  }
  const concurrency = Number(opts.rest.concurrency ?? 32);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new DeployError('--concurrency must be an integer from 1 to 256');
  if (opts.rest['program-keypair'] !== undefined && names.length !== 1) throw new DeployError('--program-keypair is one program\'s key: give --program NAME too');
  if (opts.cluster === 'mainnet') {
    const publicIds = await committedIds();
    const exposed = names.filter((n) => publicIds.has(all[n]!));
    if (exposed.length) throw new DeployError(`mainnet ids of ${exposed.join(', ')} are the committed localnet/devnet keys (public secret): put a fresh key's id in declare_id! and [programs.mainnet]`);
  }
  const deployer = await loadKeypairFile(deployerKeypairPath(opts));
  const connection = connect(opts.cluster);
  const { rpc } = connection;

  for (const name of names) {
    const id = all[name]!;
    const so = new Uint8Array(readFileSync(resolve(ROOT, 'target/deploy', `${name}.so`)));
    const maxDataLen = opts.rest['max-data-len'] === undefined ? so.length : Number(opts.rest['max-data-len']);
    if (!Number.isInteger(maxDataLen) || maxDataLen < so.length) throw new DeployError(`--max-data-len must be an integer >= the program's ${so.length} bytes`);
    const cost = await planDeploy(rpc, so, id, maxDataLen);
    const authority = await upgradeAuthority(rpc, id);
    console.log(`${name} at ${id}: ${cost.mode} ${cost.bytes} bytes in ${cost.chunks} chunks (${cost.transactions} transactions): ` +
      `rent ${sol(cost.rentLamports)} + fees ${sol(cost.feeLamports)} = ${sol(cost.totalLamports)} ` +
      `(the payer needs ${sol(cost.peakLamports)} at once: the buffer's rent comes back)` +
      (authority === undefined ? '' : `; upgrade authority ${authority ?? 'none (immutable)'}`));
    if (opts.dryRun) continue;
    if (cost.mode === 'upgrade' && authority !== deployer.address) {
      throw new DeployError(`${name}: the upgrade authority is ${authority ?? 'none (immutable)'}, not the deployer ${deployer.address}`);
    }
    let program: Awaited<ReturnType<typeof loadKeypairFile>> | undefined;
    if (cost.mode === 'deploy') {
      const path = programKeypairPath(opts, name);
      if (!existsSync(path)) throw new DeployError(`${name}: no program keypair at ${path}`);
      program = await loadKeypairFile(path);
      if (program.address !== id) throw new DeployError(`${name}: ${path} is ${program.address}, Anchor.toml says ${id}`);
    }
    const buffer = await writeBuffer(connection, deployer, deployer, so, { resumeBuffer: opts.rest.buffer as Address | undefined, onProgress: bar(name), concurrency });
    try {
      if (program) await deployFromBuffer(connection, { payer: deployer, authority: deployer, program, buffer, maxDataLen });
      else await upgradeFromBuffer(connection, { payer: deployer, authority: deployer, program: id, buffer, bytes: so.length });
    } catch (e) {
      // The written buffer holds the program's rent: never leave it behind unnamed.
      throw new DeployError(`${name}: the ${cost.mode} failed (${(e as Error).message.split('\n')[0]}); the buffer is written: rerun with --program ${name} --buffer ${buffer}`);
    }
    const { value } = await rpc.getAccountInfo(id, { encoding: 'base64', commitment: 'confirmed' }).send();
    if (!value?.executable) throw new DeployError(`${name} at ${id} is not executable after the ${cost.mode}`);
    console.log(`${cost.mode === 'deploy' ? 'deployed' : 'upgraded'} ${name} at ${id}, upgrade authority ${deployer.address}`);
    if (handTo || final) {
      await setUpgradeAuthority(connection, { payer: deployer, authority: deployer, program: id, next: handTo as Address | undefined });
      console.log(`${name}: upgrade authority ${handTo ? `handed to ${handTo}` : 'removed (immutable)'}`);
    }
  }
});
