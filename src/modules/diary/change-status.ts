/**
 * The one way a booking's status changes, whatever asks: `PATCH /api/v1/bookings/:id` (one step of the
 * machine, else 422 invalid_transition) or a POS `booking_status` command (the forward path, so closing
 * the table of a confirmed booking completes it via seated; an unreachable status is not an error but a
 * reason). Both then save through saveBookingChange: one UPDATE with the version bump, waiting sales matched
 * again, one outbox entry.
 */
import type { EntityManager } from 'typeorm';
import { Booking, type BookingStatus } from '../../platform/db/entities';
import { bookingChanged, writeOutbox } from '../outbox';
import { type PickUpWaitingSales, rematchWaitingSales } from './sale-rematch';
import { assertTransition } from './booking-lifecycle';
import { needsTable, transitionPath } from './booking-statuses';
import { presentOneBooking } from './load-booking';
import type { BookingView } from './booking.view';

/** Who changes it: the API (one step), a POS (the forward path), or the system (one step: a request's expiry). */
export type StatusChangeVia = 'api' | 'pos' | 'system';

/**
 * Whether `from → to` is allowed for the caller: for the API one step (else throws 422 invalid_transition);
 * for a POS the forward path (else returns why not). Null: allowed (or no change).
 */
export function statusChangeRefusal(booking: Pick<Booking, 'status' | 'reference'>, to: BookingStatus, via: StatusChangeVia): string | null {
  const from = booking.status;
  if (via === 'api' || via === 'system') {
    assertTransition(from, to);
    return null;
  }
  if (from === to) return `booking ${booking.reference} is already ${to}`;
  const path = transitionPath(from, to);
  if (path.length === 0) return `a ${from} booking (${booking.reference}) cannot become ${to}`;
  // Only the venue approves a request: a till seating its guests does not walk it through confirmed.
  if (from === 'requested' && path[0] === 'confirmed') return `booking ${booking.reference} is a request waiting for the venue's approval`;
  return null;
}

/**
 * Saves changes to a locked booking (inside the caller's transaction): version + 1, the UPDATE, sales
 * waiting for it matched again when its table, time or status changed, and booking.updated (booking.cancelled
 * when it has just been cancelled). Returns the booking's view.
 */
export async function saveBookingChange(
  em: EntityManager,
  booking: Booking,
  changes: Partial<Booking>,
  now: Date,
  pickUpWaitingSales: PickUpWaitingSales,
): Promise<BookingView> {
  const before = booking.status;
  // Where it was, for the outbox's subscribers (a "your booking has moved" email), never for webhook bodies.
  const previous = { date: booking.date, time: booking.time, start_at: booking.startAt.toISOString(), party_size: booking.partySize };
  const rematch = ['status', 'tableId', 'startAt', 'endAt'].some((k) => k in changes);
  // A booking that needed a table (a kept reservation) stops needing one once it has a table or is over.
  if (booking.needsTable && !('needsTable' in changes)) {
    const still = needsTable(changes.status ?? booking.status, 'tableId' in changes ? (changes.tableId ?? null) : booking.tableId);
    if (!still) changes.needsTable = false;
  }
  Object.assign(changes, { version: booking.version + 1, updatedAt: now });
  await em.update(Booking, { id: booking.id }, changes);
  Object.assign(booking, changes);
  if (rematch) await rematchWaitingSales(em, booking, null, now, pickUpWaitingSales);
  const view = await presentOneBooking(em, booking);
  const moved = previous.date !== booking.date || previous.time !== booking.time || previous.party_size !== booking.partySize;
  await writeOutbox(em, { ...bookingChanged(before, booking, view), ...(moved ? { private: { previous } } : {}) }, now);
  return view;
}

/** changeStatus for a locked booking: the refusal (nothing written), or the booking's view after the change. */
export async function changeBookingStatus(
  em: EntityManager,
  booking: Booking,
  to: BookingStatus,
  options: { via: StatusChangeVia; now?: Date; pickUpWaitingSales: PickUpWaitingSales },
): Promise<{ refused: string } | { view: BookingView }> {
  const refused = statusChangeRefusal(booking, to, options.via);
  if (refused) return { refused };
  if (booking.status === to) return { view: await presentOneBooking(em, booking) };
  return { view: await saveBookingChange(em, booking, { status: to }, options.now ?? new Date(), options.pickUpWaitingSales) };
}
