// Decoding of the program's events. Events are emitted with `emit_cpi!`: a self-invocation whose
// instruction data is Anchor's event tag, the event discriminator and the borsh-encoded body.
import {
  getAddressDecoder,
  getStructDecoder,
  getU32Decoder,
  getU64Decoder,
  type Address,
  type Decoder,
} from '@solana/kit';
import idl from './generated/backstop/idl.json';

/** Anchor's EVENT_IX_TAG (0x1d9acb512ea545e4) in little-endian bytes. */
export const EVENT_IX_TAG = Uint8Array.from([0xe4, 0x45, 0xa5, 0x2e, 0x51, 0xcb, 0x9a, 0x1d]);

export interface ConfigInitialized {
  config: Address;
  admin: Address;
  pauseFlags: number;
  slot: bigint;
}

export interface BackstopEventMap {
  ConfigInitialized: ConfigInitialized;
}
export type BackstopEventName = keyof BackstopEventMap;
export type BackstopEvent = { [K in BackstopEventName]: { name: K; data: BackstopEventMap[K] } }[BackstopEventName];

const decoders: { [K in BackstopEventName]: Decoder<BackstopEventMap[K]> } = {
  ConfigInitialized: getStructDecoder([
    ['config', getAddressDecoder()],
    ['admin', getAddressDecoder()],
    ['pauseFlags', getU32Decoder()],
    ['slot', getU64Decoder()],
  ]),
};

const hex = (bytes: ArrayLike<number>) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

const discriminators = new Map<string, BackstopEventName>(
  idl.events.map((e) => [hex(e.discriminator), e.name as BackstopEventName]),
);

function startsWith(data: Uint8Array, prefix: Uint8Array): boolean {
  return data.length >= prefix.length && prefix.every((b, i) => data[i] === b);
}

/** Decodes one emit_cpi! instruction payload, or returns null for anything else. */
export function decodeEventInstructionData(data: Uint8Array): BackstopEvent | null {
  if (!startsWith(data, EVENT_IX_TAG) || data.length < 16) return null;
  const name = discriminators.get(hex(data.subarray(8, 16)));
  if (!name || !(name in decoders)) return null;
  return { name, data: decoders[name].decode(data.subarray(16)) } as BackstopEvent;
}
