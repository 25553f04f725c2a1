import { Booking, OutboxMessage } from '../../src/platform/db/entities';
import { createVenue, type CreatedVenue } from '../helpers/fixtures';
import {
  createTestPartner,
  insertBooking,
  itemsOf,
  linkLocation,
  putMapping,
  SALE_MAPPING,
  saleEvent,
  salesOf,
  signedPost,
  TABLE_CLOSED_MAPPING,
  type TestPartner,
  waitForEvent,
} from '../helpers/partner';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';

describe('inbound pipeline: applying POS events (CONTRACT §4, §5)', () => {
  let t: TestApp;
  let venue: CreatedVenue;
  let p: TestPartner;

  beforeAll(async () => {
    t = await startTestApp(); // ROLE=all: the composition root's own worker processes events
    venue = await createVenue(t);
    p = await createTestPartner(t);
    await putMapping(t, p.name, 'sale.updated', SALE_MAPPING);
    await putMapping(t, p.name, 'table.closed', TABLE_CLOSED_MAPPING);
    await linkLocation(t, p.name, 'loc-1', venue.id);
  });
  afterAll(() => t.stop());

  const send = async (partner: TestPartner, eventType: string, body: Record<string, unknown>) => {
    const res = await signedPost(t, partner, eventType, body);
    expect(res.status).toBe(200);
    return waitForEvent(t, res.body.event_id as string);
  };
  const outbox = (resourceId: string) =>
    t.composed.deps.dataSource.manager.find(OutboxMessage, { where: { resourceId }, order: { id: 'ASC' } });

  it('records a sale with its items and announces sale.recorded in the outbox', async () => {
    const saleId = uniq('S');
    const row = await send(p, 'sale.updated', saleEvent({ id: saleId, total: 4250, covers: 2, table: 3 }));
    expect(row).toMatchObject({ status: 'processed', saleId, attempts: 1, mappingVersion: 1 });
    // No booking at table 3: the sale is kept unmatched and the log says why (venue-local times).
    expect(row.reason).toMatch(/^sale sl_\w+ unmatched: no booking at table 3 between /);
    expect(row.processedAt).toBeInstanceOf(Date);
    const [sale] = await salesOf(t, p.name, saleId);
    expect(sale).toMatchObject({ venueId: venue.id, locationId: 'loc-1', status: 'closed', currency: 'GBP', tableNumber: '3', covers: 2, version: 1 });
    expect(Number(sale!.total)).toBe(4250);
    expect((await itemsOf(t, sale!.id)).map((i) => [i.name, i.quantity, Number(i.total)])).toEqual([
      ['Burger', 2, 3000],
      ['Lemonade', 1, 1250],
    ]);
    const messages = await outbox(sale!.id);
    expect(messages.map((m) => [m.event, m.resourceVersion])).toEqual([['sale.recorded', 1]]);
    expect(JSON.parse(messages[0]!.payload)).toMatchObject({ id: sale!.id, sale_id: saleId, total: 4250, version: 1, items: expect.any(Array) });
  });

  it('updates the same sale on resubmission: one row, version bumped, items replaced', async () => {
    const saleId = uniq('S');
    await send(p, 'sale.updated', saleEvent({ id: saleId, version: 1, status: 'open', total: 1000 }));
    const again = await send(p, 'sale.updated', saleEvent({
      id: saleId, version: 2, status: 'closed', total: 1500, items: [{ name: 'Steak', qty: 1, total: 1500 }],
    }));
    expect(again.status).toBe('processed');
    const sales = await salesOf(t, p.name, saleId);
    expect(sales).toHaveLength(1);
    expect(sales[0]).toMatchObject({ status: 'closed', version: 2, sourceVersion: '2' });
    expect(Number(sales[0]!.total)).toBe(1500);
    expect((await itemsOf(t, sales[0]!.id)).map((i) => i.name)).toEqual(['Steak']);
    expect((await outbox(sales[0]!.id)).map((m) => m.resourceVersion)).toEqual([1, 2]);
    // The very same payload again still lands on the same row.
    await send(p, 'sale.updated', saleEvent({ id: saleId, version: 2, status: 'closed', total: 1500, items: [] }));
    expect(await salesOf(t, p.name, saleId)).toHaveLength(1);
  });

  it('never lets an older update arriving late overwrite a newer one', async () => {
    const saleId = uniq('S');
    await send(p, 'sale.updated', saleEvent({ id: saleId, version: 5, total: 5000 }));
    const late = await send(p, 'sale.updated', saleEvent({ id: saleId, version: 4, total: 4000 }));
    expect(late.status).toBe('ignored');
    expect(late.reason).toMatch(/version 4 is older than the stored 5/);
    const [sale] = await salesOf(t, p.name, saleId);
    expect(Number(sale!.total)).toBe(5000);
    expect(sale!.version).toBe(1);

    // Timestamps order updates too (ISO, any offset), and version counters compare as integers (10 > 9).
    const s2 = uniq('S');
    await send(p, 'sale.updated', saleEvent({ id: s2, version: '2026-05-01T19:00:00+01:00', total: 1 }));
    expect((await send(p, 'sale.updated', saleEvent({ id: s2, version: '2026-05-01T17:59:00Z', total: 2 }))).status).toBe('ignored');
    expect((await send(p, 'sale.updated', saleEvent({ id: s2, version: '2026-05-01T18:01:00Z', total: 3 }))).status).toBe('processed');
    const s3 = uniq('S');
    await send(p, 'sale.updated', saleEvent({ id: s3, version: 9, total: 9 }));
    expect((await send(p, 'sale.updated', saleEvent({ id: s3, version: 10, total: 10 }))).status).toBe('processed');
  });

  it('ignores, with the reason, an event for an unknown location or a disabled integration', async () => {
    const unknown = await send(p, 'sale.updated', saleEvent({ id: uniq('S'), location_id: 'loc-unknown' }));
    expect(unknown).toMatchObject({ status: 'ignored', reason: 'unknown location loc-unknown' });
    await linkLocation(t, p.name, 'loc-off', venue.id, false);
    const off = await send(p, 'sale.updated', saleEvent({ id: uniq('S'), location_id: 'loc-off' }));
    expect(off).toMatchObject({ status: 'ignored', reason: 'integration disabled for location loc-off' });
  });

  it('ignores an event whose mapping yields nothing, or that has no mapping at all', async () => {
    const q = await createTestPartner(t);
    await putMapping(t, q.name, 'noise', '[]');
    expect(await send(q, 'noise', { anything: 1 })).toMatchObject({ status: 'ignored', reason: 'the mapping yielded nothing' });
    expect(await send(q, 'other', { anything: 1 })).toMatchObject({ status: 'ignored', reason: 'no mapping for event type other' });
  });

  it('keeps every digit of ids beyond 2^53 through mapping, storage and the upsert key', async () => {
    const bigLocation = '9765040300495493123';
    const bigSale = '123456789012345678901';
    await linkLocation(t, p.name, bigLocation, venue.id);
    const raw = `{"location_id": ${bigLocation}, "sale": {"id": ${bigSale}, "version": 1, "status": "closed", "total": 100, "currency": "GBP"}}`;
    const res = await signedPost(t, p, 'sale.updated', raw);
    expect(res.status).toBe(200);
    const row = await waitForEvent(t, res.body.event_id);
    expect(row).toMatchObject({ status: 'processed', saleId: bigSale });
    const [sale] = await salesOf(t, p.name, bigSale);
    expect(sale).toMatchObject({ locationId: bigLocation, saleId: bigSale, venueId: venue.id });
    // The second time it is the same sale (the id compares exactly, not as a rounded float).
    const again = await signedPost(t, p, 'sale.updated', raw.replace('"version": 1', '"version": 2'));
    await waitForEvent(t, again.body.event_id);
    expect(await salesOf(t, p.name, bigSale)).toHaveLength(1);
  });

  it('applies booking_status commands to the matched booking: status, version + 1, booking.updated', async () => {
    const booking = await insertBooking(t, venue, { date: '2026-06-01', time: '19:00', table: 4, status: 'seated' });
    const row = await send(p, 'table.closed', { location_id: 'loc-1', table: 4, closed_at: '2026-06-01T19:50:00.000Z' });
    expect(row.status).toBe('processed');
    const after = await t.composed.deps.dataSource.manager.findOneByOrFail(Booking, { id: booking.id });
    expect(after).toMatchObject({ status: 'completed', version: 2 });
    const messages = await outbox(booking.id);
    expect(messages.map((m) => m.event)).toEqual(['booking.updated']);
    expect(JSON.parse(messages[0]!.payload)).toMatchObject({ id: booking.id, status: 'completed', version: 2 });

    // Completing a confirmed booking walks it through seated; cancelling sends booking.cancelled.
    const confirmed = await insertBooking(t, venue, { date: '2026-06-02', time: '12:00', table: 1 });
    await send(p, 'table.closed', { location_id: 'loc-1', booking_reference: confirmed.reference, closed_at: '2026-06-02T12:30:00.000Z' });
    expect((await t.composed.deps.dataSource.manager.findOneByOrFail(Booking, { id: confirmed.id })).status).toBe('completed');
    const toCancel = await insertBooking(t, venue, { date: '2026-06-03', time: '12:00', table: 1 });
    await send(p, 'table.closed', { location_id: 'loc-1', booking_reference: toCancel.id, status: 'cancelled', closed_at: '2026-06-03T10:50:00.000Z' });
    expect((await outbox(toCancel.id)).map((m) => m.event)).toEqual(['booking.cancelled']);

    // An impossible change is ignored with its reason, and nothing is written.
    const done = await send(p, 'table.closed', { location_id: 'loc-1', booking_reference: toCancel.id, status: 'seated', closed_at: '2026-06-03T11:00:00.000Z' });
    expect(done).toMatchObject({ status: 'ignored', reason: expect.stringMatching(/cancelled booking .* cannot become seated/) });
    expect(await outbox(toCancel.id)).toHaveLength(1);
    const nobody = await send(p, 'table.closed', { location_id: 'loc-1', booking_reference: 'TS-NOPE' });
    expect(nobody).toMatchObject({ status: 'ignored', reason: 'no booking found for booking TS-NOPE' });
  });
});
