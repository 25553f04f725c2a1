import { DateTime } from 'luxon';
import { createApiKey, createVenue } from '../helpers/fixtures';
import { createTestPartner, linkLocation, localIso, putMapping, SALE_MAPPING, saleEvent, signedPost, waitForEvent } from '../helpers/partner';
import { uniq } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';
import { bearer, outboundSuite, registerWebhook } from './outbound-helpers';

/**
 * `sale.matched` (CONTRACT "Status values, updated", §15): sent whenever a sale gains or changes its
 * booking, by the matcher, by a later booking picking up a waiting sale, or by hand (unlinking too), to the
 * endpoints subscribed to it, through the same outbox, relay and delivery worker as every event.
 */
describe('outbound webhooks: sale.matched', () => {
  const suite = outboundSuite();

  it('reaches a subscribed endpoint from the matcher, a later booking and a manual unlink, and never for an unmatched sale', async () => {
    const { t, r } = suite;
    const venue = await createVenue(t);
    const key = await createApiKey(t, venue.id);
    const p = await createTestPartner(t);
    await putMapping(t, p.name, 'sale.updated', SALE_MAPPING);
    const location = uniq('loc');
    await linkLocation(t, p.name, location, venue.id);
    await registerWebhook(t, key, r.url, ['sale.matched']);
    const date = DateTime.now().setZone('Europe/London').plus({ days: 3 }).toISODate()!;
    const book = async () => {
      const res = await t.http.post('/api/v1/bookings').set(bearer(key)).send({ date, time: '19:00', party_size: 2, customer_name: 'Grace Hopper' });
      expect(res.status).toBe(201);
      return res.body as { id: string; reference: string; table: { number: number } };
    };
    const pos = async (sale: Parameters<typeof saleEvent>[0]) => {
      const res = await signedPost(t, p, 'sale.updated', saleEvent({ location_id: location, ...sale }));
      expect(res.status).toBe(200);
      expect((await waitForEvent(t, res.body.event_id)).status).toBe('processed');
    };
    const matched = () => r.requests.map((q) => JSON.parse(q.body) as { event: string; data: { sale_id: string; booking_id: string | null; version: number } });

    // 1. The matcher: a POS sale naming the booking.
    const first = await book();
    const named = uniq('S');
    await pos({ id: named, booking_reference: first.reference });
    await waitFor(async () => matched().length >= 1, { what: 'the first sale.matched' });
    expect(matched()[0]).toMatchObject({ event: 'sale.matched', data: { sale_id: named, booking_id: first.id, version: 1 } });

    // 2. A sale at a table nobody has booked yet: recorded, not matched.
    const waiting = uniq('S');
    await pos({ id: waiting, table: 2, opened_at: localIso(venue, date, '19:05') });
    // 3. The booking API books table 2 at 19:00: the waiting sale is picked up.
    const second = await book();
    expect(second.table.number).toBe(2);
    await waitFor(async () => matched().length >= 2, { what: 'sale.matched for the waiting sale' });
    expect(matched()[1]).toMatchObject({ event: 'sale.matched', data: { sale_id: waiting, booking_id: second.id, version: 2 } });

    // 4. By hand: unlinking the first sale sends sale.matched with booking_id null.
    const saleRow = (await t.http.get(`/api/v1/sales?booking_id=${first.id}`).set(bearer(key))).body.data[0] as { id: string };
    expect((await t.http.patch(`/api/v1/sales/${saleRow.id}`).set(bearer(key)).send({ booking_id: null })).status).toBe(200);
    await waitFor(async () => matched().length >= 3, { what: 'sale.matched for the unlink' });
    expect(matched()[2]).toMatchObject({ event: 'sale.matched', data: { sale_id: named, booking_id: null, match: null, version: 2 } });

    // Only the subscribed event arrived (no sale.recorded, no booking events), each once.
    const ids = r.requests.map((q) => q.headers['x-tablesync-event']);
    expect(ids).toEqual(['sale.matched', 'sale.matched', 'sale.matched']);
    expect(new Set(matched().map((m) => JSON.stringify(m))).size).toBe(3);
  });
});
