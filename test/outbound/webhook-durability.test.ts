import { Queue } from 'bullmq';
import { compose, type Composed } from '../../src/composition-root';
import { loadConfig } from '../../src/config';
import { retryScheduleOf } from '../../src/outbound/deliver-webhook.worker';
import { relayOutboxBatch, requeueStrandedDeliveries, SUBSCRIBERS, type OutboxSubscriber, type RelayDeps } from '../../src/outbound/outbox-relay';
import { queuePrefix } from '../../src/jobs/queues';
import { createLogger } from '../../src/shared/logger';
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
  async function stopWorkers(): Promise<void> {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  }
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
