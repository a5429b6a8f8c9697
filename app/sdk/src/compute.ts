// Compute-unit limits per instruction, from the measured table (docs/COMPUTE_UNITS.md, made by
// scripts/bench.sh) plus headroom; app/sdk/test/compute.test.ts fails when a measured value
// outgrows its limit. A limit near the need keeps fees low and lets a transaction also carry a
// Pyth update.
import type { Address, Instruction } from '@solana/kit';

export const COMPUTE_BUDGET_PROGRAM_ADDRESS =
  'ComputeBudget111111111111111111111111111111' as Address<'ComputeBudget111111111111111111111111111111'>;

/** Headroom over the measured need, percent. */
export const COMPUTE_HEADROOM_PERCENT = 30;

/** Measured compute units per instruction (whole transaction, worst case measured). */
export const MEASURED_COMPUTE_UNITS = {
  // The max column of docs/COMPUTE_UNITS.md (15 scenarios; settle also at 1-10,000 writers),
  // rounded up: PDA bump searches (~1,500 CU per extra try) make the instructions that create
  // PDAs vary with the keys.
  create_vault: 49_500,
  fund_reserve: 13_500,
  withdraw_reserve: 12_500,
  open_series: 107_000,
  // Continuous coverage (docs/DESIGN.md section 7c): both validate the SVI slice as
  // open_series does; a roll also reads the oracle and creates the series' four accounts.
  set_ladder: 81_500,
  roll_series: 135_000,
  write_put: 49_000,
  observe_breach: 8_500,
  report_solvency: 13_000,
  trigger: 32_000,
  // Not in the table's life cycle: trigger's work plus a copy of the vault (its cost by CPI is
  // in the table's CPI section); tests/try-release.test.ts checks a real send fits.
  try_release: 37_000,
  // Physical delivery series (docs/DESIGN.md section 7b).
  deliver_collateral: 46_000,
  settle_series: 25_000,
  // A physical series' reclaim also returns collateral (its row in the table is the larger).
  reclaim: 27_000,
  close_series: 19_000,
} as const;
export type MeteredInstruction = keyof typeof MEASURED_COMPUTE_UNITS;

/** The limit to request for a transaction made of these instructions. */
export function computeUnitLimit(...names: MeteredInstruction[]): number {
  const need = names.reduce((sum, n) => sum + MEASURED_COMPUTE_UNITS[n], 0);
  return Math.ceil((need * (100 + COMPUTE_HEADROOM_PERCENT)) / 100) + 1_000;
}

/** ComputeBudget SetComputeUnitLimit (discriminator 2, u32 units). */
export function setComputeUnitLimitInstruction(units: number): Instruction {
  if (!Number.isInteger(units) || units <= 0 || units > 1_400_000) throw new RangeError(`invalid compute-unit limit ${units}`);
  const data = new Uint8Array(5);
  data[0] = 2;
  new DataView(data.buffer).setUint32(1, units, true);
  return { programAddress: COMPUTE_BUDGET_PROGRAM_ADDRESS, accounts: [], data };
}

/** ComputeBudget SetComputeUnitPrice (discriminator 3, u64 micro-lamports per CU). */
export function setComputeUnitPriceInstruction(microLamports: bigint): Instruction {
  if (microLamports < 0n || microLamports >= 1n << 64n) throw new RangeError('invalid compute-unit price');
  const data = new Uint8Array(9);
  data[0] = 3;
  new DataView(data.buffer).setBigUint64(1, microLamports, true);
  return { programAddress: COMPUTE_BUDGET_PROGRAM_ADDRESS, accounts: [], data };
}
