// PDAs whose seeds include instruction arguments (the generated client cannot derive them).
import { getAddressEncoder, getI64Encoder, getProgramDerivedAddress, getU64Encoder, type Address } from '@solana/kit';
import { BACKSTOP_PROGRAM_ADDRESS } from './generated/backstop/index';

/** `["vault", authority, quote_mint, collateral_feed]`. */
export async function findVaultPda(authority: Address, quoteMint: Address, collateralFeed: Uint8Array): Promise<Address> {
  const enc = getAddressEncoder();
  const [pda] = await getProgramDerivedAddress({
    programAddress: BACKSTOP_PROGRAM_ADDRESS,
    seeds: ['vault', enc.encode(authority), enc.encode(quoteMint), collateralFeed],
  });
  return pda;
}

/** `["series", vault, strike_le, expiry_le]`. */
export async function findSeriesPda(vault: Address, strike: bigint, expiry: bigint): Promise<Address> {
  const [pda] = await getProgramDerivedAddress({
    programAddress: BACKSTOP_PROGRAM_ADDRESS,
    seeds: ['series', getAddressEncoder().encode(vault), getU64Encoder().encode(strike), getI64Encoder().encode(expiry)],
  });
  return pda;
}
