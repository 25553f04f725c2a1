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

/**
 * Errors that say the database itself is out of reach or cannot serve now, not that the statement is
 * wrong: refused/lost/timed-out connections, pool errors, a server shutting down or out of connections,
 * and lock waits that time out (as they do while a restarted server recovers or a backlog drains). Work
 * that meets one should wait for the database rather than count it as a failure of its own.
 */
const OUTAGE_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_CONNECTION_KILLED',
  'ER_QUERY_INTERRUPTED',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_CANT_LOCK',
  'ER_OUT_OF_RESOURCES',
]);

/** A fatal error that is still the statement's own (the server drops the connection over it). */
const OWN_FATAL_CODES = new Set(['ER_NET_PACKET_TOO_LARGE']);

export function isDatabaseUnavailable(err: unknown): boolean {
  const e = driverErrorOf(err);
  if (e.code !== undefined && OWN_FATAL_CODES.has(e.code)) return false;
  if (e.code !== undefined && OUTAGE_CODES.has(e.code)) return true;
  // mysql2 marks every connection-level failure fatal (ECONNREFUSED, ETIMEDOUT, ECONNRESET, a closed
  // connection with no code at all); the same network codes from another client (ioredis) are not ours.
  return e.fatal === true;
}
