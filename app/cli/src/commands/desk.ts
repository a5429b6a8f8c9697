// The protected protocol's desk: backstop vault create | fund | withdraw, backstop series open.
import {
  currentSettings,
  pendingSettings,
  updateVaultSettings,
  SeriesStyle,
  UNPINNED,
  createVault,
  feedIdToHex,
  feedSymbol,
  fetchMaybeConfig,
  findConfigPda,
  parseFeedId,
  pushFeedAddress,
  type Connection,
  fetchChainTime,
  fetchOraclePrice,
  fetchVaultAccount,
  fundReserve,
  openSeries,
  parseUnits,
  strikeAtPercent,
  validateSvi,
  withdrawReserve,
  type SviParams,
  type SviSliceArgs,
} from '@backstop/sdk';
import { CliError, connect, need, parseAddress, signer, type GlobalOptions } from '../context';
import { json, price, quote, time } from '../format';
import { fields } from '../table';
import { PRICE_HELP, feedOptions, priceAccountFor } from '../price-source';
import { TOKEN_PROGRAM_ADDRESS, fetchMaybeMint, getMintSize } from '@solana-program/token';
import type { Address } from '@solana/kit';

type Values = Record<string, unknown>;


/** A positive decimal flag in base units of `decimals` (a usage error otherwise). */
export function amount(text: string, decimals: number, flag: string): bigint {
  let v: bigint;
  try {
    v = parseUnits(text, decimals);
  } catch (e) {
    throw new CliError(`bad ${flag}: ${(e as Error).message}`, 2);
  }
  if (v === 0n) throw new CliError(`${flag} must be positive`, 2);
  return v;
}

/** The one positional, a vault address (a usage error otherwise). */
export function vaultArg(positionals: string[], usage: string) {
  if (positionals.length !== 1) throw new CliError(`usage: ${usage}`, 2);
  return parseAddress(positionals[0], 'vault');
}

export const FUND_USAGE = 'backstop vault fund <VAULT> --amount X [--from TOKEN]';
export async function vaultFund(opts: GlobalOptions, positionals: string[], values: Values): Promise<string> {
  const vault = vaultArg(positionals, FUND_USAGE);
  const connection = connect(opts);
  const { data: v } = await fetchVaultAccount(connection.rpc, vault);
  const amt = amount(need(values, 'amount', FUND_USAGE), v.quoteDecimals, '--amount');
  const from = values.from === undefined ? undefined : parseAddress(values.from as string, '--from');
  const signature = await fundReserve(connection, await signer(opts), { vault, amount: amt, from, programAddress: opts.programId });
  if (opts.json) return json({ signature, vault, amount: amt });
  return fields([['funded', `${quote(v, amt)} into the reserve of ${vault}`], ['signature', signature]]);
}

export const WITHDRAW_USAGE = 'backstop vault withdraw <VAULT> --amount X [--to TOKEN]';
export async function vaultWithdraw(opts: GlobalOptions, positionals: string[], values: Values): Promise<string> {
  const vault = vaultArg(positionals, WITHDRAW_USAGE);
  const connection = connect(opts);
  const { data: v } = await fetchVaultAccount(connection.rpc, vault);
  const amt = amount(need(values, 'amount', WITHDRAW_USAGE), v.quoteDecimals, '--amount');
  const to = values.to === undefined ? undefined : parseAddress(values.to as string, '--to');
  const signature = await withdrawReserve(connection, await signer(opts), { vault, amount: amt, to, programAddress: opts.programId });
  if (opts.json) return json({ signature, vault, amount: amt });
  return fields([['withdrew', `${quote(v, amt)} of uncommitted reserve from ${vault}`], ['signature', signature]]);
}

/** `30d`, `12h`, `90m`, `3600s` (or plain seconds). */
export function parseDuration(text: string, flag: string): bigint {
  const m = /^(\d+)(s|m|h|d)?$/.exec(text);
  if (!m) throw new CliError(`${flag} must be a duration like 30d, 12h, 90m or 3600s, got "${text}"`, 2);
  const n = BigInt(m[1]!);
  const unit = { s: 1n, m: 60n, h: 3_600n, d: 86_400n }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  if (n === 0n) throw new CliError(`${flag} must be positive`, 2);
  return n * unit;
}

