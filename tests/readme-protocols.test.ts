// README's "For protocols" block, run as written on the local validator: every `backstop` line
// through the CLI's own entry point (the shell's `$VAR` from an earlier line's `--json | jq -r`),
// so the walk from nothing to a laddered vault cannot drift from the commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address } from '@solana/kit';
import { fetchLadderState, fetchVault, parseFeedId, pushFeedAddress } from '../app/sdk/src/index';
import { main } from '../app/cli/src/main';
import { SOL_FEED, USDC } from '../migrations/lib/backstop-fixture';
import { newKeypairFile } from '../migrations/lib/localnet';
import { ROOT, RPC_URL, WS_URL, rpc } from './support/localnet';
import { net } from './support/net';

/** The block between the quickstart markers, one command per line (comments dropped). */
function quickstart(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- protocol-quickstart -->\n```sh\n([\s\S]*?)```\n<!-- \/protocol-quickstart -->/.exec(readme);
  assert.ok(block, 'README has the protocol quickstart block');
  return block[1]!.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

test("README's protocol quickstart takes a new keypair to a laddered vault, as written", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'backstop-readme-'));
  const keypair = join(dir, 'protocol.json');
  const protocol = await newKeypairFile(keypair);
  await net.airdrop(protocol.address, 10n);
  // The quote mint with 50,000 in the keypair's own account; SOL/USD on its sponsored feed.
  const payer = await net.fundedSigner(2n);
  const usdc = await net.createMint(payer, payer.address, 6);
  await net.mintTo(payer, usdc, payer, await net.tokenAccount(payer, usdc, protocol.address), 50_000n * USDC);
  const feed = parseFeedId('SOL/USD');
  const feedAccount = await pushFeedAddress(feed);
  await net.postPrice(feedAccount, feed, 150n * 100_000_000n);
  writeFileSync(join(dir, 'quotes.csv'), ['90,95%', '105,88%', '120,80%', '135,72%', '150,66%', '165,63%', '180,62%'].join('\n'));

  const vars: Record<string, string> = { USDC: usdc };
  const expand = (text: string) => text.replace(/\$([A-Z_]+)/g, (_, name: string) => {
    assert.ok(vars[name] !== undefined, `$${name} is set by an earlier line`);
    return vars[name]!;
  });
  // Files the block names live in the test's own directory.
  const words = (text: string) => expand(text).trim().split(/\s+/).map((w) => (/^\w+\.(csv|svg)$/.test(w) ? join(dir, w) : w));
  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main([...args, '--url', RPC_URL, '--ws', WS_URL, '--keypair', keypair], (l) => out.push(l), (l) => err.push(l));
    assert.equal(code, 0, `backstop ${args.join(' ')}: ${err.join('\n')}`);
    return out.join('\n');
  };
  const outputs: string[] = [];
  for (const line of quickstart()) {
    if (line.startsWith('export ')) continue; // the test passes the keypair and URL itself
    const captured = /^([A-Z_]+)=\$\(backstop (.*) \| jq -r \.(\w+)\)$/.exec(line);
    if (captured) {
      const out = JSON.parse(await run(words(captured[2]!)));
      vars[captured[1]!] = String(out[captured[3]!]);
      continue;
    }
    assert.match(line, /^backstop /, `a command of the backstop binary: ${line}`);
    const args = words(line.slice('backstop '.length));
    // The keeper runs until stopped; one tick is what the block needs.
    if (args[0] === 'keeper') args.push('--max-ticks', '1', '--interval-ms', '100');
    outputs.push(await run(args));
  }

  const vault = vars.VAULT as Address;
  const v = await fetchVault(rpc, vault);
  assert.equal(v.data.quoteMint, usdc);
  assert.deepEqual(Array.from(v.data.oracle.collateralFeed), Array.from(feed));
  assert.notDeepEqual(Array.from(feed), Array.from(SOL_FEED), 'the real SOL/USD feed id, not the fixture one');
  assert.equal(await net.balance(v.data.reserve), 20_000n * USDC);
  const ladder = (await fetchLadderState(rpc, vault))!.ladder;
  assert.deepEqual(ladder.template.strikesBps, [8_000, 9_000, 0, 0]);
  assert.equal(ladder.rolled, 2n, 'the keeper rolled both rungs');
  assert.ok(outputs.some((o) => /rung 0\s+\S+, expires/.test(o)), 'ladder show lists the live rungs');
  assert.ok(outputs.some((o) => /fit error|rms/i.test(o)), 'svi fit printed its fit');
  assert.ok(outputs.some((o) => /released \/ shortfall/.test(o)), 'the backtest reported');
  assert.match(readFileSync(join(dir, 'backtest.svg'), 'utf8'), /^<svg /);
});
