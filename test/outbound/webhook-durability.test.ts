import { Queue } from 'bullmq';
import mysql from 'mysql2';
import type { BackgroundProcess } from '../../src/platform/jobs/background-process';
import { outboxStatement, writeOutbox, type OutboxEntry } from '../../src/modules/outbox/outbox';
import { compose, type Composed } from '../../src/composition-root';
import { loadConfig } from '../../src/platform/config';
import { retryScheduleOf } from '../../src/modules/webhooks/deliver-webhook.worker';
import {
  relayOutboxBatch, requeueStrandedDeliveries, startOutboxRelay, type OutboxSubscriber, type RelayDeps, type RelayOptions,
} from '../../src/modules/events/relay';
import { SUBSCRIBERS } from '../../src/modules/events/subscribers';
import { queuePrefix } from '../../src/platform/jobs/queues';
import { createLogger } from '../../src/platform/logger';
import { createApiKey, createVenue } from '../helpers/fixtures';
import { startTestApp, testEnv, type TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';
import {
  bearer, createOwnDatabase, deliveriesOf, deliveryOf, freePort, registerWebhook, startReceiver, writeEvent, type Receiver,
} from './outbound-helpers';

/**
 * "Never lose an event": the API role alone writes and registers (no relay, no worker), so each test
 * decides when worker-role processes exist. They share the API app's database and Redis prefix, as
 * separate processes in production would.
 */
describe('outbound webhooks: nothing is lost', () => {
  let db: { url: string; drop: () => Promise<void> };
  let api: TestApp;
  let venueId: string;
  let key: string;
  const workers: Composed[] = [];
  const receivers: Receiver[] = [];
  const ds = () => api.composed.deps.dataSource;

  async function startWorker(): Promise<Composed> {
    const config = loadConfig(testEnv({
      ROLE: 'worker',
      DATABASE_URL: db.url,
      REDIS_PREFIX: api.config.redisPrefix,
      WEBHOOK_RETRY_SCHEDULE: api.config.webhookRetrySchedule!,
    }));
    const w = await compose(config, { logger: createLogger(config.logLevel) });
    workers.push(w);
    return w;
  }
  const relays: BackgroundProcess[] = [];
  async function stopWorkers(): Promise<void> {
    await Promise.all([...workers.splice(0).map((w) => w.stop()), ...relays.splice(0).map((r) => r.close())]);
    jest.restoreAllMocks();
  }
  /** A relay in this (API-role) process, as a worker-role process runs it, handing rows to `subscribers`. */
  function startRelay(options: RelayOptions): BackgroundProcess {
    const relay = startOutboxRelay(api.composed.deps, options);
    relays.push(relay);
    return relay;
  }
  /** Records each row a relay hands over (a subscriber), by message id. */
  function recorder(name: string, seen: string[]): OutboxSubscriber {
    return { name, handle: async (_deps, rows) => void seen.push(...rows.map((r) => r.message_id)) };
  }
  /** Relays (to nobody) what other tests left unrelayed, so a test starts on an empty outbox. */
  async function drainOutbox(): Promise<void> {
    while ((await relayOutboxBatch({ ...relayDeps(), subscribers: [] })) > 0);
  }
  /** Counts finished relay passes (each is one session-pool transaction; nothing else uses the pool here). */
  function countPasses(): { done: number } {
    const pool = api.composed.deps.sessionPool;
    const transaction = pool.transaction.bind(pool);
    const count = { done: 0 };
    jest.spyOn(pool, 'transaction').mockImplementation(async (isolation, work) => {
      try {
        return await transaction(isolation, work);
      } finally {
        count.done += 1;
      }
    });
    return count;
  }
  const entry = (n: number): OutboxEntry => ({
    venueId, event: 'sale.recorded', resourceId: `sl_${n}`, resourceVersion: 1, data: { id: `sl_${n}` },
  });
  async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  }
  async function relayedAt(messageId: string): Promise<Date | null> {
    const rows = (await ds().query('SELECT relayed_at FROM outbox WHERE message_id = ?', [messageId])) as { relayed_at: Date | null }[];
    return rows[0]!.relayed_at;
  }
  async function queueIdle(): Promise<boolean> {
    const counts = await api.composed.deps.queues.webhookDeliveries.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(counts).every((n) => n === 0);
  }
  const relayDeps = (queue: Queue = api.composed.deps.queues.webhookDeliveries): RelayDeps => ({
    dataSource: ds(),
    sessionPool: api.composed.deps.sessionPool,
    queue,
    schedule: retryScheduleOf(api.config),
    redis: api.composed.deps.redis,
    keyPrefix: api.composed.deps.keyPrefix,
    emails: api.composed.deps.notifications,
  });

  beforeAll(async () => {
    db = await createOwnDatabase();
    // Many attempts a few hundred ms apart: a delivery to a dead receiver stays pending for the whole test.
    api = await startTestApp({
      DATABASE_URL: db.url,
      ROLE: 'api',
      WEBHOOK_RETRY_SCHEDULE: 'base_ms=100,factor=2,max_ms=300,attempts=100,jitter=0.2',
    });
  });
  // A venue per test, so one test's webhooks never receive the next test's events.
  beforeEach(async () => {
    venueId = (await createVenue(api)).id;
    key = await createApiKey(api, venueId);
  });
  afterEach(stopWorkers);
  afterAll(async () => {
    await api.stop();
    await Promise.all(receivers.map((r) => r.close()));
    await db.drop();
  });

  it('keeps outbox rows written while no worker runs, and delivers them when one starts', async () => {
    const r = await receiver();
    const wh = await registerWebhook(api, key, r.url);
    const ids = [
      await writeEvent(ds(), venueId, 'booking.created'),
      await writeEvent(ds(), venueId, 'booking.updated', {}, 2),
      await writeEvent(ds(), venueId, 'booking.cancelled', {}, 3),
    ];
    for (const id of ids) {
      expect(await relayedAt(id)).toBeNull();
      expect(await deliveriesOf(ds(), id)).toEqual([]);
    }

    await startWorker();
    await waitFor(async () => r.requests.length === 3, { what: 'three deliveries' });
    expect(r.requests.map((q) => JSON.parse(q.body).id).sort()).toEqual([...ids].sort());
    // Receivers order by the resource version in data (and created_at), not by arrival.
    expect(r.requests.map((q) => JSON.parse(q.body).data.version).sort()).toEqual([1, 2, 3]);
    // The pass marks its rows relayed when every subscriber has taken them, which may be just after the
    // webhook jobs it added have already been delivered.
    for (const id of ids) await waitFor(async () => (await relayedAt(id)) instanceof Date, { what: `outbox row ${id} marked relayed` });
    const list = await api.http.get(`/api/v1/webhooks/${wh.id}/deliveries`).set(bearer(key));
    expect(list.body.data.map((d: { status: string }) => d.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  });

  it('loses nothing when the relay dies between committing deliveries and enqueueing their jobs', async () => {
    const r = await receiver();
    const wh = await registerWebhook(api, key, r.url);
    const messageId = await writeEvent(ds(), venueId, 'sale.recorded');

    // A relay whose Redis connection is gone at enqueue time.
    const dead = new Queue('webhook-deliveries', { connection: api.composed.deps.redisConnections.bullmq('test-dead-queue'), prefix: queuePrefix(api.config.redisPrefix, 'webhook-deliveries') });
    await dead.close();
    await expect(relayOutboxBatch(relayDeps(dead as Queue))).rejects.toThrow();
    expect(await relayedAt(messageId)).toBeNull();
    const stranded = (await deliveryOf(ds(), messageId, wh.id))!;
    expect(stranded.status).toBe('pending');
    expect(await api.composed.deps.queues.webhookDeliveries.getJob(stranded.id)).toBeUndefined();

    await startWorker();
    await waitFor(async () => (await deliveryOf(ds(), messageId, wh.id))?.status === 'succeeded', { what: 'delivery' });
    expect(r.requests).toHaveLength(1);
    // The same delivery row was reused, not a second one made.
    expect((await deliveriesOf(ds(), messageId)).map((d) => d.id)).toEqual([stranded.id]);
  });

  it('relaying the same outbox row again (crash before marking it relayed) sends nothing twice', async () => {
    const r = await receiver();
    const wh = await registerWebhook(api, key, r.url);
    const messageId = await writeEvent(ds(), venueId, 'customer.updated');
    await startWorker();
    await waitFor(async () => (await deliveryOf(ds(), messageId, wh.id))?.status === 'succeeded');

    await ds().query('UPDATE outbox SET relayed_at = NULL WHERE message_id = ?', [messageId]);
    await waitFor(() => relayedAt(messageId), { what: 'relayed again' });
    await waitFor(queueIdle, { what: 'queue idle' });
    expect(r.requests).toHaveLength(1);
    expect(await deliveriesOf(ds(), messageId)).toHaveLength(1);
  });

  it('keeps a delivery pending through a receiver outage, then delivers it when the receiver is back', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/hooks`;
    const wh = await registerWebhook(api, key, url);
    const messageId = await writeEvent(ds(), venueId, 'booking.created');
    await startWorker();

    const down = await waitFor(async () => {
      const d = await deliveryOf(ds(), messageId, wh.id);
      return d && d.attempts >= 3 ? d : null;
    }, { what: 'three refused attempts' });
    expect(down.status).toBe('pending');
    expect(down.next_attempt_at).toBeInstanceOf(Date);
    expect(down.last_status_code).toBeNull();
    expect(down.last_error).toMatch(/ECONNREFUSED|connect/i);
    const log = await api.http.get(`/api/v1/webhooks/${wh.id}/deliveries?status=pending`).set(bearer(key));
    expect(log.body.data[0].attempt_log.slice(0, 3)).toEqual(
      [1, 2, 3].map((attempt) => expect.objectContaining({ attempt, status_code: null, error: expect.any(String) })),
    );

    const r = await receiver(undefined, port);
    await waitFor(async () => r.requests.length === 1, { what: 'delivery after the outage' });
    const done = await waitFor(async () => {
      const d = await deliveryOf(ds(), messageId, wh.id);
      return d?.status === 'succeeded' ? d : null;
    });
    expect(done.attempts).toBeGreaterThan(3);
    expect(JSON.parse(r.requests[0]!.body).id).toBe(messageId);
  });

  it('re-queues a pending delivery whose job Redis lost', async () => {
    const r = await receiver();
    const wh = await registerWebhook(api, key, r.url);
    const messageId = await writeEvent(ds(), venueId, 'booking.updated');
    // Relayed (row marked, delivery pending) but the job never made it into Redis.
    const dead = new Queue('webhook-deliveries', { connection: api.composed.deps.redisConnections.bullmq('test-dead-queue'), prefix: queuePrefix(api.config.redisPrefix, 'webhook-deliveries') });
    await dead.close();
    await expect(relayOutboxBatch(relayDeps(dead as Queue))).rejects.toThrow();
    await ds().query('UPDATE outbox SET relayed_at = ? WHERE message_id = ?', [new Date(), messageId]);
    const d = (await deliveryOf(ds(), messageId, wh.id))!;

    // Not yet overdue: left alone. Overdue (here: a minute on): re-added.
    expect(await requeueStrandedDeliveries(relayDeps())).toBe(0);
    expect(await requeueStrandedDeliveries(relayDeps(), new Date(Date.now() + 60_000))).toBe(1);
    expect(await api.composed.deps.queues.webhookDeliveries.getJob(d.id)).toBeDefined();
    // A second sweep sees the waiting job and does nothing.
    expect(await requeueStrandedDeliveries(relayDeps(), new Date(Date.now() + 60_000))).toBe(0);

    await startWorker();
    await waitFor(async () => (await deliveryOf(ds(), messageId, wh.id))?.status === 'succeeded');
    expect(r.requests).toHaveLength(1);
  });

  it('fails (does not loop on) a delivery whose outbox message was removed', async () => {
    const r = await receiver();
    const wh = await registerWebhook(api, key, r.url);
    const messageId = await writeEvent(ds(), venueId, 'booking.updated');
    const dead = new Queue('webhook-deliveries', { connection: api.composed.deps.redisConnections.bullmq('test-dead-queue'), prefix: queuePrefix(api.config.redisPrefix, 'webhook-deliveries') });
    await dead.close();
    await expect(relayOutboxBatch(relayDeps(dead as Queue))).rejects.toThrow();
    await ds().query('DELETE FROM outbox WHERE message_id = ?', [messageId]);
    expect(await requeueStrandedDeliveries(relayDeps(), new Date(Date.now() + 60_000))).toBe(1);

    await startWorker();
    const d = await waitFor(async () => {
      const row = await deliveryOf(ds(), messageId, wh.id);
      return row?.status === 'failed' ? row : null;
    });
    expect(d.last_error).toBe('The message is no longer in the outbox');
    expect(r.requests).toHaveLength(0);
  });

  it('shares the outbox between several worker processes, each event delivered exactly once', async () => {
    const r = await receiver();
    const wh = await registerWebhook(api, key, r.url);
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push(await writeEvent(ds(), venueId, 'sale.recorded', { n: i }));
    await Promise.all([startWorker(), startWorker(), startWorker()]);

    await waitFor(async () => r.requests.length >= 60, { what: '60 deliveries', timeoutMs: 20_000 });
    await waitFor(queueIdle, { what: 'queue idle' });
    const received = r.requests.map((q) => JSON.parse(q.body).id as string);
    expect(received).toHaveLength(60);
    expect(new Set(received)).toEqual(new Set(ids));
    const rows = (await ds().query(
      "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE webhook_id = ? AND status = 'succeeded' AND attempts = 1", [wh.id],
    )) as { n: number }[];
    expect(Number(rows[0]!.n)).toBe(60);
  });

  it('a pass is two round trips: the claim (with the transaction start) returning the rows, then the mark with the commit', async () => {
    await drainOutbox();
    const ids = [await writeEvent(ds(), venueId, 'booking.created'), await writeEvent(ds(), venueId, 'booking.updated', {}, 2)];
    const sent: { conn: unknown; sql: string }[] = [];
    const base = Object.getPrototypeOf(mysql.Connection.prototype) as { query: (...args: unknown[]) => unknown };
    const query = base.query;
    jest.spyOn(base, 'query').mockImplementation(function (this: unknown, ...args: unknown[]) {
      const sql = args[0];
      sent.push({ conn: this, sql: typeof sql === 'string' ? sql : String((sql as { sql?: string }).sql) });
      return query.apply(this, args);
    });
    const roundTripsOf = async (pass: () => Promise<number>): Promise<{ relayed: number; trips: string[] }> => {
      sent.length = 0;
      const relayed = await pass();
      const relayConn = sent.find((q) => /FROM outbox[\s\S]*FOR UPDATE SKIP LOCKED/.test(q.sql))?.conn;
      return { relayed, trips: sent.filter((q) => q.conn === relayConn).map((q) => q.sql) };
    };

    const seen: string[] = [];
    const full = await roundTripsOf(() => relayOutboxBatch({ ...relayDeps(), subscribers: [recorder('r', seen)] }));
    expect(full.relayed).toBe(2);
    expect(seen).toEqual(ids);
    expect(full.trips).toHaveLength(2);
    expect(full.trips[0]).toMatch(/START TRANSACTION;\s*SELECT[\s\S]*FOR UPDATE SKIP LOCKED$/);
    expect(full.trips[1]).toMatch(/^UPDATE outbox SET relayed_at[\s\S]*;\s*COMMIT$/);
    for (const id of ids) expect(await relayedAt(id)).toBeInstanceOf(Date);

    const empty = await roundTripsOf(() => relayOutboxBatch({ ...relayDeps(), subscribers: [recorder('r', seen)] }));
    expect(empty).toEqual({ relayed: 0, trips: [expect.stringMatching(/FOR UPDATE SKIP LOCKED$/), 'COMMIT'] });
  });

  it('a local commit that writes outbox rows wakes the idle relay at once, long before its poll; idle, it does not spin', async () => {
    await drainOutbox();
    const seen: string[] = [];
    const passes = countPasses();
    startRelay({ intervalMs: 20_000, subscribers: [recorder('r', seen)] });
    await waitFor(async () => passes.done >= 1, { what: 'the first (empty) pass' });
    // Idle: nothing written, so nothing but the poll (20 s away) starts a pass.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(passes.done).toBe(1);

    // Each kind of local commit: a TypeORM transaction, an autocommit write, a session-pool transaction
    // (a statement at COMMIT, one in a round trip, one through its EntityManager).
    const commits: [string, () => Promise<string[]>][] = [
      ['TypeORM transaction', async () => [await writeEvent(ds(), venueId, 'booking.created')]],
      ['autocommit write', async () => [await writeOutbox(ds().manager, entry(1))]],
      ['session pool, at COMMIT', () => api.composed.deps.sessionPool.transaction('READ COMMITTED', async (tx) => {
        const statement = outboxStatement([entry(2)], new Date())!;
        tx.beforeCommit([statement]);
        return statement.messageIds;
      })],
      ['session pool, in a round trip', () => api.composed.deps.sessionPool.transaction('READ COMMITTED', async (tx) => {
        const statement = outboxStatement([entry(3), entry(4)], new Date())!;
        await tx.run([statement]);
        return statement.messageIds;
      })],
      ['session pool, its EntityManager', () => api.composed.deps.sessionPool.transaction('READ COMMITTED', async (tx) => [await writeOutbox(tx.em, entry(5))])],
    ];
    for (const [what, commit] of commits) {
      const started = Date.now();
      const ids = await commit();
      await waitFor(async () => ids.every((id) => seen.includes(id)), { what: `${what}: relayed`, timeoutMs: 5_000, intervalMs: 10 });
      expect({ what, ms: Date.now() - started < 2_000 }).toEqual({ what, ms: true });
      // Marked with the pass's COMMIT, just after the subscribers took the rows.
      for (const id of ids) await waitFor(async () => (await relayedAt(id)) instanceof Date, { what: `${what}: marked relayed`, timeoutMs: 2_000, intervalMs: 10 });
    }
    // A rolled-back write wakes nobody (and leaves nothing to relay).
    await waitFor(async () => {
      const before = passes.done;
      await new Promise((resolve) => setTimeout(resolve, 300));
      return passes.done === before;
    }, { what: 'the relay idle again' });
    const idleAt = passes.done;
    await expect(ds().transaction(async (em) => {
      await writeOutbox(em, entry(6));
      throw new Error('rolled back');
    })).rejects.toThrow('rolled back');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(passes.done).toBe(idleAt);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('under a steady stream of commits the relay keeps its batching pace: no pass per commit', async () => {
    await drainOutbox();
    const seen: string[] = [];
    const passes = countPasses();
    startRelay({ intervalMs: 20_000, busyIntervalMs: 100, subscribers: [recorder('r', seen)] });
    await waitFor(async () => passes.done >= 1, { what: 'the first (empty) pass' });
    const start = passes.done;
    const ids: string[] = [];
    const began = Date.now();
    for (let i = 0; i < 150; i++) {
      ids.push(await writeOutbox(ds().manager, entry(i)));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const elapsed = Date.now() - began;
    await waitFor(async () => ids.every((id) => seen.includes(id)), { what: 'every row relayed' });
    // A commit every ~5–20 ms: about one pass per 100 ms busy wait (plus the tail), not one per commit (150).
    const passesMade = passes.done - start;
    expect(passesMade).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 5);
    expect(passesMade).toBeLessThan(ids.length / 2);
    expect(seen).toEqual(ids);

    // Commits a little further apart than the busy wait: each would find the relay idle after an empty
    // pass; a wake-up still waits for the pace (100 ms after the last pass began), so passes stay one per 100 ms.
    const spaced: string[] = [];
    const before = passes.done;
    const spacedFrom = Date.now();
    for (let i = 0; i < 12; i++) {
      spaced.push(await writeOutbox(ds().manager, entry(1000 + i)));
      await new Promise((resolve) => setTimeout(resolve, 120));
    }
    const spacedMs = Date.now() - spacedFrom;
    await waitFor(async () => spaced.every((id) => seen.includes(id)), { what: 'every spaced row relayed' });
    expect(passes.done - before).toBeLessThanOrEqual(Math.ceil(spacedMs / 100) + 3);
  });

  it('two relays at once, rows committed while they run: every row relayed exactly once', async () => {
    await drainOutbox();
    const seen: [string[], string[]] = [[], []];
    startRelay({ intervalMs: 200, busyIntervalMs: 5, batchSize: 7, subscribers: [recorder('a', seen[0])] });
    startRelay({ intervalMs: 200, busyIntervalMs: 5, batchSize: 7, subscribers: [recorder('b', seen[1])] });
    // Four writers at once: single autocommit rows, TypeORM transactions of three, session-pool transactions of five.
    let n = 1000;
    const writer = async (kind: number): Promise<string[]> => {
      const ids: string[] = [];
      for (let i = 0; i < 25; i++) {
        if (kind === 0) ids.push(await writeOutbox(ds().manager, entry(n++)));
        else if (kind === 1) ids.push(...(await ds().transaction((em) => writeOutbox(em, [entry(n++), entry(n++), entry(n++)]))));
        else {
          ids.push(...(await api.composed.deps.sessionPool.transaction('READ COMMITTED', async (tx) => {
            const statement = outboxStatement([entry(n++), entry(n++), entry(n++), entry(n++), entry(n++)], new Date())!;
            tx.beforeCommit([statement]);
            return statement.messageIds;
          })));
        }
        if (i % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return ids;
    };
    const written = (await Promise.all([writer(0), writer(1), writer(2), writer(2)])).flat();
    expect(written).toHaveLength(25 + 75 + 250);
    await waitFor(async () => seen[0].length + seen[1].length >= written.length, { what: 'every row relayed', timeoutMs: 20_000 });
    await waitFor(async () => {
      const rows = (await ds().query('SELECT COUNT(*) AS n FROM outbox WHERE relayed_at IS NULL')) as { n: number }[];
      return Number(rows[0]!.n) === 0;
    }, { what: 'every row marked relayed' });
    const all = [...seen[0], ...seen[1]];
    expect(all).toHaveLength(written.length);
    expect(new Set(all)).toEqual(new Set(written));
    // Both relays took a share (a commit wakes both; SKIP LOCKED gives each row to one).
    expect(seen[0].length).toBeGreaterThan(0);
    expect(seen[1].length).toBeGreaterThan(0);
  });

  it('hands every outbox row to each subscriber in order, and a pass whose subscriber fails leaves the rows for the next pass', async () => {
    const seen: string[] = [];
    const recorder = (name: string): OutboxSubscriber => ({ name, handle: async (_deps, rows) => void seen.push(...rows.map((r) => `${name}:${r.message_id}`)) });
    const failing: OutboxSubscriber = { name: 'failing', handle: async () => { throw new Error('subscriber down'); } };
    const drain = async (subscribers: OutboxSubscriber[]) => {
      while ((await relayOutboxBatch({ ...relayDeps(), subscribers })) > 0);
    };
    await drain([]);
    const ids = [await writeEvent(ds(), venueId, 'booking.created'), await writeEvent(ds(), venueId, 'booking.updated', {}, 2)];

    await expect(relayOutboxBatch({ ...relayDeps(), subscribers: [recorder('first'), failing] })).rejects.toThrow('subscriber down');
    for (const id of ids) expect(await relayedAt(id)).toBeNull();

    seen.length = 0;
    await drain([recorder('first'), recorder('second')]);
    expect(seen).toEqual([...ids.map((id) => `first:${id}`), ...ids.map((id) => `second:${id}`)]);
    for (const id of ids) expect(await relayedAt(id)).toBeInstanceOf(Date);
    expect(SUBSCRIBERS.map((x) => x.name)).toEqual(['live', 'webhooks', 'review-invitations', 'emails']);
  });
});
