import { ChangeAwareCache } from '../../src/platform/change-aware-cache';

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
