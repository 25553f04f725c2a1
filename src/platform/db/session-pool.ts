/**
 * Connections for hot transactions that send several statements per round trip (the booking writer's
 * diary transaction, the inbound worker's batches). Every statement a transaction sends costs a round trip, and on the booking path
 * round trips, not SQL, are what a request costs: this pool lets a transaction send the statements it
 * already knows together (`run`), the COMMIT riding along with the last writes.
 *
 * The pool has the DataSource's own settings (taken from its driver) plus `multipleStatements`. Only
 * statements built in code with `?` parameters ever run on it; the same holds for the EntityManager a
 * session offers for the rare paths (it sends one statement per round trip, on the same connection and
 * transaction). A transaction holds one connection of this pool and never takes a second connection
 * (neither from here nor from the DataSource's pool) while it is open. One exception: the outbox relay's
 * pass (events/relay.ts), whose subscribers write on the DataSource's pool while it holds its claim. That
 * cannot deadlock the pools: it is one connection of this pool per relay, and nothing that holds a
 * DataSource connection waits for one of these.
 */
import mysql from 'mysql2';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { driverErrorOf } from './db-errors';
import { runCommitHooks, takeCommitHooks, type CommitHook } from './after-commit';

/** One SQL statement with its `?` parameters. */
export interface SqlStatement {
  sql: string;
  params: unknown[];
  /**
   * A read whose rows cannot differ between two copies sent in one round trip (nothing sent with it
   * writes what it reads): sharedRuns sends it once for everyone who asked.
   */
  sameInRoundTrip?: boolean;
  /** Runs once the transaction that sent the statement has committed (after-commit.ts). */
  afterCommit?: CommitHook;
}

/** Connections at most per process (opened when needed, beside the DataSource's pool of 20). */
export const SESSION_POOL_SIZE = 24;

type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ';

/** One transaction on a connection of the pool. */
export interface SqlTransaction {
  /**
   * Sends the statements in one round trip and resolves with each one's result (the rows, for a SELECT).
   * The first round trip of the transaction also carries its start. When a statement fails, the ones
   * after it do not run and the promise rejects with the driver's error.
   */
  run(statements: readonly SqlStatement[]): Promise<unknown[]>;
  /** Statements sent together with the COMMIT, in order, once the work has resolved. */
  beforeCommit(statements: readonly SqlStatement[]): void;
  /** A TypeORM EntityManager on the same connection and transaction (one statement per round trip). */
  readonly em: EntityManager;
}

/** The isolation level each connection's session is set to. */
const sessionLevel = new WeakMap<object, IsolationLevel>();

type Callback = (err: unknown, result?: unknown) => void;
interface RawConnection {
  query(sql: string, params: unknown[], cb: Callback): void;
  release(): void;
  destroy(): void;
  on(event: 'error', listener: (err: Error) => void): void;
}

function send(conn: RawConnection, sql: string, params: unknown[] = []): Promise<unknown> {
  return new Promise((resolve, reject) => {
    conn.query(sql, params, (err, result) => (err ? reject(err as Error) : resolve(result)));
  });
}

export class SessionPool {
  private pool: mysql.Pool | null = null;

  /** @param size connections at most (opened when needed); callers beyond it wait in line. */
  constructor(
    private readonly dataSource: DataSource,
    private readonly size: number,
  ) {}

  private getPool(): mysql.Pool {
    if (this.pool) return this.pool;
    const driver = this.dataSource.driver as unknown as {
      options: unknown;
      createConnectionOptions(options: unknown, credentials: unknown): Record<string, unknown>;
    };
    const options = driver.createConnectionOptions(driver.options, driver.options);
    // No `trace`: a stack trace captured per query costs more than it tells; errors carry message and code.
    const pool = mysql.createPool({
      ...options, connectionLimit: this.size, maxIdle: this.size, multipleStatements: true, trace: false,
    } as mysql.PoolOptions);
    // A lost connection surfaces on its next query (and is destroyed then); never as an unhandled event.
    pool.on('connection', (conn) => conn.on('error', () => undefined));
    this.pool = pool;
    return pool;
  }

