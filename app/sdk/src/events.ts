// Decoding of the program's events. Events are emitted with `emit_cpi!`: a self-invocation whose
// instruction data is Anchor's event tag, the event discriminator and the borsh-encoded body.
// Bodies are decoded from the committed IDL's type definitions, so a new event needs no code here.
import { getAddressDecoder, getBase58Encoder, type Address, type Rpc, type Signature, type SolanaRpcApi } from '@solana/kit';
import idl from './generated/backstop/idl.json';
import { BACKSTOP_PROGRAM_ADDRESS } from './generated/backstop/programs/index';
import { feedIdToHex } from './feeds';

/** Anchor's EVENT_IX_TAG (0x1d9acb512ea545e4) in little-endian bytes. */
export const EVENT_IX_TAG = Uint8Array.from([0xe4, 0x45, 0xa5, 0x2e, 0x51, 0xcb, 0x9a, 0x1d]);

export interface ConfigInitialized {
  config: Address;
  admin: Address;
  pauseFlags: number;
  slot: bigint;
}

/** A decoded event: its IDL name and its fields (camelCase; u64/i64 as bigint, enums by name). */
export interface BackstopEvent {
  name: string;
  data: Record<string, unknown>;
}

/** One release step (`trigger`): what it paid at the held price, and the series' advances after it. */
export interface CapitalReleased {
  vault: Address;
  series: Address;
  /** PRICE_SCALE. */
  heldPrice: bigint;
  /** Intrinsic of every written unit at the held price, quote base units. */
  owed: bigint;
  payout: bigint;
  advanced: bigint;
  releasedInEpoch: bigint;
  keeperTip: bigint;
  keeper: Address;
}

/** Expiry settlement: the price, the ladder rung it came from (a SettlementSource name), what it
 * paid beyond the advances, and every put token burned (`units`). */
export interface SeriesSettled {
  vault: Address;
  series: Address;
  price: bigint;
  publishTime: bigint;
  source: 'None' | 'FirstUpdate' | 'EarliestShown' | 'FreshAfterGrace' | 'NearestAfterDeadline' | 'LastObserved';
  units: bigint;
  payout: bigint;
  advanced: bigint;
  budgetReleased: bigint;
}

/** One observation: the transition (a BreachTransition name), the price read (0 when the feed
 * gave no information) and what the price window recorded. */
export interface BreachObserved {
  vault: Address;
  transition: string;
  price: bigint;
  publishTime: bigint;
  recorded: bigint;
  firstSeen: bigint;
  confirmedAt: bigint;
}

/** A write: the premium paid from the reserve and the escrow taken, quote base units. */
export interface PutWritten {
  vault: Address;
  series: Address;
  writer: Address;
  size: bigint;
  premium: bigint;
  /** PRICE_SCALE. */
  premiumPerUnit: bigint;
  escrow: bigint;
}

/** The protocol sold `size` collateral to a physical series for `paid` quote base units. */
export interface CollateralDelivered {
  vault: Address;
  series: Address;
  deliverer: Address;
  size: bigint;
  paid: bigint;
  deliveredSize: bigint;
  payoutTotal: bigint;
}

/** A writer took back its deposit less its share of the payouts, and its collateral share. */
export interface PositionReclaimed {
  series: Address;
  writer: Address;
  size: bigint;
  escrowDeposited: bigint;
  payoutShare: bigint;
  reclaimed: bigint;
  collateralReclaimed: bigint;
}

interface KnownEvents {
  CapitalReleased: CapitalReleased;
  SeriesSettled: SeriesSettled;
  BreachObserved: BreachObserved;
  PutWritten: PutWritten;
  CollateralDelivered: CollateralDelivered;
  PositionReclaimed: PositionReclaimed;
}

/** The events named `name` among `events`, typed (fields as the IDL defines them). */
export function eventsNamed<K extends keyof KnownEvents>(events: BackstopEvent[], name: K): KnownEvents[K][] {
  return events.filter((e) => e.name === name).map((e) => e.data as unknown as KnownEvents[K]);
}

