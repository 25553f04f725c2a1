import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Booking, InboundEvent } from '../../src/db/entities';
import type { CanonicalCommand } from '../../src/mapping/canonical-commands';
import {
  asCommandList,
  DEFAULT_MAPPINGS_DIR,
  discoverFixtureCases,
  eventTypeFromStem,
  FALLBACK_EVENT_TYPE,
  readPartnerManifest,
  TEST_NOTIFICATION,
  type FixtureCase,
} from '../../src/mapping/fixture-runner';
import { instantToLocal } from '../../src/domain/bookings/venue-time';
import { type CreatedVenue, venuesByCurrency } from '../helpers/fixtures';
import { insertBooking, linkLocation, salesOf, signedPost, waitForEvent, type TestPartner } from '../helpers/partner';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';

/**
 * Every shipped fixture (mappings/<partner>/fixtures) replayed byte for byte through
 * POST /partners/:partner/events/:event_type with a real signature for the partner's scheme, through
 * the queue and the worker into the database (ARCHITECTURE §B, step 3). Each case runs on a fresh
 * partner made from its catalog template (POST /admin/v1/partners {name, template}), with the secret
 * generated and shown once, so the template's adapter, scheme, header and mappings are what is tested.
 */

const ALL_BUT_DATE = [
  'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame',
  'requestIdleCallback', 'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval',
  'setTimeout', 'clearTimeout',
] as const;

/**
 * Schemes that sign a timestamp inside the body (Toast) refuse a message older than their window, and
 * fixtures are dated: the request is sent with the clock (Date only) at the message's own time.
 */
async function atMessageTime<T>(scheme: string, raw: Buffer, send: () => Promise<T>): Promise<T> {
  const stamp = scheme === 'toast-hmac' ? (JSON.parse(raw.toString('utf8')) as { timestamp?: string }).timestamp : undefined;
  if (!stamp) return send();
  jest.useFakeTimers({ doNotFake: [...ALL_BUT_DATE], now: Date.parse(stamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) + 30_000 });
  try {
    return await send();
  } finally {
    jest.useRealTimers();
  }
}
const cases = discoverFixtureCases();

describe('shipped partner fixtures over HTTP', () => {
  let t: TestApp;
  const venueFor = venuesByCurrency(() => t);

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
    const created = await t.admin('post', '/admin/v1/partners').send({ name: uniq(c.partner), template: c.partner });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ adapter: manifest.adapter, signature: manifest.signature, template: c.partner });
    const mappingFiles = readdirSync(dir).filter((f) => f.endsWith('.jsonata'));
    expect((created.body.mappings as { event_type: string; version: number }[]).sort((a, b) => a.event_type.localeCompare(b.event_type)))
      .toEqual(mappingFiles.map((f) => ({ event_type: eventTypeFromStem(f.slice(0, -'.jsonata'.length)), version: 1 })).sort((a, b) => a.event_type.localeCompare(b.event_type)));
    const partner: TestPartner = {
      name: created.body.name as string,
      secret: created.body.secret as string,
      adapter: created.body.adapter as string,
      scheme: created.body.signature.scheme as string,
      ...(created.body.signature.header ? { header: created.body.signature.header as string } : {}),
    };
    const expected = asCommandList(JSON.parse(readFileSync(c.expectedPath, 'utf8'))) as CanonicalCommand[];
    const unknownLocation = c.caseName.includes('unknown-location');
    const currency = expected.flatMap((cmd) => (cmd.type === 'sale' && cmd.currency ? [cmd.currency] : []))[0] ?? 'GBP';
    const venue = await venueFor(currency);
    if (!unknownLocation) {
      for (const cmd of expected) await linkLocation(t, partner.name, String(cmd.location_id), venue.id);
    }
    const bookings = new Map<string, Booking>();
    for (const cmd of expected) {
      if (cmd.type === 'reservation' || !cmd.booking_id) continue;
      const at = cmd.type === 'booking_status' && cmd.at ? new Date(cmd.at) : new Date();
      bookings.set(String(cmd.booking_id), await ensureBooking(String(cmd.booking_id), venue, at));
    }

    const eventType = c.eventType === FALLBACK_EVENT_TYPE ? 'some.unhandled.event' : c.eventType;
    const raw = readFileSync(c.payloadPath);
    const res = await atMessageTime(partner.scheme, raw, async () => signedPost(t, partner, eventType, raw));
    expect(res.status).toBe(200);
    if (eventType === TEST_NOTIFICATION) {
      // The hub's ping, signed with the vendor's scheme: answered at once, nothing stored.
      expect(res.body).toEqual({ status: 'ok' });
      expect(await t.composed.deps.dataSource.manager.countBy(InboundEvent, { partner: partner.name })).toBe(0);
      return;
    }
    const row = await waitForEvent(t, res.body.event_id as string);
    // A reservation first seen cancelled (or as a no-show) has nothing to cancel: ignored (CONTRACT §12).
    const firstSeenOver = expected.length > 0 && expected.every((cmd) => cmd.type === 'reservation' && ['cancelled', 'no_show'].includes(cmd.status));
    expect({ status: row.status, reason: row.reason, errors: row.errors }).toMatchObject({
      status: expected.length === 0 || unknownLocation || firstSeenOver ? 'ignored' : 'processed',
    });
    if (firstSeenOver) expect(row.reason).toMatch(/was never booked here/);
    if (unknownLocation) expect(row.reason).toMatch(/^unknown location /);

    for (const cmd of expected) {
      if (unknownLocation) break;
      if (cmd.type === 'sale') {
        const [sale] = await salesOf(t, partner.name, String(cmd.sale_id));
        expect(sale).toMatchObject({ status: cmd.status, currency: cmd.currency, locationId: String(cmd.location_id), venueId: venue.id });
        expect(Number(sale!.total)).toBe(cmd.total);
        if (cmd.booking_id) expect(sale).toMatchObject({ bookingId: bookings.get(String(cmd.booking_id))!.id, matchMethod: 'booking_id' });
      } else if (cmd.type === 'reservation') {
        if (firstSeenOver) continue;
        const booking = await t.composed.deps.dataSource.manager.findOneByOrFail(Booking, {
          externalPartner: partner.name, externalReservationId: String(cmd.reservation_id),
        });
        expect(booking).toMatchObject({ venueId: venue.id, source: partner.name, date: cmd.date, time: cmd.time, partySize: cmd.party_size });
      } else if (cmd.booking_id) {
        const booking = await t.composed.deps.dataSource.manager.findOneByOrFail(Booking, { id: bookings.get(String(cmd.booking_id))!.id });
        expect(booking.status).toBe(cmd.status);
      }
    }
  });
});
