import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Booking, OutboxMessage, Sale, SaleItem } from '../../src/platform/db/entities';
import { newId } from '../../src/platform/ids';
import { createApiKey, createVenue } from '../helpers/fixtures';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';

/** Sales come from the POS pipeline; here they are written straight into the tables it fills. */
async function insertSale(
  em: EntityManager,
  venueId: string,
  fields: Partial<Sale> & { items?: { name: string; quantity: number; total: number; unitPrice?: number }[] } = {},
): Promise<Sale> {
  const { items = [], ...rest } = fields;
  const receivedAt = rest.receivedAt ?? new Date('2026-05-01T20:00:00.000Z');
  const openedAt = rest.openedAt === undefined ? null : rest.openedAt;
  const closedAt = rest.closedAt === undefined ? null : rest.closedAt;
  const sale = em.create(Sale, {
    id: newId('sl'),
    partner: 'testpos',
    saleId: uniq('pos-sale'),
    venueId,
    locationId: 'loc-1',
    bookingId: null,
    matchMethod: null,
    status: 'closed',
    total: 4250,
    subtotal: null,
    tax: null,
    tip: null,
    discount: null,
    currency: 'GBP',
    tableNumber: '3',
    venueTableNumber: rest.tableNumber === undefined ? '3' : rest.tableNumber,
    covers: 2,
    sourceVersion: null,
    payments: null,
    version: 1,
    createdAt: receivedAt,
    updatedAt: receivedAt,
    ...rest,
    openedAt,
    closedAt,
    receivedAt,
    // CONTRACT §5: the sale's time is opened_at, else closed_at, else when it was received.
    matchAt: openedAt ?? closedAt ?? receivedAt,
  });
  await em.save(Sale, sale);
  let position = 0;
  for (const item of items) {
    await em.insert(SaleItem, {
      id: newId('sli'), saleRowId: sale.id, position: position++, name: item.name, quantity: item.quantity,
      unitPrice: item.unitPrice ?? null, total: item.total, sku: null, category: null,
    });
  }
  return sale;
}

async function insertBooking(em: EntityManager, venueId: string): Promise<Booking> {
  const now = new Date();
  const booking = em.create(Booking, {
    id: newId('bk'),
    venueId,
    reference: `TS-${randomBytes(4).toString('hex').toUpperCase()}`,
    status: 'confirmed',
    date: '2026-05-01',
    time: '19:00',
    startAt: new Date('2026-05-01T18:00:00.000Z'),
    endAt: new Date('2026-05-01T19:30:00.000Z'),
    partySize: 2,
    tableId: null,
    serviceId: null,
    eventId: null,
    customerId: null,
    notes: null,
    source: 'api',
    version: 1,
    createdAt: now,
    updatedAt: now,
  });
  await em.insert(Booking, booking);
  return booking;
}

