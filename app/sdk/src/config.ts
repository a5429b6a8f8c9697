// The program-wide config: pause flags and the initialize_config instruction.
import type { Address, TransactionSigner } from '@solana/kit';
import { getInitializeConfigInstructionAsync, BACKSTOP_PROGRAM_ADDRESS } from './generated/backstop/index';
import { findEventAuthorityPda, findProgramDataAddress } from './pdas';
import { PYTH_RECEIVER_ADDRESS } from './pyth';
import { PYTH_PUSH_ORACLE_ADDRESS } from './feeds';

/** One bit per pausable operation (mirrors `state::pause` in the program). Breach observation,
 * solvency reports, release, settlement and reclaim can never be paused. */
export const PauseFlag = {
  CreateVault: 1 << 0,
  FundReserve: 1 << 1,
  OpenSeries: 1 << 2,
  WritePut: 1 << 3,
} as const;
export const ALL_PAUSE_FLAGS = Object.values(PauseFlag).reduce((a, b) => a | b, 0);

/** Names of the operations paused in `flags`. */
export function pausedOperations(flags: number): string[] {
  return Object.entries(PauseFlag).filter(([, bit]) => (flags & bit) !== 0).map(([name]) => name);
}

export interface InitializeConfigParams {
  payer: TransactionSigner;
  /** Must be the program's upgrade authority. */
  upgradeAuthority: TransactionSigner;
  admin: Address;
  pauseFlags?: number;
  /** The Pyth receiver whose price accounts vaults may read (default: Pyth's current one). */
  pythReceiver?: Address;
  /** Pyth's push oracle, whose sponsored accounts vaults may pin (default: Pyth's). */
  pythPushOracle?: Address;
  programAddress?: Address;
}

/** `initialize_config` with the event-CPI accounts and the ProgramData address filled in. */
export async function initializeConfigInstruction(input: InitializeConfigParams) {
  const programAddress = input.programAddress ?? BACKSTOP_PROGRAM_ADDRESS;
  return getInitializeConfigInstructionAsync(
    {
      payer: input.payer,
      upgradeAuthority: input.upgradeAuthority,
      admin: input.admin,
      pauseFlags: input.pauseFlags ?? 0,
      pythReceiver: input.pythReceiver ?? PYTH_RECEIVER_ADDRESS,
      pythPushOracle: input.pythPushOracle ?? PYTH_PUSH_ORACLE_ADDRESS,
      programData: await findProgramDataAddress(programAddress),
      eventAuthority: await findEventAuthorityPda(programAddress),
      program: programAddress,
    },
    { programAddress },
  );
}
