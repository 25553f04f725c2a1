// `npm run demo`: seeds a demo venue, an API key, the demo-pos partner (linked to the venue), a booking and
// a few signed POS events, waits for them to be processed, and prints the key and a curl tour.
// It runs the real app in-process against DATABASE_URL/REDIS_URL (the same ones `npm start` uses).
import { createHmac, randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import supertest from 'supertest';
import { compose } from '../src/composition-root';
import { loadConfig } from '../src/config';
import { createDataSource, ensureDatabase } from '../src/db/data-source';

const DEMO_SECRET = process.env.DEMO_PARTNER_SECRET ?? 'demo-pos-secret-change-me';
const LOCATION = 'demo-venue-1';

async function main(): Promise<void> {
  const adminToken = process.env.ADMIN_TOKEN || `demo-${randomBytes(12).toString('hex')}`;
  const config = loadConfig({ ...process.env, ADMIN_TOKEN: adminToken, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  await ensureDatabase(config.databaseUrl);
  const migrator = await createDataSource(config.databaseUrl, { poolSize: 1 }).initialize();
  await migrator.runMigrations({ transaction: 'each' });
  await migrator.destroy();

  const app = await compose(config);
  const http = supertest(app.app!);
  const admin = { Authorization: `Bearer ${adminToken}` };
  const expectStatus = (res: supertest.Response, ok: number[], what: string) => {
    if (!ok.includes(res.status)) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res;
  };
  try {
    const slug = `demo-bistro-${randomBytes(2).toString('hex')}`;
    const venue = expectStatus(await http.post('/admin/v1/venues').set(admin).send({
      name: 'Demo Bistro', slug, timezone: 'Europe/London', currency: 'GBP', country: 'GB', plan: 'pro',
      areas: [
        { name: 'Dining room', tables: [10, 11, 12, 13].map((n) => ({ number: n, min_covers: 1, max_covers: n === 12 ? 6 : 4 })) },
        { name: 'Terrace', tables: [20, 21].map((n) => ({ number: n, min_covers: 2, max_covers: 8 })) },
      ],
      services: [
        { name: 'Lunch', days: [1, 2, 3, 4, 5, 6, 7], start: '12:00', end: '15:00', slot_interval_minutes: 15, duration_minutes: 75 },
        { name: 'Dinner', days: [1, 2, 3, 4, 5, 6, 7], start: '17:30', end: '23:00', slot_interval_minutes: 15, duration_minutes: 120, max_covers_per_slot: 20 },
      ],
    }), [201], 'create venue').body;
    const key = expectStatus(await http.post(`/admin/v1/venues/${venue.id}/api-keys`).set(admin).send({
      name: 'Demo key',
      scopes: ['venue:read', 'bookings:read', 'bookings:write', 'customers:read', 'customers:write', 'sales:read', 'sales:write', 'webhooks:read', 'webhooks:write'],
    }), [201], 'create key').body.key as string;

    // The demo-pos partner is created from mappings/demo-pos/partner.json at start; give it a known secret.
    const existing = await http.get('/admin/v1/partners/demo-pos').set(admin);
    if (existing.status === 404) {
      expectStatus(await http.post('/admin/v1/partners').set(admin).send({
        name: 'demo-pos', adapter: 'demo-pos', signature: { scheme: 'hmac-sha256-hex', header: 'x-signature', secret: DEMO_SECRET },
      }), [201], 'create partner');
    } else {
      expectStatus(await http.patch('/admin/v1/partners/demo-pos').set(admin).send({ signature: { secret: DEMO_SECRET }, enabled: true }), [200], 'set partner secret');
    }
    expectStatus(await http.put(`/admin/v1/partners/demo-pos/locations/${LOCATION}`).set(admin).send({ venue_id: venue.id, enabled: true }), [200, 201], 'link location');

    // A booking tomorrow at 19:00 on table 12, then the POS closes a check on table 12 during it.
    const api = { Authorization: `Bearer ${key}` };
    const date = DateTime.now().setZone('Europe/London').plus({ days: 1 }).toISODate()!;
    const table12 = (venue.areas[0].tables as { id: string; number: number }[]).find((t) => t.number === 12)!;
    const booking = expectStatus(await http.post('/api/v1/bookings').set(api).send({
      date, time: '19:00', party_size: 4, customer_name: 'Ada Lovelace', email: 'ada@example.com', phone: '+44 20 7946 0000', table_id: table12.id,
    }), [201], 'create booking').body;
    const opened = DateTime.fromISO(`${date}T19:10`, { zone: 'Europe/London' }).toUTC();
    const events: [string, Record<string, unknown>][] = [
      ['sale.updated', {
        event: 'sale.updated', location_id: LOCATION,
        sale: {
          id: `D-${randomBytes(3).toString('hex')}`, version: 1, status: 'closed', table: '12', covers: 4,
          opened_at: opened.toISO(), closed_at: opened.plus({ minutes: 95 }).toISO(), currency: 'GBP',
          subtotal: 9000, tax: 1800, tip: 1000, discount: 0, total: 10800,
          items: [
            { name: 'Oysters (6)', qty: 2, unit_price: 1800, total: 3600, category: 'Starters' },
            { name: 'Sea bass', qty: 4, unit_price: 1800, total: 7200, category: 'Mains' },
          ],
          payments: [{ method: 'card', amount: 10800, tip: 1000 }],
        },
      }],
      ['table.closed', { event: 'table.closed', location_id: LOCATION, table: '12', booking_reference: booking.reference, closed_at: opened.plus({ minutes: 100 }).toISO() }],
    ];
    for (const [type, payload] of events) {
      const body = JSON.stringify(payload);
      const res = await http.post(`/partners/demo-pos/events/${type}`)
        .set('content-type', 'application/json').set('x-signature', createHmac('sha256', DEMO_SECRET).update(body).digest('hex')).send(body);
      expectStatus(res, [200], `POS event ${type}`);
      // One event at a time: the second waits for the first to be processed.
      const deadline = Date.now() + 15_000;
      for (;;) {
        const ev = await http.get(`/admin/v1/events/${res.body.event_id}`).set(admin);
        if (ev.status === 200 && ['processed', 'ignored', 'failed'].includes(ev.body.status)) {
          console.log(`POS event ${type}: ${ev.body.status}${ev.body.reason ? ` (${ev.body.reason})` : ''}`);
          break;
        }
        if (Date.now() > deadline) throw new Error(`POS event ${type} was not processed in time`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const detail = expectStatus(await http.get(`/api/v1/bookings/${booking.id}`).set(api), [200], 'booking detail').body;

    console.log(`
Demo venue:   ${venue.name} (${venue.id}, slug ${slug})
API key:      ${key}
Booking:      ${detail.reference} ${detail.date} ${detail.time} party of ${detail.party_size}, status ${detail.status}
Spend:        ${detail.spend.total} ${detail.spend.currency} over ${detail.spend.count} sale(s)
POS partner:  demo-pos, location ${LOCATION}, HMAC secret "${DEMO_SECRET}"

Try it (npm start in another terminal):
  curl -s localhost:${config.port}/api/v1/venue -H "Authorization: Bearer ${key}"
  curl -s "localhost:${config.port}/api/v1/availability?date=${date}&party_size=2" -H "Authorization: Bearer ${key}"
  curl -s localhost:${config.port}/api/v1/bookings/${booking.id} -H "Authorization: Bearer ${key}"
  curl -s "localhost:${config.port}/api/v1/sales?date=${date}" -H "Authorization: Bearer ${key}"
`);
  } finally {
    await app.stop();
  }
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
