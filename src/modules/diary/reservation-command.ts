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
import { Booking, type BookingStatus, type Customer } from '../../platform/db/entities';
import { entityManagerSession, type SqlSession } from '../../platform/db/entity-statements';
import type { SqlStatement } from '../../platform/db/session-pool';
import { bookingChanged, outboxStatement, type OutboxEntry } from '../outbox';
import type { ReservationCommand, ReservationStatusValue } from '../commands';
import { AppError } from '../../platform/app-error';
import { customerMatchManyStatement, newCustomer, normalizeContact, upsertCustomer, type Contact } from '../customers';
import { presentBooking } from './booking.view';
import { isOlderVersion } from '../../platform/source-version';
import { locationTablesStatement, locationTableStatement } from './location-tables';
import { serviceAt, tableForSitting, type ExistingBooking, type ServiceDef, type TableDef } from './availability';
import { type PickUpWaitingSales, waitingSalesProbes } from './sale-rematch';
import { holdsTable, MOVABLE_STATUSES, needsTable } from './booking-statuses';
import { saveBookingChange, statusChangeRefusal } from './change-status';
import { insertBookingStatement, newBookingRow } from './create-booking';
import { insertManageTokenStatement, newManageToken, sealedManageToken, type ManageLinks } from './manage-tokens';
import {
  bookingsOverlappingEachStatement,
  diaryContextQuery,
  type DiaryContext,
  loadBookingsOverlapping,
  loadDiaryContext,
  overlappingEach,
  type VenueRef,
} from './diary-store';
import { claimedDates, lockDiaryDays, lockDiaryDaysStatement } from './diary-locks';
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

/**
 * What applying one reservation works with besides the reservation itself: the caller's transaction, the
 * location's venue, the partner it came from, the time it is applied at, and what a new booking needs
 * (the sales waiting for it, its manage link).
 */
export interface ReservationContext {
  em: EntityManager;
  venue: VenueRef;
  source: ReservationSource;
  now: Date;
  /** Picks up the sales waiting for a new or moved booking, in its transaction (the sales' rematchSalesForBooking). */
  pickUpWaitingSales: PickUpWaitingSales;
  /** Where manage links point and how the raw token is sealed for the confirmation email. */
  links?: ManageLinks;
}

/** Where a sitting goes: its instants, service, table (or none). */
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

/** A sitting's service and end: `duration_minutes`, else the service's at that time, else what it kept, else 90 min. */
function sittingOf(ctx: DiaryContext, r: ReadReservation, keptMs: number | null): { service: ServiceDef | null; endAt: Date } {
  const service = serviceAt(ctx.services, r.date, r.time);
  const minutes = r.durationMinutes ?? service?.duration_minutes ?? null;
  const ms = minutes !== null ? minutes * 60_000 : (keptMs ?? DEFAULT_SITTING_MINUTES * 60_000);
  return { service, endAt: new Date(r.startAt.getTime() + ms) };
}

/**
 * Pure: the table a sitting gets among the bookings read under its diary locks: the platform's (`named`, the
 * venue table its table number names, or undefined) when free, else `keep` (the booking's current table) when
 * it fits and is free, else the best free fit, else none — with the notes a partner manager reads.
 */
function planPlacement(
  ctx: DiaryContext,
  venue: Pick<VenueRef, 'timezone'>,
  r: ReadReservation,
  sitting: { service: ServiceDef | null; endAt: Date },
  bookings: ExistingBooking[],
  named: { id: string } | null | undefined,
  keep: { bookingId: string; tableId: string | null } | null,
): Placement {
  const notes: string[] = [];
  const namedTable = named ? ctx.tables.find((t) => t.id === named.id) : undefined;
  if (r.table && !namedTable) notes.push(`table ${r.table} is neither a table of the venue nor an alias of the location`);
  const input = { party_size: r.partySize, start_at: r.startAt, end_at: sitting.endAt, tables: ctx.tables, bookings, exclude_booking_id: keep?.bookingId };
  const current = keep?.tableId ? ctx.tables.find((t) => t.id === keep.tableId) : undefined;
  const fitsCurrent = current && current.min_covers <= r.partySize && r.partySize <= current.max_covers;
  const table = tableForSitting(input, [...(namedTable ? [namedTable.id] : []), ...(fitsCurrent ? [current.id] : [])]);
  if (namedTable && table?.id !== namedTable.id) notes.push(`table ${r.table} is taken at that time`);
  if (!table) {
    const end = instantToLocal(sitting.endAt, venue.timezone);
    notes.push(`no free table for ${r.partySize} on ${r.date} ${r.time}–${end.time}: kept with needs_table`);
  }
  return {
    date: r.date, time: r.time, startAt: r.startAt, endAt: sitting.endAt, partySize: r.partySize, serviceId: sitting.service?.id ?? null,
    table, notes,
  };
}

