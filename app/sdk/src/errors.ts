// Typed errors: a failed transaction's custom program error becomes a BackstopProgramError with
// the program's own name and message (from the committed IDL), so callers branch on names.
import idl from './generated/backstop/idl.json';
import { customErrorCode, errorLogs } from './tx';

export interface ProgramErrorInfo {
  code: number;
  name: string;
  msg: string;
}

/** Every program error by code, straight from the IDL (append-only on the program side). */
export const BACKSTOP_ERRORS: ReadonlyMap<number, ProgramErrorInfo> = new Map(
  (idl.errors as ProgramErrorInfo[]).map((e) => [e.code, e]),
);
const BY_NAME = new Map([...BACKSTOP_ERRORS.values()].map((e) => [e.name, e]));

export type BackstopErrorName = string;

/** Anchor's own framework errors a caller may meet (constraint failures before our checks). */
const ANCHOR_ERRORS: Record<number, string> = {
  2000: 'ConstraintMut', 2001: 'ConstraintHasOne', 2002: 'ConstraintSigner', 2003: 'ConstraintRaw',
  2004: 'ConstraintOwner', 2005: 'ConstraintRentExempt', 2006: 'ConstraintSeeds', 2011: 'ConstraintClose',
  2012: 'ConstraintAddress', 3001: 'AccountDiscriminatorNotFound', 3002: 'AccountDiscriminatorMismatch',
  3003: 'AccountDidNotDeserialize', 3004: 'AccountDidNotSerialize', 3005: 'AccountNotEnoughKeys',
  3007: 'AccountOwnedByWrongProgram', 3008: 'InvalidProgramId', 3010: 'AccountNotSigner', 3012: 'AccountNotInitialized',
};

/** A program error, named. `code` is the custom error code; `logs` are the program's logs. */
export class BackstopProgramError extends Error {
  constructor(
    readonly code: number,
    readonly errorName: string,
    message: string,
    readonly logs: string[] = [],
    options?: { cause?: unknown },
  ) {
    super(`${errorName} (${code}): ${message}`, options);
    this.name = 'BackstopProgramError';
  }
}

/** Code of a program error by its name (throws on a name the program does not have). */
export function backstopErrorCode(name: string): number {
  const e = BY_NAME.get(name);
  if (!e) throw new Error(`no program error named ${name}`);
  return e.code;
}

/** The typed error for a failed send, or null when the failure is not a program error. */
export function parseBackstopError(err: unknown): BackstopProgramError | null {
  if (err instanceof BackstopProgramError) return err;
  const code = customErrorCode(err);
  if (code === undefined) return null;
  const logs = errorLogs(err);
  const known = BACKSTOP_ERRORS.get(code);
  if (known) return new BackstopProgramError(code, known.name, known.msg, logs, { cause: err });
  const anchor = ANCHOR_ERRORS[code];
  const name = anchor ?? `Custom${code}`;
  return new BackstopProgramError(code, name, anchor ? `Anchor ${anchor}` : `custom program error ${code}`, logs, { cause: err });
}

/** True when `err` is the program error `name`. */
export function isBackstopErrorNamed(err: unknown, name: string): boolean {
  return parseBackstopError(err)?.errorName === name;
}
