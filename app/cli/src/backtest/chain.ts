// The backtest's chain: the built program in an in-process LiteSVM, with the program's upgrade
// authority set (LiteSVM leaves it empty, and initialize_config needs one), the clock and the
// Pyth price account under the run's control, and every transaction's events decoded from its
// emit_cpi! self-invocations.
import { generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { FailedTransactionMetadata, LiteSVM } from 'litesvm';
import {
  appendTransactionMessageInstructions,
  createTransactionMessage,
  getAddressDecoder,
  getAddressEncoder,
  lamports,
  pipe,
  setTransactionMessageFeePayerSigner,
  signTransactionMessageWithSigners,
  type Address,
  type Instruction,
  type SignatureBytes,
  type TransactionPartialSigner,
  type TransactionSigner,
} from '@solana/kit';
import { getTokenDecoder } from '@solana-program/token';
import {
  BACKSTOP_ERRORS,
  BACKSTOP_PROGRAM_ADDRESS,
  decodeEventInstructionData,
  findProgramDataAddress,
  setComputeUnitLimitInstruction,
  type BackstopEvent,
} from '@backstop/sdk';

const TOKEN = getTokenDecoder();
const CLOCK_SYSVAR = 'SysvarC1ock11111111111111111111111111111111' as Address;

/** Lamports each actor starts with (fees and rent). */
const ACTOR_LAMPORTS = 1_000n * 1_000_000_000n;

/** The program refused a transaction the backtest expected to land: a bug in the run's plan or
 * in the program, reported with the program's error name and its last logs. */
export class ChainError extends Error {
  constructor(readonly what: string, readonly errorName: string, readonly logs: string[]) {
    super(`${what} failed: ${errorName}\n${logs.slice(-12).join('\n')}`);
    this.name = 'ChainError';
  }
}

export class MissingProgramError extends Error {
  constructor(path: string) {
    super(`no program at ${path}: build it first with scripts/build-sbf.sh (or pass --program PATH)`);
    this.name = 'MissingProgramError';
  }
}

/** An account's owner and bytes (and, once read through a decoder, its decoded data). */
export interface RawAccount {
  owner: Address;
  data: Uint8Array;
  decoded?: unknown;
}

/** What a landed transaction left: its Backstop events, in order. */
export interface Landed {
  events: BackstopEvent[];
  computeUnits: bigint;
}

export class Chain {
  readonly svm: LiteSVM;
  private sent = 0;
  /** Accounts read since the chain last changed (a send or a written account clears it): the
   * run reads the same few accounts many times per tick, and each read costs two base58
   * conversions in LiteSVM's bindings. */
  private readonly cache = new Map<Address, RawAccount | null>();

  constructor(programPath: string) {
    if (!existsSync(programPath)) throw new MissingProgramError(programPath);
    this.svm = new LiteSVM();
    this.svm.addProgram(BACKSTOP_PROGRAM_ADDRESS, readFileSync(programPath));
  }

  /** Transactions landed so far. */
  get transactions(): number {
    return this.sent;
  }

  /** Writes `authority` into the ProgramData header (bincode: u32 tag, u64 slot, then
   * `Option<Pubkey>` at byte 12), as an upgradeable deploy leaves it. */
  async setUpgradeAuthority(authority: Address): Promise<void> {
    const address = await findProgramDataAddress(BACKSTOP_PROGRAM_ADDRESS);
    const account = this.svm.getAccount(address);
    if (!account.exists) throw new Error('the loaded program has no ProgramData account');
    const data = Uint8Array.from(account.data);
    data[12] = 1;
    data.set(getAddressEncoder().encode(authority), 13);
    this.cache.clear();
    this.svm.setAccount({ ...account, data });
  }

  actor(): TransactionPartialSigner {
    const signer = fastSigner();
    this.cache.clear();
    this.svm.airdrop(signer.address, lamports(ACTOR_LAMPORTS));
    return signer;
  }

  now(): bigint {
    return this.svm.getClock().unixTimestamp;
  }

  /** Moves the clock to `unix` (and the slot on by about one per 400 ms, as the cluster does). */
  warpTo(unix: bigint): void {
    const clock = this.svm.getClock();
    const dt = unix - clock.unixTimestamp;
    clock.slot += (dt > 0n ? (dt * 5n) / 2n : 0n) + 1n;
    clock.unixTimestamp = unix;
    this.cache.delete(CLOCK_SYSVAR);
    this.svm.setClock(clock);
  }

  /** Creates or overwrites an account (the price feed: the run plays Pyth's receiver). */
  setAccount(address: Address, owner: Address, data: Uint8Array): void {
    const rent = this.rentFor(data.length);
    this.cache.delete(address);
    this.svm.setAccount({ address, programAddress: owner, data, executable: false, lamports: lamports(rent), space: BigInt(data.length) });
  }

  private readonly rent = new Map<number, bigint>();
  private rentFor(space: number): bigint {
    let r = this.rent.get(space);
    if (r === undefined) this.rent.set(space, (r = this.svm.minimumBalanceForRentExemption(BigInt(space))));
    return r;
  }

  raw(address: Address): RawAccount | null {
    let hit = this.cache.get(address);
    if (hit === undefined) {
      const a = this.svm.getAccount(address);
      hit = a.exists ? { owner: a.programAddress, data: a.data } : null;
      this.cache.set(address, hit);
    }
    return hit;
  }

  /** Decoded account data (throws when the account is missing). */
  read<T>(address: Address, decoder: { decode(data: Uint8Array): T }): T {
    const a = this.raw(address);
    if (!a) throw new Error(`no account at ${address}`);
    // One decoder per account (a vault, a series, a token account): decode it once per change.
    a.decoded ??= decoder.decode(a.data);
    return a.decoded as T;
  }

  /** An SPL token account's balance (0 once it is closed). */
  balance(token: Address): bigint {
    const a = this.raw(token);
    return a && a.data.length > 0 ? this.read(token, TOKEN).amount : 0n;
  }

  /** Signs with `payer` and every signer the instructions carry, sends, and returns the events;
   * a refusal throws ChainError. A fresh blockhash every time, so a repeated instruction (the
   * same observation at another tick) is a new transaction. */
  async send(what: string, payer: TransactionSigner, instructions: Instruction[], computeUnits?: number): Promise<Landed> {
    this.svm.expireBlockhash();
    const all = computeUnits === undefined ? instructions : [setComputeUnitLimitInstruction(computeUnits), ...instructions];
    const message = pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(payer, m),
      (m) => this.svm.setTransactionMessageLifetimeUsingLatestBlockhash(m),
      (m) => appendTransactionMessageInstructions(all, m),
    );
    const tx = await signTransactionMessageWithSigners(message);
    this.cache.clear();
    const result = this.svm.sendTransaction(tx);
    if (result instanceof FailedTransactionMetadata) throw new ChainError(what, errorName(result), result.meta().logs());
    this.sent++;
    // Only the program's own self-invocations are its events (no other program can forge one).
    const program = programIndex(tx.messageBytes as unknown as Uint8Array);
    const events = result
      .innerInstructions()
      .flat()
      .map((inner) => inner.instruction())
      .filter((ix) => ix.programIdIndex() === program)
      .map((ix) => decodeEventInstructionData(ix.data()))
      .filter((e): e is BackstopEvent => e !== null);
    return { events, computeUnits: result.computeUnitsConsumed() };
  }
}

