// Program-derived addresses that the generated client does not resolve by itself.
import { getAddressEncoder, getProgramDerivedAddress, type Address } from '@solana/kit';
import { BACKSTOP_PROGRAM_ADDRESS } from './generated/backstop/index';

/** The BPF upgradeable loader, owner of every upgradeable program's ProgramData account. */
export const BPF_LOADER_UPGRADEABLE_ADDRESS =
  'BPFLoaderUpgradeab1e11111111111111111111111' as Address<'BPFLoaderUpgradeab1e11111111111111111111111'>;

/** The all-zero key (the system program's address): a Pubkey field left at its default, e.g.
 * a series a ladder rung never rolled, a vault without a collateral mint, a pin not set. */
export const DEFAULT_ADDRESS = '11111111111111111111111111111111' as Address<'11111111111111111111111111111111'>;

/** Signer PDA of Anchor's `emit_cpi!` self-invocation (seeds = ["__event_authority"]). */
export async function findEventAuthorityPda(programAddress: Address = BACKSTOP_PROGRAM_ADDRESS): Promise<Address> {
  const [pda] = await getProgramDerivedAddress({ programAddress, seeds: ['__event_authority'] });
  return pda;
}

/** ProgramData account of an upgradeable program (holds its upgrade authority). */
export async function findProgramDataAddress(programAddress: Address = BACKSTOP_PROGRAM_ADDRESS): Promise<Address> {
  const [pda] = await getProgramDerivedAddress({
    programAddress: BPF_LOADER_UPGRADEABLE_ADDRESS,
    seeds: [getAddressEncoder().encode(programAddress)],
  });
  return pda;
}