function parseUnixTime(text: string): bigint {
  if (!/^\d+$/.test(text)) throw new CliError(`--expiry must be a unix time in seconds, got "${text}"`, 2);
  return BigInt(text);
}

/** `a,b,rho,m,sigma`: the raw SVI slice in annualised decimals (total variance per year). */
export function parseSvi(text: string): SviSliceArgs & SviParams {
  const parts = text.split(',');
  if (parts.length !== 5) throw new CliError(`--svi needs five numbers a,b,rho,m,sigma, got "${text}"`, 2);
  const [a, b, rho, m, sigma] = parts.map((p) => {
    if (!/^-?\d+(\.\d{1,9})?$/.test(p.trim())) throw new CliError(`--svi: "${p}" is not a decimal with at most 9 places`, 2);
    const neg = p.trim().startsWith('-');
    const v = parseUnits(p.trim().replace(/^-/, ''), 9);
    return neg ? -v : v;
  }) as [bigint, bigint, bigint, bigint, bigint];
  // Nine decimal places: PARAM_SCALE (10^9) units, as the program stores the slice.
  return { a, b, rho, m, sigma };
}

export const OPEN_USAGE =
  `backstop series open <VAULT> (--strike X | --strike-pct P) (--expiry UNIX | --tenor 30d) --size-cap N --budget X --svi a,b,rho,m,sigma [--physical] ${PRICE_HELP}`;
export async function seriesOpen(opts: GlobalOptions, positionals: string[], values: Values): Promise<string> {
  const vault = vaultArg(positionals, OPEN_USAGE);
  if ((values.strike === undefined) === (values['strike-pct'] === undefined)) throw new CliError(`give --strike or --strike-pct, exactly one\nusage: ${OPEN_USAGE}`, 2);
  if ((values.expiry === undefined) === (values.tenor === undefined)) throw new CliError(`give --expiry or --tenor, exactly one\nusage: ${OPEN_USAGE}`, 2);
  const connection = connect(opts);
  const { data: v } = await fetchVaultAccount(connection.rpc, vault);
  const now = await fetchChainTime(connection.rpc);
  const expiry = values.expiry !== undefined ? parseUnixTime(values.expiry as string) : now + parseDuration(values.tenor as string, '--tenor');
  if (expiry <= now) throw new CliError(`--expiry ${expiry} is not in the future (chain time ${now})`, 2);
  const svi = parseSvi(need(values, 'svi', OPEN_USAGE));
  try {
    validateSvi(svi, expiry - now);
  } catch (e) {
    throw new CliError(`--svi refused: ${(e as Error).message} (the program refuses the same slice)`, 2);
  }
  const sizeCap = amount(need(values, 'size-cap', OPEN_USAGE), v.collateralDecimals, '--size-cap');
  const premiumBudget = amount(need(values, 'budget', OPEN_USAGE), v.quoteDecimals, '--budget');
  let strike: bigint;
  if (values.strike !== undefined) {
    strike = amount(values.strike as string, v.quoteDecimals, '--strike');
  } else {
    const pctText = values['strike-pct'] as string;
    if (!/^\d+$/.test(pctText) || BigInt(pctText) === 0n) throw new CliError(`--strike-pct must be a whole positive percentage, got "${pctText}"`, 2);
    // The strike from the vault's validated oracle price, as the program reads it.
    const price = await fetchOraclePrice(connection.rpc, v, await priceAccountFor(opts, values, v), now);
    strike = strikeAtPercent(price.price, BigInt(pctText), v.quoteDecimals);
  }
  const style = values.physical ? SeriesStyle.PhysicalDelivery : SeriesStyle.CashRatchet;
  const r = await openSeries(connection, await signer(opts), { vault, strike, expiry, svi, sizeCap, premiumBudget, style, programAddress: opts.programId });
  if (opts.json) return json({ signature: r.signature, series: r.series, strike, expiry, style: SeriesStyle[style], sizeCap, premiumBudget });
  return fields([
    ['series', r.series],
    ['strike', quote(v, strike)],
    ['expiry', time(expiry)],
    ['style', values.physical ? 'physical delivery' : 'cash ratchet'],
    ['budget', quote(v, premiumBudget)],
    ['signature', r.signature],
  ]);
}

