/**
 * What the MySQL driver said about a failed statement, whoever ran it: TypeORM wraps the driver's error
 * (as `driverError`), mysql2 used directly (the session pool) throws it as is.
 */
export interface DriverError {
  code?: string;
  sqlMessage?: string;
  fatal?: boolean;
}

export function driverErrorOf(err: unknown): DriverError {
  return ((err as { driverError?: unknown } | null)?.driverError ?? err ?? {}) as DriverError;
}

/** The driver's error code (`ER_DUP_ENTRY`, `ER_LOCK_DEADLOCK`, …), or undefined. */
export function dbErrorCode(err: unknown): string | undefined {
  return driverErrorOf(err).code;
}

export const isDeadlock = (err: unknown): boolean => dbErrorCode(err) === 'ER_LOCK_DEADLOCK';

/** A duplicate key, on the named unique key when one is given. */
export function isDuplicateKey(err: unknown, key?: string): boolean {
  const e = driverErrorOf(err);
  return e.code === 'ER_DUP_ENTRY' && (key === undefined || (e.sqlMessage ?? '').includes(key));
}
