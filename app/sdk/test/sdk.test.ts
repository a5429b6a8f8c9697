// The SDK's pure parts, without a validator: unit conversions and their roundings, the oracle
// mirror, the compute-unit table against the measured one, typed errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { address } from '@solana/kit';
import {
  BACKSTOP_ERRORS,
  BackstopProgramError,
  MEASURED_COMPUTE_UNITS,
  OracleError,
  PYTH_RECEIVER_ADDRESS,
  backstopErrorCode,
  computeUnitLimit,
  decodePriceUpdateV2,
  encodePriceUpdateV2,
  escrowFor,
  formatUnits,
  intrinsicFor,
  parseBackstopError,
  parseUnits,
  quoteAmountDown,
  reclaimable,
  setComputeUnitLimitInstruction,
  strikeToPrice,
  validatePriceAccount,
  type Series,
  type Position,
} from '../src/index';

const FEED = new Uint8Array(32).fill(7);
const check = { receiver: PYTH_RECEIVER_ADDRESS, feedId: FEED, maxConfBps: 200, now: 1_000n, maxAgeSecs: 60 };
const update = (o: Partial<Parameters<typeof encodePriceUpdateV2>[0]> = {}) =>
  encodePriceUpdateV2({ feedId: FEED, price: 15_000_000_000n, conf: 5_000_000n, exponent: -8, publishTime: 1_000n, ...o });

test('escrow enters rounded up, payouts and premiums leave rounded down', () => {
  assert.equal(escrowFor(100_000_000n, 1_500_000_000n, 9), 150_000_000n);
  assert.equal(escrowFor(100_000_000n, 1n, 9), 1n);
  assert.equal(quoteAmountDown(1_000_000_000_000n, 1n, 9, 6), 0n);
  assert.equal(quoteAmountDown(7_500_000_000_000n, 2_000_000_000n, 9, 6), 15_000_000n);
  const k = strikeToPrice(100_000_000n, 6);
  assert.equal(k, 100_000_000_000_000n);
  assert.equal(intrinsicFor(k, 60_000_000_000_000n, 3_000_000_000n, 9, 6), 120_000_000n);
  assert.equal(intrinsicFor(k, 150_000_000_000_000n, 3_000_000_000n, 9, 6), 0n);
  assert.throws(() => strikeToPrice(1n, 13), /more than 12 decimals/);
});

test('decimal strings parse exactly and refuse what they cannot represent', () => {
  assert.equal(parseUnits('1.5', 9), 1_500_000_000n);
  assert.equal(parseUnits('100', 6), 100_000_000n);
  assert.equal(parseUnits('0.000001', 6), 1n);
  assert.throws(() => parseUnits('0.0000001', 6), /more than 6 decimals/);
  assert.throws(() => parseUnits('-1', 6), /not a non-negative decimal/);
  assert.throws(() => parseUnits('1e3', 6), /not a non-negative decimal/);
  assert.equal(formatUnits(1_500_000n, 6), '1.5');
  assert.equal(formatUnits(-2_000_000n, 6), '-2');
  assert.equal(formatUnits(1_234_567n, 6, 2), '1.23');
});

test('PriceUpdateV2 round-trips through encode and decode', () => {
  const d = decodePriceUpdateV2(update({ prevPublishTime: 990n, postedSlot: 77n }));
  assert.ok(d);
  assert.deepEqual([d.price, d.conf, d.exponent, d.publishTime, d.prevPublishTime, d.postedSlot, d.partialSignatures],
    [15_000_000_000n, 5_000_000n, -8, 1_000n, 990n, 77n, null]);
  assert.equal(decodePriceUpdateV2(update({ partialSignatures: 5 }))?.partialSignatures, 5);
  assert.equal(decodePriceUpdateV2(new Uint8Array(134)), null);
  assert.equal(decodePriceUpdateV2(update().subarray(0, 60)), null);
});

test('oracle mirror normalises like the program: price up, confidence down', () => {
  assert.deepEqual(validatePriceAccount(PYTH_RECEIVER_ADDRESS, update(), check), {
    price: 150_000_000_000_000n, conf: 50_000_000_000n, publishTime: 1_000n, prevPublishTime: 999n,
  });
  // 10^-15 steps are finer than PRICE_SCALE (10^-12): 1001 -> ceil 2 for the price, floor 1 for conf.
  const fine = validatePriceAccount(PYTH_RECEIVER_ADDRESS, update({ price: 150_000_000_000_001n, conf: 1_999n, exponent: -15 }), check);
  assert.equal(fine.price, 150_000_000_000_001n / 1000n + 1n);
  assert.equal(fine.conf, 1n);
  assert.equal(validatePriceAccount(PYTH_RECEIVER_ADDRESS, update({ price: 150n, conf: 0n, exponent: 0 }), check).price, 150n * 10n ** 12n);
});

