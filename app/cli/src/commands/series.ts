// backstop series list <VAULT> [--price-account P | --feed F]
import { SeriesStyle, fetchChainTime, fetchOraclePrice, fetchVaultAccount, isInTheMoney, listSeries, seriesRelease } from '@backstop/sdk';
import { CliError, connect, parseAddress, type GlobalOptions } from '../context';
import { collateral, json, price, quote, time } from '../format';
import { table } from '../table';
import { PRICE_HELP, optionalPriceAccountFor } from '../price-source';

export async function seriesList(opts: GlobalOptions, positionals: string[], values: Record<string, unknown>): Promise<string> {
  if (positionals.length !== 1) throw new CliError(`usage: backstop series list <VAULT> ${PRICE_HELP}`, 2);
  const vaultAddress = parseAddress(positionals[0], 'vault');
  const { rpc } = connect(opts);
  const { data: v } = await fetchVaultAccount(rpc, vaultAddress);
  const list = await listSeries(rpc, vaultAddress, opts.programId);
  let spot: bigint | undefined;
  const priceAccount = await optionalPriceAccountFor(opts, values, v);
  if (priceAccount) {
    const now = await fetchChainTime(rpc);
    spot = (await fetchOraclePrice(rpc, v, priceAccount, now)).price;
  }
  const release = (s: (typeof list)[number]) => seriesRelease(v, s.data, spot);
  if (opts.json) {
    return json(list.map((s) => ({ address: s.address, ...s.data, settled: s.settled, escrowHeld: s.escrowHeld, release: release(s) })));
  }
  if (list.length === 0) return `vault ${vaultAddress} has no series`;
  const header = ['series', 'style', 'strike', 'expiry', 'status', 'written', 'cap', 'premium paid', 'budget', 'advanced', 'payouts', 'escrow', 'next step'];
  if (spot !== undefined) header.push('moneyness', 'still owed at expiry');
  const rows = list.map((s) => {
    const d = s.data;
    const r = release(s);
    // A physical series is exercised by the protocol's deliveries: no keeper steps, nothing owed
    // in cash at expiry.
    const physical = d.style === SeriesStyle.PhysicalDelivery;
    const row = [
      s.address, physical ? `physical (${collateral(v, d.deliveredSize)} delivered)` : 'cash', quote(v, d.strike), time(d.expiry), s.settled ? `settled @ ${price(d.settlementPrice)}` : 'open',
      collateral(v, d.writtenSize), collateral(v, d.sizeCap), quote(v, d.premiumPaid), quote(v, d.premiumBudget),
      quote(v, d.advanced), quote(v, d.payoutTotal), quote(v, s.escrowHeld),
      s.settled || physical ? '-' : r.nextStepAt === 0n ? 'no step yet' : time(r.nextStepAt),
    ];
    // What settlement at today's price would pay beyond the advances.
    if (spot !== undefined) row.push(isInTheMoney(v, d, spot) ? 'ITM' : 'OTM', s.settled || physical ? '-' : quote(v, r.stillOwedAtPrice!));
    return row;
  });
  return table(header, rows);
}
