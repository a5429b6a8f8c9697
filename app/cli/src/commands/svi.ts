// backstop svi fit --quotes quotes.csv --spot X --tenor 30d [--rate R] [--vault V]
import { readFileSync } from 'node:fs';
import {
  SviFitError,
  fetchVaultAccount,
  fitSvi,
  formatUnits,
  parseVolQuotes,
  simulateOpenSeries,
  validateSvi,
} from '@backstop/sdk';
import { CliError, connect, need, parseAddress, type GlobalOptions } from '../context';
import { json } from '../format';
import { Progress, table } from '../table';
import { parseDuration } from './desk';

type Values = Record<string, unknown>;

export const FIT_USAGE = 'backstop svi fit --quotes FILE.csv --spot X --tenor 30d [--rate R] [--vault V]';


function positiveNumber(text: string, flag: string): number {
  const v = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(v > 0)) throw new CliError(`${flag} must be a positive number, got "${text}"`, 2);
  return v;
}

/** A PARAM_SCALE value as a signed decimal with 9 places (what `series open --svi` reads). */
const decimal = (x: bigint) => formatUnits(x, 9, 9);

export async function sviFit(opts: GlobalOptions, positionals: string[], values: Values): Promise<string> {
  if (positionals.length > 0) throw new CliError(`unexpected argument ${positionals[0]}\nusage: ${FIT_USAGE}`, 2);
  const file = need(values, 'quotes', FIT_USAGE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read --quotes ${file}: ${(e as Error).message}`, 2);
  }
  const spot = positiveNumber(need(values, 'spot', FIT_USAGE), '--spot');
  const tenor = parseDuration(need(values, 'tenor', FIT_USAGE), '--tenor');
  const rateText = (values.rate as string | undefined) ?? '0';
  const rate = Number(rateText);
  if (!/^-?\d+(\.\d+)?$/.test(rateText) || Math.abs(rate) > 0.5) throw new CliError(`--rate must be a decimal annual rate within +-0.5, got "${rateText}"`, 2);
  const progress = new Progress();
  let fit;
  try {
    const quotes = parseVolQuotes(text);
    progress.step(`fitting a raw-SVI slice to ${quotes.length} quotes`);
    fit = fitSvi(quotes, spot, Number(tenor), rate);
  } catch (e) {
    if (e instanceof SviFitError) throw new CliError(`${file}: ${e.message}`, 2);
    throw e;
  }
  // The slice must be one the program accepts: its slice rules (mirrored), and with --vault the
  // program's own open_series check (butterfly arbitrage, at-the-money volatility), simulated.
  try {
    validateSvi(fit.params, tenor);
  } catch (e) {
    throw new CliError(`the fitted slice would be refused by the program: ${(e as Error).message}`);
  }
  let programCheck = 'slice rules (SDK mirror); pass --vault for the program\'s own open_series check';
  if (values.vault !== undefined) {
    const vault = parseAddress(values.vault as string, '--vault');
    const { rpc } = connect(opts);
    const { data: v } = await fetchVaultAccount(rpc, vault);
    progress.step('asking the program (simulated open_series)');
    const strike = BigInt(Math.round(spot * 10 ** v.quoteDecimals));
    const refusal = await simulateOpenSeries(rpc, { vault, v, svi: fit.params, tenorSecs: tenor, strike, programAddress: opts.programId });
    if (refusal) throw new CliError(`the program refuses the fitted slice: ${refusal}`);
    programCheck = `accepted by the program (open_series simulated on ${vault})`;
  }
  progress.done();
  const svi = [fit.params.a, fit.params.b, fit.params.rho, fit.params.m, fit.params.sigma].map(decimal).join(',');
  if (opts.json) return json({ ...fit, svi, check: programCheck });
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  return [
    table(['strike', 'k = ln(K/F)', 'quote iv', 'fit iv', 'error'], fit.points.map((p) => [
      String(p.strike), p.k.toFixed(4), pct(p.iv), pct(p.fitIv), `${p.error >= 0 ? '+' : ''}${(p.error * 100).toFixed(3)} pts`,
    ])),
    '',
    `rmse ${(fit.rmse * 100).toFixed(3)} vol pts; ${programCheck}`,
    `--svi ${svi}`,
  ].join('\n');
}