const PROGRAM_KEY = getAddressEncoder().encode(BACKSTOP_PROGRAM_ADDRESS);

/** Where the program sits among a v0 message's static account keys (-1: absent), read from the
 * wire bytes: a version byte, three header bytes, a compact-u16 count (below 128 here: one byte),
 * then the 32-byte keys. Cheaper than decoding every key to base58 for each transaction. */
function programIndex(message: Uint8Array): number {
  const count = message[4]!;
  for (let i = 0; i < count; i++) {
    const at = 5 + 32 * i;
    if (PROGRAM_KEY.every((b, j) => message[at + j] === b)) return i;
  }
  return -1;
}

/** The program's error name for a failed transaction, else the runtime's description. */
function errorName(failed: FailedTransactionMetadata): string {
  const err = failed.err() as unknown;
  const inner = typeof err === 'object' && err !== null && 'err' in err ? (err as { err(): unknown }).err() : undefined;
  if (typeof inner === 'object' && inner !== null && 'code' in inner) {
    const code = Number((inner as { code: number }).code);
    const known = BACKSTOP_ERRORS.get(code);
    return known ? `${known.name} (${code}): ${known.msg}` : `custom program error ${code}`;
  }
  return String((err as { toString(): string })?.toString?.() ?? err);
}

/** An Ed25519 signer on Node's synchronous crypto: WebCrypto's signatures (kit's key-pair
 * signers) each wait for the thread pool, which would dominate a run of thousands of
 * transactions. */
export function fastSigner(): TransactionPartialSigner {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  // The last 32 bytes of the SPKI encoding are the raw public key.
  const address = getAddressDecoder().decode(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32));
  return {
    address,
    signTransactions: async (txs) => txs.map((tx) => ({ [address]: sign(null, tx.messageBytes as unknown as Uint8Array, privateKey) as unknown as SignatureBytes })),
  };
}
