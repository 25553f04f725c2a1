import { Booking, type Customer } from '../../platform/db/entities';
import type { SessionPool, SqlStatement, SqlTransaction } from '../../platform/db/session-pool';
import type { CreateBookingBody } from './booking-input';
import { bookingChanged, outboxStatement, writeOutbox, type OutboxEntry } from '../outbox';
import { AppError } from '../../platform/app-error';
import { newId, randomChars } from '../../platform/ids';
import { customerMatchStatements, newCustomer, normalizeContact, upsertCustomer, type Contact } from '../customers';
import { presentBooking, type BookedView } from './booking.view';
import { planSlot, type CheckSlotInput, type ExistingBooking, type SlotCheck } from './availability';
import { diaryDigestStatements, type VenueLayoutCache } from './venue-layout-cache';
import { type PickUpWaitingSales, waitingSalesProbe } from './sale-rematch';
import { requestExpiry, requestHoldHours } from './request-hold';
import { becomesRequest, checkVenueRules, type VenueRules } from './venue-rules';
import {
  bookingsForCheckStatement,
  engineInput,
  loadBookingsNear,
  type DiaryContext,
  slotUnavailable,
  type VenueRef,
} from './diary-store';
import { claimedDates, lockDiaryDaysStatement } from './diary-locks';
import { isDeadlock, isDuplicateKey } from '../../platform/db/db-errors';
import { insertManageTokenStatement, manageUrl, newManageToken, sealedManageToken, type ManageLinks } from './manage-tokens';

/** The API's booking request, plus where it came from. */
export interface NewBooking extends CreateBookingBody {
  /** @defaultValue 'api' */
  source?: string;
  /** The booking channel whose key makes it (CONTRACT §11): its key sees only these. */
  channelId?: string | null;
  /**
   * The venue's rules, for callers bound by them (the widget, channel keys: CONTRACT §15): a party size or
   * date they refuse is refused before anything is read; a party above max_instant_party_size, or a slot
   * of a service that requires approval, becomes a request.
   */
  venueRules?: VenueRules | null;
}

// No 0/O or 1/I, so a reference read over the phone is unambiguous. 32^6 ≈ 10^9 references.
const REFERENCE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

export function newReference(): string {
  return `TS-${randomChars(REFERENCE_ALPHABET, 6)}`;
}

const isDuplicateReference = (err: unknown): boolean => isDuplicateKey(err, 'uq_bookings_reference');
const isDuplicateCustomer = (err: unknown): boolean =>
  isDuplicateKey(err, 'uq_customers_venue_email') || isDuplicateKey(err, 'uq_customers_venue_phone');

/**
 * POST /bookings: createBooking in its diary transaction (READ COMMITTED, on a connection of the session
 * pool); a deadlock victim is rolled back and run again, as inDiaryTransaction does. Bad contact details →
 * 400 before any transaction starts.
 */
export async function bookTable(
  sessions: SessionPool,
  venue: VenueRef,
  input: NewBooking,
  pickUpWaitingSales: PickUpWaitingSales,
  layouts: VenueLayoutCache,
  now = new Date(),
  links?: ManageLinks,
): Promise<BookedView> {
  const contact = normalizeContact({ name: input.customer_name, email: input.email, phone: input.phone }, venue.country);
  if (input.venueRules) checkVenueRules(input.venueRules, input, venue.timezone, now);
  let useKept = true;
  for (let attempt = 1; ; attempt++) {
    try {
      return await sessions.transaction('READ COMMITTED', (tx) => createBooking(tx, venue, input, contact, pickUpWaitingSales, layouts, now, useKept, links));
    } catch (err) {
      // The venue changed since it was kept: it starts again from the rows (and does not count as an attempt).
      if (err instanceof StaleDiary && useKept) {
        useKept = false;
        attempt--;
        continue;
      }
      if (!isDeadlock(err) || attempt >= 3) throw err;
    }
  }
}

