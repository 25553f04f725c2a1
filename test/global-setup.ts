import { randomBytes } from 'node:crypto';
import { createDataSource, ensureDatabase } from '../src/platform/db/data-source';
import { ensureWebBuild } from '../scripts/web-build';
import { startRedisCluster } from './helpers/redis-cluster';

/**
 * One database and one Redis key prefix per test run, so runs never meet. Migrations run here exactly as
 * in production (no synchronize). Jest workers inherit these variables.
 */
export default async function globalSetup(): Promise<void> {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const base = new URL(process.env.TEST_DATABASE_SERVER_URL ?? 'mysql://root@127.0.0.1:3306');
  base.pathname = `/tablesync_test_${runId}`;
  process.env.TEST_DATABASE_URL = base.toString();
  if (process.env.TEST_REDIS_CLUSTER === '1' && !process.env.TEST_REDIS_URL) {
    // `npm run test:cluster`: the same tests against a throwaway 3-master Redis Cluster (stopped in teardown).
    const cluster = await startRedisCluster();
    (globalThis as { testRedisCluster?: unknown }).testRedisCluster = cluster;
    process.env.TEST_REDIS_URL = cluster.url;
  }
  process.env.TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  process.env.TEST_REDIS_PREFIX = `ts-test-${runId}`;

  await ensureDatabase(process.env.TEST_DATABASE_URL);
  const ds = await createDataSource(process.env.TEST_DATABASE_URL, { poolSize: 1 }).initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();

  // The /app tests serve web/dist: build it here, once per run, when it is missing or older than web/.
  ensureWebBuild();
}
