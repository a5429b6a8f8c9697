// Quote-unit conversions, integer for integer with programs/backstop/src/units.rs (same roundings:
// what enters an escrow rounds up, what leaves an escrow or the reserve rounds down).
/** Decimals of the pricing engine's `PRICE_SCALE` (1e-12): oracle prices and per-unit premiums. */
export const PRICE_DECIMALS = 12;

const pow10 = (n: number): bigint => 10n ** BigInt(n);
const U64_MAX = (1n << 64n) - 1n;

function toU64(v: bigint, what: string): bigint {
  if (v < 0n || v > U64_MAX) throw new RangeError(`${what} does not fit in u64`);
  return v;
}

function quoteGap(quoteDecimals: number): number {
  if (quoteDecimals > PRICE_DECIMALS) throw new RangeError('quote mint has more than 12 decimals');
  return PRICE_DECIMALS - quoteDecimals;
}

/** Strike (quote base units per whole collateral unit) in `PRICE_SCALE` units. */
export function strikeToPrice(strike: bigint, quoteDecimals: number): bigint {
  return toU64(strike * pow10(quoteGap(quoteDecimals)), 'strike price');
}

/** `PRICE_SCALE` price as quote base units per whole collateral unit, rounded down. */
export function priceToQuote(price: bigint, quoteDecimals: number): bigint {
  return price / pow10(quoteGap(quoteDecimals));
}

/** Escrow for `size` collateral base units at `strike`: `ceil(strike * size / 10^cd)`. */
export function escrowFor(strike: bigint, size: bigint, collateralDecimals: number): bigint {
  const den = pow10(collateralDecimals);
  return toU64((strike * size + den - 1n) / den, 'escrow');
}

/** Quote base units a physical delivery of `size` is paid at `strike`, rounded down (Rust
 * `units::delivery_payment`). */
export function deliveryPayment(strike: bigint, size: bigint, collateralDecimals: number): bigint {
  return toU64((strike * size) / pow10(collateralDecimals), 'delivery payment');
}

/** A per-unit `PRICE_SCALE` amount times `size`, in quote base units, rounded down. */
export function quoteAmountDown(perUnit: bigint, size: bigint, collateralDecimals: number, quoteDecimals: number): bigint {
  return toU64((perUnit * size) / pow10(collateralDecimals + quoteGap(quoteDecimals)), 'quote amount');
}

/** Intrinsic value `(K - S)+ * size`, quote base units, rounded down. */
export function intrinsicFor(strikePrice: bigint, spot: bigint, size: bigint, collateralDecimals: number, quoteDecimals: number): bigint {
  const perUnit = strikePrice > spot ? strikePrice - spot : 0n;
  return quoteAmountDown(perUnit, size, collateralDecimals, quoteDecimals);
}

/** A whole-unit decimal string (e.g. "1.5") as base units; rejects more decimals than allowed. */
export function parseUnits(text: string, decimals: number): bigint {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) throw new Error(`not a non-negative decimal number: "${text}"`);
  const frac = m[2] ?? '';
  if (frac.length > decimals) throw new Error(`"${text}" has more than ${decimals} decimals`);
  return BigInt(m[1]) * pow10(decimals) + BigInt(frac.padEnd(decimals, '0') || '0');
}

/** Base units as a whole-unit decimal string with trailing zeros trimmed (`maxFraction` cuts). */
export function formatUnits(amount: bigint, decimals: number, maxFraction = decimals): string {
  const neg = amount < 0n;
  const abs = neg ? -amount : amount;
  const whole = abs / pow10(decimals);
  let frac = (abs % pow10(decimals)).toString().padStart(decimals, '0').slice(0, maxFraction).replace(/0+$/, '');
  const out = frac ? `${whole}.${frac}` : `${whole}`;
  return neg ? `-${out}` : out;
}

/** `PRICE_SCALE` price as a decimal string. */
export function formatPrice(price: bigint, maxFraction = 4): string {
  return formatUnits(price, PRICE_DECIMALS, maxFraction);
}

