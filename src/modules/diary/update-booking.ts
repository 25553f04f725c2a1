import type { EntityManager } from 'typeorm';
import { Booking, type BookingStatus } from '../../platform/db/entities';
import { AppError, notFound } from '../../platform/app-error';
import { checkSlot, namedTableForSitting, slotClaims, type CheckSlotInput, type ServiceDef, type SlotCheck } from './availability';
import { MOVABLE_STATUSES, needsTable } from './booking-statuses';
import { saveBookingChange, statusChangeRefusal } from './change-status';
import { findBooking, presentOneBooking } from './load-booking';
import type { BookingView } from './booking.view';
import type { PickUpWaitingSales } from './sale-rematch';
import { requestExpiry, requestHoldHours } from './request-hold';
import { checkMoveRules, checkMoveService, type VenueRules } from './venue-rules';
import {
  engineInput,
  loadBookingsForCheck,
  loadBookingsNear,
  loadBookingsOverlapping,
  loadDiaryContext,
  slotUnavailable,
  type VenueRef,
} from './diary-store';
import { claimedDates, lockDiaryDays } from './diary-locks';

export interface BookingPatch {
  status?: BookingStatus;
  /** Why a request is declined (with `status: "declined"` only); kept as the booking's decline_reason. */
  reason?: string | null;
  party_size?: number;
  date?: string;
  time?: string;
  table_id?: string;
  notes?: string | null;
}

type MoveFields = Pick<Booking, 'date' | 'time' | 'startAt' | 'endAt' | 'partySize' | 'tableId' | 'serviceId' | 'eventId'>;

/** A move's new fields, and the venue's services as the plan read them (their requires_approval with them). */
interface PlannedMove {
  fields: MoveFields;
  services: readonly ServiceDef[];
}

function isMove(b: Booking, p: BookingPatch): boolean {
  return (
    (p.date !== undefined && p.date !== b.date) ||
    (p.time !== undefined && p.time !== b.time) ||
    (p.party_size !== undefined && p.party_size !== b.partySize) ||
    (p.table_id !== undefined && p.table_id !== b.tableId)
  );
}

/**
 * Re-checks the booking at its new date/time/party size with the same engine as a new booking, ignoring
 * the booking itself, under the diary locks of the dates the new slot can claim (the dates it leaves need
 * none: freeing a table never breaks anyone's check). Without a table_id the guests keep their table when
 * it still fits and is free, else they get the best free fit.
 */
async function planMove(em: EntityManager, venue: VenueRef, b: Booking, p: BookingPatch, now: Date): Promise<PlannedMove> {
  const date = p.date ?? b.date;
  const ctx = await loadDiaryContext(em, venue, { eventId: b.eventId, lockTables: true });
  const unbooked: CheckSlotInput = {
    ...engineInput(ctx, [], { date, party_size: p.party_size ?? b.partySize, event_id: b.eventId, exclude_booking_id: b.id }, now),
    time: p.time ?? b.time,
  };
  const claims = slotClaims({ ...unbooked, table_id: p.table_id });
  await lockDiaryDays(em, venue.id, claimedDates(claims, venue.timezone));
  const base: CheckSlotInput = { ...unbooked, bookings: await loadBookingsForCheck(em, venue.id, unbooked, claims) };
  let slot: SlotCheck | null = null;
  if (p.table_id) {
    slot = checkSlot({ ...base, table_id: p.table_id });
  } else {
    const current = ctx.tables.find((t) => t.id === b.tableId);
    if (current) slot = checkSlot({ ...base, table_id: current.id });
    if (!slot?.ok) slot = checkSlot(base);
  }
  if (!slot.ok) {
    // The alternatives look at the whole day.
    const day = await loadBookingsNear(em, venue.id, date, venue.timezone);
    throw slotUnavailable({ ...base, bookings: day, table_id: p.table_id }, slot.reason);
  }
  return {
    fields: {
      date: slot.date, time: slot.time, startAt: slot.start_at, endAt: slot.end_at, partySize: base.party_size,
      tableId: slot.table_id, serviceId: slot.service_id, eventId: slot.event_id,
    },
    services: ctx.services,
  };
}

/**
 * Who changes a booking when it is not the venue, bound by the venue's rules (CONTRACT §15 "Venue rules"):
 * a booking channel (its own bookings only, `channelId`, CONTRACT §11) or a guest through the manage link
 * (the booking its token opens). Both move a booking under checkMoveRules/checkMoveService and may cancel
 * it; every other status change is the venue's.
 */
export interface BoundChange {
  /** The channel whose key makes the change: it finds only its own bookings. */
  channelId?: string | null;
  rules: VenueRules;
}

/**
 * A table for a booking platform's reservation (`needs_table`, or any platform booking given another
 * table) without moving it: its sitting stays as the platform set it (which need not be a slot of a
 * service), checked under the same locks as any move — the venue's tables shared, the diary rows of the
 * sitting's dates X-locked, the bookings overlapping it read after them — and the table must fit the party
 * and be free (else 422 slot_unavailable, with the free times nearest to it for the same party).
 */
