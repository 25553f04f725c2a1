import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { Booking, Sale } from '../../src/platform/db/entities';
import { DEFAULT_MAPPINGS_DIR } from '../../src/modules/partners/mapping/fixture-runner';
import { createApiKey, createVenue, type CreatedVenue } from '../helpers/fixtures';
import {
  createTestPartner,
  insertBooking,
  linkLocation,
  putMapping,
  salesOf,
  signedPost,
  TABLE_CLOSED_MAPPING,
  type TestPartner,
  waitForEvent,
} from '../helpers/partner';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';

/**
 * Real-shaped POS payloads reaching their bookings (issue 12): Toast's table GUIDs through the location's
 * table aliases, a sale in another currency than its venue's, the outcome in the event detail, a POS status
 * outside its booking's time, and the candidates of a sale from a till without tables.
 *
 * The Toast payload follows Toast's orders webhook (order_updated: `details.restaurantGuid`, an Order with
 * `guid`, `openedDate`/`closedDate` with `+0000` offsets, `numberOfGuests`, `table: {guid, entityType}`,
 * `checks[].totalAmount` in decimal currency, no currency field).
 */
const TOAST_MAPPING = `(
  $o := details.order;
  $c := $o.checks[0];
  {
    "type": "sale",
    "location_id": details.restaurantGuid,
    "sale_id": $o.guid,
    "status": $c.paymentStatus = "OPEN" ? "open" : "closed",
    "total": $round($c.totalAmount * 100),
    "table_number": $o.table.guid,
    "covers": $o.numberOfGuests,
    "opened_at": $replace($o.openedDate, "+0000", "Z"),
    "closed_at": $o.closedDate ? $replace($o.closedDate, "+0000", "Z") : null
  }
)`;

function toastOrder(restaurantGuid: string, tableGuid: string | null, openedDate: string): Record<string, unknown> {
  return {
    timestamp: '2026-05-01T19:42:10.118+0000',
    eventCategory: 'orders',
    eventType: 'order_updated',
    guid: randomUUID(),
    details: {
      restaurantGuid,
      order: {
        guid: randomUUID(),
        entityType: 'Order',
        openedDate,
        closedDate: null,
        numberOfGuests: 2,
        table: tableGuid === null ? null : { guid: tableGuid, entityType: 'Table' },
        checks: [
          {
            guid: randomUUID(),
            entityType: 'Check',
            amount: 30.0,
            taxAmount: 5.3,
            totalAmount: 35.3,
            paymentStatus: 'CLOSED',
            selections: [{ guid: randomUUID(), displayName: 'Dry-aged burger', quantity: 2, price: 15.0 }],
          },
        ],
      },
    },
  };
}

/** A generic sale mapping whose currency is taken from the payload when it has one (Square-style amounts). */
const SALE_WITH_CURRENCY = `{
  "type": "sale", "location_id": location_id, "sale_id": id, "status": "closed",
  "total": amount_money.amount, "currency": amount_money.currency,
  "booking_id": booking, "table_number": table, "opened_at": opened_at
}`;

