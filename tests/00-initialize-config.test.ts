// initialize_config end to end on the local validator: RPC + websocket confirmation, the account
// as stored, the emitted event, and the exact errors of the rejected calls.
// Named 00- so it runs first: the config is a singleton, created here on a fresh validator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getBase58Encoder, type Signature } from '@solana/kit';
import {
  BACKSTOP_ERROR__NOT_UPGRADE_AUTHORITY,
  BACKSTOP_PROGRAM_ADDRESS,
  PauseFlag,
  decodeEventInstructionData,
  fetchConfig,
  findConfigPda,
  initializeConfigInstruction,
} from '../app/sdk/src/index';
import {
  accountExists,
  customErrorCode,
  deployer,
  errorLogs,
  fundedSigner,
  rpc,
  sendInstructions,
} from './support/localnet';

/** Anchor's ErrorCode::AccountNotSigner. */
const ANCHOR_ACCOUNT_NOT_SIGNER = 3010;

async function eventsOf(signature: Signature) {
  const tx = await rpc
    .getTransaction(signature, { commitment: 'confirmed', encoding: 'json', maxSupportedTransactionVersion: 0 })
    .send();
  assert.ok(tx?.meta, 'transaction is found with its meta');
  const inner = tx.meta.innerInstructions ?? [];
  return inner
    .flatMap((group) => group.instructions)
    .map((ix) => decodeEventInstructionData(Uint8Array.from(getBase58Encoder().encode(ix.data))))
    .filter((e) => e !== null);
}

// The config is a singleton: the tests below run in order against one fresh validator.
test('the program is deployed and executable on the local validator', async () => {
  const { value } = await rpc.getAccountInfo(BACKSTOP_PROGRAM_ADDRESS, { encoding: 'base64' }).send();
  assert.ok(value, 'program account exists');
  assert.equal(value.executable, true);
});

test('a non-signer upgrade authority is rejected with AccountNotSigner', async () => {
  const payer = await fundedSigner();
  const authority = await deployer();
  const ix = await initializeConfigInstruction({ payer, upgradeAuthority: authority, admin: payer.address });
  // Keep the authority's account but drop its signature: downgrade the meta to read-only.
  const unsigned = { ...ix, accounts: ix.accounts.map((a, i) => (i === 1 ? { address: a.address, role: 0 } : a)) };
  await assert.rejects(sendInstructions(payer, [unsigned as typeof ix]), (err) => {
    assert.equal(customErrorCode(err), ANCHOR_ACCOUNT_NOT_SIGNER, `logs: ${errorLogs(err).join('\n')}`);
    return true;
  });
  assert.equal(await accountExists(await findConfigPda().then(([a]) => a)), false);
});

test('a signer that is not the upgrade authority is rejected with NotUpgradeAuthority', async () => {
  const payer = await fundedSigner();
  const impostor = await fundedSigner();
  const ix = await initializeConfigInstruction({ payer, upgradeAuthority: impostor, admin: impostor.address });
  await assert.rejects(sendInstructions(payer, [ix]), (err) => {
    assert.equal(customErrorCode(err), BACKSTOP_ERROR__NOT_UPGRADE_AUTHORITY, `logs: ${errorLogs(err).join('\n')}`);
    return true;
  });
});

test('the upgrade authority initializes the config; it is stored and announced', async () => {
  const payer = await fundedSigner();
  const authority = await deployer();
  // The deployer stays admin so later suites can lift the pause.
  const admin = authority.address;
  const ix = await initializeConfigInstruction({ payer, upgradeAuthority: authority, admin, pauseFlags: PauseFlag.WritePut });
  const signature = await sendInstructions(payer, [ix]);

  const [configAddress, bump] = await findConfigPda();
  const config = await fetchConfig(rpc, configAddress, { commitment: 'confirmed' });
  assert.equal(config.data.admin, admin);
  assert.equal(config.data.pauseFlags, PauseFlag.WritePut);
  assert.equal(config.data.bump, bump);
  assert.equal(config.programAddress, BACKSTOP_PROGRAM_ADDRESS);

  const events = await eventsOf(signature);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.name, 'ConfigInitialized');
  assert.equal(events[0]!.data.config, configAddress);
  assert.equal(events[0]!.data.admin, admin);
  assert.equal(events[0]!.data.pauseFlags, PauseFlag.WritePut);
});

test('a second initialize is rejected (account already in use) and changes nothing', async () => {
  const payer = await fundedSigner();
  const authority = await deployer();
  const [configAddress] = await findConfigPda();
  const before = await fetchConfig(rpc, configAddress, { commitment: 'confirmed' });
  const ix = await initializeConfigInstruction({ payer, upgradeAuthority: authority, admin: payer.address });
  await assert.rejects(sendInstructions(payer, [ix]), (err) => {
    // System program error 0 (AccountAlreadyInUse), raised by Anchor's `init` create_account CPI.
    assert.equal(customErrorCode(err), 0);
    assert.ok(errorLogs(err).some((l) => l.includes('already in use')), errorLogs(err).join('\n'));
    return true;
  });
  const after = await fetchConfig(rpc, configAddress, { commitment: 'confirmed' });
  assert.deepEqual(after.data, before.data);
});
