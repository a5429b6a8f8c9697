// Posting a fresh Pyth price into a feed's sponsored account from a Hermes update: what a keeper
// does when the feed has gone quiet in a crash. Hermes returns an accumulator update (a Wormhole
// VAA signed by the guardians plus a Merkle proof of each price message); the VAA is written to
// an encoded-VAA account of the Wormhole receiver, verified there, and the push oracle's
// `update_price_feed` checks the message against it and writes the sponsored account (only if
// the price is newer: the account never moves back). Layouts: pyth-crosschain's pythnet_sdk
// `wire.rs` (update data, big-endian), the Wormhole Solana receiver's instructions, the push
// oracle's `update_price_feed` (Borsh, little-endian).
import {
  AccountRole,
  address,
  getProgramDerivedAddress,
  type Address,
  type Instruction,
  type TransactionSigner,
} from '@solana/kit';
import { getCreateAccountInstruction } from '@solana-program/system';
import { PYTH_RECEIVER_ADDRESS } from './pyth';
import { base64Bytes } from './tx';
import { PYTH_PUSH_ORACLE_ADDRESS, feedIdToHex, pushFeedAddress } from './feeds';

/** Wormhole's Solana receiver (encoded VAAs, guardian sets) as Pyth uses it. */
export const WORMHOLE_RECEIVER_ADDRESS = address('HDwcJBJXjL9FpJ7UBsYBtaDjsBUhuLCUYoz3zr8SWWaQ');
const SYSTEM_PROGRAM = address('11111111111111111111111111111111');

/** Encoded-VAA header: discriminator 8, status 1, write authority 32, version 1, length 4. */
export const ENCODED_VAA_HEADER = 46;
/** Where the VAA is split between the two transactions (the receiver SDK's split point). */
export const VAA_SPLIT_INDEX = 755;

const DISC = {
  initEncodedVaa: [209, 193, 173, 25, 91, 202, 181, 218],
  writeEncodedVaa: [199, 208, 110, 177, 150, 76, 118, 42],
  verifyEncodedVaaV1: [103, 56, 177, 229, 240, 103, 68, 73],
  closeEncodedVaa: [48, 221, 174, 198, 231, 7, 152, 38],
  updatePriceFeed: [28, 9, 93, 150, 86, 153, 188, 115],
} as const;

export class HermesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HermesError';
  }
}

export interface MerklePriceUpdate {
  /** The price message (85 bytes for a price feed message). */
  message: Uint8Array;
  /** Keccak-160 Merkle proof nodes, 20 bytes each. */
  proof: Uint8Array[];
}

export interface AccumulatorUpdate {
  vaa: Uint8Array;
  updates: MerklePriceUpdate[];
}

