// Feeds by name or id and the sponsored push-feed account each resolves to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSigner } from '@solana/kit';
import { FeedError, PYTH_FEED_IDS, feedIdToHex, feedSymbol, parseFeedId, pinnedPriceAccount, pushFeedAddress, UNPINNED, vaultPriceAccounts } from '../src/index';

test('the SOL/USD sponsored account is the one Pyth publishes (shard 0 of the push oracle)', async () => {
  // An independent reference: surfpool-core 1.7.0's Pyth scenario registry expects this address
  // for SOL/USD (src/scenarios/registry.rs, `test_pyth_price_feed_pda_derivation`).
  assert.equal(await pushFeedAddress(parseFeedId('SOL/USD')), '7UVimffxr9ow1uXYxsr4LHAcV58mLzhmwaeKvJ1pjLiE');
});

test('a feed is a symbol of the table (any case, Crypto. prefix) or 64 hex digits (0x optional)', () => {
  const sol = PYTH_FEED_IDS['SOL/USD']!;
  for (const text of ['SOL/USD', 'sol/usd', 'Crypto.SOL/USD', sol, `0x${sol}`, ` ${sol.toUpperCase()} `]) {
    assert.equal(feedIdToHex(parseFeedId(text)), sol, text);
  }
  assert.equal(feedSymbol(parseFeedId(sol)), 'SOL/USD');
  assert.equal(feedSymbol(new Uint8Array(32).fill(7)), undefined);
  for (const bad of ['DOGE/USD', '', 'ef'.repeat(31), `${sol}00`, 'zz'.repeat(32)]) {
    assert.throws(() => parseFeedId(bad), (e: unknown) => e instanceof FeedError && /unknown feed/.test(e.message), bad);
  }
});

test('shard and program change the account; a bad shard or id length is refused', async () => {
  const id = parseFeedId('BTC/USD');
  const s0 = await pushFeedAddress(id);
  const s1 = await pushFeedAddress(id, { shard: 1 });
  const other = await pushFeedAddress(id, { pushOracleProgram: (await generateKeyPairSigner()).address });
  assert.equal(new Set([s0, s1, other]).size, 3);
  assert.equal(await pushFeedAddress(id, { shard: 0 }), s0, 'shard 0 is the default');
  for (const shard of [-1, 65_536, 1.5]) {
    await assert.rejects(pushFeedAddress(id, { shard }), (e: unknown) => e instanceof FeedError && /shard/.test(e.message));
  }
  await assert.rejects(pushFeedAddress(new Uint8Array(31)), (e: unknown) => e instanceof FeedError && /32 bytes/.test(e.message));
});

test("a vault's own feeds: the stablecoin account only when the vault has a depeg feed", async () => {
  const collateralFeed = parseFeedId('SOL/USD');
  const none = await vaultPriceAccounts({ oracle: { collateralFeed, depegFeed: new Uint8Array(32) } });
  assert.equal(none.collateral, await pushFeedAddress(collateralFeed));
  assert.equal(none.depeg, undefined);
  const joint = await vaultPriceAccounts({ oracle: { collateralFeed, depegFeed: parseFeedId('USDC/USD') } }, { shard: 2 });
  assert.equal(joint.collateral, await pushFeedAddress(collateralFeed, { shard: 2 }));
  assert.equal(joint.depeg, await pushFeedAddress(parseFeedId('USDC/USD'), { shard: 2 }));
});

test('a vault that pins its price accounts is read from them; the zero address pins nothing', async () => {
  const collateralFeed = parseFeedId('SOL/USD');
  const depegFeed = parseFeedId('USDC/USD');
  const [pin, depegPin] = await Promise.all([generateKeyPairSigner(), generateKeyPairSigner()]);
  const pinned = { oracle: { collateralFeed, depegFeed, collateralPriceAccount: pin.address, depegPriceAccount: depegPin.address } };
  assert.deepEqual(await vaultPriceAccounts(pinned), { collateral: pin.address, depeg: depegPin.address });
  assert.equal(pinnedPriceAccount(pinned, 'depeg'), depegPin.address);
  const onlyCollateral = { oracle: { ...pinned.oracle, depegPriceAccount: UNPINNED } };
  assert.deepEqual(await vaultPriceAccounts(onlyCollateral), { collateral: pin.address, depeg: await pushFeedAddress(depegFeed) });
  assert.equal(pinnedPriceAccount(onlyCollateral, 'depeg'), undefined);
});
