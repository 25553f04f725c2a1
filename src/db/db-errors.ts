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

/**
 * Runs `fn` (a whole transaction) again when InnoDB picked it as a deadlock victim or it waited too long
 * for a lock: two transactions touching the same rows in different orders (a webhook's deliveries and the
 * webhook row, say) meet now and then, and the second try goes through.
 */
export async function retryOnDeadlock<T>(fn: () => Promise<T>, tries = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const code = dbErrorCode(err);
      if (i >= tries || (code !== 'ER_LOCK_DEADLOCK' && code !== 'ER_LOCK_WAIT_TIMEOUT')) throw err;
    }
  }
}
