import { createVenue } from '../helpers/fixtures';
import {
  createTestPartner,
  eventRow,
  gate,
  linkLocation,
  putMapping,
  SALE_MAPPING,
  saleEvent,
  salesOf,
  signedPost,
  startHubApp,
  type HubApp,
  type TestPartner,
  waitForEvent,
} from '../helpers/partner';
import { uniq } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';

describe('partner ingestion: one event per sale at a time (CONTRACT §4)', () => {
  let t: HubApp;
  let venueId: string;
  /** Events in beforeApply right now, and the order they got there. */
  const inFlight = new Set<string>();
  let maxInFlight = 0;
  const applyOrder: string[] = [];
  let blocked: ReturnType<typeof gate> | null = null;

  beforeAll(async () => {
    t = await startHubApp();
    t.startWorker({
      concurrency: 8,
      beforeApply: async (eventId) => {
        inFlight.add(eventId);
        maxInFlight = Math.max(maxInFlight, inFlight.size);
        applyOrder.push(eventId);
        await blocked?.promise;
        inFlight.delete(eventId);
      },
    });
    venueId = (await createVenue(t)).id;
  });
  afterAll(async () => {
    blocked?.open();
    await t.stop();
  });
  beforeEach(() => {
    maxInFlight = 0;
    applyOrder.length = 0;
  });

  async function partnerWith(conflict: 'reject' | 'queue'): Promise<TestPartner> {
    const p = await createTestPartner(t, { conflict });
    await putMapping(t, p.name, 'sale.updated', SALE_MAPPING);
    await linkLocation(t, p.name, 'loc-1', venueId);
    return p;
  }

  it('of 50 concurrent events for one sale, exactly one is accepted while it is in flight; the rest get 409', async () => {
    const p = await partnerWith('reject');
    const saleId = uniq('S');
    for (let round = 1; round <= 3; round++) {
      blocked = gate();
      const versions = Array.from({ length: 50 }, (_, i) => round * 100 + i);
      const answers = await Promise.all(
        versions.map((v) => signedPost(t, p, 'sale.updated', saleEvent({ id: saleId, version: v, total: v }))),
      );
      const accepted = answers.filter((r) => r.status === 200);
      expect(accepted).toHaveLength(1);
      expect(answers.filter((r) => r.status === 409)).toHaveLength(49);
      for (const r of answers.filter((x) => x.status === 409)) {
        expect(r.headers['retry-after']).toBe('60');
        expect(r.body.error.code).toBe('sale_in_progress');
      }
      const eventId = accepted[0]!.body.event_id as string;
      await waitFor(async () => inFlight.has(eventId), { what: 'the accepted event in flight' });
      // In flight: still refused.
      expect((await signedPost(t, p, 'sale.updated', saleEvent({ id: saleId, version: round * 100 + 99 }))).status).toBe(409);
      blocked.open();
      blocked = null;
      expect((await waitForEvent(t, eventId)).status).toBe('processed');

      const sales = await salesOf(t, p.name, saleId);
      expect(sales).toHaveLength(1);
      const sent = JSON.parse((await eventRow(t, eventId))!.rawPayload) as { sale: { total: number } };
      expect(Number(sales[0]!.total)).toBe(sent.sale.total);
      expect(sales[0]!.version).toBe(round);
    }
  });

  it('accepts the next event of a sale as soon as the event log shows the previous one finished', async () => {
    const p = await partnerWith('reject');
    const saleId = uniq('S');
    for (let version = 1; version <= 20; version++) {
      const res = await signedPost(t, p, 'sale.updated', saleEvent({ id: saleId, version, total: version }));
      expect(res.status).toBe(200);
      await waitFor(async () => (await eventRow(t, res.body.event_id))?.status === 'processed', { intervalMs: 2, what: `version ${version}` });
    }
    expect((await salesOf(t, p.name, saleId))[0]!.version).toBe(20);
  });

  it('keeps a sale consistent when 50 events race with a free-running worker', async () => {
    const p = await partnerWith('reject');
    const saleId = uniq('S');
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => signedPost(t, p, 'sale.updated', saleEvent({ id: saleId, version: i + 1, total: (i + 1) * 10 }))),
    );
    expect(answers.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    const accepted = answers.filter((r) => r.status === 200).map((r) => r.body.event_id as string);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    const rows = await Promise.all(accepted.map((id) => waitForEvent(t, id)));
    expect(rows.every((r) => r.status === 'processed' || (r.status === 'ignored' && /older than/.test(r.reason ?? '')))).toBe(true);
    expect(maxInFlight).toBe(1);
    const sales = await salesOf(t, p.name, saleId);
    expect(sales).toHaveLength(1);
    // The newest accepted version wins, whatever order they were applied in.
    const versions = await Promise.all(accepted.map(async (id) => JSON.parse((await eventRow(t, id))!.rawPayload).sale.version as number));
    expect(Number(sales[0]!.total)).toBe(Math.max(...versions) * 10);
    expect(sales[0]!.sourceVersion).toBe(String(Math.max(...versions)));
  });

  it('with conflict "queue", answers 200 to every event and applies them one at a time in arrival order', async () => {
    const p = await partnerWith('queue');
    const saleId = uniq('S');
    blocked = gate();
    const first = await signedPost(t, p, 'sale.updated', saleEvent({ id: saleId, version: null, total: 1 }));
    expect(first.status).toBe(200);
    await waitFor(async () => inFlight.has(first.body.event_id), { what: 'first event in flight' });

    // Sent one after the other (their arrival order is known), without versions: order alone decides.
    const later: string[] = [];
    for (let i = 2; i <= 11; i++) {
      const res = await signedPost(t, p, 'sale.updated', saleEvent({ id: saleId, version: null, total: i }));
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('accepted');
      later.push(res.body.event_id);
    }
    // They wait in line, visibly.
    const waiting = await waitFor(async () => {
      const row = await eventRow(t, later[0]!);
      return row?.status === 'queued' && row.reason?.includes(first.body.event_id) ? row : null;
    }, { what: 'the second event waiting in line' });
    expect(waiting.reason).toMatch(/waiting for event/);

    blocked.open();
    blocked = null;
    for (const id of [first.body.event_id, ...later]) expect((await waitForEvent(t, id)).status).toBe('processed');
    expect(applyOrder.filter((id) => [first.body.event_id, ...later].includes(id))).toEqual([first.body.event_id, ...later]);
    expect(maxInFlight).toBe(1);
    const sales = await salesOf(t, p.name, saleId);
    expect(sales).toHaveLength(1);
    expect(Number(sales[0]!.total)).toBe(11);
    expect(sales[0]!.version).toBe(11);
  });

  it('with conflict "queue", loses nothing when 30 events of one sale arrive at once', async () => {
    const p = await partnerWith('queue');
    const saleId = uniq('S');
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => signedPost(t, p, 'sale.updated', saleEvent({ id: saleId, version: i + 1, total: i + 1 }))),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(30).fill(200));
    const rows = await Promise.all(answers.map((r) => waitForEvent(t, r.body.event_id, ['processed', 'ignored', 'failed'], 30_000)));
    expect(rows.filter((r) => r.status === 'failed')).toEqual([]);
    expect(maxInFlight).toBe(1);
    const sales = await salesOf(t, p.name, saleId);
    expect(sales).toHaveLength(1);
    expect(Number(sales[0]!.total)).toBe(30);
    // Every sale lock and line is gone afterwards.
    const keys = await t.composed.deps.redis.keys(`${t.config.redisPrefix}:lock:sale*:{${p.name}}:*`);
    expect(keys).toEqual([]);
  }, 40_000);
});
