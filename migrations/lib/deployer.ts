// Deploys and upgrades programs through the upgradeable loader, the same code for every cluster:
// a buffer written in chunks (resumable: a rerun with the buffer rewrites only the chunks that
// differ), deploy with a maximum length, upgrade (extending the ProgramData when the new build
// is larger), and the upgrade authority set or handed over.
import { generateKeyPairSigner, type Address, type Rpc, type SolanaRpcApi, type TransactionSigner } from '@solana/kit';
import { getCreateAccountInstruction } from '@solana-program/system';
import { fetchRawAccount, findProgramDataAddress, sendInstructions, type Connection } from '../../app/sdk/src/index';
import {
  BUFFER_HEADER,
  LOADER_V3,
  PROGRAMDATA_HEADER,
  PROGRAM_SIZE,
  decodeLoaderState,
  deployWithMaxDataLen,
  extendProgram,
  initializeBuffer,
  setAuthority,
  upgrade,
  write,
} from './loader-v3';

/** Smallest ExtendProgram the loader accepts (SIMD-0431). */
export const MIN_EXTEND_BYTES = 10_240;

/** Waits until the confirmed slot is past `slot`. */
async function waitPastSlot(rpc: Rpc<SolanaRpcApi>, slot: bigint): Promise<void> {
  for (let i = 0; i < 300 && (await rpc.getSlot({ commitment: 'confirmed' }).send()) <= slot; i++) {
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Bytes per Write: what fits a 1,232-byte transaction with one signer and three accounts
 * (payer = authority, no compute-budget instruction: 1,222 bytes). */
export const CHUNK_BYTES = 1_000;
/** Base fee per signature, lamports. */
const FEE_PER_SIGNATURE = 5_000n;
const LAMPORTS_PER_SOL = 1_000_000_000n;

export class DeployError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeployError';
  }
}

export interface Progress {
  (done: number, total: number): void;
}

/** What a deploy or an upgrade will cost, before anything is sent. */
export interface DeployCost {
  mode: 'deploy' | 'upgrade';
  bytes: number;
  chunks: number;
  transactions: number;
  rentLamports: bigint;
  feeLamports: bigint;
  totalLamports: bigint;
  /** The most the payer must hold at once: the cost plus the buffer's rent, refunded at the end. */
  peakLamports: bigint;
}

export const sol = (lamports: bigint) => `${lamports / LAMPORTS_PER_SOL}.${(lamports % LAMPORTS_PER_SOL).toString().padStart(9, '0')} SOL`;

async function rentFor(rpc: Rpc<SolanaRpcApi>, bytes: number): Promise<bigint> {
  return BigInt(await rpc.getMinimumBalanceForRentExemption(BigInt(bytes)).send());
}

/** The upgrade authority of a deployed program (null: immutable), or undefined if none is there. */
export async function upgradeAuthority(rpc: Rpc<SolanaRpcApi>, program: Address): Promise<Address | null | undefined> {
  const pd = await fetchRawAccount(rpc, await findProgramDataAddress(program));
  if (!pd) return undefined;
  const state = decodeLoaderState(pd.data);
  if (state?.kind !== 'programData') throw new DeployError(`${program}'s ProgramData is not a loader-v3 ProgramData account`);
  return state.authority;
}

/** The cost of deploying (or upgrading to) `so` at `program`. A deploy reserves `maxDataLen`
 * bytes of ProgramData (rent) and pays the program account; an upgrade's buffer rent returns to
 * the payer when the buffer is consumed, so only its fees and any extension are spent. */
export async function planDeploy(rpc: Rpc<SolanaRpcApi>, so: Uint8Array, program: Address, maxDataLen = so.length): Promise<DeployCost> {
  const chunks = Math.ceil(so.length / CHUNK_BYTES);
  const existing = await fetchRawAccount(rpc, await findProgramDataAddress(program));
  const mode = existing ? 'upgrade' : 'deploy';
  // create+initialize buffer (2 signatures), the writes, then deploy (3) or upgrade (1).
  const signatures = 2 + chunks + (mode === 'deploy' ? 3 : 1);
  let rent: bigint;
  if (mode === 'deploy') {
    rent = (await rentFor(rpc, PROGRAMDATA_HEADER + Math.max(maxDataLen, so.length))) + (await rentFor(rpc, PROGRAM_SIZE));
  } else {
    const room = existing!.data.length - PROGRAMDATA_HEADER;
    const grown = PROGRAMDATA_HEADER + room + Math.max(so.length - room, MIN_EXTEND_BYTES);
    rent = so.length > room ? (await rentFor(rpc, grown)) - existing!.lamports : 0n;
    if (rent < 0n) rent = 0n;
  }
  const fee = BigInt(signatures) * FEE_PER_SIGNATURE;
  // The buffer's rent is held until the deploy or upgrade consumes the buffer (then refunded).
  const peak = rent + fee + (await rentFor(rpc, BUFFER_HEADER + so.length));
  return { mode, bytes: so.length, chunks, transactions: chunks + 2, rentLamports: rent, feeLamports: fee, totalLamports: rent + fee, peakLamports: peak };
}

/**
 * Writes `so` into a buffer owned by the loader with `authority` as its write authority. With
 * `resumeBuffer` (a buffer a failed run left), only the chunks whose bytes differ are written
 * again. Chunks go out `concurrency` at a time, each retried `retries` times; when one still
 * fails, the error names the buffer to resume from.
 */
