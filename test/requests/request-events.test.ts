import type { Job } from 'bullmq';
import { DateTime } from 'luxon';
import { compose, type Composed } from '../../src/composition-root';
import { loadConfig } from '../../src/platform/config';
import { expireDueRequests } from '../../src/modules/diary/expire-requests';
import { rematchSalesForBooking } from '../../src/modules/sales/match-sale';
import { createLogger } from '../../src/platform/logger';
import { createApiKey, createVenue, type CreatedVenue } from '../helpers/fixtures';
import { startTestApp, testEnv, type TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';
import { bearer, createOwnDatabase, registerWebhook, startReceiver, type Receiver } from '../outbound/outbound-helpers';

/**
 * Requests end to end on a database of their own (no other file's workers): one ROLE=api app and two
 * ROLE=worker apps on one Redis prefix, as two worker processes of one deployment. The expiry is the
 * workers' scheduled BullMQ job; webhooks go out through the outbox relay of whichever worker claims them.
 */
describe('booking requests: webhooks and the scheduled expiry with two workers', () => {
  let db: { url: string; drop: () => Promise<void> };
  let t: TestApp;
  let workers: Composed[];
  let r: Receiver;
  let venue: CreatedVenue;
  let key: string;
  const day = (n: number) => DateTime.now().setZone('Europe/London').plus({ days: n }).toISODate()!;
  const api = (method: 'get' | 'post' | 'patch', path: string) => t.http[method](`/api/v1${path}`).set(bearer(key));
  const request = (date: string, time = '19:00') =>
    api('post', '/bookings').send({ date, time, party_size: 2, customer_name: 'Robin Hood', email: 'robin@example.com', request: true });
  const setHold = (hours: number) => api('patch', '/venue').send({ settings: { request_hold_hours: hours } }).expect(200);
  const outboxEvents = async (bookingId: string): Promise<string[]> =>
    ((await t.composed.deps.dataSource.query('SELECT event FROM outbox WHERE resource_id = ? ORDER BY id', [bookingId])) as { event: string }[])
      .map((row) => row.event);

  beforeAll(async () => {
    db = await createOwnDatabase();
    t = await startTestApp({ DATABASE_URL: db.url, ROLE: 'api' });
    const env = { DATABASE_URL: db.url, ROLE: 'worker', REDIS_PREFIX: t.config.redisPrefix, REQUEST_EXPIRY_INTERVAL_MS: '300' };
    workers = await Promise.all([0, 1].map(async () => {
      const config = loadConfig(testEnv(env));
      return compose(config, { logger: createLogger(config.logLevel) });
    }));
    r = await startReceiver();
    // One table: a request holds the venue's only table.
    venue = await createVenue(t, { areas: [{ name: 'Bar', tables: [{ number: 1, min_covers: 1, max_covers: 4 }] }] });
    key = await createApiKey(t, venue.id, ['venue:read', 'venue:write', 'bookings:read', 'bookings:write', 'webhooks:read', 'webhooks:write']);
    await registerWebhook(t, key, r.url, ['*']);
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await t.stop();
    await r.close();
    await db.drop();
  });

  it('sends booking.requested (never booking.created), then booking.approved, .declined, .cancelled or .expired', async () => {
    const approved = (await request(day(10)).expect(201)).body;
    const declined = (await request(day(11)).expect(201)).body;
    const cancelled = (await request(day(12)).expect(201)).body;
    const plain = (await api('post', '/bookings').send({ date: day(13), time: '19:00', party_size: 2, customer_name: 'Ada' }).expect(201)).body;
    await api('patch', `/bookings/${approved.id}`).send({ status: 'confirmed' }).expect(200);
    await api('patch', `/bookings/${declined.id}`).send({ status: 'declined', reason: 'Closed for a wedding.' }).expect(200);
    await api('patch', `/bookings/${cancelled.id}`).send({ status: 'cancelled' }).expect(200);
    await setHold(0.0003); // about a second
    const expiring = (await request(day(14)).expect(201)).body;
    await setHold(48);

    const expected: Record<string, string[]> = {
      [approved.id]: ['booking.requested', 'booking.approved'],
      [declined.id]: ['booking.requested', 'booking.declined'],
      [cancelled.id]: ['booking.requested', 'booking.cancelled'],
      [plain.id]: ['booking.created'],
      [expiring.id]: ['booking.requested', 'booking.expired'],
    };
    const received = () => {
      const byBooking: Record<string, { event: string; data: Record<string, unknown> }[]> = {};
      for (const q of r.requests) {
        const body = JSON.parse(q.body) as { event: string; data: Record<string, unknown> };
        if (!String(body.event).startsWith('booking.')) continue;
        (byBooking[body.data.id as string] ??= []).push(body);
      }
      return byBooking;
    };
    await waitFor(async () => Object.keys(expected).every((id) => (received()[id]?.length ?? 0) >= expected[id]!.length), {
      timeoutMs: 20_000, what: 'every request transition delivered',
    });
    const byBooking = received();
    for (const [id, events] of Object.entries(expected)) {
      // Deliveries may arrive in any order: the outbox holds the order, and versions order the deliveries.
      expect(await outboxEvents(id)).toEqual(events);
      const deliveries = byBooking[id]!.sort((a, b) => (a.data.version as number) - (b.data.version as number));
      expect(deliveries.map((d) => d.event)).toEqual(events);
    }
    expect(byBooking[declined.id]![1]!.data).toMatchObject({ status: 'declined', decline_reason: 'Closed for a wedding.' });
    expect(byBooking[expiring.id]![1]!.data).toMatchObject({ status: 'expired', version: 2 });
    expect(byBooking[approved.id]![1]!.data).toMatchObject({ status: 'confirmed', expires_at: null });
    for (const q of r.requests) expect(q.headers['x-tablesync-event']).toBe(JSON.parse(q.body).event);
  });

  it('the scheduled job expires each due request exactly once with two workers running, and frees its table', async () => {
    const times = ['17:00', '18:30', '20:00', '21:30'];
    const made: { id: string }[] = [];
    for (const date of [day(40), day(41)]) for (const time of times) made.push((await request(date, time).expect(201)).body);
    // While held, the venue's only table is taken at those times.
    const slot = async (date: string, time: string) =>
      (await api('get', `/availability?date=${date}&party_size=2`)).body.slots.find((s: { time: string }) => s.time === time);
    expect((await slot(day(40), '17:00')).available).toBe(false);
    // Their hold ends in 1.5 s (set here rather than by a tiny request_hold_hours, which a loaded machine
    // outran while it was still making the requests); the workers' scheduled jobs are left to expire them.
    await t.composed.deps.dataSource.query('UPDATE bookings SET expires_at = ? WHERE id IN (?)', [
      new Date(Date.now() + 1500),
      made.map((b) => b.id),
    ]);

    await waitFor(async () => {
      const statuses = await Promise.all(made.map(async (b) => (await api('get', `/bookings/${b.id}`)).body.status));
      return statuses.every((s) => s === 'expired');
    }, { timeoutMs: 20_000, intervalMs: 200, what: 'every request to expire' });

    for (const b of made) {
      expect(await outboxEvents(b.id)).toEqual(['booking.requested', 'booking.expired']);
      expect((await api('get', `/bookings/${b.id}`)).body).toMatchObject({ status: 'expired', version: 2 });
    }
    expect((await slot(day(40), '17:00')).available).toBe(true);
    // The sweeps that did it were the workers' scheduled jobs: each id in exactly one job's result.
    const jobs = (await workers[0]!.deps.queues.requestExpiry.getJobs(['completed'], 0, 1000)) as Job<unknown, { ids: string[] }>[];
    const expiredByJobs = jobs.flatMap((j) => j.returnvalue?.ids ?? []);
    for (const b of made) expect(expiredByJobs.filter((id) => id === b.id)).toHaveLength(1);
  });

  it('sweeps running at once (several workers, a slow one and the next) expire each request once', async () => {
    const made: { id: string }[] = [];
    for (const time of ['17:00', '18:30', '20:00']) made.push((await request(day(50), time).expect(201)).body);
    const ds = t.composed.deps.dataSource;
    // Due now: the two workers' jobs and four sweeps here all reach for them at the same moment.
    await ds.query('UPDATE bookings SET expires_at = ? WHERE id IN (?)', [new Date(Date.now() - 1000), made.map((b) => b.id)]);
    const results = await Promise.all([0, 1, 2, 3].map(() => expireDueRequests(ds, rematchSalesForBooking)));
    const here = results.flat();
    expect(new Set(here).size).toBe(here.length);
    await waitFor(async () => {
      const rows = (await ds.query("SELECT COUNT(*) AS n FROM bookings WHERE id IN (?) AND status = 'expired'", [made.map((b) => b.id)])) as { n: number | string }[];
      return Number(rows[0]!.n) === made.length;
    }, { what: 'every request expired' });
    for (const b of made) expect(await outboxEvents(b.id)).toEqual(['booking.requested', 'booking.expired']);
  });
});
