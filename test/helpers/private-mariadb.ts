import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { createDataSource, ensureDatabase } from '../../src/platform/db/data-source';
import { freePort } from './private-redis';
import { waitFor } from './wait-for';

/**
 * A private, throwaway mariadbd on its own datadir and loopback port, for outage tests: the shared
 * MariaDB is never stopped. `stop()` kills it (SIGKILL: an outage, not a shutdown), `start()` brings the
 * same datadir back (InnoDB recovers the committed data), `destroy()` kills it and removes the datadir.
 */
export interface PrivateMariaDb {
  port: number;
  /** mysql://root@127.0.0.1:<port>/<database>, with the schema migrated. */
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

const MARIADBD = process.env.MARIADBD ?? '/usr/sbin/mariadbd';
const INSTALL_DB = process.env.MARIADB_INSTALL_DB ?? 'mariadb-install-db';

export async function startPrivateMariaDb(database = 'tablesync_private'): Promise<PrivateMariaDb> {
  const dir = mkdtempSync(join(tmpdir(), 'tablesync-mariadb-'));
  const datadir = join(dir, 'data');
  await promisify(execFile)(INSTALL_DB, [
    '--no-defaults', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db',
  ]);
  const port = await freePort();
  let child: ChildProcess | null = null;

  const start = async (): Promise<void> => {
    const args = [
      '--no-defaults', `--datadir=${datadir}`, `--port=${port}`, `--socket=${join(dir, 'mysqld.sock')}`,
      '--bind-address=127.0.0.1', `--pid-file=${join(dir, 'mysqld.pid')}`, `--log-error=${join(dir, 'error.log')}`,
      '--skip-log-bin', '--skip-name-resolve', '--innodb-buffer-pool-size=64M', '--max-connections=200',
      ...(process.getuid?.() === 0 ? ['--user=root'] : []),
    ];
    child = spawn(MARIADBD, args, { stdio: 'ignore' });
    await waitFor(async () => {
      try {
        const conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1000 });
        await conn.end();
        return true;
      } catch {
        return false;
      }
    }, { what: 'private mariadbd', timeoutMs: 30_000 });
  };

  const stop = async (): Promise<void> => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };

  await start();
  const url = `mysql://root@127.0.0.1:${port}/${database}`;
  await ensureDatabase(url);
  const ds = await createDataSource(url, { poolSize: 1 }).initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();

  return {
    port,
    url,
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
