// Event decoding and pause-flag helpers, without a validator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { getAddressEncoder, getI64Encoder, getU32Encoder, getU64Encoder, address } from '@solana/kit';
import { ALL_PAUSE_FLAGS, EVENT_IX_TAG, PauseFlag, decodeEventInstructionData, eventsNamed, pausedOperations } from '../src/index';

const discriminator = (name: string) => createHash('sha256').update(`event:${name}`).digest().subarray(0, 8);

test('EVENT_IX_TAG is 0x1d9acb512ea545e4 little-endian', () => {
  assert.equal(Buffer.from(EVENT_IX_TAG).readBigUInt64LE(), 0x1d9acb512ea545e4n);
});

test('decodes a ConfigInitialized emit_cpi! payload', () => {
  const config = address('AVHyQZrivTKjVi4g81SBTfoBc2JzG12hQNKz8kF9JMXd');
  const admin = address('11111111111111111111111111111111');
  const body = Buffer.concat([
    Buffer.from(getAddressEncoder().encode(config)),
    Buffer.from(getAddressEncoder().encode(admin)),
    Buffer.from(getU32Encoder().encode(5)),
    Buffer.from(getU64Encoder().encode(42n)),
  ]);
  const data = Buffer.concat([EVENT_IX_TAG, discriminator('ConfigInitialized'), body]);
  assert.deepEqual(decodeEventInstructionData(data), {
    name: 'ConfigInitialized',
    data: { config, admin, pauseFlags: 5, slot: 42n },
  });
});

const pubkey = (a: string) => Buffer.from(getAddressEncoder().encode(address(a)));
const u64 = (v: bigint) => Buffer.from(getU64Encoder().encode(v));
const i64 = (v: bigint) => Buffer.from(getI64Encoder().encode(v));
const VAULT = 'AVHyQZrivTKjVi4g81SBTfoBc2JzG12hQNKz8kF9JMXd';
const SERIES = '11111111111111111111111111111111';

test('decodes a release step and a settlement with the release model fields', () => {
  const released = Buffer.concat([EVENT_IX_TAG, discriminator('CapitalReleased'), pubkey(VAULT), pubkey(SERIES),
    u64(89n * 10n ** 12n), u64(1_100_000_000n), u64(1_100_000_000n), u64(1_100_000_000n), u64(1_100_000_000n), u64(5_000_000n), pubkey(SERIES)]);
  const settled = Buffer.concat([EVENT_IX_TAG, discriminator('SeriesSettled'), pubkey(VAULT), pubkey(SERIES),
    u64(45n * 10n ** 12n), i64(1_700_000_000n), Buffer.from([4]), u64(100n), u64(2_100_000_000n), u64(5_600_000_000n), u64(7n)]);
  const events = [released, settled].map((d) => decodeEventInstructionData(d)!);
  assert.deepEqual(eventsNamed(events, 'CapitalReleased'), [{
    vault: VAULT, series: SERIES, heldPrice: 89n * 10n ** 12n, owed: 1_100_000_000n, payout: 1_100_000_000n,
    advanced: 1_100_000_000n, releasedInEpoch: 1_100_000_000n, keeperTip: 5_000_000n, keeper: SERIES,
  }]);
  const [s] = eventsNamed(events, 'SeriesSettled');
  assert.deepEqual([s!.source, s!.payout, s!.advanced, s!.budgetReleased], ['NearestAfterDeadline', 2_100_000_000n, 5_600_000_000n, 7n]);
});

test('ignores instruction data that is not an event', () => {
  assert.equal(decodeEventInstructionData(new Uint8Array(40)), null);
  const unknown = Buffer.concat([EVENT_IX_TAG, discriminator('NoSuchEvent'), Buffer.alloc(8)]);
  assert.equal(decodeEventInstructionData(unknown), null);
});

test('pause flags name their operations', () => {
  assert.deepEqual(pausedOperations(PauseFlag.WritePut | PauseFlag.OpenSeries), ['OpenSeries', 'WritePut']);
  assert.deepEqual(pausedOperations(0), []);
  assert.equal(ALL_PAUSE_FLAGS, 0b1111);
});