export const CREATE_USAGE =
  'backstop vault create --quote-mint M --feed SOL/USD|<hex> --barrier USD --cap-per-epoch X [--collateral-mint C | --collateral-decimals 9] ' +
  '[--reporter R] [--risk-authority A] [--persistence 60s] [--max-age 60s] [--max-conf-bps 200] [--keeper-tip 5] ' +
  '[--min-tip-release 100] [--epoch 1h] [--release-interval 60s] [--write-cutoff 10m] [--timelock 1d] [--pin]';

/** The pricing a new vault starts with (bounded; changed later through the timelock): spot
 * haircut 2 x confidence, tail loading 1.5 x, floor 0.01 per unit, zero rate, writes refused
 * above 1 % confidence. */
export const DEFAULT_PRICING = { confMultiplierBps: 20_000, tailLoadingBps: 15_000, minPremiumPerUnit: '0.01', rate: 0n, writeConfBps: 100 };

function secs(values: Values, name: string, fallback: string): number {
  const v = parseDuration((values[name] as string | undefined) ?? fallback, `--${name}`);
  if (v > 0xffff_ffffn) throw new CliError(`--${name} is too long`, 2);
  return Number(v);
}

function bps(values: Values, name: string, fallback: number): number {
  const text = values[name] as string | undefined;
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) > 65_535) throw new CliError(`--${name} must be whole basis points, got "${text}"`, 2);
  return Number(text);
}

/** The defaults of `vault create`'s optional settings (and of `backtest`, which creates its
 * vault from the same flags). */
export const VAULT_DEFAULTS = {
  'max-age': '60s', 'max-conf-bps': 200, persistence: '60s', 'keeper-tip': '5', 'min-tip-release': '100',
  epoch: '1h', 'release-interval': '60s', 'write-cutoff': '10m', timelock: '1d',
} as const;

/** A vault's settings from `vault create`'s flags, the defaults for those not given: the oracle
 * limits, a barrier trigger, the default pricing, the release settings and the timelock. */
export function newVaultSettings(values: Values, quoteDecimals: number, barrierPrice: bigint, capPerEpoch: bigint) {
  const quoteOrZero = (name: 'keeper-tip' | 'min-tip-release') => {
    const text = (values[name] as string | undefined) ?? VAULT_DEFAULTS[name];
    try {
      return parseUnits(text, quoteDecimals);
    } catch (e) {
      throw new CliError(`bad --${name}: ${(e as Error).message}`, 2);
    }
  };
  const d = VAULT_DEFAULTS;
  return {
    oracle: { maxAgeSecs: secs(values, 'max-age', d['max-age']), maxConfBps: bps(values, 'max-conf-bps', d['max-conf-bps']) },
    trigger: {
      barrierPrice, ratioThresholdBps: 0, maxReportAgeSecs: 0, jointCollateralPrice: 0n, depegPrice: 0n,
      persistenceSecs: secs(values, 'persistence', d.persistence),
    },
    pricing: {
      confMultiplierBps: DEFAULT_PRICING.confMultiplierBps, tailLoadingBps: DEFAULT_PRICING.tailLoadingBps,
      minPremium: parseUnits(DEFAULT_PRICING.minPremiumPerUnit, 12), rate: DEFAULT_PRICING.rate, writeConfBps: DEFAULT_PRICING.writeConfBps,
    },
    release: {
      capPerEpoch, epochSecs: secs(values, 'epoch', d.epoch), keeperTip: quoteOrZero('keeper-tip'), minTipRelease: quoteOrZero('min-tip-release'),
      releaseIntervalSecs: secs(values, 'release-interval', d['release-interval']), writeCutoffSecs: secs(values, 'write-cutoff', d['write-cutoff']),
    },
    settingsTimelockSecs: secs(values, 'timelock', d.timelock),
  };
}

/** The decimals of an SPL Token mint (the classic program: the vault takes no Token-2022 mint). */
async function mintDecimals(rpc: Connection['rpc'], mint: Address, flag: string): Promise<number> {
  const m = await fetchMaybeMint(rpc, mint, { commitment: 'confirmed' }).catch(() => null);
  if (!m?.exists || m.programAddress !== TOKEN_PROGRAM_ADDRESS || m.space !== BigInt(getMintSize())) {
    throw new CliError(`${flag} ${mint} is not an SPL Token mint`);
  }
  return m.data.decimals;
}

