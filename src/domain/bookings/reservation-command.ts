/**
 * A booking platform's `reservation` command (CONTRACT §12, §15) applied to the diary, in the caller's
 * transaction and through the diary's own pieces: the booking found by (partner, reservation_id) and locked
 * (the unique key uq_bookings_external: two workers never make two bookings of one reservation — the second
 * INSERT fails on the key and its retry updates the first), the guest upserted by the one customer upsert,
 * the sitting placed under the diary locks every booking writer takes (the venue's tables share-locked, its
 * dates' diary rows X-locked, the bookings read after them), status changes through the one status machine,
 * the row written by the creators' insert (storeNewBooking) or saved by saveBookingChange, with waiting sales
 * matched and the booking's outbox row in the same transaction.
 *
 * What differs from POST /bookings, because the platform has already confirmed the guest: the time need not
 * be on a slot of a service, pacing and event capacity do not apply, a time in the past is kept, and a
 * reservation is never refused for capacity — with no free table it is kept with `table: null` and
 * `needs_table: true`. The table is the platform's `table_number` when it names a free table of the venue
 * (its covers are not checked: the platform or the host chose it), else the best free table by the rule of
 * POST /bookings (tableForSitting).
 *
 * readReservation is pure: everything that fails the event (no guest contact, a phone that does not parse,
 * a local time inside a DST gap) is found before anything is written.
 */
import type { EntityManager } from 'typeorm';
import { Booking, type BookingStatus, type Customer } from '../../db/entities';
import type { ReservationCommand, ReservationStatusValue } from '../../mapping/canonical-commands';
import { AppError } from '../../shared/app-error';
import { normalizeContact, upsertCustomer, type Contact } from '../customers/upsert-customer';
import { isOlderVersion } from '../sales/plan-sale';
import { locationTableStatement } from '../sales/match-query';
import { serviceAt, tableForSitting, type TableDef } from './availability';
import { holdsTable, MOVABLE_STATUSES, needsTable } from './booking-lifecycle';
import { saveBookingChange, statusChangeRefusal } from './change-status';
import { newBookingRow, storeNewBooking } from './create-booking';
import { claimedDates, loadBookingsOverlapping, loadDiaryContext, lockDiaryDays, type VenueRef } from './venue-context';
import { instantToLocal, tryLocalToInstant } from './venue-time';

/** CONTRACT §15: booked and confirmed → confirmed; the others are the booking statuses of the same name. */
export const RESERVATION_STATUS_MAP: Readonly<Record<ReservationStatusValue, BookingStatus>> = {
  booked: 'confirmed',
  confirmed: 'confirmed',
  seated: 'seated',
  completed: 'completed',
  cancelled: 'cancelled',
  no_show: 'no_show',
};

/** A sitting's length when the reservation names none and no service runs at its time. */
export const DEFAULT_SITTING_MINUTES = 90;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A reservation command read against its venue: what the diary is asked to hold. */
export interface ReadReservation {
  reservationId: string;
  status: BookingStatus;
  date: string;
  time: string;
  startAt: Date;
  partySize: number;
  durationMinutes: number | null;
  /** null: a guest known by name alone, kept without a customer. */
  contact: Contact | null;
  guestName: string | null;
  notes: string | null;
  /** The platform's table (trimmed), or null. */
  table: string | null;
  /** `updated_at` as ISO 8601 UTC, or null. */
  version: string | null;
}

const trimmed = (v: string | number | null | undefined): string | null => {
  if (v === null || v === undefined) return null;
  const s = String(v).trim();
  return s === '' ? null : s;
};

/** The guest's name (CONTRACT §15): `name`, else `first_name last_name`. */
export function guestNameOf(guest: ReservationCommand['guest']): string | null {
  return trimmed(guest.name) ?? trimmed([trimmed(guest.first_name), trimmed(guest.last_name)].filter(Boolean).join(' '));
}

/** Pure: the command read for its venue, or why the event fails (nothing is written then). */
export function readReservation(cmd: ReservationCommand, venue: Pick<VenueRef, 'timezone' | 'country'>): ReadReservation | { failed: string } {
  const id = String(cmd.reservation_id).trim();
  const what = `reservation ${id}`;
  const name = guestNameOf(cmd.guest);
  const email = trimmed(cmd.guest.email);
  const phone = trimmed(cmd.guest.phone);
  if (!name && !email && !phone) return { failed: `${what} has no guest: a name, an email or a phone is needed` };
  if (email && !EMAIL.test(email)) return { failed: `${what}: the guest's email "${email}" is not an email address` };
  let contact: Contact | null = null;
  if (email || phone) {
    try {
      contact = normalizeContact({ name: name ?? '', email, phone }, venue.country);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return { failed: `${what}: the guest's phone "${phone}" ${err.message.replace(/^Invalid phone: /, '').replace(/\.$/, '')}` };
    }
  }
  const startAt = tryLocalToInstant(cmd.date, cmd.time, venue.timezone);
  if (!startAt) {
    return { failed: `${what}: ${cmd.date} ${cmd.time} does not exist in ${venue.timezone} (the clocks go forward over it); fix the time and replay` };
  }
  return {
    reservationId: id,
    status: RESERVATION_STATUS_MAP[cmd.status],
    date: cmd.date,
    time: cmd.time,
    startAt,
    partySize: cmd.party_size,
    durationMinutes: cmd.duration_minutes ?? null,
    contact,
    guestName: name,
    notes: trimmed(cmd.notes ?? null),
    table: trimmed(cmd.table_number),
    version: cmd.updated_at ? new Date(cmd.updated_at).toISOString() : null,
  };
}

