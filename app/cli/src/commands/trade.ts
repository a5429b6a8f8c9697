// Market-maker commands: quote, write, positions, reclaim.
import { fetchToken } from '@solana-program/token';
import {
  PARAM_SCALE,
  SECONDS_PER_YEAR,
  fetchChainTime,
  fetchOraclePrice,
  seriesRelease,
  fetchMaybeSeries,
  fetchSeriesView,
  fetchVaultAccount,
  fetchWriteQuote,
  isqrtU128,
  listPositions,
  parseUnits,
  reclaim,
  reclaimable,
  writePut,
  associatedTokenAddress,
} from '@backstop/sdk';
import type { Address } from '@solana/kit';
import { CliError, connect, need, parseAddress, signer, type GlobalOptions } from '../context';
import { collateral, json, price, quote, time } from '../format';
import { Progress, fields, table } from '../table';
import { PRICE_HELP, optionalPriceAccountFor, priceAccountFor } from '../price-source';

type Values = Record<string, unknown>;



async function seriesAndVault(opts: GlobalOptions, seriesText: string) {
  const { rpc } = connect(opts);
  const series = parseAddress(seriesText, '--series');
  const s = await fetchMaybeSeries(rpc, series, { commitment: 'confirmed' });
  if (!s.exists) throw new CliError(`unknown series: no series account at ${series}`);
  const v = await fetchVaultAccount(rpc, s.data.vault);
  return { series, s: s.data, v: v.data, vaultAddress: v.address };
}

function parseSize(text: string, decimals: number): bigint {
  let size: bigint;
  try {
    size = parseUnits(text, decimals);
  } catch (e) {
    throw new CliError(`bad --size: ${(e as Error).message}`, 2);
  }
  if (size === 0n) throw new CliError('--size must be positive', 2);
  return size;
}

const QUOTE_USAGE = `backstop quote --series SERIES --size AMOUNT ${PRICE_HELP}`;
export async function quoteCommand(opts: GlobalOptions, _p: string[], values: Values): Promise<string> {
  const { series, v } = await seriesAndVault(opts, need(values, 'series', QUOTE_USAGE));
  const size = parseSize(need(values, 'size', QUOTE_USAGE), v.collateralDecimals);
  const priceUpdate = await priceAccountFor(opts, values, v);
  const q = await fetchWriteQuote(connect(opts).rpc, { series, priceUpdate, size });
  // Implied vol of the slice at this strike: sqrt(w / T), annualised (display only).
  const w = q.engine.totalVariance;
  const volPct = Number(isqrtU128((w * SECONDS_PER_YEAR * PARAM_SCALE) / q.tenorSecs)) / Number(PARAM_SCALE) * 100;
  if (opts.json) return json({ series, size, ...q, impliedVolPct: volPct });
  return fields([
    ['series', series],
    ['size', collateral(v, size)],
    ['premium', `${quote(v, q.premium)} (${q.premium} base units)`],
    ['premium per unit', price(q.premiumPerUnit)],
    ['of which intrinsic', price(q.engine.intrinsic)],
    ['escrow', quote(v, q.escrow)],
    ['spot (conf)', `${price(q.spot)} (± ${price(q.confidence)})`],
    ['spot priced at', price(q.engine.shiftedSpot)],
    ['implied vol', `${volPct.toFixed(2)}%`],
    ['tenor', `${q.tenorSecs} s`],
    ['floor applied', q.engine.minPremiumApplied ? 'yes' : 'no'],
  ]);
}

const WRITE_USAGE = `backstop write --series SERIES --size AMOUNT ${PRICE_HELP} [--min-premium AMOUNT | --slippage-bps N] [--token ACCOUNT]`;
export async function writeCommand(opts: GlobalOptions, _p: string[], values: Values): Promise<string> {
  parseAddress(need(values, 'series', WRITE_USAGE), '--series');
  const slippageText = values['slippage-bps'] as string | undefined;
  if (slippageText !== undefined && (!/^\d+$/.test(slippageText) || BigInt(slippageText) > 10_000n)) {
    throw new CliError(`--slippage-bps must be an integer from 0 to 10000, got "${slippageText}"`, 2);
  }
  const slippage = slippageText === undefined ? undefined : BigInt(slippageText);
  const writer = await signer(opts);
  const { series, v } = await seriesAndVault(opts, need(values, 'series', WRITE_USAGE));
  const size = parseSize(need(values, 'size', WRITE_USAGE), v.collateralDecimals);
  const prices = await priceAccountFor(opts, values, v);
  let minPremium: bigint | undefined;
  if (values['min-premium'] !== undefined) {
    try {
      minPremium = parseUnits(values['min-premium'] as string, v.quoteDecimals);
    } catch (e) {
      throw new CliError(`bad --min-premium: ${(e as Error).message}`, 2);
    }
  }
  const progress = new Progress();
  progress.step(`writing ${collateral(v, size)} puts on ${series}`);
  try {
    const r = await writePut(connect(opts), {
      writer, series, priceUpdate: prices, size, minPremium, slippageBps: slippage,
      writerToken: values.token ? parseAddress(values.token as string, '--token') : undefined,
      programAddress: opts.programId,
    });
    progress.done(`written: ${r.signature}`);
    if (opts.json) return json({ signature: r.signature, size, quote: r.quote, minPremium: r.minPremium });
    return fields([
      ['signature', r.signature],
      ['size', collateral(v, size)],
      ['escrowed', quote(v, r.quote.escrow)],
      ['premium (quoted)', quote(v, r.quote.premium)],
      ['minimum accepted', quote(v, r.minPremium)],
    ]);
  } catch (e) {
    progress.done();
    throw e;
  }
}