/**
 * Places a sitting again (an update): the venue's tables share-locked, the diary rows of the dates it touches
 * X-locked, then the bookings overlapping it read (a fresh READ COMMITTED read after the locks).
 */
async function place(
  { em, venue, source }: ReservationContext,
  r: ReadReservation,
  keep: { bookingId: string; tableId: string | null; durationMs: number },
): Promise<Placement> {
  const ctx = await loadDiaryContext(em, venue, { lockTables: true });
  const sitting = sittingOf(ctx, r, keep.durationMs);
  await lockDiaryDays(em, venue.id, claimedDates([{ from: r.startAt, to: sitting.endAt }], venue.timezone));
  const bookings = await loadBookingsOverlapping(em, venue.id, r.startAt, sitting.endAt);
  let named: { id: string } | undefined;
  if (r.table) {
    const s = locationTableStatement(source.partnerId, source.locationId, r.table);
    named = ((await em.query(s.sql, s.params)) as { id: string }[])[0];
  }
  return planPlacement(ctx, venue, r, sitting, bookings, named, keep);
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
export async function applyReservation(context: ReservationContext, r: ReadReservation): Promise<ReservationResult> {
  const { em, venue, source, now, pickUpWaitingSales } = context;
  const what = `reservation ${r.reservationId}`;
  const existing = await findReservationBooking(em, source.partnerName, r.reservationId);
  if (existing && existing.venueId !== venue.id) {
    return ignoredBecause(`${what} is booking ${existing.reference} of another venue; its location now names this one`);
  }
  if (existing && isOlderVersion(r.version, existing.externalVersion)) {
    return ignoredBecause(`${what}: updated_at ${r.version} is older than the stored ${existing.externalVersion}`, existing.id);
  }
  if (!existing) return createReservationBooking(context, r);

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
    const placed = await place(context, r, { bookingId: existing.id, tableId: existing.tableId, durationMs: keptLength });
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
  await saveBookingChange(em, existing, save, now, pickUpWaitingSales);
  return { result: 'applied', booking: existing.id, reason: null, note: joinNotes(notes) };
}

async function createReservationBooking(context: ReservationContext, r: ReadReservation): Promise<ReservationResult> {
  if (!holdsTable(r.status)) return firstSeenOver(r);
  const { em, venue, source, now, pickUpWaitingSales, links } = context;
  const session = { run: entityManagerSession(em).run, em };
  return (await createReservationBookings(session, [{ venue, source, read: r }], now, { links, pickUpWaitingSales })).results[0]!;
}

/** A reservation first seen cancelled or as a no-show: there is nothing to cancel, and no visit to announce. */
export function firstSeenOver(r: ReadReservation): ReservationResult {
  return ignoredBecause(`reservation ${r.reservationId} arrived ${r.status === 'no_show' ? 'as a no-show' : r.status} and was never booked here: nothing to change`);
}

/** A new reservation to book (no booking has its (partner, reservation_id) yet); its status holds a table. */
export interface NewReservation {
  venue: VenueRef;
  source: ReservationSource;
  read: ReadReservation;
}

/** Where the creator's statements run: several per round trip where it can, and an EntityManager on the same transaction. */
export interface ReservationSession extends SqlSession {
  readonly em: EntityManager;
}

/** How the creator books: manage links (as the booking writer hands them out) and the caller's final statements. */
export interface BookReservationsOptions {
  /** Picks up the sales waiting for the new bookings, in their transaction (the sales' rematchSalesForBooking). */
  pickUpWaitingSales: PickUpWaitingSales;
  /** Where manage links point and how the raw token is sealed for the confirmation email (create-booking.ts does the same). */
  links?: ManageLinks;
  /**
   * The caller's statements sent with the last writes (marking the events), given the entries' results;
   * their results come back as `finished`.
   */
  finish?: (results: readonly ReservationResult[]) => SqlStatement[];
}

type CustomerRow = { email_normalized: string | null; phone: string | null };

/**
 * The statements new reservations need under the diary locks, and their reads: (a) the diary rows of every
 * sitting's dates (X-locked, venues and dates in order), then the bookings overlapping each sitting (one
 * statement: a UNION ALL branch per sitting), the guests' customer lookups (FOR UPDATE, one per venue) and the platform tables'
 * venue tables (one statement). Pure: `statements` go where the caller sends them, after the venues' tables
 * are share-locked (their services and tables are `contexts`), and `book` takes their results. Of the
 * entries, `book` books those `keep` names (a caller may plan for entries that turn out to be updates).
 */
export function planNewReservations(entries: readonly NewReservation[], contexts: ReadonlyMap<string, DiaryContext>): {
  statements: SqlStatement[];
  book(session: ReservationSession, results: readonly unknown[], keep: readonly number[], now: Date, options: BookReservationsOptions): Promise<{ results: ReservationResult[]; finished: unknown[] }>;
} {
  const venues = [...new Map(entries.map((e) => [e.venue.id, e.venue])).values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const sittings = entries.map((e) => sittingOf(contexts.get(e.venue.id)!, e.read, null));
  const ranges = entries.map((e, i) => ({ from: e.read.startAt, to: sittings[i]!.endAt }));
  const locks = venues.flatMap((v) => {
    const dates = entries.flatMap((e, i) => (e.venue.id === v.id ? claimedDates([ranges[i]!], v.timezone) : []));
    const lock = lockDiaryDaysStatement(v.id, dates);
    return lock ? [lock] : [];
  });
  // One statement for every sitting's overlapping bookings: a UNION ALL branch (a range scan) per sitting.
  const overlapRead = entries.length ? bookingsOverlappingEachStatement(entries.map((e, i) => ({ venueId: e.venue.id, ...ranges[i]! }))) : null;
  const customerReads = venues.map((v) => customerMatchManyStatement(v.id, entries.flatMap((e) => (e.venue.id === v.id && e.read.contact ? [e.read.contact] : []))));
  const withTable = entries.flatMap((e, i) => (e.read.table ? [{ i, pair: { partnerId: e.source.partnerId, locationId: e.source.locationId, table: e.read.table } }] : []));
  const tableRead = withTable.length ? locationTablesStatement(withTable.map((w) => w.pair)) : null;
  const statements = [...locks, ...(overlapRead ? [overlapRead] : []), ...customerReads.flatMap((c) => (c ? [c.statement] : [])), ...(tableRead ? [tableRead] : [])];

  return {
    statements,
    async book(session, results, keep, now, options) {
      const rows = results.slice(locks.length) as Record<string, unknown>[][];
      const overlapping = overlapRead ? overlappingEach(rows[0], entries.length) : [];
      let at = overlapRead ? 1 : 0;
      const customerRows = new Map<string, CustomerRow[]>();
      venues.forEach((v, j) => {
        if (customerReads[j]) customerRows.set(v.id, rows[at++] as unknown as CustomerRow[]);
      });
      const named: ({ id: string } | undefined)[] = entries.map(() => undefined);
      if (tableRead) for (const row of rows[at]!) named[withTable[Number(row.k)]!.i] = { id: String(row.id) };
      const returning = entries.map((e) => {
        const j = venues.findIndex((v) => v.id === e.venue.id);
        return e.read.contact !== null && customerReads[j]!.returning(customerRows.get(e.venue.id) ?? [], e.read.contact);
      });
      return bookReservations(session, keep.map((i) => ({
        entry: entries[i]!,
        ctx: contexts.get(entries[i]!.venue.id)!,
        sitting: sittings[i]!,
        overlapping: overlapping[i]!,
        named: named[i],
        returning: returning[i]!,
      })), now, options);
    },
  };
}

/** A new reservation with what was read for it under the diary locks. */
interface ReadNewReservation {
  entry: NewReservation;
  ctx: DiaryContext;
  sitting: { service: ServiceDef | null; endAt: Date };
  /** The venue's bookings overlapping its sitting. */
  overlapping: ExistingBooking[];
  /** The venue table its platform table names, if any. */
  named: { id: string } | undefined;
  /** Whether its guest's email or phone has a customer already. */
  returning: boolean;
}

/**
 * (b) Plans and writes: the placements, in order, each seeing the bookings placed before it; the guests (a
 * returning one upserted by the one customer upsert, a new one inserted with the booking; two new
 * reservations of one new guest share the customer the first makes); then in one round trip the new
 * customers', bookings' and manage tokens' INSERTs (a token for every booking whose guest has an email, as
 * the booking writer mints it, sealed into booking.created's private data for the confirmation email), the
 * probe for sales waiting for their tables and times, the outbox rows (customer.created/updated, then
 * booking.created) and the caller's `finish` statements. Should some sale wait, the outbox rows and the
 * caller's statements are rolled back to the savepoint before them and written again after the sales are
 * matched (rematchSalesForBooking), so that sale.recorded comes after the customers' events and before
 * booking.created, as on every booking path.
 */
async function bookReservations(session: ReservationSession, read: readonly ReadNewReservation[], now: Date, options: BookReservationsOptions): Promise<{ results: ReservationResult[]; finished: unknown[] }> {
  const placedSoFar = new Map<string, ExistingBooking[]>();
  const placements = read.map((x, i) => {
    const { venue, read: r } = x.entry;
    const mine = placedSoFar.get(venue.id) ?? [];
    // Of the batch's earlier placements only those overlapping this sitting can take its table (a batch spans many days).
    const start = r.startAt.getTime();
    const end = x.sitting.endAt.getTime();
    const overlappingMine = mine.filter((b) => b.start_at.getTime() < end && b.end_at.getTime() > start);
    const placed = planPlacement(x.ctx, venue, r, x.sitting, [...x.overlapping, ...overlappingMine], x.named, null);
    mine.push({
      id: `new-${i}`, table_id: placed.table?.id ?? null, start_at: placed.startAt, end_at: placed.endAt, party_size: placed.partySize,
      status: r.status, service_id: placed.serviceId, event_id: null,
    });
    placedSoFar.set(venue.id, mine);
    return placed;
  });

  const outbox: OutboxEntry[] = [];
  const inserts: SqlStatement[] = [];
  const planned = new Map<string, Customer>();
  const keysOf = (venueId: string, c: Contact) => [
    ...(c.emailNormalized ? [`${venueId}\u0000e\u0000${c.emailNormalized}`] : []),
    ...(c.phone ? [`${venueId}\u0000p\u0000${c.phone}`] : []),
  ];
  const customers: (Customer | null)[] = [];
  for (const x of read) {
    const { venue, read: r } = x.entry;
    const contact = r.contact;
    if (!contact) {
      customers.push(null);
      continue;
    }
    const keys = keysOf(venue.id, contact);
    const known = keys.map((k) => planned.get(k)).find(Boolean);
    let customer: Customer;
    if (known) customer = known;
    else if (x.returning) customer = (await upsertCustomer(session.em, venue.id, contact, venue.currency, now, outbox)).customer;
    else {
      const fresh = newCustomer(venue.id, contact, venue.currency, now);
      inserts.push(fresh.insert);
      outbox.push(fresh.created);
      customer = fresh.customer;
    }
    for (const k of keys) planned.set(k, customer);
    customers.push(customer);
  }

  const bookings = read.map((x, i) => {
    const { venue, source, read: r } = x.entry;
    const p = placements[i]!;
    return newBookingRow({
      venueId: venue.id, status: r.status, date: p.date, time: p.time, startAt: p.startAt, endAt: p.endAt, partySize: p.partySize,
      tableId: p.table?.id ?? null, needsTable: needsTable(r.status, p.table?.id ?? null), serviceId: p.serviceId, eventId: null,
      customerId: customers[i]?.id ?? null, guestName: r.guestName, notes: r.notes, source: source.partnerName,
      externalPartner: source.partnerName, externalReservationId: r.reservationId, externalVersion: r.version,
    }, now);
  });
  // Every booking with a guest email gets a manage link (CONTRACT §15), stored only as the token's hash.
  const manage = bookings.map((_, i) => (customers[i]?.email ? newManageToken() : null));
  const tables = placements.map((p) => (p.table ? { id: p.table.id, number: String(p.table.number) } : null));
  const created = bookings.map((b, i): OutboxEntry => {
    const view = presentBooking(b, { table: tables[i] ?? null, customer: customers[i] ?? null });
    return { ...bookingChanged(null, b, view), ...sealedManageToken(options.links, manage[i] ?? null) };
  });
  const results = read.map((x, i): ReservationResult => ({
    result: 'applied',
    booking: bookings[i]!.id,
    reason: null,
    note: joinNotes([...placements[i]!.notes, ...(x.entry.read.contact ? [] : ['the guest has no email or phone: kept without a customer'])]),
  }));

  const probe = waitingSalesProbes(bookings.map((booking, i) => ({ booking, tableNumber: tables[i]?.number ?? null })));
  const writes = [
    ...multiRow(inserts),
    ...multiRow(bookings.map(insertBookingStatement)),
    ...multiRow(manage.flatMap((m, i) => (m ? [insertManageTokenStatement(m.hash, bookings[i]!.id, now)] : []))),
  ];
  const finish = options.finish?.(results) ?? [];
  const last = (entries: OutboxEntry[]) => {
    const statement = outboxStatement(entries, now);
    return [...(statement ? [statement] : []), ...finish];
  };
  const final = last([...outbox, ...created]);
  const probed = probe ? [probe, { sql: `SAVEPOINT ${OUTBOX_SAVEPOINT}`, params: [] }] : [];
  const sent = await session.run([...writes, ...probed, ...final]);
  const waiting = bookings.map(() => false);
  if (probe) for (const row of sent[writes.length] as { k: unknown }[]) waiting[Number(row.k)] = true;
  if (!waiting.some(Boolean)) return { results, finished: sent.slice(writes.length + probed.length + (final.length - finish.length)) };

  // Sales they take over announce sale.recorded: after the customers' events, before booking.created.
  const customersOutbox = outboxStatement(outbox, now);
  await session.run([{ sql: `ROLLBACK TO SAVEPOINT ${OUTBOX_SAVEPOINT}`, params: [] }, ...(customersOutbox ? [customersOutbox] : [])]);
  for (const [i, b] of bookings.entries()) if (waiting[i]) await options.pickUpWaitingSales(session.em, b, now);
  const again = last(created);
  return { results, finished: (await session.run(again)).slice(again.length - finish.length) };
}

const OUTBOX_SAVEPOINT = 'new_reservations_outbox';

/**
 * Books new reservations (one, or the many of a batch of events: command-handlers.ts applyReservationBatch)
 * in the caller's transaction, the way POST /bookings does for its own: (1) each venue's services and tables
 * (share-locked), unless the caller read them already (`contexts`); (2) the diary locks and the reads under
 * them; (3) the writes (planNewReservations). Returns each one's result and the results of the caller's
 * `finish` statements, sent with the last writes.
 */
export async function createReservationBookings(
  session: ReservationSession,
  entries: readonly NewReservation[],
  now: Date,
  options: BookReservationsOptions & { contexts?: ReadonlyMap<string, DiaryContext> },
): Promise<{ results: ReservationResult[]; finished: unknown[] }> {
  const venues = [...new Map(entries.map((e) => [e.venue.id, e.venue])).values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const contexts = new Map<string, DiaryContext>(options.contexts ?? []);
  const missing = venues.filter((v) => !contexts.has(v.id));
  const queries = missing.map((v) => diaryContextQuery(v, { lockTables: true, split: true }));
  const first = queries.length ? await session.run(queries.flatMap((q) => q.statements)) : [];
  let at = 0;
  missing.forEach((v, i) => {
    const n = queries[i]!.statements.length;
    contexts.set(v.id, queries[i]!.parse(first.slice(at, at + n)));
    at += n;
  });
  const plan = planNewReservations(entries, contexts);
  const read = plan.statements.length ? await session.run(plan.statements) : [];
  return plan.book(session, read, entries.map((_, i) => i), now, options);
}

const joinNotes = (notes: string[]): string | null => (notes.length ? notes.join('; ') : null);

/**
 * Single-row INSERTs of one table (the same SQL, `… VALUES (?, …)`) as one multi-row INSERT: one statement
 * for the database to parse and one pass over the indexes' pages instead of one per row.
 */
function multiRow(inserts: readonly SqlStatement[]): SqlStatement[] {
  if (inserts.length < 2) return [...inserts];
  const sql = inserts[0]!.sql;
  const at = sql.lastIndexOf('VALUES');
  if (at < 0 || inserts.some((i) => i.sql !== sql)) return [...inserts];
  const row = sql.slice(at + 'VALUES'.length).trim();
  return [{ sql: `${sql.slice(0, at)}VALUES ${inserts.map(() => row).join(', ')}`, params: inserts.flatMap((i) => i.params) }];
}
