// backstop: the market-maker and protocol CLI, and the keeper. Exit 0 on success, 1 on a failure, 2 on bad usage.
import { parseArgs } from 'node:util';
import { parseBackstopError, NotFoundError, OracleError, QuoteError } from '@backstop/sdk';
import { vaultShow } from './commands/vault';
import { seriesList } from './commands/series';
import { positionsCommand, quoteCommand, reclaimCommand, writeCommand } from './commands/trade';
import { keeperRun } from './commands/keeper';
import { CREATE_USAGE, OPEN_USAGE, SETTINGS_USAGE, seriesOpen, vaultCreate, vaultFund, vaultSettings, vaultWithdraw } from './commands/desk';
import { FIT_USAGE, sviFit } from './commands/svi';
import { BACKTEST_HELP, BACKTEST_OPTIONS, backtestCommand } from './commands/backtest';
import { LADDER_SET_USAGE, LADDER_SHOW_USAGE, ladderSet, ladderShow } from './commands/ladder';
import { CliError, GLOBAL_OPTIONS, globalOptions, isUnreachable, type GlobalOptions } from './context';
import { PRICE_HELP, PRICE_OPTIONS } from './price-source';

type Command = (opts: GlobalOptions, positionals: string[], values: Record<string, unknown>) => Promise<string | void>;

const COMMANDS: Record<string, { run: Command; options: Record<string, { type: 'string' | 'boolean' }>; help: string }> = {
  'vault show': { run: vaultShow, options: { ...PRICE_OPTIONS }, help: `vault show <VAULT> ${PRICE_HELP}   reserve, coverage, released, breach state` },
  'vault create': {
    run: vaultCreate,
    options: {
      ...Object.fromEntries(
        ['quote-mint', 'feed', 'barrier', 'cap-per-epoch', 'collateral-mint', 'collateral-decimals', 'reporter', 'risk-authority', 'persistence', 'max-age',
          'max-conf-bps', 'keeper-tip', 'min-tip-release', 'epoch', 'release-interval', 'write-cutoff', 'timelock'].map((o) => [o, { type: 'string' as const }]),
      ),
      pin: { type: 'boolean' as const },
    },
    help: `${CREATE_USAGE.replace(/^backstop /, '')}`,
  },
  'vault settings': {
    run: vaultSettings,
    options: {
      ...Object.fromEntries(
        ['barrier', 'persistence', 'cap-per-epoch', 'keeper-tip', 'min-tip-release', 'epoch', 'release-interval', 'write-cutoff',
          'tail-loading-bps', 'write-conf-bps', 'timelock'].map((o) => [o, { type: 'string' as const }]),
      ),
      apply: { type: 'boolean' as const },
    },
    help: SETTINGS_USAGE.replace(/^backstop /, ''),
  },
  'vault fund': { run: vaultFund, options: { amount: { type: 'string' }, from: { type: 'string' } }, help: 'vault fund <VAULT> --amount X [--from TOKEN]   fund the premium reserve' },
  'vault withdraw': { run: vaultWithdraw, options: { amount: { type: 'string' }, to: { type: 'string' } }, help: 'vault withdraw <VAULT> --amount X [--to TOKEN]   take back uncommitted reserve (vault authority)' },
  'series open': {
    run: seriesOpen,
    options: {
      strike: { type: 'string' }, 'strike-pct': { type: 'string' }, expiry: { type: 'string' }, tenor: { type: 'string' },
      'size-cap': { type: 'string' }, budget: { type: 'string' }, svi: { type: 'string' }, physical: { type: 'boolean' }, ...PRICE_OPTIONS,
    },
    help: `${OPEN_USAGE.replace(/^backstop /, '')}   (risk authority)`,
  },
  'ladder set': {
    run: ladderSet,
    options: {
      tenor: { type: 'string' }, 'strikes-pct': { type: 'string' }, 'size-cap': { type: 'string' }, budget: { type: 'string' }, svi: { type: 'string' },
      tick: { type: 'string' }, overlap: { type: 'string' }, physical: { type: 'boolean' }, stop: { type: 'boolean' }, apply: { type: 'boolean' },
    },
    help: `${LADDER_SET_USAGE.replace(/^backstop /, '')}   (risk authority) continuous coverage`,
  },
  'ladder show': { run: ladderShow, options: {}, help: `${LADDER_SHOW_USAGE.replace(/^backstop /, '')}   the ladder's template and live rungs` },
  'svi fit': {
    run: sviFit,
    options: { quotes: { type: 'string' }, spot: { type: 'string' }, tenor: { type: 'string' }, rate: { type: 'string' }, vault: { type: 'string' } },
    help: `${FIT_USAGE.replace(/^backstop /, '')}   calibrate a slice to implied vols`,
  },
  backtest: {
    run: backtestCommand,
    options: BACKTEST_OPTIONS,
    help: BACKTEST_HELP,
  },
  'series list': { run: seriesList, options: { ...PRICE_OPTIONS }, help: `series list <VAULT> ${PRICE_HELP}  every series of a vault` },
  quote: { run: quoteCommand, options: { series: { type: 'string' }, size: { type: 'string' }, ...PRICE_OPTIONS }, help: `quote --series S --size N ${PRICE_HELP}  the premium a write gets now` },
  write: {
    run: writeCommand,
    options: { series: { type: 'string' }, size: { type: 'string' }, ...PRICE_OPTIONS, 'min-premium': { type: 'string' }, 'slippage-bps': { type: 'string' }, token: { type: 'string' } },
    help: `write --series S --size N ${PRICE_HELP} [--min-premium X | --slippage-bps B] [--token T]`,
  },
  positions: {
    run: positionsCommand,
    options: { writer: { type: 'string' }, ...PRICE_OPTIONS },
    help: `positions [--writer W] ${PRICE_HELP}  positions, advances, next step, reclaimable and P&L`,
  },
  reclaim: { run: reclaimCommand, options: { series: { type: 'string' }, writer: { type: 'string' }, token: { type: 'string' } }, help: 'reclaim --series S [--writer W] [--token T]  escrow back after settlement' },
  'keeper run': {
    run: keeperRun,
    options: { vault: { type: 'string' }, ...PRICE_OPTIONS, 'depeg-price-account': { type: 'string' }, 'tip-account': { type: 'string' }, 'interval-ms': { type: 'string' }, 'max-ticks': { type: 'string' }, hermes: { type: 'string' } },
    help: 'keeper run [--vault V,...] [--price-account P | --feed F] [--depeg-price-account D] [--hermes URL] [--interval-ms 2000]',
  },
};

