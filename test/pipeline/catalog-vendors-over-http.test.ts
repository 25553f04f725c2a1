import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { In } from 'typeorm';
import { Booking, InboundEvent, Sale, SaleItem } from '../../src/db/entities';
import { DEFAULT_MAPPINGS_DIR, FALLBACK_EVENT_TYPE, TEST_NOTIFICATION, discoverFixtureCases } from '../../src/mapping/fixture-runner';
import { instantToLocal } from '../../src/domain/bookings/venue-time';
import { type CreatedVenue, venuesByCurrency } from '../helpers/fixtures';
import { insertBooking, linkLocation, salesOf, signedPost, waitForEvent, type TestPartner } from '../helpers/partner';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';

/**
 * The catalog templates of Square, Lightspeed K-Series, Toast and Clover, fixture by fixture, through the
 * real HTTP endpoint signed with each vendor's own scheme (issue 17). The outcome of every fixture is written
 * here from the vendor's documentation — not read from its `.expected.json` — so a fixture, a mapping or an
 * expected file that drifts from what the vendor sends fails this suite. Every fixture of these four vendors
 * must appear in its table, and every entry must have its fixture.
 */

type Outcome =
  /** The sale stored for `saleId`, after this event. */
  | {
    kind: 'sale'; location: string; saleId: string; status: string; total: number; currency: string; items: number; bookingRef?: string;
    /** The POS table (aliased to the venue's table 1) and the booking there from `seatedAt`: matched by table and time, then `bookingStatus`. */
    table?: { pos: string; seatedAt: string; bookingStatus: string };
  }
  /** The booking the POS status applies to, and its status after the event. */
  | { kind: 'booking_status'; location: string; bookingRef: string; status: string }
  /** Processed into nothing: `ignored` with the reason, no sale stored. */
  | { kind: 'nothing' }
  /** Mapped (to a sale of `saleId` with `status`), then `ignored` because the location is linked to no venue; no sale stored. */
  | { kind: 'unknown-location'; location: string; saleId: string; status: string }
  /** The hub's ping: answered `{"status": "ok"}`, nothing stored. */
  | { kind: 'ping' };

const sale = (location: string, saleId: string, status: string, total: number, currency: string, items: number, bookingRef?: string): Outcome => ({
  kind: 'sale', location, saleId, status, total, currency, items, ...(bookingRef ? { bookingRef } : {}),
});

/** Square: money in minor units; order webhooks are notifications; no items anywhere. */
const SQUARE: Record<string, Outcome> = {
  'payment.updated--completed': sale('S8GWD5R9QB376', '03O3USaPaAaFnI6kkwB1JxGgBsUZY', 'closed', 100, 'USD', 0),
  'payment.created--approved-open': sale('S8GWD5R9QB376', '03O3USaPaAaFnI6kkwB1JxGgBsUZY', 'open', 100, 'USD', 0),
  'refund.updated--completed-refunded': sale('NAQ1FHV6ZJ8YV', 'haOyDuHiqtAXMk0d8pDKXpL7Jg4F', 'refunded', 1000, 'USD', 0),
  'payment.updated--unknown-location': { kind: 'unknown-location', location: 'S8GWD5R9QB376', saleId: '03O3USaPaAaFnI6kkwB1JxGgBsUZY', status: 'closed' },
  'payment.created--test-event-unknown-location': { kind: 'unknown-location', location: 'S8GWD5R9QB376', saleId: '03O3USaPaAaFnI6kkwB1JxGgBsUZY', status: 'open' },
  'order.updated--notification-only-ignored': { kind: 'nothing' },
  '_fallback--order-created-notification-ignored': { kind: 'nothing' },
  'webhooks.test_notification--hub-ping': { kind: 'ping' },
};

/** Lightspeed K-Series: decimal major units, location ids beyond 2^53, no signature (HTTP Basic). */
const LS_SALE = '41910290874370:A90826.1';
const LIGHTSPEED: Record<string, Outcome> = {
  'order--open': sale('41910290874370', LS_SALE, 'open', 0, 'GBP', 0, '224'),
  'order--update-later-version': sale('41910290874370', LS_SALE, 'open', 5820, 'GBP', 2, '224'),
  'order--closed-with-items': sale('41910290874370', LS_SALE, 'closed', 7270, 'GBP', 3, '224'),
  'order--cancel-void': sale('41910290874370', LS_SALE, 'void', 0, 'GBP', 0, '224'),
  'order--unknown-location': { kind: 'unknown-location', location: '41910290874370', saleId: LS_SALE, status: 'open' },
  'pos-reservation-updated--table-closed': { kind: 'booking_status', location: '9765040300495493', bookingRef: 'Reservation-123', status: 'completed' },
  'pos-reservation-updated--seated': { kind: 'booking_status', location: '9765040300495493', bookingRef: 'Reservation-123', status: 'seated' },
  'pos-reservation-updated--arrived-ignored': { kind: 'nothing' },
  '_fallback--integration-activated-ignored': { kind: 'nothing' },
  'webhooks.test_notification--hub-ping': { kind: 'ping' },
};

