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
import { instantToLocal } from '../../src/domain/bookings/venue-time';
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
  /** One venue per currency: a sale in another currency than its venue's fails (CONTRACT §5). */
  const venues = new Map<string, CreatedVenue>();
  const venueFor = async (currency: string): Promise<CreatedVenue> => {
    if (!venues.has(currency)) venues.set(currency, await createVenue(t, { currency }));
    return venues.get(currency)!;
  };

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('finds fixtures for every shipped partner', () => {
    const partners = readdirSync(DEFAULT_MAPPINGS_DIR).filter((d) => !d.startsWith('.'));
    expect(new Set(cases.map((c) => c.partner))).toEqual(new Set(partners));
  });

  /**
   * The fixture's bookings exist, unseated, in the fixture's venue, around `at` (a booking_status applies
   * only while its booking could be at the table).
   */
  async function ensureBooking(ref: string, venue: CreatedVenue, at: Date): Promise<Booking> {
    const em = t.composed.deps.dataSource.manager;
    const byId = ref.startsWith('bk_');
    const local = instantToLocal(at, venue.json.timezone as string);
    const found = await em.findOne(Booking, { where: byId ? { id: ref } : { reference: ref } });
    if (found) await em.delete(Booking, { id: found.id });
    const booking = await insertBooking(t, venue, { date: local.date, time: local.time });
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
    const currency = expected.flatMap((cmd) => (cmd.type === 'sale' && cmd.currency ? [cmd.currency] : []))[0] ?? 'GBP';
    const venue = await venueFor(currency);
    if (!unknownLocation) {
      for (const cmd of expected) await linkLocation(t, partner.name, String(cmd.location_id), venue.id);
    }
    const bookings = new Map<string, Booking>();
    for (const cmd of expected) {
      if (!cmd.booking_id) continue;
      const at = cmd.type === 'booking_status' && cmd.at ? new Date(cmd.at) : new Date();
      bookings.set(String(cmd.booking_id), await ensureBooking(String(cmd.booking_id), venue, at));
    }

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