describe('booking API: sales', () => {
  let t: TestApp;
  let em: EntityManager;
  let venueA: string;
  let venueB: string;
  let keyA: string;
  let keyARead: string;
  let keyB: string;
  const get = (path: string, key = keyA) => t.http.get(path).set('Authorization', `Bearer ${key}`);
  const patch = (path: string, key = keyA) => t.http.patch(path).set('Authorization', `Bearer ${key}`);

  beforeAll(async () => {
    t = await startTestApp();
    em = t.composed.deps.dataSource.manager;
    venueA = (await createVenue(t, { timezone: 'Europe/London' })).id;
    venueB = (await createVenue(t, { timezone: 'America/New_York', currency: 'USD', country: 'US' })).id;
    keyA = await createApiKey(t, venueA);
    keyARead = await createApiKey(t, venueA, ['sales:read']);
    keyB = await createApiKey(t, venueB);
  });
  afterAll(() => t.stop());

  describe('GET /api/v1/sales', () => {
    it('lists only the key venue\'s sales, newest first, in the list envelope with items', async () => {
      const older = await insertSale(em, venueA, {
        openedAt: new Date('2026-03-10T19:00:00.000Z'),
        items: [{ name: 'Soup', quantity: 1, total: 650, unitPrice: 650 }, { name: 'Bread', quantity: 2, total: 400 }],
      });
      const newer = await insertSale(em, venueA, { openedAt: new Date('2026-03-10T21:00:00.000Z') });
      const foreign = await insertSale(em, venueB, { openedAt: new Date('2026-03-10T20:00:00.000Z'), currency: 'USD' });

      const res = await get('/api/v1/sales?date=2026-03-10');
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBeDefined();
      expect(res.body).toEqual({ data: expect.any(Array), next_cursor: null });
      expect(res.body.data.map((s: { id: string }) => s.id)).toEqual([newer.id, older.id]);
      expect(res.body.data.map((s: { id: string }) => s.id)).not.toContain(foreign.id);
      expect(res.body.data[1]).toMatchObject({
        id: older.id, partner: 'testpos', sale_id: older.saleId, venue_id: venueA, booking_id: null, match: null,
        status: 'closed', total: 4250, currency: 'GBP', table_number: 3, covers: 2,
        opened_at: '2026-03-10T19:00:00.000Z', closed_at: null, version: 1,
        items: [
          { name: 'Soup', quantity: 1, unit_price: 650, total: 650, sku: null, category: null },
          { name: 'Bread', quantity: 2, unit_price: null, total: 400, sku: null, category: null },
        ],
      });
    });

    it('filters by the venue-local day of opened_at, else closed_at, else the receipt time', async () => {
      // Europe/London is on BST (UTC+1) in July: 23:30Z on the 1st is 00:30 on the 2nd.
      const lateNight = await insertSale(em, venueA, { openedAt: new Date('2026-07-01T23:30:00.000Z') });
      const evening = await insertSale(em, venueA, { openedAt: new Date('2026-07-01T22:59:59.999Z') });
      const closedOnly = await insertSale(em, venueA, { closedAt: new Date('2026-07-02T12:00:00.000Z') });
      const receivedOnly = await insertSale(em, venueA, { receivedAt: new Date('2026-07-02T22:30:00.000Z') });
      const nextDay = await insertSale(em, venueA, { openedAt: new Date('2026-07-02T23:00:00.000Z') });

      const day1 = await get('/api/v1/sales?date=2026-07-01');
      expect(day1.body.data.map((s: { id: string }) => s.id)).toEqual([evening.id]);
      const day2 = await get('/api/v1/sales?date=2026-07-02');
      expect(day2.body.data.map((s: { id: string }) => s.id)).toEqual([receivedOnly.id, closedOnly.id, lateNight.id]);
      const day3 = await get('/api/v1/sales?date=2026-07-03');
      expect(day3.body.data.map((s: { id: string }) => s.id)).toEqual([nextDay.id]);
    });

    it('uses the key venue\'s own timezone for the day', async () => {
      // America/New_York is UTC-4 in July: 02:00Z on the 5th is 22:00 on the 4th.
      const sale = await insertSale(em, venueB, { openedAt: new Date('2026-07-05T02:00:00.000Z'), currency: 'USD' });
      const res = await get('/api/v1/sales?date=2026-07-04', keyB);
      expect(res.body.data.map((s: { id: string }) => s.id)).toEqual([sale.id]);
      expect((await get('/api/v1/sales?date=2026-07-05', keyB)).body.data).toEqual([]);
    });

    it('filters by booking id or reference and by unmatched', async () => {
      const booking = await insertBooking(em, venueA);
      const day = { openedAt: new Date('2026-08-01T18:30:00.000Z') };
      const linked = await insertSale(em, venueA, { ...day, bookingId: booking.id, matchMethod: 'table_time' });
      const loose = await insertSale(em, venueA, day);

      const byId = await get(`/api/v1/sales?booking_id=${booking.id}`);
      expect(byId.body.data.map((s: { id: string }) => s.id)).toEqual([linked.id]);
      const byRef = await get(`/api/v1/sales?booking_id=${booking.reference}`);
      expect(byRef.body.data.map((s: { id: string }) => s.id)).toEqual([linked.id]);
      const unknown = await get('/api/v1/sales?booking_id=bk_nothing');
      expect(unknown.status).toBe(200);
      expect(unknown.body).toEqual({ data: [], next_cursor: null });

      const unmatched = await get('/api/v1/sales?date=2026-08-01&unmatched=true');
      expect(unmatched.body.data.map((s: { id: string }) => s.id)).toEqual([loose.id]);
      const matched = await get('/api/v1/sales?date=2026-08-01&unmatched=false');
      expect(matched.body.data.map((s: { id: string }) => s.id)).toEqual([linked.id]);
    });

    it('pages with an opaque cursor: every sale exactly once, next_cursor null on the last page', async () => {
      const at = new Date('2026-09-01T19:00:00.000Z');
      const created: Sale[] = [];
      // Two share the same instant: the id breaks the tie, so neither is skipped nor repeated.
      for (let i = 0; i < 5; i++) {
        created.push(await insertSale(em, venueA, { openedAt: new Date(at.getTime() + Math.min(i, 3) * 60_000) }));
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await get(`/api/v1/sales?date=2026-09-01&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.data.map((s: { id: string }) => s.id));
        cursor = res.body.next_cursor;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toHaveLength(5);
      expect(new Set(seen)).toEqual(new Set(created.map((s) => s.id)));
      expect(seen[0]).toBe(created[4]!.id > created[3]!.id ? created[4]!.id : created[3]!.id);

      const defaultPage = await get('/api/v1/sales?date=2026-09-01');
      expect(defaultPage.body.data).toHaveLength(5);
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=1.5', 'limit'],
      ['date=2026-02-30', 'date'],
      ['date=tomorrow', 'date'],
      ['date=2026-05-01&date=2026-05-02', 'date'],
      ['unmatched=yes', 'unmatched'],
      ['status=paid', 'status'],
      ['booking_id=', 'booking_id'],
      ['cursor=not%20a%20cursor', 'cursor'],
      ['cursor=eyJsIjoiYm9va2luZ3MiLCJ2IjpbIjIwMjYtMDUtMDEiXX0', 'cursor'],
      ['colour=red', 'colour'],
    ])('answers ?%s with 400 validation_error naming %s', async (query, field) => {
      const res = await get(`/api/v1/sales?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
      expect(res.body.error.details.field).toBe(field);
    });

    it('needs the sales:read scope', async () => {
      const key = await createApiKey(t, venueA, ['bookings:read']);
      const res = await get('/api/v1/sales', key);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('insufficient_scope');
      expect((await get('/api/v1/sales', keyARead)).status).toBe(200);
    });
  });

  describe('GET /api/v1/sales/:id', () => {
    it('returns the sale with its items in POS order', async () => {
      const sale = await insertSale(em, venueA, {
        openedAt: new Date('2026-05-02T19:00:00.000Z'),
        closedAt: new Date('2026-05-02T21:00:00.000Z'),
        tip: 500,
        items: [{ name: 'Steak', quantity: 1, total: 2800 }, { name: 'Wine', quantity: 0.5, total: 1450 }],
      });
      const res = await get(`/api/v1/sales/${sale.id}`, keyARead);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: sale.id, tip: 500, opened_at: '2026-05-02T19:00:00.000Z', closed_at: '2026-05-02T21:00:00.000Z',
        items: [{ name: 'Steak', quantity: 1, total: 2800 }, { name: 'Wine', quantity: 0.5, total: 1450 }],
      });
    });

    it('answers another venue\'s sale and an unknown id with 404 not_found', async () => {
      const foreign = await insertSale(em, venueB, { currency: 'USD' });
      const res = await get(`/api/v1/sales/${foreign.id}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      expect((await get(`/api/v1/sales/${foreign.id}`, keyB)).status).toBe(200);
      expect((await get('/api/v1/sales/sl_missing')).status).toBe(404);
    });
  });

  describe('PATCH /api/v1/sales/:id', () => {
    const outboxOf = (saleId: string) =>
      em.find(OutboxMessage, { where: { resourceId: saleId, event: 'sale.recorded' }, order: { id: 'ASC' } });
    const eventsOf = async (saleId: string) =>
      (await em.find(OutboxMessage, { where: { resourceId: saleId }, order: { id: 'ASC' } })).map((m) => ({
        event: m.event, version: m.resourceVersion, booking_id: (JSON.parse(m.payload) as { booking_id: string | null }).booking_id,
      }));

    it('links the sale to a booking by reference: match manual, version + 1, sale.recorded in the outbox', async () => {
      const booking = await insertBooking(em, venueA);
      const sale = await insertSale(em, venueA, { items: [{ name: 'Tea', quantity: 2, total: 600 }] });

      const res = await patch(`/api/v1/sales/${sale.id}`).send({ booking_id: booking.reference });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: sale.id, booking_id: booking.id, match: 'manual', version: 2, items: [{ name: 'Tea' }] });
      expect(Date.parse(res.body.updated_at)).toBeGreaterThan(sale.updatedAt.getTime());

      const row = await em.findOneByOrFail(Sale, { id: sale.id });
      expect(row).toMatchObject({ bookingId: booking.id, matchMethod: 'manual', version: 2 });
      const outbox = await outboxOf(sale.id);
      expect(outbox).toHaveLength(1);
      expect(outbox[0]).toMatchObject({ venueId: venueA, resourceVersion: 2, messageId: expect.stringMatching(/^msg_/) });
      expect(JSON.parse(outbox[0]!.payload)).toMatchObject({ id: sale.id, booking_id: booking.id, match: 'manual', version: 2 });
      // It gained a booking: sale.matched too, in the same statement, with the same sale view.
      expect(await eventsOf(sale.id)).toEqual([
        { event: 'sale.recorded', version: 2, booking_id: booking.id },
        { event: 'sale.matched', version: 2, booking_id: booking.id },
      ]);

      // The booking's sales now include it.
      const list = await get(`/api/v1/sales?booking_id=${booking.id}`);
      expect(list.body.data.map((s: { id: string }) => s.id)).toEqual([sale.id]);
    });

    it('accepts the booking id too, and a repeat changes nothing and announces nothing', async () => {
      const booking = await insertBooking(em, venueA);
      const sale = await insertSale(em, venueA);
      expect((await patch(`/api/v1/sales/${sale.id}`).send({ booking_id: booking.id })).body.version).toBe(2);
      const again = await patch(`/api/v1/sales/${sale.id}`).send({ booking_id: booking.reference });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ booking_id: booking.id, match: 'manual', version: 2 });
      expect(await outboxOf(sale.id)).toHaveLength(1);
      expect((await eventsOf(sale.id)).map((e) => e.event)).toEqual(['sale.recorded', 'sale.matched']);
    });

    it('moves an automatically matched sale to another booking', async () => {
      const first = await insertBooking(em, venueA);
      const second = await insertBooking(em, venueA);
      const sale = await insertSale(em, venueA, { bookingId: first.id, matchMethod: 'table_time', version: 3 });
      const res = await patch(`/api/v1/sales/${sale.id}`).send({ booking_id: second.id });
      expect(res.body).toMatchObject({ booking_id: second.id, match: 'manual', version: 4 });
      expect(await eventsOf(sale.id)).toEqual([
        { event: 'sale.recorded', version: 4, booking_id: second.id },
        { event: 'sale.matched', version: 4, booking_id: second.id },
      ]);
    });

    it('a manual link over the same automatic booking changes the match only: sale.recorded, no sale.matched', async () => {
      const booking = await insertBooking(em, venueA);
      const sale = await insertSale(em, venueA, { bookingId: booking.id, matchMethod: 'table_time' });
      const res = await patch(`/api/v1/sales/${sale.id}`).send({ booking_id: booking.id });
      expect(res.body).toMatchObject({ booking_id: booking.id, match: 'manual', version: 2 });
      expect(await eventsOf(sale.id)).toEqual([{ event: 'sale.recorded', version: 2, booking_id: booking.id }]);
    });

    it('unlinks with booking_id null: match null, version + 1, announced', async () => {
      const booking = await insertBooking(em, venueA);
      const sale = await insertSale(em, venueA, { bookingId: booking.id, matchMethod: 'booking_id' });
      const res = await patch(`/api/v1/sales/${sale.id}`).send({ booking_id: null });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ booking_id: null, match: null, version: 2 });
      const outbox = await outboxOf(sale.id);
      expect(outbox).toHaveLength(1);
      expect(JSON.parse(outbox[0]!.payload)).toMatchObject({ booking_id: null, match: null });
      // CONTRACT §15: unlinking emits sale.matched with booking_id null.
      expect(await eventsOf(sale.id)).toEqual([
        { event: 'sale.recorded', version: 2, booking_id: null },
        { event: 'sale.matched', version: 2, booking_id: null },
      ]);
    });

    it('answers a booking of another venue or an unknown one with 404 and leaves the sale alone', async () => {
      const foreignBooking = await insertBooking(em, venueB);
      const sale = await insertSale(em, venueA);
      for (const ref of [foreignBooking.id, foreignBooking.reference, 'TS-NOPE']) {
        const res = await patch(`/api/v1/sales/${sale.id}`).send({ booking_id: ref });
        expect(res.status).toBe(404);
        expect(res.body.error).toMatchObject({ code: 'not_found', details: { field: 'booking_id' } });
      }
      expect(await em.findOneByOrFail(Sale, { id: sale.id })).toMatchObject({ bookingId: null, version: 1 });
      expect(await eventsOf(sale.id)).toHaveLength(0);
    });

    it('answers another venue\'s sale with 404', async () => {
      const foreignSale = await insertSale(em, venueB, { currency: 'USD' });
      const booking = await insertBooking(em, venueA);
      const res = await patch(`/api/v1/sales/${foreignSale.id}`).send({ booking_id: booking.id });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      expect(await em.findOneByOrFail(Sale, { id: foreignSale.id })).toMatchObject({ bookingId: null, version: 1 });
    });

    it.each([
      [{}, 'booking_id'],
      [{ booking_id: 42 }, 'booking_id'],
      [{ booking_id: '' }, 'booking_id'],
      [{ booking_id: 'bk_x', status: 'void' }, 'status'],
    ])('answers the body %j with 400 validation_error naming %s', async (body, field) => {
      const sale = await insertSale(em, venueA);
      const res = await patch(`/api/v1/sales/${sale.id}`).send(body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'validation_error', details: { field } });
    });

    it('needs the sales:write scope', async () => {
      const sale = await insertSale(em, venueA);
      const res = await patch(`/api/v1/sales/${sale.id}`, keyARead).send({ booking_id: null });
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'insufficient_scope', details: { required_scope: 'sales:write' } });
    });
  });
});