test('each oracle rejection has its own reason, in the program order', () => {
  const reason = (owner: string, data: Uint8Array, c = check) => {
    try {
      validatePriceAccount(address(owner), data, c);
      return 'accepted';
    } catch (e) {
      assert.ok(e instanceof OracleError);
      return e.reason;
    }
  };
  assert.equal(reason('11111111111111111111111111111111', update()), 'OracleWrongOwner');
  assert.equal(reason(PYTH_RECEIVER_ADDRESS, new Uint8Array(134)), 'OracleInvalidAccount');
  assert.equal(reason(PYTH_RECEIVER_ADDRESS, update({ feedId: new Uint8Array(32).fill(8) })), 'OracleWrongFeed');
  assert.equal(reason(PYTH_RECEIVER_ADDRESS, update({ partialSignatures: 13 })), 'OracleNotFullyVerified');
  assert.equal(reason(PYTH_RECEIVER_ADDRESS, update({ price: 0n })), 'OracleNonPositivePrice');
  assert.equal(reason(PYTH_RECEIVER_ADDRESS, update({ publishTime: 939n })), 'OracleStale');
  assert.equal(reason(PYTH_RECEIVER_ADDRESS, update({ publishTime: 940n })), 'accepted');
  assert.equal(reason(PYTH_RECEIVER_ADDRESS, update({ conf: 300_000_001n })), 'OracleConfidenceTooWide');
  assert.equal(reason(PYTH_RECEIVER_ADDRESS, update({ exponent: -19 })), 'OracleExponentOutOfRange');
  assert.equal(reason(PYTH_RECEIVER_ADDRESS, update({ exponent: 7 })), 'OracleExponentOutOfRange');
  assert.equal(reason(PYTH_RECEIVER_ADDRESS, update({ price: 9_000_000_000_000_000n, conf: 0n, exponent: 6 })), 'OraclePriceOutOfRange');
  // Identity (what the account is) before market (what the price says).
  assert.equal(reason(PYTH_RECEIVER_ADDRESS, update({ exponent: 7, price: 0n, publishTime: 1n })), 'OracleExponentOutOfRange');
  assert.equal(reason(PYTH_RECEIVER_ADDRESS, update({ partialSignatures: 13, price: 0n })), 'OracleNotFullyVerified');
});

test('compute-unit limits cover every measured instruction with headroom', () => {
  const doc = readFileSync(resolve(import.meta.dirname, '../../../docs/COMPUTE_UNITS.md'), 'utf8');
  const table = doc.split('## Instructions')[1]!.split('\n## ')[0]!;
  let rows = 0;
  // | instruction | seeded | min | median | max |: the limit must cover the worst measured.
  for (const m of table.matchAll(/^\| (\w+)(?: \([^)]*\))? \| \d+ \| \d+ \| \d+ \| (\d+) \|$/gm)) {
    const name = m[1] as keyof typeof MEASURED_COMPUTE_UNITS;
    assert.ok(name in MEASURED_COMPUTE_UNITS, `${name} has a compute-unit limit`);
    const measured = Number(m[2]);
    assert.ok(MEASURED_COMPUTE_UNITS[name] >= measured, `${name}: table ${measured} > SDK ${MEASURED_COMPUTE_UNITS[name]}`);
    assert.ok(computeUnitLimit(name) >= measured * 1.2, `${name} limit has 20 % headroom`);
    rows++;
  }
  assert.ok(rows >= Object.keys(MEASURED_COMPUTE_UNITS).length, `read ${rows} rows`);
  const ix = setComputeUnitLimitInstruction(80_000);
  assert.deepEqual([...ix.data!], [2, 0x80, 0x38, 0x01, 0x00]);
  assert.throws(() => setComputeUnitLimitInstruction(0), RangeError);
});

test('program errors are typed by name from the IDL', () => {
  const codes = [...BACKSTOP_ERRORS.keys()];
  assert.deepEqual(codes, codes.map((_, i) => 6000 + i), 'codes are dense from 6000 (append-only)');
  const failure = { message: 'send failed', cause: { context: { code: backstopErrorCode('SlippageExceeded'), logs: ['Program log: x'] } } };
  const typed = parseBackstopError(failure);
  assert.ok(typed instanceof BackstopProgramError);
  assert.equal(typed.errorName, 'SlippageExceeded');
  assert.match(typed.message, /Premium is below the writer's minimum/);
  assert.deepEqual(typed.logs, ['Program log: x']);
  assert.equal(parseBackstopError({ context: { code: 2006 } })?.errorName, 'ConstraintSeeds');
  assert.equal(parseBackstopError(new Error('network down')), null);
  assert.throws(() => backstopErrorCode('NoSuchError'), /no program error named/);
  // The release model's refusals, appended after DuplicateMutableAccount (6088).
  const appended = ['WriteConfidenceTooWide', 'WriteCutoff', 'SeriesAdvanced', 'ReleaseIntervalNotElapsed', 'NoHeldPrice', 'SettlementPriceMissing', 'WriteCutoffTooShort'];
  assert.deepEqual(appended.map(backstopErrorCode), appended.map((_, i) => 6089 + i));
});

test('reclaim is escrow minus the pro-rata payout share rounded up, never negative', () => {
  const series = { writtenSize: 3n, payoutTotal: 100n } as Series;
  const pos = (size: bigint, escrowDeposited: bigint) => ({ size, escrowDeposited }) as Position;
  // Shares ceil(100/3)=34 each; 3 x 34 >= 100, so the sum of reclaims never exceeds what is left.
  assert.equal(reclaimable(series, pos(1n, 100n)), 66n);
  assert.equal(reclaimable(series, pos(1n, 10n)), 0n);
  assert.equal(reclaimable({ writtenSize: 0n, payoutTotal: 0n } as Series, pos(0n, 5n)), 5n);
  // What settlement would still pay counts like a payout: ceil(130/3) = 44.
  assert.equal(reclaimable(series, pos(1n, 100n), 30n), 56n);
});
