import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { Redis } from 'ioredis';
import { createDataSource, ensureDatabase, parseDatabaseUrl } from '../src/platform/db/data-source';

/**
 * A throwaway database and Redis prefix for one benchmark, so benches never touch real data and clean up
 * after themselves. Uses the same server as the tests (127.0.0.1 by default; BENCH_DATABASE_SERVER_URL overrides).
 */
export interface BenchEnv {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export async function createBenchEnv(name: string): Promise<BenchEnv> {
  const id = `${name.replace(/[^a-z0-9]/g, '')}_${randomBytes(3).toString('hex')}`;
  const server = new URL(process.env.BENCH_DATABASE_SERVER_URL ?? 'mysql://root@127.0.0.1:3306');
  server.pathname = `/tablesync_bench_${id}`;
  const databaseUrl = server.toString();
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisPrefix = `ts-bench-${id}`;
  await ensureDatabase(databaseUrl);
  const ds = await createDataSource(databaseUrl, { poolSize: 1 }).initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
  return {
    databaseUrl,
    redisUrl,
    redisPrefix,
    env: {
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: redisPrefix,
      ADMIN_TOKEN: 'bench-admin-token-123456',
      ENCRYPTION_KEY: 'b'.repeat(64),
      LOG_LEVEL: 'silent',
      WEBHOOK_ALLOW_PRIVATE: 'true',
    },
    async cleanup() {
      const p = parseDatabaseUrl(databaseUrl);
      const conn = await mysql.createConnection({ host: p.host, port: p.port, user: p.username, password: p.password });
      await conn.query(`DROP DATABASE IF EXISTS \`${p.database}\``);
      await conn.end();
      const redis = new Redis(redisUrl);
      // The app's BullMQ keys start with a hash tag (`{<prefix>:<queue>}`, for Redis Cluster), the rest with the prefix.
      for (const pattern of [`${redisPrefix}*`, `{${redisPrefix}*`]) {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          cursor = next;
          if (keys.length) await redis.unlink(...keys);
        } while (cursor !== '0');
      }
      redis.disconnect();
    },
  };
}

/** One benchmark's figures: the real path beside its lean reference, measured in the same run. */
export interface BenchResult {
  name: string;
  unit: string;
  real: number;
  reference: number;
  /** real / reference for throughput; for latency benches, reference / real. */
  ratio: number;
  aim: string;
  extra?: Record<string, number | string>;
}

export function printResult(r: BenchResult): void {
  const extra = r.extra ? ' ' + Object.entries(r.extra).map(([k, v]) => `${k}=${v}`).join(' ') : '';
  console.log(`${r.name}: real ${r.real.toFixed(1)} ${r.unit}, reference ${r.reference.toFixed(1)} ${r.unit}, ratio ${r.ratio.toFixed(2)} (aim ${r.aim})${extra}`);
}

/** The middle value (the mean of the middle two for an even count): what rounds of a noisy bench report. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * CPU time of this process (every thread: the roles it runs and their mapping threads) and of the database
 * server (read from /proc; shared with whatever else uses it), so that a round can be told per event as well as
 * per second: on a machine shared with other work the rate moves by 2× while the CPU an event costs moves far less.
 */
export interface CpuSample {
  nodeUs: number;
  dbTicks: number | null;
}

let dbPid: number | null | undefined;

function databasePid(): number | null {
  if (dbPid !== undefined) return dbPid;
  dbPid = null;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
        if (comm === 'mariadbd' || comm === 'mysqld') {
          dbPid = Number(entry);
          break;
        }
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    // no /proc: no database figure
  }
  return dbPid;
}

export function cpuNow(): CpuSample {
  const own = process.cpuUsage();
  const pid = databasePid();
  let dbTicks: number | null = null;
  if (pid !== null) {
    try {
      // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      dbTicks = Number(fields[11]) + Number(fields[12]);
    } catch {
      dbTicks = null;
    }
  }
  return { nodeUs: own.user + own.system, dbTicks };
}

/** CPU milliseconds per event between two samples (the database's at 100 ticks a second). */
export function cpuPerEvent(from: CpuSample, to: CpuSample, events: number): { node_ms: number; db_ms: number | null } {
  return {
    node_ms: (to.nodeUs - from.nodeUs) / 1000 / events,
    db_ms: from.dbTicks !== null && to.dbTicks !== null ? ((to.dbTicks - from.dbTicks) * 10) / events : null,
  };
}
