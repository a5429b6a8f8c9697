// The raw-SVI calibration: it recovers a known slice from its own quotes, fits noisy quotes with
// a small error inside the no-arbitrage constraints, gives the program's units, and refuses bad
// input with a specific message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PARAM_SCALE, SviFitError, fitSvi, parseVolQuotes, validateSvi } from '../src/index';

const T30 = 30 * 86_400;
const YEAR = 365 * 86_400;

/** Quotes of an annualised raw-SVI slice at `strikes`, spot 100, zero rate. */
function quotesOf(s: { a: number; b: number; rho: number; m: number; sigma: number }, strikes: number[], tenor = T30) {
  const T = tenor / YEAR;
  return strikes.map((strike) => {
    const k = Math.log(strike / 100);
    const w = T * (s.a + s.b * (s.rho * (k - s.m) + Math.sqrt((k - s.m) ** 2 + s.sigma ** 2)));
    return { strike, iv: Math.sqrt(w / T) };
  });
}

const STRIKES = [50, 60, 70, 80, 90, 100, 110, 120, 140];
const TRUTH = { a: 0.2, b: 0.8, rho: -0.6, m: 0.05, sigma: 0.15 };

test('a slice is recovered from its own quotes', () => {
  const fit = fitSvi(quotesOf(TRUTH, STRIKES), 100, T30);
  assert.ok(fit.rmse < 1e-6, `rmse ${fit.rmse}`);
  for (const key of ['a', 'b', 'rho', 'm', 'sigma'] as const) {
    assert.ok(Math.abs(fit.slice[key] - TRUTH[key]) < 1e-3, `${key}: ${fit.slice[key]} vs ${TRUTH[key]}`);
  }
  // The program's units: PARAM_SCALE (10^9), and a slice the SDK's mirror of the program accepts.
  assert.equal(fit.params.rho, BigInt(Math.round(fit.slice.rho * Number(PARAM_SCALE))));
  validateSvi(fit.params, BigInt(T30));
});

test('noisy quotes: a small error, and the no-arbitrage constraints hold (b >= 0, |rho| <= 1)', () => {
  let seed = 7;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 0.004;
  const quotes = quotesOf(TRUTH, STRIKES).map((q) => ({ ...q, iv: q.iv + noise() }));
  const fit = fitSvi(quotes, 100, T30);
  assert.ok(fit.rmse < 0.003, `rmse ${fit.rmse}`);
  assert.ok(fit.slice.b >= 0 && Math.abs(fit.slice.rho) <= 1 && fit.slice.sigma > 0);
  assert.equal(fit.points.length, quotes.length);
  for (const p of fit.points) assert.ok(Math.abs(p.error - (p.fitIv - p.iv)) < 1e-15);
});

test('quotes on a smile with no skew fit with rho near zero; a flat smile fits a flat slice', () => {
  const smile = fitSvi(quotesOf({ a: 0.3, b: 0.5, rho: 0, m: 0, sigma: 0.2 }, STRIKES), 100, T30);
  assert.ok(Math.abs(smile.slice.rho) < 1e-3 && smile.rmse < 1e-6);
  const flat = fitSvi(STRIKES.map((strike) => ({ strike, iv: 0.6 })), 100, T30);
  assert.ok(flat.rmse < 1e-9);
  for (const p of flat.points) assert.ok(Math.abs(p.fitIv - 0.6) < 1e-9);
});

test('bad input is refused with a specific message', () => {
  assert.throws(() => fitSvi(quotesOf(TRUTH, [80, 90, 100, 110]), 100, T30), /at least five quotes at five strikes/);
  assert.throws(() => fitSvi(quotesOf(TRUTH, [90, 90, 100, 100, 110, 110]), 100, T30), /five strikes \(got 3\)/);
  assert.throws(() => fitSvi([...quotesOf(TRUTH, STRIKES), { strike: -1, iv: 0.5 }], 100, T30), /strike -1 is not positive/);
  assert.throws(() => fitSvi([...quotesOf(TRUTH, STRIKES), { strike: 95, iv: 0 }], 100, T30), /implied volatility 0 at strike 95/);
  assert.throws(() => fitSvi(quotesOf(TRUTH, STRIKES), 0, T30), /spot must be positive/);
  assert.throws(() => fitSvi(quotesOf(TRUTH, STRIKES), 100, 0), SviFitError);
});

test('quotes CSV: a header is skipped, percentages read, and a bad line is named', () => {
  assert.deepEqual(parseVolQuotes('strike,iv\n80,65%\n100,0.55\n\n# a comment\n120, 50 %'.replace(' %', '%')), [
    { strike: 80, iv: 0.65 }, { strike: 100, iv: 0.55 }, { strike: 120, iv: 0.5 },
  ]);
  assert.throws(() => parseVolQuotes('strike,iv\n80;0.6'), /line 2: expected "strike,iv"/);
  assert.throws(() => parseVolQuotes('80,abc'), /line 1: "80,abc" is not two numbers/);
});
