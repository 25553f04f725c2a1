import { DateTime } from 'luxon';
import { Sale } from '../../src/platform/db/entities';
import { createBooking } from '../../src/modules/diary/create-booking';
import { updateBooking } from '../../src/modules/diary/update-booking';
import { rematchSalesForBooking } from '../../src/modules/sales/match-sale';
import { type VenueRef } from '../../src/modules/diary/diary-store';
import { inDiaryTransaction } from '../../src/modules/diary/diary-locks';
import { normalizeContact } from '../../src/modules/customers/upsert-customer';
import type { ApplyOutcome } from '../../src/modules/sales/apply-sales';
import type { SaleCommand } from '../../src/modules/commands/canonical-commands';
import { applyOne, InboundApplier, type ApplyRequest, INBOUND_APPLY_SESSIONS } from '../../src/modules/partners/pipeline/inbound-applier';
import { SessionPool } from '../../src/platform/db/session-pool';
import { newId } from '../../src/platform/ids';
import type { Logger } from '../../src/platform/logger';
import { createApiKey, createVenue, type CreatedVenue } from '../helpers/fixtures';
import {
  createTestPartner,
  gate,
  linkLocation,
  localIso,
  putMapping,
  SALE_MAPPING,
  saleEvent,
  salesOf,
  signedPost,
  tableId,
  type TestPartner,
  waitForEvent,
} from '../helpers/partner';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';

const TZ = 'Europe/London';
const DATE = DateTime.now().setZone(TZ).plus({ days: 20 }).toISODate()!;

/**
 * A sale and a booking written at the same moment (CONTRACT §5: an unmatched sale is matched when a fitting
 * booking appears). Each side's transaction is held open at a known point (the booking inserted, the sale
 * written) while the other side runs; the other side must wait for it (on the venue's diary rows) and then
 * see it, so the sale ends up matched whichever commits first. Both sale paths of the worker: a batch
 * (InboundApplier) and one event in its own transaction (applyOne, the fallback and replays); both booking
 * writers: a new booking (POST /bookings) and a move onto the sale's table (PATCH /bookings/:id).
 */