export async function positionsCommand(opts: GlobalOptions, _p: string[], values: Values): Promise<string> {
  const { rpc } = connect(opts);
  const writer = values.writer ? parseAddress(values.writer as string, '--writer') : (await signer(opts)).address;
  const now = await fetchChainTime(rpc);
  const list = await listPositions(rpc, { writer }, opts.programId);
  const rows = [];
  const out = [];
  for (const p of list) {
    const s = await fetchSeriesView(rpc, p.data.series);
    const { data: v } = await fetchVaultAccount(rpc, s.data.vault);
    // Before settlement: what the writer would get back if the series settled at today's price
    // (its share of the advances and of what would still be owed).
    const priceAt = s.settled ? undefined : await optionalPriceAccountFor(opts, values, v);
    const spot = priceAt ? (await fetchOraclePrice(rpc, v, priceAt, now)).price : undefined;
    const release = seriesRelease(v, s.data, spot);
    // Without a price: escrow less the share of what was paid so far (an upper bound before expiry).
    const back = reclaimable(s.data, p.data, release.stillOwedAtPrice ?? 0n);
    out.push({ position: p.address, ...p.data, strike: s.data.strike, expiry: s.data.expiry, settled: s.settled, release, reclaimable: back });
    rows.push([
      p.data.series, quote(v, s.data.strike), time(s.data.expiry), collateral(v, p.data.size), quote(v, p.data.escrowDeposited),
      quote(v, p.data.premiumReceived), s.settled ? 'settled' : 'open', quote(v, s.data.advanced),
      s.settled ? '-' : release.nextStepAt === 0n ? 'no step yet' : time(release.nextStepAt),
      quote(v, back), quote(v, back + p.data.premiumReceived - p.data.escrowDeposited),
    ]);
  }
  if (opts.json) return json(out);
  if (rows.length === 0) return `no open positions for ${writer}`;
  const priced = values['price-account'] !== undefined || values.feed !== undefined || process.env.BACKSTOP_PRICE_ACCOUNT !== undefined;
  const reclaimHeader = priced ? 'reclaimable if settled now' : 'reclaimable (payouts so far)';
  return table(['series', 'strike', 'expiry', 'size', 'escrow', 'premium', 'status', 'series advanced', 'next step', reclaimHeader, 'P&L so far'], rows);
}

const RECLAIM_USAGE = 'backstop reclaim --series SERIES [--writer ADDRESS] [--token ACCOUNT]';
export async function reclaimCommand(opts: GlobalOptions, _p: string[], values: Values): Promise<string> {
  parseAddress(need(values, 'series', RECLAIM_USAGE), '--series');
  const payer = await signer(opts);
  const { series, v } = await seriesAndVault(opts, need(values, 'series', RECLAIM_USAGE));
  const writer = values.writer ? parseAddress(values.writer as string, '--writer') : payer.address;
  const token = values.token ? parseAddress(values.token as string, '--token') : await associatedTokenAddress(writer, v.quoteMint);
  const { rpc } = connect(opts);
  const before = (await fetchToken(rpc, token, { commitment: 'confirmed' })).data.amount;
  const progress = new Progress();
  progress.step(`reclaiming ${writer}'s escrow from ${series}`);
  try {
    const r = await reclaim(connect(opts), payer, { series, writer, writerToken: token, programAddress: opts.programId });
    const after = (await fetchToken(rpc, token, { commitment: 'confirmed' })).data.amount;
    progress.done(`reclaimed: ${r.signature}`);
    if (opts.json) return json({ signature: r.signature, writer, amount: after - before });
    return fields([['signature', r.signature], ['writer', writer], ['reclaimed', quote(v, after - before)]]);
  } catch (e) {
    progress.done();
    throw e;
  }
}
