import { MoreThan } from 'typeorm';
import { Booking, OutboxMessage, Partner, Sale } from '../../src/platform/db/entities';
import { SessionPool, type SqlStatement, type SqlTransaction } from '../../src/platform/db/session-pool';
import type { CanonicalCommand, ReservationCommand } from '../../src/modules/commands/canonical-commands';
import { InboundApplier, INBOUND_APPLY_SESSIONS } from '../../src/modules/partners/pipeline/inbound-applier';
import type { ApplyOutcome } from '../../src/modules/sales/apply-sales';
import { newId } from '../../src/platform/ids';
import type { Logger } from '../../src/platform/logger';
import { createVenue, type CreatedVenue } from '../helpers/fixtures';
import { createTestPartner, linkLocation } from '../helpers/partner';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';

/**
 * New reservations of events in flight together, booked in one transaction by the inbound worker's applier
 * (command-handlers.ts applyReservationBatch): two round trips before the COMMIT once the location's venue and
 * its services and tables are kept from an earlier batch, and the same bookings whatever changed since.
 */
describe('a batch of new reservations', () => {
  let t: TestApp;
  let applier: InboundApplier;
  let fallbacks: jest.Mock;
  const em = () => t.composed.deps.dataSource.manager;

  beforeAll(async () => {
    t = await startTestApp({ ROLE: 'api' });
    fallbacks = jest.fn();
    // A logger that tells whether a batch had to go event by event.
    applier = new InboundApplier(t.composed.deps.dataSource, { debug: fallbacks, warn: fallbacks } as unknown as Logger, new SessionPool(t.composed.deps.dataSource, INBOUND_APPLY_SESSIONS));
  });
  afterAll(async () => {
    await applier.close();
    await t.stop();
  });
  afterEach(() => jest.restoreAllMocks());

  /** A booking platform partner with its location linked to `venue`. */
  async function platform(venue: CreatedVenue, location = 'res-1'): Promise<{ id: string; name: string; location: string }> {
    const p = await createTestPartner(t);
    await linkLocation(t, p.name, location, venue.id);
    const row = await em().findOneByOrFail(Partner, { name: p.name });
    return { id: row.id, name: row.name, location };
  }

  let seq = 0;
  const reservation = (location: string, fields: Partial<ReservationCommand> = {}): ReservationCommand => {
    seq += 1;
    return {
      type: 'reservation', location_id: location, reservation_id: `R-${seq}`, status: 'booked', date: '2027-11-03', time: '19:00',
      party_size: 2, updated_at: '2027-10-01T10:00:00.000Z', guest: { name: `Guest ${seq}`, email: `guest.${seq}.${uniq('g')}@example.com` },
      ...fields,
    };
  };

  /** The events' rows (as the worker writes them first), then every command applied at once: one batch. */
  async function apply(partner: { id: string; name: string }, commands: CanonicalCommand[]): Promise<ApplyOutcome[]> {
    const events = commands.map(() => ({ eventId: newId('evt'), partner: partner.name, eventType: 'reservation', receivedAt: new Date().toISOString(), saleIds: [] }));
    await Promise.all(events.map((data) => applier.recordProcessing({ data, raw: '{}', patch: { status: 'processing', reason: null }, fresh: true })));
    return Promise.all(events.map((data, i) => applier.apply({ data, raw: '{}', partner, commands: [commands[i]!], release: async () => undefined })));
  }

  /** Round trips of the applier's transactions (each run() is one; the COMMIT is not counted) and statements sent through the EntityManager. */
  function countTrips(): { trips: number[][]; sql: string[]; emUsed: () => number } {
    const trips: number[][] = [];
    const sql: string[] = [];
    let em = 0;
    const transaction = SessionPool.prototype.transaction;
    jest.spyOn(SessionPool.prototype, 'transaction').mockImplementation(function (this: SessionPool, isolation, work) {
      const mine: number[] = [];
      trips.push(mine);
      return transaction.call(this, isolation, (tx: SqlTransaction) => work({
        run: (statements: readonly SqlStatement[]) => {
          mine.push(statements.length);
          sql.push(...statements.map((s) => s.sql));
          return tx.run(statements);
        },
        beforeCommit: (statements) => tx.beforeCommit(statements),
        get em() {
          em += 1;
          return tx.em;
        },
      }));
    } as SessionPool['transaction']);
    return { trips, sql, emUsed: () => em };
  }

  const bookingsOf = (partner: string) => em().find(Booking, { where: { externalPartner: partner }, order: { externalReservationId: 'ASC' } });

  it('takes two round trips before its COMMIT once the venue is kept, booking each reservation with its guest and events', async () => {
    const venue = await createVenue(t);
    const p = await platform(venue);
    const cold = countTrips();
    const first = await apply(p, [reservation(p.location, { date: '2027-11-04' }), reservation(p.location, { date: '2027-11-04' })]);
    expect(first.map((o) => o.status)).toEqual(['processed', 'processed']);
    expect(cold.trips).toHaveLength(1);
    jest.restoreAllMocks();

    const warm = countTrips();
    const before = await em().maximum(OutboxMessage, 'id') ?? 0;
    const commands = [1, 2, 3, 4, 5].map((n) => reservation(p.location, { party_size: n === 5 ? 4 : 2, table_number: n === 1 ? '2' : null }));
    const outcomes = await apply(p, commands);
    expect(outcomes.map((o) => o.status)).toEqual(Array(5).fill('processed'));
    expect(fallbacks).not.toHaveBeenCalled();
    // One transaction: its reads (with the diary locks), then its writes with the events' rows.
    expect(warm.trips).toHaveLength(1);
    expect(warm.trips[0]).toHaveLength(2);
    expect(warm.emUsed()).toBe(0);

    const bookings = (await bookingsOf(p.name)).filter((b) => b.date === '2027-11-03');
    expect(bookings).toHaveLength(5);
    // Party 2 fits tables 1–3 (table 2 asked for by the platform), party 4 table 3 or 4: four tables, and one kept with needs_table.
    const tables = new Map((await em().query('SELECT id, number FROM venue_tables WHERE venue_id = ?', [venue.id]) as { id: string; number: string }[]).map((r) => [r.id, r.number]));
    const byId = new Map(bookings.map((b) => [b.externalReservationId, b]));
    expect(tables.get(byId.get(String(commands[0]!.reservation_id))!.tableId!)).toBe('2');
    expect(bookings.filter((b) => b.needsTable)).toHaveLength(1);
    expect(new Set(bookings.flatMap((b) => (b.tableId ? [b.tableId] : []))).size).toBe(4);
    expect(bookings.every((b) => b.customerId !== null && b.source === p.name)).toBe(true);
    const events = await em().find(OutboxMessage, { where: { id: MoreThan(before), venueId: venue.id }, order: { id: 'ASC' } });
    expect(events.map((e) => e.event)).toEqual([...Array(5).fill('customer.created'), ...Array(5).fill('booking.created')]);
  });

  it('books with the venue\'s tables as they are now when they changed since the kept ones', async () => {
    const venue = await createVenue(t, { areas: [{ name: 'Main', tables: [{ number: 1, min_covers: 1, max_covers: 2 }] }] });
    const p = await platform(venue);
    expect((await apply(p, [reservation(p.location, { party_size: 4, reservation_id: 'BIG-1' })]))[0]!.reason).toMatch(/no free table for 4 .*kept with needs_table/);
    // The table grows (by any means): the next batch must see it.
    await em().query('UPDATE venue_tables SET max_covers = 6 WHERE venue_id = ?', [venue.id]);
    const trips = countTrips();
    const [outcome] = await apply(p, [reservation(p.location, { party_size: 4, reservation_id: 'BIG-2', time: '21:00' })]);
    expect(outcome).toMatchObject({ status: 'processed', reason: null });
    expect((await em().findOneByOrFail(Booking, { externalPartner: p.name, externalReservationId: 'BIG-2' })).tableId).not.toBeNull();
    // The kept plan rolled back, then the batch from the rows.
    expect(trips.trips).toHaveLength(2);
    expect(fallbacks).not.toHaveBeenCalled();
  });

  it('books at the venue the location names now when it was linked to another since', async () => {
    const [a, b] = [await createVenue(t), await createVenue(t)];
    const p = await platform(a, 'moving');
    await apply(p, [reservation('moving', { reservation_id: 'MOVE-1' })]);
    await linkLocation(t, p.name, 'moving', b.id);
    const [outcome] = await apply(p, [reservation('moving', { reservation_id: 'MOVE-2' })]);
    expect(outcome).toMatchObject({ status: 'processed', results: [{ venue_id: b.id }] });
    expect((await em().findOneByOrFail(Booking, { externalPartner: p.name, externalReservationId: 'MOVE-2' })).venueId).toBe(b.id);
    // And an unlinked location is ignored at once.
    await t.admin('put', `/admin/v1/partners/${p.name}/locations/moving`).send({ venue_id: b.id, enabled: false });
    const [ignored] = await apply(p, [reservation('moving', { reservation_id: 'MOVE-3' })]);
    expect(ignored).toMatchObject({ status: 'ignored', reason: 'integration disabled for location moving' });
  });

  it('matches a sale waiting for a reservation of the batch, its events between the guest\'s and the booking\'s', async () => {
    const venue = await createVenue(t);
    const p = await platform(venue, 'waiting');
    await apply(p, [reservation('waiting', { date: '2027-12-01' })]); // the venue kept
    const pos = await platform(venue, 'till');
    const saleId = uniq('S');
    const [sale] = await apply(pos, [{
      type: 'sale', location_id: 'till', sale_id: saleId, status: 'closed', total: 5000, currency: 'GBP', table_number: '4', opened_at: '2027-11-20T19:20:00.000Z',
    }]);
    expect(sale!.reason).toMatch(/unmatched: no booking at table 4/);

    const before = await em().maximum(OutboxMessage, 'id') ?? 0;
    const trips = countTrips();
    const outcomes = await apply(p, [
      reservation('waiting', { date: '2027-11-20', time: '19:00', party_size: 4, table_number: '4', reservation_id: 'WAIT-1' }),
      reservation('waiting', { date: '2027-11-20', time: '19:00', party_size: 2, reservation_id: 'WAIT-2' }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['processed', 'processed']);
    expect(trips.trips).toHaveLength(1);
    expect(fallbacks).not.toHaveBeenCalled();
    const booking = await em().findOneByOrFail(Booking, { externalPartner: p.name, externalReservationId: 'WAIT-1' });
    expect(await em().findOneByOrFail(Sale, { partner: pos.name, saleId })).toMatchObject({ bookingId: booking.id, matchMethod: 'table_time' });
    const events = (await em().find(OutboxMessage, { where: { id: MoreThan(before), venueId: venue.id }, order: { id: 'ASC' } })).map((e) => e.event);
    expect(events).toEqual(['customer.created', 'customer.created', 'sale.recorded', 'sale.matched', 'booking.created', 'booking.created']);
  });

  it('reads the bookings overlapping every sitting of the batch, at any venue, in one statement: a UNION ALL branch per sitting', async () => {
    const [a, b] = [await createVenue(t), await createVenue(t)];
    const [pa, pb] = [await platform(a, 'union-a'), await platform(b, 'union-b')];
    // Table 2 of each venue is taken 19:00–20:30 on the day; the venues kept by a first batch.
    await apply(pa, [reservation('union-a', { date: '2027-11-06', time: '18:30', party_size: 2, table_number: '2', reservation_id: 'U-A0' })]);
    await apply(pb, [reservation('union-b', { date: '2027-11-06', time: '18:30', party_size: 2, table_number: '2', reservation_id: 'U-B0' })]);
    const trips = countTrips();
    const [at19a, at22a, at19b, at22b] = await Promise.all([
      apply(pa, [reservation('union-a', { date: '2027-11-06', time: '19:00', table_number: '2', reservation_id: 'U-A1' })]),
      apply(pa, [reservation('union-a', { date: '2027-11-06', time: '22:00', table_number: '2', reservation_id: 'U-A2' })]),
      apply(pb, [reservation('union-b', { date: '2027-11-06', time: '19:00', table_number: '2', reservation_id: 'U-B1' })]),
      apply(pb, [reservation('union-b', { date: '2027-11-06', time: '22:00', table_number: '2', reservation_id: 'U-B2' })]),
    ]);
    expect(fallbacks).not.toHaveBeenCalled();
    expect(trips.trips).toHaveLength(1); // the four in one batch
    const overlapping = trips.sql.filter((q) => /FROM bookings WHERE venue_id = \? AND start_at > \?/.test(q));
    expect(overlapping).toHaveLength(1);
    expect(overlapping[0]!.split(' UNION ALL ')).toHaveLength(4);
    // Each sitting saw its own venue's bookings at its own time: table 2 is taken at 19:00, free at 22:00.
    for (const o of [at19a, at19b]) expect(o![0]!.reason).toMatch(/table 2 is taken at that time/);
    for (const o of [at22a, at22b]) expect(o![0]!.reason).toBeNull();
    const tableOf = async (venue: CreatedVenue, partner: string, id: string) => {
      const booking = await em().findOneByOrFail(Booking, { externalPartner: partner, externalReservationId: id });
      return (await em().query('SELECT number FROM venue_tables WHERE id = ?', [booking.tableId]))[0]?.number;
    };
    expect(await tableOf(a, pa.name, 'U-A2')).toBe('2');
    expect(await tableOf(b, pb.name, 'U-B2')).toBe('2');
    expect(await tableOf(a, pa.name, 'U-A1')).not.toBe('2');
    expect(await tableOf(b, pb.name, 'U-B1')).not.toBe('2');
  });
});
