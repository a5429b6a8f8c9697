// Local-validator tooling shared by the demo, the set-up script and the tests: surfpool's
// surfnet_* cheatcodes (write an account, move or pause the clock), SOL airdrops, and SPL mints
// and token accounts. Never used against devnet or mainnet.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  airdropFactory,
  createKeyPairSignerFromBytes,
  generateKeyPairSigner,
  lamports,
  type Address,
  type KeyPairSigner,
  type TransactionSigner,
} from '@solana/kit';
import { getCreateAccountInstruction } from '@solana-program/system';
import {
  TOKEN_PROGRAM_ADDRESS,
  fetchMaybeToken,
  fetchToken,
  findAssociatedTokenPda,
  getCreateAssociatedTokenIdempotentInstruction,
  getInitializeMint2Instruction,
  getMintSize,
  getMintToInstruction,
} from '@solana-program/token';
import { PYTH_RECEIVER_ADDRESS, encodePriceUpdateV2, fetchChainTime, sendInstructions, type Connection } from '../../app/sdk/src/index';

export class Localnet {
  constructor(readonly connection: Connection, readonly rpcUrl: string) {}

  private async call(method: string, params: unknown[]): Promise<unknown> {
    const res = await fetch(this.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    const json = (await res.json()) as { result?: unknown; error?: { message: string } };
    if (json.error) throw new Error(`${method}: ${json.error.message}`);
    return json.result;
  }

  /** Writes an account (data as bytes) straight into the validator. */
  async setAccount(address: Address, owner: Address, data: Uint8Array, lamportsAmount = 1_000_000_000n) {
    await this.call('surfnet_setAccount', [
      address,
      { lamports: Number(lamportsAmount), owner, executable: false, data: Buffer.from(data).toString('hex') },
    ]);
  }

  /** The Clock sysvar's unix timestamp, as programs see it. */
  chainTime(): Promise<bigint> {
    return fetchChainTime(this.connection.rpc);
  }

  /** Moves the validator's clock forward to `unixSeconds` and waits until programs see it. */
  async timeTravelTo(unixSeconds: bigint) {
    await this.call('surfnet_timeTravel', [{ absoluteTimestamp: Number(unixSeconds * 1000n) }]);
    for (let i = 0; i < 50 && (await this.chainTime()) < unixSeconds; i++) await new Promise((r) => setTimeout(r, 100));
  }

  /** Stops the clock (transactions still land, all at one unix time) until `resumeClock`. */
  async pauseClock() {
    await this.call('surfnet_pauseClock', []);
  }

  async resumeClock() {
    await this.call('surfnet_resumeClock', []);
  }

  async advance(seconds: bigint) {
    await this.timeTravelTo((await this.chainTime()) + seconds);
  }

  /** Posts a Full-verification PriceUpdateV2 of `price` x 10^-8 at `account`, owned by the receiver. */
  async postPrice(account: Address, feedId: Uint8Array, price: bigint, o: { publishTime?: bigint; prevPublishTime?: bigint; conf?: bigint } = {}) {
    const publishTime = o.publishTime ?? (await this.chainTime());
    const data = encodePriceUpdateV2({
      feedId, price, conf: o.conf ?? price / 3_000n, exponent: -8, publishTime, prevPublishTime: o.prevPublishTime ?? publishTime - 1n,
    });
    await this.setAccount(account, PYTH_RECEIVER_ADDRESS, data);
  }

  /** A new keypair holding `sol` SOL. */
  async fundedSigner(sol = 10n): Promise<KeyPairSigner> {
    const signer = await generateKeyPairSigner();
    await this.airdrop(signer.address, sol);
    return signer;
  }

  async airdrop(address: Address, sol: bigint) {
    await airdropFactory(this.connection)({ commitment: 'confirmed', recipientAddress: address, lamports: lamports(sol * 1_000_000_000n) });
  }

  /** A new SPL mint with `authority` as mint authority. */
  async createMint(payer: TransactionSigner, authority: Address, decimals: number): Promise<Address> {
    const mint = await generateKeyPairSigner();
    const space = BigInt(getMintSize());
    const rent = await this.connection.rpc.getMinimumBalanceForRentExemption(space).send();
    await sendInstructions(this.connection, payer, [
      getCreateAccountInstruction({ payer, newAccount: mint, lamports: lamports(rent), space, programAddress: TOKEN_PROGRAM_ADDRESS }),
      getInitializeMint2Instruction({ mint: mint.address, decimals, mintAuthority: authority }),
    ]);
    return mint.address;
  }

  /** The owner's associated token account, created if missing. */
  async tokenAccount(payer: TransactionSigner, mint: Address, owner: Address): Promise<Address> {
    const [ata] = await findAssociatedTokenPda({ owner, mint, tokenProgram: TOKEN_PROGRAM_ADDRESS });
    if (!(await fetchMaybeToken(this.connection.rpc, ata, { commitment: 'confirmed' })).exists) {
      await sendInstructions(this.connection, payer, [
        getCreateAssociatedTokenIdempotentInstruction({ payer, ata, owner, mint }),
      ]);
    }
    return ata;
  }

  async mintTo(payer: TransactionSigner, mint: Address, authority: TransactionSigner, to: Address, amount: bigint) {
    await sendInstructions(this.connection, payer, [getMintToInstruction({ mint, token: to, mintAuthority: authority, amount })]);
  }

  async balance(account: Address): Promise<bigint> {
    return (await fetchToken(this.connection.rpc, account, { commitment: 'confirmed' })).data.amount;
  }
}

/** Writes a new Solana CLI keypair file (64-byte JSON array) and returns its signer. */
export async function newKeypairFile(path: string): Promise<KeyPairSigner> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const bytes = Uint8Array.from([...seed, ...pub]);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify([...bytes]) + '\n', { mode: 0o600 });
  return createKeyPairSignerFromBytes(bytes);
}