async function planTableAssignment(em: EntityManager, venue: VenueRef, b: Booking, tableId: string, now: Date): Promise<PlannedMove> {
  const ctx = await loadDiaryContext(em, venue, { eventId: b.eventId, lockTables: true });
  await lockDiaryDays(em, venue.id, claimedDates([{ from: b.startAt, to: b.endAt }], venue.timezone));
  const bookings = await loadBookingsOverlapping(em, venue.id, b.startAt, b.endAt);
  const chosen = namedTableForSitting(
    { party_size: b.partySize, start_at: b.startAt, end_at: b.endAt, tables: ctx.tables, bookings, exclude_booking_id: b.id },
    tableId,
  );
  if (typeof chosen === 'string') {
    const day = await loadBookingsNear(em, venue.id, b.date, venue.timezone);
    const input = { ...engineInput(ctx, day, { date: b.date, party_size: b.partySize, exclude_booking_id: b.id }, now), time: b.time, table_id: tableId };
    throw slotUnavailable(input, chosen);
  }
  return {
    fields: {
      date: b.date, time: b.time, startAt: b.startAt, endAt: b.endAt, partySize: b.partySize,
      tableId: chosen.id, serviceId: b.serviceId, eventId: b.eventId,
    },
    services: ctx.services,
  };
}

/** A patch that only gives a booking platform's reservation a table: its sitting is the platform's, not the grid's. */
function assignsTableOnly(b: Booking, p: BookingPatch): p is BookingPatch & { table_id: string } {
  return (
    (b.externalPartner !== null || b.needsTable) &&
    p.table_id !== undefined && p.table_id !== b.tableId &&
    (p.date === undefined || p.date === b.date) &&
    (p.time === undefined || p.time === b.time) &&
    (p.party_size === undefined || p.party_size === b.partySize)
  );
}

/**
 * PATCH /bookings/:id in one transaction (run inside inDiaryTransaction): status transitions (see
 * booking-lifecycle.ts, change-status.ts), moves re-checked under the diary locks, notes. Any change bumps the version and
 * writes booking.updated (booking.cancelled when it is cancelled); a patch that changes nothing writes nothing.
 * Lock order: the booking row, then (for a move) the venue's tables (shared) and its new dates' diary rows.
 * Creators take tables and diary rows only and never wait on an existing booking's row, so the two never
 * deadlock. Status changes and notes take no
 * diary lock: no transition makes an inactive booking active again, so none can take a table or covers.
 */
export async function updateBooking(
  em: EntityManager,
  venue: VenueRef,
  idOrReference: string,
  patch: BookingPatch,
  pickUpWaitingSales: PickUpWaitingSales,
  now = new Date(),
  bound: BoundChange | null = null,
): Promise<BookingView> {
  const booking = await findBooking(em, venue.id, idOrReference, { lock: true, channelId: bound?.channelId ?? undefined });
  if (!booking) throw notFound('Booking');

  const from = booking.status;
  const to = patch.status ?? from;
  // A channel (or a guest) moves and cancels its own bookings; approving, declining, seating and the rest are the venue's.
  if (bound && to !== from && to !== 'cancelled') {
    throw new AppError('scope_violation', `${bound.channelId ? 'A channel' : 'A guest'} may cancel a booking; making one ${to} is the venue's to do.`, { status: to });
  }
  if (patch.reason !== undefined && to !== 'declined') {
    throw new AppError('validation_error', 'reason is given only when declining a request (status "declined").', { field: 'reason' });
  }
  statusChangeRefusal(booking, to, 'api');
  if (from === 'requested' && to === 'confirmed' && booking.expiresAt && booking.expiresAt.getTime() <= now.getTime()) {
    // Past its expires_at the request is over, even in the moment before the expiry job marks it expired.
    throw new AppError('invalid_transition', `The request expired at ${booking.expiresAt.toISOString()}; it cannot be approved.`, {
      from: 'expired', to, allowed: [], expires_at: booking.expiresAt.toISOString(),
    });
  }

  const changes: Partial<Booking> = {};
  const moving = isMove(booking, patch);
  // A kept reservation without a table may get one whenever it still needs one (a seated guest's table too).
  const givesNeededTable = booking.needsTable && assignsTableOnly(booking, patch) && needsTable(to, null);
  if (moving) {
    if (!givesNeededTable && (!MOVABLE_STATUSES.includes(from) || !MOVABLE_STATUSES.includes(to))) {
      throw new AppError('booking_not_movable', `A ${to === from ? from : `${from} → ${to}`} booking cannot change date, time, table or party size.`, {
        status: from,
        movable_statuses: [...MOVABLE_STATUSES],
      });
    }
    if (bound) checkMoveRules(bound.rules, booking, patch, venue.timezone, now);
    const planned = assignsTableOnly(booking, patch)
      ? await planTableAssignment(em, venue, booking, patch.table_id, now)
      : await planMove(em, venue, booking, patch, now);
    Object.assign(changes, planned.fields);
    if (bound && changes.serviceId !== booking.serviceId) {
      const service = (id: string | null | undefined) => planned.services.find((s) => s.id === id) ?? null;
      checkMoveService(booking, service(booking.serviceId), service(changes.serviceId));
    }
    // A request moved to an earlier start ends by then at the latest (created + hold otherwise, as before).
    if (to === 'requested') changes.expiresAt = requestExpiry(booking.createdAt, await requestHoldHours(em, venue.id), changes.startAt!);
  }
  if (to !== from) changes.status = to;
  // Approved, a request is a booking like any other: nothing expires any more.
  if (from === 'requested' && to === 'confirmed') changes.expiresAt = null;
  if (to === 'declined' && from !== 'declined') changes.declineReason = patch.reason ?? null;
  if (patch.notes !== undefined && patch.notes !== booking.notes) changes.notes = patch.notes;

  const changed = (Object.keys(changes) as (keyof Booking)[]).filter((k) => {
    const before = booking[k];
    const after = changes[k];
    return before instanceof Date && after instanceof Date ? before.getTime() !== after.getTime() : before !== after;
  });
  if (!changed.length) return presentOneBooking(em, booking);

  return saveBookingChange(em, booking, changes, now, pickUpWaitingSales);
}

