import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Booking, Customer, InboundEvent, OutboxMessage, Partner } from '../../src/platform/db/entities';
import { DEFAULT_MAPPINGS_DIR } from '../../src/modules/partners/mapping/fixture-runner';
import { createApiKey, createVenue, type CreatedVenue } from '../helpers/fixtures';
import {
  createTestPartner,
  linkLocation,
  putMapping,
  SALE_MAPPING,
  saleEvent,
  salesOf,
  signedPost,
  type TestPartner,
  waitForEvent,
} from '../helpers/partner';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';

/**
 * Inbound reservations from booking platforms (CONTRACT §12, §15) through the real ingest endpoint (signed),
 * the queue and the worker, into MariaDB: the `generic-reservations` template (a flat JSON body) and the
 * `sevenrooms` template's fixtures in the order a reservation lives them.
 */

const SEVENROOMS = join(DEFAULT_MAPPINGS_DIR, 'sevenrooms', 'fixtures');
const fixture = (name: string): Buffer => readFileSync(join(SEVENROOMS, `reservation--${name}.json`));

describe('inbound reservations (CONTRACT §12)', () => {
  let t: TestApp;
  let venue: CreatedVenue;
  let key: string;
  const em = () => t.composed.deps.dataSource.manager;

  beforeAll(async () => {
    t = await startTestApp();
    venue = await createVenue(t);
    key = await createApiKey(t, venue.id);
  });
  afterAll(() => t.stop());

  /** A partner from a reservations template, its location linked to `venue`. */
  async function platform(template: 'generic-reservations' | 'sevenrooms', opts: { location?: string; conflict?: 'queue' | 'reject'; into?: CreatedVenue } = {}): Promise<TestPartner> {
    const res = await t.admin('post', '/admin/v1/partners').send({ name: uniq(template.slice(0, 8)), template, ...(opts.conflict ? { conflict: opts.conflict } : {}) });
    expect(res.status).toBe(201);
    const partner: TestPartner = { name: res.body.name, secret: res.body.secret, adapter: res.body.adapter, scheme: res.body.signature.scheme, header: res.body.signature.header };
    await linkLocation(t, partner.name, opts.location ?? 'rest-1', (opts.into ?? venue).id);
    return partner;
  }

  let seq = 0;
  /** A flat reservation body for generic-reservations. */
  function flat(fields: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      restaurant_id: 'rest-1', id: `BK-${++seq}`, status: 'confirmed', date: '2027-07-02', time: '19:00', covers: 2,
      updated_at: new Date(Date.UTC(2027, 5, 1, 0, 0, seq)).toISOString(), guest_name: 'Ada Lovelace', guest_email: `ada.${seq}@example.com`,
      ...fields,
    };
  }

  async function send(partner: TestPartner, body: Record<string, unknown> | Buffer): Promise<InboundEvent> {
    const res = await signedPost(t, partner, 'reservation', body);
    expect(res.status).toBe(200);
    return waitForEvent(t, res.body.event_id as string);
  }

  const bookingOf = (partner: TestPartner, reservationId: string) =>
    em().findOne(Booking, { where: { externalPartner: partner.name, externalReservationId: reservationId } });
  const api = (method: 'get' | 'patch', path: string) => t.http[method](`/api/v1${path}`).set('Authorization', `Bearer ${key}`);
  const outbox = (resourceId: string) => em().find(OutboxMessage, { where: { resourceId }, order: { id: 'ASC' } });

  it('books a new reservation with its guest, source and external id, and announces booking.created once', async () => {
    const p = await platform('generic-reservations');
    const body = flat({ id: 'BK-NEW', guest_email: 'Ada.New@Example.com', guest_phone: '+447911123456', notes: 'Birthday', table: '3', duration_minutes: 120 });
    const row = await send(p, body);
    expect({ status: row.status, reason: row.reason }).toEqual({ status: 'processed', reason: null });
    expect(row.saleId).toBe('BK-NEW'); // the reservation id is the event's ordering key (the per-sale lock)
    const booking = (await bookingOf(p, 'BK-NEW'))!;
    expect(booking).toMatchObject({ venueId: venue.id, status: 'confirmed', date: '2027-07-02', time: '19:00', partySize: 2, source: p.name, notes: 'Birthday', needsTable: false });
    expect(booking.endAt.getTime() - booking.startAt.getTime()).toBe(120 * 60_000); // duration_minutes sets the length

    const view = (await api('get', `/bookings/${booking.id}`)).body;
    expect(view).toMatchObject({
      status: 'confirmed', source: p.name, needs_table: false, table: { number: 3 },
      external: { partner: p.name, reservation_id: 'BK-NEW' },
      customer: { name: 'Ada Lovelace', email: 'Ada.New@Example.com', phone: '+447911123456' },
    });
    const created = (await outbox(booking.id)).filter((m) => m.event === 'booking.created');
    expect(created).toHaveLength(1);
    expect(JSON.parse(created[0]!.payload)).toMatchObject({ id: booking.id, source: p.name, customer: { email: 'Ada.New@Example.com' }, external: { partner: p.name } });

    // The same reservation again (a platform retry) updates, never books twice, and announces no second booking.created.
    expect((await send(p, body)).status).toBe('processed');
    expect(await em().count(Booking, { where: { externalPartner: p.name, externalReservationId: 'BK-NEW' } })).toBe(1);
    expect((await outbox(booking.id)).filter((m) => m.event === 'booking.created')).toHaveLength(1);
  });

  it('keeps the locations\' venues for the next batch in the app\'s own object (AppDeps), never in one shared by apps in the process', async () => {
    const p = await platform('generic-reservations', { location: 'kept-loc' });
    expect((await send(p, flat({ restaurant_id: 'kept-loc' }))).status).toBe('processed');
    const partner = await em().findOneByOrFail(Partner, { name: p.name });
    const location = { partnerId: partner.id, locationId: 'kept-loc' };
    expect(t.composed.deps.keptLocations.get(location)).toMatchObject({ venueId: venue.id });
    const other = await startTestApp({ ROLE: 'api' });
    try {
      expect(other.composed.deps.keptLocations).not.toBe(t.composed.deps.keptLocations);
      expect(other.composed.deps.keptLocations.get(location)).toBeUndefined();
    } finally {
      await other.stop();
    }
  });

  it('updates one booking on a resubmission, ignores an older one, and cancels', async () => {
    const p = await platform('generic-reservations');
    await send(p, flat({ id: 'BK-UPD', time: '19:00', covers: 2, updated_at: '2027-06-01T10:00:00Z' }));
    const first = (await bookingOf(p, 'BK-UPD'))!;
    const moved = await send(p, flat({ id: 'BK-UPD', time: '20:30', covers: 4, updated_at: '2027-06-02T10:00:00Z', notes: 'Now four' }));
    expect(moved.status).toBe('processed');
    const after = (await bookingOf(p, 'BK-UPD'))!;
    expect(after).toMatchObject({ id: first.id, time: '20:30', partySize: 4, notes: 'Now four', version: 2 });
    expect(await em().count(Booking, { where: { externalPartner: p.name } })).toBe(1);

    const older = await send(p, flat({ id: 'BK-UPD', time: '18:00', covers: 8, updated_at: '2027-06-01T12:00:00Z' }));
    expect(older.status).toBe('ignored');
    expect(older.reason).toBe('reservation BK-UPD: updated_at 2027-06-01T12:00:00.000Z is older than the stored 2027-06-02T10:00:00.000Z');
    expect((await bookingOf(p, 'BK-UPD'))!).toMatchObject({ time: '20:30', partySize: 4, version: 2 });

    const cancelled = await send(p, flat({ id: 'BK-UPD', status: 'cancelled', time: '20:30', covers: 4, updated_at: '2027-06-03T10:00:00Z' }));
    expect(cancelled.status).toBe('processed');
    expect((await bookingOf(p, 'BK-UPD'))!).toMatchObject({ status: 'cancelled', version: 3 });
    expect((await outbox(first.id)).map((m) => m.event)).toEqual(['booking.created', 'booking.updated', 'booking.cancelled']);

    // An impossible change walks no status machine: a cancelled booking does not come back.
    const back = await send(p, flat({ id: 'BK-UPD', status: 'booked', updated_at: '2027-06-04T10:00:00Z' }));
    expect(back.status).toBe('ignored');
    expect(back.reason).toMatch(/^reservation BK-UPD: a cancelled booking \(TS-\w+\) cannot become confirmed$/);
  });

  it('dedupes the guest across email case and phone formats, by the customer upsert of §6', async () => {
    const p = await platform('generic-reservations');
    await send(p, flat({ id: 'BK-D1', guest_email: 'Grace.Hopper@Example.COM', guest_name: 'Grace Hopper' }));
    await send(p, flat({ id: 'BK-D2', guest_email: 'grace.hopper@example.com', guest_name: 'Grace Hopper' }));
    await send(p, flat({ id: 'BK-D3', guest_email: null, guest_phone: '+44 20 7946 0958', guest_name: 'Alan Turing' }));
    await send(p, flat({ id: 'BK-D4', guest_email: null, guest_phone: '020 7946 0958', guest_name: 'Alan Turing' }));
    const [b1, b2, b3, b4] = await Promise.all(['BK-D1', 'BK-D2', 'BK-D3', 'BK-D4'].map((id) => bookingOf(p, id)));
    expect(b1!.customerId).not.toBeNull();
    expect(b2!.customerId).toBe(b1!.customerId);
    expect(b4!.customerId).toBe(b3!.customerId);
    expect(b3!.customerId).not.toBe(b1!.customerId);
    expect(await em().findOneByOrFail(Customer, { id: b3!.customerId! })).toMatchObject({ phone: '+442079460958', name: 'Alan Turing' });
    expect(await em().count(Customer, { where: { venueId: venue.id, emailNormalized: 'grace.hopper@example.com' } })).toBe(1);
  });

  it('keeps a guest known by name alone, unlinked to a customer, and says so', async () => {
    const p = await platform('generic-reservations');
    const row = await send(p, flat({ id: 'BK-NAME', date: '2027-07-09', guest_email: null, guest_name: 'Walk-in Wilson' }));
    expect(row.status).toBe('processed');
    expect(row.reason).toBe('reservation BK-NAME: the guest has no email or phone: kept without a customer');
    const booking = (await bookingOf(p, 'BK-NAME'))!;
    expect(booking).toMatchObject({ customerId: null, guestName: 'Walk-in Wilson' });
    expect((await api('get', `/bookings/${booking.id}`)).body).toMatchObject({ customer: null, guest_name: 'Walk-in Wilson' });
  });

  it('fails or ignores bad reservations with readable reasons, fixable by a new mapping version and replay', async () => {
    const p = await platform('generic-reservations');
    const cases: [Record<string, unknown>, 'failed' | 'ignored', RegExp][] = [
      [flat({ covers: 0 }), 'failed', /command 0 \/party_size must be >= 1/],
      [flat({ covers: 10_000 }), 'failed', /command 0 \/party_size must be <= 1000/],
      [flat({ date: undefined }), 'failed', /must have required property 'date'/],
      [flat({ time: '7pm' }), 'failed', /\/time must be a time HH:MM/],
      [flat({ status: 'arrived-early' }), 'failed', /\/status must be one of "booked", "confirmed"/],
      [flat({ guest_phone: 'call me maybe', guest_email: null }), 'failed', /the guest's phone "call me maybe" is not a phone number/],
      [flat({ guest_name: null, guest_email: null }), 'failed', /has no guest: a name, an email or a phone is needed/],
      // Europe/London's clocks go from 01:00 to 02:00 on 2027-03-28.
      [flat({ date: '2027-03-28', time: '01:30' }), 'failed', /2027-03-28 01:30 does not exist in Europe\/London/],
      [flat({ restaurant_id: 'nowhere' }), 'ignored', /^unknown location nowhere$/],
      [flat({ status: 'cancelled' }), 'ignored', /arrived cancelled and was never booked here/],
    ];
    for (const [body, status, reason] of cases) {
      const row = await send(p, body);
      expect({ body, status: row.status, reason: row.reason }).toEqual({ body, status, reason: expect.stringMatching(reason) });
    }

    // The 7pm case, after a mapping fix, replays into a booking.
    const failedRow = (await em().find(InboundEvent, { where: { partner: p.name, status: 'failed' } })).find((e) => e.rawPayload.includes('"7pm"'))!;
    await putMapping(t, p.name, 'reservation', readFileSync(join(DEFAULT_MAPPINGS_DIR, 'generic-reservations', 'reservation.jsonata'), 'utf8')
      .replace('"time": time,', '"time": time = "7pm" ? "19:00" : time,'));
    expect((await t.admin('post', `/admin/v1/events/${failedRow.id}/replay`)).status).toBe(202);
    await waitFor(async () => (await em().findOneByOrFail(InboundEvent, { id: failedRow.id })).status === 'processed', { what: 'the replayed event' });
  });

  it('keeps an overbooked reservation with needs_table, lists it apart, and takes a table by PATCH with the atomic check', async () => {
    const small = await createVenue(t, { areas: [{ name: 'Main', tables: [{ number: 1, min_covers: 1, max_covers: 4 }, { number: 2, min_covers: 1, max_covers: 4 }] }] });
    const smallKey = await createApiKey(t, small.id);
    const p = await platform('generic-reservations', { location: 'small', into: small });
    for (const id of ['BK-O1', 'BK-O2', 'BK-O3']) {
      expect((await send(p, flat({ restaurant_id: 'small', id, time: '19:07', covers: 2 }))).status).toBe('processed');
    }
    const [o1, o2, o3] = await Promise.all(['BK-O1', 'BK-O2', 'BK-O3'].map((id) => bookingOf(p, id)));
    expect([o1!.tableId, o2!.tableId].filter(Boolean)).toHaveLength(2);
    expect(o3).toMatchObject({ tableId: null, needsTable: true, status: 'confirmed' }); // never refused for capacity
    const row = await em().findOneByOrFail(InboundEvent, { partner: p.name, saleId: 'BK-O3' });
    expect(row.reason).toBe('reservation BK-O3: no free table for 2 on 2027-07-02 19:07–20:37: kept with needs_table');

    const listed = await t.http.get('/api/v1/bookings?date=2027-07-02&needs_table=true').set('Authorization', `Bearer ${smallKey}`);
    expect(listed.body.data.map((b: { id: string }) => b.id)).toEqual([o3!.id]);
    expect(listed.body.data[0]).toMatchObject({ table: null, needs_table: true, time: '19:07' });

    const patch = (id: string, body: Record<string, unknown>) => t.http.patch(`/api/v1/bookings/${id}`).set('Authorization', `Bearer ${smallKey}`).send(body);
    const taken = await patch(o3!.id, { table_id: o1!.tableId });
    expect(taken.status).toBe(422);
    expect(taken.body.error).toMatchObject({ code: 'slot_unavailable', details: { reason: 'table_unavailable' } });

    // O1 is cancelled on the platform: its table is free, and the host gives it to O3 (same atomic check).
    await send(p, flat({ restaurant_id: 'small', id: 'BK-O1', status: 'cancelled', time: '19:07', updated_at: '2028-01-01T00:00:00Z' }));
    const given = await patch(o3!.id, { table_id: o1!.tableId });
    expect(given.status).toBe(200);
    expect(given.body).toMatchObject({ needs_table: false, table: { id: o1!.tableId }, time: '19:07', external: { reservation_id: 'BK-O3' } });
    expect((await em().findOneByOrFail(Booking, { id: o3!.id })).needsTable).toBe(false);
  });

  it('books a burst of new reservations for one time together, never two on one table, the rest kept with needs_table', async () => {
    const burstVenue = await createVenue(t);
    const p = await platform('generic-reservations', { location: 'burst', into: burstVenue });
    const bodies = Array.from({ length: 12 }, (_, i) => flat({ restaurant_id: 'burst', id: `BK-B${i}`, date: '2027-10-05', time: '19:00', covers: 2 }));
    const responses = await Promise.all(bodies.map((b) => signedPost(t, p, 'reservation', b)));
    const rows = await Promise.all(responses.map((r) => waitForEvent(t, r.body.event_id as string)));
    expect(rows.map((r) => r.status)).toEqual(rows.map(() => 'processed'));
    const bookings = await em().find(Booking, { where: { externalPartner: p.name } });
    expect(bookings).toHaveLength(12);
    const tabled = bookings.filter((b) => b.tableId !== null).map((b) => b.tableId);
    // Party 2 fits tables 1, 2 and 3 of the test venue (table 4 takes 3–6): three get one, each its own.
    expect(new Set(tabled).size).toBe(3);
    expect(tabled).toHaveLength(3);
    expect(bookings.filter((b) => b.needsTable)).toHaveLength(9);
    expect(await em().count(OutboxMessage, { where: { event: 'booking.created', venueId: burstVenue.id } })).toBe(12);
  });

  it('matches a sale waiting for the reservation\'s table and time when the reservation arrives', async () => {
    const pos = await createTestPartner(t);
    await putMapping(t, pos.name, 'sale.updated', SALE_MAPPING);
    await linkLocation(t, pos.name, 'till-1', venue.id);
    const saleId = uniq('S');
    const opened = '2027-08-03T18:15:00.000Z'; // 19:15 in London (BST)
    const saleRow = await waitForEvent(t, (await signedPost(t, pos, 'sale.updated', saleEvent({ location_id: 'till-1', id: saleId, table: 4, opened_at: opened }))).body.event_id);
    expect(saleRow.reason).toMatch(/unmatched: no booking at table 4/);

    const p = await platform('generic-reservations');
    expect((await send(p, flat({ id: 'BK-SALE', date: '2027-08-03', time: '19:00', covers: 5, table: '4' }))).status).toBe('processed');
    const booking = (await bookingOf(p, 'BK-SALE'))!;
    const [sale] = await salesOf(t, pos.name, saleId);
    expect(sale).toMatchObject({ bookingId: booking.id, matchMethod: 'table_time' });
    // Matched by the matcher any new booking uses: the sale's new version, and sale.matched, as for any match.
    const events = (await outbox(sale!.id)).map((m) => m.event);
    expect(events.filter((e) => e === 'sale.recorded')).toHaveLength(2);
    expect(events).toContain('sale.matched');
  });

  it('orders 20 concurrent updates of one reservation by the per-sale lock: the newest state wins', async () => {
    const p = await platform('generic-reservations', { conflict: 'queue' });
    await send(p, flat({ id: 'BK-RACE', covers: 2, updated_at: '2027-06-01T00:00:00Z' }));
    const bodies = Array.from({ length: 20 }, (_, i) =>
      flat({ id: 'BK-RACE', covers: 2 + (i % 5), time: `${17 + Math.floor(i / 4)}:${['00', '15', '30', '45'][i % 4]}`, notes: `update ${i}`, updated_at: new Date(Date.UTC(2027, 5, 2, 0, i)).toISOString() }));
    // Sent in a shuffled order, all at once.
    const order = [...bodies.keys()].sort((a, b) => ((a * 7) % 20) - ((b * 7) % 20));
    const responses = await Promise.all(order.map((i) => signedPost(t, p, 'reservation', bodies[i]!)));
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
    const rows = await Promise.all(responses.map((r) => waitForEvent(t, r.body.event_id as string, ['processed', 'ignored', 'failed'], 30_000)));
    expect(rows.filter((r) => r.status === 'failed')).toEqual([]);
    const newest = bodies[19]!;
    expect((await bookingOf(p, 'BK-RACE'))!).toMatchObject({ time: newest.time, partySize: newest.covers, notes: 'update 19', externalVersion: newest.updated_at });
    expect(await em().count(Booking, { where: { externalPartner: p.name, externalReservationId: 'BK-RACE' } })).toBe(1);
  });

  it('with conflict "reject", a second event of a reservation in flight is 409 sale_in_progress', async () => {
    const p = await platform('generic-reservations', { conflict: 'reject' });
    const body = flat({ id: 'BK-409' });
    // Whichever answers first holds the reservation; the other, sent while it is in flight, may be refused.
    const results = await Promise.all(Array.from({ length: 8 }, () => signedPost(t, p, 'reservation', body)));
    const refused = results.filter((r) => r.status === 409);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.body.error).toMatchObject({ code: 'sale_in_progress', details: { sale_ids: ['BK-409'] } });
    expect(refused[0]!.headers['retry-after']).toBe('60');
  });

  it('replays the sevenrooms fixtures as a reservation lives them: booked, moved, seated, completed; and a cancellation', async () => {
    const p = await platform('sevenrooms', { location: 'ahNzfnNldmVucm9vbXMtc2VjdXJlchwLEg9uaWdodGxvb3BfVmVudWUYgIDAlOKy6AoM' });
    const id = 'ahNzfnNldmVucm9vbXMtc2VjdXJlciMLEhduaWdodGxvb3BfUmVzZXJ2YXRpb24iBlJFUzEyMww';
    expect((await send(p, fixture('new-reservation'))).status).toBe('processed');
    const booking = (await bookingOf(p, id))!;
    expect(booking).toMatchObject({ status: 'confirmed', time: '19:30', partySize: 4, notes: 'Anniversary\nWindow table if possible' });
    expect((await send(p, fixture('moved-time-and-party'))).status).toBe('processed');
    expect((await bookingOf(p, id))!).toMatchObject({ id: booking.id, status: 'confirmed', time: '20:15', partySize: 6 });
    expect((await send(p, fixture('seated'))).status).toBe('processed');
    expect((await send(p, fixture('completed'))).status).toBe('processed');
    expect((await bookingOf(p, id))!).toMatchObject({ status: 'completed' });
    // The older seated update arriving late is ignored; a completed booking is not cancelled.
    expect((await send(p, fixture('seated'))).status).toBe('ignored');
    const cancel = await send(p, fixture('cancelled'));
    expect(cancel).toMatchObject({ status: 'ignored' });
    expect(await em().count(Booking, { where: { externalPartner: p.name } })).toBe(1);
    const events = (await outbox(booking.id)).map((m) => m.event).filter((e) => e.startsWith('booking.')); // completion also requests the review invitation email
    expect(events).toEqual(['booking.created', 'booking.updated', 'booking.updated', 'booking.updated']);

    // A cancellation of a live reservation cancels it.
    const q = await platform('sevenrooms', { location: 'ahNzfnNldmVucm9vbXMtc2VjdXJlchwLEg9uaWdodGxvb3BfVmVudWUYgIDAlOKy6AoM' });
    await send(q, fixture('new-reservation'));
    expect((await send(q, fixture('cancelled'))).status).toBe('processed');
    expect((await bookingOf(q, id))!).toMatchObject({ status: 'cancelled', needsTable: false });

    const noEmail = await send(q, fixture('no-email'));
    expect(noEmail.status).toBe('processed');
    const guest = await em().findOneByOrFail(Customer, { id: (await em().findOneByOrFail(Booking, { externalPartner: q.name, date: '2027-06-13' })).customerId! });
    expect(guest).toMatchObject({ name: 'Grace Hopper', email: null, phone: '+442079460958' });
    expect((await send(q, fixture('unknown-location'))).reason).toMatch(/^unknown location /);
  });

  it('dry-runs a reservation mapping like any other: the commands and their schema errors', async () => {
    const p = await platform('sevenrooms', { location: 'dry' });
    const payload = JSON.parse(fixture('new-reservation').toString('utf8'));
    const ok = await t.admin('post', `/admin/v1/partners/${p.name}/mappings/reservation/test`).send({ payload });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ errors: [], output: [{ type: 'reservation', status: 'booked', date: '2027-06-12', time: '19:30', party_size: 4 }] });
    payload.entity.status = 'ON_THE_MOON';
    payload.entity.max_guests = 0;
    const bad = await t.admin('post', `/admin/v1/partners/${p.name}/mappings/reservation/test`).send({ payload });
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['/party_size', '/status']);
  });
});
