import { ConfigError, loadConfig } from '../../src/platform/config';

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
    ['REDIS_URL', 'redis://a:1,b:2'],
    ['REDIS_URL', 'redis+cluster://127.0.0.1:99999'],
    ['REDIS_URL', 'redis+cluster://127.0.0.1:7000/3'],
    ['REDIS_CLUSTER', 'maybe'],
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

  it('reads a single Redis, a cluster seed (REDIS_CLUSTER=true) and redis+cluster:// seed lists (CONTRACT §14)', () => {
    expect(loadConfig({}).redis).toEqual({ cluster: false, nodes: [{ host: '127.0.0.1', port: 6379 }], tls: false });
    expect(loadConfig({ REDIS_URL: 'rediss://u:p%40ss@cache.example:6380/2' }).redis).toEqual({
      cluster: false,
      nodes: [{ host: 'cache.example', port: 6380 }],
      username: 'u',
      password: 'p@ss',
      db: 2,
      tls: true,
    });
    expect(loadConfig({ REDIS_URL: 'redis://10.0.0.5:7000', REDIS_CLUSTER: 'true' }).redis).toEqual({
      cluster: true,
      nodes: [{ host: '10.0.0.5', port: 7000 }],
      tls: false,
    });
    expect(loadConfig({ REDIS_URL: 'redis+cluster://:secret@10.0.0.1:7000,10.0.0.2,[::1]:7002' }).redis).toEqual({
      cluster: true,
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 6379 },
        { host: '::1', port: 7002 },
      ],
      password: 'secret',
      tls: false,
    });
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

describe('config of the guests feature (CONTRACT §1, §10, §10.3)', () => {
  it('has the contract defaults', () => {
    const c = loadConfig({ PORT: '4100' });
    expect(c.publicUrl).toBe('http://localhost:4100');
    expect(c.trustProxy).toBe(false);
    expect(c.smtpUrl).toBeNull();
    expect(c.mailFrom).toBe('Tablesync <no-reply@localhost>');
    expect(c.emailRetrySchedule).toBeNull();
    expect(c.publicRateLimitPerMinute).toBe(60);
  });

  it('reads TRUST_PROXY as Express trust-proxy values', () => {
    expect(loadConfig({ TRUST_PROXY: 'loopback' }).trustProxy).toEqual(['loopback']);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'off' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.4,::1,fd00::/8,uniquelocal' }).trustProxy).toEqual([
      '10.0.0.0/8', '192.168.1.4', '::1', 'fd00::/8', 'uniquelocal',
    ]);
  });

  it('reads SMTP_URL, MAIL_FROM, EMAIL_RETRY_SCHEDULE and PUBLIC_RATE_LIMIT_PER_MINUTE', () => {
    const c = loadConfig({
      SMTP_URL: 'smtp://u:p@mail.example.com:587', MAIL_FROM: 'The Anchor <bookings@anchor.example>',
      EMAIL_RETRY_SCHEDULE: 'base_ms=100,factor=2,max_ms=400,attempts=4', PUBLIC_RATE_LIMIT_PER_MINUTE: '600',
    });
    expect([c.smtpUrl, c.mailFrom, c.emailRetrySchedule, c.publicRateLimitPerMinute]).toEqual([
      'smtp://u:p@mail.example.com:587', 'The Anchor <bookings@anchor.example>', 'base_ms=100,factor=2,max_ms=400,attempts=4', 600,
    ]);
    expect(loadConfig({ MAIL_FROM: 'bookings@anchor.example' }).mailFrom).toBe('bookings@anchor.example');
  });

  it.each([
    ['TRUST_PROXY', 'everyone'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['TRUST_PROXY', '999.1.1.1'],
    ['SMTP_URL', 'http://mail.example.com'],
    ['SMTP_URL', 'not a url'],
    ['MAIL_FROM', 'nobody'],
    ['EMAIL_RETRY_SCHEDULE', 'soon'],
    ['EMAIL_RETRY_SCHEDULE', 'base_ms=100,attempts=0'],
    ['PUBLIC_RATE_LIMIT_PER_MINUTE', '0'],
    ['PUBLIC_RATE_LIMIT_PER_MINUTE', 'lots'],
  ])('rejects %s=%s with a message naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`Invalid env var ${name}`));
  });
});
