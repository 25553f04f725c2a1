import { DateTime } from 'luxon';
import { inviteCompletedBookings, type ReviewInvitation } from '../../src/modules/reviews';
import { createApiKey, createVenue, type CreatedVenue } from '../helpers/fixtures';
import { expectError } from '../helpers/people';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createOwnDatabase } from '../outbound/outbound-helpers';

const TZ = 'Europe/London';
const day = (days: number): string => DateTime.now().setZone(TZ).plus({ days }).toISODate()!;

describe('reviews (CONTRACT §11): invitation on completion, one verified review, moderation, public list', () => {
  let t: TestApp;
  let venue: CreatedVenue;
  let key: string;
  let readOnly: string;
  let slot = 0;
  const api = (method: 'get' | 'post' | 'patch', path: string, k = key) => t.http[method](`/api/v1${path}`).set('Authorization', `Bearer ${k}`);
  const q = async <T = any>(sql: string, params: unknown[] = []): Promise<T[]> => (await t.composed.deps.dataSource.query(sql, params)) as T[];

  /** A booking walked to `completed` through the API; returns its id. */
  async function completedBooking(name = 'Robin Hood', email: string | null = 'robin@example.com'): Promise<string> {
    slot++;
    const res = await api('post', '/bookings').send({ customer_name: name, party_size: 2, date: day(1 + slot), time: '19:00', ...(email ? { email } : {}) });
    expect(res.status).toBe(201);
    await api('patch', `/bookings/${res.body.id}`).send({ status: 'seated' }).expect(200);
    await api('patch', `/bookings/${res.body.id}`).send({ status: 'completed' }).expect(200);
    return res.body.id as string;
  }

  /** Runs the invitation step over the booking's outbox rows; returns what it would email. */
  async function invite(bookingId: string): Promise<ReviewInvitation[]> {
    const rows = await q<{ venue_id: string; event: string; payload: string }>('SELECT venue_id, event, payload FROM outbox WHERE resource_id = ? ORDER BY id', [bookingId]);
    const sent: ReviewInvitation[] = [];
    await inviteCompletedBookings(t.composed.deps.dataSource, rows, async (_tx, inv) => { sent.push(inv); });
    return sent;
  }

  let db: { url: string; drop: () => Promise<void> };
  beforeAll(async () => {
    // The test runs the invitation step itself: no outbox relay may take its rows first (every app's relay
    // invites completed bookings, src/modules/events/relay.ts), hence the api role and a database of its own.
    db = await createOwnDatabase();
    t = await startTestApp({ ROLE: 'api', DATABASE_URL: db.url });
    venue = await createVenue(t);
    key = await createApiKey(t, venue.id);
    readOnly = await createApiKey(t, venue.id, ['customers:read']);
  });
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('invites a completed booking once, however often its rows are relayed; the token is stored only as a hash', async () => {
    const bookingId = await completedBooking();
    const first = await invite(bookingId);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ venueId: venue.id, bookingId, to: 'robin@example.com', guestName: 'Robin Hood' });
    expect(Buffer.from(first[0]!.token, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(first[0]!.expiresAt.getTime() - Date.now()).toBeGreaterThan(29 * 24 * 3600 * 1000);
    expect(await invite(bookingId)).toHaveLength(0);
    const stored = await q('SELECT token_hash FROM review_invitations WHERE booking_id = ?', [bookingId]);
    expect(stored).toHaveLength(1);
    expect(stored[0].token_hash).not.toContain(first[0]!.token);
  });

  it('does not invite a booking that is not completed, or one without a guest email', async () => {
    const seated = await api('post', '/bookings').send({ customer_name: 'Sam Seated', party_size: 2, date: day(4), time: '19:00', email: 's@example.com' });
    await api('patch', `/bookings/${seated.body.id}`).send({ status: 'seated' }).expect(200);
    expect(await invite(seated.body.id)).toHaveLength(0);
    expect(await invite(await completedBooking('No Email', null))).toHaveLength(0);
  });

  it('takes one review per booking: 201 published and verified, a second is 409, a wrong token 404', async () => {
    const bookingId = await completedBooking('Robin Hood', 'robin2@example.com');
    const [inv] = await invite(bookingId);
    const res = await t.http.post(`/api/v1/public/reviews/${inv!.token}`).send({ rating: 5, title: 'Lovely', content: 'Superb fish.' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ rating: 5, title: 'Lovely', content: 'Superb fish.', author: 'Robin H.', verified: true, reply: null });
    expect(res.body).not.toHaveProperty('id');
    expectError(await t.http.post(`/api/v1/public/reviews/${inv!.token}`).send({ rating: 1 }), 409, 'conflict');
    expectError(await t.http.post('/api/v1/public/reviews/not-a-real-token-aaaaaaaaaaaa').send({ rating: 4 }), 404, 'not_found');
    const [posted] = await q("SELECT payload FROM outbox WHERE venue_id = ? AND event = 'review.posted'", [venue.id]);
    const data = typeof posted.payload === 'string' ? JSON.parse(posted.payload) : posted.payload;
    expect(data).toMatchObject({ booking_id: bookingId, rating: 5, status: 'published', verified: true });
  });

  it.each([
    [{ rating: 0 }], [{ rating: 6 }], [{ rating: 4.5 }], [{}], [{ rating: 3, title: 'x'.repeat(201) }], [{ rating: 3, extra: true }],
  ])('refuses %j with 400 validation_error and keeps the invitation usable', async (body) => {
    const [inv] = await invite(await completedBooking('Ann Other', `ann${slot}@example.com`));
    expectError(await t.http.post(`/api/v1/public/reviews/${inv!.token}`).send(body), 400, 'validation_error');
    expect((await t.http.post(`/api/v1/public/reviews/${inv!.token}`).send({ rating: 3 })).status).toBe(201);
  });

  it('an expired invitation is 404', async () => {
    const bookingId = await completedBooking('Late Larry', 'larry@example.com');
    const [inv] = await invite(bookingId);
    await q('UPDATE review_invitations SET expires_at = ? WHERE booking_id = ?', [new Date(Date.now() - 1000), bookingId]);
    expectError(await t.http.post(`/api/v1/public/reviews/${inv!.token}`).send({ rating: 4 }), 404, 'not_found');
  });

  it('moderation keeps new reviews pending until published; the venue replies; the public list counts published only', async () => {
    const other = await createVenue(t);
    const otherKey = await createApiKey(t, other.id);
    await t.admin('patch', `/admin/v1/venues/${other.id}`).send({ settings: { review_moderation: true } }).expect(200);
    const made = await api('post', '/bookings', otherKey).send({ customer_name: 'Mo Derate', party_size: 2, date: day(3), time: '19:00', email: 'mo@example.com' });
    await api('patch', `/bookings/${made.body.id}`, otherKey).send({ status: 'seated' }).expect(200);
    await api('patch', `/bookings/${made.body.id}`, otherKey).send({ status: 'completed' }).expect(200);
    const [inv] = await invite(made.body.id);
    await t.http.post(`/api/v1/public/reviews/${inv!.token}`).send({ rating: 2, content: 'Slow.' }).expect(201);

    const slug = other.body.slug as string;
    const before = await t.http.get(`/api/v1/public/venues/${slug}/reviews`).expect(200);
    expect(before.body).toEqual({ data: [], average: null, count: 0, next_cursor: null });
    const listed = await api('get', '/reviews?status=pending', otherKey).expect(200);
    expect(listed.body.data).toHaveLength(1);
    const id = listed.body.data[0].id as string;
    expectError(await api('patch', `/reviews/${id}`, key).send({ status: 'published' }), 404, 'not_found'); // another venue's key
    const published = await api('patch', `/reviews/${id}`, otherKey).send({ status: 'published', reply: 'Sorry — we were short-staffed.' });
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ status: 'published', reply: { text: 'Sorry — we were short-staffed.', created_at: expect.any(String) } });
    const after = await t.http.get(`/api/v1/public/venues/${slug}/reviews`).expect(200);
    expect(after.body).toMatchObject({ average: 2, count: 1, next_cursor: null });
    expect(after.body.data[0]).toEqual({
      rating: 2, title: null, content: 'Slow.', author: 'Mo D.', verified: true, created_at: expect.any(String),
      reply: { text: 'Sorry — we were short-staffed.', created_at: expect.any(String) },
    });
    await api('patch', `/reviews/${id}`, otherKey).send({ status: 'hidden' }).expect(200);
    expect((await t.http.get(`/api/v1/public/venues/${slug}/reviews`)).body.count).toBe(0);
  });

  it('venue side: scopes, pages, 404s, bad patches', async () => {
    expectError(await api('get', '/reviews', await createApiKey(t, venue.id, ['venue:read'])), 403, 'insufficient_scope');
    expectError(await api('patch', '/reviews/rv_nope', key).send({ status: 'hidden' }), 404, 'not_found');
    expectError(await api('patch', '/reviews/rv_nope', key).send({ status: 'pending' }), 400, 'validation_error');
    const page = await api('get', '/reviews?limit=2', readOnly).expect(200);
    expect(page.body.data).toHaveLength(2);
    expect(page.body.next_cursor).toEqual(expect.any(String));
    const next = await api('get', `/reviews?limit=2&cursor=${page.body.next_cursor}`, readOnly).expect(200);
    expect(next.body.data[0].id < page.body.data[1].id).toBe(true);
    expectError(await t.http.get('/api/v1/public/venues/no-such-venue/reviews'), 404, 'not_found');
  });
});