/**
 * Books a table in one READ COMMITTED transaction: reads the venue's tables under a shared lock, locks the
 * diary for the dates the booking can claim, re-reads the bookings near its date, checks the slot with the
 * same engine as GET /availability, upserts the customer (as POST /customers does), inserts the booking
 * (a request, `input.request`, the same way with status `requested` and its expires_at), matches waiting
 * sales to it and writes booking.created (booking.requested). A full slot → 422 slot_unavailable with
 * alternatives (and nothing written).
 *
 * Two phases, so that several bookings can share one transaction (booking-writer.ts): prepareBooking
 * reads and locks (nothing it does needs undoing when it refuses the booking), writeBooking writes.
 */
export async function createBooking(
  tx: SqlTransaction,
  venue: VenueRef,
  input: NewBooking,
  contact: Contact,
  pickUpWaitingSales: PickUpWaitingSales,
  layouts: VenueLayoutCache,
  now = new Date(),
  useKept = true,
  links?: ManageLinks,
): Promise<BookedView> {
  return writeBooking(tx, await prepareBooking(tx, venue, input, contact, now, { useKept, links, pickUpWaitingSales, layouts }));
}

/** A booking checked under its diary locks, ready to be written (prepareBooking → writeBooking). */
export interface PreparedBooking {
  venue: VenueRef;
  input: NewBooking;
  contact: Contact;
  now: Date;
  unbooked: CheckSlotInput;
  slot: Extract<SlotCheck, { ok: true }>;
  /** The customer lookups' rows (customerMatchStatements), one array per lookup. */
  customerRows: unknown[][];
  links?: ManageLinks;
  /** Picks up the sales waiting for the new booking, in its transaction (the sales' rematchSalesForBooking, handed in by the composition root). */
  pickUpWaitingSales: PickUpWaitingSales;
}

export interface PrepareOptions {
  /** Picks up the sales waiting for the new booking, in its transaction (the sales' rematchSalesForBooking, handed in by the composition root). */
  pickUpWaitingSales: PickUpWaitingSales;
  /** The app's kept services and tables of each venue (venue-layout-cache.ts, AppDeps.venueLayouts). */
  layouts: VenueLayoutCache;
  /** Plan with the venue's kept services and tables (venue-layout-cache.ts). @defaultValue true */
  useKept?: boolean;
  /**
   * For a transaction shared with other bookings (booking-writer.ts): called with the diary dates the
   * booking is about to lock; false (another booking of the transaction has one of them) → DiaryDatesTaken,
   * thrown before the locks are sent.
   */
  claimDates?: (venueId: string, dates: readonly string[]) => boolean;
  /**
   * Where manage links point and how the raw token is sealed for the email subscriber (manage-tokens.ts).
   * Without it the booking still gets its token (its hash), but the answer's `manage_url` is a path and
   * the confirmation email mints a link of its own.
   */
  links?: ManageLinks;
}

/**
 * The first phase: the statements go in one round trip, in the same order as one by one: the
 * transaction's start, the venue's services and tables (tables share-locked), the diary locks, then the
 * bookings (a fresh READ COMMITTED read, after the locks) and the customer lookups. It plans with the
 * venue's services and tables as kept from an earlier booking, checked against the rows it reads
 * (venue-layout-cache.ts); with nothing kept, or an event, the rows are read first and the locks and bookings
 * follow in a round trip of their own. It only reads and takes locks: a refused booking (422, 400,
 * StaleDiary, DiaryDatesTaken) leaves nothing to undo.
 */
