import { DateTime } from 'luxon';
import { compose, type Composed } from '../../src/composition-root';
import { loadConfig } from '../../src/platform/config';
import { liveStreamKey } from '../../src/modules/live';
import { createApiKey, createVenue, type CreatedVenue } from '../helpers/fixtures';
import { createTestPartner, linkLocation, putMapping, SALE_MAPPING, saleEvent, signedPost, type TestPartner } from '../helpers/partner';
import { createUser, signIn } from '../helpers/people';
import { openSse, refusedStream, type SseClient } from '../helpers/sse';
import { startTestApp, testEnv, uniq, type TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';
import { bearer, createOwnDatabase, registerWebhook, startReceiver, type Receiver } from '../outbound/outbound-helpers';

/**
 * `GET /api/v1/stream` (CONTRACT §9, §15): two API instances (ROLE=api) and a worker (ROLE=worker, the
 * relay) sharing one database of their own and one Redis prefix, as separate processes would. A change
 * made through either API instance reaches the streams of both, through the worker's outbox relay.
 */
describe('live stream (SSE)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let a: TestApp;
  let b: TestApp;
  let worker: Composed;
  let urlA: string;
  let urlB: string;
  let venue: CreatedVenue;
  let key: string;
  let p: TestPartner;
  let receiver: Receiver;
  const location = uniq('loc');
  const open: SseClient[] = [];
  const date = DateTime.now().setZone('Europe/London').plus({ days: 4 }).toISODate()!;

  const stream = async (base: string, headers: Record<string, string> = bearer(key), query = '') => {
    const client = await openSse(`${base}/api/v1/stream${query}`, headers);
    open.push(client);
    return client;
  };
  const book = async (app: TestApp, apiKey = key, time = '19:00') => {
    const res = await app.http.post('/api/v1/bookings').set(bearer(apiKey)).send({ date, time, party_size: 2, customer_name: uniq('Guest') });
    expect(res.status).toBe(201);
    return res.body as { id: string; reference: string };
  };

  beforeAll(async () => {
    db = await createOwnDatabase();
    const shared = { DATABASE_URL: db.url, REDIS_PREFIX: uniq(process.env.TEST_REDIS_PREFIX!), LIVE_HEARTBEAT_MS: '300' };
    a = await startTestApp({ ...shared, ROLE: 'api' });
    b = await startTestApp({ ...shared, ROLE: 'api' });
    worker = await compose(loadConfig(testEnv({ ...shared, ROLE: 'worker' })));
    urlA = `http://127.0.0.1:${await a.composed.listen(0, '127.0.0.1')}`;
    urlB = `http://127.0.0.1:${await b.composed.listen(0, '127.0.0.1')}`;
    // Room for every booking of the file at overlapping times.
    venue = await createVenue(a, { areas: [{ name: 'Main', tables: Array.from({ length: 20 }, (_, i) => ({ number: i + 1, min_covers: 1, max_covers: 4 })) }] });
    key = await createApiKey(a, venue.id);
    p = await createTestPartner(a);
    await putMapping(a, p.name, 'sale.updated', SALE_MAPPING);
    await linkLocation(a, p.name, location, venue.id);
    receiver = await startReceiver();
  });
  afterEach(() => {
    for (const c of open.splice(0)) c.close();
  });
  afterAll(async () => {
    await Promise.allSettled([a.stop(), b.stop(), worker.stop(), receiver.close()]);
    await db.drop();
  });

  it('pushes a POS sale posted to one API process to streams on both, as the §7 webhook body, with sale.matched', async () => {
    const onA = await stream(urlA);
    const onB = await stream(urlB);
    expect(onA.status).toBe(200);
    expect(onA.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(onA.headers['cache-control']).toContain('no-cache');
    // The stream starts with an id line alone: where a reconnect without events resumes.
    await waitFor(async () => onA.lastEventId !== null && onB.lastEventId !== null, { what: 'the streams to start' });
    expect(onA.blocks[0]).toMatchObject({ retry: 2000 });
    await registerWebhook(a, key, receiver.url, ['sale.matched']);

    const booking = await book(a);
    const saleId = uniq('S');
    const posted = await signedPost(a, p, 'sale.updated', saleEvent({ id: saleId, location_id: location, booking_reference: booking.reference }));
    expect(posted.status).toBe(200);

    for (const client of [onA, onB]) {
      const [matched] = await client.waitForEvents(1, 'sale.matched');
      expect(matched).toMatchObject({
        id: expect.stringMatching(/^msg_/), event: 'sale.matched', created_at: expect.any(String),
        data: { sale_id: saleId, booking_id: booking.id, match: 'booking_id', total: 4250, items: expect.any(Array), version: 1 },
      });
      expect((await client.waitForEvents(1, 'sale.recorded'))[0].data.sale_id).toBe(saleId);
      expect((await client.waitForEvents(1, 'booking.created'))[0].data.id).toBe(booking.id);
      // customer.created too: every outbox event of the venue.
      expect(client.events.map((e) => e.event)).toEqual(['customer.created', 'booking.created', 'sale.recorded', 'sale.matched']);
      // Stream ids increase, and are the same on both processes (one sequence per venue in Redis).
      const ids = client.events.map((e) => e.id!);
      expect([...ids].sort(byStreamId)).toEqual(ids);
    }
    expect(onA.events.map((e) => e.id)).toEqual(onB.events.map((e) => e.id));

    // The data is byte for byte the body the webhook receives for the same message.
    await waitFor(async () => receiver.requests.length >= 1, { what: 'the sale.matched webhook' });
    expect(onA.events.find((e) => e.event === 'sale.matched')!.data).toBe(receiver.requests[0]!.body);
  });

  it('replays what a reconnect with Last-Event-ID missed, then goes on live', async () => {
    const first = await stream(urlA);
    await book(a, key, '18:00');
    const [seen] = await first.waitForEvents(1, 'booking.created');
    const lastId = first.lastEventId!;
    first.close();

    // Missed while away, made through the other process.
    const missed = [await book(b, key, '18:15'), await book(b, key, '18:30')];
    const buffered = async () => JSON.stringify(await a.composed.deps.redis.xrange(liveStreamKey(a.composed.deps.keyPrefix, venue.id), '-', '+'));
    await waitFor(async () => {
      const text = await buffered();
      return missed.every((m) => text.includes(m.id));
    }, { what: 'the missed events in the buffer' });

    const again = await stream(urlB, { ...bearer(key), 'Last-Event-ID': lastId });
    const replayed = await again.waitForEvents(2, 'booking.created');
    expect(replayed.map((x) => x.data.id)).toEqual(missed.map((m) => m.id));
    expect(replayed.map((x) => x.id)).not.toContain(seen.id);
    expect(again.events.map((e) => e.event)).toEqual(['customer.created', 'booking.created', 'customer.created', 'booking.created']);
    // …then live.
    const live = await book(a, key, '18:45');
    expect((await again.waitForEvents(3, 'booking.created'))[2].data.id).toBe(live.id);

    // A stream that saw no event resumes from its first id line (here through the query parameter).
    const quiet = await stream(urlA);
    await waitFor(async () => quiet.lastEventId !== null, { what: 'the first id line' });
    quiet.close();
    const meanwhile = await book(b, key, '20:00');
    const resumed = await stream(urlA, bearer(key), `?last_event_id=${encodeURIComponent(quiet.lastEventId!)}`);
    expect((await resumed.waitForEvents(1, 'booking.created'))[0].data.id).toBe(meanwhile.id);

    // An id older than the replay window: told to reload, then live from now.
    const stale = await stream(urlA, { ...bearer(key), 'Last-Event-ID': '1-0' });
    await waitFor(async () => stale.events.some((e) => e.event === 'reset'), { what: 'a reset event' });
    expect(stale.events.filter((e) => e.event !== 'reset')).toEqual([]);
  });

  it('answers 401 without credentials, 403 without bookings:read, and serves a venue session; another venue never shows', async () => {
    expect(await refusedStream(`${urlA}/api/v1/stream`)).toMatchObject({ status: 401, body: { error: { code: 'invalid_api_key' } } });
    expect(await refusedStream(`${urlA}/api/v1/stream`, { Cookie: 'ts_session=nope' })).toMatchObject({ status: 401 });
    const salesOnly = await createApiKey(a, venue.id, ['sales:read']);
    expect(await refusedStream(`${urlA}/api/v1/stream`, bearer(salesOnly))).toMatchObject({
      status: 403, body: { error: { code: 'insufficient_scope', details: { required_scope: 'bookings:read' } } },
    });

    // A host of another venue, signed in with the cookie (no CSRF token: a GET).
    const other = await createVenue(a);
    const otherKey = await createApiKey(a, other.id);
    const host = await createUser(a, other.id, 'host');
    const session = await signIn(a.composed.app!, host.email);
    const theirs = await stream(urlB, { Cookie: session.cookie });
    expect(theirs.status).toBe(200);
    const ours = await stream(urlA);
    await waitFor(async () => theirs.lastEventId !== null && ours.lastEventId !== null, { what: 'both streams to start' });

    const mine = await book(a, key, '21:00');
    const foreign = await book(b, otherKey, '21:00');
    expect((await theirs.waitForEvents(1, 'booking.created'))[0].data.id).toBe(foreign.id);
    expect((await ours.waitForEvents(1, 'booking.created'))[0].data.id).toBe(mine.id);
    // By now each has had its own venue's events, and nothing of the other's.
    expect(theirs.bodies().every((x) => JSON.stringify(x.data).includes(mine.id) === false)).toBe(true);
    expect(ours.bodies().map((x) => x.data.id)).not.toContain(foreign.id);
    expect(theirs.bodies('booking.created').map((x) => x.data.id)).toEqual([foreign.id]);
  });

  it('sends heartbeats, forgets a client that closed, and ends every stream on stop (SIGTERM)', async () => {
    const hub = b.composed.deps.liveHub!;
    await waitFor(async () => hub.size === 0, { what: 'earlier clients to be gone' });
    const before = hub.size;
    const client = await stream(urlB);
    await waitFor(async () => client.comments.includes('keep-alive'), { what: 'a heartbeat comment' });
    expect(hub.size).toBe(before + 1);
    client.close();
    await waitFor(async () => hub.size === before, { what: 'the closed client to be dropped' });

    const held = await stream(urlB);
    await waitFor(async () => held.lastEventId !== null, { what: 'the stream to start' });
    const t0 = Date.now();
    await b.composed.stop();
    expect(Date.now() - t0).toBeLessThan(5000);
    await waitFor(async () => held.ended, { what: 'the stream to end' });
    expect(hub.size).toBe(0);
  });
});

function byStreamId(x: string, y: string): number {
  const [xm, xs] = x.split('-').map(BigInt) as [bigint, bigint];
  const [ym, ys] = y.split('-').map(BigInt) as [bigint, bigint];
  return xm === ym ? Number(xs - ys) : xm < ym ? -1 : 1;
}