/** Clover: notification only (ids and an operation); nothing is ever a sale until an enrichment step exists. */
const CLOVER: Record<string, Outcome> = {
  'webhook--sample-notification-ignored': { kind: 'nothing' },
  'webhook--order-and-payment-notification-ignored': { kind: 'nothing' },
  'webhook--update-notification-ignored': { kind: 'nothing' },
  'webhook--void-delete-notification-ignored': { kind: 'nothing' },
  'webhook--other-merchant-notification-ignored': { kind: 'nothing' },
  'webhook--verification-code-ignored': { kind: 'nothing' },
};

/** Toast: decimal dollars, no currency (the restaurant's), tables as GUIDs, the timestamp signed with the body. */
const TOAST_RESTAURANT = 'a1f5c3e0-7b2d-4f1e-9c8a-3d6e5b4a2f10';
const TOAST_ORDER = '3f2e1d0c-9b8a-4765-8432-10fedcba9876';
const TOAST: Record<string, Outcome> = {
  'order_updated--closed-with-items': sale(TOAST_RESTAURANT, TOAST_ORDER, 'closed', 3726, 'USD', 2),
  'order_updated--update-open-order': sale(TOAST_RESTAURANT, TOAST_ORDER, 'open', 3726, 'USD', 2),
  'order_updated--void': sale(TOAST_RESTAURANT, TOAST_ORDER, 'void', 0, 'USD', 0),
  'order_updated--table-closed': {
    ...(sale(TOAST_RESTAURANT, TOAST_ORDER, 'closed', 3726, 'USD', 2) as Extract<Outcome, { kind: 'sale' }>),
    table: { pos: '4d3c2b1a0f9e4d8cb7a65f4e3d2c1b0a', seatedAt: '2026-05-01T18:00:00.000Z', bookingStatus: 'completed' },
  },
  'order_updated--unknown-location': { kind: 'unknown-location', location: 'b9c8d7e6-f5a4-4b3c-8d2e-1f0a9b8c7d6e', saleId: TOAST_ORDER, status: 'closed' },
  '_fallback--partner-updated-ignored': { kind: 'nothing' },
  'webhooks.test_notification--hub-ping': { kind: 'ping' },
};

const VENDORS: Record<string, Record<string, Outcome>> = { square: SQUARE, lightspeed: LIGHTSPEED, clover: CLOVER, toast: TOAST };

const CURRENCY_OF_VENUE = 'USD';

