// The main path of a backstop on the local validator, through the generated client: create a
// vault, fund it, open a series, write puts at the premium the TypeScript pricer predicts, crash
// the oracle price, confirm the breach, release, expire, settle and reclaim — with every token
// accounted for after each step.
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
  fetchMaybeConfig,
  fetchSeries,
  fetchVault,
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
  getFundReserveInstructionAsync,
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
import { chainTime, setAccount, timeTravelTo } from './support/cheatcodes';
import { accountExists, deployer, fundedSigner, rpc, sendInstructions } from './support/localnet';

import { PRICE_ONE, SOL, SOL_FEED, USDC, USDC_FEED } from '../migrations/lib/backstop-fixture';

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

test('create, fund, open, write, crash, confirm, release, expire, settle, reclaim', async () => {
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
  const [protocol, risk, writerA, writerB, keeper] = await Promise.all([1, 2, 3, 4, 5].map(() => fundedSigner(10n)));
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
  let now = await chainTime();
  await postPrice(priceAccount, SOL_FEED, 15_000n, now);
  await postPrice(depegAccount, USDC_FEED, 100n, now);

  // Vault + reserve.
  const vault = await findVaultPda(protocol.address, quoteMint, SOL_FEED);
  const [reserve] = await findReservePda({ vault });
  const [recovery] = await findRecoveryPda({ vault });
  const pricing = { confMultiplierBps: 20_000, tailLoadingBps: 15_000, minPremium: PRICE_ONE / 100n, rate: 0n };
  await sendInstructions(payer, [await getCreateVaultInstructionAsync({
    payer, authority: protocol, vault, quoteMint, reserve, recovery, eventAuthority, program,
    reporter: reporter.address, riskAuthority: risk.address, collateralDecimals: 9,
    oracle: { receiver: PYTH_RECEIVER_ADDRESS, collateralFeed: SOL_FEED, depegFeed: USDC_FEED, maxAgeSecs: 60, maxConfBps: 200 },
    trigger: {
      barrierPrice: 90n * PRICE_ONE, ratioThresholdBps: 0, maxReportAgeSecs: 0,
      jointCollateralPrice: 0n, depegPrice: 0n, persistenceSecs: 60,
    },
    pricing,
    release: { capPerEpoch: 1_000_000n * USDC, epochSecs: 3_600, keeperTip: 5n * USDC },
  })]);
  await sendInstructions(protocol, [await getFundReserveInstructionAsync({
    funder: protocol, config: configAddress, vault, reserve, funderToken: protocolToken, quoteMint,
    eventAuthority, program, amount: 200_000n * USDC,
  })]);

  // A $100 series expiring in two hours.
  const strike = 100n * USDC;
  const expiry = now + 7_200n;
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

  // Writers: the premium paid equals what the TypeScript pricer predicts for this moment.
  for (const [writer, token, size] of [[writerA, tokenA, 100n * SOL], [writerB, tokenB, 40n * SOL]] as const) {
    const t = await chainTime();
    const expected = putPremium({
      spot: 150n * PRICE_ONE, strike: strike * 1_000_000n, confidence: PRICE_ONE / 20n, tenorSecs: expiry - t,
      svi, rate: 0n, confMultiplierBps: 20_000n, tailLoadingBps: 15_000n, minPremium: PRICE_ONE / 100n,
    });
    const perUnitToQuote = (size * expected.premium) / (SOL * 1_000_000n);
    const before = await balance(token);
    const [position] = await findPositionPda({ series, writer: writer.address });
    await sendInstructions(writer, [await getWritePutInstructionAsync({
      writer, config: configAddress, vault, series, position, writerToken: token, reserve, escrow, putMint, holder,
      priceUpdate: priceAccount, quoteMint, eventAuthority, program, size, minPremium: 0n,
    })]);
    const escrowed = (strike * size) / SOL;
    const received = (await balance(token)) - before + escrowed;
    // The clock may tick between the quote and the write: the premium can only fall with tenor.
    assert.ok(received <= perUnitToQuote && received >= (perUnitToQuote * 999n) / 1000n, `premium ${received} vs ${perUnitToQuote}`);
  }
  await conserved('writing');
  assert.equal((await fetchSeries(rpc, series)).data.writtenSize, 140n * SOL);

  // Crash to $85: first sighting, then confirmation 61 s later with the release.
  now = await chainTime();
  await postPrice(priceAccount, SOL_FEED, 8_500n, now);
  await postPrice(depegAccount, USDC_FEED, 100n, now);
  const observe = () => getObserveBreachInstruction({ vault, priceUpdate: priceAccount, depegPriceUpdate: depegAccount, eventAuthority, program });
  await sendInstructions(keeper, [observe()]);
  assert.notEqual((await fetchVault(rpc, vault)).data.breach.firstSeen, 0n);
  await timeTravelTo(now + 61n);
  now = await chainTime();
  await postPrice(priceAccount, SOL_FEED, 8_500n, now);
  await sendInstructions(keeper, [getTriggerInstruction({
    keeper, vault, series, escrow, putMint, holder, recovery, reserve, keeperToken, priceUpdate: priceAccount,
    depegPriceUpdate: depegAccount, quoteMint, eventAuthority, program,
  })]);
  assert.equal(await balance(recovery), 15n * 140n * USDC, '($100 - $85) x 140 SOL released');
  assert.equal(await balance(keeperToken), 5n * USDC);
  await conserved('release');

  // Expiry and settlement (everything was exercised), then both writers reclaim.
  await timeTravelTo(expiry + 5n);
  await postPrice(priceAccount, SOL_FEED, 9_000n, expiry + 1n, expiry - 1n);
  await sendInstructions(keeper, [getSettleSeriesInstruction({
    vault, series, escrow, putMint, holder, recovery, priceUpdate: priceAccount, quoteMint, eventAuthority, program,
  })]);
  assert.equal((await fetchSeries(rpc, series)).data.status, 1); // Settled
  for (const [writer, token] of [[writerA, tokenA], [writerB, tokenB]] as const) {
    const [position] = await findPositionPda({ series, writer: writer.address });
    await sendInstructions(keeper, [getReclaimInstruction({
      vault, series, position, writer: writer.address, writerToken: token, escrow, quoteMint, eventAuthority, program,
    })]);
    assert.equal(await accountExists(position), false, 'position closed');
  }
  await conserved('reclaim');
  assert.ok((await balance(escrow)) <= 2n, 'only rounding dust left in the escrow');
  const v = (await fetchVault(rpc, vault)).data;
  assert.equal(v.totals.released, 2_100n * USDC);
  assert.equal(v.totals.committedPremium, 0n);

  // The protocol draws the released capital from the vault's recovery account.
  const protocolBefore = await balance(protocolToken);
  await sendInstructions(protocol, [getWithdrawRecoveryInstruction({
    authority: protocol, vault, recovery, destination: protocolToken, quoteMint, eventAuthority, program, amount: 2_100n * USDC,
  })]);
  assert.equal((await balance(protocolToken)) - protocolBefore, 2_100n * USDC);
  await conserved('recovery withdrawal');
});