  private acquire(): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      this.getPool().getConnection((err, conn) => (err ? reject(err) : resolve(conn as unknown as RawConnection)));
    });
  }

  /**
   * Runs `work` in one transaction at `isolation` and commits when it resolves (with the statements it
   * queued for the commit); rolls back when it throws. The transaction starts with the first round trip.
   */
  async transaction<T>(isolation: IsolationLevel, work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    const conn = await this.acquire();
    const dataSource = this.dataSource;
    let begun = false;
    let reusable = true;
    let queryRunner: QueryRunner | null = null;
    const atCommit: SqlStatement[] = [];
    const hooks = new Set<CommitHook>();
    // The level is set on the session once (these connections serve only this class's transactions), so
    // most transactions start with START TRANSACTION alone. autocommit is off as well: should the server
    // end the transaction by itself (a deadlock victim is rolled back whole), a statement still on its
    // way opens a new transaction that the ROLLBACK discards, instead of committing on its own.
    const start: SqlStatement[] = [
      ...(sessionLevel.get(conn) === isolation
        ? []
        : [{ sql: 'SET SESSION autocommit = 0', params: [] }, { sql: `SET SESSION TRANSACTION ISOLATION LEVEL ${isolation}`, params: [] }]),
      { sql: 'START TRANSACTION', params: [] },
    ];

    const runAll = async (statements: readonly SqlStatement[]): Promise<unknown[]> => {
      const prefix = begun ? [] : start;
      begun = true;
      const all = [...prefix, ...statements];
      if (all.length === 0) return [];
      for (const s of statements) if (s.afterCommit) hooks.add(s.afterCommit);
      const result = await send(conn, all.map((s) => s.sql).join(';\n'), all.flatMap((s) => s.params));
      if (prefix.length) sessionLevel.set(conn, isolation);
      // One statement comes back as its result, several as an array of results.
      return all.length === 1 ? [result] : (result as unknown[]).slice(prefix.length);
    };

    const tx: SqlTransaction = {
      run: runAll,
      beforeCommit(statements) {
        atCommit.push(...statements);
      },
      get em(): EntityManager {
        if (!queryRunner) {
          queryRunner = dataSource.createQueryRunner('master');
          // The runner uses this connection (connect() returns it) inside this transaction.
          Object.assign(queryRunner, { databaseConnection: conn, isTransactionActive: true });
          const query = queryRunner.query.bind(queryRunner);
          queryRunner.query = (async (sql: string, params?: unknown[], structured?: boolean) => {
            if (!begun) await runAll([]);
            return query(sql, params, structured as true);
          }) as QueryRunner['query'];
        }
        return queryRunner.manager;
      },
    };

    try {
      const result = await work(tx);
      if (begun || atCommit.length) await runAll([...atCommit, { sql: 'COMMIT', params: [] }]);
      runCommitHooks([...hooks, ...takeCommitHooks(queryRunner)], dataSource);
      return result;
    } catch (err) {
      if (begun) await send(conn, 'ROLLBACK').catch(() => (reusable = false));
      // A statement's error leaves the connection fine; a lost connection (fatal) does not.
      if (driverErrorOf(err).fatal) reusable = false;
      throw err;
    } finally {
      if (reusable) conn.release();
      else conn.destroy();
    }
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    if (pool) await new Promise<void>((resolve) => pool.end(() => resolve()));
  }
}

/**
 * A view of `tx` for several pieces of work running at once in it (booking-writer.ts): their run() calls
 * made in the same turn of the event loop go in one round trip, each getting its own results back; a
 * `sameInRoundTrip` statement asked for more than once in it is sent once. Once a round trip fails, every
 * later run() fails too: the transaction is to be rolled back, whatever else its pieces try.
 */
export function sharedRuns(tx: SqlTransaction): SqlTransaction {
  type Waiting = { statements: readonly SqlStatement[]; resolve: (r: unknown[]) => void; reject: (e: unknown) => void };
  let waiting: Waiting[] = [];
  let failed: { error: unknown } | null = null;

  const flush = async (): Promise<void> => {
    const batch = waiting;
    waiting = [];
    const sent: SqlStatement[] = [];
    const once = new Map<string, number>();
    const positions = batch.map((w) => w.statements.map((s) => {
      const key = s.sameInRoundTrip ? `${s.sql}\u0000${JSON.stringify(s.params)}` : null;
      const at = key === null ? undefined : once.get(key);
      if (at !== undefined) return at;
      if (key !== null) once.set(key, sent.length);
      sent.push(s);
      return sent.length - 1;
    }));
    try {
      const results = failed ? Promise.reject(failed.error) : tx.run(sent);
      const all = await results;
      batch.forEach((w, i) => w.resolve(positions[i]!.map((p) => all[p])));
    } catch (error) {
      failed ??= { error };
      for (const w of batch) w.reject(error);
    }
  };

  return {
    run(statements) {
      if (failed) return Promise.reject(failed.error);
      return new Promise((resolve, reject) => {
        // The first caller of this turn schedules the round trip; the others of the turn join it.
        if (waiting.length === 0) setImmediate(() => void flush());
        waiting.push({ statements, resolve, reject });
      });
    },
    beforeCommit: (statements) => tx.beforeCommit(statements),
    get em() {
      return tx.em;
    },
  };
}
