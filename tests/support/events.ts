// The program's events of a confirmed transaction, typed, for exact assertions.
import type { Rpc, Signature, SolanaRpcApi } from '@solana/kit';
import {
  eventsNamed,
  fetchTransactionEvents,
  type BreachObserved,
  type CapitalReleased,
  type CollateralDelivered,
  type PositionReclaimed,
  type PutWritten,
  type SeriesSettled,
} from '../../app/sdk/src/index';
import { rpc } from './localnet';

interface Named {
  CapitalReleased: CapitalReleased;
  SeriesSettled: SeriesSettled;
  BreachObserved: BreachObserved;
  PutWritten: PutWritten;
  CollateralDelivered: CollateralDelivered;
  PositionReclaimed: PositionReclaimed;
}

/** The one event `name` the transaction emitted (throws when there is not exactly one). */
export async function theEvent<K extends keyof Named>(signature: Signature, name: K, on: Rpc<SolanaRpcApi> = rpc): Promise<Named[K]> {
  const found = eventsNamed(await fetchTransactionEvents(on, signature), name);
  if (found.length !== 1) throw new Error(`${signature}: ${found.length} ${name} events`);
  return found[0]!;
}
