/**
 * The booking status machine: its data (statuses, transitions, the statuses that hold a table, the POS
 * forward path) is booking-statuses.ts, dependency-free so that the web app uses it too; here, the refusal
 * of an impossible change. One changeBookingStatus applies it (change-status.ts).
 */
import { BOOKING_TRANSITIONS, type BookingStatus } from './booking-statuses';
import { AppError } from '../../platform/app-error';

/** 422 invalid_transition (details: from, to, allowed) unless `from → to` is in the table. */
export function assertTransition(from: BookingStatus, to: BookingStatus): void {
  if (from === to) return;
  const allowed = BOOKING_TRANSITIONS[from];
  if (!allowed.includes(to)) {
    throw new AppError('invalid_transition', `A ${from} booking cannot become ${to}.`, { from, to, allowed: [...allowed] });
  }
}
