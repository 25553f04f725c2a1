/**
 * Requests that reach their expires_at unanswered become `expired` (CONTRACT §11): the table is free
 * again and booking.expired is written, through the one status machine (changeBookingStatus: the row
 * locked, version + 1, waiting sales matched again, one outbox entry).
 *
 * Run by the worker role's scheduled job (src/modules/diary/request-expiry.ts). Safe with any number of workers
 * running it at once: each request is expired in a transaction of its own that locks its row and checks it
 * is still `requested` and due, so a second sweep reaching the same row after the first committed finds it
 * `expired` and leaves it (each request expires once, with one booking.expired).
 */
import type { DataSource } from 'typeorm';
import { Booking } from '../../platform/db/entities';
import { changeBookingStatus } from './change-status';
import { inDiaryTransaction } from './diary-locks';
import type { PickUpWaitingSales } from './sale-rematch';

/** Due requests looked at per round. @defaultValue 200 */
export const EXPIRY_BATCH = 200;

/** One sweep: expires every request due at `now` (in rounds of `batch`); resolves with the ids it expired. */
export async function expireDueRequests(
  dataSource: DataSource,
  pickUpWaitingSales: PickUpWaitingSales,
  now = new Date(),
  batch = EXPIRY_BATCH,
): Promise<string[]> {
  const expired: string[] = [];
  for (;;) {
    // ix_bookings_status_expiry: only the due requests are read.
    const due = (await dataSource.query(
      `SELECT id FROM bookings WHERE status = 'requested' AND expires_at <= ? ORDER BY expires_at, id LIMIT ?`,
      [now, batch],
    )) as { id: string }[];
    let changed = 0;
    for (const { id } of due) {
      if (await expireRequest(dataSource, id, pickUpWaitingSales, now)) {
        expired.push(id);
        changed++;
      }
    }
    // A full round that changed something: more may be due. (One that changed nothing: another sweep is on them.)
    if (due.length < batch || changed === 0) return expired;
  }
}

/** Expires one request if it is still requested and due; false when someone else answered or expired it first. */
export async function expireRequest(dataSource: DataSource, id: string, pickUpWaitingSales: PickUpWaitingSales, now = new Date()): Promise<boolean> {
  return inDiaryTransaction(dataSource, async (em) => {
    const booking = await em.createQueryBuilder(Booking, 'b').where('b.id = :id', { id }).setLock('pessimistic_write').getOne();
    if (!booking || booking.status !== 'requested' || !booking.expiresAt || booking.expiresAt.getTime() > now.getTime()) return false;
    const outcome = await changeBookingStatus(em, booking, 'expired', { via: 'system', now, pickUpWaitingSales });
    return 'view' in outcome;
  });
}
