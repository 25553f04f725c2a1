import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { SaleLock } from '../../src/modules/partners/edge/sale-lock';
import { freePort, startRedis, stopRedis } from '../helpers/private-redis';
import { startHubApp, type HubApp } from '../helpers/partner';
import { uniq } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';

describe('sale lock (per partner and sale id, owner = event id)', () => {
  let t: HubApp;
  let lock: SaleLock;
  beforeAll(async () => {
    t = await startHubApp();
    lock = new SaleLock(t.composed.deps.redis, t.config.redisPrefix, 300);
  });
  afterAll(() => t.stop());

  it('takes several sales all-or-nothing', async () => {
    const [a, b] = [uniq('S'), uniq('S')];
    expect(await lock.arrive('pos', [b], 'evt_b', 'reject')).toBe('acquired');
    expect(await lock.arrive('pos', [a, b], 'evt_ab', 'reject')).toBe('held');
    // Nothing of the refused event stays behind: a is still free.
    expect(await lock.holder('pos', a)).toBeNull();
    expect(await lock.arrive('pos', [a], 'evt_a', 'reject')).toBe('acquired');
  });

  it('releases only for its owner (compare-and-delete)', async () => {
    const s = uniq('S');
    await lock.arrive('pos', [s], 'evt_owner', 'reject');
    await lock.release('pos', [s], 'evt_other');
    expect(await lock.holder('pos', s)).toBe('evt_owner');
    await lock.release('pos', [s], 'evt_owner');
    expect(await lock.holder('pos', s)).toBeNull();
  });

  it('expires by itself when its holder never releases it (a dead worker)', async () => {
    const s = uniq('S');
    await lock.arrive('pos', [s], 'evt_dead', 'reject');
    await waitFor(async () => (await lock.holder('pos', s)) === null, { what: 'the lock to expire', timeoutMs: 3000 });
    expect(await lock.arrive('pos', [s], 'evt_next', 'reject')).toBe('acquired');
  });

  it('extends only what its owner holds', async () => {
    const s = uniq('S');
    await lock.arrive('pos', [s], 'evt_1', 'reject');
    expect(await lock.extend('pos', [s], 'evt_2', 60_000)).toBe(0);
    expect(await lock.extend('pos', [s], 'evt_1', 60_000)).toBe(1);
    expect(await t.composed.deps.redis.pttl(`${t.config.redisPrefix}:lock:sale:{pos}:${s}`)).toBeGreaterThan(1000);
  });

  it('lines events up in arrival order and hands the sale to the first in line only', async () => {
    const s = uniq('S');
    expect(await lock.arrive('pos', [s], 'evt_1', 'queue')).toBe('acquired');
    expect(await lock.arrive('pos', [s], 'evt_2', 'queue')).toBe('waiting');
    expect(await lock.arrive('pos', [s], 'evt_3', 'queue')).toBe('waiting');
    expect(await lock.claim('pos', [s], 'evt_3')).toEqual({ claimed: false, blocker: 'evt_1', blockerTtlMs: expect.any(Number) });
    expect(await lock.release('pos', [s], 'evt_1')).toEqual(['evt_2']);
    // Free, but evt_2 is first in line: evt_3 (and a newcomer in reject mode) must wait.
    expect(await lock.claim('pos', [s], 'evt_3')).toEqual({ claimed: false, blocker: 'evt_2', blockerTtlMs: null });
    expect(await lock.arrive('pos', [s], 'evt_4', 'reject')).toBe('held');
    expect(await lock.claim('pos', [s], 'evt_2')).toEqual({ claimed: true });
    expect(await lock.release('pos', [s], 'evt_2')).toEqual(['evt_3']);
    expect(await lock.claim('pos', [s], 'evt_3')).toEqual({ claimed: true });
    expect(await lock.release('pos', [s], 'evt_3')).toEqual([]);
    expect(await lock.arrive('pos', [s], 'evt_5', 'reject')).toBe('acquired');
  });

  it('releases several owners in one call, each owner-checked, with the next in line of each', async () => {
    const [a, b, c] = [uniq('S'), uniq('S'), uniq('S')];
    expect(await lock.arrive('pos', [a], 'evt_a', 'queue')).toBe('acquired');
    expect(await lock.arrive('pos', [a], 'evt_a2', 'queue')).toBe('waiting');
    expect(await lock.arrive('pos', [b, c], 'evt_bc', 'queue')).toBe('acquired');
    expect(await lock.arrive('pos', [c], 'evt_c2', 'queue')).toBe('waiting');
    const heads = await lock.releaseMany([
      { partner: 'pos', saleIds: [a], owner: 'evt_a' },
      { partner: 'pos', saleIds: [], owner: 'evt_none' },
      { partner: 'pos', saleIds: [b, c], owner: 'evt_bc' },
      // Not the holder: nothing is freed for it.
      { partner: 'pos', saleIds: [a], owner: 'evt_other' },
    ]);
    expect(heads).toEqual([['evt_a2'], [], ['evt_c2'], ['evt_a2']]);
    expect(await lock.holder('pos', a)).toBeNull();
    expect(await lock.holder('pos', b)).toBeNull();
    expect(await lock.claim('pos', [a], 'evt_a2')).toEqual({ claimed: true });
    expect(await lock.releaseMany([{ partner: 'pos', saleIds: [a], owner: 'evt_other' }])).toEqual([[]]);
    expect(await lock.holder('pos', a)).toBe('evt_a2');
    expect(await lock.releaseMany([])).toEqual([]);
  });

  it('arrivals made together (one auto-pipelined write) keep their order', async () => {
    const s = uniq('S');
    // Same turn of the event loop: one write, answered in arrival order.
    const results = await Promise.all(['evt_1', 'evt_2', 'evt_3', 'evt_4'].map((owner) => lock.arrive('pos', [s], owner, 'queue')));
    expect(results).toEqual(['acquired', 'waiting', 'waiting', 'waiting']);
    expect(await lock.release('pos', [s], 'evt_1')).toEqual(['evt_2']);
    const rejecting = await Promise.all(['evt_5', 'evt_6'].map((owner) => lock.arrive('pos', [uniq('S'), s], owner, 'reject')));
    expect(rejecting).toEqual(['held', 'held']);
  });

  it('an arrival that fails in Redis fails alone, not the others sent with it', async () => {
    const [bad, good] = [uniq('S'), uniq('S')];
    // A waiting list that is not a list: LLEN answers WRONGTYPE for this sale only.
    await t.composed.deps.redis.set(`${t.config.redisPrefix}:lock:sale-waiting:{pos}:${bad}`, 'not a list');
    const [failed, acquired] = await Promise.allSettled([
      lock.arrive('pos', [bad], 'evt_bad', 'reject'),
      lock.arrive('pos', [good], 'evt_good', 'reject'),
    ]);
    expect(failed).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringContaining('WRONGTYPE') }) });
    expect(acquired).toEqual({ status: 'fulfilled', value: 'acquired' });
    expect(await lock.holder('pos', good)).toBe('evt_good');
  });
});

describe('sale lock after Redis forgot its scripts (SCRIPT FLUSH, a restart)', () => {
  let server: ChildProcess;
  let redis: Redis;
  beforeAll(async () => {
    const port = await freePort();
    server = await startRedis(port);
    redis = new Redis({ port, enableAutoPipelining: true });
  });
  afterAll(async () => {
    redis.disconnect();
    await stopRedis(server);
  });

  it('sends the script source again, also for arrivals sent together', async () => {
    const lock = new SaleLock(redis, 'p', 60_000);
    const [a, b] = [uniq('S'), uniq('S')];
    expect(await lock.arrive('pos', [a], 'evt_1', 'reject')).toBe('acquired');
    await redis.script('FLUSH');
    const results = await Promise.all([
      lock.arrive('pos', [a], 'evt_2', 'reject'),
      lock.arrive('pos', [b], 'evt_3', 'reject'),
      lock.arrive('pos', [b], 'evt_4', 'reject'),
    ]);
    expect(results).toEqual(['held', 'acquired', 'held']);
    expect(await lock.holder('pos', b)).toBe('evt_3');
  });
});
