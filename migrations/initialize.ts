// Creates the program config (initialize_config) and prints it.
// usage: tsx migrations/initialize.ts --cluster localnet [--keypair path] [--admin <pubkey>] [--pause-flags N]
import { address } from '@solana/kit';
import {
  fetchMaybeConfig,
  findConfigPda,
  initializeConfigInstruction,
  pausedOperations,
  sendInstructions,
} from '../app/sdk/src/index';
import { loadKeypairFile } from '../app/sdk/src/node';
import { connect, deployerKeypairPath, parseOptions, run } from './cluster';

run(async () => {
  const opts = parseOptions(process.argv.slice(2));
  const connection = connect(opts.cluster);
  const authority = await loadKeypairFile(deployerKeypairPath(opts));
  const admin = opts.rest.admin ? address(opts.rest.admin) : authority.address;
  const pauseFlags = Number(opts.rest['pause-flags'] ?? 0);
  const [configAddress] = await findConfigPda();

  const existing = await fetchMaybeConfig(connection.rpc, configAddress, { commitment: 'confirmed' });
  if (existing.exists) {
    console.log(`config already initialized at ${configAddress}`);
  } else if (opts.dryRun) {
    console.log(`would initialize config ${configAddress} with admin ${admin}, pause flags ${pauseFlags}`);
    return;
  } else {
    const ix = await initializeConfigInstruction({ payer: authority, upgradeAuthority: authority, admin, pauseFlags });
    const sig = await sendInstructions(connection, authority, [ix]);
    console.log(`initialize_config confirmed: ${sig}`);
  }

  const config = await fetchMaybeConfig(connection.rpc, configAddress, { commitment: 'confirmed' });
  if (!config.exists) throw new Error(`config ${configAddress} not found after initialize`);
  console.table({
    config: configAddress,
    admin: config.data.admin,
    'pause flags': `${config.data.pauseFlags} (${pausedOperations(config.data.pauseFlags).join(', ') || 'none paused'})`,
    bump: config.data.bump,
  });
});
