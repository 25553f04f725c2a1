/**
 * What the pages show of a booking's status and which status actions they offer. The rule itself is the
 * server's, imported from the one file that holds it (src/modules/diary/booking-statuses.ts,
 * BOOKING_TRANSITIONS; README "Booking statuses"), and the server still refuses an impossible change (422
 * invalid_transition, shown as a message).
 */
import { BOOKING_TRANSITIONS, holdsTable } from '../../src/modules/diary/booking-statuses';

export const STATUS_LABELS: Record<string, string> = {
  requested: 'Requested',
  pending: 'Pending',
  confirmed: 'Confirmed',
  seated: 'Seated',
  completed: 'Completed',
  cancelled: 'Cancelled',
  no_show: 'No-show',
  declined: 'Declined',
  expired: 'Expired',
};

export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status;
}

/** The action button for moving a booking to a status, and whether it needs a second click. */
const ACTIONS: Record<string, { label: string; confirm: boolean }> = {
  confirmed: { label: 'Confirm', confirm: false },
  seated: { label: 'Seat', confirm: false },
  completed: { label: 'Complete', confirm: false },
  no_show: { label: 'No-show', confirm: true },
  cancelled: { label: 'Cancel booking', confirm: true },
  declined: { label: 'Decline', confirm: true },
};

/** The status actions a booking in `status` allows, in the order a host uses them. */
export function statusActions(status: string): { to: string; label: string; confirm: boolean }[] {
  const allowed: readonly string[] = BOOKING_TRANSITIONS[status as keyof typeof BOOKING_TRANSITIONS] ?? [];
  return allowed.filter((to) => ACTIONS[to]).map((to) => ({
    to,
    ...ACTIONS[to]!,
    ...(status === 'requested' && to === 'confirmed' ? { label: 'Approve' } : {}),
  }));
}

/** Cancelled, no-show, declined and expired bookings free their table: drawn faded, counted nowhere. */
export function isInactive(status: string): boolean {
  return !holdsTable(status);
}

export const BOOKING_STATUS_FILTERS = ['requested', 'pending', 'confirmed', 'seated', 'completed', 'cancelled', 'no_show'];
