// Physical delivery through the SDK on the local validator (docs/DESIGN.md section 7b): the
// quote of a physical series equals what write_put pays (the American bound), the protocol sells
// collateral at the strike in a confirmed breach, and after the delivery window the writer takes
// back its collateral and the rest of its quote; both mints are conserved to the unit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Signature } from '@solana/kit';
import { fetchMint } from '@solana-program/token';
import {
  SeriesStatus,
  deliverCollateral,
  deliveryPayment,
  fetchSeriesView,
  fetchWriteQuote,
  observeBreach,
  reclaim,
  settleSeries,
  writePut,
} from '../app/sdk/src/index';
import { SOL, SOL_FEED, createFixture, fundWriter } from '../migrations/lib/backstop-fixture';
import { theEvent } from './support/events';
import { RPC_URL, WS_URL, deployer, rpc, rpcSubscriptions } from './support/localnet';
import { main } from '../app/cli/src/main';
import { net } from './support/net';

const connection = { rpc, rpcSubscriptions };

/** The CLI against the local validator (no keypair needed for views). */
async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...args, '--url', RPC_URL, '--ws', WS_URL], (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('a physical series: quoted as written, collateral sold at the strike in a crash, reclaimed pro rata after the window', async () => {
  const f = await createFixture(net, {
    deployer: await deployer(), spotUsd: 150n, barrierUsd: 90n, strikesUsd: [], physicalStrikesUsd: [100n],
    tenorSecs: 86_400n, reserveUsdc: 100_000n,
  });
  const s = f.series[0]!;
  assert.ok(s.physical && f.collateralMint);
  const w = await fundWriter(net, f, 50_000n);

  // The SDK's quote of a physical series is the program's premium, to the unit.
  const quote = await fetchWriteQuote(rpc, { series: s.address, priceUpdate: f.priceAccount, size: 40n * SOL });
  const written = await writePut(connection, { writer: w.signer, series: s.address, priceUpdate: f.priceAccount, size: 40n * SOL, minPremium: quote.premium });
  const put = await theEvent(written.signature as Signature, 'PutWritten');
  assert.equal(put.premium, quote.premium);

  // $60 held past the persistence window: the breach is confirmed.
  await net.advance(5n);
  await net.postPrice(f.priceAccount, SOL_FEED, 60n * 100_000_000n);
  await observeBreach(connection, f.payer, { vault: f.vault, priceUpdate: f.priceAccount });
  await net.advance(61n);
  await net.postPrice(f.priceAccount, SOL_FEED, 60n * 100_000_000n);
  await observeBreach(connection, f.payer, { vault: f.vault, priceUpdate: f.priceAccount });

  // The protocol sells 25 SOL of seized collateral at $100 instead of dumping it at $60.
  const seized = await net.tokenAccount(f.payer, f.collateralMint, f.protocol.address);
  await net.mintTo(f.payer, f.collateralMint, f.mintAuthority, seized, 25n * SOL);
  const delivered = await deliverCollateral(connection, f.protocol, { series: s.address, size: 25n * SOL });
  assert.equal(delivered.paid, deliveryPayment(s.strike, 25n * SOL, 9));
  const event = await theEvent(delivered.signature, 'CollateralDelivered');
  assert.deepEqual([event.size, event.paid], [25n * SOL, 2_500_000_000n]);
  assert.equal(await net.balance(f.recovery), 2_500_000_000n);
  assert.equal(await net.balance(seized), 0n);
  assert.equal((await fetchMint(rpc, (await fetchSeriesView(rpc, s.address)).data.putMint)).data.supply, 15n * SOL, 'puts burned');
  // The CLI shows the style and what was delivered, and that the vault offers delivery.
  const listed = await cli('series', 'list', f.vault);
  assert.equal(listed.code, 0, listed.err);
  assert.match(listed.out, /physical \(25 delivered\)/);
  const shown = await cli('vault', 'show', f.vault);
  assert.match(shown.out, new RegExp(`physical delivery\\s+collateral mint ${f.collateralMint}`));

  // After expiry and the grace hour the series settles without a price; the writer takes its
  // collateral and what is left of its deposit.
  await net.timeTravelTo(s.expiry + 3_601n);
  await settleSeries(connection, f.payer, { series: s.address, priceUpdate: f.priceAccount });
  assert.equal((await fetchSeriesView(rpc, s.address)).data.status, SeriesStatus.Settled);
  const writerCollateral = await net.tokenAccount(f.payer, f.collateralMint, w.signer.address);
  const quoteBefore = await net.balance(w.token);
  const back = await reclaim(connection, f.payer, { series: s.address, writer: w.signer.address });
  const reclaimed = await theEvent(back.signature, 'PositionReclaimed');
  assert.equal(reclaimed.collateralReclaimed, 25n * SOL, 'the only writer takes all the collateral');
  assert.equal(await net.balance(writerCollateral), 25n * SOL);
  assert.equal((await net.balance(w.token)) - quoteBefore, 4_000_000_000n - 2_500_000_000n, 'deposit less the quote paid');
});
