/** Booking writers' side of sale matching (CONTRACT §5) and of the outbox, kept to as few statements as possible. */
import type { EntityManager } from 'typeorm';
import type { Booking } from '../../db/entities';
import type { SqlStatement } from '../../db/session-pool';
import type { OutboxEntry } from '../../outbound/outbox';
import { newId } from '../../shared/ids';
import { MATCH_AFTER_END_MS, MATCH_BEFORE_START_MS, rematchSalesForBooking } from '../sales/match-sale';
import { isActiveBooking } from './availability';

/**
 * Whether rematchSalesForBooking could link anything: one probe of ix_sales_venue_table_time for an
 * unmatched sale on the booking's table within its match window (rematchSalesForBooking's own query).
 * `tableNumber` is the booking's table's number when the caller already has it.
 */
export async function hasWaitingSales(em: EntityManager, booking: Booking, tableNumber: string | null): Promise<boolean> {
  if (!booking.tableId || !isActiveBooking(booking.status)) return false;
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
  if (!booking.tableId || tableNumber === null || !isActiveBooking(booking.status)) return null;
  return waitingSalesStatement(booking, tableNumber);
}

function waitingSalesStatement(booking: Booking, tableNumber: string): SqlStatement {
  return {
    sql: `SELECT 1 AS x FROM sales WHERE venue_id = ? AND table_number = ? AND booking_id IS NULL AND match_at BETWEEN ? AND ? LIMIT 1`,
    params: [
      booking.venueId,
      tableNumber,
      new Date(booking.startAt.getTime() - MATCH_BEFORE_START_MS),
      new Date(booking.endAt.getTime() + MATCH_AFTER_END_MS),
    ],
  };
}

/** rematchSalesForBooking, skipped (one indexed query) when no sale waits for the booking — the usual case. */
export async function rematchWaitingSales(em: EntityManager, booking: Booking, tableNumber: string | null, now: Date): Promise<void> {
  if (await hasWaitingSales(em, booking, tableNumber)) await rematchSalesForBooking(em, booking, now);
}

/**
 * writeOutbox for several events in one INSERT: the rows get ascending ids in the order given, exactly as
 * consecutive writeOutbox calls would, so receivers see the same order.
 */
export async function writeOutboxRows(em: EntityManager, entries: OutboxEntry[], now: Date): Promise<void> {
  const statement = outboxRowsStatement(entries, now);
  if (statement) await em.query(statement.sql, statement.params);
}

/** writeOutboxRows' statement (null for no entries), for a caller that sends it along with others. */
export function outboxRowsStatement(entries: readonly OutboxEntry[], now: Date): SqlStatement | null {
  if (!entries.length) return null;
  return {
    sql: `INSERT INTO outbox (message_id, venue_id, event, resource_id, resource_version, payload, created_at, relayed_at)
     VALUES ${entries.map(() => '(?, ?, ?, ?, ?, ?, ?, NULL)').join(', ')}`,
    params: entries.flatMap((e) => [newId('msg'), e.venueId, e.event, e.resourceId, e.resourceVersion, JSON.stringify(e.data), now]),
  };
}
