// backstop vault show <VAULT> [--price-account P]
import { fetchToken } from '@solana-program/token';
import { breachedTriggers, fetchChainTime, fetchOraclePrice, fetchVaultAccount, solvencyRatioBps, vaultStrength } from '@backstop/sdk';
import { CliError, connect, parseAddress, type GlobalOptions } from '../context';
import { bps, collateral, hex, json, price, quote, time } from '../format';
import { fields } from '../table';

export async function vaultShow(opts: GlobalOptions, positionals: string[], values: Record<string, unknown>): Promise<string> {
  if (positionals.length !== 1) throw new CliError('usage: backstop vault show <VAULT> [--price-account ADDRESS]', 2);
  const address = parseAddress(positionals[0], 'vault');
  const { rpc } = connect(opts);
  const { data: v } = await fetchVaultAccount(rpc, address);
  const reserve = (await fetchToken(rpc, v.reserve, { commitment: 'confirmed' })).data.amount;
  const recovery = (await fetchToken(rpc, v.recovery, { commitment: 'confirmed' })).data.amount;
  const s = vaultStrength(v);
  const priceAccount = values['price-account'] as string | undefined;
  let live: { price: bigint; ratioBps: bigint | null; breached: string[] } | undefined;
  if (priceAccount) {
    const now = await fetchChainTime(rpc);
    const p = await fetchOraclePrice(rpc, v, parseAddress(priceAccount, '--price-account'), now);
    live = { price: p.price, ratioBps: solvencyRatioBps(v, p.price), breached: breachedTriggers(v, p) };
  }
  if (opts.json) return json({ address, vault: v, strength: s, reserve, recovery, live });
  const t = v.trigger;
  const rows: [string, string][] = [
    ['vault', address],
    ['authority', v.authority],
    ['risk authority', v.riskAuthority],
    ['reporter', v.reporter],
    ['quote mint', `${v.quoteMint} (${v.quoteDecimals} decimals)`],
    ['collateral feed', `${hex(v.oracle.collateralFeed)} (${v.collateralDecimals} decimals)`],
    ['reserve', `${quote(v, reserve)} (committed ${quote(v, v.totals.committedPremium)}, uncommitted ${quote(v, reserve > v.totals.committedPremium ? reserve - v.totals.committedPremium : 0n)})`],
    ['coverage (escrowed)', quote(v, s.coverage)],
    ['premium paid', quote(v, s.premiumPaid)],
    ['released', quote(v, s.released)],
    ['recovery account', `${quote(v, recovery)} (${v.recovery})`],
    ['keeper tips paid', quote(v, v.totals.tipsPaid)],
    ['reported liabilities', s.liabilities === 0n ? 'none reported' : `${quote(v, s.liabilities)} (collateral ${collateral(v, v.report.collateralAmount)} at ${time(v.report.reportedAt)})`],
    ['coverage ratio', s.liabilities === 0n ? '-' : bps(s.coverageRatioBps)],
    ['breach', `${s.breach}${v.breach.firstSeen ? ` since ${time(v.breach.firstSeen)}` : ''}${v.breach.confirmedAt ? `, confirmed ${time(v.breach.confirmedAt)}` : ''}`],
    ['triggers', [
      t.barrierPrice > 0n ? `barrier <= ${price(t.barrierPrice)}` : '',
      t.ratioThresholdBps > 0 ? `solvency ratio < ${bps(t.ratioThresholdBps)}` : '',
      t.jointCollateralPrice > 0n ? `collateral <= ${price(t.jointCollateralPrice)} and stablecoin <= ${price(t.depegPrice)}` : '',
    ].filter(Boolean).join('; ') + `; persistence ${t.persistenceSecs} s`],
    ['release cap', `${quote(v, v.release.capPerEpoch)} per ${v.release.epochSecs} s (this epoch ${quote(v, v.releasedInEpoch)}); keeper tip ${quote(v, v.release.keeperTip)}`],
    ['series', String(v.seriesCount)],
  ];
  if (live) {
    rows.push(['oracle price', price(live.price)]);
    if (live.ratioBps !== null) rows.push(['solvency ratio now', bps(live.ratioBps)]);
    rows.push(['breached now', live.breached.length ? live.breached.join(', ') : 'no']);
  }
  return fields(rows);
}
