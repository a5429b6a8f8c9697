// A complete backstop on the local validator: a USDC-like quote mint, a protected protocol with
// its vault and funded reserve, a risk authority with open series, and a SOL/USD-like price
// account. Used by the demo set-up and the integration tests.
import { generateKeyPairSigner, type Address, type KeyPairSigner } from '@solana/kit';
import {
  BACKSTOP_PROGRAM_ADDRESS,
  PYTH_RECEIVER_ADDRESS,
  fetchMaybeConfig,
  findConfigPda,
  findEscrowPda,
  findEventAuthorityPda,
  findHolderPda,
  findPutMintPda,
  findRecoveryPda,
  findReservePda,
  findSeriesPda,
  findVaultPda,
  getCreateVaultInstructionAsync,
  getFundReserveInstruction,
  getOpenSeriesInstructionAsync,
  SeriesStyle,
  getReportSolvencyInstruction,
  getSetPauseFlagsInstruction,
  initializeConfigInstruction,
  sendInstructions,
  type SviSliceArgs,
} from '../../app/sdk/src/index';
import type { Localnet } from './localnet';

export const USDC = 1_000_000n;
export const SOL = 1_000_000_000n;
export const PRICE_ONE = 1_000_000_000_000n; // PRICE_SCALE, 1e-12
/** Pyth-style feed ids for the local SOL/USD and USDC/USD feeds. */
export const SOL_FEED = new Uint8Array(32).fill(0xef);
export const USDC_FEED = new Uint8Array(32).fill(0xea);
/** A skewed slice: ~60 % ATM vol, richer on the downside (rho < 0). */
export const DEMO_SVI: SviSliceArgs = { a: 360_000_000n, b: 100_000_000n, rho: -500_000_000n, m: 0n, sigma: 100_000_000n };

/** Pricing of the fixture's vaults; writes are refused above 1 % confidence. */
/** Delay between proposing and applying vault settings: 24 hours. */
export const SETTINGS_TIMELOCK_SECS = 86_400;
export const FIXTURE_PRICING = { confMultiplierBps: 20_000, tailLoadingBps: 15_000, minPremium: PRICE_ONE / 100n, rate: 0n, writeConfBps: 100 };

export interface FixtureOptions {
  /** The program's upgrade authority (localnet deployer): initializes the config if needed. */
  deployer: KeyPairSigner;
  spotUsd: bigint;
  barrierUsd: bigint;
  strikesUsd: bigint[];
  tenorSecs: bigint;
  reserveUsdc: bigint;
  persistenceSecs?: number;
  keeperTipUsdc?: bigint;
  sizeCapSol?: bigint;
  premiumBudgetUsdc?: bigint;
  capPerEpochUsdc?: bigint;
  /** Least a release step must pay to earn the tip (default 20 x the tip). */
  minTipReleaseUsdc?: bigint;
  /** One release step per series per this many seconds (default 60: the shortest allowed). */
  releaseIntervalSecs?: number;
  /** Writes close this long before expiry (default 600 s; at least persistence + max age). */
  writeCutoffSecs?: number;
  /** Solvency-ratio trigger (bps, 0 = off) and the age past which a report is ignored. */
  ratioThresholdBps?: number;
  maxReportAgeSecs?: number;
  /** Physical delivery series to open beside the cash ones (the vault then gets a collateral
   * mint, 9 decimals, whose authority is the fixture's mint authority). */
  physicalStrikesUsd?: bigint[];
  /** Create the vault with a collateral mint even without physical series to open. */
  offerDelivery?: boolean;
  /** The vault authority and risk authority (e.g. signers with key files for CLI tests); new
   * funded keys by default. */
  protocol?: KeyPairSigner;
  risk?: KeyPairSigner;
}

export interface SeriesInfo {
  address: Address;
  strike: bigint;
  expiry: bigint;
  escrow: Address;
  physical: boolean;
}

export interface Fixture {
  payer: KeyPairSigner;
  protocol: KeyPairSigner;
  risk: KeyPairSigner;
  reporter: KeyPairSigner;
  quoteMint: Address;
  mintAuthority: KeyPairSigner;
  protocolToken: Address;
  vault: Address;
  reserve: Address;
  recovery: Address;
  priceAccount: Address;
  series: SeriesInfo[];
  /** Quote units minted so far (conservation checks add up to this). */
  minted: bigint;
  /** The collateral mint of a vault offering physical delivery. */
  collateralMint?: Address;
}

/** Creates the config (if missing) and unpauses it; returns its address. */
export async function ensureConfig(net: Localnet, deployer: KeyPairSigner): Promise<Address> {
  const [config] = await findConfigPda();
  const existing = await fetchMaybeConfig(net.connection.rpc, config, { commitment: 'confirmed' });
  if (!existing.exists) {
    await sendInstructions(net.connection, deployer, [await initializeConfigInstruction({ payer: deployer, upgradeAuthority: deployer, admin: deployer.address })]);
  } else if (existing.data.pauseFlags !== 0 && existing.data.admin === deployer.address) {
    await sendInstructions(net.connection, deployer, [getSetPauseFlagsInstruction({
      admin: deployer, config, eventAuthority: await findEventAuthorityPda(), program: BACKSTOP_PROGRAM_ADDRESS, pauseFlags: 0,
    })]);
  }
  return config;
}

