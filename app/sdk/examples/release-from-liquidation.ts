// Sample (docs/INTEGRATION.md): what a protocol's liquidation bot does with the SDK before it
// liquidates. It asks Backstop what a release on one series would do now (`releaseStatus`, a
// simulation), then calls `tryRelease`, which never fails for the backstop's state: when a step
// is due it pays into the vault's recovery account, otherwise it says why nothing moved.
// Prints one JSON line.
//
//   node --import tsx app/sdk/examples/release-from-liquidation.ts \
//     --rpc http://127.0.0.1:8899 --ws ws://127.0.0.1:8900 \
//     --series <series address> --price <PriceUpdateV2 address> --keypair <caller keypair file> \
//     [--keeper-token <quote token account>]
import { parseArgs } from 'node:util';
import { address, createSolanaRpc, createSolanaRpcSubscriptions } from '@solana/kit';
import { ReleaseStatus, releaseStatus, tryRelease } from '../src/index';
import { loadKeypairFile } from '../src/node';

const { values } = parseArgs({
  options: {
    rpc: { type: 'string', default: 'http://127.0.0.1:8899' },
    ws: { type: 'string', default: 'ws://127.0.0.1:8900' },
    series: { type: 'string' },
    price: { type: 'string' },
    keypair: { type: 'string' },
    // The caller's quote token account for a keeper tip (default: its associated account).
    'keeper-token': { type: 'string' },
  },
});
if (!values.series || !values.price || !values.keypair) {
  console.error('usage: release-from-liquidation.ts --series <address> --price <address> --keypair <file> [--rpc URL] [--ws URL]');
  process.exit(2);
}

const connection = { rpc: createSolanaRpc(values.rpc!), rpcSubscriptions: createSolanaRpcSubscriptions(values.ws!) };
const caller = await loadKeypairFile(values.keypair);
const series = address(values.series);
const priceUpdate = address(values.price);

// Ask first (nothing is written), then release: the call succeeds in every state.
const asked = await releaseStatus(connection, { series, caller: caller.address, priceUpdate });
const keeperToken = values['keeper-token'] === undefined ? undefined : address(values['keeper-token']);
const { signature, outcome } = await tryRelease(connection, caller, { series, priceUpdate, keeperToken });

const show = (o: typeof outcome) => ({ status: ReleaseStatus[o.status], payout: String(o.payout), tip: String(o.tip), advanced: String(o.advanced) });
console.log(JSON.stringify({ asked: show(asked), outcome: show(outcome), signature }));
process.exit(0);
