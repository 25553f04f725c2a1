/**
 * The booking status machine's data, in one place (README "Booking statuses"): the statuses, the
 * transitions, the statuses that hold a table (a TypeScript set and one SQL fragment), the statuses a
 * booking may move in, and the forward path a POS status takes. The rules that act on it (assertTransition,
 * changeBookingStatus) are the diary's (booking-lifecycle.ts, change-status.ts).
 *
 *   requested ──► confirmed                           (the venue approves a request, CONTRACT §11)
 *      └──► declined | expired | cancelled            (declined, expired: final)
 *
 *   pending ──► confirmed ──► seated ──► completed
 *      │            │
 *      └────────────┴──► cancelled | no_show
 *
 * A request holds its table like a booking until it ends (approved, it simply carries on as a confirmed
 * booking). Cancelled and no_show are reachable only before the guest is seated: once seated, the visit
 * ends as completed. completed, cancelled, no_show, declined and expired are final. Setting the current
 * status again is a no-op. The final statuses other than completed free the booking's table: they hold no
 * table, covers or sale (availability, event capacity, sale matching all read TABLE_HOLDING_STATUSES /
 * holdsTableSql below).
 *
 * Dependency-free (it imports nothing), so that the platform's booking entity (its column's type) and the
 * web app (web/src/booking-status.ts: which actions a page offers) use this very file instead of a copy;
 * eslint/layout-plugin.cjs lets them, and refuses any import here.
 */

export const BOOKING_STATUSES = ['requested', 'pending', 'confirmed', 'seated', 'completed', 'cancelled', 'no_show', 'declined', 'expired'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

export const BOOKING_TRANSITIONS: Readonly<Record<BookingStatus, readonly BookingStatus[]>> = {
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

/** Statuses in which a booking may move (date, time, table, party size): the guest has not arrived yet. */
export const MOVABLE_STATUSES: readonly BookingStatus[] = ['requested', 'pending', 'confirmed'];

/** The statuses that free the booking's table (and covers): the one definition of "inactive". */
const FREES_TABLE: readonly BookingStatus[] = ['cancelled', 'no_show', 'declined', 'expired'];

/** The statuses in which a booking holds its table, counts against capacity and can hold a sale. */
export const TABLE_HOLDING_STATUSES: ReadonlySet<BookingStatus> = new Set(BOOKING_STATUSES.filter((s) => !FREES_TABLE.includes(s)));

export function holdsTable(status: string): boolean {
  return TABLE_HOLDING_STATUSES.has(status as BookingStatus);
}

/**
 * TABLE_HOLDING_STATUSES as an SQL condition on a status column (`b.status`). Written as NOT IN the freeing
 * statuses (a short list of constants), the form every query and index plan has always used.
 */
export function holdsTableSql(column: string): string {
  return `${column} NOT IN (${FREES_TABLE.map((s) => `'${s}'`).join(', ')})`;
}

/**
 * The statuses in which a booking without a table still needs one (a booking platform's reservation kept
 * without a table, CONTRACT §12: `needs_table`): the guest is still to come or at the venue.
 */
export const NEEDS_TABLE_STATUSES: readonly BookingStatus[] = ['pending', 'confirmed', 'seated'];

/** Whether a booking in this status with this table still needs one. */
export function needsTable(status: BookingStatus, tableId: string | null): boolean {
  return tableId === null && NEEDS_TABLE_STATUSES.includes(status);
}

/**
 * The statuses a booking passes through to reach `to` from `from`, following the machine forward (a POS
 * closing the table of a confirmed booking completes it via seated). Empty when `to` cannot be reached.
 */
export function transitionPath(from: BookingStatus, to: BookingStatus): BookingStatus[] {
  const queue: BookingStatus[][] = [[from]];
  const seen = new Set<BookingStatus>([from]);
  while (queue.length) {
    const path = queue.shift()!;
    for (const next of BOOKING_TRANSITIONS[path[path.length - 1]!]) {
      if (next === to) return [...path.slice(1), next];
      if (!seen.has(next)) {
        seen.add(next);
        queue.push([...path, next]);
      }
    }
  }
  return [];
}
