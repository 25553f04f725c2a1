import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Booking, Customer, Sale, SaleItem } from '../../src/platform/db/entities';
import { newId } from '../../src/platform/ids';
import { createApiKey, createVenue, type CreatedVenue } from '../helpers/fixtures';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';

/**
 * The list routes the diary loads a day with (`GET /bookings?date=`, `GET /sales?date=`) and a customer's
 * history read plain rows, not entities (for speed); each object they show must be exactly the one the
 * single reads (`GET /bookings/:id`, `GET /sales/:id`, through the entities) show, whatever its fields hold:
 * nulls, booleans, JSON, decimals, non-numeric table numbers.
 */
describe('list views are the single views', () => {
  let t: TestApp;
  let em: EntityManager;
  let venue: CreatedVenue;
  let key: string;
  const date = '2026-06-12';
  const get = (path: string) => t.http.get(path).set('Authorization', `Bearer ${key}`);
  const at = (iso: string) => new Date(`${date}T${iso}Z`);

  const customer = async (fields: Partial<Customer>) => {
    const now = new Date();
    const c = em.create(Customer, {
      id: newId('cus'), venueId: venue.id, name: 'Ada Lovelace', email: null, emailNormalized: null, phone: null, notes: null,
      version: 1, createdAt: now, updatedAt: now, ...fields,
    });
    await em.insert(Customer, c);
    return c;
  };
  const booking = async (fields: Partial<Booking>) => {
    const now = new Date('2026-06-01T10:00:00.123Z');
    const b = em.create(Booking, {
      id: newId('bk'), venueId: venue.id, reference: `TS-${randomBytes(3).toString('hex').toUpperCase()}`, status: 'confirmed',
      date, time: '19:00', startAt: at('18:00:00.000'), endAt: at('19:30:00.000'), expiresAt: null, partySize: 2, tableId: null,
      needsTable: false, serviceId: null, eventId: null, customerId: null, guestName: null, notes: null, declineReason: null,
      source: 'api', channelId: null, externalPartner: null, externalReservationId: null, externalVersion: null, version: 1,
      createdAt: now, updatedAt: now, ...fields,
    });
    await em.insert(Booking, b);
    return b;
  };
  const sale = async (fields: Partial<Sale>, items: Partial<SaleItem>[] = []) => {
    const received = at('20:00:00.000');
    const s = em.create(Sale, {
      id: newId('sl'), partner: 'testpos', saleId: uniq('pos'), venueId: venue.id, locationId: 'loc-1', bookingId: null, matchMethod: null,
      status: 'closed', total: 4250, subtotal: null, tax: null, tip: null, discount: null, currency: 'GBP', tableNumber: null,
      venueTableNumber: null, covers: null, openedAt: null, closedAt: null, receivedAt: received, matchAt: received, sourceVersion: null,
      payments: null, version: 1, createdAt: received, updatedAt: received, ...fields,
    });
    await em.save(Sale, s);
    // Inserted out of POS order: the views sort by position.
    for (const [i, item] of [...items.entries()].reverse()) {
      await em.insert(SaleItem, {
        id: newId('sli'), saleRowId: s.id, position: i, name: `Item ${i}`, quantity: 1, unitPrice: null, total: 100, sku: null, category: null, ...item,
      });
    }
    return s;
  };

  beforeAll(async () => {
    t = await startTestApp();
    em = t.composed.deps.dataSource.manager;
    venue = await createVenue(t);
    key = await createApiKey(t, venue.id);
  });
  afterAll(() => t.stop());

  it('GET /bookings and a customer\'s history show each booking as GET /bookings/:id does', async () => {
    const tables = (venue.json.areas as { tables: { id: string }[] }[])[0]!.tables;
    const ada = await customer({ email: 'ada@example.com', emailNormalized: 'ada@example.com', phone: '+447700900123', notes: 'likes the window' });
    const made = [
      await booking({ tableId: tables[2]!.id, customerId: ada.id, notes: 'Birthday', serviceId: null }),
      // A platform's reservation kept without a table: a guest name and no customer, needs_table true.
      await booking({ time: '19:30', startAt: at('18:30:00.000'), endAt: at('20:00:00.000'), needsTable: true, guestName: 'Grace Hopper',
        source: 'sevenrooms', externalPartner: 'sevenrooms', externalReservationId: 'R-1', externalVersion: '2026-06-01T09:00:00Z', version: 3 }),
      // A declined request with its expiry and reason, on a customer of its own.
      await booking({ time: '20:00', status: 'declined', expiresAt: at('12:00:00.500'), declineReason: 'Full tonight', customerId: ada.id,
        tableId: tables[0]!.id, partySize: 1 }),
    ];
    const list = await get(`/api/v1/bookings?date=${date}`);
    expect(list.status).toBe(200);
    expect(list.body.data.map((b: { id: string }) => b.id)).toEqual(made.map((b) => b.id));
    for (const shown of list.body.data as { id: string }[]) {
      const { sales: _sales, spend: _spend, ...one } = (await get(`/api/v1/bookings/${shown.id}`)).body as Record<string, unknown>;
      expect(shown).toEqual(one);
    }
    expect(list.body.data[1]).toMatchObject({ needs_table: true, table: null, customer: null, guest_name: 'Grace Hopper' });
    expect(list.body.data[0]).toMatchObject({ needs_table: false, table: { id: tables[2]!.id, number: 3 }, customer: { id: ada.id, phone: '+447700900123' } });

    const history = await get(`/api/v1/customers/${ada.id}`);
    expect(history.status).toBe(200);
    expect(history.body.bookings.map((b: { id: string }) => b.id)).toEqual([made[2]!.id, made[0]!.id]);
    expect(history.body.bookings).toEqual(list.body.data.filter((b: { id: string }) => b.id !== made[1]!.id).reverse());
  });

  it('GET /sales shows each sale as GET /sales/:id does', async () => {
    const b = await booking({ time: '21:00' });
    const made = [
      await sale(
        { bookingId: b.id, matchMethod: 'table_time', tableNumber: '12', venueTableNumber: '12', covers: 4, subtotal: 7000, tax: 1400, tip: 500,
          discount: 0, openedAt: at('19:10:00.250'), closedAt: at('20:15:00.000'), matchAt: at('19:10:00.250'), sourceVersion: '7', version: 2,
          payments: [{ method: 'card', amount: 8400, tip: 500 }] },
        [{ name: 'Fish', quantity: 2, unitPrice: 1650, total: 3300, sku: 'F-1', category: 'Mains' }, { name: 'Wine by weight', quantity: 1.5, total: 1350 }],
      ),
      // A void bar tab: a table id that is not a number, no items.
      await sale({ status: 'void', tableNumber: 'Bar 3', closedAt: at('19:00:00.000'), matchAt: at('19:00:00.000'), total: 0, payments: [] }),
    ];
    const list = await get(`/api/v1/sales?date=${date}`);
    expect(list.status).toBe(200);
    expect(list.body.data.map((s: { id: string }) => s.id)).toEqual(made.map((s) => s.id));
    for (const shown of list.body.data as { id: string }[]) expect(shown).toEqual((await get(`/api/v1/sales/${shown.id}`)).body);
    expect(list.body.data[0]).toMatchObject({
      table_number: 12, payments: [{ method: 'card', amount: 8400, tip: 500 }],
      items: [{ name: 'Fish', quantity: 2, unit_price: 1650, sku: 'F-1' }, { name: 'Wine by weight', quantity: 1.5, unit_price: null }],
    });
    expect(list.body.data[1]).toMatchObject({ status: 'void', table_number: 'Bar 3', items: [], payments: [] });
    // The booking's own sales and the list by booking agree too.
    const byBooking = await get(`/api/v1/sales?booking_id=${b.reference}`);
    expect(byBooking.body.data).toEqual([list.body.data[0]]);
    expect((await get(`/api/v1/bookings/${b.id}`)).body.sales).toEqual([list.body.data[0]]);
  });
});
