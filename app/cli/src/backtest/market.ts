// The backtest's market on the chain: the config, a USDC-like quote mint, the protocol's vault
// (a SOL/USD barrier trigger with the settings `vault create` would give it), the Pyth feed
// account, and one signer per party: the protocol (vault authority, risk authority and reporter,
// as `vault create` defaults them), one market maker (the writer) and one keeper. Instructions
// come from the SDK's generated builders with the accounts the SDK's actions pass, under the
// SDK's measured compute-unit limits.
import { getCreateAccountInstruction } from '@solana-program/system';
import {
  TOKEN_PROGRAM_ADDRESS,
  findAssociatedTokenPda,
  getCreateAssociatedTokenIdempotentInstruction,
  getInitializeMint2Instruction,
  getMintSize,
  getMintToInstruction,
} from '@solana-program/token';
import { type Address, type TransactionPartialSigner } from '@solana/kit';
import {
  BACKSTOP_PROGRAM_ADDRESS,
  PYTH_RECEIVER_ADDRESS,
  UNPINNED,
  computeUnitLimit,
  encodePriceUpdateV2,
  findConfigPda,
  findEventAuthorityPda,
  findLadderPda,
  findPositionPda,
  findRecoveryPda,
  findReservePda,
  findSeriesPda,
  findVaultPda,
  getCloseSeriesInstruction,
  getCreateVaultInstructionAsync,
  getFundReserveInstruction,
  getLadderDecoder,
  getObserveBreachInstruction,
  getRollSeriesInstructionAsync,
  getSetLadderInstructionAsync,
  getPositionDecoder,
  getReclaimInstruction,
  getSeriesDecoder,
  getSettleSeriesInstruction,
  getTriggerInstruction,
  getVaultDecoder,
  getWritePutInstruction,
  initializeConfigInstruction,
  parseFeedId,
  pushFeedAddress,
  type Ladder,
  type LadderTemplateArgs,
  type OracleSettingsArgs,
  type Position,
  type PricingSettingsArgs,
  type ReleaseSettingsArgs,
  type Series,
  type TriggerSettingsArgs,
  type Vault,
} from '@backstop/sdk';
import { Chain, fastSigner, type Landed } from './chain';
import { FEED_EXPONENT } from './paths';

export const QUOTE_DECIMALS = 6;
export const COLLATERAL_DECIMALS = 9;
/** The simulated collateral feed: SOL/USD's id, in its sponsored push-feed account. */
export const FEED = 'SOL/USD';

/** The vault's settings as `newVaultSettings` builds them from `vault create`'s flags. */
export interface VaultSettings {
  oracle: Pick<OracleSettingsArgs, 'maxAgeSecs' | 'maxConfBps'>;
  trigger: TriggerSettingsArgs;
  pricing: PricingSettingsArgs;
  release: ReleaseSettingsArgs;
  settingsTimelockSecs: number;
}

// Built once: a kit decoder is costly to make and the run reads accounts at every tick.
const VAULT = getVaultDecoder();
const SERIES = getSeriesDecoder();
const POSITION = getPositionDecoder();
const LADDER = getLadderDecoder();

export class Market {
  private constructor(
    readonly chain: Chain,
    readonly admin: TransactionPartialSigner,
    readonly protocol: TransactionPartialSigner,
    readonly writer: TransactionPartialSigner,
    readonly keeper: TransactionPartialSigner,
    readonly quoteMint: Address,
    readonly tokens: { protocol: Address; writer: Address; keeper: Address },
    readonly vault: Address,
    readonly reserve: Address,
    readonly recovery: Address,
    readonly priceAccount: Address,
    readonly feedId: Uint8Array,
    readonly ladder: Address,
    private readonly accounts: { config: Address; eventAuthority: Address; program: Address },
  ) {}

