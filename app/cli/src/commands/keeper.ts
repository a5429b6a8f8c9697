// backstop keeper run: ticks until SIGINT/SIGTERM, then stops cleanly (exit 0).
import { CliError, connect, parseAddress, signer, type GlobalOptions } from '../context';
import { Keeper } from '../keeper';
import { feedAccountOf, feedOptions } from '../price-source';

export async function keeperRun(opts: GlobalOptions, positionals: string[], values: Record<string, unknown>): Promise<void> {
  if (positionals.length > 0) throw new CliError(`unexpected argument ${positionals[0]}`, 2);
  if (values['price-account'] !== undefined && values.feed !== undefined) throw new CliError('give --price-account or --feed, not both', 2);
  // A flag wins over the environment.
  const priceText = (values['price-account'] as string | undefined) ?? (values.feed === undefined ? process.env.BACKSTOP_PRICE_ACCOUNT : undefined);
  // --feed names the collateral feed of every watched vault; each vault's own is the default.
  const feedAccount = values.feed === undefined || values.feed === 'vault' ? undefined : await feedAccountOf(values.feed as string, opts);
  const interval = Number(values['interval-ms'] ?? 2000);
  const maxTicks = values['max-ticks'] === undefined ? Infinity : Number(values['max-ticks']);
  if (!Number.isInteger(interval) || interval < 100) throw new CliError('--interval-ms must be an integer >= 100', 2);
  if (maxTicks !== Infinity && (!Number.isInteger(maxTicks) || maxTicks < 1)) throw new CliError('--max-ticks must be a positive integer', 2);
  const hermes = values.hermes as string | undefined;
  if (hermes !== undefined && !/^https?:\/\/[^/]/.test(hermes)) throw new CliError(`--hermes must be an http(s) URL, got "${hermes}"`, 2);
  const connection = connect(opts);
  const stamp = () => new Date().toISOString();
  connection.sender = {
    ...connection.sender,
    onEvent: (e) => {
      if (e.kind === 'expired') console.log(`${stamp()} ${e.signature} expired unconfirmed after ${e.sends} sends: signing it again with a fresh blockhash`);
    },
  };
  const keeper = new Keeper({
    connection,
    keeper: await signer(opts),
    vaults: ((values.vault as string | undefined) ?? '').split(',').filter(Boolean).map((v) => parseAddress(v, '--vault')),
    priceAccount: priceText !== undefined ? parseAddress(priceText, '--price-account') : feedAccount,
    feeds: feedOptions(opts),
    hermes: hermes ? { url: hermes } : undefined,
    depegPriceAccount: values['depeg-price-account'] ? parseAddress(values['depeg-price-account'] as string, '--depeg-price-account') : undefined,
    tipAccount: values['tip-account'] ? parseAddress(values['tip-account'] as string, '--tip-account') : undefined,
    programAddress: opts.programId,
  });
  // Check the RPC once up front: a keeper that cannot reach it should say so, not spin.
  await connect(opts).rpc.getSlot().send();
  const stop = new AbortController();
  const onSignal = (sig: string) => () => {
    console.log(`${new Date().toISOString()} ${sig}: finishing the current tick`);
    stop.abort();
  };
  process.once('SIGINT', onSignal('SIGINT'));
  process.once('SIGTERM', onSignal('SIGTERM'));
  await keeper.run(stop.signal, interval, maxTicks);
}
