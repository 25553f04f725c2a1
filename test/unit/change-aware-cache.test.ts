import { ChangeAwareCache } from '../../src/shared/change-aware-cache';

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

describe('ChangeAwareCache', () => {
  it('loads every time while it does not hear of changes, and keeps values once it does', async () => {
    const db = source({ a: '1' });
    const cache = new ChangeAwareCache(db.load, { ttlMs: 60_000, keepMisses: true });
    await cache.get('a');
    await cache.get('a');
    expect(db.calls).toBe(2);
    cache.setLive(true);
    await cache.get('a');
    db.table.a = '2';
    expect(await cache.get('a')).toBe('1');
    expect(db.calls).toBe(3);
    cache.invalidate('a');
    expect(await cache.get('a')).toBe('2');
  });

  it('keeps misses only when told to', async () => {
    for (const keepMisses of [true, false]) {
      const db = source({});
      const cache = new ChangeAwareCache(db.load, { ttlMs: 60_000, keepMisses });
      cache.setLive(true);
      expect(await cache.get('new')).toBeNull();
      db.table.new = 'created';
      expect(await cache.get('new')).toBe(keepMisses ? null : 'created');
    }
  });

  it('does not keep a load that an invalidation overtook, and empties itself when it stops hearing', async () => {
    const db = source({ a: 'old' });
    const cache = new ChangeAwareCache(db.load, { ttlMs: 60_000, keepMisses: true });
    cache.setLive(true);
    const inFlight = cache.get('a');
    cache.invalidate();
    db.table.a = 'new';
    expect(await inFlight).toBe('old');
    expect(await cache.get('a')).toBe('new');

    cache.setLive(false);
    db.table.a = 'newer';
    cache.setLive(true);
    expect(await cache.get('a')).toBe('newer');
  });

  it('expires entries after the TTL', async () => {
    const db = source({ a: '1' });
    const cache = new ChangeAwareCache(db.load, { ttlMs: 20, keepMisses: true });
    cache.setLive(true);
    await cache.get('a');
    db.table.a = '2';
    await new Promise((r) => setTimeout(r, 40));
    expect(await cache.get('a')).toBe('2');
  });
});
