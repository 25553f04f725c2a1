import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { ChangeAwareCache, changeVersion } from '../../src/platform/change-aware-cache';

/** A loader that counts its calls and answers from a mutable table. */
function source(initial: Record<string, string>) {
  const table = { ...initial };
  let calls = 0;
  return {
    table,
    get calls() {
      return calls;
    },
    load: async (key: string) => {
      calls++;
      return table[key] ?? null;
    },
  };
}

/** The change version as Redis would hold it; null: Redis does not answer. */
function versions(initial: string | null = 'v1') {
  const state = { current: initial };
  return { state, read: async () => state.current };
}

describe('ChangeAwareCache', () => {
  it('loads every time while the change version cannot be read, and keeps values once it can', async () => {
    const db = source({ a: '1' });
    const v = versions(null);
    const cache = new ChangeAwareCache(db.load, v.read, { ttlMs: 60_000, keepMisses: true });
    await cache.get('a');
    await cache.get('a');
    expect(db.calls).toBe(2);
    v.state.current = 'v1';
    await cache.get('a');
    db.table.a = '2';
    expect(await cache.get('a')).toBe('1');
    expect(db.calls).toBe(3);
    cache.invalidate();
    expect(await cache.get('a')).toBe('2');
  });

  it('drops what it keeps once the change version is another (a change in any process)', async () => {
    const db = source({ a: '1', b: 'x' });
    const v = versions('v1');
    const cache = new ChangeAwareCache(db.load, v.read, { ttlMs: 60_000, keepMisses: true });
    await cache.get('a');
    await cache.get('b');
    db.table.a = '2';
    db.table.b = 'y';
    expect(await cache.get('a')).toBe('1');
    v.state.current = 'v2';
    expect(await cache.get('a')).toBe('2');
    expect(await cache.get('b')).toBe('y');
    // An older version read late (a get that started before the change) drops it again, never keeps stale values.
    v.state.current = 'v1';
    db.table.a = '3';
    expect(await cache.get('a')).toBe('3');
  });

  it('keeps misses only when told to', async () => {
    for (const keepMisses of [true, false]) {
      const db = source({});
      const cache = new ChangeAwareCache(db.load, versions().read, { ttlMs: 60_000, keepMisses });
      expect(await cache.get('new')).toBeNull();
      db.table.new = 'created';
      expect(await cache.get('new')).toBe(keepMisses ? null : 'created');
    }
  });

  it('does not keep a load that an invalidation overtook', async () => {
    const db = source({ a: 'old' });
    const v = versions('v1');
    const cache = new ChangeAwareCache(db.load, v.read, { ttlMs: 60_000, keepMisses: true });
    const inFlight = cache.get('a');
    while (db.calls === 0) await Promise.resolve(); // the version was read, the load is under way
    v.state.current = 'v2';
    expect(await cache.get('b')).toBeNull(); // sees v2: drops everything, the load in flight included
    db.table.a = 'new';
    expect(await inFlight).toBe('old');
    expect(await cache.get('a')).toBe('new');
  });

  it('expires entries after the TTL', async () => {
    const db = source({ a: '1' });
    const cache = new ChangeAwareCache(db.load, versions().read, { ttlMs: 20, keepMisses: true });
    await cache.get('a');
    db.table.a = '2';
    await new Promise((r) => setTimeout(r, 40));
    expect(await cache.get('a')).toBe('2');
  });
});

describe('changeVersion (the change version in a real Redis)', () => {
  const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  let redis: Redis;
  let other: Redis;
  let gets = 0;
  /** The commands client, counting the GETs it is asked for. */
  let counted: Redis;
  beforeAll(() => {
    redis = new Redis(url, { enableAutoPipelining: true });
    other = new Redis(url);
    counted = new Proxy(redis, {
      get(target, prop, receiver) {
        if (prop === 'get') return (...args: Parameters<Redis['get']>) => (gets++, target.get(...args));
        return Reflect.get(target, prop, receiver);
      },
    });
  });
  afterAll(async () => {
    await redis.quit();
    await other.quit();
  });

  it('reads the version once for all the lookups of one event-loop turn, and again in the next turn', async () => {
    const key = `test:changes:${randomUUID()}`;
    await other.set(key, 'v1');
    const read = changeVersion(counted, key);
    gets = 0;
    const versions = await Promise.all(Array.from({ length: 20 }, () => read()));
    expect(versions).toEqual(Array(20).fill('v1'));
    expect(gets).toBe(1);
    expect(await read()).toBe('v1');
    expect(gets).toBe(2);
    await other.del(key);
  });

  it('lets a lookup asked for after a change was written see it, whatever was read before', async () => {
    const key = `test:changes:${randomUUID()}`;
    const read = changeVersion(counted, key);
    const first = read(); // a missing key is given a version
    await other.set(key, 'v2'); // the change has answered
    expect(await read()).toBe('v2');
    expect(await first).toMatch(/^(v2|[0-9a-f-]{36})$/);
    await other.set(key, 'v3');
    expect(await Promise.all([read(), read()])).toEqual(['v3', 'v3']);
    await other.del(key);
  });
});
