import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Booking, InboundEvent, Sale } from '../../src/db/entities';
import { instantToLocal } from '../../src/domain/bookings/venue-time';
import type { CommandOutcome } from '../../src/domain/sales/plan-sale';
import type { CanonicalCommand } from '../../src/mapping/canonical-commands';
import {
  asCommandList,
  DEFAULT_MAPPINGS_DIR,
  discoverFixtureCases,
  FALLBACK_EVENT_TYPE,
  readPartnerManifest,
  TEST_NOTIFICATION,
  type FixtureCase,
} from '../../src/mapping/fixture-runner';
import { createVenue, type CreatedVenue } from '../helpers/fixtures';
import { insertBooking, itemsOf, salesOf, signedPost, waitForEvent, type TestPartner } from '../helpers/partner';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';

/**
 * Each catalog fixture of these vendors, replayed byte for byte through POST /partners/:partner/events/:event_type
 * on a partner made from its template and signed with the vendor's scheme, must come out exactly as its
 * `.expected.json` says, end to end: the mapping output the worker stored, the event's status and reason, every
 * field of every sale row and its items, and the booking a table-closed status completes (a booking is put at the
 * table the POS names, through the location's table aliases). A wrong fixture, mapping, adapter or template fails
 * here, not only in `npm run mappings:test`.
 */
const VENDORS = ['sumup', 'revo', 'loyverse'];
const cases = discoverFixtureCases().filter((c) => VENDORS.includes(c.partner));

/** The venue table every POS table number of a fixture is aliased to (`PUT …/locations/:id {tables}`). */
const VENUE_TABLE = '3';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