export const USAGE = `usage: backstop <command> [options]

commands:
${Object.values(COMMANDS).map((c) => `  ${c.help}`).join('\n')}

global options:
  -u, --url URL          RPC URL (BACKSTOP_RPC_URL; default http://127.0.0.1:8899)
      --ws URL           websocket URL (BACKSTOP_WS_URL; default: the RPC port + 1)
  -k, --keypair FILE     Solana keypair file (BACKSTOP_KEYPAIR; default ~/.config/solana/id.json)
      --program-id ID    Backstop program id (BACKSTOP_PROGRAM_ID)
      --feed-shard N     shard of Pyth push-feed accounts (BACKSTOP_FEED_SHARD; default 0)
      --push-oracle-program ID
                         Pyth push-oracle program (BACKSTOP_PUSH_ORACLE_PROGRAM; default pythWSn...)
      --priority-fee auto|N
                         micro-lamports per compute unit (BACKSTOP_PRIORITY_FEE; default auto:
                         the 75th percentile of recent fees on the accounts a transaction writes)
      --max-priority-fee N
                         cap on that price (BACKSTOP_MAX_PRIORITY_FEE; default 1000000)
      --json             machine-readable output

sending: every transaction's compute-unit limit is its simulation plus 10 %; it is rebroadcast
every 2 s until confirmed and, once its blockhash has expired unseen (so it can never land), signed
again with a fresh one, three blockhashes at most

prices: without --price-account or --feed, quote, write and the keeper read the vault's own
feed from Pyth's sponsored push-feed account (the newest price, always); --feed SOL/USD (or a
64-hex feed id, or "vault") names a feed, which must be the vault's`;

/** Message for any failure, specific where we know the cause. */
export function describeError(err: unknown, opts?: GlobalOptions): { message: string; code: number } {
  if (err instanceof CliError) return { message: err.message, code: err.exitCode };
  const program = parseBackstopError(err);
  if (program) {
    const hint = program.errorName === 'SlippageExceeded' ? ' (the premium fell below your minimum: quote again or widen --slippage-bps)'
      : program.errorName === 'OperationPaused' ? ' (the admin paused this operation)' : '';
    return { message: `program error ${program.errorName} (${program.code}): ${program.message.replace(/^[^:]*: /, '')}${hint}`, code: 1 };
  }
  if (err instanceof NotFoundError || err instanceof OracleError || err instanceof QuoteError) return { message: err.message, code: 1 };
  if (isUnreachable(err)) return { message: `cannot reach the RPC at ${opts?.url ?? 'the given URL'}: is the validator running?`, code: 1 };
  return { message: (err as Error)?.message ?? String(err), code: 1 };
}

export async function main(argv: string[], out: (s: string) => void = (s) => console.log(s), err: (s: string) => void = (s) => console.error(s)): Promise<number> {
  // Options may come before the command (`backstop --url U vault show V`): find the command
  // among the positionals of a lenient parse that knows every option's arity.
  const allOptions = Object.assign({}, GLOBAL_OPTIONS, ...Object.values(COMMANDS).map((c) => c.options));
  const words = parseArgs({ args: argv, options: allOptions, allowPositionals: true, strict: false }).positionals;
  const name = [`${words[0]} ${words[1]}`, words[0]].find((n) => n in COMMANDS);
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    out(USAGE);
    return 0;
  }
  if (!name) {
    err(`error: unknown command "${words.slice(0, 2).join(' ')}"\n\n${USAGE}`);
    return 2;
  }
  const command = COMMANDS[name];
  let opts: GlobalOptions | undefined;
  try {
    const parsed = parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
    opts = globalOptions(parsed.values);
    const positionals = parsed.positionals.slice(name.split(' ').length);
    if (parsed.positionals.slice(0, name.split(' ').length).join(' ') !== name) throw new CliError(`usage: backstop ${command.help}`, 2);
    const result = await command.run(opts, positionals, parsed.values);
    if (result) out(result);
    return 0;
  } catch (e) {
    const isUsage = (e as { code?: string }).code?.startsWith?.('ERR_PARSE_ARGS');
    const d = isUsage ? { message: `${(e as Error).message}\n\n${USAGE}`, code: 2 } : describeError(e, opts);
    err(`error: ${d.message}`);
    return d.code;
  }
}
