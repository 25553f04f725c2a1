import { ConfigError, loadConfig } from '../../src/config';

describe('config', () => {
  it('applies the contract defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBe('mysql://root@127.0.0.1:3306/tablesync');
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.port).toBe(3000);
    expect(c.role).toBe('all');
    expect(c.adminToken).toBeNull();
    expect(c.webhookAllowPrivate).toBe(false);
    expect(c.encryptionKey).toHaveLength(32);
    expect(c.workerConcurrency).toBe(64);
    expect(c.webhookConcurrency).toBe(100);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['ROLE', 'both'],
    ['DATABASE_URL', 'postgres://x/y'],
    ['DATABASE_URL', 'not a url'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['ENCRYPTION_KEY', 'short'],
    ['LOG_LEVEL', 'loud'],
    ['WEBHOOK_ALLOW_PRIVATE', 'maybe'],
    ['ADMIN_TOKEN', 'abc'],
    ['WORKER_CONCURRENCY', '0'],
    ['WEBHOOK_CONCURRENCY', 'many'],
  ])('rejects %s=%s with a message naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`Invalid env var ${name}`));
  });

  it('reads the mapping limits, with defaults and bounds', () => {
    const d = loadConfig({});
    expect([d.mappingTimeoutMs, d.mappingMaxOutputBytes]).toEqual([1000, 1024 * 1024]);
    expect(d.mappingThreads).toBeGreaterThanOrEqual(1);
    const c = loadConfig({ MAPPING_TIMEOUT_MS: '250', MAPPING_MAX_OUTPUT_BYTES: '65536', MAPPING_THREADS: '3' });
    expect([c.mappingTimeoutMs, c.mappingMaxOutputBytes, c.mappingThreads]).toEqual([250, 65536, 3]);
    for (const [name, value] of [['MAPPING_TIMEOUT_MS', '5'], ['MAPPING_MAX_OUTPUT_BYTES', '1k'], ['MAPPING_THREADS', '0']]) {
      expect(() => loadConfig({ [name!]: value })).toThrow(new RegExp(`Invalid env var ${name}`));
    }
  });

  it('requires ENCRYPTION_KEY in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/ENCRYPTION_KEY/);
  });

  it('accepts ENCRYPTION_KEY as 64 hex digits or base64 of 32 bytes', () => {
    const hex = 'ab'.repeat(32);
    expect(loadConfig({ ENCRYPTION_KEY: hex }).encryptionKey.toString('hex')).toBe(hex);
    const b64 = Buffer.alloc(32, 9).toString('base64');
    expect(loadConfig({ ENCRYPTION_KEY: b64 }).encryptionKey.equals(Buffer.alloc(32, 9))).toBe(true);
  });
});
