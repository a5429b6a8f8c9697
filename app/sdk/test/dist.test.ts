// The built SDK (npm run build -w @backstop/sdk): plain ESM that imports only @solana/* (so a
// browser bundler or Node takes it as is) and computes exactly what the source does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as source from '../src/index';

const DIST = resolve(import.meta.dirname, '../dist/index.js');

test('dist/index.js imports nothing but @solana packages and no Node globals', () => {
  assert.ok(existsSync(DIST), 'run `npm run build -w @backstop/sdk` first (scripts/test.sh does)');
  const code = readFileSync(DIST, 'utf8');
  const imports = [...code.matchAll(/from "([^"]+)"/g)].map((m) => m[1]!);
  assert.ok(imports.length > 0);
  for (const i of imports) assert.match(i, /^@solana(-program)?\//, `import of ${i}`);
  assert.doesNotMatch(code, /\bBuffer\.|\brequire\(|process\.env/);
});

test('dist prices every shared vector exactly as the source does', async () => {
  const dist = (await import(DIST)) as typeof source;
  type Raw = Record<string, string> & { svi: Record<string, string> };
  const vectors = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../../tests/vectors/pricing.json'), 'utf8')) as { put_premium: Raw[] };
  const b = (x: string) => BigInt(x);
  let n = 0;
  for (const v of vectors.put_premium.slice(0, 300)) {
    const inputs: source.PremiumInputs = {
      spot: b(v.spot), strike: b(v.strike), confidence: b(v.confidence), tenorSecs: b(v.tenor_secs),
      svi: { a: b(v.svi.a), b: b(v.svi.b), rho: b(v.svi.rho), m: b(v.svi.m), sigma: b(v.svi.sigma) },
      rate: b(v.rate), confMultiplierBps: b(v.conf_multiplier_bps), tailLoadingBps: b(v.tail_loading_bps), minPremium: b(v.min_premium),
      releaseIntervalSecs: b(v.release_interval_secs),
    };
    const outcome = (f: typeof source.putPremium) => {
      try { return f(inputs); } catch (e) { return (e as Error).message; }
    };
    assert.deepEqual(outcome(dist.putPremium), outcome(source.putPremium));
    n++;
  }
  assert.ok(n > 100);
  assert.equal(dist.BACKSTOP_PROGRAM_ADDRESS, source.BACKSTOP_PROGRAM_ADDRESS);
});
