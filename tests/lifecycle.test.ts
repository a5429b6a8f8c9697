// The main path of a backstop on the local validator, through the generated client: create a
// vault, fund it, open a series, write puts at the premium the TypeScript pricer predicts, crash
// the oracle price, confirm the breach, step at a shallow held price, step again only once a
// deeper price has held (paying the increase), expire, settle what is still owed, and reclaim —
// with every token accounted for after each step and every amount checked to the unit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSigner, lamports, type Address, type KeyPairSigner } from '@solana/kit';
import { getCreateAccountInstruction } from '@solana-program/system';
import {
  TOKEN_PROGRAM_ADDRESS,
  fetchToken,
  getInitializeAccount3Instruction,
  getInitializeMint2Instruction,
  getMintSize,
  getMintToInstruction,
  getTokenSize,
} from '@solana-program/token';
import {
  BACKSTOP_PROGRAM_ADDRESS,
  PYTH_RECEIVER_ADDRESS,
  encodePriceUpdateV2,
  SeriesStatus,
  fetchMaybeConfig,
  fetchSeries,
  fetchVault,
  parseBackstopError,
  planStep,
  quoteWrite,
  simulateObservation,
  validatePriceAccount,
  findConfigPda,
  findEscrowPda,
  findEventAuthorityPda,
  findHolderPda,
  findPositionPda,
  findPutMintPda,
  findRecoveryPda,
  findReservePda,
  findSeriesPda,
  findVaultPda,
  getCreateVaultInstructionAsync,
  getFundReserveInstruction,
  getObserveBreachInstruction,
  getOpenSeriesInstructionAsync,
  getReclaimInstruction,
  getSetPauseFlagsInstruction,
  getSettleSeriesInstruction,
  getTriggerInstruction,
  getWithdrawRecoveryInstruction,
  getWritePutInstructionAsync,
  initializeConfigInstruction,
  putPremium,
} from '../app/sdk/src/index';
import { chainTime, setAccount, startOfNextSlot, timeTravelTo } from './support/cheatcodes';
import { theEvent } from './support/events';
import { accountExists, deployer, fundedSigner, rpc, sendInstructions } from './support/localnet';

import { FIXTURE_PRICING, PRICE_ONE, SETTINGS_TIMELOCK_SECS, SOL, SOL_FEED, USDC, USDC_FEED } from '../migrations/lib/backstop-fixture';

async function newAccount(payer: KeyPairSigner, space: bigint, owner: Address): Promise<KeyPairSigner> {
  const account = await generateKeyPairSigner();
  const rent = await rpc.getMinimumBalanceForRentExemption(space).send();
  await sendInstructions(payer, [
    getCreateAccountInstruction({ payer, newAccount: account, lamports: lamports(rent), space, programAddress: owner }),
  ]);
  return account;
}

async function tokenAccount(payer: KeyPairSigner, mint: Address, owner: Address): Promise<Address> {
  const account = await newAccount(payer, BigInt(getTokenSize()), TOKEN_PROGRAM_ADDRESS);
  await sendInstructions(payer, [getInitializeAccount3Instruction({ account: account.address, mint, owner })]);
  return account.address;
}

async function balance(address: Address): Promise<bigint> {
  return (await fetchToken(rpc, address, { commitment: 'confirmed' })).data.amount;
}

async function postPrice(address: Address, feed: Uint8Array, cents: bigint, publishTime: bigint, prev?: bigint) {
  const data = encodePriceUpdateV2({
    feedId: feed, price: cents * 1_000_000n, conf: 5_000_000n, exponent: -8,
    publishTime, prevPublishTime: prev ?? publishTime - 1n,
  });
  await setAccount(address, PYTH_RECEIVER_ADDRESS, data);
}

/** assert.rejects matcher: the program refused with this error. */
const refusedWith = (name: string) => (err: unknown) => {
  assert.equal(parseBackstopError(err)?.errorName, name, String((err as Error)?.message));
  return true;
};

