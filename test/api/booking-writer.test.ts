import { DateTime } from 'luxon';
import { BookingWriter } from '../../src/modules/diary/booking-writer';
import { VenueLayoutCache } from '../../src/modules/diary/venue-layout-cache';
import { rematchSalesForBooking } from '../../src/modules/sales/match-sale';
import type { VenueRef } from '../../src/modules/diary/diary-store';
import { isDeadlock } from '../../src/platform/db/db-errors';
import { SessionPool, sharedRuns } from '../../src/platform/db/session-pool';
import { AppError } from '../../src/platform/app-error';
import { createVenue } from '../helpers/fixtures';
import { startTestApp, type TestApp } from '../helpers/test-app';

const TZ = 'Europe/London';
const day = (days: number): string => DateTime.now().setZone(TZ).plus({ days }).toISODate()!;

/**
 * Bookings that arrive together share one transaction (booking-writer.ts); each still gets its own answer,
 * and an error in the shared transaction sends every booking to a transaction of its own. Real MariaDB,
 * real connections; the writer is driven directly so that the tests decide what arrives together.
 */
describe('booking writer: shared transactions', () => {
  let t: TestApp;
  let sessions: SessionPool;
  const q = async <T = any>(sql: string, params: unknown[] = []): Promise<T[]> =>
    (await t.composed.deps.dataSource.query(sql, params)) as T[];
  const venueRef = (id: string): VenueRef => ({ id, timezone: TZ, currency: 'GBP', country: 'GB' });
  const pools: SessionPool[] = [];
  /** A writer on a pool of its own whose transactions are counted (the pool is real; only counted). */
  const countingWriter = () => {
    let count = 0;
    const pool = new SessionPool(t.composed.deps.dataSource, 8);
    pools.push(pool);
    const transaction = pool.transaction.bind(pool);
    pool.transaction = ((...args: Parameters<typeof transaction>) => {
      count++;
      return transaction(...args);
    }) as typeof pool.transaction;
    return { writer: new BookingWriter(pool, rematchSalesForBooking, t.composed.deps.venueLayouts, { maxBatch: 16, maxInFlight: 1 }), transactions: () => count };
  };

  beforeAll(async () => {
    t = await startTestApp();
    sessions = new SessionPool(t.composed.deps.dataSource, 8);
  });
  afterAll(async () => {
    await Promise.all([sessions, ...pools].map((p) => p.close()));
    await t.stop();
  });

  it('books twelve requests on twelve dates in shared transactions, each with its own customer, table and events', async () => {
    const venue = await createVenue(t);
    const { writer, transactions } = countingWriter();
    const views = await Promise.all(Array.from({ length: 12 }, (_, i) =>
      writer.book(venueRef(venue.id), { date: day(20 + i), time: '19:00', party_size: 2, customer_name: `Guest ${i}` })));
    expect(views.map((v) => v.date)).toEqual(Array.from({ length: 12 }, (_, i) => day(20 + i)));
    // All twelve arrive in the same turn of the event loop: one transaction.
    expect(transactions()).toBe(1);
    const rows = await q('SELECT b.id, c.name FROM bookings b JOIN customers c ON c.id = b.customer_id WHERE b.venue_id = ? ORDER BY b.date', [venue.id]);
    expect(rows.map((r) => r.name)).toEqual(Array.from({ length: 12 }, (_, i) => `Guest ${i}`));
    expect(rows.map((r) => r.id)).toEqual(views.map((v) => v.id));
    const outbox = await q('SELECT event, resource_id FROM outbox WHERE venue_id = ? ORDER BY id', [venue.id]);
    expect(outbox.filter((r) => r.event === 'booking.created').map((r) => r.resource_id).sort()).toEqual(views.map((v) => v.id).sort());
    expect(outbox.filter((r) => r.event === 'customer.created')).toHaveLength(12);
  });

  it("keeps a venue's services and tables in the cache it is given (the app's, built in compose()), no other", async () => {
    const venue = await createVenue(t);
    const own = new VenueLayoutCache();
    const writer = new BookingWriter(sessions, rematchSalesForBooking, own, { maxBatch: 16, maxInFlight: 1 });
    expect(own.kept(venueRef(venue.id))).toBeNull();
    await writer.book(venueRef(venue.id), { date: day(42), time: '19:00', party_size: 2, customer_name: 'Kept' });
    expect(own.kept(venueRef(venue.id))?.ctx.tables.length).toBeGreaterThan(0);
    // Not the composed app's: each composed app (two in one process, in tests) has its own.
    expect(t.composed.deps.venueLayouts.kept(venueRef(venue.id))).toBeNull();
  });

  it('answers a refused booking with its own 422 while the others of its transaction are booked', async () => {
    const venue = await createVenue(t, { areas: [{ name: 'Bar', tables: [{ number: 1, min_covers: 1, max_covers: 4 }] }] });
    const writer = new BookingWriter(sessions, rematchSalesForBooking, t.composed.deps.venueLayouts, { maxBatch: 16, maxInFlight: 1 });
    await writer.book(venueRef(venue.id), { date: day(40), time: '19:00', party_size: 2, customer_name: 'First' });
    const results = await Promise.allSettled([
      writer.book(venueRef(venue.id), { date: day(41), time: '19:00', party_size: 2, customer_name: 'A' }),
      writer.book(venueRef(venue.id), { date: day(40), time: '19:30', party_size: 2, customer_name: 'Too late' }),
      writer.book(venueRef(venue.id), { date: day(42), time: '19:00', party_size: 2, customer_name: 'B' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const refused = (results[1] as PromiseRejectedResult).reason as AppError;
    expect(refused).toBeInstanceOf(AppError);
    expect(refused.code).toBe('slot_unavailable');
    expect(refused.details?.alternatives).toEqual(expect.arrayContaining([{ date: day(40), time: '20:30' }]));
    const names = await q('SELECT c.name FROM bookings b JOIN customers c ON c.id = b.customer_id WHERE b.venue_id = ? ORDER BY b.date', [venue.id]);
    expect(names.map((r) => r.name)).toEqual(['First', 'A', 'B']);
    // The refused request wrote nothing: no customer, no event.
    expect(await q("SELECT id FROM customers WHERE venue_id = ? AND name = 'Too late'", [venue.id])).toEqual([]);
  });

  it('sends a booking whose date another already claimed to a later transaction: same-day requests never double-book', async () => {
    const venue = await createVenue(t, { areas: [{ name: 'Bar', tables: [{ number: 1, min_covers: 1, max_covers: 4 }] }] });
    const { writer, transactions } = countingWriter();
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) =>
      writer.book(venueRef(venue.id), { date: day(50), time: '19:00', party_size: 2, customer_name: `Same day ${i}` })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as AppError).code))
      .toEqual(Array(5).fill('slot_unavailable'));
    // One booking per date per transaction: six transactions, one after the other.
    expect(transactions()).toBe(6);
    expect(await q('SELECT id FROM bookings WHERE venue_id = ?', [venue.id])).toHaveLength(1);
  });

  it('rolls a shared transaction back on a database error and books each of its requests alone', async () => {
    const venue = await createVenue(t);
    const { writer, transactions } = countingWriter();
    await writer.book(venueRef(venue.id), { date: day(60), time: '18:00', party_size: 2, customer_name: 'Opener' });
    // The same new guest twice in one transaction: both look the email up (no one yet), both insert it,
    // and the second INSERT breaks the unique key. Alone, the second finds the first's customer.
    const views = await Promise.all([
      writer.book(venueRef(venue.id), { date: day(61), time: '19:00', party_size: 2, customer_name: 'Grace', email: 'grace@example.com' }),
      writer.book(venueRef(venue.id), { date: day(62), time: '19:00', party_size: 2, customer_name: 'Grace', email: 'GRACE@example.com' }),
      writer.book(venueRef(venue.id), { date: day(63), time: '19:00', party_size: 2, customer_name: 'Other' }),
    ]);
    expect(views.map((v) => v.date)).toEqual([day(61), day(62), day(63)]);
    // The opener, the shared transaction that failed, then one each.
    expect(transactions()).toBe(5);
    const customers = await q("SELECT id FROM customers WHERE venue_id = ? AND email_normalized = 'grace@example.com'", [venue.id]);
    expect(customers).toHaveLength(1);
    const bookings = await q('SELECT customer_id FROM bookings WHERE venue_id = ? AND date IN (?, ?)', [venue.id, day(61), day(62)]);
    expect(bookings.map((b) => b.customer_id)).toEqual([customers[0].id, customers[0].id]);
    // Nothing of the rolled-back attempt remains: one booking.created per booking.
    const [created] = await q("SELECT COUNT(*) AS n FROM outbox WHERE venue_id = ? AND event = 'booking.created'", [venue.id]);
    expect(Number(created.n)).toBe(4);
  });
});

