import { DateTime } from 'luxon';
import { expireRequest } from '../../src/modules/diary/expire-requests';
import { rematchSalesForBooking } from '../../src/modules/sales/match-sale';
import { createApiKey, createVenue, type CreatedVenue } from '../helpers/fixtures';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';

/** Booking requests (CONTRACT §11, §15): the status machine, the held table, expires_at, approve and decline. */
describe('booking requests', () => {
  let t: TestApp;
  let venue: CreatedVenue;
  let key: string;
  const day = (n: number) => DateTime.now().setZone('Europe/London').plus({ days: n }).toISODate()!;
  const api = (method: 'get' | 'post' | 'patch', path: string, k = key) => t.http[method](`/api/v1${path}`).set('Authorization', `Bearer ${k}`);
  const request = (date: string, extra: Record<string, unknown> = {}) =>
    api('post', '/bookings').send({ date, time: '19:00', party_size: 2, customer_name: 'Robin Hood', email: 'robin@example.com', request: true, ...extra });

  beforeAll(async () => {
    t = await startTestApp();
    venue = await createVenue(t);
    key = await createApiKey(t, venue.id, ['venue:read', 'venue:write', 'bookings:read', 'bookings:write']);
  });
  afterAll(() => t.stop());

  it('creates a request: status requested, its table held, expires_at the earlier of created + hold and the start', async () => {
    // Far ahead: created + 48 h (the default hold).
    const far = await request(day(20));
    expect(far.status).toBe(201);
    expect(far.body).toMatchObject({ status: 'requested', source: 'api', decline_reason: null });
    expect(far.body.table).not.toBeNull();
    expect(Date.parse(far.body.expires_at) - Date.parse(far.body.created_at)).toBe(48 * 3600_000);

    // Starting sooner than the hold: the start.
    const soon = await request(day(1));
    expect(soon.status).toBe(201);
    expect(soon.body.expires_at).toBe(soon.body.start_at);

    // A fractional hold (venue setting): 1.5 h.
    await api('patch', '/venue').send({ settings: { request_hold_hours: 1.5 } }).expect(200);
    const short = await request(day(21));
    expect(Date.parse(short.body.expires_at) - Date.parse(short.body.created_at)).toBe(1.5 * 3600_000);
    await api('patch', '/venue').send({ settings: { request_hold_hours: 48 } }).expect(200);

    // An ordinary booking carries no expiry; the detail and the list show the request's fields too.
    const plain = await api('post', '/bookings').send({ date: day(20), time: '20:00', party_size: 2, customer_name: 'Ada' });
    expect(plain.body).toMatchObject({ status: 'confirmed', expires_at: null });
    const detail = await api('get', `/bookings/${far.body.id}`).expect(200);
    expect(detail.body).toMatchObject({ status: 'requested', expires_at: far.body.expires_at });
    const listed = await api('get', `/bookings?date=${day(20)}&status=requested`).expect(200);
    expect(listed.body.data.map((b: { id: string }) => b.id)).toEqual([far.body.id]);
  });

  it('a held request blocks the last table for a concurrent booking; declined, it frees it', async () => {
    const small = await createVenue(t, { areas: [{ name: 'Bar', tables: [{ number: 1, min_covers: 1, max_covers: 4 }] }] });
    const k = await createApiKey(t, small.id, ['bookings:read', 'bookings:write']);
    const body = (date: string, request: boolean) => ({ date, time: '19:00', party_size: 2, customer_name: request ? 'Req' : 'Walk', request });
    // Several rounds, each a request and a booking for the last table at once: exactly one gets it.
    const dates = [day(30), day(31), day(32), day(33), day(34)];
    const rounds = await Promise.all(dates.map((date) =>
      Promise.all([api('post', '/bookings', k).send(body(date, true)), api('post', '/bookings', k).send(body(date, false))])));
    let requestWon: { date: string; id: string } | null = null;
    for (const [i, pair] of rounds.entries()) {
      expect(pair.map((r) => r.status).sort()).toEqual([201, 422]);
      const loser = pair.find((r) => r.status === 422)!;
      expect(loser.body.error.code).toBe('slot_unavailable');
      const winner = pair.find((r) => r.status === 201)!;
      if (winner.body.status === 'requested') requestWon = { date: dates[i]!, id: winner.body.id };
    }
    // Make sure one date has the request holding the table (a race may have gone the booking's way everywhere).
    if (!requestWon) {
      const res = await api('post', '/bookings', k).send(body(day(35), true)).expect(201);
      requestWon = { date: day(35), id: res.body.id };
    }
    const slot = async () => (await api('get', `/availability?date=${requestWon!.date}&party_size=2`, k)).body.slots.find((s: { time: string }) => s.time === '19:00');
    expect((await slot()).available).toBe(false);
    const again = await api('post', '/bookings', k).send(body(requestWon.date, false));
    expect(again.status).toBe(422);

    const declined = await api('patch', `/bookings/${requestWon.id}`, k).send({ status: 'declined', reason: 'Private party that night.' });
    expect(declined.status).toBe(200);
    expect(declined.body).toMatchObject({ status: 'declined', decline_reason: 'Private party that night.' });
    expect((await slot()).available).toBe(true);
    await api('post', '/bookings', k).send(body(requestWon.date, false)).expect(201);
  });

  it('approves with {status: "confirmed"}: a booking like any other, nothing expires any more', async () => {
    const req = await request(day(22)).expect(201);
    const approved = await api('patch', `/bookings/${req.body.id}`).send({ status: 'confirmed' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'confirmed', expires_at: null, version: 2, table: req.body.table });
    // On from there as a booking; never back to a request.
    await api('patch', `/bookings/${req.body.id}`).send({ status: 'declined' }).expect(422);
    await api('patch', `/bookings/${req.body.id}`).send({ status: 'requested' }).expect(422);
    await api('patch', `/bookings/${req.body.id}`).send({ status: 'seated' }).expect(200);
  });

  it('refuses every other move from requested, declined and expired (422 invalid_transition), changing nothing', async () => {
    const req = await request(day(23)).expect(201);
    for (const to of ['seated', 'completed', 'no_show', 'pending']) {
      const res = await api('patch', `/bookings/${req.body.id}`).send({ status: to });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'invalid_transition', details: { from: 'requested', to, allowed: ['confirmed', 'declined', 'expired', 'cancelled'] } });
    }
    // A reason belongs to a decline only.
    const reason = await api('patch', `/bookings/${req.body.id}`).send({ status: 'confirmed', reason: 'x' });
    expect(reason.status).toBe(400);
    expect(reason.body.error).toMatchObject({ code: 'validation_error', details: { field: 'reason' } });

    await api('patch', `/bookings/${req.body.id}`).send({ status: 'declined' }).expect(200);
    for (const to of ['confirmed', 'requested', 'cancelled', 'expired']) {
      const res = await api('patch', `/bookings/${req.body.id}`).send({ status: to });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'invalid_transition', details: { from: 'declined', to, allowed: [] } });
    }
    // A declined request cannot move either.
    const move = await api('patch', `/bookings/${req.body.id}`).send({ time: '20:00' });
    expect(move.body.error.code).toBe('booking_not_movable');
    const after = await api('get', `/bookings/${req.body.id}`).expect(200);
    expect(after.body).toMatchObject({ status: 'declined', decline_reason: null, version: 2, time: '19:00' });
  });

  it('an expired request cannot be approved; past its expires_at it cannot be approved even before the job ran', async () => {
    // Overdue but not yet swept: approval is refused as expired.
    await api('patch', '/venue').send({ settings: { request_hold_hours: 0.0001 } }).expect(200); // 0.36 s
    const overdue = await request(day(24)).expect(201);
    await api('patch', '/venue').send({ settings: { request_hold_hours: 48 } }).expect(200);
    await waitFor(async () => Date.now() > Date.parse(overdue.body.expires_at), { what: 'the request to be due' });
    const refused = await api('patch', `/bookings/${overdue.body.id}`).send({ status: 'confirmed' });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'invalid_transition', details: { from: 'expired', to: 'confirmed' } });

    // Expired (the job's own step, run here directly, unless this app's scheduled job got there first): final.
    await expireRequest(t.composed.deps.dataSource, overdue.body.id, rematchSalesForBooking);
    expect(await expireRequest(t.composed.deps.dataSource, overdue.body.id, rematchSalesForBooking)).toBe(false);
    const approve = await api('patch', `/bookings/${overdue.body.id}`).send({ status: 'confirmed' });
    expect(approve.status).toBe(422);
    expect(approve.body.error).toMatchObject({ code: 'invalid_transition', details: { from: 'expired', to: 'confirmed', allowed: [] } });
    const shown = await api('get', `/bookings/${overdue.body.id}`).expect(200);
    expect(shown.body).toMatchObject({ status: 'expired', version: 2 });
  });

  it('a request may be moved (its expiry follows an earlier start) and cancelled', async () => {
    const req = await request(day(25)).expect(201);
    const moved = await api('patch', `/bookings/${req.body.id}`).send({ date: day(1), time: '21:00' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ status: 'requested', date: day(1), time: '21:00' });
    expect(moved.body.expires_at).toBe(moved.body.start_at);
    const cancelled = await api('patch', `/bookings/${req.body.id}`).send({ status: 'cancelled' });
    expect(cancelled.body).toMatchObject({ status: 'cancelled' });
  });
});