/** The vault authority (this keypair) creates a vault: one per quote mint and collateral feed. */
export async function vaultCreate(opts: GlobalOptions, positionals: string[], values: Values): Promise<string> {
  if (positionals.length > 0) throw new CliError(`unexpected argument ${positionals[0]}\nusage: ${CREATE_USAGE}`, 2);
  const quoteMint = parseAddress(need(values, 'quote-mint', CREATE_USAGE), '--quote-mint');
  let feed: Uint8Array;
  try {
    feed = parseFeedId(need(values, 'feed', CREATE_USAGE));
  } catch (e) {
    throw new CliError(`bad --feed: ${(e as Error).message}`, 2);
  }
  const connection = connect(opts);
  const { rpc } = connection;
  const qd = await mintDecimals(rpc, quoteMint, '--quote-mint');
  let collateralMint: Address | undefined;
  let collateralDecimals: number;
  if (values['collateral-mint'] !== undefined) {
    collateralMint = parseAddress(values['collateral-mint'] as string, '--collateral-mint');
    collateralDecimals = await mintDecimals(rpc, collateralMint, '--collateral-mint');
  } else {
    const text = (values['collateral-decimals'] as string | undefined) ?? '9';
    if (!/^\d+$/.test(text) || Number(text) > 18) throw new CliError(`--collateral-decimals must be 0 to 18, got "${text}"`, 2);
    collateralDecimals = Number(text);
  }
  const barrier = amount(need(values, 'barrier', CREATE_USAGE), 12, '--barrier');
  const cap = amount(need(values, 'cap-per-epoch', CREATE_USAGE), qd, '--cap-per-epoch');
  const settings = newVaultSettings(values, qd, barrier, cap);
  const authority = await signer(opts);
  const reporter = values.reporter === undefined ? authority.address : parseAddress(values.reporter as string, '--reporter');
  const risk = values['risk-authority'] === undefined ? authority.address : parseAddress(values['risk-authority'] as string, '--risk-authority');
  const [config] = await findConfigPda({ programAddress: opts.programId });
  const cfg = await fetchMaybeConfig(rpc, config, { commitment: 'confirmed' });
  if (!cfg.exists) throw new CliError(`the program at ${opts.programId} has no config yet (migrations/initialize.ts)`);
  const pin = values.pin ? await pushFeedAddress(feed, feedOptions(opts)) : UNPINNED;
  const r = await createVault(connection, authority, {
    quoteMint,
    collateralMint,
    reporter,
    riskAuthority: risk,
    collateralDecimals,
    oracle: {
      receiver: cfg.data.pythReceiver, collateralFeed: feed, depegFeed: new Uint8Array(32),
      collateralPriceAccount: pin, depegPriceAccount: UNPINNED, ...settings.oracle,
    },
    collateralPriceShard: opts.feedShard,
    trigger: settings.trigger,
    pricing: settings.pricing,
    release: settings.release,
    settingsTimelockSecs: settings.settingsTimelockSecs,
    programAddress: opts.programId,
  });
  if (opts.json) return json({ signature: r.signature, vault: r.vault, reserve: r.reserve, recovery: r.recovery });
  return fields([
    ['vault', r.vault],
    ['reserve', r.reserve],
    ['recovery', r.recovery],
    ['feed', `${feedSymbol(feed) ?? feedIdToHex(feed)}${values.pin ? ` (pinned to ${pin})` : ''}`],
    ['physical delivery', collateralMint ? `offered in ${collateralMint}` : 'not offered (cash series only)'],
    ['signature', r.signature],
  ]);
}

export const SETTINGS_USAGE =
  'backstop vault settings <VAULT> [--barrier USD] [--persistence 60s] [--cap-per-epoch X] [--keeper-tip X] [--min-tip-release X] ' +
  '[--epoch 1h] [--release-interval 60s] [--write-cutoff 10m] [--tail-loading-bps N] [--write-conf-bps N] [--timelock 1d] | --apply';

/** Shows the vault's settings and any pending proposal; with overrides proposes new settings
 * (they apply after the vault's timelock); with --apply applies the pending proposal. */
