import { InboundEvent, Sale } from '../../src/platform/db/entities';
import { createApiKey, createVenue } from '../helpers/fixtures';
import {
  createTestPartner,
  linkLocation,
  putMapping,
  SALE_MAPPING,
  saleEvent,
  signedPost,
  startHubApp,
  type HubApp,
  type TestPartner,
} from '../helpers/partner';
import { startPrivateMariaDb, type PrivateMariaDb } from '../helpers/private-mariadb';
import { uniq } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';

/**
 * The database goes away (a private mariadbd killed) for longer than an event's whole retry schedule
 * (3 attempts: 1 s + 2 s of backoff): nothing acknowledged may be lost, and nothing doubled.
 */
describe('a MariaDB outage (a private mariadbd stopped and started again)', () => {
  let db: PrivateMariaDb;
  let t: HubApp;
  let p: TestPartner;
  let apiKey: string;
  let venueId: string;

  beforeAll(async () => {
    db = await startPrivateMariaDb();
    t = await startHubApp({ DATABASE_URL: db.url, INGEST_ATTEMPTS: '3' });
    venueId = (await createVenue(t)).id;
    apiKey = await createApiKey(t, venueId);
    p = await createTestPartner(t, { conflict: 'queue' });
    await putMapping(t, p.name, 'sale.updated', SALE_MAPPING);
    await linkLocation(t, p.name, 'loc-1', venueId);
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await db?.destroy();
  });

  const rows = (ids: string[]) => t.composed.deps.dataSource.manager.find(InboundEvent, { where: ids.map((id) => ({ id })) });

  it('answers 503 unavailable on the booking and admin APIs and /readyz while it is down, 200 once it is back', async () => {
    expect((await t.http.get('/api/v1/bookings').set('Authorization', `Bearer ${apiKey}`)).status).toBe(200);
    await db.stop();
    try {
      const api = await t.http.get('/api/v1/bookings').set('Authorization', `Bearer ${apiKey}`);
      expect(api.status).toBe(503);
      expect(api.body.error.code).toBe('unavailable');
      expect(api.headers['retry-after']).toBeDefined();
      const admin = await t.admin('get', '/admin/v1/partners');
      expect(admin.status).toBe(503);
      expect(admin.body.error.code).toBe('unavailable');
      const ready = await t.http.get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.mysql).toBe('down');
    } finally {
      await db.start();
    }
    await waitFor(async () => (await t.http.get('/readyz')).status === 200, { what: 'ready again' });
    expect((await t.admin('get', '/admin/v1/partners')).status).toBe(200);
  }, 60_000);

  it('processes every acknowledged event exactly once when the outage outlasts the retry schedule', async () => {
    t.startWorker({ databaseWait: { minMs: 200, maxMs: 1000 } });
    const before = uniq('S');
    const first = await signedPost(t, p, 'sale.updated', saleEvent({ id: before, total: 100 }));
    expect(first.status).toBe(200);
    await waitFor(async () => (await rows([first.body.event_id]))[0]?.status === 'processed', { what: 'a first event processed' });

    await db.stop();
    const accepted: string[] = [];
    const saleIds: string[] = [];
    let outageOver = false;
    try {
      // While the database is down the ingest edge (Redis only, the partner cached) still acknowledges events:
      // 30 sales, and 3 versions of one more sale lined up behind each other (conflict: queue).
      for (let i = 0; i < 30; i++) {
        const id = uniq('S');
        const res = await signedPost(t, p, 'sale.updated', saleEvent({ id, total: 1000 + i }));
        expect(res.status).toBe(200);
        accepted.push(res.body.event_id as string);
        saleIds.push(id);
      }
      for (const version of [1, 2, 3]) {
        const res = await signedPost(t, p, 'sale.updated', saleEvent({ id: 'S-VERSIONED', version, total: version * 100 }));
        expect(res.status).toBe(200);
        accepted.push(res.body.event_id as string);
      }

      // The outage outlasts the retry schedule: without the fix BullMQ has failed every job by then; with
      // it, the jobs at the head of the queue have been taken up (and put back) twice as often as their
      // 3 attempts allow, through pauses of 0.2 s + 0.4 s + 0.8 s + 1 s + … (more than the 3 s of backoff).
      const queue = t.composed.deps.queues.inboundEvents;
      await waitFor(
        async () => {
          const jobs = await Promise.all(accepted.map((id) => queue.getJob(id)));
          const states = await Promise.all(jobs.map((j) => j!.getState()));
          return states.every((s) => s === 'failed') || jobs.some((j) => (j!.attemptsStarted ?? 0) >= 6);
        },
        { what: 'the outage to outlast the retry schedule', timeoutMs: 25_000, intervalMs: 250 },
      );
      for (const id of accepted) expect((await queue.getJob(id))!.attemptsMade).toBe(0);
    } finally {
      await db.start();
      outageOver = true;
    }
    expect(outageOver).toBe(true);

    const finished = await waitFor(
      async () => {
        const found = await rows(accepted);
        return found.length === accepted.length && found.every((r) => r.status === 'processed') ? found : null;
      },
      { what: 'every acknowledged event processed', timeoutMs: 30_000 },
    );
    expect(finished).toHaveLength(accepted.length);

    const sales = await t.composed.deps.dataSource.manager.find(Sale, { where: { partner: p.name } });
    const byId = new Map<string, Sale[]>();
    for (const s of sales) byId.set(s.saleId, [...(byId.get(s.saleId) ?? []), s]);
    for (const id of [before, ...saleIds, 'S-VERSIONED']) expect(byId.get(id)).toHaveLength(1);
    expect(Number(byId.get(saleIds[7]!)![0]!.total)).toBe(1007);
    expect(Number(byId.get('S-VERSIONED')![0]!.total)).toBe(300);
  }, 60_000);
});
