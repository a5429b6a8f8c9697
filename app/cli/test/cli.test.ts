// The CLI's pure parts, without a validator: argument errors exit 2 with usage, URL handling,
// error descriptions, tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backstopErrorCode } from '@backstop/sdk';
import { describeError, main } from '../src/main';
import { globalOptions, websocketUrlFor } from '../src/context';
import { table } from '../src/table';

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('usage: help exits 0, unknown commands and bad flags exit 2', async () => {
  const help = await run(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /keeper run/);
  const unknown = await run(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown command "frobnicate"/);
  const badFlag = await run(['quote', '--series', '11111111111111111111111111111111', '--bogus']);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.err, /Unknown option '--bogus'/);
  const missing = await run(['quote', '--size', '1']);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /missing --series/);
  const badAddress = await run(['vault', 'show', 'not-an-address']);
  assert.equal(badAddress.code, 2);
  assert.match(badAddress.err, /vault is not a valid address/);
  const badUrl = await run(['vault', 'show', '11111111111111111111111111111111', '--url', 'ftp://x']);
  assert.equal(badUrl.code, 2);
  assert.match(badUrl.err, /RPC URL must be http/);
});

test('global options may come before the command', async () => {
  const r = await run(['--url', 'http://127.0.0.1:9', 'vault', 'show', '11111111111111111111111111111111']);
  assert.equal(r.code, 1);
  assert.match(r.err, /cannot reach the RPC at http:\/\/127\.0\.0\.1:9/);
  const k = await run(['-k', '/nonexistent/key.json', '--url', 'http://127.0.0.1:9', 'positions']);
  assert.match(k.err, /bad keypair/);
  const slip = await run(['write', '--series', '11111111111111111111111111111111', '--size', '1', '--price-account', '11111111111111111111111111111111', '--slippage-bps', '1.5']);
  assert.equal(slip.code, 2);
  assert.match(slip.err, /--slippage-bps must be an integer/);
});

test('the sender policy: auto priority fee by default, a fixed one, a cap, and bad values exit 2', async () => {
  assert.deepEqual(globalOptions({}, {}).sender, { priorityFee: 'auto', maxComputeUnitPrice: 1_000_000n });
  assert.deepEqual(globalOptions({ 'priority-fee': '2500' }, {}).sender, { priorityFee: 2_500n, maxComputeUnitPrice: 1_000_000n });
  assert.deepEqual(globalOptions({}, { BACKSTOP_PRIORITY_FEE: '0', BACKSTOP_MAX_PRIORITY_FEE: '10' }).sender, { priorityFee: 0n, maxComputeUnitPrice: 10n });
  for (const [args, message] of [
    [['--priority-fee', 'fast'], /--priority-fee \(or "auto"\) must be a whole number of micro-lamports per compute unit, got "fast"/],
    [['--priority-fee=-1'], /must be a whole number/],
    [['--max-priority-fee', '1.5'], /--max-priority-fee must be a whole number/],
    [['--priority-fee', '5000', '--max-priority-fee', '1000'], /--priority-fee 5000 is above --max-priority-fee 1000/],
  ] as const) {
    const r = await run(['vault', 'show', '11111111111111111111111111111111', ...args]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, message);
  }
});

test('an unreachable RPC is named, with exit 1', async () => {
  const r = await run(['vault', 'show', '11111111111111111111111111111111', '--url', 'http://127.0.0.1:9']);
  assert.equal(r.code, 1);
  assert.match(r.err, /cannot reach the RPC at http:\/\/127\.0\.0\.1:9/);
});

test('a bad keypair file is named, with exit 1', async () => {
  const r = await run(['positions', '--keypair', '/nonexistent/id.json', '--url', 'http://127.0.0.1:9']);
  assert.equal(r.code, 1);
  assert.match(r.err, /bad keypair: cannot read keypair file \/nonexistent\/id\.json/);
});

test('program errors read as their names with a hint', () => {
  const slip = describeError({ cause: { context: { code: backstopErrorCode('SlippageExceeded') } } });
  assert.equal(slip.code, 1);
  assert.match(slip.message, /SlippageExceeded \(6068\).*widen --slippage-bps/);
  assert.match(describeError({ context: { code: backstopErrorCode('OperationPaused') } }).message, /paused/);
});

test('websocket URL follows the RPC URL', () => {
  assert.equal(websocketUrlFor('http://127.0.0.1:8899'), 'ws://127.0.0.1:8900');
  assert.equal(websocketUrlFor('https://rpc.example.com'), 'wss://rpc.example.com');
});

test('tables align numbers right and text left', () => {
  const t = table(['name', 'amount'], [['a', '1.5'], ['bbb', '100']]);
  assert.equal(t, 'name  amount\n----  ------\na        1.5\nbbb      100');
});
