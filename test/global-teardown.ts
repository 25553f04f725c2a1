import mysql from 'mysql2/promise';
import { Redis } from 'ioredis';
import { parseDatabaseUrl } from '../src/platform/db/data-source';

/** Drops the run's database and deletes the run's Redis keys. */
export default async function globalTeardown(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  if (url && process.env.KEEP_TEST_DB !== '1') {
    const p = parseDatabaseUrl(url);
    const conn = await mysql.createConnection({ host: p.host, port: p.port, user: p.username, password: p.password });
    await conn.query(`DROP DATABASE IF EXISTS \`${p.database}\``);
    await conn.end();
  }
  const cluster = (globalThis as { testRedisCluster?: { stop(): Promise<void> } }).testRedisCluster;
  if (cluster) return cluster.stop();
  const prefix = process.env.TEST_REDIS_PREFIX;
  if (prefix) {
    const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
    // BullMQ's keys start with the hash tag `{<prefix>:<queue>}` (jobs/queues.ts), the others with the prefix.
    for (const match of [`${prefix}*`, `{${prefix}*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.unlink(...keys);
      } while (cursor !== '0');
    }
    redis.disconnect();
  }
}
