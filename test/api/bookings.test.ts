import { DateTime } from 'luxon';
import { createApiKey, createVenue, type CreatedVenue } from '../helpers/fixtures';
import { startTestApp, type TestApp } from '../helpers/test-app';

const TZ = 'Europe/London';
/** A venue-local date `days` from today, so the slots are always in the future. */
const day = (days: number): string => DateTime.now().setZone(TZ).plus({ days }).toISODate()!;

describe('booking API: bookings', () => {
  let t: TestApp;
  let venue: CreatedVenue;
  let key: string;
  const api = (method: 'get' | 'post' | 'patch', path: string, k = key) =>
    t.http[method](`/api/v1${path}`).set('Authorization', `Bearer ${k}`);
  const q = async <T = any>(sql: string, params: unknown[] = []): Promise<T[]> =>
    (await t.composed.deps.dataSource.query(sql, params)) as T[];
  const tableId = (v: CreatedVenue, n: number): string => v.json.areas[0].tables.find((x: any) => x.number === n).id;
  const book = (body: Record<string, unknown>, k = key) =>
    api('post', '/bookings', k).send({ customer_name: 'Ada Lovelace', party_size: 2, date: day(10), time: '19:00', ...body });
  const counts = async (venueId: string) => {
    const [b] = await q('SELECT COUNT(*) AS n FROM bookings WHERE venue_id = ?', [venueId]);
    const [c] = await q('SELECT COUNT(*) AS n FROM customers WHERE venue_id = ?', [venueId]);
    const [o] = await q('SELECT COUNT(*) AS n FROM outbox WHERE venue_id = ?', [venueId]);
    return { bookings: Number(b.n), customers: Number(c.n), outbox: Number(o.n) };
  };
  const outboxOf = (resourceId: string) =>
    q<{ event: string; resource_version: number; payload: string }>(
      'SELECT event, resource_version, payload FROM outbox WHERE resource_id = ? ORDER BY id', [resourceId]);

  beforeAll(async () => {
    t = await startTestApp();
    venue = await createVenue(t, {
      events: [{ name: 'Wine night', date: day(12), start: '19:00', end: '22:00', capacity: 6 }],
    });
    key = await createApiKey(t, venue.id);
  });
  afterAll(() => t.stop());

  describe('POST /bookings', () => {
    it('books the smallest free table that fits, with a TS- reference, its customer and outbox rows', async () => {
      const res = await book({ party_size: 3, email: 'ada@example.com', phone: '07911 123456', notes: 'Window' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        id: expect.stringMatching(/^bk_/),
        reference: expect.stringMatching(/^TS-[0-9A-Z]{6}$/),
        status: 'confirmed',
        date: day(10),
        time: '19:00',
        party_size: 3,
        table: { id: tableId(venue, 3), number: 3 },
        service_id: venue.json.services[0].id,
        event_id: null,
        customer: { id: expect.stringMatching(/^cus_/), name: 'Ada Lovelace', email: 'ada@example.com', phone: '+447911123456' },
        notes: 'Window',
        source: 'api',
        version: 1,
      });
      const start = DateTime.fromISO(`${day(10)}T19:00`, { zone: TZ });
      expect(res.body.start_at).toBe(start.toUTC().toISO());
      expect(res.body.end_at).toBe(start.plus({ minutes: 90 }).toUTC().toISO());
      const events = await outboxOf(res.body.id);
      expect(events.map((e) => [e.event, e.resource_version])).toEqual([['booking.created', 1]]);
      // The answer adds the guest's manage link (CONTRACT §15), which webhook bodies never carry.
      const { manage_url: manageUrl, ...view } = res.body;
      expect(manageUrl).toMatch(/\/manage\/[A-Za-z0-9_-]{32}$/);
      expect(JSON.parse(events[0]!.payload)).toEqual(view);
      expect((await outboxOf(res.body.customer.id)).map((e) => e.event)).toEqual(['customer.created']);
    });

    it('books a returning guest (matched by email in any case, else by phone) as the same customer, announcing changes first', async () => {
      const v = await createVenue(t);
      const k = await createApiKey(t, v.id);
      const first = await book({ time: '17:00', customer_name: 'Grace Hopper', email: 'grace@example.com' }, k);
      expect(first.status).toBe(201);
      const customerId = first.body.customer.id;
      // Same email (other case), a new phone: the same customer, updated (version 2) before booking.created.
      const second = await book({ time: '20:30', customer_name: 'Grace Hopper', email: 'GRACE@example.com', phone: '07911 123457' }, k);
      expect(second.status).toBe(201);
      expect(second.body.customer).toMatchObject({ id: customerId, email: 'GRACE@example.com', phone: '+447911123457' });
      // By phone alone, nothing changed: no new customer event.
      const third = await book({ date: day(9), time: '19:00', customer_name: 'Grace Hopper', phone: '+447911123457' }, k);
      expect(third.status).toBe(201);
      expect(third.body.customer.id).toBe(customerId);
      expect((await outboxOf(customerId)).map((e) => [e.event, e.resource_version])).toEqual([['customer.created', 1], ['customer.updated', 2]]);
      const order = await q<{ event: string; resource_id: string }>('SELECT event, resource_id FROM outbox WHERE venue_id = ? ORDER BY id', [v.id]);
      expect(order.map((e) => e.event)).toEqual(['customer.created', 'booking.created', 'customer.updated', 'booking.created', 'booking.created']);
      expect(await counts(v.id)).toEqual({ bookings: 3, customers: 1, outbox: 5 });
    });

    it('creates one customer when the same new guest books twice at once', async () => {
      const v = await createVenue(t);
      const k = await createApiKey(t, v.id);
      const results = await Promise.all([30, 31, 32, 33].map((n) =>
        book({ date: day(n), customer_name: 'Alan Turing', email: 'alan@example.com', phone: '07911 123458' }, k)));
      expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
      expect(new Set(results.map((r) => r.body.customer.id)).size).toBe(1);
      expect(await counts(v.id)).toMatchObject({ bookings: 4, customers: 1 });
      const created = await q('SELECT id FROM outbox WHERE venue_id = ? AND event = ?', [v.id, 'customer.created']);
      expect(created).toHaveLength(1);
    });

    it('honours table_id, and refuses a table that does not fit the party with 422', async () => {
      const chosen = await book({ time: '17:00', party_size: 4, table_id: tableId(venue, 4) });
      expect(chosen.status).toBe(201);
      expect(chosen.body.table).toEqual({ id: tableId(venue, 4), number: 4 });
      // Table 4 seats 3–6: a party of 2 is under its minimum.
      const small = await book({ time: '17:00', party_size: 2, table_id: tableId(venue, 4) });
      expect(small.status).toBe(422);
      expect(small.body.error).toMatchObject({ code: 'slot_unavailable', details: { reason: 'table_does_not_fit' } });
    });

    it('answers 422 slot_unavailable with the nearest free times when the slot is full', async () => {
      const d = day(11);
      // Table 4 is the only one seating 5; book it at 19:00 (held until 20:30).
      expect((await book({ date: d, time: '19:00', party_size: 5 })).status).toBe(201);
      const res = await book({ date: d, time: '19:00', party_size: 5 });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('slot_unavailable');
      expect(res.body.error.details).toMatchObject({ reason: 'no_table_available', date: d, time: '19:00', party_size: 5 });
      expect(res.body.error.details.alternatives).toEqual([{ date: d, time: '17:30' }, { date: d, time: '20:30' }, { date: d, time: '17:15' }]);
    });

    it('refuses a slot in the past with 422 slot_unavailable', async () => {
      const res = await book({ date: day(-1), time: '19:00' });
      expect(res.status).toBe(422);
      expect(res.body.error.details.reason).toBe('in_past');
    });

    it('books an event place and counts it against the event capacity', async () => {
      const eventId = venue.json.events[0].id;
      const first = await book({ date: day(12), time: '19:30', party_size: 4, event_id: eventId });
      expect(first.status).toBe(201);
      expect(first.body.event_id).toBe(eventId);
      const over = await book({ date: day(12), time: '19:30', party_size: 3, event_id: eventId });
      expect(over.status).toBe(422);
      expect(over.body.error.details.reason).toBe('event_full');
    });

    it.each([
      ['a date that does not exist', { date: '2026-02-30' }, 'date'],
      ['a malformed date', { date: '10/12/2030' }, 'date'],
      ['party size 0', { party_size: 0 }, 'party_size'],
      ['party size 10000', { party_size: 10000 }, 'party_size'],
      ['party size as a string', { party_size: '2' }, 'party_size'],
      ['a time that is not HH:MM', { time: '7pm' }, 'time'],
      ['a time off the slot grid', { time: '19:07' }, 'time'],
      ['a time outside every service', { time: '12:00' }, 'time'],
      ['a missing customer_name', { customer_name: undefined }, 'customer_name'],
      ['a blank customer_name', { customer_name: '   ' }, 'customer_name'],
      ['a bad email', { email: 'not-an-email' }, 'email'],
      ['an invalid phone', { phone: '+44 1632 960000' }, 'phone'],
      ['a phone with letters', { phone: 'call me' }, 'phone'],
      ['an extra field', { colour: 'red' }, 'colour'],
      ['notes as a number', { notes: 42 }, 'notes'],
    ])('rejects %s with 400 validation_error naming the field, nothing written', async (_name, body, field) => {
      const before = await counts(venue.id);
      const res = await book(body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
      expect(res.body.error.details.field).toBe(field);
      expect(await counts(venue.id)).toEqual(before);
    });

    it('rejects a JSON array body and a non-JSON body with 400', async () => {
      const arr = await api('post', '/bookings').send([1, 2]);
      expect(arr.status).toBe(400);
      const bad = await api('post', '/bookings').set('Content-Type', 'application/json').send('{"date":');
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('invalid_json');
    });

    it('refuses unknown ids and the ids of another venue\'s service, event and table with 404 not_found (CONTRACT §6), nothing written', async () => {
      const other = await createVenue(t, { events: [{ name: 'Other', date: day(12), start: '19:00', end: '22:00', capacity: 10 }] });
      for (const [field, value] of [
        ['service_id', other.json.services[0].id],
        ['event_id', other.json.events[0].id],
        ['table_id', tableId(other, 3)],
        ['service_id', 'svc_doesnotexist'],
        ['event_id', 'vev_doesnotexist'],
        ['table_id', 'tbl_doesnotexist'],
      ] as const) {
        const before = await counts(venue.id);
        const res = await book({ [field]: value });
        expect(res.status).toBe(404);
        expect(res.body.error).toMatchObject({ code: 'not_found', details: { field } });
        expect(await counts(venue.id)).toEqual(before);
      }
    });
  });

  describe('GET /bookings/:id', () => {
    it('finds a booking by id and by reference, with its sales and spend', async () => {
      const created = (await book({ date: day(13), time: '18:00', party_size: 2 })).body;
      const now = new Date();
      for (const [id, status, total] of [['sl_test_a', 'closed', 4250], ['sl_test_b', 'void', 999]] as const) {
        await q(
          `INSERT INTO sales (id, partner, sale_id, venue_id, location_id, booking_id, match_method, status, total, currency,
             table_number, covers, opened_at, closed_at, received_at, match_at, version, created_at, updated_at)
           VALUES (?, 'testpos', ?, ?, 'loc-1', ?, 'booking_id', ?, ?, 'GBP', NULL, 2, ?, NULL, ?, ?, 1, ?, ?)`,
          [`${id}_${created.id}`, `${id}_${created.id}`, venue.id, created.id, status, total, now, now, now, now, now],
        );
      }
      for (const ref of [created.id, created.reference, created.reference.toLowerCase()]) {
        const res = await api('get', `/bookings/${ref}`);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ id: created.id, reference: created.reference });
        expect(res.body.sales).toHaveLength(2);
        expect(res.body.spend).toEqual({ total: 4250, currency: 'GBP', count: 1 });
      }
      const missing = await api('get', '/bookings/bk_nope');
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('not_found');
    });

    it('matches a waiting sale on the booked table when the booking is created', async () => {
      const d = day(14);
      const opened = DateTime.fromISO(`${d}T18:10`, { zone: TZ }).toJSDate();
      const saleId = `sl_wait_${Date.now()}`;
      await q(
        `INSERT INTO sales (id, partner, sale_id, venue_id, location_id, booking_id, match_method, status, total, currency,
           table_number, venue_table_number, covers, opened_at, received_at, match_at, version, created_at, updated_at)
         VALUES (?, 'testpos', ?, ?, 'loc-1', NULL, NULL, 'closed', 3100, 'GBP', '1', '1', 2, ?, ?, ?, 1, ?, ?)`,
        [saleId, saleId, venue.id, opened, opened, opened, opened, opened],
      );
      const res = await book({ date: d, time: '18:00', party_size: 2, table_id: tableId(venue, 1) });
      expect(res.status).toBe(201);
      const detail = await api('get', `/bookings/${res.body.id}`);
      expect(detail.body.sales.map((s: any) => s.id)).toEqual([saleId]);
      expect(detail.body.spend).toEqual({ total: 3100, currency: 'GBP', count: 1 });
    });
  });

  describe('GET /bookings', () => {
    let listVenue: CreatedVenue;
    let listKey: string;
    const ids: string[] = [];
    beforeAll(async () => {
      listVenue = await createVenue(t);
      listKey = await createApiKey(t, listVenue.id);
      for (const [d, time] of [[day(20), '18:00'], [day(20), '17:00'], [day(21), '19:00'], [day(22), '20:00'], [day(22), '17:30']]) {
        const res = await book({ date: d, time, customer_name: `Guest ${time}`, email: `g${ids.length}@example.com` }, listKey);
        expect(res.status).toBe(201);
        ids.push(res.body.id);
      }
    });
    const list = (query: string) => api('get', `/bookings${query}`, listKey);

    it('lists in date and time order in the list envelope', async () => {
      const res = await list('');
      expect(res.status).toBe(200);
      expect(res.body.next_cursor).toBeNull();
      expect(res.body.data.map((b: any) => `${b.date} ${b.time}`)).toEqual([
        `${day(20)} 17:00`, `${day(20)} 18:00`, `${day(21)} 19:00`, `${day(22)} 17:30`, `${day(22)} 20:00`,
      ]);
    });

    it('walks every page with the cursor, each booking once', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: any = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.data.map((b: any) => b.id));
        cursor = res.body.next_cursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen.sort()).toEqual([...ids].sort());
    });

    it('filters by date, by a date range, by status and by customer', async () => {
      expect((await list(`?date=${day(20)}`)).body.data).toHaveLength(2);
      expect((await list(`?from=${day(21)}&to=${day(22)}`)).body.data).toHaveLength(3);
      expect((await list(`?from=${day(22)}`)).body.data).toHaveLength(2);
      await api('patch', `/bookings/${ids[0]}`, listKey).send({ status: 'cancelled' }).expect(200);
      expect((await list('?status=cancelled')).body.data.map((b: any) => b.id)).toEqual([ids[0]]);
      expect((await list('?status=confirmed,cancelled')).body.data).toHaveLength(5);
      const one = (await api('get', `/bookings/${ids[2]}`, listKey)).body;
      expect((await list(`?customer_id=${one.customer.id}`)).body.data.map((b: any) => b.id)).toEqual([ids[2]]);
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=1e1', 'limit'],
      ['cursor=notacursor!', 'cursor'],
      ['cursor=eyJsIjoiY3VzdG9tZXJzIiwidiI6WyJhIiwiYiJdfQ', 'cursor'], // a customers-list cursor
      ['date=2026-02-30', 'date'],
      ['status=seated,lost', 'status'],
      ['colour=red', 'colour'],
      [`date=${day(1)}&from=${day(1)}`, 'date'],
      [`from=${day(5)}&to=${day(4)}`, 'to'],
    ])('rejects ?%s with 400 validation_error naming the parameter', async (query, field) => {
      const res = await list(`?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
      expect(res.body.error.details.field).toBe(field);
    });
  });

  describe('PATCH /bookings/:id: status transitions', () => {
    const STATUSES = ['pending', 'confirmed', 'seated', 'completed', 'cancelled', 'no_show'] as const;
    const ALLOWED: Record<string, string[]> = {
      pending: ['confirmed', 'cancelled', 'no_show'],
      confirmed: ['seated', 'cancelled', 'no_show'],
      seated: ['completed'],
      completed: [],
      cancelled: [],
      no_show: [],
    };
    const cases = STATUSES.flatMap((from) => STATUSES.filter((to) => to !== from).map((to) => [from, to] as const));
    let n = 0;

    it.each(cases)('%s → %s follows the transition table', async (from, to) => {
      const created = await book({ date: day(40 + Math.floor(n / 4)), time: ['17:00', '18:30', '20:00', '21:30'][n++ % 4] });
      expect(created.status).toBe(201);
      // The starting state is set directly: pending is not reachable through the API (it books confirmed).
      await q('UPDATE bookings SET status = ? WHERE id = ?', [from, created.body.id]);
      const res = await api('patch', `/bookings/${created.body.id}`).send({ status: to });
      if (ALLOWED[from]!.includes(to)) {
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ status: to, version: 2 });
        const events = (await outboxOf(created.body.id)).map((e) => [e.event, e.resource_version]);
        expect(events).toEqual([['booking.created', 1], [to === 'cancelled' ? 'booking.cancelled' : 'booking.updated', 2]]);
      } else {
        expect(res.status).toBe(422);
        expect(res.body.error).toMatchObject({ code: 'invalid_transition', details: { from, to, allowed: ALLOWED[from] } });
        const [row] = await q('SELECT status, version FROM bookings WHERE id = ?', [created.body.id]);
        expect(row).toMatchObject({ status: from, version: 1 });
      }
    });

    it('treats setting the current status again as a no-op: same version, no event', async () => {
      const created = (await book({ date: day(39), time: '18:00' })).body;
      const res = await api('patch', `/bookings/${created.reference}`).send({ status: 'confirmed' });
      expect(res.status).toBe(200);
      expect(res.body.version).toBe(1);
      expect((await outboxOf(created.id)).map((e) => e.event)).toEqual(['booking.created']);
    });

    it('walks a booking through confirmed → seated → completed, one version per step', async () => {
      const created = (await book({ date: day(38), time: '18:00' })).body;
      for (const [status, version] of [['seated', 2], ['completed', 3]] as const) {
        const res = await api('patch', `/bookings/${created.id}`).send({ status });
        expect(res.body).toMatchObject({ status, version });
      }
    });
  });

  describe('PATCH /bookings/:id: moves and edits', () => {
    it('moves a booking to another time, keeping its table, with booking.updated', async () => {
      const created = (await book({ date: day(50), time: '19:00', party_size: 2 })).body;
      const res = await api('patch', `/bookings/${created.id}`).send({ time: '20:00' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ time: '20:00', table: created.table, version: 2 });
      expect(res.body.start_at).toBe(DateTime.fromISO(`${day(50)}T20:00`, { zone: TZ }).toUTC().toISO());
      const events = await outboxOf(created.id);
      expect(events.map((e) => [e.event, e.resource_version])).toEqual([['booking.created', 1], ['booking.updated', 2]]);
      expect(JSON.parse(events[1]!.payload)).toEqual(res.body);
    });

    it('moves to another date, to a bigger party (a bigger table) and to a named table', async () => {
      const created = (await book({ date: day(51), time: '19:00', party_size: 2 })).body;
      const moved = await api('patch', `/bookings/${created.id}`).send({ date: day(52), party_size: 4 });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ date: day(52), party_size: 4, table: { id: tableId(venue, 3) }, version: 2 });
      const named = await api('patch', `/bookings/${created.id}`).send({ table_id: tableId(venue, 4) });
      expect(named.body).toMatchObject({ table: { id: tableId(venue, 4), number: 4 }, version: 3 });
    });

    it('refuses a move into a full slot with 422 slot_unavailable and alternatives, leaving the booking as it was', async () => {
      const d = day(53);
      expect((await book({ date: d, time: '19:00', party_size: 5 })).status).toBe(201);
      const later = (await book({ date: d, time: '21:00', party_size: 5 })).body;
      const res = await api('patch', `/bookings/${later.id}`).send({ time: '19:30' });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('slot_unavailable');
      // The booking being moved does not block itself: 20:30 and 21:00 are free for it.
      expect(res.body.error.details.alternatives).toEqual([{ date: d, time: '20:30' }, { date: d, time: '20:45' }, { date: d, time: '21:00' }]);
      const [row] = await q('SELECT time, version FROM bookings WHERE id = ?', [later.id]);
      expect(row).toEqual({ time: '21:00', version: 1 });
    });

    it('refuses to move a seated booking with 422 booking_not_movable', async () => {
      const created = (await book({ date: day(54), time: '19:00' })).body;
      await api('patch', `/bookings/${created.id}`).send({ status: 'seated' }).expect(200);
      const res = await api('patch', `/bookings/${created.id}`).send({ time: '20:00' });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('booking_not_movable');
      const notes = await api('patch', `/bookings/${created.id}`).send({ notes: 'Birthday' });
      expect(notes.body).toMatchObject({ notes: 'Birthday', version: 3 });
    });

    it('frees the table when a booking is cancelled', async () => {
      const d = day(55);
      const first = (await book({ date: d, time: '19:00', party_size: 5 })).body;
      expect((await book({ date: d, time: '19:00', party_size: 5 })).status).toBe(422);
      await api('patch', `/bookings/${first.id}`).send({ status: 'cancelled' }).expect(200);
      expect((await book({ date: d, time: '19:00', party_size: 5 })).status).toBe(201);
    });

    it.each([
      ['an empty body', {}, '(body)'],
      ['an unknown status', { status: 'gone' }, 'status'],
      ['party size 0', { party_size: 0 }, 'party_size'],
      ['a date that does not exist', { date: '2026-02-30' }, 'date'],
      ['a time off the slot grid', { time: '19:10' }, 'time'],
      ['an extra field', { customer_name: 'X' }, 'customer_name'],
    ])('rejects a patch with %s: 400 naming the field, booking unchanged', async (_name, body, field) => {
      const created = (await book({ date: day(56), time: '17:00' })).body;
      const res = await api('patch', `/bookings/${created.id}`).send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.details.field).toBe(field);
      const [row] = await q('SELECT time, version FROM bookings WHERE id = ?', [created.id]);
      expect(row).toEqual({ time: '17:00', version: 1 });
      await api('patch', `/bookings/${created.id}`).send({ status: 'cancelled' }).expect(200);
    });

    it('answers 404 for an unknown booking', async () => {
      const res = await api('patch', '/bookings/TS-ZZZZZZ').send({ status: 'cancelled' });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    });
  });
});