describe('real POS payloads land on the right booking (CONTRACT §3, §5)', () => {
  let t: TestApp;
  let venue: CreatedVenue;
  let key: string;
  let toast: TestPartner;
  let pos: TestPartner;
  const restaurant = randomUUID();
  const tableGuid = randomUUID();

  beforeAll(async () => {
    t = await startTestApp();
    venue = await createVenue(t, {
      areas: [
        {
          name: 'Main',
          tables: [
            { number: 1, min_covers: 1, max_covers: 2 },
            { number: 2, min_covers: 1, max_covers: 2 },
            { number: 3, min_covers: 2, max_covers: 4 },
            { number: 'Bar 3', min_covers: 1, max_covers: 2 },
          ],
        },
      ],
    });
    key = await createApiKey(t, venue.id);
    toast = await createTestPartner(t, { name: uniq('toast') });
    await putMapping(t, toast.name, 'order_updated', TOAST_MAPPING);
    pos = await createTestPartner(t);
    await putMapping(t, pos.name, 'sale.updated', SALE_WITH_CURRENCY);
    await putMapping(t, pos.name, 'table.closed', TABLE_CLOSED_MAPPING);
    await linkLocation(t, pos.name, 'loc-1', venue.id);
  });
  afterAll(() => t.stop());

  const api = (method: 'get' | 'patch', path: string) => t.http[method](`/api/v1${path}`).set('Authorization', `Bearer ${key}`);
  const send = async (p: TestPartner, eventType: string, body: Record<string, unknown>) => {
    const res = await signedPost(t, p, eventType, body);
    expect(res.status).toBe(200);
    return { id: res.body.event_id as string, row: await waitForEvent(t, res.body.event_id as string) };
  };
  const detail = async (eventId: string) => {
    const res = await t.admin('get', `/admin/v1/events/${eventId}`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const at = (date: string, time: string): string => DateTime.fromISO(`${date}T${time}`, { zone: 'Europe/London' }).toUTC().toISO()!;

  describe('table aliases per location', () => {
    it('matches a Toast order by its table GUID through the location\'s aliases, and the event detail shows the match', async () => {
      const put = await t.admin('put', `/admin/v1/partners/${toast.name}/locations/${restaurant}`).send({ venue_id: venue.id, tables: { [tableGuid]: '3' } });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ location_id: restaurant, venue_id: venue.id, tables: { [tableGuid]: '3' } });
      const booking = await insertBooking(t, venue, { date: '2026-05-01', time: '19:00', table: 3 });

      const { id, row } = await send(toast, 'order_updated', toastOrder(restaurant, tableGuid, '2026-05-01T18:05:12.345+0000'));
      expect(row).toMatchObject({ status: 'processed', reason: null });
      const [sale] = await salesOf(t, toast.name, String(row.saleId));
      expect(sale).toMatchObject({ bookingId: booking.id, matchMethod: 'table_time', tableNumber: tableGuid, currency: 'GBP' });
      expect(Number(sale!.total)).toBe(3530);

      expect((await detail(id)).outcome).toEqual([
        { type: 'sale', result: 'applied', venue_id: venue.id, sale: sale!.id, booking: booking.id, match: 'table_time', unmatched_reason: null, reason: null },
      ]);
    });

    it('compares table numbers as text, trimmed and case-insensitive, and looks aliases up the same way', async () => {
      const booking = await insertBooking(t, venue, { date: '2026-05-02', time: '19:00', table: 'Bar 3' });
      const { row } = await send(pos, 'sale.updated', { location_id: 'loc-1', id: uniq('S'), amount_money: { amount: 900 }, table: '  bar 3 ', opened_at: at('2026-05-02', '19:20') });
      expect((await salesOf(t, pos.name, String(row.saleId)))[0]).toMatchObject({ bookingId: booking.id, matchMethod: 'table_time' });

      const loc = uniq('guid-loc');
      await t.admin('put', `/admin/v1/partners/${toast.name}/locations/${loc}`).send({ venue_id: venue.id, tables: { 'Terrace-T7': 'bar 3' } }).expect(200);
      const { row: aliased } = await send(toast, 'order_updated', toastOrder(loc, 'terrace-t7 ', '2026-05-02T18:30:00.000+0000'));
      expect((await salesOf(t, toast.name, String(aliased.saleId)))[0]).toMatchObject({ bookingId: booking.id, matchMethod: 'table_time' });
    });

    it('keeps the aliases when a PUT leaves them out, replaces them when given, and refuses a table the venue does not have', async () => {
      const loc = uniq('loc');
      const path = `/admin/v1/partners/${toast.name}/locations/${loc}`;
      await t.admin('put', path).send({ venue_id: venue.id, tables: { A: 1, B: '2' } }).expect(200);
      const kept = await t.admin('put', path).send({ venue_id: venue.id, enabled: false });
      expect(kept.body).toMatchObject({ enabled: false, tables: { A: '1', B: '2' } });
      const replaced = await t.admin('put', path).send({ venue_id: venue.id, tables: { C: '3' } });
      expect(replaced.body.tables).toEqual({ C: '3' });

      const bad = await t.admin('put', path).send({ venue_id: venue.id, tables: { D: '99' } });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ code: 'validation_error', details: { field: 'tables', unknown_tables: ['99'] } });
      const twice = await t.admin('put', path).send({ venue_id: venue.id, tables: { 'T 1': '1', ' t 1': '2' } });
      expect(twice.status).toBe(400);
      const list = await t.admin('get', `/admin/v1/partners/${toast.name}/locations`);
      expect(list.body.data.find((l: { location_id: string }) => l.location_id === loc).tables).toEqual({ C: '3' });
    });

    it('keeps an unmatched sale processed and says why, in the log and the event detail', async () => {
      const loc = uniq('no-alias');
      await t.admin('put', `/admin/v1/partners/${toast.name}/locations/${loc}`).send({ venue_id: venue.id }).expect(200);
      const unknownTable = randomUUID();
      const { id, row } = await send(toast, 'order_updated', toastOrder(loc, unknownTable, '2026-05-03T18:00:00.000+0000'));
      expect(row.status).toBe('processed');
      expect(row.reason).toMatch(new RegExp(`^sale sl_\\w+ unmatched: table ${unknownTable} is neither a table of the venue nor an alias of the location$`));

      const { id: id2, row: row2 } = await send(pos, 'sale.updated', { location_id: 'loc-1', id: uniq('S'), amount_money: { amount: 500 }, table: 2, opened_at: at('2026-05-03', '20:00') });
      // 20:00 local: a booking holds the sale when its sitting meets 18:00–20:30.
      expect(row2.reason).toMatch(/^sale sl_\w+ unmatched: no booking at table 2 between 18:00 and 20:30 on 2026-05-03$/);
      const [sale] = await salesOf(t, pos.name, String(row2.saleId));
      expect((await detail(id2)).outcome).toEqual([
        {
          type: 'sale', result: 'applied', venue_id: venue.id, sale: sale!.id, booking: null, match: null,
          unmatched_reason: 'no booking at table 2 between 18:00 and 20:30 on 2026-05-03', reason: null,
        },
      ]);
      expect((await detail(id)).outcome[0]).toMatchObject({ booking: null, match: null, unmatched_reason: expect.stringContaining(unknownTable) });

      // The event log lists it with its reason too.
      const log = await t.admin('get', `/admin/v1/partners/${pos.name}/events`);
      expect(log.body.data.find((e: { id: string }) => e.id === id2)).toMatchObject({ status: 'processed', reason: row2.reason });
    });
  });

  describe('currencies', () => {
    it("fails a sale in another currency than its venue's with the reason, and changes nothing", async () => {
      const booking = await insertBooking(t, venue, { date: '2026-05-04', time: '19:00', table: 1 });
      const gbp = await send(pos, 'sale.updated', { location_id: 'loc-1', id: uniq('S'), amount_money: { amount: 35300, currency: 'GBP' }, booking: booking.id });
      expect(gbp.row.status).toBe('processed');
      const before = await api('get', `/bookings/${booking.id}`);
      expect(before.body.spend).toEqual({ total: 35300, currency: 'GBP', count: 1 });

      const saleId = uniq('S');
      const eur = await send(pos, 'sale.updated', { location_id: 'loc-1', id: saleId, amount_money: { amount: 35300, currency: 'EUR' }, booking: booking.id });
      expect(eur.row.status).toBe('failed');
      expect(eur.row.reason).toBe(`sale ${saleId}: currency EUR is not the venue's (GBP); fix the mapping and replay the event`);
      expect(await salesOf(t, pos.name, saleId)).toEqual([]);
      expect((await detail(eur.id)).outcome).toEqual([
        { type: 'sale', result: 'failed', venue_id: venue.id, sale: null, booking: null, match: null, unmatched_reason: null, reason: eur.row.reason },
      ]);
      const after = await api('get', `/bookings/${booking.id}`);
      expect(after.body.spend).toEqual({ total: 35300, currency: 'GBP', count: 1 });
      expect(after.body.sales).toHaveLength(1);
    });

    it("takes the venue's currency when the command names none (Toast sends none)", async () => {
      const { row } = await send(pos, 'sale.updated', { location_id: 'loc-1', id: uniq('S'), amount_money: { amount: 100 } });
      expect(row.status).toBe('processed');
      expect((await salesOf(t, pos.name, String(row.saleId)))[0]!.currency).toBe('GBP');
    });

    it('never adds amounts of different currencies in a spend, even for sales stored before the rule', async () => {
      const booking = await insertBooking(t, venue, { date: '2026-05-05', time: '19:00', table: 1 });
      await send(pos, 'sale.updated', { location_id: 'loc-1', id: uniq('S'), amount_money: { amount: 35300 }, booking: booking.id });
      const legacy = uniq('S');
      await send(pos, 'sale.updated', { location_id: 'loc-1', id: legacy, amount_money: { amount: 200 }, booking: booking.id });
      await t.composed.deps.dataSource.manager.update(Sale, { partner: pos.name, saleId: legacy }, { currency: 'EUR' });
      const res = await api('get', `/bookings/${booking.id}`);
      expect(res.body.spend).toEqual({ total: 35300, currency: 'GBP', count: 1 });
    });
  });

  describe('booking_status guard', () => {
    /** The shipped Lightspeed mapping; its payload carries no time, so the receipt time counts. */
    const lightspeed = readFileSync(join(DEFAULT_MAPPINGS_DIR, 'lightspeed', 'pos-reservation-updated.jsonata'), 'utf8');

    it("ignores a PAID status for a booking that starts tomorrow, with the reason, and applies it while the booking is on", async () => {
      const p = await createTestPartner(t);
      await putMapping(t, p.name, 'pos-reservation-updated', lightspeed);
      await linkLocation(t, p.name, '4242', venue.id);
      const local = DateTime.now().setZone('Europe/London');
      const tomorrow = await insertBooking(t, venue, { date: local.plus({ days: 1 }).toISODate()!, time: local.toFormat('HH:mm') });
      const paid = (b: Booking) => ({
        platformCode: 'Tablesync', platformRestaurantId: 'ven', platformReservationId: b.id,
        businessLocationId: 4242, status: 'PAID', tables: [], covers: 2,
      });
      const early = await send(p, 'pos-reservation-updated', paid(tomorrow));
      expect(early.row.status).toBe('ignored');
      expect(early.row.reason).toMatch(new RegExp(`^booking ${tomorrow.reference} \\(.+\\) could not be at the table at .+: a status applies from 30 min before its start to 2 h after its end$`));
      const unchanged = await t.composed.deps.dataSource.manager.findOneByOrFail(Booking, { id: tomorrow.id });
      expect(unchanged).toMatchObject({ status: 'confirmed', version: 1 });

      const earlier = local.minus({ minutes: 45 });
      const tonight = await insertBooking(t, venue, { date: earlier.toISODate()!, time: earlier.toFormat('HH:mm') });
      const done = await send(p, 'pos-reservation-updated', paid(tonight));
      expect(done.row.status).toBe('processed');
      expect(await t.composed.deps.dataSource.manager.findOneByOrFail(Booking, { id: tonight.id })).toMatchObject({ status: 'completed', version: 2 });
      expect((await detail(done.id)).outcome).toEqual([
        { type: 'booking_status', result: 'applied', venue_id: venue.id, sale: null, booking: tonight.id, match: null, unmatched_reason: null, reason: null },
      ]);
    });
  });

  describe('GET /api/v1/sales/:id/candidates', () => {
    it('ranks the bookings a sale from a till without tables could belong to, the seated one at that time first', async () => {
      const d = '2026-05-06';
      const seated = await insertBooking(t, venue, { date: d, time: '19:00', table: 1, status: 'seated' });
      const confirmed = await insertBooking(t, venue, { date: d, time: '19:15', table: 2 });
      const later = await insertBooking(t, venue, { date: d, time: '21:30', table: 3 });
      const cancelled = await insertBooking(t, venue, { date: d, time: '19:00', table: 3, status: 'cancelled' });
      // A Zettle-like purchase: no table, no booking id.
      const { row } = await send(pos, 'sale.updated', { location_id: 'loc-1', id: uniq('S'), amount_money: { amount: 2400 }, opened_at: at(d, '19:40') });
      const [sale] = await salesOf(t, pos.name, String(row.saleId));
      expect(sale!.bookingId).toBeNull();

      const res = await api('get', `/sales/${sale!.id}/candidates`);
      expect(res.status).toBe(200);
      const ids = res.body.data.map((c: { booking: { id: string } }) => c.booking.id);
      expect(ids).toEqual([seated.id, confirmed.id]);
      expect(ids).not.toContain(later.id);
      expect(ids).not.toContain(cancelled.id);
      const [first, second] = res.body.data;
      expect(first.booking).toMatchObject({ id: seated.id, reference: seated.reference, status: 'seated', table: { number: 1 } });
      expect(first.score).toBeGreaterThan(second.score);
      expect(first.reasons).toEqual(expect.arrayContaining(['seated', expect.stringMatching(/^the sale's time 19:40 is within the booking \(19:00–20:30\)$/)]));

      // One click from the booking: the manual match.
      const matched = await api('patch', `/sales/${sale!.id}`).send({ booking_id: first.booking.id });
      expect(matched.body).toMatchObject({ booking_id: seated.id, match: 'manual' });
    });

    it('puts the booking at the sale\'s table first, and is 404 for a sale of another venue or none', async () => {
      const d = '2026-05-07';
      const seatedElsewhere = await insertBooking(t, venue, { date: d, time: '19:00', table: 1, status: 'seated' });
      const atTable = await insertBooking(t, venue, { date: d, time: '19:00', table: 2 });
      const { row } = await send(pos, 'sale.updated', { location_id: 'loc-1', id: uniq('S'), amount_money: { amount: 2400 }, table: 2, opened_at: at(d, '19:30') });
      const [sale] = await salesOf(t, pos.name, String(row.saleId));
      await api('patch', `/sales/${sale!.id}`).send({ booking_id: null }).expect(200);
      const res = await api('get', `/sales/${sale!.id}/candidates`);
      expect(res.body.data.map((c: { booking: { id: string } }) => c.booking.id)).toEqual([atTable.id, seatedElsewhere.id]);
      expect(res.body.data[0].reasons).toContain('at table 2, as the sale');

      const other = await createVenue(t);
      const otherKey = await createApiKey(t, other.id);
      const foreign = await t.http.get(`/api/v1/sales/${sale!.id}/candidates`).set('Authorization', `Bearer ${otherKey}`);
      expect(foreign.status).toBe(404);
      expect(foreign.body.error.code).toBe('not_found');
      expect((await api('get', '/sales/sl_nope/candidates')).status).toBe(404);
      const noScope = await createApiKey(t, venue.id, ['bookings:read']);
      const refused = await t.http.get(`/api/v1/sales/${sale!.id}/candidates`).set('Authorization', `Bearer ${noScope}`);
      expect(refused.status).toBe(403);
    });
  });
});
