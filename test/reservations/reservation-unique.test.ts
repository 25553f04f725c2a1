import { Booking, OutboxMessage, Partner } from '../../src/platform/db/entities';
import type { ReservationCommand } from '../../src/modules/commands/canonical-commands';
import { inTransaction } from '../../src/modules/partners/pipeline/inbound-applier';
import { applyCommands } from '../../src/modules/partners/commands/command-handlers';
import { createVenue } from '../helpers/fixtures';
import { createTestPartner, linkLocation } from '../helpers/partner';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * The unique key on (partner, reservation_id), without the per-sale lock that normally orders a
 * reservation's events: workers applying the same new reservation at the same moment (a lock that expired,
 * a replay beside a live event) end with one booking and one booking.created; the losers' INSERTs fail on
 * the key, their transactions are retried and update the winner's booking instead.
 */
describe('one booking per reservation, whatever runs at once', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ ROLE: 'api' });
  });
  afterAll(() => t.stop());

  it('ten transactions applying one new reservation at once make one booking', async () => {
    const venue = await createVenue(t);
    const p = await createTestPartner(t);
    await linkLocation(t, p.name, 'loc-u', venue.id);
    const partner = await t.composed.deps.dataSource.manager.findOneByOrFail(Partner, { name: p.name });
    const cmd: ReservationCommand = {
      type: 'reservation', location_id: 'loc-u', reservation_id: 'R-UNIQUE', status: 'booked', date: '2027-09-01', time: '19:00',
      party_size: 2, updated_at: '2027-08-01T10:00:00.000Z', guest: { name: 'Ada Lovelace', email: 'ada.unique@example.com' },
    };
    const ctx = { partner: { id: partner.id, name: partner.name }, eventId: 'evt_test', receivedAt: new Date() };
    // As the worker does: a transaction is retried on a deadlock or a duplicate key (inTransaction, 3 tries),
    // and the job again after that (BullMQ's attempts). Ten writers of one new diary day do deadlock now and then.
    const applyAsAJob = async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await inTransaction(t.composed.deps.dataSource, (em) => applyCommands(em, ctx, [cmd]));
        } catch (err) {
          if (attempt >= 5 || !/Deadlock/.test((err as Error).message)) throw err;
        }
      }
    };
    const outcomes = await Promise.all(Array.from({ length: 10 }, applyAsAJob));
    expect(outcomes.map((o) => o.status)).toEqual(outcomes.map(() => 'processed'));
    const bookings = await t.composed.deps.dataSource.manager.find(Booking, { where: { externalPartner: p.name, externalReservationId: 'R-UNIQUE' } });
    expect(bookings).toHaveLength(1);
    expect(new Set(outcomes.map((o) => o.results[0]!.booking))).toEqual(new Set([bookings[0]!.id]));
    const created = await t.composed.deps.dataSource.manager.count(OutboxMessage, { where: { resourceId: bookings[0]!.id, event: 'booking.created' } });
    expect(created).toBe(1);
  });
});
