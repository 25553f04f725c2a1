import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { In } from 'typeorm';
import { Booking, InboundEvent, Sale, SaleItem } from '../../src/platform/db/entities';
import { instantToLocal } from '../../src/modules/diary/venue-time';
import type { CommandOutcome } from '../../src/modules/sales/plan-sale';
import type { CanonicalCommand } from '../../src/modules/commands/canonical-commands';
import {
  asCommandList,
  DEFAULT_MAPPINGS_DIR,
  discoverFixtureCases,
  eventTypeFromStem,
  FALLBACK_EVENT_TYPE,
  readPartnerManifest,
  TEST_NOTIFICATION,
  type FixtureCase,
} from '../../src/modules/partners/mapping/fixture-runner';
import { createVenue, type CreatedVenue } from '../helpers/fixtures';
import { insertBooking, itemsOf, linkLocation, salesOf, signedPost, waitForEvent, type TestPartner } from '../helpers/partner';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';

/**
 * Every shipped template's fixtures (mappings/<template>/fixtures), each replayed byte for byte through
 * POST /partners/:partner/events/:event_type on a fresh partner made from its template (POST /admin/v1/partners
 * {name, template}: the template's adapter, scheme, header, modes and mappings, the secret generated and shown
 * once), signed with the vendor's own scheme, through the queue and the worker into the database (issue 17,
 * ARCHITECTURE §B step 3). Each case must come out exactly as its `.expected.json` says, end to end: the mapping
 * output the worker stored, the event's status and reason, every field of every sale row and its items, the
 * booking a table-closed status completes (put at the table the POS names, through the location's table aliases)
 * and the booking a reservation makes.
 *
 * For Square, Lightspeed K-Series, Toast and Clover, each fixture's outcome is also written here from the
 * vendor's documentation — not read from its `.expected.json` — so a fixture, a mapping or an expected file that
 * drifts from what the vendor sends fails this suite. Every fixture of these four must appear in its table, and
 * every entry must have its fixture.
 */

