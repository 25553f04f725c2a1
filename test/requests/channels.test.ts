import { DateTime } from 'luxon';
import type { Operation } from '../../src/surfaces/http/operation';
import { ADMIN, INTEGRATOR_API } from '../../src/surfaces/surfaces';
import { ALL_SCOPES, createApiKey, createVenue, type CreatedVenue } from '../helpers/fixtures';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';

const day = (n: number) => DateTime.now().setZone('Europe/London').plus({ days: n }).toISODate()!;

/** What a channel key may call (CONTRACT §15); everything else it meets is 403 scope_violation. */
const OPEN_TO_CHANNELS = ['getVenue', 'listServices', 'listEvents', 'getAvailability', 'listBookings', 'createBooking', 'getBooking', 'updateBooking'];

/** Booking channels (CONTRACT §11, §15 "Channels"). */
describe('channel keys', () => {
  let t: TestApp;
  let a: CreatedVenue; // grants channel X (can_book) and Y (can_book)
  let b: CreatedVenue; // grants X with can_book false
  let c: CreatedVenue; // grants nobody
  let venueKeyA: string;
  let x: { id: string; name: string; key: string };
  let y: { id: string; name: string; key: string };

  const makeChannel = async () => {
    const name = uniq('concierge');
    const created = await t.admin('post', '/admin/v1/channels').send({ name });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^chn_/), name });
    const key = await t.admin('post', `/admin/v1/channels/${created.body.id}/api-keys`).send({ name: 'Production', rate_limit_per_minute: 1000 });
    expect(key.status).toBe(201);
    expect(key.body).toMatchObject({ id: expect.stringMatching(/^chk_/), key: expect.stringMatching(/^ts_live_/), name: 'Production' });
    return { id: created.body.id as string, name, key: key.body.key as string };
  };
  const grant = (venueId: string, channelId: string, canBook: boolean) =>
    t.admin('put', `/admin/v1/venues/${venueId}/channels/${channelId}`).send({ can_book: canBook });
  /** A call with a channel key at a venue (by query parameter). */
  const as = (ch: { key: string }, method: 'get' | 'post' | 'patch', path: string, venueId: string | null) => {
    const sep = path.includes('?') ? '&' : '?';
    return t.http[method](`/api/v1${path}${venueId ? `${sep}venue_id=${venueId}` : ''}`).set('Authorization', `Bearer ${ch.key}`);
  };
  const bookingBody = (extra: Record<string, unknown> = {}) => ({ date: day(6), time: '19:00', party_size: 2, customer_name: 'Grace Hopper', email: 'grace@example.com', ...extra });

  beforeAll(async () => {
    t = await startTestApp();
    [a, b, c] = [await createVenue(t), await createVenue(t), await createVenue(t)];
    venueKeyA = await createApiKey(t, a.id, [...ALL_SCOPES, 'venue:write']);
    x = await makeChannel();
    y = await makeChannel();
    await grant(a.id, x.id, true).expect(200);
    await grant(b.id, x.id, false).expect(200);
    await grant(a.id, y.id, true).expect(200);
  });
  afterAll(() => t.stop());

  describe('the admin API', () => {
    it('grants with 200 (PUT again changes can_book), withdraws with 204, and answers bad input with its 4xx', async () => {
      const ch = await makeChannel();
      const put = await grant(c.id, ch.id, true);
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ venue_id: c.id, channel_id: ch.id, can_book: true });
      expect((await grant(c.id, ch.id, false)).body).toMatchObject({ can_book: false });
      await t.admin('delete', `/admin/v1/venues/${c.id}/channels/${ch.id}`).expect(204);
      await t.admin('delete', `/admin/v1/venues/${c.id}/channels/${ch.id}`).expect(404);

      expect((await t.admin('post', '/admin/v1/channels').send({})).body.error.code).toBe('validation_error');
      expect((await t.admin('post', '/admin/v1/channels').send({ name: 'x'.repeat(101) })).status).toBe(400);
      expect((await t.admin('post', '/admin/v1/channels/chn_nope/api-keys').send({ name: 'k' })).status).toBe(404);
      expect((await grant('ven_nope', ch.id, true)).status).toBe(404);
      expect((await grant(c.id, 'chn_nope', true)).status).toBe(404);
      expect((await t.admin('put', `/admin/v1/venues/${c.id}/channels/${ch.id}`).send({ can_book: 'yes' })).status).toBe(400);
      // Without the admin token: 401.
      expect((await t.http.post('/admin/v1/channels').send({ name: 'n' })).status).toBe(401);
    });

    it('revokes a channel key at once', async () => {
      const ch = await makeChannel();
      await grant(a.id, ch.id, true).expect(200);
      const second = await t.admin('post', `/admin/v1/channels/${ch.id}/api-keys`).send({ name: 'second' }).expect(201);
      expect((await as({ key: second.body.key }, 'get', '/venue', a.id)).status).toBe(200);
      await t.admin('delete', `/admin/v1/channels/${ch.id}/api-keys/${second.body.id}`).expect(204);
      const res = await as({ key: second.body.key }, 'get', '/venue', a.id);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_api_key');
      expect((await as(ch, 'get', '/venue', a.id)).status).toBe(200);
      await t.admin('delete', `/admin/v1/channels/${y.id}/api-keys/${second.body.id}`).expect(404);
    });
  });

  describe('naming the venue', () => {
    it('400 validation_error without a venue; 403 scope_violation at a venue that has not granted it (or does not exist)', async () => {
      const none = await as(x, 'get', '/venue', null);
      expect(none.status).toBe(400);
      expect(none.body.error).toMatchObject({ code: 'validation_error', details: { field: 'venue_id' } });
      for (const venueId of [c.id, 'ven_doesnotexist']) {
        const res = await as(x, 'get', '/venue', venueId);
        expect(res.status).toBe(403);
        expect(res.body.error).toMatchObject({ code: 'scope_violation', details: { venue_id: venueId } });
      }
      // Nothing is created at an ungranted venue.
      const post = await as(x, 'post', '/bookings', c.id).send(bookingBody());
      expect(post.status).toBe(403);
      const list = await t.http.get(`/api/v1/bookings?date=${day(6)}`).set('Authorization', `Bearer ${await createApiKey(t, c.id)}`);
      expect(list.body.data).toEqual([]);
    });

    it('takes the Tablesync-Venue header as well; the two must agree', async () => {
      const res = await t.http.get('/api/v1/venue').set('Authorization', `Bearer ${x.key}`).set('Tablesync-Venue', a.id);
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(a.id);
      const both = await t.http.get(`/api/v1/venue?venue_id=${b.id}`).set('Authorization', `Bearer ${x.key}`).set('Tablesync-Venue', a.id);
      expect(both.status).toBe(400);
      // The parameter is the access layer's: the operation's own query still validates the rest.
      const avail = await as(x, 'get', `/availability?date=${day(6)}&party_size=2`, a.id);
      expect(avail.status).toBe(200);
      expect(avail.body.slots.length).toBeGreaterThan(0);
      expect((await as(x, 'get', `/availability?date=${day(6)}&party_size=2&bogus=1`, a.id)).status).toBe(400);
    });

    it('works on the starter plan (plan gating is for venue keys)', async () => {
      const starter = await createVenue(t, { plan: 'starter' });
      await grant(starter.id, x.id, true).expect(200);
      expect((await as(x, 'get', '/venue', starter.id)).status).toBe(200);
      expect((await as(x, 'post', '/bookings', starter.id).send(bookingBody())).status).toBe(201);
    });
  });

  describe('bookings', () => {
    it('books as channel:<name>; at a can_book false venue every booking is a request', async () => {
      const booked = await as(x, 'post', '/bookings', a.id).send(bookingBody());
      expect(booked.status).toBe(201);
      expect(booked.body).toMatchObject({ status: 'confirmed', source: `channel:${x.name}`, venue_id: a.id });
      // The guest's name only: not the email or phone the venue keeps, and no sales.
      expect(booked.body.customer).toEqual({ id: expect.any(String), name: 'Grace Hopper' });
      const requested = await as(x, 'post', '/bookings', b.id).send(bookingBody());
      expect(requested.status).toBe(201);
      expect(requested.body).toMatchObject({ status: 'requested', source: `channel:${x.name}`, venue_id: b.id });
      expect(requested.body.expires_at).toEqual(expect.any(String));
      // The venue sees them in full.
      const seen = await t.http.get(`/api/v1/bookings/${booked.body.id}`).set('Authorization', `Bearer ${venueKeyA}`).expect(200);
      expect(seen.body).toMatchObject({ source: `channel:${x.name}`, customer: { email: 'grace@example.com' }, sales: [] });
    });

    it("binds channel keys by the venue's rules: party size, booking window, max_instant_party_size, requires_approval", async () => {
      const v = await createVenue(t);
      const key = await createApiKey(t, v.id, ['venue:read', 'venue:write']);
      await grant(v.id, x.id, true).expect(200);
      await t.http.patch('/api/v1/venue').set('Authorization', `Bearer ${key}`)
        .send({ settings: { party_size: { min: 2, max: 6 }, max_instant_party_size: 4, booking_window_days: 10 } }).expect(200);
      const tooBig = await as(x, 'post', '/bookings', v.id).send(bookingBody({ party_size: 7 }));
      expect(tooBig.status).toBe(400);
      expect(tooBig.body.error).toMatchObject({ code: 'validation_error', details: { field: 'party_size', min: 2, max: 6 } });
      expect((await as(x, 'post', '/bookings', v.id).send(bookingBody({ party_size: 1 }))).status).toBe(400);
      const far = await as(x, 'post', '/bookings', v.id).send(bookingBody({ date: day(11) }));
      expect(far.status).toBe(422);
      expect(far.body.error).toMatchObject({ code: 'slot_unavailable', details: { reason: 'beyond_booking_window' } });
      const big = await as(x, 'post', '/bookings', v.id).send(bookingBody({ party_size: 5 }));
      expect(big.status).toBe(201);
      expect(big.body.status).toBe('requested');
      const small = await as(x, 'post', '/bookings', v.id).send(bookingBody({ party_size: 4, time: '20:00' }));
      expect(small.body.status).toBe('confirmed');
      // The venue's own key is not bound by them.
      const own = await t.http.post('/api/v1/bookings').set('Authorization', `Bearer ${await createApiKey(t, v.id)}`)
        .send(bookingBody({ party_size: 6, date: day(20), time: '18:00' }));
      expect(own.body.status).toBe('confirmed');
      // A service that requires approval: requests.
      await t.http.patch(`/api/v1/services/${v.json.services[0].id}`).set('Authorization', `Bearer ${key}`).send({ requires_approval: true }).expect(200);
      const approval = await as(x, 'post', '/bookings', v.id).send(bookingBody({ party_size: 2, time: '21:00' }));
      expect(approval.body.status).toBe('requested');
      // Moving a confirmed booking to a party the rules would send for approval is refused.
      const grow = await as(x, 'patch', `/bookings/${small.body.id}`, v.id).send({ party_size: 5 });
      expect(grow.status).toBe(422);
      expect(grow.body.error.code).toBe('approval_required');
      expect((await as(x, 'patch', `/bookings/${small.body.id}`, v.id).send({ party_size: 7 })).status).toBe(400);
    });

    it('caps bookings per guest email and day (max_bookings_per_email_per_day), per channel', async () => {
      const v = await createVenue(t);
      await grant(v.id, x.id, true).expect(200);
      await grant(v.id, y.id, true).expect(200);
      await t.http.patch('/api/v1/venue').set('Authorization', `Bearer ${await createApiKey(t, v.id, ['venue:write'])}`)
        .send({ settings: { max_bookings_per_email_per_day: 2 } }).expect(200);
      const email = `${uniq('cap')}@example.com`;
      const first = await as(x, 'post', '/bookings', v.id).send(bookingBody({ email, time: '17:00' })).expect(201);
      await as(x, 'post', '/bookings', v.id).send(bookingBody({ email: email.toUpperCase(), time: '18:00' })).expect(201);
      const third = await as(x, 'post', '/bookings', v.id).send(bookingBody({ email, time: '19:00' }));
      expect(third.status).toBe(429);
      expect(third.body.error).toMatchObject({ code: 'rate_limited', details: { reason: 'max_bookings_per_email_per_day', limit: 2 } });
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      // Another channel counts its own; a cancelled booking no longer counts.
      await as(y, 'post', '/bookings', v.id).send(bookingBody({ email, time: '20:00' })).expect(201);
      await as(x, 'patch', `/bookings/${first.body.id}`, v.id).send({ status: 'cancelled' }).expect(200);
      await as(x, 'post', '/bookings', v.id).send(bookingBody({ email, time: '19:00' })).expect(201);
    });

    it("sees only its own bookings: another channel's or the venue's are 404, in lists too", async () => {
      const mine = (await as(x, 'post', '/bookings', a.id).send(bookingBody({ date: day(7) })).expect(201)).body;
      const theirs = (await as(y, 'post', '/bookings', a.id).send(bookingBody({ date: day(7), time: '20:00' })).expect(201)).body;
      const venues = (await t.http.post('/api/v1/bookings').set('Authorization', `Bearer ${venueKeyA}`)
        .send(bookingBody({ date: day(7), time: '21:00' })).expect(201)).body;

      const listX = await as(x, 'get', `/bookings?date=${day(7)}`, a.id).expect(200);
      expect(listX.body.data.map((bk: { id: string }) => bk.id)).toEqual([mine.id]);
      expect(listX.body.data[0].customer).toEqual({ id: expect.any(String), name: 'Grace Hopper' });
      const listY = await as(y, 'get', `/bookings?date=${day(7)}`, a.id).expect(200);
      expect(listY.body.data.map((bk: { id: string }) => bk.id)).toEqual([theirs.id]);
      const all = await t.http.get(`/api/v1/bookings?date=${day(7)}`).set('Authorization', `Bearer ${venueKeyA}`).expect(200);
      expect(all.body.data).toHaveLength(3);

      for (const other of [theirs, venues]) {
        for (const ref of [other.id, other.reference]) {
          expect((await as(x, 'get', `/bookings/${ref}`, a.id)).status).toBe(404);
          const patch = await as(x, 'patch', `/bookings/${ref}`, a.id).send({ status: 'cancelled' });
          expect(patch.status).toBe(404);
          expect(patch.body.error.code).toBe('not_found');
        }
      }
      // Its own booking, named at another venue it may use: not there.
      expect((await as(x, 'get', `/bookings/${mine.id}`, b.id)).status).toBe(404);
      const untouched = await t.http.get(`/api/v1/bookings/${theirs.id}`).set('Authorization', `Bearer ${venueKeyA}`).expect(200);
      expect(untouched.body).toMatchObject({ status: 'confirmed', version: 1 });
      const detail = await as(x, 'get', `/bookings/${mine.reference}`, a.id).expect(200);
      expect(detail.body.id).toBe(mine.id);
      expect(detail.body.sales).toBeUndefined();

      // The documented 200 of GET /bookings/:id requires nothing the channel's view leaves out.
      const doc = (await t.http.get('/api/v1/openapi').expect(200)).body;
      type Schema = { $ref?: string; allOf?: Schema[]; required?: string[] };
      const resolve = (s: Schema): Schema => (s.$ref ? resolve(doc.components.schemas[s.$ref.split('/').pop() as string]) : s);
      const required = (s: Schema): string[] => { const r = resolve(s); return [...(r.required ?? []), ...(r.allOf ?? []).flatMap(required)]; };
      const documented = (Object.entries(doc.paths).find(([path]) => /\/bookings\/\{[a-z_]+\}$/.test(path)) as [string, { get: { responses: Record<string, { content: Record<string, { schema: Schema }> }> } }])[1].get.responses['200'].content['application/json'].schema as Schema;
      const needed = required(documented);
      expect(needed).toContain('id');
      expect(needed.filter((field) => !(field in detail.body))).toEqual([]);
    });

    it('moves and cancels its own bookings; approving, declining or seating is the venue\'s (403 scope_violation)', async () => {
      const req = (await as(x, 'post', '/bookings', b.id).send(bookingBody({ date: day(8) })).expect(201)).body;
      expect(req.status).toBe('requested');
      for (const status of ['confirmed', 'declined', 'seated', 'no_show']) {
        const res = await as(x, 'patch', `/bookings/${req.id}`, b.id).send({ status });
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('scope_violation');
      }
      const moved = await as(x, 'patch', `/bookings/${req.id}`, b.id).send({ time: '20:30' });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ status: 'requested', time: '20:30', version: 2 });
      const cancelled = await as(x, 'patch', `/bookings/${req.id}`, b.id).send({ status: 'cancelled' });
      expect(cancelled.body).toMatchObject({ status: 'cancelled', version: 3 });
    });

    it('an Idempotency-Key is per venue too: the same key and body at another venue is not a replay of the first', async () => {
      const headers = { 'Idempotency-Key': uniq('idem') };
      const first = await as(x, 'post', '/bookings', a.id).set(headers).send(bookingBody({ date: day(9) })).expect(201);
      const again = await as(x, 'post', '/bookings', a.id).set(headers).send(bookingBody({ date: day(9) })).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.id).toBe(first.body.id);
      const elsewhere = await as(x, 'post', '/bookings', b.id).set(headers).send(bookingBody({ date: day(9) }));
      expect(elsewhere.status).toBe(422);
      expect(elsewhere.body.error.code).toBe('idempotency_key_reused');
    });
  });

  describe('isolation on every route', () => {
    const concrete = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => `${name}_x`);

    it('opens exactly the operations the contract gives channels (a new route is closed unless it says otherwise)', () => {
      const open = INTEGRATOR_API.operations.filter((op) => (op as Operation & { channels?: boolean }).channels).map((op) => op.id);
      expect(open.sort()).toEqual([...OPEN_TO_CHANNELS].sort());
      for (const op of ADMIN.operations) expect((op as Operation & { channels?: boolean }).channels).toBeFalsy();
    });

    it.each(INTEGRATOR_API.operations.filter((op) => op.auth === 'apiKey' || op.auth === 'session').map((op) => [op.id, op] as const))(
      '%s: a channel key gets 403 scope_violation unless the operation is open to channels',
      async (_id, op) => {
        const res = await as(x, op.method as 'get', concrete(op.path), a.id).send(op.method === 'get' ? undefined : {});
        if (OPEN_TO_CHANNELS.includes(op.id)) {
          expect(res.status).not.toBe(401);
          expect(res.body.error?.code).not.toBe('scope_violation');
          expect(res.body.error?.code).not.toBe('insufficient_scope');
        } else {
          expect(res.status).toBe(403);
          expect(res.body.error.code).toBe('scope_violation');
        }
      },
    );

    it.each(ADMIN.operations.map((op) => [`${op.method.toUpperCase()} ${op.path}`, op] as const))(
      'admin %s: 403 scope_violation for a channel key',
      async (_name, op) => {
        const res = await t.http[op.method](`/admin/v1${concrete(op.path)}`).set('Authorization', `Bearer ${x.key}`).send(op.method === 'get' ? undefined : {});
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('scope_violation');
      },
    );

    it('the OpenAPI document describes channel keys as a second bearer scheme, listed by exactly the operations open to them', async () => {
      const doc = (await t.http.get('/api/v1/openapi').expect(200)).body;
      expect(doc.components.securitySchemes.channelKey).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(doc.components.securitySchemes.channelKey.description).toContain('scope_violation');
      const listing: string[] = [];
      for (const item of Object.values(doc.paths) as Record<string, { operationId: string; security?: Record<string, string[]>[]; parameters?: { $ref?: string }[] }>[]) {
        for (const op of Object.values(item)) {
          if (op.security?.some((s) => 'channelKey' in s)) {
            listing.push(op.operationId);
            expect(op.parameters).toEqual(expect.arrayContaining([{ $ref: '#/components/parameters/ChannelVenue' }]));
          }
        }
      }
      expect(listing.sort()).toEqual([...OPEN_TO_CHANNELS].sort());
    });

    it('another path under /api/v1 is still a 404', async () => {
      const res = await as(x, 'get', '/no-such-route', a.id);
      expect(res.status).toBe(404);
    });
  });

  describe('withdrawal', () => {
    it('takes effect at once in every process (the key cache hears of it)', async () => {
      const other = await startTestApp({ ROLE: 'api', REDIS_PREFIX: t.config.redisPrefix });
      try {
        const ch = await makeChannel();
        await grant(a.id, ch.id, true).expect(200);
        const get = () => other.http.get(`/api/v1/venue?venue_id=${a.id}`).set('Authorization', `Bearer ${ch.key}`);
        for (let i = 0; i < 3; i++) expect((await get()).status).toBe(200);
        // can_book false: the next booking there is a request, in the other process too.
        await grant(a.id, ch.id, false).expect(200);
        const req = await other.http.post(`/api/v1/bookings?venue_id=${a.id}`).set('Authorization', `Bearer ${ch.key}`).send(bookingBody({ date: day(12) }));
        expect(req.body.status).toBe('requested');
        await t.admin('delete', `/admin/v1/venues/${a.id}/channels/${ch.id}`).expect(204);
        const res = await get();
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('scope_violation');
        // Its booking stays in the venue's diary.
        const kept = await t.http.get(`/api/v1/bookings/${req.body.id}`).set('Authorization', `Bearer ${venueKeyA}`);
        expect(kept.body).toMatchObject({ status: 'requested', source: `channel:${ch.name}` });
      } finally {
        await other.stop();
      }
    });
  });
});
