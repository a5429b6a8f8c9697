// backstop vault show <VAULT> [--price-account P | --feed F]
import { fetchToken } from '@solana-program/token';
import { DEFAULT_ADDRESS, breachedTriggers, fetchChainTime, fetchReading, fetchVaultAccount, priceBand, releaseCapLeft, solvencyRatioBps, triggerVerdict, vaultStrength, type Verdict } from '@backstop/sdk';
import { CliError, connect, parseAddress, type GlobalOptions } from '../context';
import { bps, collateral, hex, json, price, quote, time } from '../format';
import { fields } from '../table';
import { PRICE_HELP, optionalPriceAccountFor } from '../price-source';

export async function vaultShow(opts: GlobalOptions, positionals: string[], values: Record<string, unknown>): Promise<string> {
  if (positionals.length !== 1) throw new CliError(`usage: backstop vault show <VAULT> ${PRICE_HELP}`, 2);
  const address = parseAddress(positionals[0], 'vault');
  const { rpc } = connect(opts);
  const { data: v } = await fetchVaultAccount(rpc, address);
  const reserve = (await fetchToken(rpc, v.reserve, { commitment: 'confirmed' })).data.amount;
  const recovery = (await fetchToken(rpc, v.recovery, { commitment: 'confirmed' })).data.amount;
  const now = await fetchChainTime(rpc);
  const s = vaultStrength(v, now);
  const priceAccount = await optionalPriceAccountFor(opts, values, v);
  // Read as an observation reads it: a stale update says nothing, a wide one is a band.
  let live: { price: bigint; conf: bigint; wide: boolean; ratioBps: bigint | null; verdict: Verdict; breached: string[] } | 'no information' | undefined;
  if (priceAccount) {
    const r = await fetchReading(rpc, v, priceAccount, now);
    if (r.kind === 'none') live = 'no information';
    else {
      const p = r.price;
      // The joint trigger's stablecoin leg is not read here: it counts as unknown.
      const verdict = triggerVerdict(v, priceBand(p, r.wide), p.publishTime, null);
      live = { price: p.price, conf: p.conf, wide: r.wide, ratioBps: solvencyRatioBps(v, p.price), verdict, breached: breachedTriggers(v, p) };
    }
  }
  if (opts.json) return json({ address, vault: v, strength: s, reserve, recovery, live, now });
  const t = v.trigger;
  const r = v.release;
  const b = v.breach;
  const rows: [string, string][] = [
    ['vault', address],
    ['authority', v.authority],
    ['risk authority', v.riskAuthority],
    ['reporter', v.reporter],
    ['quote mint', `${v.quoteMint} (${v.quoteDecimals} decimals)`],
    ['physical delivery', v.collateralMint === DEFAULT_ADDRESS ? 'not offered (cash series only)' : `collateral mint ${v.collateralMint}`],
    ['collateral feed', `${hex(v.oracle.collateralFeed)} (${v.collateralDecimals} decimals)`],
    ['reserve', `${quote(v, reserve)} (committed ${quote(v, v.totals.committedPremium)}, uncommitted ${quote(v, reserve > v.totals.committedPremium ? reserve - v.totals.committedPremium : 0n)})`],
    ['coverage (escrowed)', quote(v, s.coverage)],
    ['premium paid', quote(v, s.premiumPaid)],
    ['released', quote(v, s.released)],
    ['recovery account', `${quote(v, recovery)} (${v.recovery})`],
    ['keeper tips paid', quote(v, v.totals.tipsPaid)],
    ['reported liabilities', s.liabilities === 0n ? 'none reported' : `${quote(v, s.liabilities)} (collateral ${collateral(v, v.report.collateralAmount)} at ${time(v.report.reportedAt)})`],
    ['coverage ratio', s.liabilities === 0n ? '-' : bps(s.coverageRatioBps)],
    ['breach', `${s.breach}${b.firstSeen ? ` since ${time(b.firstSeen)}` : ''}${b.confirmedAt ? `, confirmed ${time(b.confirmedAt)}` : ''}` +
      `${b.firstSeen ? `, last seen breached ${time(b.lastBreached)}` : ''}`],
    ['held price', s.heldPrice === null ? '-' : `${price(s.heldPrice)} (highest seen over the breach window: what a release step pays at)`],
    ['triggers', [
      t.barrierPrice > 0n ? `barrier <= ${price(t.barrierPrice)}` : '',
      t.ratioThresholdBps > 0 ? `solvency ratio < ${bps(t.ratioThresholdBps)}` : '',
      t.jointCollateralPrice > 0n ? `collateral <= ${price(t.jointCollateralPrice)} and stablecoin <= ${price(t.depegPrice)}` : '',
    ].filter(Boolean).join('; ') + `; persistence ${t.persistenceSecs} s`],
    ['release cap', `${quote(v, r.capPerEpoch)} per ${r.epochSecs} s (left now ${quote(v, releaseCapLeft(v, now))})`],
    ['release steps', `at most one per series every ${r.releaseIntervalSecs} s; keeper tip ${quote(v, r.keeperTip)} for a step of ${quote(v, r.minTipRelease)} or more`],
    ['writes', `close ${r.writeCutoffSecs} s before expiry; refused above ${bps(v.pricing.writeConfBps)} confidence`],
    ['last price', v.lastPrice.publishTime === 0n ? '-' : `${price(v.lastPrice.price)} at ${time(v.lastPrice.publishTime)} (settlement price of last resort)`],
    ['series', String(v.seriesCount)],
  ];
  if (live === 'no information') rows.push(['oracle price', 'no information (stale or non-positive update)']);
  else if (live) {
    rows.push(['oracle price', `${price(live.price)}${live.wide ? ` ± ${price(live.conf)} (wider than the cap: read as a band)` : ''}`]);
    if (live.ratioBps !== null) rows.push(['solvency ratio now', bps(live.ratioBps)]);
    rows.push(['breached now', live.verdict === 'unknown' ? 'undecided' : live.breached.length ? live.breached.join(', ') : 'no']);
  }
  return fields(rows);
}