export async function writeBuffer(
  connection: Connection,
  payer: TransactionSigner,
  authority: TransactionSigner,
  so: Uint8Array,
  o: { resumeBuffer?: Address; concurrency?: number; retries?: number; backoffMs?: number; onProgress?: Progress; send?: typeof sendInstructions } = {},
): Promise<Address> {
  const send = o.send ?? sendInstructions;
  const { rpc } = connection;
  let buffer: Address;
  let current: Uint8Array | null = null;
  if (o.resumeBuffer) {
    buffer = o.resumeBuffer;
    const acc = await fetchRawAccount(rpc, buffer);
    const state = acc && acc.owner === LOADER_V3 ? decodeLoaderState(acc.data) : null;
    if (!acc || state?.kind !== 'buffer') throw new DeployError(`--buffer ${buffer} is not a loader-v3 buffer`);
    if (state.authority !== authority.address) throw new DeployError(`buffer ${buffer}'s authority is ${state.authority ?? 'none'}, not ${authority.address}`);
    if (acc.data.length !== BUFFER_HEADER + so.length) throw new DeployError(`buffer ${buffer} holds ${acc.data.length - BUFFER_HEADER} bytes, the program ${so.length}: start a new buffer`);
    current = acc.data.subarray(BUFFER_HEADER);
  } else {
    const account = await generateKeyPairSigner();
    buffer = account.address;
    const space = BUFFER_HEADER + so.length;
    await send(connection, payer, [
      getCreateAccountInstruction({ payer, newAccount: account, lamports: await rentFor(rpc, space), space, programAddress: LOADER_V3 }),
      initializeBuffer(buffer, authority.address),
    ]);
  }
  const offsets: number[] = [];
  for (let at = 0; at < so.length; at += CHUNK_BYTES) {
    const chunk = so.subarray(at, at + CHUNK_BYTES);
    if (!current || !chunk.every((b, i) => current![at + i] === b)) offsets.push(at);
  }
  let done = 0;
  const total = offsets.length;
  o.onProgress?.(done, total);
  const queue = [...offsets];
  const worker = async () => {
    for (let at = queue.shift(); at !== undefined; at = queue.shift()) {
      const ix = write(buffer, authority, at, so.subarray(at, at + CHUNK_BYTES));
      for (let attempt = 1; ; attempt++) {
        try {
          await send(connection, payer, [ix]);
          break;
        } catch (e) {
          if (attempt > (o.retries ?? 3)) {
            queue.length = 0;
            throw new DeployError(`writing bytes ${at}..${at + CHUNK_BYTES} of the buffer failed (${(e as Error).message.split('\n')[0]}); resume with --buffer ${buffer}`);
          }
          // Back off with jitter: public RPC endpoints rate-limit bursts.
          await new Promise((r) => setTimeout(r, (o.backoffMs ?? 250) * 2 ** (attempt - 1) * (0.5 + Math.random())));
        }
      }
      o.onProgress?.(++done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 32, Math.max(total, 1)) }, worker));
  return buffer;
}

/** First deploy: the program account (signed by its keypair) and the ProgramData from `buffer`. */
export async function deployFromBuffer(
  connection: Connection,
  a: { payer: TransactionSigner; authority: TransactionSigner; program: TransactionSigner; buffer: Address; maxDataLen: number },
): Promise<void> {
  const programData = await findProgramDataAddress(a.program.address);
  await sendInstructions(connection, a.payer, [
    getCreateAccountInstruction({
      payer: a.payer, newAccount: a.program, lamports: await rentFor(connection.rpc, PROGRAM_SIZE), space: PROGRAM_SIZE, programAddress: LOADER_V3,
    }),
    deployWithMaxDataLen({ payer: a.payer, programData, program: a.program.address, buffer: a.buffer, authority: a.authority, maxDataLen: BigInt(a.maxDataLen) }),
  ]);
}

/** Upgrade from `buffer`, extending the ProgramData first when the new build does not fit. */
export async function upgradeFromBuffer(
  connection: Connection,
  a: { payer: TransactionSigner; authority: TransactionSigner; program: Address; buffer: Address; bytes: number },
): Promise<void> {
  const programData = await findProgramDataAddress(a.program);
  const pd = await fetchRawAccount(connection.rpc, programData);
  if (!pd) throw new DeployError(`${a.program} has no ProgramData: deploy it first`);
  const room = pd.data.length - PROGRAMDATA_HEADER;
  if (a.bytes > room) {
    // The loader refuses an extension below 10 KiB (SIMD-0431).
    const additionalBytes = Math.max(a.bytes - room, MIN_EXTEND_BYTES);
    await sendInstructions(connection, a.payer, [extendProgram({ programData, program: a.program, payer: a.payer, additionalBytes })]);
  }
  // The loader refuses an upgrade in the slot the ProgramData was last deployed or extended in.
  const state = decodeLoaderState((await fetchRawAccount(connection.rpc, programData))!.data);
  if (state?.kind === 'programData') await waitPastSlot(connection.rpc, state.slot);
  await sendInstructions(connection, a.payer, [upgrade({ programData, program: a.program, buffer: a.buffer, spill: a.payer.address, authority: a.authority })]);
}

/** Hands the upgrade authority to `next` (e.g. a multisig), or makes the program immutable. */
export async function setUpgradeAuthority(connection: Connection, a: { payer: TransactionSigner; authority: TransactionSigner; program: Address; next?: Address }): Promise<void> {
  await sendInstructions(connection, a.payer, [setAuthority(await findProgramDataAddress(a.program), a.authority, a.next)]);
}