export interface ReservationResult {
  result: 'applied' | 'ignored';
  booking: string | null;
  /** Why it was ignored. */
  reason: string | null;
  /** What a partner manager should know about an applied one (kept without a table or a customer, …). */
  note: string | null;
}

const ignoredBecause = (reason: string, booking: string | null = null): ReservationResult => ({ result: 'ignored', booking, reason, note: null });

/** The partner the reservation came from (its name is the booking's `source`). */
export interface ReservationSource {
  partnerId: string;
  partnerName: string;
  locationId: string;
}

/** Where a sitting goes: its instants, service, table (or none) under the diary locks of its dates. */
interface Placement {
  date: string;
  time: string;
  startAt: Date;
  endAt: Date;
  partySize: number;
  serviceId: string | null;
  table: TableDef | null;
  notes: string[];
}

/**
 * Places a sitting: the venue's tables share-locked, the diary rows of the dates it touches X-locked, then
 * the bookings overlapping it read (a fresh READ COMMITTED read after the locks), and a table chosen: the
 * platform's when free, else `keep` (the booking's current table) when it fits and is free, else the best
 * free fit, else none.
 */
async function place(
  em: EntityManager,
  venue: VenueRef,
  source: ReservationSource,
  r: ReadReservation,
  keep: { bookingId: string; tableId: string | null; durationMs: number | null } | null,
): Promise<Placement> {
  const ctx = await loadDiaryContext(em, venue, { lockTables: true });
  const service = serviceAt(ctx.services, r.date, r.time);
  const minutes = r.durationMinutes ?? service?.duration_minutes ?? null;
  const durationMs = minutes !== null ? minutes * 60_000 : (keep?.durationMs ?? DEFAULT_SITTING_MINUTES * 60_000);
  const endAt = new Date(r.startAt.getTime() + durationMs);
  await lockDiaryDays(em, venue.id, claimedDates([{ from: r.startAt, to: endAt }], venue.timezone));
  const bookings = await loadBookingsOverlapping(em, venue.id, r.startAt, endAt);

  const notes: string[] = [];
  let named: TableDef | undefined;
  if (r.table) {
    const s = locationTableStatement(source.partnerId, source.locationId, r.table);
    const row = ((await em.query(s.sql, s.params)) as { id: string }[])[0];
    named = row ? ctx.tables.find((t) => t.id === row.id) : undefined;
    if (!named) notes.push(`table ${r.table} is neither a table of the venue nor an alias of the location`);
  }
  const sitting = { party_size: r.partySize, start_at: r.startAt, end_at: endAt, tables: ctx.tables, bookings, exclude_booking_id: keep?.bookingId };
  const current = keep?.tableId ? ctx.tables.find((t) => t.id === keep.tableId) : undefined;
  const fitsCurrent = current && current.min_covers <= r.partySize && r.partySize <= current.max_covers;
  const preferred = [...(named ? [named.id] : []), ...(fitsCurrent ? [current.id] : [])];
  const table = tableForSitting(sitting, preferred);
  if (named && table?.id !== named.id) notes.push(`table ${r.table} is taken at that time`);
  if (!table) {
    const end = instantToLocal(endAt, venue.timezone);
    notes.push(`no free table for ${r.partySize} on ${r.date} ${r.time}–${end.time}: kept with needs_table`);
  }
  return { date: r.date, time: r.time, startAt: r.startAt, endAt, partySize: r.partySize, serviceId: service?.id ?? null, table, notes };
}

const sameInstant = (a: Date, b: Date): boolean => a.getTime() === b.getTime();

/** The booking of a partner's reservation, locked FOR UPDATE (none yet: no lock is held under READ COMMITTED). */
async function findReservationBooking(em: EntityManager, partner: string, reservationId: string): Promise<Booking | null> {
  return em
    .createQueryBuilder(Booking, 'b')
    .where('b.external_partner = :partner AND b.external_reservation_id = :id', { partner, id: reservationId })
    .setLock('pessimistic_write')
    .getOne();
}

/**
 * Upserts the booking of a reservation (see the file's comment). `r` is readReservation's answer for the
 * command and venue. Ignored (nothing written): an older `updated_at` than the stored one, an impossible
 * status change, a reservation first seen cancelled or no-show (there is nothing to cancel).
 */
