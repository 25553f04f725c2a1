/**
 * Booking status machine (README "Booking statuses"):
 *
 *   pending ──► confirmed ──► seated ──► completed
 *      │            │
 *      └────────────┴──► cancelled | no_show
 *
 * Cancelled and no_show are reachable only before the guest is seated: once seated, the visit ends as
 * completed. completed, cancelled and no_show are final. Setting the current status again is a no-op.
 */
import type { BookingStatus } from '../../db/entities';
import { AppError } from '../../shared/app-error';

export const BOOKING_TRANSITIONS: Readonly<Record<BookingStatus, readonly BookingStatus[]>> = {
  pending: ['confirmed', 'cancelled', 'no_show'],
  confirmed: ['seated', 'cancelled', 'no_show'],
  seated: ['completed'],
  completed: [],
  cancelled: [],
  no_show: [],
};

/** Statuses in which a booking may move (date, time, table, party size): the guest has not arrived yet. */
export const MOVABLE_STATUSES: readonly BookingStatus[] = ['pending', 'confirmed'];

/** 422 invalid_transition (details: from, to, allowed) unless `from → to` is in the table. */
export function assertTransition(from: BookingStatus, to: BookingStatus): void {
  if (from === to) return;
  const allowed = BOOKING_TRANSITIONS[from];
  if (!allowed.includes(to)) {
    throw new AppError('invalid_transition', `A ${from} booking cannot become ${to}.`, { from, to, allowed: [...allowed] });
  }
}
