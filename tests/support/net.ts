// The local validator as a Localnet (cheatcodes, mints, funded keys) for the tests.
import { Localnet } from '../../migrations/lib/localnet';
import { RPC_URL, rpc, rpcSubscriptions } from './localnet';

export const net = new Localnet({ rpc, rpcSubscriptions }, RPC_URL);