export async function applyReservation(em: EntityManager, venue: VenueRef, source: ReservationSource, r: ReadReservation, now: Date): Promise<ReservationResult> {
  const what = `reservation ${r.reservationId}`;
  const existing = await findReservationBooking(em, source.partnerName, r.reservationId);
  if (existing && existing.venueId !== venue.id) {
    return ignoredBecause(`${what} is booking ${existing.reference} of another venue; its location now names this one`);
  }
  if (existing && isOlderVersion(r.version, existing.externalVersion)) {
    return ignoredBecause(`${what}: updated_at ${r.version} is older than the stored ${existing.externalVersion}`, existing.id);
  }
  if (!existing) return createReservationBooking(em, venue, source, r, now);

  const notes: string[] = [];
  const changes: Partial<Booking> = {};
  if (r.status !== existing.status) {
    const refused = statusChangeRefusal(existing, r.status, 'pos');
    if (refused) return ignoredBecause(`${what}: ${refused}`, existing.id);
    changes.status = r.status;
  }

  // The sitting moves (or gets the table it lacked) only before the guest arrives, as any move.
  const movable = MOVABLE_STATUSES.includes(existing.status);
  const keptLength = existing.endAt.getTime() - existing.startAt.getTime();
  const resit =
    !sameInstant(r.startAt, existing.startAt) ||
    r.partySize !== existing.partySize ||
    (r.durationMinutes !== null && r.durationMinutes * 60_000 !== keptLength) ||
    r.table !== null ||
    (existing.tableId === null && holdsTable(r.status));
  if (resit && movable && holdsTable(r.status)) {
    const placed = await place(em, venue, source, r, { bookingId: existing.id, tableId: existing.tableId, durationMs: keptLength });
    notes.push(...placed.notes);
    Object.assign(changes, {
      date: placed.date, time: placed.time, startAt: placed.startAt, endAt: placed.endAt, partySize: placed.partySize,
      serviceId: placed.serviceId, tableId: placed.table?.id ?? null,
    });
  } else if (resit && !movable && (!sameInstant(r.startAt, existing.startAt) || r.partySize !== existing.partySize)) {
    notes.push(`booking ${existing.reference} is ${existing.status}: its time, party size and table stay as they are`);
  }
  const tableId = 'tableId' in changes ? (changes.tableId ?? null) : existing.tableId;
  changes.needsTable = needsTable(r.status, tableId);

  let customer: Customer | null = null;
  if (r.contact) customer = (await upsertCustomer(em, venue.id, r.contact, venue.currency, now)).customer;
  else notes.push('the guest has no email or phone: kept without a customer');
  if (customer && customer.id !== existing.customerId) changes.customerId = customer.id;
  if (r.guestName !== null) changes.guestName = r.guestName;
  if (r.notes !== existing.notes) changes.notes = r.notes;

  const changed = (Object.keys(changes) as (keyof Booking)[]).filter((k) => {
    const before = existing[k];
    const after = changes[k];
    return before instanceof Date && after instanceof Date ? before.getTime() !== after.getTime() : before !== after;
  });
  if (!changed.length) {
    // Nothing to show: the version is kept (a later, older update must still be refused), with no event.
    if (r.version !== null && r.version !== existing.externalVersion) {
      await em.update(Booking, { id: existing.id }, { externalVersion: r.version });
    }
    return { result: 'applied', booking: existing.id, reason: null, note: joinNotes(['no change', ...notes]) };
  }
  const save: Partial<Booking> = Object.fromEntries(changed.map((k) => [k, changes[k]]));
  if (r.version !== null) save.externalVersion = r.version;
  await saveBookingChange(em, existing, save, now);
  return { result: 'applied', booking: existing.id, reason: null, note: joinNotes(notes) };
}

async function createReservationBooking(em: EntityManager, venue: VenueRef, source: ReservationSource, r: ReadReservation, now: Date): Promise<ReservationResult> {
  if (!holdsTable(r.status)) {
    return ignoredBecause(`reservation ${r.reservationId} arrived ${r.status === 'no_show' ? 'as a no-show' : r.status} and was never booked here: nothing to change`);
  }
  const placed = await place(em, venue, source, r, null);
  const notes = [...placed.notes];
  let customer: Customer | null = null;
  if (r.contact) customer = (await upsertCustomer(em, venue.id, r.contact, venue.currency, now)).customer;
  else notes.push('the guest has no email or phone: kept without a customer');
  const booking = newBookingRow({
    venueId: venue.id, status: r.status, date: placed.date, time: placed.time, startAt: placed.startAt, endAt: placed.endAt,
    partySize: placed.partySize, tableId: placed.table?.id ?? null, needsTable: needsTable(r.status, placed.table?.id ?? null),
    serviceId: placed.serviceId, eventId: null, customerId: customer?.id ?? null, guestName: r.guestName, notes: r.notes,
    source: source.partnerName, externalPartner: source.partnerName, externalReservationId: r.reservationId, externalVersion: r.version,
  }, now);
  const table = placed.table ? { id: placed.table.id, number: String(placed.table.number) } : null;
  await storeNewBooking(em, booking, { table, customer }, now);
  return { result: 'applied', booking: booking.id, reason: null, note: joinNotes(notes) };
}

const joinNotes = (notes: string[]): string | null => (notes.length ? notes.join('; ') : null);
