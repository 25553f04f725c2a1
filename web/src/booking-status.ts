/**
 * What the pages show of a booking's status and which status actions they offer. The rule itself is the
 * server's (src/modules/diary/booking-lifecycle.ts, BOOKING_TRANSITIONS; README "Booking statuses"):
 * this is its copy for the page, checked against it by test/web/booking-status.test.ts, and the server
 * still refuses an impossible change (422 invalid_transition, shown as a message).
 */

export const BOOKING_TRANSITIONS: Readonly<Record<string, readonly string[]>> = {
  // Requests (§11): approved (confirmed), declined, expired by the server, or cancelled.
  requested: ['confirmed', 'declined', 'expired', 'cancelled'],
  pending: ['confirmed', 'cancelled', 'no_show'],
  confirmed: ['seated', 'cancelled', 'no_show'],
  seated: ['completed'],
  completed: [],
  cancelled: [],
  no_show: [],
  declined: [],
  expired: [],
};

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
  const allowed = BOOKING_TRANSITIONS[status] ?? [];
  return allowed.filter((to) => ACTIONS[to]).map((to) => ({
    to,
    ...ACTIONS[to]!,
    ...(status === 'requested' && to === 'confirmed' ? { label: 'Approve' } : {}),
  }));
}

/** Cancelled, no-show, declined and expired bookings free their table: drawn faded, counted nowhere. */
export function isInactive(status: string): boolean {
  return status === 'cancelled' || status === 'no_show' || status === 'declined' || status === 'expired';
}

export const BOOKING_STATUS_FILTERS = ['requested', 'pending', 'confirmed', 'seated', 'completed', 'cancelled', 'no_show'];