describe('catalog vendors: every fixture over HTTP, with its documented outcome', () => {
  let t: TestApp;
  const venueFor = venuesByCurrency(() => t);

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const em = () => t.composed.deps.dataSource.manager;

  async function partnerFrom(template: string): Promise<TestPartner> {
    const created = await t.admin('post', '/admin/v1/partners').send({ name: uniq(template), template });
    expect(created.status).toBe(201);
    return {
      name: created.body.name as string,
      secret: created.body.secret as string,
      adapter: created.body.adapter as string,
      scheme: created.body.signature.scheme as string,
      ...(created.body.signature.header ? { header: created.body.signature.header as string } : {}),
    };
  }

  /** A fresh, unseated booking of `venue` found by `ref` (its id when `bk_…`, else its reference), around `at`. */
  async function bookingAt(ref: string, venue: CreatedVenue, at: Date): Promise<Booking> {
    const byId = ref.startsWith('bk_');
    const found = await em().findOne(Booking, { where: byId ? { id: ref } : { reference: ref } });
    if (found) await em().delete(Booking, { id: found.id });
    const local = instantToLocal(at, venue.json.timezone as string);
    const booking = await insertBooking(t, venue, { date: local.date, time: local.time });
    await em().update(Booking, { id: booking.id }, byId ? { id: ref } : { reference: ref });
    return em().findOneByOrFail(Booking, byId ? { id: ref } : { reference: ref });
  }

  /** Posts the fixture's exact bytes, signed with the partner's scheme, with Date at the message's time when the scheme needs it. */
  async function post(partner: TestPartner, eventType: string, raw: Buffer, at?: Date) {
    if (!at) return signedPost(t, partner, eventType, raw);
    const keep = ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] as const;
    jest.useFakeTimers({ doNotFake: [...keep], now: at });
    try {
      return await signedPost(t, partner, eventType, raw);
    } finally {
      jest.useRealTimers();
    }
  }

  /** Toast signs the message's own `timestamp`; its fixtures are dated, so they are sent half a minute after it. */
  const messageTime = (vendor: string, raw: Buffer): Date | undefined => {
    if (vendor !== 'toast') return undefined;
    const stamp = (JSON.parse(raw.toString('utf8')) as { timestamp?: string }).timestamp;
    return stamp ? new Date(Date.parse(stamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) + 30_000) : undefined;
  };

  const cases = discoverFixtureCases().filter((c) => c.partner in VENDORS);

  it.each(Object.keys(VENDORS))('lists every %s fixture, and has a fixture for every listed outcome', (vendor) => {
    const onDisk = readdirSync(join(DEFAULT_MAPPINGS_DIR, vendor, 'fixtures'))
      .filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'))
      .map((f) => f.slice(0, -'.json'.length))
      .sort();
    expect(onDisk).toEqual(Object.keys(VENDORS[vendor]!).sort());
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const outcome = VENDORS[c.partner]![`${c.eventType === FALLBACK_EVENT_TYPE ? '_fallback' : c.eventType}--${c.caseName}`]!;
    expect(outcome).toBeDefined();
    const partner = await partnerFrom(c.partner);
    const venue = await venueFor(outcome.kind === 'sale' ? outcome.currency : CURRENCY_OF_VENUE);
    if (outcome.kind === 'sale' && outcome.table) {
      const put = await t.admin('put', `/admin/v1/partners/${partner.name}/locations/${outcome.location}`).send({ venue_id: venue.id, tables: { [outcome.table.pos]: '1' } });
      expect(put.status).toBe(200);
    } else if (outcome.kind === 'sale' || outcome.kind === 'booking_status') {
      await linkLocation(t, partner.name, outcome.location, venue.id);
    }
    const raw = readFileSync(c.payloadPath);
    const at = messageTime(c.partner, raw);
    let booking: Booking | undefined;
    if ((outcome.kind === 'sale' || outcome.kind === 'booking_status') && outcome.bookingRef) {
      booking = await bookingAt(outcome.bookingRef, venue, at ?? new Date());
    }
    if (outcome.kind === 'sale' && outcome.table) {
      const local = instantToLocal(new Date(outcome.table.seatedAt), venue.json.timezone as string);
      booking = await insertBooking(t, venue, { date: local.date, time: local.time, table: 1 });
    }

    const eventType = c.eventType === FALLBACK_EVENT_TYPE ? 'some.unhandled.event' : c.eventType;
    const res = await post(partner, eventType, raw, at);
    expect(res.status).toBe(200);
    if (outcome.kind === 'ping') {
      expect(eventType).toBe(TEST_NOTIFICATION);
      expect(res.body).toEqual({ status: 'ok' });
      expect(await em().countBy(InboundEvent, { partner: partner.name })).toBe(0);
      return;
    }
    const row = await waitForEvent(t, res.body.event_id as string);
    const stored = await em().findBy(Sale, { partner: partner.name });

    switch (outcome.kind) {
      case 'nothing':
        expect({ status: row.status, reason: row.reason }).toEqual({ status: 'ignored', reason: 'the mapping yielded nothing' });
        expect(stored).toEqual([]);
        break;
      case 'unknown-location':
        expect({ status: row.status, reason: row.reason }).toEqual({ status: 'ignored', reason: `unknown location ${outcome.location}` });
        // The mapping's plain output: one command or an array of them.
        expect([row.output].flat()).toEqual(expect.arrayContaining([
          expect.objectContaining({ type: 'sale', location_id: outcome.location, sale_id: outcome.saleId, status: outcome.status }),
        ]));
        expect(stored).toEqual([]);
        break;
      case 'sale': {
        expect({ status: row.status, errors: row.errors }).toMatchObject({ status: 'processed' });
        const [only, ...more] = await salesOf(t, partner.name, outcome.saleId);
        expect(more).toEqual([]);
        expect(stored.map((s) => s.saleId)).toEqual([outcome.saleId]);
        expect({ ...only, total: Number(only!.total) }).toMatchObject({
          status: outcome.status, total: outcome.total, currency: outcome.currency, locationId: outcome.location, venueId: venue.id,
        });
        expect(await em().countBy(SaleItem, { saleRowId: only!.id })).toBe(outcome.items);
        if (booking) expect(only).toMatchObject({ bookingId: booking.id, matchMethod: outcome.table ? 'table_time' : 'booking_id' });
        if (outcome.table) expect((await em().findOneByOrFail(Booking, { id: booking!.id })).status).toBe(outcome.table.bookingStatus);
        break;
      }
      case 'booking_status':
        expect({ status: row.status, errors: row.errors }).toMatchObject({ status: 'processed' });
        expect((await em().findOneByOrFail(Booking, { id: booking!.id })).status).toBe(outcome.status);
        break;
    }
  });

  describe('Clover', () => {
    const fixture = (name: string) => readFileSync(join(DEFAULT_MAPPINGS_DIR, 'clover', 'fixtures', `${name}.json`));

    it('takes the verification POST without X-Clover-Auth (stored, ignored), and refuses a notification without it or with another code', async () => {
      const partner = await partnerFrom('clover');
      const path = `/partners/${partner.name}/events/webhook`;
      const verify = await t.http.post(path).set('Content-Type', 'application/json').send(fixture('webhook--verification-code-ignored').toString('utf8'));
      expect(verify.status).toBe(200);
      const row = await waitForEvent(t, verify.body.event_id as string);
      expect({ status: row.status, reason: row.reason }).toEqual({ status: 'ignored', reason: 'the mapping yielded nothing' });

      const sample = fixture('webhook--sample-notification-ignored').toString('utf8');
      const missing = await t.http.post(path).set('Content-Type', 'application/json').send(sample);
      expect(missing.status).toBe(400);
      expect(missing.body.error).toMatchObject({ code: 'missing_signature' });
      const wrong = await t.http.post(path).set('Content-Type', 'application/json').set('X-Clover-Auth', '0307e264-b33a-4913-88aa-37b10014a0b8').send(sample);
      expect(wrong.status).toBe(400);
      expect(wrong.body.error).toMatchObject({ code: 'invalid_signature' });
      expect(await em().countBy(Sale, { partner: partner.name })).toBe(0);
    });
  });

  describe('Lightspeed', () => {
    it('keeps the closed account closed when an older UPDATE arrives after the CLOSE, and links the location by every digit of its id', async () => {
      const partner = await partnerFrom('lightspeed');
      const venue = await venueFor('GBP');
      await linkLocation(t, partner.name, '41910290874370', venue.id);
      const fixture = (name: string) => readFileSync(join(DEFAULT_MAPPINGS_DIR, 'lightspeed', 'fixtures', `${name}.json`));
      for (const name of ['order--closed-with-items', 'order--update-later-version']) {
        const res = await post(partner, 'order', fixture(name));
        expect(res.status).toBe(200);
        await waitForEvent(t, res.body.event_id as string);
      }
      const [only, ...more] = await salesOf(t, partner.name, LS_SALE);
      expect(more).toEqual([]);
      expect([only!.status, Number(only!.total), Number(only!.tip)]).toEqual(['closed', 7270, 730]);
      // 9765040300495493 read as a double is 9765040300495492: linked by that, the event would be unknown.
      await linkLocation(t, partner.name, '9765040300495492', venue.id);
      const unlinked = await post(partner, 'pos-reservation-updated', fixture('pos-reservation-updated--seated'));
      expect((await waitForEvent(t, unlinked.body.event_id as string)).reason).toBe('unknown location 9765040300495493');
    });
  });

  describe('Square', () => {
    it('opens the sale with payment.created and closes the same sale with the later payment.updated; a late payment.created does not reopen it', async () => {
      const partner = await partnerFrom('square');
      const venue = await venueFor('USD');
      await linkLocation(t, partner.name, 'S8GWD5R9QB376', venue.id);
      const fixture = (name: string) => readFileSync(join(DEFAULT_MAPPINGS_DIR, 'square', 'fixtures', `${name}.json`));
      const send = async (eventType: string, name: string) => {
        const res = await post(partner, eventType, fixture(name));
        expect(res.status).toBe(200);
        return waitForEvent(t, res.body.event_id as string);
      };
      expect((await send('payment.created', 'payment.created--approved-open')).status).toBe('processed');
      expect((await salesOf(t, partner.name, '03O3USaPaAaFnI6kkwB1JxGgBsUZY')).map((s) => s.status)).toEqual(['open']);
      expect((await send('payment.updated', 'payment.updated--completed')).status).toBe('processed');
      await send('payment.created', 'payment.created--approved-open');
      const sales = await em().findBy(Sale, { partner: partner.name, saleId: In(['03O3USaPaAaFnI6kkwB1JxGgBsUZY']) });
      expect(sales.map((s) => [s.status, Number(s.total), s.closedAt?.toISOString()])).toEqual([['closed', 100, '2020-11-22T21:19:00.832Z']]);
    });
  });
});