test('create, fund, open, write, crash, step, step deeper, expire, settle what is still owed, reclaim', async () => {
  const payer = await fundedSigner(100n);
  const [configAddress] = await findConfigPda();
  const authority = await deployer();
  const config = await fetchMaybeConfig(rpc, configAddress);
  if (!config.exists) {
    await sendInstructions(payer, [await initializeConfigInstruction({ payer, upgradeAuthority: authority, admin: authority.address })]);
  } else if (config.data.pauseFlags !== 0) {
    // An earlier suite paused writing; the admin (the deployer) lifts it.
    await sendInstructions(authority, [getSetPauseFlagsInstruction({
      admin: authority, config: configAddress, eventAuthority: await findEventAuthorityPda(), program: BACKSTOP_PROGRAM_ADDRESS, pauseFlags: 0,
    })]);
  }
  const [protocol, risk, writerA, writerB, keeper, otherKeeper] = await Promise.all([1, 2, 3, 4, 5, 6].map(() => fundedSigner(10n)));
  const reporter = await generateKeyPairSigner();
  const eventAuthority = await findEventAuthorityPda();
  const program = BACKSTOP_PROGRAM_ADDRESS;

  // A USDC-like quote mint and funded accounts.
  const mint = await newAccount(payer, BigInt(getMintSize()), TOKEN_PROGRAM_ADDRESS);
  await sendInstructions(payer, [getInitializeMint2Instruction({ mint: mint.address, decimals: 6, mintAuthority: payer.address })]);
  const quoteMint = mint.address;
  const protocolToken = await tokenAccount(payer, quoteMint, protocol.address);
  const tokenA = await tokenAccount(payer, quoteMint, writerA.address);
  const tokenB = await tokenAccount(payer, quoteMint, writerB.address);
  const keeperToken = await tokenAccount(payer, quoteMint, keeper.address);
  for (const [to, amount] of [[protocolToken, 300_000n], [tokenA, 50_000n], [tokenB, 50_000n]] as const) {
    await sendInstructions(payer, [getMintToInstruction({ mint: quoteMint, token: to, mintAuthority: payer, amount: amount * USDC })]);
  }
  const totalIn = 400_000n * USDC;

  const priceAccount = (await generateKeyPairSigner()).address;
  const depegAccount = (await generateKeyPairSigner()).address;
  const setUpAt = await chainTime();
  await postPrice(priceAccount, SOL_FEED, 15_000n, setUpAt);
  await postPrice(depegAccount, USDC_FEED, 100n, setUpAt);

  // Vault + reserve: barrier $90 held 60 s; a step per series per minute; a $5 tip for a step of
  // $100 or more; writes close 10 minutes before expiry and above 1 % confidence.
  const vault = await findVaultPda(protocol.address, quoteMint, SOL_FEED);
  const [reserve] = await findReservePda({ vault });
  const [recovery] = await findRecoveryPda({ vault });
  await sendInstructions(payer, [await getCreateVaultInstructionAsync({
    payer, authority: protocol, vault, quoteMint, reserve, recovery, eventAuthority, program,
    reporter: reporter.address, riskAuthority: risk.address, collateralDecimals: 9,
    oracle: { receiver: PYTH_RECEIVER_ADDRESS, collateralFeed: SOL_FEED, depegFeed: USDC_FEED, maxAgeSecs: 60, maxConfBps: 200 },
    trigger: {
      barrierPrice: 90n * PRICE_ONE, ratioThresholdBps: 0, maxReportAgeSecs: 0,
      jointCollateralPrice: 0n, depegPrice: 0n, persistenceSecs: 60,
    },
    pricing: FIXTURE_PRICING,
    release: {
      capPerEpoch: 1_000_000n * USDC, epochSecs: 3_600, keeperTip: 5n * USDC,
      minTipRelease: 100n * USDC, releaseIntervalSecs: 60, writeCutoffSecs: 600,
    },
    settingsTimelockSecs: SETTINGS_TIMELOCK_SECS,
  })]);
  await sendInstructions(protocol, [getFundReserveInstruction({
    funder: protocol, config: configAddress, vault, reserve, funderToken: protocolToken, quoteMint,
    eventAuthority, program, amount: 200_000n * USDC,
  })]);

  // A $100 series expiring in two hours.
  const strike = 100n * USDC;
  const expiry = setUpAt + 7_200n;
  const series = await findSeriesPda(vault, strike, expiry);
  const [escrow] = await findEscrowPda({ series });
  const [putMint] = await findPutMintPda({ series });
  const [holder] = await findHolderPda({ series });
  const svi = { a: 360_000_000n, b: 100_000_000n, rho: -500_000_000n, m: 0n, sigma: 100_000_000n };
  await sendInstructions(risk, [await getOpenSeriesInstructionAsync({
    payer: risk, riskAuthority: risk, config: configAddress, vault, reserve, series, escrow, putMint, holder, quoteMint,
    eventAuthority, program, strike, expiry, svi, sizeCap: 1_000n * SOL, premiumBudget: 50_000n * USDC,
  })]);

  const accounts = [protocolToken, reserve, recovery, escrow, tokenA, tokenB, keeperToken];
  const conserved = async (step: string) => {
    const sum = (await Promise.all(accounts.map(balance))).reduce((a, b) => a + b, 0n);
    assert.equal(sum, totalIn, `tokens conserved after ${step}`);
  };
  await conserved('set-up');

  const write = async (writer: KeyPairSigner, token: Address, size: bigint) => {
    const [position] = await findPositionPda({ series, writer: writer.address });
    return sendInstructions(writer, [await getWritePutInstructionAsync({
      writer, config: configAddress, vault, series, position, writerToken: token, reserve, escrow, putMint, holder,
      priceUpdate: priceAccount, quoteMint, eventAuthority, program, size, minPremium: 0n,
    })]);
  };
  // Writers: the premium paid equals what the TypeScript pricer predicts for this moment.
  for (const [writer, token, size] of [[writerA, tokenA, 100n * SOL], [writerB, tokenB, 40n * SOL]] as const) {
    const t = await chainTime();
    const expected = putPremium({
      spot: 150n * PRICE_ONE, strike: strike * 1_000_000n, confidence: PRICE_ONE / 20n, tenorSecs: expiry - t,
      svi, rate: 0n, confMultiplierBps: 20_000n, tailLoadingBps: 15_000n, minPremium: PRICE_ONE / 100n,
      releaseIntervalSecs: 60n, // the vault's release grid (the lookback it delivers)
    });
    const perUnitToQuote = (size * expected.premium) / (SOL * 1_000_000n);
    const before = await balance(token);
    await write(writer, token, size);
    const escrowed = (strike * size) / SOL;
    const received = (await balance(token)) - before + escrowed;
    // The clock may tick between the quote and the write: the premium can only fall with tenor.
    assert.ok(received <= perUnitToQuote && received >= (perUnitToQuote * 999n) / 1000n, `premium ${received} vs ${perUnitToQuote}`);
  }
  await conserved('writing');
  const written = 140n * SOL;
  assert.equal((await fetchSeries(rpc, series)).data.writtenSize, written);
  /** What every written unit is owed at `dollars`, in quote base units. */
  const owedAt = (dollars: bigint) => ((100n - dollars) * written * USDC) / SOL;

  const observe = () => getObserveBreachInstruction({ vault, priceUpdate: priceAccount, depegPriceUpdate: depegAccount, eventAuthority, program });
  const crank = (by: KeyPairSigner) => getTriggerInstruction({
    keeper: by, vault, series, escrow, recovery, reserve, keeperToken, priceUpdate: priceAccount,
    depegPriceUpdate: depegAccount, quoteMint, eventAuthority, program,
  });

  // Crash to $89: the first sighting. A breach pending freezes writes (the SDK says so first).
  const t0 = await chainTime();
  await postPrice(priceAccount, SOL_FEED, 8_900n, t0);
  await sendInstructions(keeper, [observe()]);
  let v = (await fetchVault(rpc, vault)).data;
  assert.equal(v.breach.firstSeen, t0);
  const open89 = (await fetchSeries(rpc, series)).data;
  const price89 = validatePriceAccount(PYTH_RECEIVER_ADDRESS, encodePriceUpdateV2({ feedId: SOL_FEED, price: 8_900_000_000n, conf: 5_000_000n, exponent: -8, publishTime: t0 }),
    { receiver: PYTH_RECEIVER_ADDRESS, feedId: SOL_FEED, maxConfBps: 200 });
  assert.throws(() => quoteWrite(v, open89, price89, t0, SOL), /WritingFrozen/);
  await assert.rejects(write(writerA, tokenA, SOL), refusedWith('WritingFrozen'));

  // Persistence elapsed, in a fresh slot of the step grid: the crank confirms and steps at the
  // held $89: $11 x 140 SOL, tipped (at least $100 released). No put token is burned.
  await timeTravelTo(t0 + 61n);
  const t1 = await startOfNextSlot(60n);
  await postPrice(priceAccount, SOL_FEED, 8_900n, t1);
  const step1 = await theEvent(await sendInstructions(keeper, [crank(keeper)]), 'CapitalReleased');
  assert.deepEqual([step1.heldPrice, step1.owed, step1.payout, step1.advanced, step1.keeperTip],
    [89n * PRICE_ONE, owedAt(89n), owedAt(89n), owedAt(89n), 5n * USDC]);
  assert.equal(await balance(recovery), owedAt(89n));
  assert.equal(await balance(keeperToken), 5n * USDC);
  assert.equal(await balance(holder), written, 'advances burn no put token');
  // Anyone may crank, but one step per series per slot of the grid.
  await assert.rejects(sendInstructions(otherKeeper, [crank(otherKeeper)]), refusedWith('ReleaseIntervalNotElapsed'));
  await conserved('the first step');

  // Next slot: $60 now, but $89 still held over the window: nothing more is owed yet.
  const t2 = await startOfNextSlot(60n);
  await postPrice(priceAccount, SOL_FEED, 6_000n, t2);
  await assert.rejects(sendInstructions(keeper, [crank(keeper)]), refusedWith('NothingToRelease'));
  // $60 holds: observations every minute keep the breach alive and slide the window past $89.
  await sendInstructions(keeper, [observe()]);
  for (const dt of [60n, 120n, 180n]) {
    await timeTravelTo(t2 + dt);
    await postPrice(priceAccount, SOL_FEED, 6_000n, t2 + dt);
    await sendInstructions(keeper, [observe()]);
  }
  const t3 = await startOfNextSlot(60n);
  await postPrice(priceAccount, SOL_FEED, 6_000n, t3);
  // The SDK's mirror predicts the step to the unit: the observation, then the ratchet.
  v = (await fetchVault(rpc, vault)).data;
  const predicted = planStep(
    simulateObservation(v, { kind: 'price', price: { ...price89, price: 60n * PRICE_ONE, publishTime: t3, prevPublishTime: t3 - 1n }, wide: false }, undefined, t3).vault,
    (await fetchSeries(rpc, series)).data, t3, { reserveBalance: await balance(reserve) },
  );
  const step2 = await theEvent(await sendInstructions(keeper, [crank(keeper)]), 'CapitalReleased');
  // The deeper step pays only the increase: $40 x 140 SOL owed, less the $11 x 140 advanced.
  assert.deepEqual([step2.heldPrice, step2.owed, step2.payout, step2.advanced, step2.keeperTip],
    [60n * PRICE_ONE, owedAt(60n), owedAt(60n) - owedAt(89n), owedAt(60n), 5n * USDC]);
  assert.deepEqual(predicted, { ok: true, step: { heldPrice: step2.heldPrice, owed: step2.owed, payout: step2.payout, tip: step2.keeperTip } });
  assert.equal(await balance(recovery), owedAt(60n));
  await conserved('the deeper step');

  // The price recovers: the breach clears, but a series that advanced takes no new writer.
  const t4 = await startOfNextSlot(60n);
  await postPrice(priceAccount, SOL_FEED, 15_000n, t4);
  await sendInstructions(keeper, [observe()]);
  v = (await fetchVault(rpc, vault)).data;
  assert.equal(v.breach.firstSeen, 0n);
  const s = (await fetchSeries(rpc, series)).data;
  assert.throws(() => quoteWrite(v, s, { ...price89, price: 150n * PRICE_ONE, publishTime: t4 }, t4, SOL), /SeriesAdvanced/);
  await assert.rejects(write(writerA, tokenA, SOL), refusedWith('SeriesAdvanced'));

  // Expiry at $45: settlement pays what is still owed, $55 x 140 SOL less the $40 x 140
  // advanced, and burns every put token.
  await timeTravelTo(expiry + 5n);
  await postPrice(priceAccount, SOL_FEED, 4_500n, expiry + 1n, expiry - 1n);
  const settled = await theEvent(await sendInstructions(keeper, [getSettleSeriesInstruction({
    vault, series, escrow, putMint, holder, recovery, priceUpdate: priceAccount, quoteMint, eventAuthority, program,
  })]), 'SeriesSettled');
  assert.deepEqual([settled.price, settled.source, settled.units, settled.payout, settled.advanced],
    [45n * PRICE_ONE, 'FirstUpdate', written, owedAt(45n) - owedAt(60n), owedAt(60n)]);
  const after = (await fetchSeries(rpc, series)).data;
  assert.equal(after.status, SeriesStatus.Settled);
  assert.equal(after.payoutTotal, owedAt(45n), 'the protocol receives max(advances, intrinsic at expiry)');
  assert.equal(await balance(holder), 0n, 'every put token burned');
  assert.equal(await balance(recovery), owedAt(45n));
  await conserved('settlement');

  // Each writer gets its escrow back less its pro-rata share of $7,700 (rounded up).
  for (const [writer, token, size] of [[writerA, tokenA, 100n * SOL], [writerB, tokenB, 40n * SOL]] as const) {
    const [position] = await findPositionPda({ series, writer: writer.address });
    const before = await balance(token);
    await sendInstructions(keeper, [getReclaimInstruction({
      vault, series, position, writer: writer.address, writerToken: token, escrow, quoteMint, eventAuthority, program,
    })]);
    const escrowed = (strike * size) / SOL;
    const share = (owedAt(45n) * size + written - 1n) / written;
    assert.equal((await balance(token)) - before, escrowed - share, 'escrow less the payout share');
    assert.equal(await accountExists(position), false, 'position closed');
  }
  await conserved('reclaim');
  assert.equal(await balance(escrow), 0n, 'shares divide evenly here: nothing left');
  v = (await fetchVault(rpc, vault)).data;
  assert.equal(v.totals.released, owedAt(45n));
  assert.equal(v.totals.tipsPaid, 10n * USDC);
  assert.equal(v.totals.committedPremium, 0n);

  // The protocol draws the released capital from the vault's recovery account.
  const protocolBefore = await balance(protocolToken);
  await sendInstructions(protocol, [getWithdrawRecoveryInstruction({
    authority: protocol, vault, recovery, destination: protocolToken, quoteMint, eventAuthority, program, amount: owedAt(45n),
  })]);
  assert.equal((await balance(protocolToken)) - protocolBefore, owedAt(45n));
  await conserved('recovery withdrawal');
});
