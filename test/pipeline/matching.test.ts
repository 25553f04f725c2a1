import { OutboxMessage, Sale } from '../../src/platform/db/entities';
import { applySaleBatch, entityManagerSession } from '../../src/modules/sales/apply-sales';
import { rematchSalesForBooking } from '../../src/modules/sales/match-sale';
import type { SaleCommand } from '../../src/modules/commands/canonical-commands';
import { createVenue, type CreatedVenue } from '../helpers/fixtures';
import {
  createTestPartner,
  insertBooking,
  linkLocation,
  localIso,
  putMapping,
  SALE_MAPPING,
  saleEvent,
  salesOf,
  signedPost,
  type TestPartner,
  waitForEvent,
} from '../helpers/partner';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';

describe('matching a sale to its booking (CONTRACT §5)', () => {
  let t: TestApp;
  let p: TestPartner;

  beforeAll(async () => {
    t = await startTestApp();
    p = await createTestPartner(t);
    await putMapping(t, p.name, 'sale.updated', SALE_MAPPING);
  });
  afterAll(() => t.stop());

  /** A venue of its own per test, so bookings of one test never match sales of another. */
  async function venueWithLocation(overrides: Record<string, unknown> = {}): Promise<{ venue: CreatedVenue; location: string }> {
    const venue = await createVenue(t, overrides);
    const location = uniq('loc');
    await linkLocation(t, p.name, location, venue.id);
    return { venue, location };
  }

  async function recordSale(location: string, sale: Parameters<typeof saleEvent>[0]): Promise<Sale> {
    const saleId = uniq('S');
    const res = await signedPost(t, p, 'sale.updated', saleEvent({ ...sale, id: saleId, location_id: location }));
    expect(res.status).toBe(200);
    expect((await waitForEvent(t, res.body.event_id)).status).toBe('processed');
    return (await salesOf(t, p.name, saleId))[0]!;
  }

  it('matches by booking id, and by booking reference, before anything else', async () => {
    const { venue, location } = await venueWithLocation();
    const a = await insertBooking(t, venue, { date: '2026-05-01', time: '19:00', table: 1 });
    const b = await insertBooking(t, venue, { date: '2026-05-01', time: '19:00', table: 2 });
    // Table 2 and the time point at b, but the POS named a.
    const byId = await recordSale(location, { booking_reference: a.id, table: 2, opened_at: localIso(venue, '2026-05-01', '19:10') });
    expect(byId).toMatchObject({ bookingId: a.id, matchMethod: 'booking_id' });
    const byRef = await recordSale(location, { booking_reference: b.reference });
    expect(byRef).toMatchObject({ bookingId: b.id, matchMethod: 'booking_id' });
  });

  it('matches by table and time: from 30 min before the start to 2 h after the end', async () => {
    const { venue, location } = await venueWithLocation();
    const booking = await insertBooking(t, venue, { date: '2026-05-02', time: '19:00', minutes: 90, table: 3 });
    const at = (time: string) => localIso(venue, '2026-05-02', time);
    expect(await recordSale(location, { table: 3, opened_at: at('19:45') })).toMatchObject({ bookingId: booking.id, matchMethod: 'table_time' });
    expect(await recordSale(location, { table: 3, opened_at: at('18:30') })).toMatchObject({ bookingId: booking.id });
    expect(await recordSale(location, { table: 3, opened_at: at('18:29') })).toMatchObject({ bookingId: null, matchMethod: null });
    // No opened_at: closed_at counts. The window ends at 20:30 + 2 h.
    expect(await recordSale(location, { table: 3, opened_at: null, closed_at: at('22:30') })).toMatchObject({ bookingId: booking.id });
    expect(await recordSale(location, { table: 3, opened_at: null, closed_at: at('22:31') })).toMatchObject({ bookingId: null });
    // Another table never matches.
    expect(await recordSale(location, { table: 2, opened_at: at('19:45') })).toMatchObject({ bookingId: null });
  });

  it('prefers a seated booking, then the nearest start, and skips cancelled and no-show ones', async () => {
    const { venue, location } = await venueWithLocation();
    await insertBooking(t, venue, { date: '2026-05-03', time: '19:30', table: 4, status: 'cancelled' });
    const early = await insertBooking(t, venue, { date: '2026-05-03', time: '18:00', table: 4 });
    const late = await insertBooking(t, venue, { date: '2026-05-03', time: '20:00', table: 4 });
    const at = localIso(venue, '2026-05-03', '19:40');
    expect(await recordSale(location, { table: 4, opened_at: at })).toMatchObject({ bookingId: late.id });
    await t.composed.deps.dataSource.manager.update('bookings', { id: early.id }, { status: 'seated' });
    expect(await recordSale(location, { table: 4, opened_at: at })).toMatchObject({ bookingId: early.id });
    await t.composed.deps.dataSource.manager.update('bookings', { id: early.id }, { status: 'no_show' });
    await t.composed.deps.dataSource.manager.update('bookings', { id: late.id }, { status: 'cancelled' });
    expect(await recordSale(location, { table: 4, opened_at: at })).toMatchObject({ bookingId: null });
  });

  it('matches across midnight in a venue far from UTC', async () => {
    const { venue, location } = await venueWithLocation({ timezone: 'America/Los_Angeles', currency: 'USD', country: 'US' });
    // 23:30 local on 14 March is 06:30Z on the 15th; the party stays past midnight.
    const booking = await insertBooking(t, venue, { date: '2026-03-14', time: '23:30', minutes: 120, table: 1 });
    expect(booking.startAt.toISOString()).toBe('2026-03-15T06:30:00.000Z');
    const sale = await recordSale(location, { table: 1, currency: 'USD', opened_at: '2026-03-15T00:40:00-08:00' });
    expect(sale).toMatchObject({ bookingId: booking.id, matchMethod: 'table_time' });
    // The same wall clock read as UTC would be eight hours off and must not match.
    expect(await recordSale(location, { table: 1, currency: 'USD', opened_at: '2026-03-15T00:40:00Z' })).toMatchObject({ bookingId: null });
  });

  it('keeps an unmatched sale and matches it when a fitting booking appears later', async () => {
    const { venue, location } = await venueWithLocation({ timezone: 'Asia/Tokyo', currency: 'JPY', country: 'JP' });
    const sale = await recordSale(location, { table: 2, currency: 'JPY', opened_at: localIso(venue, '2026-05-04', '00:20') });
    expect(sale.bookingId).toBeNull();
    // The booking API writes the booking (here straight through the repository) and asks for a re-match.
    const booking = await insertBooking(t, venue, { date: '2026-05-03', time: '23:00', minutes: 90, table: 2 });
    const linked = await t.composed.deps.dataSource.transaction((em) => rematchSalesForBooking(em, booking));
    expect(linked.map((s) => s.id)).toEqual([sale.id]);
    const after = await t.composed.deps.dataSource.manager.findOneByOrFail(Sale, { id: sale.id });
    expect(after).toMatchObject({ bookingId: booking.id, matchMethod: 'table_time', version: 2 });
    const announced = await t.composed.deps.dataSource.manager.find(OutboxMessage, { where: { resourceId: sale.id }, order: { id: 'ASC' } });
    // Picked up by the later booking: sale.recorded and sale.matched of version 2 (the same sale view).
    expect(announced.map((m) => [m.event, m.resourceVersion])).toEqual([['sale.recorded', 1], ['sale.recorded', 2], ['sale.matched', 2]]);
    expect(JSON.parse(announced[1]!.payload)).toMatchObject({ booking_id: booking.id, match: 'table_time' });
    expect(JSON.parse(announced[2]!.payload)).toEqual(JSON.parse(announced[1]!.payload));
    // A resubmission keeps the match.
    const res = await signedPost(t, p, 'sale.updated', saleEvent({ id: sale.saleId, location_id: location, version: 2, table: 2, currency: 'JPY', opened_at: localIso(venue, '2026-05-04', '00:20') }));
    await waitForEvent(t, res.body.event_id);
    expect(await t.composed.deps.dataSource.manager.findOneByOrFail(Sale, { id: sale.id })).toMatchObject({ bookingId: booking.id, version: 3 });
  });

  it('matches each sale of a batch as it would alone: its own table, its own window', async () => {
    const { venue, location } = await venueWithLocation();
    const other = await venueWithLocation();
    const evening = await insertBooking(t, venue, { date: '2026-05-06', time: '19:00', minutes: 90, table: 3 });
    const lunch = await insertBooking(t, venue, { date: '2026-05-06', time: '12:00', minutes: 90, table: 4 });
    const elsewhere = await insertBooking(t, other.venue, { date: '2026-05-06', time: '12:00', minutes: 90, table: 3 });
    const at = (time: string) => localIso(venue, '2026-05-06', time);
    const cases: [location: string, table: string | number | null, openedAt: string, booking: string | null][] = [
      [location, 3, at('19:45'), evening.id],
      [location, '4', at('19:45'), null],
      [location, 4, at('13:00'), lunch.id],
      [location, 3, at('13:00'), null],
      [location, ' 3 ', at('18:30'), evening.id],
      [location, 3, at('18:29'), null],
      [location, 4, at('15:30'), lunch.id],
      [location, 4, at('15:31'), null],
      [location, null, at('19:45'), null],
      [location, 9, at('19:45'), null],
      [other.location, 3, at('13:00'), elsewhere.id],
      [other.location, 4, at('13:00'), null],
    ];
    const ds = t.composed.deps.dataSource;
    const partner = (await ds.query('SELECT id, name FROM partners WHERE name = ?', [p.name]))[0] as { id: string; name: string };
    const events = cases.map(([loc, table, openedAt]) => ({
      ctx: { partner, eventId: uniq('evt'), receivedAt: new Date() },
      commands: [{ type: 'sale', location_id: loc, sale_id: uniq('S'), status: 'closed', total: 100, currency: 'GBP', table_number: table, opened_at: openedAt } as SaleCommand],
    }));
    const { outcomes } = await ds.transaction((em) => applySaleBatch(entityManagerSession(em), ds, events));
    expect(outcomes.map((o) => o.results[0]!.booking)).toEqual(cases.map((c) => c[3]));
    const stored = await Promise.all(events.map(async (e) => (await salesOf(t, p.name, String(e.commands[0]!.sale_id)))[0]!));
    expect(stored.map((s) => s.bookingId)).toEqual(cases.map((c) => c[3]));
    expect(stored.map((s) => s.matchMethod)).toEqual(cases.map((c) => (c[3] ? 'table_time' : null)));
  });

  it('announces sale.matched when the matcher gives a sale its booking or another one, and only then (CONTRACT §15)', async () => {
    const { venue, location } = await venueWithLocation();
    const a = await insertBooking(t, venue, { date: '2026-05-07', time: '19:00', table: 1 });
    const b = await insertBooking(t, venue, { date: '2026-05-07', time: '19:00', table: 2 });
    const at = localIso(venue, '2026-05-07', '19:10');
    const events = async (saleRowId: string) =>
      (await t.composed.deps.dataSource.manager.find(OutboxMessage, { where: { resourceId: saleRowId }, order: { id: 'ASC' } }))
        .map((m) => [m.event, m.resourceVersion, (JSON.parse(m.payload) as { booking_id: string | null }).booking_id]);

    // A new sale matched at once (table and time): recorded and matched, both of version 1.
    const matched = await recordSale(location, { table: 1, version: 1, opened_at: at });
    expect(await events(matched.id)).toEqual([['sale.recorded', 1, a.id], ['sale.matched', 1, a.id]]);
    // A resubmission keeping its booking: recorded only.
    let res = await signedPost(t, p, 'sale.updated', saleEvent({ id: matched.saleId, location_id: location, version: 2, table: 1, total: 5000, opened_at: at }));
    await waitForEvent(t, res.body.event_id);
    expect((await events(matched.id)).slice(2)).toEqual([['sale.recorded', 2, a.id]]);
    // A resubmission naming another booking: matched again, to b.
    res = await signedPost(t, p, 'sale.updated', saleEvent({ id: matched.saleId, location_id: location, version: 3, booking_reference: b.reference, opened_at: at }));
    await waitForEvent(t, res.body.event_id);
    expect((await events(matched.id)).slice(3)).toEqual([['sale.recorded', 3, b.id], ['sale.matched', 3, b.id]]);
    // An unmatched sale: recorded only.
    const lonely = await recordSale(location, { table: 4, opened_at: at });
    expect(await events(lonely.id)).toEqual([['sale.recorded', 1, null]]);

    // The batched path writes the same rows: one multi-row INSERT for every sale of the batch.
    const ds = t.composed.deps.dataSource;
    const partner = (await ds.query('SELECT id, name FROM partners WHERE name = ?', [p.name]))[0] as { id: string; name: string };
    const batch = [1, 4].map((table) => ({
      ctx: { partner, eventId: uniq('evt'), receivedAt: new Date() },
      commands: [{ type: 'sale', location_id: location, sale_id: uniq('S'), status: 'closed', total: 100, currency: 'GBP', table_number: table, opened_at: at } as SaleCommand],
    }));
    await ds.transaction((em) => applySaleBatch(entityManagerSession(em), ds, batch));
    const [one, four] = await Promise.all(batch.map(async (e) => (await salesOf(t, p.name, String(e.commands[0]!.sale_id)))[0]!));
    expect(await events(one!.id)).toEqual([['sale.recorded', 1, a.id], ['sale.matched', 1, a.id]]);
    expect(await events(four!.id)).toEqual([['sale.recorded', 1, null]]);
  });

  it('never overrides a match made by hand', async () => {
    const { venue, location } = await venueWithLocation();
    const a = await insertBooking(t, venue, { date: '2026-05-05', time: '19:00', table: 1 });
    const b = await insertBooking(t, venue, { date: '2026-05-05', time: '19:00', table: 2 });
    const sale = await recordSale(location, { table: 1, version: 1, opened_at: localIso(venue, '2026-05-05', '19:05') });
    expect(sale.bookingId).toBe(a.id);
    await t.composed.deps.dataSource.manager.update(Sale, { id: sale.id }, { bookingId: b.id, matchMethod: 'manual' });
    const res = await signedPost(t, p, 'sale.updated', saleEvent({ id: sale.saleId, location_id: location, version: 2, table: 1, opened_at: localIso(venue, '2026-05-05', '19:05') }));
    await waitForEvent(t, res.body.event_id);
    expect(await t.composed.deps.dataSource.manager.findOneByOrFail(Sale, { id: sale.id })).toMatchObject({ bookingId: b.id, matchMethod: 'manual' });
  });
});