export async function createFixture(net: Localnet, o: FixtureOptions): Promise<Fixture> {
  const c = net.connection;
  const config = await ensureConfig(net, o.deployer);
  const tip = (o.keeperTipUsdc ?? 5n) * USDC;
  const [payer, newProtocol, newRisk, mintAuthority] = await Promise.all([50n, 5n, 5n, 1n].map((s) => net.fundedSigner(s)));
  const protocol = o.protocol ?? newProtocol;
  const risk = o.risk ?? newRisk;
  const reporter = await generateKeyPairSigner();
  const quoteMint = await net.createMint(payer, mintAuthority.address, 6);
  const protocolToken = await net.tokenAccount(payer, quoteMint, protocol.address);
  const minted = o.reserveUsdc * USDC;
  await net.mintTo(payer, quoteMint, mintAuthority, protocolToken, minted);

  const priceAccount = (await generateKeyPairSigner()).address;
  await net.postPrice(priceAccount, SOL_FEED, o.spotUsd * 100_000_000n);

  const eventAuthority = await findEventAuthorityPda();
  const program = BACKSTOP_PROGRAM_ADDRESS;
  const vault = await findVaultPda(protocol.address, quoteMint, SOL_FEED);
  const collateralMint = o.offerDelivery || o.physicalStrikesUsd?.length ? await net.createMint(payer, mintAuthority.address, 9) : undefined;
  const [reserve] = await findReservePda({ vault });
  const [recovery] = await findRecoveryPda({ vault });
  await sendInstructions(c, payer, [await getCreateVaultInstructionAsync({
    payer, authority: protocol, config, vault, quoteMint, reserve, recovery, eventAuthority, program, collateralMint,
    reporter: reporter.address, riskAuthority: risk.address, collateralDecimals: 9,
    oracle: { receiver: PYTH_RECEIVER_ADDRESS, collateralFeed: SOL_FEED, depegFeed: new Uint8Array(32), maxAgeSecs: 60, maxConfBps: 200 },
    trigger: {
      barrierPrice: o.barrierUsd * PRICE_ONE, ratioThresholdBps: o.ratioThresholdBps ?? 0, maxReportAgeSecs: o.maxReportAgeSecs ?? 0,
      jointCollateralPrice: 0n, depegPrice: 0n, persistenceSecs: o.persistenceSecs ?? 60,
    },
    pricing: FIXTURE_PRICING,
    release: {
      capPerEpoch: (o.capPerEpochUsdc ?? 10_000_000n) * USDC, epochSecs: 3_600, keeperTip: tip,
      minTipRelease: (o.minTipReleaseUsdc ?? 20n * (o.keeperTipUsdc ?? 5n)) * USDC,
      releaseIntervalSecs: o.releaseIntervalSecs ?? 60, writeCutoffSecs: o.writeCutoffSecs ?? 600,
    },
    // Settings changes wait a day (the vault setting's documented default).
    settingsTimelockSecs: SETTINGS_TIMELOCK_SECS,
  })]);
  await sendInstructions(c, protocol, [getFundReserveInstruction({
    funder: protocol, config, vault, reserve, funderToken: protocolToken, quoteMint, eventAuthority, program, amount: minted,
  })]);

  const expiry = (await net.chainTime()) + o.tenorSecs;
  const series: SeriesInfo[] = [];
  const styles = [
    ...o.strikesUsd.map((usd) => [usd, SeriesStyle.CashRatchet] as const),
    ...(o.physicalStrikesUsd ?? []).map((usd) => [usd, SeriesStyle.PhysicalDelivery] as const),
  ];
  for (const [strikeUsd, style] of styles) {
    const strike = strikeUsd * USDC;
    const address = await findSeriesPda(vault, strike, expiry);
    const [escrow] = await findEscrowPda({ series: address });
    const [putMint] = await findPutMintPda({ series: address });
    const [holder] = await findHolderPda({ series: address });
    await sendInstructions(c, risk, [await getOpenSeriesInstructionAsync({
      payer: risk, riskAuthority: risk, config, vault, reserve, series: address, escrow, putMint, holder, quoteMint,
      eventAuthority, program, strike, expiry, svi: DEMO_SVI, style,
      sizeCap: (o.sizeCapSol ?? 10_000n) * SOL, premiumBudget: (o.premiumBudgetUsdc ?? o.reserveUsdc / BigInt(styles.length + 1)) * USDC,
    })]);
    series.push({ address, strike, expiry, escrow, physical: style === SeriesStyle.PhysicalDelivery });
  }
  return { payer, protocol, risk, reporter, quoteMint, mintAuthority, protocolToken, vault, reserve, recovery, priceAccount, series, minted, collateralMint };
}

/** A market maker with SOL for fees and `usdc` quote tokens in its associated account. */
export async function fundWriter(net: Localnet, f: Fixture, usdc: bigint, signer?: KeyPairSigner): Promise<{ signer: KeyPairSigner; token: Address }> {
  const s = signer ?? (await generateKeyPairSigner());
  await net.airdrop(s.address, 2n);
  const token = await net.tokenAccount(f.payer, f.quoteMint, s.address);
  await net.mintTo(f.payer, f.quoteMint, f.mintAuthority, token, usdc * USDC);
  f.minted += usdc * USDC;
  return { signer: s, token };
}

/** The protocol reports its books (signed by the vault's reporter), observed at the current price. */
export async function reportSolvency(net: Localnet, f: Fixture, collateralSol: bigint, liabilitiesUsdc: bigint) {
  await sendInstructions(net.connection, f.payer, [getReportSolvencyInstruction({
    reporter: f.reporter, vault: f.vault, priceUpdate: f.priceAccount, eventAuthority: await findEventAuthorityPda(),
    program: BACKSTOP_PROGRAM_ADDRESS, collateralAmount: collateralSol * SOL, liabilities: liabilitiesUsdc * USDC,
  })]);
}