  /** The whole set-up, at the chain's current time with the feed already showing a price. */
  static async create(chain: Chain, settings: VaultSettings): Promise<Market> {
    const [admin, protocol, writer, keeper] = [chain.actor(), chain.actor(), chain.actor(), chain.actor()];
    await chain.setUpgradeAuthority(admin.address);
    const program = BACKSTOP_PROGRAM_ADDRESS;
    const eventAuthority = await findEventAuthorityPda(program);
    const [config] = await findConfigPda({ programAddress: program });
    await chain.send('initialize_config', admin, [await initializeConfigInstruction({ payer: admin, upgradeAuthority: admin, admin: admin.address })]);

    const mint = fastSigner();
    const space = BigInt(getMintSize());
    await chain.send('create the quote mint', admin, [
      getCreateAccountInstruction({
        payer: admin, newAccount: mint, space, programAddress: TOKEN_PROGRAM_ADDRESS,
        lamports: chain.svm.minimumBalanceForRentExemption(space),
      }),
      getInitializeMint2Instruction({ mint: mint.address, decimals: QUOTE_DECIMALS, mintAuthority: admin.address }),
    ]);
    const tokens = {
      protocol: await tokenAccount(chain, admin, mint.address, protocol.address),
      writer: await tokenAccount(chain, admin, mint.address, writer.address),
      keeper: await tokenAccount(chain, admin, mint.address, keeper.address),
    };

    const feedId = parseFeedId(FEED);
    const vault = await findVaultPda(protocol.address, mint.address, feedId);
    const [reserve] = await findReservePda({ vault }, { programAddress: program });
    const [recovery] = await findRecoveryPda({ vault }, { programAddress: program });
    const create = await getCreateVaultInstructionAsync(
      {
        payer: protocol, authority: protocol, vault, quoteMint: mint.address, reserve, recovery,
        reporter: protocol.address, riskAuthority: protocol.address, collateralDecimals: COLLATERAL_DECIMALS,
        oracle: {
          receiver: PYTH_RECEIVER_ADDRESS, collateralFeed: feedId, depegFeed: new Uint8Array(32),
          collateralPriceAccount: UNPINNED, depegPriceAccount: UNPINNED, ...settings.oracle,
        },
        trigger: settings.trigger, pricing: settings.pricing, release: settings.release,
        settingsTimelockSecs: settings.settingsTimelockSecs, eventAuthority, program,
      },
      { programAddress: program },
    );
    await chain.send('create_vault', protocol, [create], computeUnitLimit('create_vault'));
    const [ladder] = await findLadderPda({ vault }, { programAddress: program });
    return new Market(chain, admin, protocol, writer, keeper, mint.address, tokens, vault, reserve, recovery,
      await pushFeedAddress(feedId), feedId, ladder, { config, eventAuthority, program });
  }

  private get events() {
    return { eventAuthority: this.accounts.eventAuthority, program: this.accounts.program };
  }

  vaultData(): Vault {
    return this.chain.read(this.vault, VAULT);
  }

  seriesData(series: Address): Series {
    return this.chain.read(series, SERIES);
  }

  async position(series: Address): Promise<Position | null> {
    const [position] = await findPositionPda({ series, writer: this.writer.address });
    const raw = this.chain.raw(position);
    return raw ? POSITION.decode(raw.data) : null;
  }

  /** Pyth's receiver posts an update of the feed (10^-8) into its sponsored account. */
  postPrice(price: bigint, conf: bigint, publishTime: bigint, prevPublishTime: bigint): void {
    const data = encodePriceUpdateV2({ feedId: this.feedId, price, conf, exponent: FEED_EXPONENT, publishTime, prevPublishTime });
    this.chain.setAccount(this.priceAccount, PYTH_RECEIVER_ADDRESS, data);
  }

  /** New quote tokens into one of the parties' accounts (what it brings into the run). */
  async mint(to: Address, amount: bigint): Promise<void> {
    await this.chain.send('mint quote', this.admin, [getMintToInstruction({ mint: this.quoteMint, token: to, mintAuthority: this.admin, amount })]);
  }

  /** The protocol funds the premium reserve from its token account. */
  fund(amount: bigint): Promise<Landed> {
    const ix = getFundReserveInstruction({
      funder: this.protocol, config: this.accounts.config, vault: this.vault, reserve: this.reserve,
      funderToken: this.tokens.protocol, quoteMint: this.quoteMint, amount, ...this.events,
    });
    return this.chain.send('fund_reserve', this.protocol, [ix], computeUnitLimit('fund_reserve'));
  }

  ladderData(): Ladder {
    return this.chain.read(this.ladder, LADDER);
  }

  /** The protocol's risk authority sets the vault's ladder: continuous coverage. */
  async setLadder(template: LadderTemplateArgs): Promise<Landed> {
    const ix = await getSetLadderInstructionAsync({
      payer: this.protocol, riskAuthority: this.protocol, vault: this.vault, ladder: this.ladder, template, ...this.events,
    });
    return this.chain.send('set_ladder', this.protocol, [ix], computeUnitLimit('set_ladder'));
  }

