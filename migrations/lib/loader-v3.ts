// Instructions of the BPF upgradeable loader (loader-v3), written from its instruction layout:
// a bincode enum with a u32 little-endian tag, accounts in the order the loader reads them.
// Only what deploy.ts uses; each builder is tested byte for byte in tests/deploy.test.ts.
import { AccountRole, getAddressDecoder, type Address, type Instruction, type TransactionSigner } from '@solana/kit';
import { BPF_LOADER_UPGRADEABLE_ADDRESS } from '../../app/sdk/src/index';

export const LOADER_V3: Address = BPF_LOADER_UPGRADEABLE_ADDRESS;
export const SYSTEM_PROGRAM = '11111111111111111111111111111111' as Address;
export const SYSVAR_RENT = 'SysvarRent111111111111111111111111111111111' as Address;
export const SYSVAR_CLOCK = 'SysvarC1ock11111111111111111111111111111111' as Address;

/** Account sizes of the loader's state (enum tag u32, then the variant's fields). */
export const BUFFER_HEADER = 37; // tag + Option<Pubkey> authority
export const PROGRAM_SIZE = 36; // tag + programdata address
export const PROGRAMDATA_HEADER = 45; // tag + slot u64 + Option<Pubkey> authority

const tag = (n: number, extra = 0) => {
  const data = new Uint8Array(4 + extra);
  new DataView(data.buffer).setUint32(0, n, true);
  return data;
};
const writable = (address: Address) => ({ address, role: AccountRole.WRITABLE });
const readonly = (address: Address) => ({ address, role: AccountRole.READONLY });
const signer = (s: TransactionSigner, write = false) => ({
  address: s.address,
  role: write ? AccountRole.WRITABLE_SIGNER : AccountRole.READONLY_SIGNER,
  signer: s,
});

/** 0 InitializeBuffer: the buffer (already allocated to the loader) gets its write authority. */
export function initializeBuffer(buffer: Address, authority: Address): Instruction {
  return { programAddress: LOADER_V3, accounts: [writable(buffer), readonly(authority)], data: tag(0) };
}

/** 1 Write { offset: u32, bytes: Vec<u8> } into a buffer, signed by its authority. */
export function write(buffer: Address, authority: TransactionSigner, offset: number, bytes: Uint8Array): Instruction {
  const data = tag(1, 4 + 8 + bytes.length);
  const view = new DataView(data.buffer);
  view.setUint32(4, offset, true);
  view.setBigUint64(8, BigInt(bytes.length), true);
  data.set(bytes, 16);
  return { programAddress: LOADER_V3, accounts: [writable(buffer), signer(authority)], data };
}

/** 2 DeployWithMaxDataLen { max_data_len: u64 }: the buffer becomes the program's ProgramData. */
export function deployWithMaxDataLen(a: {
  payer: TransactionSigner;
  programData: Address;
  program: Address;
  buffer: Address;
  authority: TransactionSigner;
  maxDataLen: bigint;
}): Instruction {
  const data = tag(2, 8);
  new DataView(data.buffer).setBigUint64(4, a.maxDataLen, true);
  return {
    programAddress: LOADER_V3,
    accounts: [
      signer(a.payer, true), writable(a.programData), writable(a.program), writable(a.buffer),
      readonly(SYSVAR_RENT), readonly(SYSVAR_CLOCK), readonly(SYSTEM_PROGRAM), signer(a.authority),
    ],
    data,
  };
}

/** 3 Upgrade: the buffer's bytes replace the program's; the buffer's lamports go to `spill`. */
export function upgrade(a: { programData: Address; program: Address; buffer: Address; spill: Address; authority: TransactionSigner }): Instruction {
  return {
    programAddress: LOADER_V3,
    accounts: [
      writable(a.programData), writable(a.program), writable(a.buffer), writable(a.spill),
      readonly(SYSVAR_RENT), readonly(SYSVAR_CLOCK), signer(a.authority),
    ],
    data: tag(3),
  };
}

/** 4 SetAuthority of a buffer or ProgramData; `next` undefined makes it immutable (the third
 * account is left out: the loader reads a present one as the new authority). */
export function setAuthority(account: Address, current: TransactionSigner, next?: Address): Instruction {
  return {
    programAddress: LOADER_V3,
    accounts: [writable(account), signer(current), ...(next ? [readonly(next)] : [])],
    data: tag(4),
  };
}

/** 6 ExtendProgram { additional_bytes: u32 }: room for a larger upgrade, paid by `payer`. */
export function extendProgram(a: { programData: Address; program: Address; payer: TransactionSigner; additionalBytes: number }): Instruction {
  const data = tag(6, 4);
  new DataView(data.buffer).setUint32(4, a.additionalBytes, true);
  return {
    programAddress: LOADER_V3,
    accounts: [writable(a.programData), writable(a.program), readonly(SYSTEM_PROGRAM), signer(a.payer, true)],
    data,
  };
}

/** The state at the head of a loader account: which kind it is and its authority. */
export type LoaderState =
  | { kind: 'buffer'; authority: Address | null }
  | { kind: 'program'; programData: Address }
  | { kind: 'programData'; slot: bigint; authority: Address | null };

export function decodeLoaderState(data: Uint8Array): LoaderState | null {
  if (data.length < 4) return null;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const decodeAddress = (at: number) => getAddressDecoder().decode(data.subarray(at, at + 32));
  switch (view.getUint32(0, true)) {
    case 1:
      return { kind: 'buffer', authority: data[4] === 1 ? decodeAddress(5) : null };
    case 2:
      return data.length >= PROGRAM_SIZE ? { kind: 'program', programData: decodeAddress(4) } : null;
    case 3:
      return data.length >= PROGRAMDATA_HEADER
        ? { kind: 'programData', slot: view.getBigUint64(4, true), authority: data[12] === 1 ? decodeAddress(13) : null }
        : null;
    default:
      return null;
  }
}
