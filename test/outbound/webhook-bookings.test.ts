import { createHmac } from 'node:crypto';
import { DateTime } from 'luxon';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { createApiKey, createVenue } from '../helpers/fixtures';
import { waitFor } from '../helpers/wait-for';
import { bearer, outboundSuite, registerWebhook } from './outbound-helpers';

/** The whole path from the booking API: its transaction writes the outbox row; relay and worker deliver it. */
describe('outbound webhooks: events from the booking API', () => {
  const suite = outboundSuite();

  it('delivers booking.created then booking.cancelled, signed, with versions that order them', async () => {
    const { t, r } = suite;
    const venue = await createVenue(t);
    const key = await createApiKey(t, venue.id);
    const wh = await registerWebhook(t, key, r.url, ['booking.created', 'booking.cancelled']);
    const date = DateTime.now().setZone('Europe/London').plus({ days: 3 }).toISODate()!;

    const created = await t.http.post('/api/v1/bookings').set(bearer(key))
      .send({ date, time: '19:00', party_size: 2, customer_name: 'Ada Lovelace', email: 'ada@example.com' });
    expect(created.status).toBe(201);
    const cancelled = await t.http.patch(`/api/v1/bookings/${created.body.id}`).set(bearer(key)).send({ status: 'cancelled' });
    expect(cancelled.status).toBe(200);

    await waitFor(async () => r.requests.length >= 2, { what: 'two booking events' });
    const bodies = r.requests.map((q) => JSON.parse(q.body));
    const byEvent = Object.fromEntries(bodies.map((b) => [b.event, b]));
    expect(Object.keys(byEvent).sort()).toEqual(['booking.cancelled', 'booking.created']);
    expect(byEvent['booking.created'].data).toMatchObject({ id: created.body.id, reference: created.body.reference, party_size: 2 });
    expect(byEvent['booking.cancelled'].data).toMatchObject({ id: created.body.id, status: 'cancelled' });
    // Whatever the arrival order, version (and created_at) tell the receiver which is newer.
    expect(byEvent['booking.cancelled'].data.version).toBeGreaterThan(byEvent['booking.created'].data.version);
    expect(byEvent['booking.cancelled'].created_at >= byEvent['booking.created'].created_at).toBe(true);

    for (const q of r.requests) {
      expect(q.headers['x-tablesync-signature']).toBe(createHmac('sha256', wh.secret).update(q.body).digest('hex'));
      expect(() => new StandardWebhook(wh.secret).verify(q.body, q.headers as Record<string, string>)).not.toThrow();
      expect(q.headers['x-tablesync-event']).toBe(JSON.parse(q.body).event);
    }
  });
});