describe('session pool: shared round trips and autocommit', () => {
  let t: TestApp;
  let pool: SessionPool;
  const q = async <T = any>(sql: string, params: unknown[] = []): Promise<T[]> =>
    (await t.composed.deps.dataSource.query(sql, params)) as T[];

  beforeAll(async () => {
    t = await startTestApp();
    pool = new SessionPool(t.composed.deps.dataSource, 4);
    await q('CREATE TABLE IF NOT EXISTS test_shared_runs (id INT PRIMARY KEY, v INT NOT NULL)');
    await q('DELETE FROM test_shared_runs');
    await q('INSERT INTO test_shared_runs (id, v) VALUES (1, 0), (2, 0)');
  });
  afterAll(async () => {
    await q('DROP TABLE IF EXISTS test_shared_runs');
    await pool.close();
    await t.stop();
  });

  it('sends the run() calls of one turn in one round trip, a sameInRoundTrip read once, each caller getting its own results', async () => {
    const results = await pool.transaction('READ COMMITTED', async (tx) => {
      const shared = sharedRuns(tx);
      await tx.run([{ sql: 'SET @reads = 0', params: [] }]);
      const counted = { sql: 'SELECT (@reads := @reads + 1) AS n', params: [], sameInRoundTrip: true };
      return Promise.all([
        shared.run([counted, { sql: 'SELECT ? AS who', params: ['a'] }]),
        shared.run([counted, { sql: 'SELECT ? AS who', params: ['b'] }]),
        shared.run([{ sql: 'SELECT CONNECTION_ID() AS c', params: [] }]),
      ]);
    });
    const [a, b] = results as unknown as [any[], any[]];
    expect(Number(a[0][0].n)).toBe(1);
    expect(Number(b[0][0].n)).toBe(1);
    expect(a[1][0].who).toBe('a');
    expect(b[1][0].who).toBe('b');
  });

  it('fails every run() after a failed round trip', async () => {
    await expect(pool.transaction('READ COMMITTED', async (tx) => {
      const shared = sharedRuns(tx);
      const first = shared.run([{ sql: 'SELECT no_such_column FROM test_shared_runs', params: [] }]);
      await expect(first).rejects.toThrow(/no_such_column/);
      await expect(shared.run([{ sql: 'UPDATE test_shared_runs SET v = 9 WHERE id = 1', params: [] }])).rejects.toThrow(/no_such_column/);
      throw new Error('rolled back');
    })).rejects.toThrow('rolled back');
    expect((await q('SELECT v FROM test_shared_runs WHERE id = 1'))[0].v).toBe(0);
  });

  it('commits nothing a deadlock victim sends after the server rolled it back', async () => {
    let release!: () => void;
    const bothLocked = new Promise<void>((resolve) => (release = resolve));
    let locked = 0;
    const lockThen = (first: number, second: number) => pool.transaction('READ COMMITTED', async (tx) => {
      await tx.run([{ sql: 'SELECT v FROM test_shared_runs WHERE id = ? FOR UPDATE', params: [first] }]);
      if (++locked === 2) release();
      await bothLocked;
      try {
        await tx.run([{ sql: 'UPDATE test_shared_runs SET v = v + 1 WHERE id = ?', params: [second] }]);
      } catch (err) {
        // The victim keeps going (as a piece of a shared transaction might): the server already ended
        // its transaction, so with autocommit on this UPDATE would be committed on its own.
        if (isDeadlock(err)) await tx.em.query('UPDATE test_shared_runs SET v = v + 100 WHERE id = ?', [first]);
        throw err;
      }
    });
    const outcomes = await Promise.allSettled([lockThen(1, 2), lockThen(2, 1)]);
    const victims = outcomes.filter((o) => o.status === 'rejected');
    expect(victims).toHaveLength(1);
    expect(isDeadlock((victims[0] as PromiseRejectedResult).reason)).toBe(true);
    const rows = await q('SELECT id, v FROM test_shared_runs ORDER BY id');
    // Only the survivor's one UPDATE is there; nothing of the victim's +100.
    expect(rows.map((r) => r.v).sort()).toEqual([0, 1]);
  });
});
