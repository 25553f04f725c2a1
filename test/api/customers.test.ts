import { DateTime } from 'luxon';
import { createApiKey, createVenue, type CreatedVenue } from '../helpers/fixtures';
import { startTestApp, type TestApp } from '../helpers/test-app';

const TZ = 'Europe/London';
const day = (days: number): string => DateTime.now().setZone(TZ).plus({ days }).toISODate()!;

describe('booking API: customers', () => {
  let t: TestApp;
  let venue: CreatedVenue;
  let key: string;
  const api = (method: 'get' | 'post' | 'patch', path: string, k = key) =>
    t.http[method](`/api/v1${path}`).set('Authorization', `Bearer ${k}`);
  const q = async <T = any>(sql: string, params: unknown[] = []): Promise<T[]> =>
    (await t.composed.deps.dataSource.query(sql, params)) as T[];
  const upsert = (body: Record<string, unknown>, k = key) => api('post', '/customers', k).send(body);
  const countCustomers = async (venueId = venue.id) =>
    Number((await q('SELECT COUNT(*) AS n FROM customers WHERE venue_id = ?', [venueId]))[0].n);

  beforeAll(async () => {
    t = await startTestApp();
    venue = await createVenue(t);
    key = await createApiKey(t, venue.id);
  });
  afterAll(() => t.stop());

  describe('POST /customers', () => {
    it('creates a customer (201), then updates the one with the same email in any case (200)', async () => {
      const created = await upsert({ name: 'Grace Hopper', email: 'Grace@Navy.example', notes: 'Likes a booth' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        id: expect.stringMatching(/^cus_/), name: 'Grace Hopper', email: 'Grace@Navy.example', phone: null,
        notes: 'Likes a booth', visits: 0, spend: { total: 0, currency: 'GBP' }, version: 1,
      });
      expect(created.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const updated = await upsert({ name: 'Grace B. Hopper', email: 'grace@NAVY.example', phone: '07911 123456' });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({
        id: created.body.id, name: 'Grace B. Hopper', email: 'grace@NAVY.example', phone: '+447911123456',
        notes: 'Likes a booth', version: 2,
      });
      const events = await q('SELECT event, resource_version FROM outbox WHERE resource_id = ? ORDER BY id', [created.body.id]);
      expect(events).toEqual([
        { event: 'customer.created', resource_version: 1 },
        { event: 'customer.updated', resource_version: 2 },
      ]);
    });

    it.each([
      ['+44 7400 400461', '+447400400461'],
      ['07400 400461', '+447400400461'],
      ['(07400) 400-461', '+447400400461'],
      ['0044 7400 400461', '+447400400461'],
      ['+447400400461', '+447400400461'],
    ])('matches by phone written as %s (stored as E.164)', async (phone, e164) => {
      // The first call of this table creates the customer; every format afterwards finds it.
      const res = await upsert({ name: 'Alan Turing', phone });
      expect([200, 201]).toContain(res.status);
      expect(res.body.phone).toBe(e164);
      const rows = await q('SELECT id FROM customers WHERE venue_id = ? AND phone = ?', [venue.id, e164]);
      expect(rows).toHaveLength(1);
    });

    it('changes nothing, and writes no event, when the details are the same', async () => {
      const first = await upsert({ name: 'Edsger Dijkstra', email: 'ewd@example.com' });
      const again = await upsert({ name: 'Edsger Dijkstra', email: 'EWD@example.com' });
      expect(again.status).toBe(200);
      expect(again.body.version).toBe(2); // the displayed email changed case
      const same = await upsert({ name: 'Edsger Dijkstra', email: 'EWD@example.com' });
      expect(same.body.version).toBe(2);
      const events = await q('SELECT event FROM outbox WHERE resource_id = ?', [first.body.id]);
      expect(events).toHaveLength(2);
    });

    it('keeps a phone number with its owner when another customer matched by email sends it', async () => {
      const owner = (await upsert({ name: 'Owner', phone: '+44 7911 000111' })).body;
      const other = (await upsert({ name: 'Other', email: 'other@example.com' })).body;
      const res = await upsert({ name: 'Other', email: 'other@example.com', phone: '07911 000111' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: other.id, phone: null });
      expect((await api('get', `/customers/${owner.id}`)).body.phone).toBe('+447911000111');
    });

    it.each([
      ['a missing name', { email: 'x@example.com' }, 'name'],
      ['a blank name', { name: ' ' }, 'name'],
      ['a bad email', { name: 'X', email: 'x@' }, 'email'],
      ['a phone that is not a number', { name: 'X', phone: '+44 1632 960000' }, 'phone'],
      ['a phone that is too short', { name: 'X', phone: '1234' }, 'phone'],
      ['a phone as a number', { name: 'X', phone: 447911123456 }, 'phone'],
      ['an extra field', { name: 'X', vip: true }, 'vip'],
    ])('rejects %s with 400 validation_error naming the field, nothing written', async (_name, body, field) => {
      const before = await countCustomers();
      const res = await upsert(body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
      expect(res.body.error.details.field).toBe(field);
      expect(await countCustomers()).toBe(before);
    });

    it('reads a national number in the venue\'s country, and needs +… where the venue has none', async () => {
      const us = await createVenue(t, { country: 'US', timezone: 'America/New_York', currency: 'USD' });
      const usKey = await createApiKey(t, us.id);
      expect((await upsert({ name: 'NY', phone: '(212) 555-0123' }, usKey)).body.phone).toBe('+12125550123');
      const nowhere = await createVenue(t, { country: undefined });
      const nowhereKey = await createApiKey(t, nowhere.id);
      const national = await upsert({ name: 'N', phone: '07911 123456' }, nowhereKey);
      expect(national.status).toBe(400);
      expect(national.body.error.details.field).toBe('phone');
      expect((await upsert({ name: 'N', phone: '+44 7911 123456' }, nowhereKey)).status).toBe(201);
    });

    it('gives two simultaneous creates of one new customer one row: one 201 and one 200', async () => {
      const results = await Promise.all([
        upsert({ name: 'Twin', email: 'twin@example.com' }),
        upsert({ name: 'Twin', email: 'TWIN@example.com' }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 201]);
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    });
  });

  describe('bookings and customers', () => {
    it('upserts the booking\'s customer the same way: by email or phone', async () => {
      const customer = (await upsert({ name: 'Barbara Liskov', email: 'barbara@example.com' })).body;
      const booking = await api('post', '/bookings').send({
        date: day(8), time: '18:00', party_size: 2, customer_name: 'Barbara Liskov', email: 'BARBARA@example.com', phone: '07911 222333',
      });
      expect(booking.status).toBe(201);
      expect(booking.body.customer).toEqual({ id: customer.id, name: 'Barbara Liskov', email: 'BARBARA@example.com', phone: '+447911222333' });
      const byPhone = await api('post', '/bookings').send({
        date: day(8), time: '20:00', party_size: 2, customer_name: 'B. Liskov', phone: '+44 7911 222333',
      });
      expect(byPhone.body.customer.id).toBe(customer.id);
    });

    it('shows a customer with booking history, visits (seated or completed) and spend from matched sales', async () => {
      const customer = (await upsert({ name: 'Margaret Hamilton', email: 'mh@example.com' })).body;
      const make = async (date: string, time: string) =>
        (await api('post', '/bookings').send({ date, time, party_size: 2, customer_name: 'Margaret Hamilton', email: 'mh@example.com' })).body;
      const completed = await make(day(2), '18:00');
      const seated = await make(day(3), '18:00');
      const cancelled = await make(day(4), '18:00');
      const upcoming = await make(day(5), '18:00');
      for (const [id, statuses] of [[completed.id, ['seated', 'completed']], [seated.id, ['seated']], [cancelled.id, ['cancelled']]] as const) {
        for (const status of statuses) await api('patch', `/bookings/${id}`).send({ status }).expect(200);
      }
      const now = new Date();
      for (const [sale, bookingId, status, total] of [
        ['a', completed.id, 'closed', 5600], ['b', seated.id, 'open', 1200], ['c', completed.id, 'refunded', 900],
      ] as const) {
        const id = `sl_${sale}_${customer.id}`;
        await q(
          `INSERT INTO sales (id, partner, sale_id, venue_id, location_id, booking_id, match_method, status, total, currency,
             received_at, match_at, version, created_at, updated_at)
           VALUES (?, 'testpos', ?, ?, 'loc-1', ?, 'manual', ?, ?, 'GBP', ?, ?, 1, ?, ?)`,
          [id, id, venue.id, bookingId, status, total, now, now, now, now],
        );
      }
      const res = await api('get', `/customers/${customer.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: customer.id, name: 'Margaret Hamilton', visits: 2, spend: { total: 6800, currency: 'GBP' } });
      expect(res.body.bookings.map((b: any) => [b.id, b.status])).toEqual([
        [upcoming.id, 'confirmed'], [cancelled.id, 'cancelled'], [seated.id, 'seated'], [completed.id, 'completed'],
      ]);
      const listed = (await api('get', '/customers?q=Margaret')).body.data;
      expect(listed).toEqual([expect.objectContaining({ id: customer.id, visits: 2, spend: { total: 6800, currency: 'GBP' } })]);
    });

    it('answers 404 for an unknown customer', async () => {
      const res = await api('get', '/customers/cus_nope');
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    });
  });

  describe('GET /customers', () => {
    let searchKey: string;
    const names: Record<string, string> = {};
    beforeAll(async () => {
      const v = await createVenue(t);
      searchKey = await createApiKey(t, v.id);
      for (const [name, email, phone] of [
        ['Ada Lovelace', 'ada@analytical.example', '+44 7911 100200'],
        ['Charles Babbage', 'charles@engine.example', '+44 7911 100300'],
        ['Ada Byron', 'byron@poets.example', null],
        ['Mary Somerville', 'mary_50%@somerville.example', '+1 212 555 0199'],
      ] as const) {
        const res = await upsert({ name, email, phone }, searchKey);
        expect(res.status).toBe(201);
        names[name] = res.body.id;
      }
    });
    const search = async (query: string) => {
      const res = await api('get', `/customers${query}`, searchKey);
      expect(res.status).toBe(200);
      return res.body.data.map((c: any) => c.name);
    };

    it.each([
      ['?q=ada', ['Ada Byron', 'Ada Lovelace']],
      ['?q=LOVE', ['Ada Lovelace']],
      ['?q=bab', ['Charles Babbage']],
      ['?q=charles%40eng', ['Charles Babbage']],
      ['?q=BYRON%40', ['Ada Byron']],
      ['?q=07911%20100%202', ['Ada Lovelace']],
      ['?q=%2B447911', ['Ada Lovelace', 'Charles Babbage']],
      ['?q=00447911100', ['Ada Lovelace', 'Charles Babbage']],
      ['?q=447911%20100%203', ['Charles Babbage']],
      ['?q=%2B1%20212', ['Mary Somerville']],
      ['?q=mary_50%25%40', ['Mary Somerville']],
      ['?q=ma_y', []], // _ and % are literal, not wildcards
      ['?q=%25', []],
      ['?q=nobody', []],
      ['', ['Ada Byron', 'Ada Lovelace', 'Charles Babbage', 'Mary Somerville']],
    ])('%s finds %j by prefix of a name word, the email or the phone', async (query, expected) => {
      expect(await search(query)).toEqual(expected);
    });

    it('pages through the customers by name with the cursor', async () => {
      const first = await api('get', '/customers?limit=3', searchKey);
      expect(first.body.data.map((c: any) => c.name)).toEqual(['Ada Byron', 'Ada Lovelace', 'Charles Babbage']);
      expect(first.body.next_cursor).toEqual(expect.any(String));
      const second = await api('get', `/customers?limit=3&cursor=${first.body.next_cursor}`, searchKey);
      expect(second.body).toEqual({ data: [expect.objectContaining({ name: 'Mary Somerville' })], next_cursor: null });
    });

    it.each([['?q=', 'q'], ['?limit=500', 'limit'], ['?cursor=%24%24', 'cursor'], ['?name=ada', 'name']])(
      'rejects %s with 400 naming the parameter',
      async (query, field) => {
        const res = await api('get', `/customers${query}`, searchKey);
        expect(res.status).toBe(400);
        expect(res.body.error.details.field).toBe(field);
      },
    );
  });
});