describe('catalog fixtures over HTTP, every outcome asserted (SumUp, Revo XEF, Loyverse)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const em = () => t.composed.deps.dataSource.manager;

  /** A partner from the template, as an operator makes one: the template's adapter, scheme, header and modes. */
  async function fromTemplate(template: string): Promise<TestPartner> {
    const manifest = readPartnerManifest(join(DEFAULT_MAPPINGS_DIR, template));
    const created = await t.admin('post', '/admin/v1/partners').send({ name: uniq(template), template });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      template, adapter: manifest.adapter, signature: manifest.signature, ack: manifest.ack, conflict: manifest.conflict,
    });
    return {
      name: created.body.name as string,
      secret: created.body.secret as string,
      adapter: created.body.adapter as string,
      scheme: created.body.signature.scheme as string,
      header: created.body.signature.header as string,
    };
  }

  it('has fixtures for each of these vendors', () => {
    expect(new Set(cases.map((c) => c.partner))).toEqual(new Set(VENDORS));
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c: FixtureCase) => {
    const partner = await fromTemplate(c.partner);
    const expected = asCommandList(JSON.parse(readFileSync(c.expectedPath, 'utf8'))) as CanonicalCommand[];
    const unknownLocation = c.caseName.includes('unknown-location');
    const currency = expected.flatMap((cmd) => (cmd.type === 'sale' && cmd.currency ? [cmd.currency] : []))[0] ?? 'GBP';
    const venue: CreatedVenue = await createVenue(t, { currency });

    // The POS's locations linked to the venue (unless the case is about an unknown one), its tables aliased.
    const tables: Record<string, string> = {};
    for (const cmd of expected) {
      if (cmd.type !== 'reservation' && cmd.table_number !== null && cmd.table_number !== undefined) tables[String(cmd.table_number)] = VENUE_TABLE;
    }
    if (!unknownLocation) {
      for (const location of new Set(expected.map((cmd) => String(cmd.location_id)))) {
        const linked = await t.admin('put', `/admin/v1/partners/${partner.name}/locations/${encodeURIComponent(location)}`).send({ venue_id: venue.id, tables });
        expect(linked.status).toBe(200);
      }
    }
    // A table-closed status needs a booking at that table while the party could be there: one that started 80
    // minutes before the status's time (or now, when the POS sends none) and lasts 90 minutes.
    const status = expected.find((cmd) => cmd.type === 'booking_status');
    let booking: Booking | null = null;
    if (status && !unknownLocation) {
      const at = status.at ? Date.parse(status.at) : Date.now();
      const start = instantToLocal(new Date(Math.floor((at - 80 * 60_000) / 60_000) * 60_000), venue.json.timezone as string);
      booking = await insertBooking(t, venue, { date: start.date, time: start.time, minutes: 90, table: Number(VENUE_TABLE) });
    }

    const eventType = c.eventType === FALLBACK_EVENT_TYPE ? 'some.unhandled.event' : c.eventType;
    const res = await signedPost(t, partner, eventType, readFileSync(c.payloadPath));
    expect(res.status).toBe(200);
    if (eventType === TEST_NOTIFICATION) {
      expect(res.body).toEqual({ status: 'ok' });
      expect(await em().countBy(InboundEvent, { partner: partner.name })).toBe(0);
      return;
    }
    expect(res.body).toEqual({ status: 'accepted', event_id: expect.any(String) });
    const row = await waitForEvent(t, res.body.event_id as string);

    // What the worker's mapping made of the bytes received is exactly the fixture's expected output.
    expect(asCommandList(row.output)).toEqual(expected);
    if (expected.length === 0 || unknownLocation) {
      expect({ status: row.status, reason: row.reason }).toEqual({
        status: 'ignored',
        reason: expected.length === 0 ? 'the mapping yielded nothing' : expect.stringMatching(/^unknown location /),
      });
      expect(await em().countBy(Sale, { partner: partner.name })).toBe(0);
      if (booking) expect((await em().findOneByOrFail(Booking, { id: booking.id })).status).toBe('confirmed');
      return;
    }
    expect({ status: row.status, errors: row.errors }).toEqual({ status: 'processed', errors: null });

    const outcomes = row.outcome as CommandOutcome[];
    expect(outcomes).toHaveLength(expected.length);
    for (const [i, cmd] of expected.entries()) {
      const outcome = outcomes[i]!;
      expect(outcome).toMatchObject({ type: cmd.type, result: 'applied', venue_id: venue.id });
      if (cmd.type === 'sale') {
        const rows = await salesOf(t, partner.name, String(cmd.sale_id));
        expect(rows).toHaveLength(1);
        const sale = rows[0]!;
        expect(outcome.sale).toBe(sale.id);
        const tabled = cmd.table_number !== null && cmd.table_number !== undefined;
        expect({
          status: sale.status, total: num(sale.total), currency: sale.currency, locationId: sale.locationId, venueId: sale.venueId,
          subtotal: num(sale.subtotal), tax: num(sale.tax), tip: num(sale.tip), discount: num(sale.discount), covers: sale.covers,
          tableNumber: sale.tableNumber, venueTableNumber: sale.venueTableNumber, openedAt: iso(sale.openedAt), closedAt: iso(sale.closedAt),
          sourceVersion: sale.sourceVersion, payments: sale.payments,
        }).toEqual({
          status: cmd.status, total: cmd.total, currency: cmd.currency ?? currency, locationId: String(cmd.location_id), venueId: venue.id,
          subtotal: cmd.subtotal ?? null, tax: cmd.tax ?? null, tip: cmd.tip ?? null, discount: cmd.discount ?? null, covers: cmd.covers ?? null,
          tableNumber: tabled ? String(cmd.table_number) : null, venueTableNumber: tabled ? VENUE_TABLE : null,
          openedAt: cmd.opened_at ? new Date(cmd.opened_at).toISOString() : null, closedAt: cmd.closed_at ? new Date(cmd.closed_at).toISOString() : null,
          sourceVersion: str(cmd.version), payments: cmd.payments ?? null,
        });
        const items = await itemsOf(t, sale.id);
        expect(items.map((it) => ({ name: it.name, quantity: Number(it.quantity), unit_price: num(it.unitPrice), total: num(it.total), sku: it.sku, category: it.category })))
          .toEqual((cmd.items ?? []).map((it) => ({ name: it.name, quantity: it.quantity, unit_price: it.unit_price ?? null, total: it.total, sku: it.sku ?? null, category: it.category ?? null })));
        // At the table of the booking, in its time: matched to it by table and time.
        if (booking && tabled) expect({ bookingId: sale.bookingId, matchMethod: sale.matchMethod }).toEqual({ bookingId: booking.id, matchMethod: 'table_time' });
      } else if (cmd.type === 'booking_status') {
        expect(outcome.booking).toBe(booking!.id);
        expect((await em().findOneByOrFail(Booking, { id: booking!.id })).status).toBe(cmd.status);
      }
    }
  });

  it('refuses a fixture signed with another secret (400 invalid_signature), for each vendor', async () => {
    for (const vendor of VENDORS) {
      const c = cases.find((x) => x.partner === vendor && x.eventType !== TEST_NOTIFICATION)!;
      const partner = await fromTemplate(vendor);
      const res = await signedPost(t, partner, c.eventType === FALLBACK_EVENT_TYPE ? 'x' : c.eventType, readFileSync(c.payloadPath), { secret: 'not-the-secret' });
      expect({ vendor, status: res.status, code: res.body.error?.code }).toEqual({ vendor, status: 400, code: 'invalid_signature' });
      expect(await em().countBy(InboundEvent, { partner: partner.name })).toBe(0);
    }
  });

  it('refuses a Loyverse webhook made with a personal access token (unsigned): 400 missing_signature naming x-loyverse-signature', async () => {
    const partner = await fromTemplate('loyverse');
    const raw = readFileSync(join(DEFAULT_MAPPINGS_DIR, 'loyverse', 'fixtures', 'receipts.update--closed-with-items.json'));
    const res = await t.http.post(`/partners/${partner.name}/events/receipts.update`).set('Content-Type', 'application/json').send(raw.toString('utf8'));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'missing_signature', details: { header: 'x-loyverse-signature' } });
    expect(await em().countBy(InboundEvent, { partner: partner.name })).toBe(0);
  });

  it("refuses SumUp's unsigned return_url callback (CHECKOUT_STATUS_CHANGED, as documented): 400 missing_signature naming x-payload-signature", async () => {
    const partner = await fromTemplate('sumup');
    const raw = readFileSync(join(DEFAULT_MAPPINGS_DIR, 'sumup', 'fixtures', 'CHECKOUT_STATUS_CHANGED--documented-example.json'));
    const res = await t.http.post(`/partners/${partner.name}/events/CHECKOUT_STATUS_CHANGED`).set('Content-Type', 'application/json').send(raw.toString('utf8'));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'missing_signature', details: { header: 'x-payload-signature' } });
    expect(await em().countBy(InboundEvent, { partner: partner.name })).toBe(0);
  });
});
