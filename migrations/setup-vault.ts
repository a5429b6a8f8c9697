// Initial set-up after a deploy: the config (if missing) and a demo vault with a funded reserve
// and three open series, whose addresses it prints (and writes to .localnet/demo-vault.json).
//   localnet: does it, with a local USDC-like mint and a SOL/USD-like price account.
//   devnet/mainnet or --dry-run: prints the plan (a real vault uses the protocol's own keys, a
//   real Pyth feed id and the real USDC mint; see migrations/README.md).
// usage: tsx migrations/setup-vault.ts --cluster localnet [--keypair path] [--dry-run]
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadKeypairFile } from '../app/sdk/src/node';
import { connect, deployerKeypairPath, endpoints, parseOptions, run } from './cluster';
import { createFixture, type FixtureOptions } from './lib/backstop-fixture';
import { Localnet } from './lib/localnet';

run(async () => {
  const opts = parseOptions(process.argv.slice(2));
  const plan: Omit<FixtureOptions, 'deployer'> = {
    spotUsd: 150n, barrierUsd: 90n, strikesUsd: [120n, 100n, 80n], tenorSecs: 7n * 86_400n, reserveUsdc: 250_000n,
  };
  if (opts.cluster !== 'localnet' || opts.dryRun) {
    console.log(`plan for ${opts.cluster}: initialize_config (if missing), then create_vault with a barrier at $${plan.barrierUsd}` +
      ` (60 s persistence; one release step per series per minute; $5 keeper tip for a step of $100 or more; writes` +
      ` close 10 minutes before expiry and above 1 % confidence), fund_reserve $${plan.reserveUsdc},` +
      ` open_series at ${plan.strikesUsd.map((s) => `$${s}`).join(', ')}` +
      ` expiring in 7 days. On ${opts.cluster} the protocol signs with its own keys and names a real Pyth feed and USDC mint.`);
    return;
  }
  const connection = connect('localnet');
  const net = new Localnet(connection, endpoints('localnet').rpc);
  const f = await createFixture(net, { ...plan, deployer: await loadKeypairFile(deployerKeypairPath(opts)) });
  const out = {
    vault: f.vault, quoteMint: f.quoteMint, priceAccount: f.priceAccount, reserve: f.reserve, recovery: f.recovery,
    series: f.series.map((s) => ({ address: s.address, strike: s.strike.toString(), expiry: s.expiry.toString() })),
  };
  const path = resolve(process.env.LOCALNET_STATE_DIR ?? resolve(import.meta.dirname, '../.localnet'), 'demo-vault.json');
  writeFileSync(path, JSON.stringify(out, null, 2) + '\n');
  console.log(JSON.stringify(out, null, 2));
  console.log(`written to ${path}`);
});