type Outcome =
  /** The sale stored for `saleId`, after this event. */
  | {
    kind: 'sale'; location: string; saleId: string; status: string; total: number; currency: string; items: number; bookingRef?: string;
    /** The POS table (aliased to VENUE_TABLE) and the booking there from `seatedAt`: matched by table and time, then `bookingStatus`. */
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

const DOCUMENTED: Record<string, Record<string, Outcome>> = { square: SQUARE, lightspeed: LIGHTSPEED, clover: CLOVER, toast: TOAST };

/** The venue table every POS table number of a fixture is aliased to (`PUT …/locations/:id {tables}`). */
const VENUE_TABLE = '3';

const cases = discoverFixtureCases();
const templates = readdirSync(DEFAULT_MAPPINGS_DIR).filter((d) => !d.startsWith('.'));

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const caseKey = (c: FixtureCase) => `${c.eventType === FALLBACK_EVENT_TYPE ? '_fallback' : c.eventType}--${c.caseName}`;

/** Reservation statuses as the booking stores them (CONTRACT §15, §12). */
const BOOKING_STATUS_OF: Record<string, string> = {
  booked: 'confirmed', confirmed: 'confirmed', seated: 'seated', completed: 'completed', cancelled: 'cancelled', no_show: 'no_show',
};

const ALL_BUT_DATE = [
  'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame',
  'requestIdleCallback', 'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval',
  'setTimeout', 'clearTimeout',
] as const;

/**
 * Schemes that sign a timestamp inside the body (Toast) refuse a message older than their window, and fixtures
 * are dated: the request is sent with the clock (Date only) half a minute after the message's own time.
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

describe('catalog templates: every fixture over HTTP, signed as the vendor signs, its outcome asserted', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const em = () => t.composed.deps.dataSource.manager;

  /** A partner from the template, as an operator makes one: the template's adapter, scheme, header, modes and mappings. */
  async function fromTemplate(template: string): Promise<TestPartner> {
    const dir = join(DEFAULT_MAPPINGS_DIR, template);
    const manifest = readPartnerManifest(dir);
    const created = await t.admin('post', '/admin/v1/partners').send({ name: uniq(template), template });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      template, adapter: manifest.adapter, signature: manifest.signature, ack: manifest.ack ?? 'queued', conflict: manifest.conflict ?? 'reject',
      secret: expect.any(String),
    });
    // Each of the template's mappings is the partner's first version.
    const byType = (a: { event_type: string }, b: { event_type: string }) => a.event_type.localeCompare(b.event_type);
    expect((created.body.mappings as { event_type: string; version: number }[]).sort(byType)).toEqual(
      readdirSync(dir).filter((f) => f.endsWith('.jsonata')).map((f) => ({ event_type: eventTypeFromStem(f.slice(0, -'.jsonata'.length)), version: 1 })).sort(byType),
    );
    return {
      name: created.body.name as string,
      secret: created.body.secret as string,
      adapter: created.body.adapter as string,
      scheme: created.body.signature.scheme as string,
      ...(created.body.signature.header ? { header: created.body.signature.header as string } : {}),
    };
  }

  /** A fresh, unseated booking of `venue` found by `ref` (its id when `bk_…`, else its reference), starting at `at`. */
  async function bookingAt(ref: string, venue: CreatedVenue, at: Date): Promise<Booking> {
    const byId = ref.startsWith('bk_');
    const found = await em().findOne(Booking, { where: byId ? { id: ref } : { reference: ref } });
    if (found) await em().delete(Booking, { id: found.id });
    const local = instantToLocal(at, venue.json.timezone as string);
    const booking = await insertBooking(t, venue, { date: local.date, time: local.time });
    await em().update(Booking, { id: booking.id }, byId ? { id: ref } : { reference: ref });
    return em().findOneByOrFail(Booking, byId ? { id: ref } : { reference: ref });
  }

  it('finds fixtures for every shipped template', () => {
    expect(new Set(cases.map((c) => c.partner))).toEqual(new Set(templates));
  });

  it.each(Object.keys(DOCUMENTED))('lists every %s fixture with its documented outcome, and has a fixture for every listed outcome', (vendor) => {
    const onDisk = readdirSync(join(DEFAULT_MAPPINGS_DIR, vendor, 'fixtures'))
      .filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'))
      .map((f) => f.slice(0, -'.json'.length))
      .sort();
    expect(onDisk).toEqual(Object.keys(DOCUMENTED[vendor]!).sort());
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c: FixtureCase) => {
    const partner = await fromTemplate(c.partner);
    const documented = DOCUMENTED[c.partner]?.[caseKey(c)];
    if (c.partner in DOCUMENTED) expect(documented).toBeDefined();
    const expected = asCommandList(JSON.parse(readFileSync(c.expectedPath, 'utf8'))) as CanonicalCommand[];
    const unknownLocation = c.caseName.includes('unknown-location');
    const currency = expected.flatMap((cmd) => (cmd.type === 'sale' && cmd.currency ? [cmd.currency] : []))[0] ?? 'GBP';
    if (documented?.kind === 'sale') expect(currency).toBe(documented.currency);
    const venue = await createVenue(t, { currency });

    // The POS's locations linked to the venue (unless the case is about an unknown one), its tables aliased.
    const tables: Record<string, string> = {};
    for (const cmd of expected) {
      if (cmd.type !== 'reservation' && cmd.table_number !== null && cmd.table_number !== undefined) tables[String(cmd.table_number)] = VENUE_TABLE;
    }
    if (!unknownLocation) {
      for (const location of new Set(expected.map((cmd) => String(cmd.location_id)))) {
        if (Object.keys(tables).length === 0) await linkLocation(t, partner.name, location, venue.id);
        else expect((await t.admin('put', `/admin/v1/partners/${partner.name}/locations/${encodeURIComponent(location)}`).send({ venue_id: venue.id, tables })).status).toBe(200);
      }
    }

    // The bookings the POS names (by our id or reference), unseated, around the status's time (or now).
    const named = new Map<string, Booking>();
    for (const cmd of expected) {
      if (cmd.type === 'reservation' || !cmd.booking_id || unknownLocation) continue;
      const at = cmd.type === 'booking_status' && cmd.at ? new Date(cmd.at) : new Date();
      named.set(String(cmd.booking_id), await bookingAt(String(cmd.booking_id), venue, at));
    }
    // A table-closed status naming no booking needs one at that table while the party could be there: from the
    // documented seating time, else 80 minutes before the status's time (or now, when the POS sends none), for 90.
    const tableStatus = expected.find((cmd) => cmd.type === 'booking_status' && !cmd.booking_id);
    let atTable: Booking | null = null;
    if (tableStatus?.type === 'booking_status' && !unknownLocation) {
      const seatedAt = documented?.kind === 'sale' ? documented.table?.seatedAt : undefined;
      const at = seatedAt ? Date.parse(seatedAt) : (tableStatus.at ? Date.parse(tableStatus.at) : Date.now()) - 80 * 60_000;
      const start = instantToLocal(new Date(Math.floor(at / 60_000) * 60_000), venue.json.timezone as string);
      atTable = await insertBooking(t, venue, { date: start.date, time: start.time, minutes: 90, table: Number(VENUE_TABLE) });
    }
    if (documented?.kind === 'sale' && documented.table) expect(atTable).not.toBeNull();

    const eventType = c.eventType === FALLBACK_EVENT_TYPE ? 'some.unhandled.event' : c.eventType;
    const raw = readFileSync(c.payloadPath);
    const res = await atMessageTime(partner.scheme, raw, async () => signedPost(t, partner, eventType, raw));
    expect(res.status).toBe(200);
    if (eventType === TEST_NOTIFICATION || documented?.kind === 'ping') {
      // The hub's ping, signed with the vendor's scheme: answered at once, nothing stored.
      expect(eventType).toBe(TEST_NOTIFICATION);
      if (c.partner in DOCUMENTED) expect(documented?.kind).toBe('ping');
      expect(res.body).toEqual({ status: 'ok' });
      expect(await em().countBy(InboundEvent, { partner: partner.name })).toBe(0);
      return;
    }
    expect(res.body).toEqual({ status: 'accepted', event_id: expect.any(String) });
    const row = await waitForEvent(t, res.body.event_id as string);
    const stored = await em().findBy(Sale, { partner: partner.name });

    // What the worker's mapping made of the bytes received is exactly the fixture's expected output.
    expect(asCommandList(row.output)).toEqual(expected);

    // The vendor's documented outcome, independent of the expected file.
    switch (documented?.kind) {
      case 'nothing':
        expect({ status: row.status, reason: row.reason }).toEqual({ status: 'ignored', reason: 'the mapping yielded nothing' });
        expect(stored).toEqual([]);
        break;
      case 'unknown-location':
        expect({ status: row.status, reason: row.reason }).toEqual({ status: 'ignored', reason: `unknown location ${documented.location}` });
        // The mapping's plain output: one command or an array of them.
        expect([row.output].flat()).toEqual(expect.arrayContaining([
          expect.objectContaining({ type: 'sale', location_id: documented.location, sale_id: documented.saleId, status: documented.status }),
        ]));
        expect(stored).toEqual([]);
        break;
      case 'sale': {
        expect({ status: row.status, errors: row.errors }).toMatchObject({ status: 'processed' });
        const [only, ...more] = await salesOf(t, partner.name, documented.saleId);
        expect(more).toEqual([]);
        expect(stored.map((s) => s.saleId)).toEqual([documented.saleId]);
        expect({ ...only, total: Number(only!.total) }).toMatchObject({
          status: documented.status, total: documented.total, currency: documented.currency, locationId: documented.location, venueId: venue.id,
        });
        expect(await em().countBy(SaleItem, { saleRowId: only!.id })).toBe(documented.items);
        if (documented.bookingRef) {
          const booking = await em().findOneByOrFail(Booking, { reference: documented.bookingRef });
          expect(only).toMatchObject({ bookingId: booking.id, matchMethod: 'booking_id' });
        }
        if (documented.table) {
          expect({ tableNumber: only!.tableNumber, venueTableNumber: only!.venueTableNumber }).toEqual({ tableNumber: documented.table.pos, venueTableNumber: VENUE_TABLE });
          expect(only).toMatchObject({ bookingId: atTable!.id, matchMethod: 'table_time' });
          expect((await em().findOneByOrFail(Booking, { id: atTable!.id })).status).toBe(documented.table.bookingStatus);
        }
        break;
      }
      case 'booking_status':
        expect({ status: row.status, errors: row.errors }).toMatchObject({ status: 'processed' });
        expect((await em().findOneByOrFail(Booking, { reference: documented.bookingRef })).status).toBe(documented.status);
        break;
    }

    // The outcome the expected file implies, field by field.
    // A reservation first seen cancelled (or as a no-show) has nothing to cancel: ignored (CONTRACT §12).
    const firstSeenOver = expected.length > 0 && expected.every((cmd) => cmd.type === 'reservation' && ['cancelled', 'no_show'].includes(cmd.status));
    if (expected.length === 0 || unknownLocation || firstSeenOver) {
      expect({ status: row.status, reason: row.reason }).toEqual({
        status: 'ignored',
        reason: expected.length === 0 ? 'the mapping yielded nothing'
          : unknownLocation ? expect.stringMatching(/^unknown location /) : expect.stringMatching(/was never booked here/),
      });
      expect(stored).toEqual([]);
      expect(await em().countBy(Booking, { externalPartner: partner.name })).toBe(0);
      if (atTable) expect((await em().findOneByOrFail(Booking, { id: atTable.id })).status).toBe('confirmed');
      return;
    }
    expect({ status: row.status, errors: row.errors }).toEqual({ status: 'processed', errors: null });

    const outcomes = row.outcome as CommandOutcome[];
    expect(outcomes).toHaveLength(expected.length);
    const saleIds = new Set(expected.flatMap((cmd) => (cmd.type === 'sale' ? [String(cmd.sale_id)] : [])));
    expect(new Set(stored.map((s) => s.saleId))).toEqual(saleIds);
    for (const [i, cmd] of expected.entries()) {
      const outcome = outcomes[i]!;
      expect(outcome).toMatchObject({ type: cmd.type, result: 'applied', venue_id: venue.id });
      if (cmd.type === 'sale') {
        const rows = await salesOf(t, partner.name, String(cmd.sale_id));
        expect(rows).toHaveLength(1);
        const sold = rows[0]!;
        expect(outcome.sale).toBe(sold.id);
        const tabled = cmd.table_number !== null && cmd.table_number !== undefined;
        expect({
          status: sold.status, total: num(sold.total), currency: sold.currency, locationId: sold.locationId, venueId: sold.venueId,
          subtotal: num(sold.subtotal), tax: num(sold.tax), tip: num(sold.tip), discount: num(sold.discount), covers: sold.covers,
          tableNumber: sold.tableNumber, venueTableNumber: sold.venueTableNumber, openedAt: iso(sold.openedAt), closedAt: iso(sold.closedAt),
          sourceVersion: sold.sourceVersion, payments: sold.payments,
        }).toEqual({
          status: cmd.status, total: cmd.total, currency: cmd.currency ?? currency, locationId: String(cmd.location_id), venueId: venue.id,
          subtotal: cmd.subtotal ?? null, tax: cmd.tax ?? null, tip: cmd.tip ?? null, discount: cmd.discount ?? null, covers: cmd.covers ?? null,
          tableNumber: tabled ? String(cmd.table_number) : null, venueTableNumber: tabled ? VENUE_TABLE : null,
          openedAt: cmd.opened_at ? new Date(cmd.opened_at).toISOString() : null, closedAt: cmd.closed_at ? new Date(cmd.closed_at).toISOString() : null,
          sourceVersion: str(cmd.version), payments: cmd.payments ?? null,
        });
        const items = await itemsOf(t, sold.id);
        expect(items.map((it) => ({ name: it.name, quantity: Number(it.quantity), unit_price: num(it.unitPrice), total: num(it.total), sku: it.sku, category: it.category })))
          .toEqual((cmd.items ?? []).map((it) => ({ name: it.name, quantity: it.quantity, unit_price: it.unit_price ?? null, total: it.total, sku: it.sku ?? null, category: it.category ?? null })));
        // The booking the POS names, else (at the table of the booking, in its time) the one there.
        if (cmd.booking_id) expect({ bookingId: sold.bookingId, matchMethod: sold.matchMethod }).toEqual({ bookingId: named.get(String(cmd.booking_id))!.id, matchMethod: 'booking_id' });
        else if (atTable && tabled) expect({ bookingId: sold.bookingId, matchMethod: sold.matchMethod }).toEqual({ bookingId: atTable.id, matchMethod: 'table_time' });
      } else if (cmd.type === 'booking_status') {
        const booking = cmd.booking_id ? named.get(String(cmd.booking_id))! : atTable!;
        expect(outcome.booking).toBe(booking.id);
        expect((await em().findOneByOrFail(Booking, { id: booking.id })).status).toBe(cmd.status);
      } else {
        const booking = await em().findOneByOrFail(Booking, { externalPartner: partner.name, externalReservationId: String(cmd.reservation_id) });
        expect(outcome.booking).toBe(booking.id);
        expect(booking).toMatchObject({
          venueId: venue.id, source: partner.name, date: cmd.date, time: cmd.time, partySize: cmd.party_size, status: BOOKING_STATUS_OF[cmd.status],
        });
      }
    }
  });

  it('refuses a fixture signed with another secret (400 invalid_signature), for each template', async () => {
    for (const template of templates) {
      const c = cases.find((x) => x.partner === template && x.eventType !== TEST_NOTIFICATION && !x.caseName.includes('verification'))!;
      const partner = await fromTemplate(template);
      const raw = readFileSync(c.payloadPath);
      const res = await atMessageTime(partner.scheme, raw, async () => signedPost(t, partner, c.eventType === FALLBACK_EVENT_TYPE ? 'x' : c.eventType, raw, { secret: 'not-the-secret' }));
      expect({ template, status: res.status, code: res.body.error?.code }).toEqual({ template, status: 400, code: 'invalid_signature' });
      expect(await em().countBy(InboundEvent, { partner: partner.name })).toBe(0);
    }
  });

  const fixture = (template: string, name: string) => readFileSync(join(DEFAULT_MAPPINGS_DIR, template, 'fixtures', `${name}.json`));

  it('refuses a Loyverse webhook made with a personal access token (unsigned): 400 missing_signature naming x-loyverse-signature', async () => {
    const partner = await fromTemplate('loyverse');
    const res = await t.http.post(`/partners/${partner.name}/events/receipts.update`).set('Content-Type', 'application/json')
      .send(fixture('loyverse', 'receipts.update--closed-with-items').toString('utf8'));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'missing_signature', details: { header: 'x-loyverse-signature' } });
    expect(await em().countBy(InboundEvent, { partner: partner.name })).toBe(0);
  });

  it("refuses SumUp's unsigned return_url callback (CHECKOUT_STATUS_CHANGED, as documented): 400 missing_signature naming x-payload-signature", async () => {
    const partner = await fromTemplate('sumup');
    const res = await t.http.post(`/partners/${partner.name}/events/CHECKOUT_STATUS_CHANGED`).set('Content-Type', 'application/json')
      .send(fixture('sumup', 'CHECKOUT_STATUS_CHANGED--documented-example').toString('utf8'));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'missing_signature', details: { header: 'x-payload-signature' } });
    expect(await em().countBy(InboundEvent, { partner: partner.name })).toBe(0);
  });

  it('Clover: takes the verification POST without X-Clover-Auth (stored, ignored), and refuses a notification without it or with another code', async () => {
    const partner = await fromTemplate('clover');
    const path = `/partners/${partner.name}/events/webhook`;
    const verify = await t.http.post(path).set('Content-Type', 'application/json').send(fixture('clover', 'webhook--verification-code-ignored').toString('utf8'));
    expect(verify.status).toBe(200);
    const row = await waitForEvent(t, verify.body.event_id as string);
    expect({ status: row.status, reason: row.reason }).toEqual({ status: 'ignored', reason: 'the mapping yielded nothing' });

    const sample = fixture('clover', 'webhook--sample-notification-ignored').toString('utf8');
    const missing = await t.http.post(path).set('Content-Type', 'application/json').send(sample);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 'missing_signature' });
    const wrong = await t.http.post(path).set('Content-Type', 'application/json').set('X-Clover-Auth', '0307e264-b33a-4913-88aa-37b10014a0b8').send(sample);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 'invalid_signature' });
    expect(await em().countBy(Sale, { partner: partner.name })).toBe(0);
  });

  it('Lightspeed: keeps the closed account closed when an older UPDATE arrives after the CLOSE, and links the location by every digit of its id', async () => {
    const partner = await fromTemplate('lightspeed');
    const venue = await createVenue(t, { currency: 'GBP' });
    await linkLocation(t, partner.name, '41910290874370', venue.id);
    for (const name of ['order--closed-with-items', 'order--update-later-version']) {
      const res = await signedPost(t, partner, 'order', fixture('lightspeed', name));
      expect(res.status).toBe(200);
      await waitForEvent(t, res.body.event_id as string);
    }
    const [only, ...more] = await salesOf(t, partner.name, LS_SALE);
    expect(more).toEqual([]);
    expect([only!.status, Number(only!.total), Number(only!.tip)]).toEqual(['closed', 7270, 730]);
    // 9765040300495493 read as a double is 9765040300495492: linked by that, the event would be unknown.
    await linkLocation(t, partner.name, '9765040300495492', venue.id);
    const unlinked = await signedPost(t, partner, 'pos-reservation-updated', fixture('lightspeed', 'pos-reservation-updated--seated'));
    expect((await waitForEvent(t, unlinked.body.event_id as string)).reason).toBe('unknown location 9765040300495493');
  });

  it('Square: opens the sale with payment.created and closes the same sale with the later payment.updated; a late payment.created does not reopen it', async () => {
    const partner = await fromTemplate('square');
    const venue = await createVenue(t, { currency: 'USD' });
    await linkLocation(t, partner.name, 'S8GWD5R9QB376', venue.id);
    const send = async (eventType: string, name: string) => {
      const res = await signedPost(t, partner, eventType, fixture('square', name));
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