describe.each(['in a batch', 'one by one'] as const)('a sale applied %s and a booking written at the same moment', (path) => {
  let t: TestApp;
  let p: TestPartner;
  let partner: { id: string; name: string };
  const logger = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() } as unknown as Logger;
  let applier: InboundApplier;

  beforeAll(async () => {
    t = await startTestApp({ ROLE: 'api' });
    p = await createTestPartner(t);
    partner = (await t.composed.deps.dataSource.query('SELECT id, name FROM partners WHERE name = ?', [p.name]))[0];
    applier = new InboundApplier(t.composed.deps.dataSource, logger, new SessionPool(t.composed.deps.dataSource, INBOUND_APPLY_SESSIONS));
  });
  afterAll(async () => {
    await applier.close();
    await t.stop();
  });
  afterEach(() => {
    // The batch went through as one (no fallback to one by one), so the batch path is what was tested.
    expect(logger.debug).not.toHaveBeenCalled();
    expect(logger.warn).not.toHaveBeenCalled();
  });

  interface Scene {
    venue: CreatedVenue;
    ref: VenueRef;
    location: string;
    key: string;
  }

  async function scene(): Promise<Scene> {
    const venue = await createVenue(t);
    const location = uniq('loc');
    await linkLocation(t, p.name, location, venue.id);
    const ref: VenueRef = { id: venue.id, timezone: TZ, currency: 'GBP', country: 'GB' };
    return { venue, ref, location, key: await createApiKey(t, venue.id) };
  }

  interface SaleOptions {
    /** Keeps the sale's transaction open just before its commit until it resolves. */
    hold?: Promise<void>;
    saleId?: string;
    table?: string;
    /** opened_at (null: none, the sale then matches at its first receipt time). */
    openedAt?: string | null;
    receivedAt?: string;
  }

  /** Applies a sale (by default on table 3, opened at 19:40) as the worker does. */
  function applySale(s: Scene, o: SaleOptions = {}): { saleId: string; written: Promise<void>; done: Promise<ApplyOutcome> } {
    const saleId = o.saleId ?? uniq('S');
    const written = gate();
    const openedAt = o.openedAt === undefined ? localIso(s.venue, DATE, '19:40') : o.openedAt;
    const command = {
      type: 'sale', location_id: s.location, sale_id: saleId, status: 'closed', total: 4250, currency: 'GBP',
      table_number: o.table ?? '3', ...(openedAt ? { opened_at: openedAt } : {}),
    } as SaleCommand;
    const req: ApplyRequest = {
      data: { eventId: newId('evt'), partner: p.name, eventType: 'sale.updated', receivedAt: o.receivedAt ?? new Date().toISOString(), saleIds: [saleId] },
      raw: JSON.stringify(command),
      partner,
      commands: [command],
      // Runs inside the apply transaction, after every write, just before the COMMIT.
      release: async () => {
        written.open();
        await o.hold;
      },
    };
    const done = path === 'in a batch'
      ? applier.recordProcessing({ data: req.data, raw: req.raw, patch: { status: 'processing' }, fresh: true }).then(() => applier.apply(req))
      : applyOne(t.composed.deps.dataSource, req);
    return { saleId, written: written.promise, done };
  }

  /** POST /bookings for 2 at 19:00 (on `table`, else the engine's pick); resolves with the booking's id. */
  async function book(s: Scene, table?: number): Promise<string> {
    const res = await t.http.post('/api/v1/bookings').set('Authorization', `Bearer ${s.key}`)
      .send({ date: DATE, time: '19:00', party_size: 2, customer_name: 'Ada', ...(table ? { table_id: tableId(s.venue, table) } : {}) });
    if (res.status !== 201) throw new Error(`booking refused: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  }

  /** PATCH /bookings/:id onto table 3. */
  async function moveToTable3(s: Scene, bookingId: string): Promise<void> {
    const res = await t.http.patch(`/api/v1/bookings/${bookingId}`).set('Authorization', `Bearer ${s.key}`).send({ table_id: tableId(s.venue, 3) });
    if (res.status !== 200) throw new Error(`move refused: ${res.status} ${JSON.stringify(res.body)}`);
  }

  /**
   * Runs the booking side's own transaction (the statements POST and PATCH send) up to its last write,
   * then holds it open until `hold` resolves: its diary rows stay locked and its booking uncommitted.
   */
  function holdBooking(s: Scene, change: 'created' | 'moved', movedId: string | null, hold: Promise<void>): { written: Promise<void>; done: Promise<string> } {
    const written = gate();
    const done = change === 'created'
      ? t.composed.deps.sessionPool.transaction('READ COMMITTED', async (tx) => {
          const contact = normalizeContact({ name: 'Ada' }, 'GB');
          const view = await createBooking(tx, s.ref, { date: DATE, time: '19:00', party_size: 2, customer_name: 'Ada', table_id: tableId(s.venue, 3) }, contact, rematchSalesForBooking, t.composed.deps.venueLayouts);
          written.open();
          await hold;
          return view.id as string;
        })
      : inDiaryTransaction(t.composed.deps.dataSource, async (em) => {
          await updateBooking(em, s.ref, movedId!, { table_id: tableId(s.venue, 3) }, rematchSalesForBooking);
          written.open();
          await hold;
          return movedId!;
        });
    return { written: written.promise, done };
  }

  /** Whether some transaction waits for a lock on one of the venue's diary rows. */
  async function waitsOnDiary(venueId: string): Promise<boolean> {
    const rows = (await t.composed.deps.dataSource.query(
      `SELECT 1 FROM information_schema.INNODB_LOCK_WAITS w
         JOIN information_schema.INNODB_LOCKS l ON l.lock_id = w.requested_lock_id
        WHERE l.lock_table LIKE '%\`diary_days\`' AND l.lock_data LIKE ?`,
      [`'${venueId}'%`],
    )) as unknown[];
    return rows.length > 0;
  }

  /** Until `work` has finished or waits on the venue's diary rows (the fix: it waits for the transaction held open). */
  async function finishedOrWaiting(venueId: string, work: Promise<unknown>): Promise<void> {
    let settled = false;
    work.then(() => (settled = true), () => (settled = true));
    // Polled at most every 250 ms: InnoDB refreshes these tables only after 100 ms without a read of them.
    await waitFor(async () => settled || (await waitsOnDiary(venueId)), { intervalMs: 250, what: 'the second side to finish or wait on the diary' });
  }

  async function saleRow(saleId: string): Promise<Sale> {
    return t.composed.deps.dataSource.manager.findOneByOrFail(Sale, { partner: p.name, saleId });
  }

  it.each(['created', 'moved'] as const)('booking %s first and still uncommitted: the sale waits for it and is matched to it', async (change) => {
    const s = await scene();
    const movedId = change === 'moved' ? await book(s, 1) : null;
    const commit = gate();
    const booking = holdBooking(s, change, movedId, commit.promise);
    await Promise.race([booking.written, booking.done]);

    const sale = applySale(s);
    await finishedOrWaiting(s.venue.id, sale.done);
    commit.open();
    const bookingId = await booking.done;
    expect((await sale.done).status).toBe('processed');
    expect(await saleRow(sale.saleId)).toMatchObject({ bookingId, matchMethod: 'table_time' });
  });

  it.each(['created', 'moved'] as const)('sale first and still uncommitted: the booking %s meanwhile waits for it and takes it', async (change) => {
    const s = await scene();
    const movedId = change === 'moved' ? await book(s, 1) : null;
    const commit = gate();
    const sale = applySale(s, { hold: commit.promise });
    await Promise.race([sale.written, sale.done]);

    const booking = change === 'created' ? book(s, 3) : moveToTable3(s, movedId!).then(() => movedId!);
    await finishedOrWaiting(s.venue.id, booking);
    commit.open();
    expect((await sale.done).status).toBe('processed');
    const bookingId = await booking;
    expect(await saleRow(sale.saleId)).toMatchObject({ bookingId, matchMethod: 'table_time' });
  });

  it('a resubmission without times, moved onto the table of a booking still uncommitted: it waits for it and is matched', async () => {
    // The sale matches at its first receipt time (CONTRACT §5), known only once the stored sale is read.
    const s = await scene();
    const first = applySale(s, { table: '2', openedAt: null, receivedAt: localIso(s.venue, DATE, '19:40') });
    expect((await first.done).status).toBe('processed');
    const commit = gate();
    const booking = holdBooking(s, 'created', null, commit.promise);
    await Promise.race([booking.written, booking.done]);

    const again = applySale(s, { saleId: first.saleId, table: '3', openedAt: null });
    await finishedOrWaiting(s.venue.id, again.done);
    commit.open();
    const bookingId = await booking.done;
    expect((await again.done).status).toBe('processed');
    expect(await saleRow(first.saleId)).toMatchObject({ bookingId, matchMethod: 'table_time', tableNumber: '3' });
  });
});

/**
 * The locks under real concurrency (the interleavings themselves are pinned down above): bookings through
 * POST /bookings and POS events through the ingest route and the worker, all sent at once. Every sale fits
 * exactly one booking, so whatever the order, each must end up matched to it, and no request or event may
 * fail (a deadlock is retried, never surfaced).
 */
describe('sales and bookings sent all at once', () => {
  let t: TestApp;
  let p: TestPartner;

  beforeAll(async () => {
    t = await startTestApp();
    p = await createTestPartner(t);
    await putMapping(t, p.name, 'sale.updated', SALE_MAPPING);
  });
  afterAll(() => t.stop());

  it('matches every sale to the one booking that fits it', async () => {
    const venue = await createVenue(t);
    const location = uniq('loc');
    await linkLocation(t, p.name, location, venue.id);
    const key = await createApiKey(t, venue.id);
    const dates = [1, 2, 3].map((d) => DateTime.now().setZone(TZ).plus({ days: 30 + d }).toISODate()!);
    // Per date and table a sitting at 17:00 (holds sales 16:30–20:30) and one at 21:15 (20:45–00:45).
    const sittings = dates.flatMap((date) => [1, 2, 3, 4].flatMap((table) => [
      { date, table, time: '17:00', sales: ['17:10', '18:45', '20:00'] },
      { date, table, time: '21:15', sales: ['21:00', '22:30'] },
    ]));
    const booked = sittings.map(async (s) => {
      const res = await t.http.post('/api/v1/bookings').set('Authorization', `Bearer ${key}`)
        .send({ date: s.date, time: s.time, party_size: s.table === 4 ? 3 : 2, customer_name: 'Ada', table_id: tableId(venue, s.table) });
      expect(res.status).toBe(201);
      return res.body.id as string;
    });
    const sold = sittings.flatMap((s) => s.sales.map(async (time) => {
      const saleId = uniq('S');
      const res = await signedPost(t, p, 'sale.updated', saleEvent({ id: saleId, location_id: location, table: s.table, opened_at: localIso(venue, s.date, time) }));
      expect(res.status).toBe(200);
      expect((await waitForEvent(t, res.body.event_id as string)).status).toBe('processed');
      return saleId;
    }));
    const bookingIds = await Promise.all(booked);
    const saleIds = await Promise.all(sold);
    let k = 0;
    const expected = sittings.flatMap((s, i) => s.sales.map(() => ({ saleId: saleIds[k++]!, bookingId: bookingIds[i] })));
    const stored = await Promise.all(expected.map(async (e) => ({ saleId: e.saleId, bookingId: (await salesOf(t, p.name, e.saleId))[0]!.bookingId })));
    expect(stored).toEqual(expected);
  });
});
