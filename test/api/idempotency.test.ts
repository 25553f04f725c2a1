import express from 'express';
import { DateTime } from 'luxon';
import supertest from 'supertest';
import { apiKeyAuth, lookupApiKey } from '../../src/surfaces/http/middleware/api-key-auth';
import { errorEnvelope } from '../../src/surfaces/http/middleware/error-envelope';
import { idempotency } from '../../src/surfaces/http/middleware/idempotency';
import { createApiKey, createVenue, type CreatedVenue } from '../helpers/fixtures';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';

const TZ = 'Europe/London';
const day = (days: number): string => DateTime.now().setZone(TZ).plus({ days }).toISODate()!;

describe('booking API: Idempotency-Key', () => {
  let t: TestApp;
  let venue: CreatedVenue;
  let key: string;
  let n = 0;
  const q = async <T = any>(sql: string, params: unknown[] = []): Promise<T[]> =>
    (await t.composed.deps.dataSource.query(sql, params)) as T[];
  const post = (path: string, body: unknown, idemKey?: string, k = key) => {
    const req = t.http.post(`/api/v1${path}`).set('Authorization', `Bearer ${k}`);
    if (idemKey !== undefined) req.set('Idempotency-Key', idemKey);
    return req.send(body as object);
  };
  const uniqueKey = () => `idem-${Date.now()}-${++n}`;
  // Each test books on its own date, so earlier tests never fill its slots.
  let testDay = day(20);
  let dayOffset = 20;
  beforeEach(() => {
    testDay = day(++dayOffset);
  });
  const bookingBody = (extra: Record<string, unknown> = {}) => ({
    date: testDay, time: '18:00', party_size: 2, customer_name: 'Repeat Guest', ...extra,
  });
  const bookingCount = async () => Number((await q('SELECT COUNT(*) AS n FROM bookings WHERE venue_id = ?', [venue.id]))[0].n);

  beforeAll(async () => {
    t = await startTestApp();
    venue = await createVenue(t);
    key = await createApiKey(t, venue.id);
  });
  afterAll(() => t.stop());

  it('replays the first response for the same key and body, however its fields are ordered', async () => {
    const k = uniqueKey();
    const body = bookingBody({ time: '17:00', email: 'repeat@example.com' });
    const first = await post('/bookings', body, k);
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const before = await bookingCount();
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    for (const again of [body, reordered]) {
      const res = await post('/bookings', again, k);
      expect(res.status).toBe(201);
      expect(res.headers['idempotent-replayed']).toBe('true');
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.body).toEqual(first.body);
    }
    expect(await bookingCount()).toBe(before);
  });

  it('answers 422 idempotency_key_reused for the same key with another body or path, writing nothing', async () => {
    const k = uniqueKey();
    expect((await post('/bookings', bookingBody({ time: '17:15' }), k)).status).toBe(201);
    const before = await bookingCount();
    const other = await post('/bookings', bookingBody({ time: '17:30' }), k);
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    const otherPath = await post('/customers', { name: 'X' }, k);
    expect(otherPath.status).toBe(422);
    expect(otherPath.body.error.code).toBe('idempotency_key_reused');
    expect(await bookingCount()).toBe(before);
  });

  it('answers 409 idempotency_in_progress while the first request with the key is still running', async () => {
    const k = uniqueKey();
    // Hold the venue's diary lock, so the first request waits inside its handler after claiming the key.
    const blocker = t.composed.deps.dataSource.createQueryRunner();
    await blocker.connect();
    await blocker.startTransaction();
    try {
      await blocker.query('SELECT id FROM venue_tables WHERE venue_id = ? FOR UPDATE', [venue.id]);
      const first = post('/bookings', bookingBody({ time: '17:45' }), k).then((r) => r);
      await waitFor(async () => {
        const rows = await q('SELECT state FROM idempotency_records WHERE idempotency_key = ?', [k]);
        return rows[0]?.state === 'in_progress';
      }, { what: 'the first request to claim the key' });
      const second = await post('/bookings', bookingBody({ time: '17:45' }), k);
      expect(second.status).toBe(409);
      expect(second.body.error.code).toBe('idempotency_in_progress');
      expect(second.headers['retry-after']).toBe('1');
      await blocker.commitTransaction();
      const done = await first;
      expect(done.status).toBe(201);
      const third = await post('/bookings', bookingBody({ time: '17:45' }), k);
      expect(third.headers['idempotent-replayed']).toBe('true');
      expect(third.body.id).toBe(done.body.id);
    } finally {
      if (blocker.isTransactionActive) await blocker.rollbackTransaction();
      await blocker.release();
    }
  });

  it('replays a 422 slot_unavailable too: the outcome is kept, not re-run', async () => {
    const d = testDay;
    const taken = (await post('/bookings', bookingBody({ date: d, time: '19:00', party_size: 5 }))).body;
    const k = uniqueKey();
    const refused = await post('/bookings', bookingBody({ date: d, time: '19:00', party_size: 5 }), k);
    expect(refused.status).toBe(422);
    await t.http.patch(`/api/v1/bookings/${taken.id}`).set('Authorization', `Bearer ${key}`).send({ status: 'cancelled' }).expect(200);
    const replay = await post('/bookings', bookingBody({ date: d, time: '19:00', party_size: 5 }), k);
    expect(replay.status).toBe(422);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(refused.body);
  });

  it('releases the key after a 400, so the corrected request can use it', async () => {
    const k = uniqueKey();
    const bad = await post('/bookings', bookingBody({ time: '17:07' }), k);
    expect(bad.status).toBe(400);
    expect(await q('SELECT id FROM idempotency_records WHERE idempotency_key = ?', [k])).toEqual([]);
    const good = await post('/bookings', bookingBody({ time: '18:15' }), k);
    expect(good.status).toBe(201);
    expect(good.headers['idempotent-replayed']).toBeUndefined();
  });

  it('releases the key after a 5xx, so the client can retry it', async () => {
    // A real app with the real middleware and a route that fails once, as a crashed handler would.
    let calls = 0;
    const app = express();
    app.use(apiKeyAuth({ get: lookupApiKey(t.composed.deps.dataSource) }));
    app.use(express.json());
    app.post('/flaky', idempotency(t.composed.deps), (_req, res) => {
      calls++;
      if (calls === 1) throw new Error('boom');
      res.status(201).json({ call: calls });
    });
    app.use(errorEnvelope);
    const k = uniqueKey();
    const send = () => supertest(app).post('/flaky').set('Authorization', `Bearer ${key}`).set('Idempotency-Key', k).send({ a: 1 });
    const failed = await send();
    expect(failed.status).toBe(500);
    expect(failed.body.error.code).toBe('internal_error');
    const retried = await send();
    expect(retried.status).toBe(201);
    expect(retried.body).toEqual({ call: 2 });
    const replayed = await send();
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toEqual({ call: 2 });
    expect(calls).toBe(2);
  });

  it('scopes keys per API key', async () => {
    const otherKey = await createApiKey(t, venue.id);
    const k = uniqueKey();
    const a = await post('/bookings', bookingBody({ time: '18:30' }), k);
    const b = await post('/bookings', bookingBody({ time: '18:30' }), k, otherKey);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.body.id).not.toBe(a.body.id);
  });

  it('ignores and overwrites a record older than 24 hours, and takes over a claim abandoned mid-request', async () => {
    const k = uniqueKey();
    const first = await post('/bookings', bookingBody({ time: '18:45' }), k);
    await q('UPDATE idempotency_records SET expires_at = ? WHERE idempotency_key = ?', [new Date(Date.now() - 1000), k]);
    const fresh = await post('/bookings', bookingBody({ time: '19:00', party_size: 1 }), k);
    expect(fresh.status).toBe(201);
    expect(fresh.body.id).not.toBe(first.body.id);
    const [row] = await q('SELECT api_key_id, state, expires_at FROM idempotency_records WHERE idempotency_key = ?', [k]);
    expect(row.state).toBe('completed');
    expect(new Date(row.expires_at).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);

    const stuck = uniqueKey();
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    await q(
      `INSERT INTO idempotency_records (id, api_key_id, idempotency_key, fingerprint, state, created_at, expires_at)
       VALUES ('idem_stuck_test', ?, ?, REPEAT('0', 64), 'in_progress', ?, ?)`,
      [row.api_key_id, stuck, tenMinutesAgo, new Date(Date.now() + 3600_000)],
    );
    const taken = await post('/bookings', bookingBody({ time: '19:15', party_size: 2 }), stuck);
    expect(taken.status).toBe(201);
  });

  it('replays POST /customers with its first status (201), not the 200 a re-run would give', async () => {
    const k = uniqueKey();
    const first = await post('/customers', { name: 'Kay Idem', email: 'kay@example.com' }, k);
    expect(first.status).toBe(201);
    const replay = await post('/customers', { name: 'Kay Idem', email: 'kay@example.com' }, k);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    const rerun = await post('/customers', { name: 'Kay Idem', email: 'kay@example.com' });
    expect(rerun.status).toBe(200);
  });

  it('rejects a malformed Idempotency-Key with 400 naming the header', async () => {
    for (const bad of ['x'.repeat(256), 'has space']) {
      const res = await post('/bookings', bookingBody(), bad);
      expect(res.status).toBe(400);
      expect(res.body.error.details.field).toBe('Idempotency-Key');
    }
  });
});