export async function prepareBooking(
  tx: SqlTransaction,
  venue: VenueRef,
  input: NewBooking,
  contact: Contact,
  now: Date,
  options: PrepareOptions,
): Promise<PreparedBooking> {
  const query = { date: input.date, party_size: input.party_size, service_id: input.service_id, event_id: input.event_id };
  const lookups = customerMatchStatements(venue.id, contact);
  const planFor = (ctx: DiaryContext) => {
    const unbooked: CheckSlotInput = { ...engineInput(ctx, [], query, now), time: input.time, table_id: input.table_id };
    const plan = planSlot(unbooked);
    const dates = claimedDates(plan.claims, venue.timezone);
    return { unbooked, plan, dates, lock: lockDiaryDaysStatement(venue.id, dates), bookings: bookingsForCheckStatement(venue.id, unbooked, plan.claims) };
  };
  const claim = (dates: readonly string[]) => {
    if (options.claimDates && !options.claimDates(venue.id, dates)) throw new DiaryDatesTaken();
  };

  // With the venue's services and tables kept (venue-layout-cache.ts) the plan is made from them, and the first
  // round trip reads the services and share-locks the tables (their digest only), takes the diary locks
  // and reads the bookings, in that order; should they show another venue than the plan's, it all
  // starts again from the rows. Otherwise (nothing kept, an event, a request the kept venue refuses) the
  // rows come first and the locks and bookings in a second round trip.
  const kept = input.event_id || options.useKept === false ? null : options.layouts.kept(venue); // events are not kept
  let step = kept ? planOrNull(() => planFor(kept.ctx)) : null;
  let read: unknown[];
  if (kept && step) {
    claim(step.dates);
    read = await tx.run([...diaryDigestStatements(venue), ...(step.lock ? [step.lock] : []), step.bookings, ...lookups]);
    if (!options.layouts.isCurrent(venue, kept, read.splice(0, 2))) throw new StaleDiary();
  } else {
    step = planFor(await options.layouts.loadLocked(tx.run, venue, input.event_id));
    claim(step.dates);
    read = await tx.run([...(step.lock ? [step.lock] : []), step.bookings, ...lookups]);
  }
  const { unbooked, plan } = step;
  if (step.lock) read.shift();
  const bookings = read.shift() as ExistingBooking[];
  const slot = plan.check(bookings);
  if (!slot.ok) {
    // The alternatives look at the whole day.
    throw slotUnavailable({ ...unbooked, bookings: await loadBookingsNear(tx.em, venue.id, input.date, venue.timezone) }, slot.reason);
  }
  return { venue, input, contact, now, unbooked, slot, customerRows: read as unknown[][], links: options.links, pickUpWaitingSales: options.pickUpWaitingSales };
}

/**
 * The second phase: (2) the customer's and the booking's INSERTs and the probe for waiting sales in one
 * round trip; (3) the outbox rows, sent with the COMMIT. A returning customer, a waiting sale, a
 * duplicate reference or a concurrent insert of the same new customer take extra steps on the same
 * connection and transaction. `shared` (a transaction shared with other bookings): any database error is
 * thrown as it is, since the transaction is rolled back and each booking tried alone.
 */
export async function writeBooking(tx: SqlTransaction, prepared: PreparedBooking, shared = false): Promise<BookedView> {
  const { venue, input, contact, now, unbooked, slot } = prepared;
  // customer.created/updated is written with booking.created in one statement, ahead of it as before.
  const outbox: OutboxEntry[] = [];
  let customer: Customer | null = null;
  let customerInsert: SqlStatement | null = null;
  if (prepared.customerRows.some((rows) => rows.length > 0)) {
    customer = (await upsertCustomer(tx.em, venue.id, contact, venue.currency, now, outbox)).customer;
  } else {
    const fresh = newCustomer(venue.id, contact, venue.currency, now);
    customer = fresh.customer;
    customerInsert = fresh.insert;
    outbox.push(fresh.created);
  }

  // A request holds its table exactly as a booking does, until it is answered or expires_at passes.
  // The slot's service as the plan read it (an event's booking has none): its requires_approval with it.
  const service = unbooked.services.find((s) => s.id === slot.service_id) ?? null;
  const request = input.request === true || (!!input.venueRules && becomesRequest(input.venueRules, input.party_size, service));
  const expiresAt = request ? requestExpiry(now, await requestHoldHours(tx.em, venue.id), slot.start_at) : null;
  const booking = newBookingRow({
    venueId: venue.id, status: request ? 'requested' : 'confirmed', date: slot.date, time: slot.time,
    startAt: slot.start_at, endAt: slot.end_at, expiresAt, partySize: input.party_size, tableId: slot.table_id,
    serviceId: slot.service_id, eventId: slot.event_id, customerId: customer.id, notes: input.notes ?? null,
    source: input.source ?? 'api', channelId: input.channelId ?? null,
  }, now);
  const table = unbooked.tables.find((t) => t.id === booking.tableId);
  const tableNumber = table ? String(table.number) : null;
  const probe = waitingSalesProbe(booking, tableNumber);
  // Every booking with a guest email gets a manage link (CONTRACT §15), stored only as the token's hash.
  const manage = customer.email ? newManageToken() : null;

  let waiting = false;
  for (let attempt = 0; ; attempt++) {
    try {
      const written = await tx.run([
        ...(customerInsert ? [customerInsert] : []),
        insertBookingStatement(booking),
        ...(manage ? [insertManageTokenStatement(manage.hash, booking.id, now)] : []),
        ...(probe ? [probe] : []),
      ]);
      waiting = probe !== null && (written[written.length - 1] as unknown[]).length > 0;
      break;
    } catch (err) {
      if (shared) throw err;
      if (customerInsert && isDuplicateCustomer(err)) {
        // Someone inserted this email/phone since we looked: match again (READ COMMITTED sees it), as upsertCustomer does.
        outbox.length = 0;
        customer = (await upsertCustomer(tx.em, venue.id, contact, venue.currency, now, outbox)).customer;
        booking.customerId = customer.id;
      } else if (isDuplicateReference(err) && attempt < 4) {
        booking.reference = newReference();
      } else {
        throw err;
      }
      // The customer's INSERT ran (or was replaced by the upsert) before the statement that failed.
      customerInsert = null;
    }
  }

  if (waiting) {
    // Sales it takes over announce sale.recorded: after the customer's event, before booking.created.
    await writeOutbox(tx.em, outbox.splice(0), now);
    await prepared.pickUpWaitingSales(tx.em, booking, now);
  }
  const view = presentBooking(booking, { table: table ? { id: table.id, number: tableNumber! } : null, customer });
  const { links } = prepared;
  outbox.push({ ...bookingChanged(null, booking, view), ...sealedManageToken(links, manage) });
  tx.beforeCommit([outboxStatement(outbox, now)!]);
  return { ...view, manage_url: manage ? manageUrl(links?.publicUrl ?? '', manage.token) : null };
}

