import { In, IsNull, type EntityManager } from 'typeorm';
import { Booking, Sale, SaleItem, VenueTable } from '../../db/entities';
import { writeOutbox } from '../../outbound/outbox';
import { presentSale } from '../views/sale.view';
import { datesInAnyZone, MAX_SITTING_MS } from '../bookings/venue-context';

/** CONTRACT §5: a booking holds a sale whose time falls in [start − 30 min, end + 2 h]. */
export const MATCH_BEFORE_START_MS = 30 * 60_000;
export const MATCH_AFTER_END_MS = 2 * 60 * 60_000;
const INACTIVE = ['cancelled', 'no_show'];

/**
 * The diary dates a sale matched by table and time at `matchAt` share-locks before it reads its booking
 * candidates (venue-context.ts shareDiaryDaysStatement), in any time zone. A booking holding the sale
 * (start − 30 min ≤ t ≤ end + 2 h) has a sitting [start, end) that meets [t − 2 h − 1 ms, t + 30 min + 1 ms)
 * (both hold max(start, t − 2 h − 1 ms)), so one of these dates is among those its writer locks
 * (claimedDates of claims covering the sitting): whichever of the two locks first, the other waits for its
 * commit and then sees it.
 */
export function saleDiaryDates(matchAt: Date): string[] {
  const t = matchAt.getTime();
  return datesInAnyZone(new Date(t - MATCH_AFTER_END_MS - 1), new Date(t + MATCH_BEFORE_START_MS + 1));
}

export interface SaleMatchInput {
  venueId: string;
  /** A booking's id or reference, when the POS knows it. */
  bookingRef: string | null;
  tableNumber: string | null;
  /** opened_at, else closed_at, else receipt time. */
  matchAt: Date;
}

export interface SaleMatchResult {
  booking: Booking;
  method: 'booking_id' | 'table_time';
}

/** A sale's booking as stored on the sale: its id and how it was found. */
export interface BookingMatch {
  bookingId: string;
  method: SaleMatchResult['method'];
}

/** Among candidate bookings, a seated one first, then the nearest start. Pure, so it is tested alone. */
export function pickBooking<B extends Pick<Booking, 'id' | 'status' | 'startAt'>>(candidates: B[], matchAt: Date): B | null {
  const t = matchAt.getTime();
  const sorted = [...candidates].sort((a, b) => {
    const seated = Number(b.status === 'seated') - Number(a.status === 'seated');
    if (seated !== 0) return seated;
    return Math.abs(a.startAt.getTime() - t) - Math.abs(b.startAt.getTime() - t) || a.id.localeCompare(b.id);
  });
  return sorted[0] ?? null;
}

export function holdsTime(b: Pick<Booking, 'startAt' | 'endAt'>, at: Date): boolean {
  const t = at.getTime();
  return b.startAt.getTime() - MATCH_BEFORE_START_MS <= t && t <= b.endAt.getTime() + MATCH_AFTER_END_MS;
}

/** Finds the booking a sale belongs to: by booking id/reference first, else by table and time. */
export async function findBookingForSale(em: EntityManager, input: SaleMatchInput): Promise<SaleMatchResult | null> {
  if (input.bookingRef) {
    const booking = await em
      .createQueryBuilder(Booking, 'b')
      .where('b.venue_id = :venueId', { venueId: input.venueId })
      .andWhere('(b.id = :ref OR b.reference = :ref)', { ref: input.bookingRef })
      .getOne();
    if (booking) return { booking, method: 'booking_id' };
  }
  if (input.tableNumber === null) return null;
  const t = input.matchAt.getTime();
  // The table by its number and its bookings in one round trip (no table: no candidates).
  const candidates = await em
    .createQueryBuilder(Booking, 'b')
    .innerJoin(VenueTable, 't', 't.id = b.table_id AND t.venue_id = :venueId AND t.number = :number', {
      venueId: input.venueId,
      number: input.tableNumber,
    })
    .where('b.venue_id = :venueId', { venueId: input.venueId })
    .andWhere('b.status NOT IN (:...inactive)', { inactive: INACTIVE })
    .andWhere('b.start_at <= :latestStart', { latestStart: new Date(t + MATCH_BEFORE_START_MS) })
    .andWhere('b.end_at >= :earliestEnd', { earliestEnd: new Date(t - MATCH_AFTER_END_MS) })
    .andWhere('b.start_at >= :earliestStart', { earliestStart: new Date(t - MATCH_AFTER_END_MS - MAX_SITTING_MS) })
    .getMany();
  const booking = pickBooking(candidates, input.matchAt);
  return booking ? { booking, method: 'table_time' } : null;
}

/**
 * findBookingForSale for several sales at once, in at most two round trips whatever their number: each
 * sale's own query (the same conditions as findBookingForSale's), tagged with the sale's position and joined
 * with UNION ALL, so the database compares ids, references and table numbers exactly as it does for one.
 */
