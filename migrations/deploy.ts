// Deploys every program of target/deploy at its Anchor.toml id.
//   localnet: writes the program through the local validator's surfnet_writeProgram cheatcode,
//             with the deployer key as upgrade authority, then checks it is executable.
//   devnet/mainnet: prints the Solana CLI steps (always a dry run here; see migrations/README.md).
// usage: tsx migrations/deploy.ts --cluster localnet|devnet|mainnet [--dry-run] [--keypair path]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT, connect, deployerKeypairPath, endpoints, parseOptions, programIds, run } from './cluster';
import { loadKeypairFile } from '../app/sdk/src/node';

run(async () => {
  const opts = parseOptions(process.argv.slice(2));
  const ids = programIds(opts.cluster);
  if (Object.keys(ids).length === 0) throw new Error(`no [programs.${opts.cluster}] in Anchor.toml`);
  const keypairPath = deployerKeypairPath(opts);

  if (opts.cluster !== 'localnet' || opts.dryRun) {
    const url = endpoints(opts.cluster).rpc;
    console.log(`plan for ${opts.cluster} (${url}), deployer ${keypairPath}:`);
    for (const [name, id] of Object.entries(ids)) {
      console.log(`  solana program deploy target/deploy/${name}.so --program-id target/deploy/${name}-keypair.json` +
        ` --upgrade-authority ${keypairPath} --url ${url}   # expects id ${id}`);
    }
    console.log('  then hand the upgrade authority to the multisig: solana program set-upgrade-authority <id> --new-upgrade-authority <multisig>');
    return;
  }

  const deployer = await loadKeypairFile(keypairPath);
  const { rpc } = connect(opts.cluster);
  for (const [name, id] of Object.entries(ids)) {
    const so = readFileSync(resolve(ROOT, 'target/deploy', `${name}.so`));
    const body = JSON.stringify({
      jsonrpc: '2.0', id: 1, method: 'surfnet_writeProgram',
      params: [id, so.toString('hex'), 0, deployer.address],
    });
    const res = await fetch(endpoints('localnet').rpc, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const json = (await res.json()) as { error?: { message: string } };
    if (json.error) throw new Error(`surfnet_writeProgram ${name}: ${json.error.message}`);
    const { value } = await rpc.getAccountInfo(id, { encoding: 'base64', commitment: 'confirmed' }).send();
    if (!value?.executable) throw new Error(`${name} at ${id} is not executable after deploy`);
    console.log(`deployed ${name} (${so.length} bytes) at ${id}, upgrade authority ${deployer.address}`);
  }
});
