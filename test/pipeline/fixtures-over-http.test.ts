import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Booking } from '../../src/db/entities';
import type { CanonicalCommand } from '../../src/mapping/canonical-commands';
import {
  asCommandList,
  DEFAULT_MAPPINGS_DIR,
  discoverFixtureCases,
  eventTypeFromStem,
  FALLBACK_EVENT_TYPE,
  readPartnerManifest,
  type FixtureCase,
} from '../../src/mapping/fixture-runner';
import { createVenue, type CreatedVenue } from '../helpers/fixtures';
import { createTestPartner, insertBooking, linkLocation, putMapping, salesOf, signedPost, waitForEvent } from '../helpers/partner';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';

/**
 * Every shipped fixture (mappings/<partner>/fixtures) replayed byte for byte through
 * POST /partners/:partner/events/:event_type with a real signature for the partner's scheme, through
 * the queue and the worker into the database (ARCHITECTURE §B, step 3).
 */
const cases = discoverFixtureCases();

describe('shipped partner fixtures over HTTP', () => {
  let t: TestApp;
  let venue: CreatedVenue;

  beforeAll(async () => {
    t = await startTestApp();
    venue = await createVenue(t);
  });
  afterAll(() => t.stop());

  it('finds fixtures for every shipped partner', () => {
    const partners = readdirSync(DEFAULT_MAPPINGS_DIR).filter((d) => !d.startsWith('.'));
    expect(new Set(cases.map((c) => c.partner))).toEqual(new Set(partners));
  });

  /** The fixture's bookings exist, unseated, in the one venue every test partner's locations point at. */
  async function ensureBooking(ref: string): Promise<Booking> {
    const em = t.composed.deps.dataSource.manager;
    const byId = ref.startsWith('bk_');
    const found = await em.findOne(Booking, { where: byId ? { id: ref } : { reference: ref } });
    if (found) {
      await em.update(Booking, { id: found.id }, { status: 'confirmed' });
      return found;
    }
    const booking = await insertBooking(t, venue, { date: '2026-05-01', time: '19:00' });
    await em.update(Booking, { id: booking.id }, byId ? { id: ref } : { reference: ref });
    return em.findOneByOrFail(Booking, byId ? { id: ref } : { reference: ref });
  }

  it.each(cases.map((c) => [c.name, c] as const))('%s reaches processed or ignored', async (_name, c: FixtureCase) => {
    const dir = join(DEFAULT_MAPPINGS_DIR, c.partner);
    const manifest = readPartnerManifest(dir);
    const scheme = manifest.signature?.scheme ?? 'hmac-sha256-hex';
    const partner = await createTestPartner(t, {
      name: uniq(c.partner),
      adapter: manifest.adapter,
      scheme,
      header: manifest.signature?.header,
      secret: scheme === 'basic' ? `tablesync:${uniq('pw')}` : uniq('secret'),
    });
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonata'))) {
      await putMapping(t, partner.name, eventTypeFromStem(file.slice(0, -'.jsonata'.length)), readFileSync(join(dir, file), 'utf8'));
    }
    const expected = asCommandList(JSON.parse(readFileSync(c.expectedPath, 'utf8'))) as CanonicalCommand[];
    const unknownLocation = c.caseName.includes('unknown-location');
    if (!unknownLocation) {
      for (const cmd of expected) await linkLocation(t, partner.name, String(cmd.location_id), venue.id);
    }
    const bookings = new Map<string, Booking>();
    for (const cmd of expected) if (cmd.booking_id) bookings.set(String(cmd.booking_id), await ensureBooking(String(cmd.booking_id)));

    const eventType = c.eventType === FALLBACK_EVENT_TYPE ? 'some.unhandled.event' : c.eventType;
    const res = await signedPost(t, partner, eventType, readFileSync(c.payloadPath));
    expect(res.status).toBe(200);
    const row = await waitForEvent(t, res.body.event_id as string);
    expect({ status: row.status, reason: row.reason, errors: row.errors }).toMatchObject({
      status: expected.length === 0 || unknownLocation ? 'ignored' : 'processed',
    });
    if (unknownLocation) expect(row.reason).toMatch(/^unknown location /);

    for (const cmd of expected) {
      if (unknownLocation) break;
      if (cmd.type === 'sale') {
        const [sale] = await salesOf(t, partner.name, String(cmd.sale_id));
        expect(sale).toMatchObject({ status: cmd.status, currency: cmd.currency, locationId: String(cmd.location_id), venueId: venue.id });
        expect(Number(sale!.total)).toBe(cmd.total);
        if (cmd.booking_id) expect(sale).toMatchObject({ bookingId: bookings.get(String(cmd.booking_id))!.id, matchMethod: 'booking_id' });
      } else if (cmd.booking_id) {
        const booking = await t.composed.deps.dataSource.manager.findOneByOrFail(Booking, { id: bookings.get(String(cmd.booking_id))!.id });
        expect(booking.status).toBe(cmd.status);
      }
    }
  });
});
