/** Booking writers' side of sale matching (CONTRACT §5), kept to as few statements as possible. */
import type { EntityManager } from 'typeorm';
import type { Booking } from '../../platform/db/entities';
import type { SqlStatement } from '../../platform/db/session-pool';
import { holdsTable } from './booking-statuses';
import { timesHeldBy } from './match-window';

/**
 * The port through which the diary's writers pick up the sales waiting for a booking they have just
 * written (created, moved, or changed in status), in their own transaction: matches again the unmatched
 * sales on its table whose time it holds (CONTRACT §5). The diary declares it and never imports sales;
 * the sales module implements it (rematchSalesForBooking) and the composition root (or a caller above
 * both modules) hands it in, so the dependency points one way: sales → diary.
 */
export type PickUpWaitingSales = (em: EntityManager, booking: Booking, now: Date) => Promise<unknown>;

/**
 * Whether the sales' rematchSalesForBooking (PickUpWaitingSales) could link anything: one probe of ix_sales_venue_table_time for an
 * unmatched sale on the booking's table within its match window (rematchSalesForBooking's own query).
 * `tableNumber` is the booking's table's number when the caller already has it.
 */
export async function hasWaitingSales(em: EntityManager, booking: Booking, tableNumber: string | null): Promise<boolean> {
  if (!booking.tableId || !holdsTable(booking.status)) return false;
  let number = tableNumber;
  if (number === null) {
    const rows = (await em.query('SELECT number FROM venue_tables WHERE id = ?', [booking.tableId])) as { number: string }[];
    if (!rows[0]) return false;
    number = rows[0].number;
  }
  const waiting = waitingSalesStatement(booking, number);
  return ((await em.query(waiting.sql, waiting.params)) as unknown[]).length > 0;
}

/**
 * hasWaitingSales' probe for a booking whose table number is known (null when the booking cannot hold a
 * sale: no table, or not active), for a caller that sends it along with other statements. A row: some sale waits.
 */
export function waitingSalesProbe(booking: Booking, tableNumber: string | null): SqlStatement | null {
  if (!booking.tableId || tableNumber === null || !holdsTable(booking.status)) return null;
  return waitingSalesStatement(booking, tableNumber);
}

/**
 * waitingSalesProbe for several new bookings in one statement (null when none can hold a sale): rows `{k}`,
 * one for each booking (its index) for which some sale waits.
 */
export function waitingSalesProbes(bookings: readonly { booking: Booking; tableNumber: string | null }[]): SqlStatement | null {
  const probes = bookings.flatMap(({ booking, tableNumber }, k) => {
    const probe = waitingSalesProbe(booking, tableNumber);
    return probe ? [{ k, probe }] : [];
  });
  if (!probes.length) return null;
  return {
    sql: probes.map(({ probe }) => `(${probe.sql.replace('SELECT 1 AS x', 'SELECT ? AS k')})`).join(' UNION ALL '),
    params: probes.flatMap(({ k, probe }) => [k, ...probe.params]),
  };
}

function waitingSalesStatement(booking: Booking, tableNumber: string): SqlStatement {
  return {
    sql: `SELECT 1 AS x FROM sales WHERE venue_id = ? AND venue_table_number = ? AND booking_id IS NULL AND match_at BETWEEN ? AND ? LIMIT 1`,
    params: [booking.venueId, tableNumber, timesHeldBy(booking).from, timesHeldBy(booking).to],
  };
}

/** pickUp (PickUpWaitingSales), skipped (one indexed query) when no sale waits for the booking — the usual case. */
export async function rematchWaitingSales(em: EntityManager, booking: Booking, tableNumber: string | null, now: Date, pickUp: PickUpWaitingSales): Promise<void> {
  if (await hasWaitingSales(em, booking, tableNumber)) await pickUp(em, booking, now);
}
