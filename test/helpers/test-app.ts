import { randomBytes } from 'node:crypto';
import supertest from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { compose, type Composed } from '../../src/composition-root';
import { loadConfig, type Config } from '../../src/platform/config';
import { createLogger } from '../../src/platform/logger';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** Environment for the run's database and a per-app Redis prefix (so queues of two test files never meet). */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const dbUrl = process.env.TEST_DATABASE_URL;
  const prefix = process.env.TEST_REDIS_PREFIX;
  if (!dbUrl || !prefix) throw new Error('Run tests through jest (global setup sets TEST_DATABASE_URL)');
  return {
    NODE_ENV: 'test',
    DATABASE_URL: dbUrl,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `${prefix}-${randomBytes(4).toString('hex')}`,
    ADMIN_TOKEN,
    HOST: '127.0.0.1',
    ENCRYPTION_KEY: 'a'.repeat(64),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WEBHOOK_RETRY_SCHEDULE: 'base_ms=100,factor=2,max_ms=400,attempts=4,jitter=0',
    // Staff passwords: argon2id at a tiny cost, so signing in takes no time in tests.
    PASSWORD_HASH_MEMORY_KIB: '256',
    PASSWORD_HASH_ITERATIONS: '1',
    ...overrides,
  };
}

export interface TestApp {
  composed: Composed;
  config: Config;
  /** supertest against the app (no listening port needed). */
  http: TestAgent;
  admin: (method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string) => supertest.Test;
  stop: () => Promise<void>;
}

/** Composes the real app (ROLE=all by default) against the run's database and a fresh Redis prefix. */
export async function startTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig(testEnv(overrides));
  const composed = await compose(config, { logger: createLogger(config.logLevel) });
  if (!composed.app) throw new Error('startTestApp needs ROLE all or api');
  const http = supertest(composed.app);
  return {
    composed,
    config,
    http,
    admin: (method, path) => http[method](path).set('Authorization', `Bearer ${ADMIN_TOKEN}`),
    stop: () => composed.stop(),
  };
}

/** Unique slugs/names so test files sharing the run's database never collide. */
export function uniq(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