/** The kept venue changed under a booking that planned with it: it starts again from the rows. */
export class StaleDiary extends Error {}

/** Another booking of the shared transaction locks one of this booking's diary dates: it waits for another transaction. */
export class DiaryDatesTaken extends Error {}

/** The plan, or null when the request is refused (400): that answer is given from the rows, not from what is kept. */
function planOrNull<T>(plan: () => T): T | null {
  try {
    return plan();
  } catch (err) {
    if (err instanceof AppError) return null;
    throw err;
  }
}

/** What a creator decides about a new booking; the rest (id, reference, version, times) is the same for every one. */
export type NewBookingFields = Pick<Booking,
  'venueId' | 'status' | 'date' | 'time' | 'startAt' | 'endAt' | 'partySize' | 'tableId' | 'serviceId' | 'eventId' | 'customerId' |
  'notes' | 'source'> &
  Partial<Pick<Booking, 'expiresAt' | 'channelId' | 'needsTable' | 'guestName' | 'externalPartner' | 'externalReservationId' | 'externalVersion'>>;

/** A new booking row as every creator makes it (POST /bookings, a booking platform's reservation). */
export function newBookingRow(fields: NewBookingFields, now: Date): Booking {
  return Object.assign(new Booking(), {
    expiresAt: null, declineReason: null, channelId: null,
    needsTable: false, guestName: null, externalPartner: null, externalReservationId: null, externalVersion: null,
    ...fields,
    id: newId('bk'), reference: newReference(), version: 1, createdAt: now, updatedAt: now,
  } satisfies Booking);
}

/** The INSERT of a new booking row. */
export function insertBookingStatement(b: Booking): SqlStatement {
  return {
    sql: `INSERT INTO bookings (id, venue_id, reference, status, date, time, start_at, end_at, expires_at, party_size, table_id, needs_table,
       service_id, event_id, customer_id, guest_name, notes, source, channel_id, external_partner, external_reservation_id, external_version,
       version, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    params: [b.id, b.venueId, b.reference, b.status, b.date, b.time, b.startAt, b.endAt, b.expiresAt, b.partySize, b.tableId, b.needsTable,
      b.serviceId, b.eventId, b.customerId, b.guestName, b.notes, b.source, b.channelId, b.externalPartner, b.externalReservationId,
      b.externalVersion, b.version, b.createdAt, b.updatedAt],
  };
}