export async function findBookingsForSales(
  query: (sql: string, params: unknown[]) => Promise<unknown>,
  inputs: readonly SaleMatchInput[],
): Promise<(BookingMatch | null)[]> {
  const results: (BookingMatch | null)[] = inputs.map(() => null);
  const byRef = inputs.flatMap((input, i) => (input.bookingRef ? [{ input, i, ref: input.bookingRef }] : []));
  if (byRef.length) {
    const rows = (await query(
      byRef.map(() => '(SELECT ? AS k, b.id FROM bookings b WHERE b.venue_id = ? AND (b.id = ? OR b.reference = ?))').join(' UNION ALL '),
      byRef.flatMap(({ input, i, ref }) => [i, input.venueId, ref, ref]),
    )) as { k: number | string; id: string }[];
    for (const row of rows) {
      const i = Number(row.k);
      results[i] ??= { bookingId: row.id, method: 'booking_id' };
    }
  }

  const byTable = inputs.flatMap((input, i) => (results[i] === null && input.tableNumber !== null ? [{ input, i, number: input.tableNumber }] : []));
  if (byTable.length === 0) return results;
  const rows = (await query(
    byTable
      .map(
        () => `(SELECT ? AS k, b.id, b.status, b.start_at FROM bookings b
                  INNER JOIN venue_tables t ON t.id = b.table_id AND t.venue_id = ? AND t.number = ?
                 WHERE b.venue_id = ? AND b.status NOT IN (?) AND b.start_at <= ? AND b.end_at >= ? AND b.start_at >= ?)`,
      )
      .join(' UNION ALL '),
    byTable.flatMap(({ input, i, number }) => {
      const t = input.matchAt.getTime();
      const earliestEnd = t - MATCH_AFTER_END_MS;
      return [i, input.venueId, number, input.venueId, INACTIVE, new Date(t + MATCH_BEFORE_START_MS), new Date(earliestEnd), new Date(earliestEnd - MAX_SITTING_MS)];
    }),
  )) as { k: number | string; id: string; status: Booking['status']; start_at: Date }[];
  const candidates = new Map<number, { id: string; status: Booking['status']; startAt: Date }[]>();
  for (const row of rows) {
    const i = Number(row.k);
    candidates.set(i, [...(candidates.get(i) ?? []), { id: row.id, status: row.status, startAt: row.start_at }]);
  }
  for (const { input, i } of byTable) {
    const booking = pickBooking(candidates.get(i) ?? [], input.matchAt);
    if (booking) results[i] = { bookingId: booking.id, method: 'table_time' };
  }
  return results;
}

/**
 * Called when a booking is created or changes table/time/status: unmatched sales on its table whose time it
 * holds are matched again (each to its best booking, which may be this one). Each linked sale gets version
 * + 1 and a `sale.recorded` outbox row in the caller's transaction. Returns the sales it linked.
 */
export async function rematchSalesForBooking(em: EntityManager, booking: Booking, now = new Date()): Promise<Sale[]> {
  if (!booking.tableId || INACTIVE.includes(booking.status)) return [];
  const table = await em.findOne(VenueTable, { where: { id: booking.tableId } });
  if (!table) return [];
  const unmatched = await em
    .createQueryBuilder(Sale, 's')
    .where('s.venue_id = :venueId AND s.table_number = :number AND s.booking_id IS NULL', {
      venueId: booking.venueId,
      number: table.number,
    })
    .andWhere('s.match_at BETWEEN :from AND :to', {
      from: new Date(booking.startAt.getTime() - MATCH_BEFORE_START_MS),
      to: new Date(booking.endAt.getTime() + MATCH_AFTER_END_MS),
    })
    .getMany();
  const linked: Sale[] = [];
  for (const sale of unmatched) {
    const match = await findBookingForSale(em, {
      venueId: sale.venueId, bookingRef: null, tableNumber: sale.tableNumber, matchAt: sale.matchAt,
    });
    if (!match) continue;
    // Guard against a concurrent match: only link while still unmatched.
    const result = await em.update(
      Sale,
      { id: sale.id, bookingId: IsNull() },
      { bookingId: match.booking.id, matchMethod: 'table_time', version: sale.version + 1, updatedAt: now },
    );
    if (result.affected) {
      Object.assign(sale, { bookingId: match.booking.id, matchMethod: 'table_time', version: sale.version + 1, updatedAt: now });
      // The sale changed (it has its booking now): announce its new version, as any other sale change.
      const items = await em.find(SaleItem, { where: { saleRowId: sale.id }, order: { position: 'ASC' } });
      await writeOutbox(
        em,
        { venueId: sale.venueId, event: 'sale.recorded', resourceId: sale.id, resourceVersion: sale.version, data: presentSale(sale, items) },
        now,
      );
      linked.push(sale);
    }
  }
  return linked;
}

/** Sales of some bookings, for booking detail and customer spend. */
export async function salesOfBookings(em: EntityManager, bookingIds: string[]): Promise<Sale[]> {
  if (!bookingIds.length) return [];
  return em.find(Sale, { where: { bookingId: In(bookingIds) } });
}
