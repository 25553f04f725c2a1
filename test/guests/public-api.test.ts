import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { buildOpenApiDocument } from '../../src/surfaces/http/openapi/openapi-document';
import { publicOperations } from '../../src/surfaces/public-api';
import { DOCUMENTED_SURFACES } from '../../src/surfaces/surfaces';
import { createApiKey } from '../helpers/fixtures';
import { expectError } from '../helpers/people';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { book, dayAhead, guestEnv, guestVenue, tokenOf, type GuestVenue } from './guest-helpers';

/** Nothing a public answer carries may be an internal id or a table (CONTRACT §10). */
function expectNothingPrivate(body: unknown): void {
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/"(bk|cus|tbl|area|key|usr)_[0-9a-z]+"/);
  expect(text).not.toMatch(/"table(_id|_number|s)?"\s*:/);
  expect(text).not.toMatch(/"customer(_id)?"\s*:/);
}

describe('the public widget API (CONTRACT §10, §15)', () => {
  let t: TestApp;
  let v: GuestVenue;
  const settings = (venueId: string, s: Record<string, unknown>) => t.admin('patch', `/admin/v1/venues/${venueId}`).send({ settings: s });

  beforeAll(async () => {
    t = await startTestApp(guestEnv());
    v = await guestVenue(t);
  });
  afterAll(() => t.stop());

  describe('config', () => {
    it('shows the public fields only, from the venue settings', async () => {
      await settings(v.id, { policies_text: 'Deposit for 8+.', theme: { accent: '#aa3300' } }).expect(200);
      const res = await t.http.get(`/api/v1/public/venues/${v.slug}/config`).expect(200);
      expect(res.body).toMatchObject({
        name: 'The Test Kitchen', slug: v.slug, timezone: 'Europe/London', currency: 'GBP',
        party_size: { min: 1, max: 12 }, booking_window_days: 90,
        policies: { cancellation_hours: 24, text: 'Deposit for 8+.' }, theme: { accent: '#aa3300' },
      });
      expect(res.body.services).toEqual([{ id: expect.stringMatching(/^svc_/), name: 'Dinner', days: [1, 2, 3, 4, 5, 6, 7], start: '17:00', end: '23:00', requires_approval: false }]);
      expect(JSON.stringify(res.body)).not.toMatch(/tables|min_covers|max_covers|customer/);
    });

    it('is 404 for an unknown slug and for a venue with public_booking off', async () => {
      expectError(await t.http.get('/api/v1/public/venues/no-such-venue-here/config'), 404, 'not_found');
      const closed = await guestVenue(t);
      await settings(closed.id, { public_booking: false }).expect(200);
      for (const path of ['config', `availability?from=${dayAhead(1)}&to=${dayAhead(2)}&party_size=2`, 'reviews']) {
        expectError(await t.http.get(`/api/v1/public/venues/${closed.slug}/${path}`), 404, 'not_found');
      }
      expectError(await book(t, closed.slug, { date: dayAhead(3) }), 404, 'not_found');
      expectError(await t.http.post(`/api/v1/public/venues/${closed.slug}/enquiries`).send({ name: 'A', email: 'a@example.com', message: 'Hi' }), 404, 'not_found');
    });
  });

  describe('availability over a range', () => {
    it('lists each day of from..to (inclusive) with the same slots as GET /availability', async () => {
      const from = dayAhead(2);
      const to = dayAhead(4);
      // Tables 3 (2–4) and 4 (3–6) are the only ones for 4.
      await book(t, v.slug, { date: dayAhead(3), time: '19:00', party_size: 4, email: 'fill@example.com' }).expect(201);
      await book(t, v.slug, { date: dayAhead(3), time: '19:00', party_size: 4, email: 'fill2@example.com' }).expect(201);
      const res = await t.http.get(`/api/v1/public/venues/${v.slug}/availability?from=${from}&to=${to}&party_size=4`).expect(200);
      expect(res.body.party_size).toBe(4);
      expect(res.body.days.map((d: any) => d.date)).toEqual([from, dayAhead(3), to]);
      const day = await t.http.get(`/api/v1/availability?date=${dayAhead(3)}&party_size=4`).set('Authorization', `Bearer ${v.key}`).expect(200);
      expect(res.body.days[1].slots).toEqual(day.body.slots);
      expect(res.body.days[1].slots.find((s: any) => s.time === '19:00').available).toBe(false);
      expectNothingPrivate(res.body);
    });

    it('gives every day of a range exactly the slots GET /availability gives that day (late sittings, several parties)', async () => {
      const w = await guestVenue(t);
      const times = ['17:00', '18:30', '19:00', '20:45', '21:30'];
      let n = 0;
      for (let d = 1; d <= 5; d++) {
        for (const time of times.slice(0, d)) {
          for (const party of [2, 4]) {
            await t.http.post('/api/v1/bookings').set('Authorization', `Bearer ${w.key}`)
              .send({ date: dayAhead(d), time, party_size: party, customer_name: `Guest ${n++}` });
          }
        }
      }
      for (const party of [2, 4, 6]) {
        const range = await t.http.get(`/api/v1/public/venues/${w.slug}/availability?from=${dayAhead(0)}&to=${dayAhead(6)}&party_size=${party}`).expect(200);
        for (const day of range.body.days) {
          const one = await t.http.get(`/api/v1/availability?date=${day.date}&party_size=${party}`).set('Authorization', `Bearer ${w.key}`).expect(200);
          expect(`${party} ${day.date} ${JSON.stringify(day.slots)}`).toBe(`${party} ${day.date} ${JSON.stringify(one.body.slots)}`);
        }
      }
    });

    it('takes 31 days and refuses 32, a reversed range and party sizes outside the venue\'s (400 validation_error)', async () => {
      const q = (from: string, to: string, party = 2) => t.http.get(`/api/v1/public/venues/${v.slug}/availability?from=${from}&to=${to}&party_size=${party}`);
      expect((await q(dayAhead(1), dayAhead(31))).body.days).toHaveLength(31);
      expectError(await q(dayAhead(1), dayAhead(32)), 400, 'validation_error');
      expectError(await q(dayAhead(5), dayAhead(4)), 400, 'validation_error');
      expectError(await q(dayAhead(1), dayAhead(2), 13), 400, 'validation_error');
      expectError(await t.http.get(`/api/v1/public/venues/${v.slug}/availability?from=${dayAhead(1)}&party_size=2`), 400, 'validation_error');
      expectError(await q('2026-02-30', dayAhead(2)), 400, 'validation_error');
    });

    it('gives no slots for days in the past or beyond booking_window_days', async () => {
      const near = await guestVenue(t);
      await settings(near.id, { booking_window_days: 3 }).expect(200);
      const res = await t.http.get(`/api/v1/public/venues/${near.slug}/availability?from=${dayAhead(-2)}&to=${dayAhead(6)}&party_size=2`).expect(200);
      const open = res.body.days.filter((d: any) => d.slots.length > 0).map((d: any) => d.date);
      expect(open[0]! >= dayAhead(-1)).toBe(true);
      expect(open.every((d: string) => d <= dayAhead(4))).toBe(true);
      expect(res.body.days.find((d: any) => d.date === dayAhead(6)).slots).toEqual([]);
      expect(res.body.days.find((d: any) => d.date === dayAhead(-2)).slots).toEqual([]);
    });
  });

  describe('bookings', () => {
    it('books through the one writer: 201 {reference, status, date, time, party_size, manage_url}, source widget, the guest upserted by email', async () => {
      const date = dayAhead(6);
      const res = await book(t, v.slug, { date, time: '18:00', name: 'Mary Shelley', email: 'Mary@Example.com', phone: '07911 123456', notes: 'Window' }).expect(201);
      expect(Object.keys(res.body).sort()).toEqual(['date', 'manage_url', 'party_size', 'reference', 'status', 'time']);
      expect(res.body).toMatchObject({ status: 'confirmed', date, time: '18:00', party_size: 2 });
      expect(res.body.manage_url).toMatch(/^http:\/\/book\.test\/manage\/[A-Za-z0-9_-]{32}$/);
      const list = await t.http.get(`/api/v1/bookings?date=${date}`).set('Authorization', `Bearer ${v.key}`).expect(200);
      const booking = list.body.data.find((b: any) => b.reference === res.body.reference);
      expect(booking).toMatchObject({ source: 'widget', notes: 'Window', customer: { name: 'Mary Shelley', email: 'Mary@Example.com', phone: '+447911123456' } });
      const again = await book(t, v.slug, { date, time: '20:00', name: 'Mary Shelley', email: 'mary@example.com' }).expect(201);
      const list2 = await t.http.get(`/api/v1/bookings?date=${date}`).set('Authorization', `Bearer ${v.key}`).expect(200);
      expect(list2.body.data.find((b: any) => b.reference === again.body.reference).customer.id).toBe(booking.customer.id);
    });

    it('answers a full slot with 422 slot_unavailable and alternatives [{date, time}]', async () => {
      const date = dayAhead(7);
      // The 6-cover table is the only one for 5.
      await book(t, v.slug, { date, time: '19:00', party_size: 5, email: 'five@example.com' }).expect(201);
      const res = await book(t, v.slug, { date, time: '19:00', party_size: 5, email: 'five-too@example.com' });
      expectError(res, 422, 'slot_unavailable');
      expect(res.body.error.details.alternatives.length).toBeGreaterThan(0);
      for (const a of res.body.error.details.alternatives) expect(Object.keys(a).sort()).toEqual(['date', 'time']);
      expectNothingPrivate(res.body);
    });

    it('honours Idempotency-Key as POST /bookings does', async () => {
      const body = { date: dayAhead(8), time: '17:00', email: 'idem@example.com' };
      const first = await book(t, v.slug, body).set('Idempotency-Key', 'widget-key-1').expect(201);
      const replay = await book(t, v.slug, body).set('Idempotency-Key', 'widget-key-1').expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
      expectError(await book(t, v.slug, { ...body, time: '17:15' }).set('Idempotency-Key', 'widget-key-1'), 422, 'idempotency_key_reused');
      // The kept answer holds the manage link sealed, never in plain text.
      const rows = (await t.composed.deps.dataSource.query("SELECT response_body FROM idempotency_records WHERE idempotency_key = 'widget-key-1'")) as { response_body: string }[];
      expect(rows[0]!.response_body).not.toContain(tokenOf(first.body.manage_url));
    });

    it('holds the venue\'s rules: party size, past dates, the booking window, the honeypot, the per-email cap', async () => {
      const strict = await guestVenue(t);
      await settings(strict.id, { party_size: { min: 2, max: 4 }, booking_window_days: 10, max_bookings_per_email_per_day: 2 }).expect(200);
      const r1 = await book(t, strict.slug, { date: dayAhead(3), party_size: 1 });
      expectError(r1, 400, 'validation_error');
      expect(r1.body.error.details).toMatchObject({ field: 'party_size', min: 2, max: 4 });
      expectError(await book(t, strict.slug, { date: dayAhead(3), party_size: 5 }), 400, 'validation_error');
      const past = await book(t, strict.slug, { date: dayAhead(-1) });
      expectError(past, 422, 'slot_unavailable');
      expect(past.body.error.details.reason).toBe('in_past');
      const far = await book(t, strict.slug, { date: dayAhead(12) });
      expectError(far, 422, 'slot_unavailable');
      expect(far.body.error.details.reason).toBe('beyond_booking_window');
      const bot = await book(t, strict.slug, { date: dayAhead(3), website: 'http://spam.example' });
      expectError(bot, 400, 'validation_error');
      expect(bot.body.error.details.field).toBe('website');
      expect((await book(t, strict.slug, { date: dayAhead(3), website: '' })).status).toBe(201);
      expect((await book(t, strict.slug, { date: dayAhead(4), email: 'ADA@example.com' })).status).toBe(201);
      const capped = await book(t, strict.slug, { date: dayAhead(5) });
      expectError(capped, 429, 'rate_limited');
      expect(Number(capped.headers['retry-after'])).toBeGreaterThan(3600);
      expect(capped.body.error.details.reason).toBe('max_bookings_per_email_per_day');
      expect((await book(t, strict.slug, { date: dayAhead(5), email: 'other@example.com' })).status).toBe(201);
      expectError(await book(t, strict.slug, { date: dayAhead(3), email: 'not-an-email' }), 400, 'validation_error');
      expectError(await book(t, strict.slug, { date: dayAhead(3), time: '25:00' }), 400, 'validation_error');
      expectError(await book(t, strict.slug, { date: dayAhead(3), phone: '12' }), 400, 'validation_error');
    });

    it('decides request or booking in one place (§11): a party above max_instant_party_size or a service requiring approval', async () => {
      const { requestOrBooking } = await import('../../src/modules/guests');
      const venue = { settings: { max_instant_party_size: 8 } } as never;
      expect(requestOrBooking(venue, { party_size: 8 }, null)).toEqual({ kind: 'booking' });
      expect(requestOrBooking(venue, { party_size: 9 }, null)).toEqual({ kind: 'request', reason: 'party_size' });
      expect(requestOrBooking(venue, { party_size: 2 }, { requires_approval: true })).toEqual({ kind: 'request', reason: 'service_requires_approval' });
    });
  });

  describe('the manage token', () => {
    it('shows, moves and cancels the guest\'s own booking; a wrong token is 404; nothing private leaks', async () => {
      const created = await book(t, v.slug, { date: dayAhead(9), time: '18:00', email: 'manage@example.com' }).expect(201);
      const token = tokenOf(created.body.manage_url);
      const view = await t.http.get(`/api/v1/public/bookings/${token}`).expect(200);
      expect(view.body).toMatchObject({
        reference: created.body.reference, status: 'confirmed', date: dayAhead(9), time: '18:00', party_size: 2,
        venue: { name: 'The Test Kitchen', slug: v.slug, timezone: 'Europe/London' }, can_change: true, can_cancel: true,
      });
      expect(new Date(view.body.change_deadline).getTime()).toBe(new Date(view.body.start_at).getTime() - 24 * 3600_000);
      expectNothingPrivate(view.body);

      const moved = await t.http.patch(`/api/v1/public/bookings/${token}`).send({ time: '20:00', party_size: 3 }).expect(200);
      expect(moved.body).toMatchObject({ time: '20:00', party_size: 3, status: 'confirmed' });
      // The same atomic check: the 6-cover table is taken at 19:00 on that day by someone else.
      await book(t, v.slug, { date: dayAhead(9), time: '19:00', party_size: 6, email: 'big@example.com' }).expect(201);
      expectError(await t.http.patch(`/api/v1/public/bookings/${token}`).send({ time: '19:00', party_size: 6 }), 422, 'slot_unavailable');
      expectError(await t.http.patch(`/api/v1/public/bookings/${token}`).send({ party_size: 13 }), 400, 'validation_error');
      expectError(await t.http.patch(`/api/v1/public/bookings/${token}`).send({}), 400, 'validation_error');

      const cancelled = await t.http.delete(`/api/v1/public/bookings/${token}`).expect(200);
      expect(cancelled.body).toMatchObject({ status: 'cancelled', can_change: false, can_cancel: false });
      expect((await t.http.get(`/api/v1/public/bookings/${token}`).expect(200)).body.status).toBe('cancelled');
      expect((await t.http.delete(`/api/v1/public/bookings/${token}`)).status).toBe(200);
      expectError(await t.http.patch(`/api/v1/public/bookings/${token}`).send({ time: '21:00' }), 422, 'booking_not_movable');

      for (const wrong of ['x'.repeat(32), `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, 'short', created.body.reference]) {
        expectError(await t.http.get(`/api/v1/public/bookings/${wrong}`), 404, 'not_found');
        expectError(await t.http.delete(`/api/v1/public/bookings/${wrong}`), 404, 'not_found');
      }
      // A manage token is not a review token, and the venue's key sees the booking only through its own API.
      expectError(await t.http.post(`/api/v1/public/reviews/${token}`).send({ rating: 5 }), 404, 'not_found');
    });

    it('moves through the one booking updater, bound by the venue\'s rules: party size, window, past, approval; a request stays a request', async () => {
      const rules = await guestVenue(t, {
        services: [
          { name: 'Lunch', days: [1, 2, 3, 4, 5, 6, 7], start: '12:00', end: '15:00', slot_interval_minutes: 15, duration_minutes: 60 },
          { name: 'Dinner', days: [1, 2, 3, 4, 5, 6, 7], start: '17:00', end: '23:00', slot_interval_minutes: 15, duration_minutes: 90, requires_approval: true },
        ],
      });
      await settings(rules.id, { party_size: { min: 1, max: 8 }, max_instant_party_size: 4, booking_window_days: 10 }).expect(200);
      const date = dayAhead(4);
      const move = (token: string, patch: Record<string, unknown>) => t.http.patch(`/api/v1/public/bookings/${token}`).send(patch);
      const staffView = async (reference: string) =>
        (await t.http.get(`/api/v1/bookings/${reference}`).set('Authorization', `Bearer ${rules.key}`).expect(200)).body;

      const lunch = await book(t, rules.slug, { date, time: '12:30', party_size: 3, email: 'lunch@example.com' }).expect(201);
      expect(lunch.body.status).toBe('confirmed');
      const token = tokenOf(lunch.body.manage_url);
      // Growing a booking above max_instant_party_size needs the venue's yes, as a channel's move does.
      const grown = await move(token, { party_size: 5 });
      expectError(grown, 422, 'approval_required');
      expect(grown.body.error.details).toMatchObject({ reason: 'party_size', max_instant_party_size: 4 });
      expect((await move(token, { party_size: 9 })).body.error).toMatchObject({ code: 'validation_error', details: { field: 'party_size', max: 8 } });
      const far = await move(token, { date: dayAhead(12) });
      expectError(far, 422, 'slot_unavailable');
      expect(far.body.error.details.reason).toBe('beyond_booking_window');
      const past = await move(token, { date: dayAhead(-1) });
      expectError(past, 422, 'slot_unavailable');
      expect(past.body.error.details.reason).toBe('in_past');
      // Into a service that requires approval: the same refusal, found once the move is planned.
      const dinner = await move(token, { time: '19:00' });
      expectError(dinner, 422, 'approval_required');
      expect(dinner.body.error.details.reason).toBe('service_requires_approval');
      expect(await staffView(lunch.body.reference)).toMatchObject({ status: 'confirmed', time: '12:30', party_size: 3, version: 1 });
      const moved = await move(token, { time: '13:00', party_size: 4 }).expect(200);
      expect(moved.body).toMatchObject({ status: 'confirmed', time: '13:00', party_size: 4 });
      expect(await staffView(lunch.body.reference)).toMatchObject({ status: 'confirmed', time: '13:00', party_size: 4, version: 2, source: 'widget' });

      // A request (a party above max_instant_party_size) may grow and move, into the approval service too: still a request.
      const big = await book(t, rules.slug, { date, time: '13:30', party_size: 5, email: 'big-lunch@example.com' }).expect(201);
      expect(big.body.status).toBe('requested');
      const requestToken = tokenOf(big.body.manage_url);
      const before = await staffView(big.body.reference);
      const regrown = await move(requestToken, { party_size: 6, time: '14:00' }).expect(200);
      expect(regrown.body).toMatchObject({ status: 'requested', party_size: 6, time: '14:00' });
      const evening = await move(requestToken, { time: '19:30' }).expect(200);
      expect(evening.body).toMatchObject({ status: 'requested', time: '19:30' });
      const after = await staffView(big.body.reference);
      expect(after).toMatchObject({ status: 'requested', party_size: 6, time: '19:30', version: before.version + 2 });
      expect(after.expires_at).toEqual(expect.any(String));
      expect((await move(requestToken, { party_size: 9 })).status).toBe(400);
    });

    it('refuses changes and cancelling within cancellation_hours with 422 too_late_to_change', async () => {
      const soon = await guestVenue(t);
      const created = await book(t, soon.slug, { date: dayAhead(2), time: '19:00', email: 'late@example.com' }).expect(201);
      await settings(soon.id, { cancellation_hours: 24 * 30 }).expect(200);
      const token = tokenOf(created.body.manage_url);
      const view = await t.http.get(`/api/v1/public/bookings/${token}`).expect(200);
      expect(view.body).toMatchObject({ can_change: false, can_cancel: false });
      const late = await t.http.delete(`/api/v1/public/bookings/${token}`);
      expectError(late, 422, 'too_late_to_change');
      expect(late.body.error.details.cancellation_hours).toBe(720);
      expectError(await t.http.patch(`/api/v1/public/bookings/${token}`).send({ time: '20:00' }), 422, 'too_late_to_change');
      expect((await t.http.get(`/api/v1/public/bookings/${token}`)).body.status).toBe('confirmed');
    });

    it('stores only the token\'s hash, and a booking made with the API key gets one too', async () => {
      const res = await t.http.post('/api/v1/bookings').set('Authorization', `Bearer ${v.key}`)
        .send({ date: dayAhead(11), time: '19:00', party_size: 2, customer_name: 'Api Guest', email: 'api@example.com' }).expect(201);
      const token = tokenOf(res.body.manage_url);
      const rows = (await t.composed.deps.dataSource.query('SELECT token_hash FROM booking_manage_tokens WHERE booking_id = ?', [res.body.id])) as { token_hash: string }[];
      expect(rows).toHaveLength(1);
      expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(rows[0]!.token_hash).not.toContain(token);
      const outbox = (await t.composed.deps.dataSource.query('SELECT payload, private_data FROM outbox WHERE resource_id = ?', [res.body.id])) as { payload: string; private_data: string }[];
      for (const row of outbox) expect(`${row.payload}${row.private_data}`).not.toContain(token);
      expect((await t.http.get(`/api/v1/public/bookings/${token}`).expect(200)).body.reference).toBe(res.body.reference);
    });
  });

  describe('the calendar file', () => {
    it('is an .ics of the booking with its manage link, CANCELLED once cancelled; a wrong token is 404', async () => {
      const date = dayAhead(13);
      const created = await book(t, v.slug, { date, time: '19:30', name: 'Cal Endar', email: 'ics@example.com' }).expect(201);
      const token = tokenOf(created.body.manage_url);
      const ics = async () => {
        const res = await t.http.get(`/api/v1/public/bookings/${token}/calendar.ics`).expect(200);
        expect(res.headers['content-type']).toMatch(/^text\/calendar/);
        expect(res.headers['content-disposition']).toBe(`attachment; filename="${created.body.reference}.ics"`);
        return res.text.replace(/\r\n[ \t]/g, ''); // unfolded
      };
      const text = await ics();
      const utc = (time: string) => DateTime.fromISO(`${date}T${time}`, { zone: 'Europe/London' }).toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'");
      expect(text).toMatch(/^BEGIN:VCALENDAR\r\n[\s\S]*BEGIN:VEVENT\r\n[\s\S]*END:VEVENT\r\nEND:VCALENDAR/);
      expect(text).toContain(`UID:${created.body.reference}@tablesync`);
      expect(text).toContain(`DTSTART:${utc('19:30')}`);
      expect(text).toContain(`DTEND:${utc('21:00')}`); // the Dinner service's 90 minutes
      expect(text).toContain('SUMMARY:Table at The Test Kitchen');
      expect(text).toContain(`URL:${created.body.manage_url}`);
      expect(text).toContain('STATUS:CONFIRMED');
      expect(text).not.toMatch(/(bk|cus|tbl|area)_[0-9a-z]+|Cal Endar|ics@example/);
      await t.http.delete(`/api/v1/public/bookings/${token}`).expect(200);
      expect(await ics()).toContain('STATUS:CANCELLED');
      for (const wrong of ['x'.repeat(32), 'short']) expectError(await t.http.get(`/api/v1/public/bookings/${wrong}/calendar.ics`), 404, 'not_found');
    });
  });

  describe('tokens and venues', () => {
    it('a token opens its own booking at its own venue only; another venue\'s token, a changed one and a review route are 404', async () => {
      const other = await guestVenue(t, { name: 'The Other Place' });
      const mine = await book(t, v.slug, { date: dayAhead(14), time: '18:00', email: 'mine@example.com' }).expect(201);
      const theirs = await book(t, other.slug, { date: dayAhead(14), time: '18:00', email: 'theirs@example.com' }).expect(201);
      const [a, b] = [tokenOf(mine.body.manage_url), tokenOf(theirs.body.manage_url)];
      expect(a).not.toBe(b);
      expect((await t.http.get(`/api/v1/public/bookings/${a}`).expect(200)).body).toMatchObject({ reference: mine.body.reference, venue: { slug: v.slug } });
      expect((await t.http.get(`/api/v1/public/bookings/${b}`).expect(200)).body).toMatchObject({ reference: theirs.body.reference, venue: { slug: other.slug } });
      // There is no venue-scoped token route: a token names its venue. Under another venue's slug, or as the
      // reference of another venue's booking, it opens nothing.
      expectError(await t.http.get(`/api/v1/public/venues/${v.slug}/bookings/${b}`), 404, 'not_found');
      expectError(await t.http.get(`/api/v1/public/bookings/${theirs.body.reference}`), 404, 'not_found');
      expectError(await t.http.post(`/api/v1/public/reviews/${b}`).send({ rating: 5 }), 404, 'not_found');
      // The venue's own key sees only its own venue's booking.
      expectError(await t.http.get(`/api/v1/bookings/${theirs.body.reference}`).set('Authorization', `Bearer ${v.key}`), 404, 'not_found');
      // Tokens are random, not derived from the booking: 24 bytes, and no id or reference in them.
      for (const [tok, ref] of [[a, mine.body.reference], [b, theirs.body.reference]] as const) {
        expect(Buffer.from(tok, 'base64url')).toHaveLength(24);
        expect(tok).not.toContain(ref.slice(3));
      }
    });
  });

  describe('enquiries and tiers', () => {
    it('takes an enquiry, lists it at GET /api/v1/enquiries (customers:read), refuses the honeypot', async () => {
      const res = await t.http.post(`/api/v1/public/venues/${v.slug}/enquiries`)
        .send({ name: 'Ada Lovelace', email: 'ada@example.com', phone: '+44 7911 123456', date: dayAhead(30), party_size: 40, message: 'A party of forty?' }).expect(201);
      expect(res.body).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.com', phone: '+447911123456', date: dayAhead(30), party_size: 40, message: 'A party of forty?' });
      const list = await t.http.get('/api/v1/enquiries').set('Authorization', `Bearer ${v.key}`).expect(200);
      expect(list.body.data[0]).toEqual(res.body);
      const noScope = await createApiKey(t, v.id, ['bookings:read']);
      expectError(await t.http.get('/api/v1/enquiries').set('Authorization', `Bearer ${noScope}`), 403, 'insufficient_scope');
      expectError(await t.http.post(`/api/v1/public/venues/${v.slug}/enquiries`).send({ name: 'Bot', email: 'b@example.com', message: 'x', website: 'y' }), 400, 'validation_error');
      expectError(await t.http.post(`/api/v1/public/venues/${v.slug}/enquiries`).send({ name: 'No message', email: 'b@example.com' }), 400, 'validation_error');
    });

    it('lists the tiers from the one data file (src/modules/guests/tiers.json), checked when it is loaded', async () => {
      const res = await t.http.get('/api/v1/public/tiers').expect(200);
      expect(res.body.data.map((p: any) => p.plan)).toEqual(['starter', 'business', 'pro']);
      for (const p of res.body.data) {
        expect(p).toEqual({ plan: p.plan, name: expect.any(String), price: { amount: expect.any(Number), currency: expect.stringMatching(/^[A-Z]{3}$/), interval: expect.stringMatching(/^(month|year)$/) }, features: expect.any(Array) });
      }
      const file = JSON.parse(readFileSync(join(__dirname, '../../src/modules/guests/tiers.json'), 'utf8'));
      expect(res.body.data).toEqual(file);

      const { loadTiers } = await import('../../src/modules/guests');
      const edited = structuredClone(file);
      edited[1].price = { amount: 5900, currency: 'EUR', interval: 'year' };
      expect(loadTiers(edited)[1]!.price).toEqual({ amount: 5900, currency: 'EUR', interval: 'year' });
      const broken = (change: (f: any) => void) => {
        const f = structuredClone(file);
        change(f);
        return () => loadTiers(f, 'tiers.json');
      };
      expect(broken((f) => { f[1].price.amount = 49.5; })).toThrow(/^tiers\.json: \[1\]\.price\.amount must be integer/);
      expect(broken((f) => { f[0].price.amount = -1; })).toThrow(/\[0\]\.price\.amount must be >= 0/);
      expect(broken((f) => { f[2].price.currency = 'XYZ'; })).toThrow(/\[2\]\.price\.currency XYZ is not an ISO 4217 currency/);
      expect(broken((f) => { f[2].plan = 'enterprise'; })).toThrow(/\[2\]\.plan must be equal to one of the allowed values/);
      expect(broken((f) => { f.splice(1, 1); })).toThrow(/must list the plans starter, business, pro once each/);
      expect(broken((f) => { f[0].price.per = 'seat'; })).toThrow(/\[0\]\.price must NOT have additional properties/);
    });
  });

  describe('CORS', () => {
    it('lets any origin read, writes only from allowed_origins, and answers preflights 204', async () => {
      const read = await t.http.get(`/api/v1/public/venues/${v.slug}/config`).set('Origin', 'https://anywhere.example').expect(200);
      expect(read.headers['access-control-allow-origin']).toBe('*');
      expect(read.headers['access-control-expose-headers']).toContain('X-RateLimit-Remaining');
      expect((await t.http.get('/api/v1/public/venues/nope-nope/config').set('Origin', 'https://x.example')).headers['access-control-allow-origin']).toBe('*');

      const open = await book(t, v.slug, { date: dayAhead(12), time: '17:30', email: 'cors1@example.com' }).set('Origin', 'https://anywhere.example').expect(201);
      expect(open.headers['access-control-allow-origin']).toBe('https://anywhere.example');

      const fenced = await guestVenue(t);
      await settings(fenced.id, { allowed_origins: ['https://fenced.example'] }).expect(200);
      const ok = await book(t, fenced.slug, { date: dayAhead(12), email: 'cors2@example.com' }).set('Origin', 'https://fenced.example').expect(201);
      expect(ok.headers['access-control-allow-origin']).toBe('https://fenced.example');
      const refused = await book(t, fenced.slug, { date: dayAhead(12), time: '20:00', email: 'cors3@example.com' }).set('Origin', 'https://evil.example');
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
      const token = tokenOf(ok.body.manage_url);
      expect((await t.http.delete(`/api/v1/public/bookings/${token}`).set('Origin', 'https://evil.example')).headers['access-control-allow-origin']).toBeUndefined();

      const pre = (path: string, origin: string, method: string) =>
        t.http.options(path).set('Origin', origin).set('Access-Control-Request-Method', method).set('Access-Control-Request-Headers', 'content-type');
      const good = await pre(`/api/v1/public/venues/${fenced.slug}/bookings`, 'https://fenced.example', 'POST').expect(204);
      expect(good.headers['access-control-allow-origin']).toBe('https://fenced.example');
      expect(good.headers['access-control-allow-methods']).toContain('POST');
      expect(good.headers['access-control-allow-headers']).toMatch(/Content-Type/i);
      const bad = await pre(`/api/v1/public/venues/${fenced.slug}/bookings`, 'https://evil.example', 'POST').expect(204);
      expect(bad.headers['access-control-allow-origin']).toBeUndefined();
      const tokenPre = await pre(`/api/v1/public/bookings/${token}`, 'https://fenced.example', 'DELETE').expect(204);
      expect(tokenPre.headers['access-control-allow-origin']).toBe('https://fenced.example');
      expect((await pre(`/api/v1/public/bookings/${token}`, 'https://evil.example', 'PATCH').expect(204)).headers['access-control-allow-origin']).toBeUndefined();
      expect((await pre(`/api/v1/public/venues/${fenced.slug}/config`, 'https://evil.example', 'GET').expect(204)).headers['access-control-allow-origin']).toBe('*');
    });
  });

  describe('what public answers carry', () => {
    it('no public route answers an internal id, a table or another guest\'s data (every public operation, answers and refusals)', async () => {
      const w = await guestVenue(t, { name: 'Sweep House' });
      // Another guest, with their own booking: nothing of theirs may appear in anything below.
      const theirs = await book(t, w.slug, { date: dayAhead(4), time: '19:00', party_size: 5, name: 'Private Person', email: 'private@example.com', phone: '07911 123457', notes: 'secret notes' }).expect(201);
      const seen = new Set<string>();
      const check = (op: string, res: { status: number; body: unknown; text?: string }) => {
        seen.add(op);
        const text = `${JSON.stringify(res.body)} ${res.text ?? ''}`;
        expectNothingPrivate(res.body);
        expect(`${op}: ${text}`).not.toMatch(/Private Person|private@example|7911 ?123457|secret notes|"(bk|cus|tbl|area)_|\b(bk|cus|tbl)_[0-9a-z]{6,}/);
      };
      check('get /venues/:slug/config', await t.http.get(`/api/v1/public/venues/${w.slug}/config`).expect(200));
      check('get /venues/:slug/availability', await t.http.get(`/api/v1/public/venues/${w.slug}/availability?from=${dayAhead(3)}&to=${dayAhead(5)}&party_size=5`).expect(200));
      check('get /venues/:slug/reviews', await t.http.get(`/api/v1/public/venues/${w.slug}/reviews`).expect(200));
      check('get /tiers', await t.http.get('/api/v1/public/tiers').expect(200));
      // The 6-cover table is taken at 19:00: the refusal names alternatives, not the booking that holds it.
      const taken = await book(t, w.slug, { date: dayAhead(4), time: '19:00', party_size: 5, email: 'me@example.com' });
      expect(taken.status).toBe(422);
      check('post /venues/:slug/bookings', taken);
      const mine = await book(t, w.slug, { date: dayAhead(4), time: '17:00', party_size: 2, name: 'Me Myself', email: 'me@example.com' }).expect(201);
      check('post /venues/:slug/bookings', mine);
      const token = tokenOf(mine.body.manage_url);
      check('get /bookings/:token', await t.http.get(`/api/v1/public/bookings/${token}`).expect(200));
      check('get /bookings/:token/calendar.ics', await t.http.get(`/api/v1/public/bookings/${token}/calendar.ics`).expect(200));
      const clash = await t.http.patch(`/api/v1/public/bookings/${token}`).send({ time: '19:00', party_size: 5 });
      expect(clash.status).toBe(422);
      check('patch /bookings/:token', clash);
      check('patch /bookings/:token', await t.http.patch(`/api/v1/public/bookings/${token}`).send({ time: '17:30' }).expect(200));
      check('delete /bookings/:token', await t.http.delete(`/api/v1/public/bookings/${token}`).expect(200));
      check('post /venues/:slug/enquiries', await t.http.post(`/api/v1/public/venues/${w.slug}/enquiries`).send({ name: 'Me Myself', email: 'me@example.com', party_size: 30, message: 'Thirty?' }).expect(201));
      check('post /reviews/:token', await t.http.post(`/api/v1/public/reviews/${'y'.repeat(32)}`).send({ rating: 5 }).expect(404));
      // Every public operation was looked at.
      expect([...seen].sort()).toEqual(publicOperations.map((o) => `${o.method} ${o.path}`).sort());
      expect(theirs.status).toBe(201);
    });
  });

  describe('unknown public paths and the document', () => {
    it('answers an unknown public path 404 (no key asked for)', async () => {
      expectError(await t.http.get('/api/v1/public/nothing-here'), 404, 'not_found');
    });

    it('documents the public routes under their own tag with no security scheme', () => {
      const doc = buildOpenApiDocument(DOCUMENTED_SURFACES) as any;
      const paths = [
        ['get', '/api/v1/public/venues/{slug}/config'], ['get', '/api/v1/public/venues/{slug}/availability'], ['post', '/api/v1/public/venues/{slug}/bookings'],
        ['get', '/api/v1/public/bookings/{token}'], ['patch', '/api/v1/public/bookings/{token}'], ['delete', '/api/v1/public/bookings/{token}'],
        ['get', '/api/v1/public/bookings/{token}/calendar.ics'], ['get', '/api/v1/public/venues/{slug}/reviews'], ['post', '/api/v1/public/reviews/{token}'],
        ['post', '/api/v1/public/venues/{slug}/enquiries'], ['get', '/api/v1/public/tiers'],
      ];
      for (const [method, path] of paths) {
        const op = doc.paths[path!]?.[method!];
        expect(`${method} ${path} ${JSON.stringify(op?.tags)} ${JSON.stringify(op?.security)}`).toBe(`${method} ${path} ["Public widget"] []`);
      }
      // Every operation under /api/v1/public is one of them, and nothing else carries the tag.
      const tagged: string[] = [];
      for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
        for (const [method, op] of Object.entries(item)) {
          if (typeof op !== 'object' || !op || !('responses' in op)) continue;
          if (path.startsWith('/api/v1/public/') || (op.tags ?? []).includes('Public widget')) tagged.push(`${method} ${path} ${JSON.stringify(op.tags)} ${JSON.stringify(op.security)}`);
        }
      }
      expect(tagged.sort()).toEqual(paths.map(([m, p]) => `${m} ${p} ["Public widget"] []`).sort());
      expect(doc.paths['/api/v1/emails'].get.security).toEqual([{ apiKey: ['customers:read'] }, { session: ['customers:read'] }]);
    });
  });
});
