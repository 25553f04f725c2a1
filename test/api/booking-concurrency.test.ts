import { DateTime } from 'luxon';
import { createApiKey, createVenue, type CreatedVenue } from '../helpers/fixtures';
import { startTestApp, type TestApp } from '../helpers/test-app';

const TZ = 'Europe/London';
const day = (days: number): string => DateTime.now().setZone(TZ).plus({ days }).toISODate()!;

/**
 * The atomic availability check, through a real listening server and real concurrent HTTP requests:
 * every request runs in its own connection and transaction, exactly as in production.
 */
describe('booking API: concurrent bookings', () => {
  let t: TestApp;
  let baseUrl: string;
  const q = async <T = any>(sql: string, params: unknown[] = []): Promise<T[]> =>
    (await t.composed.deps.dataSource.query(sql, params)) as T[];
  const call = async (key: string, method: string, path: string, body: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  const oneTableVenue = () =>
    createVenue(t, { areas: [{ name: 'Bar', tables: [{ number: 1, min_covers: 1, max_covers: 4 }] }] });
  const overlaps = async (venueId: string) =>
    q(`SELECT a.id AS a, b.id AS b FROM bookings a JOIN bookings b
         ON a.venue_id = b.venue_id AND a.table_id = b.table_id AND a.id < b.id
        AND a.start_at < b.end_at AND b.start_at < a.end_at
      WHERE a.venue_id = ? AND a.status NOT IN ('cancelled', 'no_show') AND b.status NOT IN ('cancelled', 'no_show')`, [venueId]);

  beforeAll(async () => {
    t = await startTestApp();
    const port = await t.composed.listen(0);
    baseUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(() => t.stop());

  it('gives the last free table to exactly one of 50 simultaneous requests; 49 get 422 with alternatives', async () => {
    const venue = await oneTableVenue();
    const key = await createApiKey(t, venue.id);
    const date = day(15);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call(key, 'POST', '/bookings', { date, time: '19:00', party_size: 2, customer_name: `Guest ${i}`, email: `guest${i}@example.com` })),
    );
    const created = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 422);
    expect(created).toHaveLength(1);
    expect(refused).toHaveLength(49);
    for (const r of refused) {
      expect(r.body.error.code).toBe('slot_unavailable');
      // The one table is held 19:00–20:30, so the nearest free starts are 17:30 and 20:30.
      expect(r.body.error.details.alternatives).toEqual([{ date, time: '17:30' }, { date, time: '20:30' }, { date, time: '17:15' }]);
    }
    const rows = await q('SELECT id FROM bookings WHERE venue_id = ?', [venue.id]);
    expect(rows.map((r) => r.id)).toEqual([created[0]!.body.id]);
    // The refused requests wrote nothing: one customer, one booking.created, one customer.created.
    const [customers] = await q('SELECT COUNT(*) AS n FROM customers WHERE venue_id = ?', [venue.id]);
    expect(Number(customers.n)).toBe(1);
    const outbox = await q('SELECT event FROM outbox WHERE venue_id = ? ORDER BY event', [venue.id]);
    expect(outbox.map((r) => r.event)).toEqual(['booking.created', 'customer.created']);
  });

  it('never puts two overlapping bookings on one table under a burst of requests for mixed times', async () => {
    const venue: CreatedVenue = await createVenue(t, {
      areas: [{ name: 'Main', tables: [{ number: 1, min_covers: 1, max_covers: 2 }, { number: 2, min_covers: 1, max_covers: 4 }] }],
    });
    const key = await createApiKey(t, venue.id);
    const date = day(16);
    const times = ['18:00', '18:15', '18:30', '18:45', '19:00', '19:15', '19:30', '19:45', '20:00'];
    const results = await Promise.all(
      Array.from({ length: 45 }, (_, i) =>
        call(key, 'POST', '/bookings', { date, time: times[i % times.length], party_size: 1 + (i % 2), customer_name: `G${i}` })),
    );
    expect(results.every((r) => r.status === 201 || (r.status === 422 && r.body.error.code === 'slot_unavailable'))).toBe(true);
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(2);
    const [count] = await q('SELECT COUNT(*) AS n FROM bookings WHERE venue_id = ?', [venue.id]);
    expect(Number(count.n)).toBe(created.length);
    expect(await overlaps(venue.id)).toEqual([]);
  });

  it('books against the venue\'s tables as they are now, whatever was read for earlier bookings', async () => {
    const venue = await oneTableVenue();
    const key = await createApiKey(t, venue.id);
    const tableId = venue.json.areas[0].tables[0].id as string;
    expect((await call(key, 'POST', '/bookings', { date: day(18), time: '17:00', party_size: 2, customer_name: 'A' })).status).toBe(201);
    // The one table seats 4: a party of 6 has nowhere to sit, until the table is changed (here behind the API's back).
    expect((await call(key, 'POST', '/bookings', { date: day(18), time: '19:00', party_size: 6, customer_name: 'B' })).status).toBe(422);
    await q('UPDATE venue_tables SET max_covers = 6 WHERE id = ?', [tableId]);
    const six = await call(key, 'POST', '/bookings', { date: day(18), time: '19:00', party_size: 6, customer_name: 'B' });
    expect(six.status).toBe(201);
    expect(six.body.table.id).toBe(tableId);
    // A second table appears; once the first is taken at 21:00 the new one is.
    await q(`INSERT INTO venue_tables (id, venue_id, area_id, number, min_covers, max_covers)
             SELECT 'tbl_added_${Date.now()}', venue_id, area_id, '2', 1, 4 FROM venue_tables WHERE id = ?`, [tableId]);
    const at21 = await Promise.all(['C', 'D'].map((name) => call(key, 'POST', '/bookings', { date: day(18), time: '21:00', party_size: 2, customer_name: name })));
    expect(at21.map((r) => r.status)).toEqual([201, 201]);
    expect(new Set(at21.map((r) => r.body.table.number))).toEqual(new Set([1, 2]));
    expect(await overlaps(venue.id)).toEqual([]);
  });

  it('books against the venue\'s services as they are now, whatever was read for earlier bookings', async () => {
    const venue = await oneTableVenue();
    const key = await createApiKey(t, venue.id);
    const serviceId = venue.json.services[0].id as string;
    expect((await call(key, 'POST', '/bookings', { date: day(20), time: '17:00', party_size: 2, customer_name: 'A' })).status).toBe(201);
    // Dinner now starts at 18:00 (changed behind the API's back): 17:15 is off the grid, 18:30 is on it.
    await q(`UPDATE services SET start_time = '18:00' WHERE id = ?`, [serviceId]);
    const early = await call(key, 'POST', '/bookings', { date: day(21), time: '17:15', party_size: 2, customer_name: 'B' });
    expect(early.status).toBe(400);
    expect(early.body.error.details).toMatchObject({ field: 'time', reason: 'not_on_slot_grid' });
    expect((await call(key, 'POST', '/bookings', { date: day(21), time: '18:30', party_size: 2, customer_name: 'C' })).status).toBe(201);
    // A pacing limit appears: 2 covers per slot.
    await q('UPDATE services SET max_covers_per_slot = 2 WHERE id = ?', [serviceId]);
    const paced = await call(key, 'POST', '/bookings', { date: day(21), time: '18:30', party_size: 2, customer_name: 'D' });
    expect(paced.status).toBe(422);
    expect(paced.body.error.details.reason).toBe('pacing_limit_reached');
  });

  it('holds booking writers while someone has the venue\'s tables locked for update', async () => {
    const venue = await oneTableVenue();
    const key = await createApiKey(t, venue.id);
    const tableId = venue.json.areas[0].tables[0].id as string;
    expect((await call(key, 'POST', '/bookings', { date: day(19), time: '17:00', party_size: 2, customer_name: 'A' })).status).toBe(201);
    const qr = t.composed.deps.dataSource.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      await qr.query('SELECT id FROM venue_tables WHERE id = ? FOR UPDATE', [tableId]);
      let settled = false;
      const pending = call(key, 'POST', '/bookings', { date: day(19), time: '20:00', party_size: 2, customer_name: 'B' }).finally(() => { settled = true; });
      await new Promise((r) => setTimeout(r, 400));
      expect(settled).toBe(false);
      await qr.query('UPDATE venue_tables SET min_covers = 3 WHERE id = ?', [tableId]);
      await qr.commitTransaction();
      // It waited, then saw the change: the table now needs 3 covers.
      const res = await pending;
      expect(res.status).toBe(422);
      expect(res.body.error.details.reason).toBe('no_table_available');
    } finally {
      await qr.release();
    }
  });

  it('lets only one of two simultaneous moves into the same free slot succeed', async () => {
    const venue = await oneTableVenue();
    const key = await createApiKey(t, venue.id);
    const date = day(17);
    const a = await call(key, 'POST', '/bookings', { date, time: '17:00', party_size: 2, customer_name: 'A' });
    const b = await call(key, 'POST', '/bookings', { date, time: '21:00', party_size: 2, customer_name: 'B' });
    expect([a.status, b.status]).toEqual([201, 201]);
    const moves = await Promise.all([
      call(key, 'PATCH', `/bookings/${a.body.id}`, { time: '19:00' }),
      call(key, 'PATCH', `/bookings/${b.body.id}`, { time: '19:00' }),
    ]);
    expect(moves.map((m) => m.status).sort()).toEqual([200, 422]);
    expect(await overlaps(venue.id)).toEqual([]);
  });
});