  /** The keeper rolls a rung's next series at `strike` and `expiry` (run.ts decides them from
   * the ladder, as the CLI keeper does). */
  async roll(rung: number, strike: bigint, expiry: bigint): Promise<{ series: Address; landed: Landed }> {
    const series = await findSeriesPda(this.vault, strike, expiry);
    const ix = await getRollSeriesInstructionAsync({
      payer: this.keeper, config: this.accounts.config, vault: this.vault, ladder: this.ladder, priceUpdate: this.priceAccount,
      reserve: this.reserve, series, quoteMint: this.quoteMint, rung, strike, expiry, ...this.events,
    });
    return { series, landed: await this.chain.send('roll_series', this.keeper, [ix], computeUnitLimit('roll_series')) };
  }

  async writePut(series: Address, size: bigint, minPremium: bigint): Promise<Landed> {
    const s = this.seriesData(series);
    const [position] = await findPositionPda({ series, writer: this.writer.address });
    const ix = getWritePutInstruction({
      writer: this.writer, config: this.accounts.config, vault: this.vault, series, position,
      writerToken: this.tokens.writer, reserve: this.reserve, escrow: s.escrow, putMint: s.putMint, holder: s.holder,
      priceUpdate: this.priceAccount, quoteMint: this.quoteMint, size, minPremium, ...this.events,
    });
    return this.chain.send('write_put', this.writer, [ix], computeUnitLimit('write_put'));
  }

  observe(): Promise<Landed> {
    const ix = getObserveBreachInstruction({ vault: this.vault, priceUpdate: this.priceAccount, ...this.events });
    return this.chain.send('observe_breach', this.keeper, [ix], computeUnitLimit('observe_breach'));
  }

  trigger(series: Address): Promise<Landed> {
    const s = this.seriesData(series);
    const ix = getTriggerInstruction({
      keeper: this.keeper, vault: this.vault, series, escrow: s.escrow, recovery: this.recovery, reserve: this.reserve,
      keeperToken: this.tokens.keeper, priceUpdate: this.priceAccount, quoteMint: this.quoteMint, ...this.events,
    });
    return this.chain.send('trigger', this.keeper, [ix], computeUnitLimit('trigger'));
  }

  settle(series: Address, withPrice: boolean): Promise<Landed> {
    const s = this.seriesData(series);
    const ix = getSettleSeriesInstruction({
      vault: this.vault, series, escrow: s.escrow, putMint: s.putMint, holder: s.holder, recovery: this.recovery,
      priceUpdate: withPrice ? this.priceAccount : undefined, quoteMint: this.quoteMint, ...this.events,
    });
    return this.chain.send('settle_series', this.keeper, [ix], computeUnitLimit('settle_series'));
  }

  /** The writer takes back its escrow less its share of the payouts. */
  async reclaim(series: Address): Promise<Landed> {
    const s = this.seriesData(series);
    const [position] = await findPositionPda({ series, writer: this.writer.address });
    const ix = getReclaimInstruction({
      vault: this.vault, series, position, writer: this.writer.address, writerToken: this.tokens.writer,
      escrow: s.escrow, quoteMint: this.quoteMint, ...this.events,
    });
    return this.chain.send('reclaim', this.writer, [ix], computeUnitLimit('reclaim'));
  }

  /** After every reclaim: rounding dust back to the reserve, the series' accounts closed. */
  close(series: Address): Promise<Landed> {
    const s = this.seriesData(series);
    const ix = getCloseSeriesInstruction({
      vault: this.vault, series, escrow: s.escrow, holder: s.holder, reserve: this.reserve,
      rentReceiver: this.protocol.address, quoteMint: this.quoteMint, ...this.events,
    });
    return this.chain.send('close_series', this.keeper, [ix], computeUnitLimit('close_series'));
  }
}

async function tokenAccount(chain: Chain, payer: TransactionPartialSigner, mint: Address, owner: Address): Promise<Address> {
  const [ata] = await findAssociatedTokenPda({ owner, mint, tokenProgram: TOKEN_PROGRAM_ADDRESS });
  await chain.send('create a token account', payer, [getCreateAssociatedTokenIdempotentInstruction({ payer, ata, owner, mint })]);
  return ata;
}
