import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { Booking, Sale } from '../../src/platform/db/entities';
import { newId } from '../../src/platform/ids';
import { createApiKey, createVenue, type CreatedVenue } from '../helpers/fixtures';
import { createUser, signIn } from '../helpers/people';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';

/**
 * `GET /api/v1/analytics` (CONTRACT §9.1, §15) against figures worked out by hand, over Europe/London's
 * spring-forward week (2026-03-23 Monday … 2026-03-29 Sunday, clocks forward at 01:00 UTC on the 29th) and
 * its autumn night (2026-10-25, a 25-hour day). Bookings and sales are written straight into their tables
 * (what the booking API and the POS pipeline store), with statuses the features to come will write too.
 */
const ZONE = 'Europe/London';
const at = (local: string): Date => DateTime.fromISO(local, { zone: ZONE }).toJSDate();

describe('GET /api/v1/analytics', () => {
  let t: TestApp;
  let em: EntityManager;
  let venue: CreatedVenue;
  let key: string;
  const service = (name: string): string => (venue.json.services as { id: string; name: string }[]).find((s) => s.name === name)!.id;

  async function booking(date: string, status: string, partySize: number, serviceName: string | null, venueId = venue.id): Promise<string> {
    const id = newId('bk');
    const startAt = at(`${date}T19:00`);
    await em.insert(Booking, {
      id, venueId, reference: `TS-${randomBytes(4).toString('hex').toUpperCase()}`, status: status as Booking['status'], date, time: '19:00',
      startAt, endAt: new Date(startAt.getTime() + 90 * 60_000), partySize, tableId: null,
      serviceId: serviceName ? service(serviceName) : null, eventId: null, customerId: null, notes: null, source: 'api', version: 1,
      createdAt: new Date(), updatedAt: new Date(),
    });
    return id;
  }

  async function sale(
    times: { opened?: string; closed?: string; received?: string },
    total: number,
    opts: { status?: Sale['status']; bookingId?: string | null; currency?: string; venueId?: string } = {},
  ): Promise<void> {
    const openedAt = times.opened ? at(times.opened) : null;
    const closedAt = times.closed ? at(times.closed) : null;
    const receivedAt = times.received ? at(times.received) : (closedAt ?? openedAt ?? new Date());
    await em.insert(Sale, {
      id: newId('sl'), partner: 'testpos', saleId: uniq('S'), venueId: opts.venueId ?? venue.id, locationId: 'loc-1',
      bookingId: opts.bookingId ?? null, matchMethod: opts.bookingId ? 'manual' : null, status: opts.status ?? 'closed',
      total, subtotal: null, tax: null, tip: null, discount: null, currency: opts.currency ?? 'GBP', tableNumber: null,
      venueTableNumber: null, covers: null, openedAt, closedAt, receivedAt, matchAt: openedAt ?? closedAt ?? receivedAt,
      sourceVersion: null, payments: null, version: 1, createdAt: receivedAt, updatedAt: receivedAt,
    });
  }

  const get = (query: string, auth: Record<string, string> = { Authorization: `Bearer ${key}` }) =>
    t.http.get(`/api/v1/analytics${query}`).set(auth);

  beforeAll(async () => {
    t = await startTestApp({ ROLE: 'api' });
    em = t.composed.deps.dataSource.manager;
    venue = await createVenue(t, {
      timezone: ZONE,
      services: [
        { name: 'Dinner', days: [1, 2, 3, 4, 5, 6, 7], start: '17:00', end: '23:00', slot_interval_minutes: 15, duration_minutes: 90 },
        { name: 'Lunch', days: [1, 2, 3, 4, 5, 6, 7], start: '12:00', end: '15:00', slot_interval_minutes: 15, duration_minutes: 90 },
        // Friday and Saturday nights, across midnight.
        { name: 'Late', days: [5, 6], start: '23:00', end: '02:00', slot_interval_minutes: 15, duration_minutes: 60 },
      ],
    });
    key = await createApiKey(t, venue.id);
    const other = await createVenue(t, { timezone: ZONE });

    // Bookings of the week (by local date), the ones that count nowhere, and neighbours outside it.
    const b1 = await booking('2026-03-23', 'completed', 2, 'Dinner');
    await booking('2026-03-23', 'no_show', 4, 'Dinner');
    await booking('2026-03-23', 'cancelled', 3, 'Dinner');
    const b4 = await booking('2026-03-24', 'completed', 6, 'Lunch');
    for (const status of ['requested', 'declined', 'expired']) await booking('2026-03-24', status, 5, 'Dinner');
    const b8 = await booking('2026-03-28', 'seated', 2, 'Dinner');
    const b9 = await booking('2026-03-29', 'confirmed', 4, 'Lunch');
    await booking('2026-03-29', 'requested', 8, 'Lunch');
    await booking('2026-03-30', 'completed', 2, 'Dinner');
    await booking('2026-03-22', 'completed', 2, 'Dinner');
    await booking('2026-03-25', 'completed', 7, 'Dinner', other.id);

    await sale({ opened: '2026-03-23T19:30' }, 5000, { bookingId: b1 });
    await sale({ opened: '2026-03-23T20:00' }, 3000, { bookingId: b1 });
    await sale({ opened: '2026-03-23T21:00' }, 2000, { bookingId: b1, status: 'void' });
    // Booking 1's last sale lands on the next local day: its covers count on both days, once in the totals.
    await sale({ opened: '2026-03-24T00:15' }, 1000, { bookingId: b1 });
    await sale({ opened: '2026-03-24T13:00' }, 6000, { bookingId: b4 });
    await sale({ opened: '2026-03-24T13:30' }, 1500);
    await sale({ opened: '2026-03-24T14:00' }, 9999, { status: 'refunded' });
    // No opened_at: its close time; neither: its receipt.
    await sale({ closed: '2026-03-25T20:00' }, 800);
    await sale({ received: '2026-03-26T12:00' }, 1200);
    await sale({ opened: '2026-03-25T19:00' }, 4321, { currency: 'USD' });
    // Opened on the 22nd, closed on the 23rd: the opening counts.
    await sale({ opened: '2026-03-22T23:30', closed: '2026-03-23T00:30' }, 3000);
    await sale({ opened: '2026-03-28T23:30' }, 4000, { status: 'open', bookingId: b8 });
    // 00:30 on the 29th is still GMT (= 00:30 UTC); 00:30 on the 30th is BST, 23:30 UTC on the 29th: the 30th.
    await sale({ opened: '2026-03-29T00:30' }, 1000);
    await sale({ opened: '2026-03-30T00:30' }, 7000);
    await sale({ opened: '2026-03-29T12:30' }, 2500, { bookingId: b9 });
    await sale({ opened: '2026-03-24T13:00' }, 50_000, { venueId: other.id });

    // The autumn night: 00:30 BST (23:30 UTC the day before), 01:30 twice, 23:30 GMT; and neighbours outside.
    await sale({ opened: '2026-10-25T00:30' }, 1000);
    const firstOneThirty = new Date('2026-10-25T00:30:00Z');
    const secondOneThirty = new Date('2026-10-25T01:30:00Z');
    expect(DateTime.fromJSDate(firstOneThirty, { zone: ZONE }).toFormat('HH:mm ZZ')).toBe('01:30 +01:00');
    expect(DateTime.fromJSDate(secondOneThirty, { zone: ZONE }).toFormat('HH:mm ZZ')).toBe('01:30 +00:00');
    for (const [instant, total] of [[firstOneThirty, 200], [secondOneThirty, 300]] as const) {
      await em.insert(Sale, {
        id: newId('sl'), partner: 'testpos', saleId: uniq('S'), venueId: venue.id, locationId: 'loc-1', bookingId: null, matchMethod: null,
        status: 'closed', total, subtotal: null, tax: null, tip: null, discount: null, currency: 'GBP', tableNumber: null, venueTableNumber: null,
        covers: null, openedAt: instant, closedAt: null, receivedAt: instant, matchAt: instant, sourceVersion: null, payments: null, version: 1,
        createdAt: instant, updatedAt: instant,
      });
    }
    await sale({ opened: '2026-10-25T23:30' }, 400);
    await sale({ opened: '2026-10-26T00:30' }, 5000);
    await sale({ opened: '2026-10-24T23:30' }, 6000);
  });
  afterAll(() => t.stop());

  const empty = { bookings: 0, covers: 0, completed: 0, cancelled: 0, no_shows: 0, no_show_rate: null, average_party_size: null };
  const noSales = { revenue: 0, matched_revenue: 0, unmatched_revenue: 0, sales: 0, matched_sales: 0, match_rate: null, spend_per_cover: null };
  const WEEK = [
    { key: '2026-03-23', bookings: 2, covers: 6, completed: 1, cancelled: 1, no_shows: 1, no_show_rate: 0.5, average_party_size: 3,
      revenue: 8000, matched_revenue: 8000, unmatched_revenue: 0, sales: 2, matched_sales: 2, match_rate: 1, spend_per_cover: 4000 },
    { key: '2026-03-24', bookings: 1, covers: 6, completed: 1, cancelled: 0, no_shows: 0, no_show_rate: 0, average_party_size: 6,
      revenue: 8500, matched_revenue: 7000, unmatched_revenue: 1500, sales: 3, matched_sales: 2, match_rate: 2 / 3, spend_per_cover: 875 },
    { key: '2026-03-25', ...empty, revenue: 800, matched_revenue: 0, unmatched_revenue: 800, sales: 1, matched_sales: 0, match_rate: 0, spend_per_cover: null },
    { key: '2026-03-26', ...empty, revenue: 1200, matched_revenue: 0, unmatched_revenue: 1200, sales: 1, matched_sales: 0, match_rate: 0, spend_per_cover: null },
    { key: '2026-03-27', ...empty, ...noSales },
    { key: '2026-03-28', bookings: 1, covers: 2, completed: 0, cancelled: 0, no_shows: 0, no_show_rate: null, average_party_size: 2,
      revenue: 4000, matched_revenue: 4000, unmatched_revenue: 0, sales: 1, matched_sales: 1, match_rate: 1, spend_per_cover: 2000 },
    { key: '2026-03-29', bookings: 1, covers: 4, completed: 0, cancelled: 0, no_shows: 0, no_show_rate: null, average_party_size: 4,
      revenue: 3500, matched_revenue: 2500, unmatched_revenue: 1000, sales: 2, matched_sales: 1, match_rate: 0.5, spend_per_cover: 625 },
  ];
  const WEEK_TOTALS = {
    bookings: 5, covers: 18, completed: 2, cancelled: 1, no_shows: 1, no_show_rate: 1 / 3, average_party_size: 3.6,
    revenue: 26_000, matched_revenue: 21_500, unmatched_revenue: 4500, sales: 10, matched_sales: 6, match_rate: 0.6,
    // 21,500 over the covers of bookings 1, 4, 8 and 9 (2 + 6 + 2 + 4), rounded to minor units.
    spend_per_cover: 1536,
  };

  it('by day (the default): every local day of the DST week, with the contract’s definitions', async () => {
    const res = await get('?from=2026-03-23&to=2026-03-29');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ from: '2026-03-23', to: '2026-03-29', group_by: 'day', currency: 'GBP' });
    expect(res.body.series).toEqual(WEEK.map((w) => ({ ...w, match_rate: w.match_rate === null ? null : expect.closeTo(w.match_rate, 10) })));
    expect(res.body.totals).toEqual({ ...WEEK_TOTALS, no_show_rate: expect.closeTo(1 / 3, 10) });
  });

  it('by weekday: ISO 1 (Monday) to 7, here one date each', async () => {
    const res = await get('?from=2026-03-23&to=2026-03-29&group_by=weekday');
    expect(res.status).toBe(200);
    expect(res.body.series.map((s: { key: number }) => s.key)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(res.body.series.map(({ key: _key, ...rest }: Record<string, unknown>) => rest)).toEqual(
      WEEK.map(({ key: _key, ...rest }) => ({ ...rest, match_rate: rest.match_rate === null ? null : expect.closeTo(rest.match_rate, 10) })),
    );
    expect(res.body.totals).toMatchObject({ revenue: 26_000, bookings: 5, spend_per_cover: 1536 });
  });

  it('by service: a booking’s service, a matched sale’s booking’s, an unmatched sale’s by the hours (across midnight too)', async () => {
    const res = await get('?from=2026-03-23&to=2026-03-29&group_by=service');
    expect(res.status).toBe(200);
    expect(res.body.series).toEqual([
      { key: service('Lunch'), name: 'Lunch', bookings: 2, covers: 10, completed: 1, cancelled: 0, no_shows: 0, no_show_rate: 0, average_party_size: 5,
        revenue: 11_200, matched_revenue: 8500, unmatched_revenue: 2700, sales: 4, matched_sales: 2, match_rate: 0.5, spend_per_cover: 850 },
      { key: service('Dinner'), name: 'Dinner', bookings: 3, covers: 8, completed: 1, cancelled: 1, no_shows: 1, no_show_rate: 0.5, average_party_size: 8 / 3,
        revenue: 13_800, matched_revenue: 13_000, unmatched_revenue: 800, sales: 5, matched_sales: 4, match_rate: 0.8, spend_per_cover: 3250 },
      // 00:30 on Sunday the 29th: Saturday's late service.
      { key: service('Late'), name: 'Late', ...empty, revenue: 1000, matched_revenue: 0, unmatched_revenue: 1000, sales: 1, matched_sales: 0, match_rate: 0, spend_per_cover: null },
    ]);
    expect(res.body.totals).toEqual({ ...WEEK_TOTALS, no_show_rate: expect.closeTo(1 / 3, 10) });
  });

  it('counts a 25-hour autumn day by local time, and a one-day range', async () => {
    const res = await get('?from=2026-10-25&to=2026-10-25');
    expect(res.status).toBe(200);
    expect(res.body.series).toHaveLength(1);
    expect(res.body.series[0]).toMatchObject({ key: '2026-10-25', revenue: 1900, sales: 4, unmatched_revenue: 1900, match_rate: 0 });
    const around = await get('?from=2026-10-24&to=2026-10-26');
    expect(around.body.series.map((s: { revenue: number }) => s.revenue)).toEqual([6000, 1900, 5000]);
    // The spring week's neighbours: the 22nd's opened sale and the 30th's 00:30 BST sale, each on its own day.
    const spring = await get('?from=2026-03-22&to=2026-03-30');
    expect(spring.body.series[0]).toMatchObject({ key: '2026-03-22', revenue: 3000, bookings: 1 });
    expect(spring.body.series[8]).toMatchObject({ key: '2026-03-30', revenue: 7000, bookings: 1 });
  });

  it('refuses reversed ranges, more than 366 days, unknown groupings and missing ends with 400 validation_error', async () => {
    for (const query of ['?from=2026-03-29&to=2026-03-23', '?from=2025-01-01&to=2026-01-02', '?from=2026-03-23&to=2026-03-29&group_by=month', '?from=2026-03-23', '?to=2026-03-23', '?from=2026-02-30&to=2026-03-01']) {
      const res = await get(query);
      expect({ query, status: res.status, code: res.body.error?.code }).toEqual({ query, status: 400, code: 'validation_error' });
    }
    // 366 days, both ends counted, is allowed.
    const year = await get('?from=2025-01-01&to=2026-01-01');
    expect(year.status).toBe(200);
    expect(year.body.series).toHaveLength(366);
  });

  it('needs sales:read: a key without it is 403; a host’s session reads it; no key is 401', async () => {
    const bookingsOnly = await createApiKey(t, venue.id, ['bookings:read']);
    const refused = await get('?from=2026-03-23&to=2026-03-29', { Authorization: `Bearer ${bookingsOnly}` });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'insufficient_scope', details: { required_scope: 'sales:read' } });
    expect((await t.http.get('/api/v1/analytics?from=2026-03-23&to=2026-03-29')).status).toBe(401);
    const host = await createUser(t, venue.id, 'host');
    const session = await signIn(t.composed.app!, host.email);
    const res = await session.agent.get('/api/v1/analytics?from=2026-03-23&to=2026-03-29');
    expect(res.status).toBe(200);
    expect(res.body.totals.revenue).toBe(26_000);
  });
});