type IdlType = string | { array: [IdlType, number] } | { defined: { name: string } } | { option: IdlType } | { vec: IdlType };
interface IdlTypeDef {
  name: string;
  type: { kind: 'struct'; fields?: { name: string; type: IdlType }[] } | { kind: 'enum'; variants: { name: string }[] };
}

const TYPES = new Map((idl.types as IdlTypeDef[]).map((t) => [t.name, t]));
const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const hex = feedIdToHex;

class Reader {
  private o = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  take(n: number): Uint8Array {
    if (this.o + n > this.bytes.length) throw new RangeError('event data too short');
    const out = this.bytes.subarray(this.o, this.o + n);
    this.o += n;
    return out;
  }
  read(t: IdlType): unknown {
    if (typeof t === 'string') {
      const at = this.o;
      switch (t) {
        case 'u8': this.take(1); return this.view.getUint8(at);
        case 'bool': this.take(1); return this.view.getUint8(at) !== 0;
        case 'u16': this.take(2); return this.view.getUint16(at, true);
        case 'u32': this.take(4); return this.view.getUint32(at, true);
        case 'i32': this.take(4); return this.view.getInt32(at, true);
        case 'u64': this.take(8); return this.view.getBigUint64(at, true);
        case 'i64': this.take(8); return this.view.getBigInt64(at, true);
        case 'pubkey': return getAddressDecoder().decode(this.take(32));
        default: throw new Error(`IDL type ${t} is not decoded`);
      }
    }
    if ('array' in t) {
      const [inner, n] = t.array;
      if (inner === 'u8') return Uint8Array.from(this.take(n));
      return Array.from({ length: n }, () => this.read(inner));
    }
    if ('option' in t) return this.read('bool') ? this.read(t.option) : null;
    if ('vec' in t) return Array.from({ length: this.read('u32') as number }, () => this.read(t.vec));
    const def = TYPES.get(t.defined.name);
    if (!def) throw new Error(`IDL type ${t.defined.name} not found`);
    if (def.type.kind === 'enum') {
      const i = this.read('u8') as number;
      const v = def.type.variants[i];
      if (!v) throw new RangeError(`${def.name} has no variant ${i}`);
      return v.name;
    }
    return Object.fromEntries((def.type.fields ?? []).map((f) => [camel(f.name), this.read(f.type)]));
  }
}

const EVENTS = new Map(idl.events.map((e) => [hex(e.discriminator), e.name]));

function startsWith(data: Uint8Array, prefix: Uint8Array): boolean {
  return data.length >= prefix.length && prefix.every((b, i) => data[i] === b);
}

/** Decodes one emit_cpi! instruction payload, or returns null for anything else. */
export function decodeEventInstructionData(data: Uint8Array): BackstopEvent | null {
  if (!startsWith(data, EVENT_IX_TAG) || data.length < 16) return null;
  const name = EVENTS.get(hex(data.subarray(8, 16)));
  if (!name) return null;
  try {
    return { name, data: new Reader(data.subarray(16)).read({ defined: { name } }) as Record<string, unknown> };
  } catch {
    return null;
  }
}

/** Every Backstop event a confirmed transaction emitted, in order (self-invocations of
 * `programAddress` only: another program cannot forge one). */
export async function fetchTransactionEvents(
  rpc: Rpc<SolanaRpcApi>,
  signature: Signature,
  programAddress: Address = BACKSTOP_PROGRAM_ADDRESS,
): Promise<BackstopEvent[]> {
  const tx = await rpc
    .getTransaction(signature, { commitment: 'confirmed', encoding: 'json', maxSupportedTransactionVersion: 0 })
    .send();
  if (!tx?.meta) return [];
  const loaded = tx.meta.loadedAddresses;
  const keys: string[] = [...tx.transaction.message.accountKeys, ...(loaded?.writable ?? []), ...(loaded?.readonly ?? [])];
  return (tx.meta.innerInstructions ?? [])
    .flatMap((group) => group.instructions)
    .filter((ix) => keys[ix.programIdIndex] === programAddress)
    .map((ix) => decodeEventInstructionData(Uint8Array.from(getBase58Encoder().encode(ix.data))))
    .filter((e): e is BackstopEvent => e !== null);
}