export async function vaultSettings(opts: GlobalOptions, positionals: string[], values: Values): Promise<string> {
  const vault = vaultArg(positionals, SETTINGS_USAGE);
  const connection = connect(opts);
  const { data: v } = await fetchVaultAccount(connection.rpc, vault);
  const now = await fetchChainTime(connection.rpc);
  const pending = v.pendingSettings;
  const overrides = ['barrier', 'persistence', 'cap-per-epoch', 'keeper-tip', 'min-tip-release', 'epoch', 'release-interval', 'write-cutoff',
    'tail-loading-bps', 'write-conf-bps', 'timelock'].filter((k) => values[k] !== undefined);
  if (values.apply && overrides.length > 0) throw new CliError(`give overrides to propose, or --apply, not both\nusage: ${SETTINGS_USAGE}`, 2);
  if (values.apply) {
    const settings = pendingSettings(v);
    if (!settings) throw new CliError(`vault ${vault} has no pending settings to apply`);
    if (now < pending.effectiveAt) throw new CliError(`the pending settings apply from ${time(pending.effectiveAt)} (in ${pending.effectiveAt - now} s)`);
    const signature = await updateVaultSettings(connection, await signer(opts), { vault, settings, programAddress: opts.programId });
    return opts.json ? json({ signature, applied: true }) : fields([['applied', `the pending settings of ${vault}`], ['signature', signature]]);
  }
  if (overrides.length === 0) {
    const s = currentSettings(v);
    if (opts.json) return json({ ...s, pending: pending.effectiveAt === 0n ? null : pending });
    return fields([
      ['barrier', price(s.trigger.barrierPrice as bigint)],
      ['persistence', `${s.trigger.persistenceSecs} s`],
      ['release cap', `${quote(v, s.release.capPerEpoch as bigint)} per ${s.release.epochSecs} s`],
      ['keeper tip', `${quote(v, s.release.keeperTip as bigint)} for a step of ${quote(v, s.release.minTipRelease as bigint)} or more`],
      ['release interval', `${s.release.releaseIntervalSecs} s`],
      ['write cutoff', `${s.release.writeCutoffSecs} s`],
      ['tail loading', `${s.pricing.tailLoadingBps} bps`],
      ['timelock', `${s.settingsTimelockSecs} s`],
      ['pending', pending.effectiveAt === 0n ? 'none' : `a proposal, applies from ${time(pending.effectiveAt)}`],
    ]);
  }
  const s = currentSettings(v);
  const qd = v.quoteDecimals;
  if (values.barrier !== undefined) s.trigger.barrierPrice = amount(values.barrier as string, 12, '--barrier');
  if (values.persistence !== undefined) s.trigger.persistenceSecs = secs(values, 'persistence', '0');
  if (values['cap-per-epoch'] !== undefined) s.release.capPerEpoch = amount(values['cap-per-epoch'] as string, qd, '--cap-per-epoch');
  if (values['keeper-tip'] !== undefined) s.release.keeperTip = parseUnits(values['keeper-tip'] as string, qd);
  if (values['min-tip-release'] !== undefined) s.release.minTipRelease = parseUnits(values['min-tip-release'] as string, qd);
  if (values.epoch !== undefined) s.release.epochSecs = secs(values, 'epoch', '0');
  if (values['release-interval'] !== undefined) s.release.releaseIntervalSecs = secs(values, 'release-interval', '0');
  if (values['write-cutoff'] !== undefined) s.release.writeCutoffSecs = secs(values, 'write-cutoff', '0');
  if (values['tail-loading-bps'] !== undefined) s.pricing.tailLoadingBps = bps(values, 'tail-loading-bps', 0);
  if (values['write-conf-bps'] !== undefined) s.pricing.writeConfBps = bps(values, 'write-conf-bps', 0);
  if (values.timelock !== undefined) s.settingsTimelockSecs = secs(values, 'timelock', '0');
  const signature = await updateVaultSettings(connection, await signer(opts), { vault, settings: s, programAddress: opts.programId });
  const applies = now + BigInt(v.settingsTimelockSecs);
  if (opts.json) return json({ signature, proposed: s, appliesFrom: applies });
  return fields([
    ['proposed', `${overrides.map((o) => `--${o}`).join(' ')} for ${vault}`],
    ['applies', `from ${time(applies)}: run backstop vault settings ${vault} --apply then`],
    ['signature', signature],
  ]);
}