/** Reads bytes big-endian, refusing to run past the end. */
class Reader {
  private at = 0;
  constructor(private readonly b: Uint8Array) {}
  take(n: number): Uint8Array {
    if (this.at + n > this.b.length) throw new HermesError(`update data ends at byte ${this.b.length}, needed ${this.at + n}`);
    const out = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  u8 = () => this.take(1)[0]!;
  u16 = () => {
    const t = this.take(2);
    return (t[0]! << 8) | t[1]!;
  };
  done = () => this.at === this.b.length;
}

/** Parses Hermes' accumulator update data ("PNAU", major version 1, a Wormhole-Merkle proof). */
export function parseAccumulatorUpdate(data: Uint8Array): AccumulatorUpdate {
  const r = new Reader(data);
  if (String.fromCharCode(...r.take(4)) !== 'PNAU') throw new HermesError('not an accumulator update (no PNAU magic)');
  const major = r.u8();
  r.u8(); // minor: any
  if (major !== 1) throw new HermesError(`accumulator update major version ${major}, only 1 is known`);
  r.take(r.u8()); // trailing header
  const proofType = r.u8();
  if (proofType !== 0) throw new HermesError(`proof type ${proofType}, only WormholeMerkle (0) is known`);
  const vaa = r.take(r.u16());
  const count = r.u8();
  const updates: MerklePriceUpdate[] = [];
  for (let i = 0; i < count; i++) {
    const message = r.take(r.u16());
    const nodes = r.u8();
    const proof = Array.from({ length: nodes }, () => r.take(20));
    updates.push({ message, proof });
  }
  if (!r.done()) throw new HermesError('trailing bytes after the last update');
  return { vaa, updates };
}

/** The guardian set a VAA v1 is signed by (bytes 1..5, big-endian). */
export function vaaGuardianSetIndex(vaa: Uint8Array): number {
  if (vaa.length < 6 || vaa[0] !== 1) throw new HermesError('not a Wormhole VAA v1');
  return new DataView(vaa.buffer, vaa.byteOffset, vaa.byteLength).getUint32(1, false);
}

/** The feed id of a price message (tag 0, then the 32-byte id). */
export function messageFeedId(message: Uint8Array): Uint8Array {
  if (message.length < 33 || message[0] !== 0) throw new HermesError('not a price feed message');
  return message.slice(1, 33);
}

export async function guardianSetAddress(index: number, wormhole: Address = WORMHOLE_RECEIVER_ADDRESS): Promise<Address> {
  const be = new Uint8Array(4);
  new DataView(be.buffer).setUint32(0, index, false);
  const [pda] = await getProgramDerivedAddress({ programAddress: wormhole, seeds: ['GuardianSet', be] });
  return pda;
}

const le32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};
const concat = (...parts: (Uint8Array | readonly number[])[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const meta = (addr: Address, role: AccountRole) => ({ address: addr, role });
const signerMeta = (s: TransactionSigner, writable = false) => ({
  address: s.address,
  role: writable ? AccountRole.WRITABLE_SIGNER : AccountRole.READONLY_SIGNER,
  signer: s,
});

/** Borsh arguments of `update_price_feed`: the Merkle update, the treasury, the shard, the feed. */
export function updatePriceFeedData(update: MerklePriceUpdate, treasuryId: number, shard: number, feedId: Uint8Array): Uint8Array {
  const shardLe = new Uint8Array(2);
  new DataView(shardLe.buffer).setUint16(0, shard, true);
  return concat(DISC.updatePriceFeed, le32(update.message.length), update.message, le32(update.proof.length), ...update.proof, [treasuryId], shardLe, feedId);
}

export interface PostUpdatePlan {
  /** Instruction groups, one transaction each, in order (the encoded-VAA keypair signs the first). */
  transactions: Instruction[][];
  encodedVaa: Address;
  priceAccount: Address;
  feedId: Uint8Array;
}

/**
 * Instructions that post the update of `feedId` from Hermes' `updateData` into its sponsored
 * account: [create + init + write(first part)], then [write(rest) + verify + update_price_feed +
 * close] (the SDK's split; each fits a 1,232-byte transaction). `encodedVaa` is a fresh keypair.
 */
export async function buildPostUpdate(a: {
  payer: TransactionSigner;
  encodedVaa: TransactionSigner;
  updateData: Uint8Array;
  feedId: Uint8Array;
  /** Rent-exempt minimum of an account of `space` bytes (the encoded VAA's size is known here). */
  rentFor: (space: number) => Promise<bigint>;
  shard?: number;
  treasuryId?: number;
  pushOracleProgram?: Address;
  receiver?: Address;
  wormhole?: Address;
}): Promise<PostUpdatePlan> {
  const { vaa, updates } = parseAccumulatorUpdate(a.updateData);
  const update = updates.find((u) => feedIdToHex(messageFeedId(u.message)) === feedIdToHex(a.feedId));
  if (!update) throw new HermesError(`the update data holds no price message of feed ${feedIdToHex(a.feedId)}`);
  const wormhole = a.wormhole ?? WORMHOLE_RECEIVER_ADDRESS;
  const receiver = a.receiver ?? PYTH_RECEIVER_ADDRESS;
  const pushOracle = a.pushOracleProgram ?? PYTH_PUSH_ORACLE_ADDRESS;
  const shard = a.shard ?? 0;
  const treasuryId = a.treasuryId ?? 0;
  const space = ENCODED_VAA_HEADER + vaa.length;
  const draft = a.encodedVaa.address;
  const writeAt = (index: number, bytes: Uint8Array): Instruction => ({
    programAddress: wormhole,
    accounts: [signerMeta(a.payer), meta(draft, AccountRole.WRITABLE)],
    data: concat(DISC.writeEncodedVaa, le32(index), le32(bytes.length), bytes),
  });
  const split = Math.min(VAA_SPLIT_INDEX, vaa.length);
  const [config] = await getProgramDerivedAddress({ programAddress: receiver, seeds: ['config'] });
  const [treasury] = await getProgramDerivedAddress({ programAddress: receiver, seeds: ['treasury', Uint8Array.of(treasuryId)] });
  const priceAccount = await pushFeedAddress(a.feedId, { shard, pushOracleProgram: pushOracle });
  const first: Instruction[] = [
    getCreateAccountInstruction({ payer: a.payer, newAccount: a.encodedVaa, lamports: await a.rentFor(space), space, programAddress: wormhole }),
    { programAddress: wormhole, accounts: [signerMeta(a.payer), meta(draft, AccountRole.WRITABLE)], data: Uint8Array.from(DISC.initEncodedVaa) },
    writeAt(0, vaa.subarray(0, split)),
  ];
  const second: Instruction[] = [
    ...(split < vaa.length ? [writeAt(split, vaa.subarray(split))] : []),
    {
      programAddress: wormhole,
      accounts: [signerMeta(a.payer), meta(draft, AccountRole.WRITABLE), meta(await guardianSetAddress(vaaGuardianSetIndex(vaa), wormhole), AccountRole.READONLY)],
      data: Uint8Array.from(DISC.verifyEncodedVaaV1),
    },
    {
      programAddress: pushOracle,
      accounts: [
        signerMeta(a.payer, true), meta(receiver, AccountRole.READONLY), meta(draft, AccountRole.READONLY), meta(config, AccountRole.READONLY),
        meta(treasury, AccountRole.WRITABLE), meta(priceAccount, AccountRole.WRITABLE), meta(SYSTEM_PROGRAM, AccountRole.READONLY),
      ],
      data: updatePriceFeedData(update, treasuryId, shard, a.feedId),
    },
    { programAddress: wormhole, accounts: [signerMeta(a.payer, true), meta(draft, AccountRole.WRITABLE)], data: Uint8Array.from(DISC.closeEncodedVaa) },
  ];
  return { transactions: [first, second], encodedVaa: draft, priceAccount, feedId: a.feedId };
}

/** Compute units the receiver SDK budgets per instruction (verify dominates). */
export const POST_UPDATE_COMPUTE_UNITS = { first: 10_000, second: 450_000 } as const;

/** Fetches the newest update data of `feedId` from a Hermes endpoint (`/v2/updates/price/latest`). */
export async function fetchHermesUpdate(hermesUrl: string, feedId: Uint8Array, fetchImpl: typeof fetch = fetch): Promise<Uint8Array> {
  const url = `${hermesUrl.replace(/\/$/, '')}/v2/updates/price/latest?ids[]=0x${feedIdToHex(feedId)}&encoding=base64`;
  const res = await fetchImpl(url);
  if (!res.ok) throw new HermesError(`Hermes ${url}: HTTP ${res.status}`);
  const body = (await res.json()) as { binary?: { data?: string[] } };
  const data = body.binary?.data?.[0];
  if (!data) throw new HermesError(`Hermes ${url}: no binary update in the response`);
  return base64Bytes(data);
}
