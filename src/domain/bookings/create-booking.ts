import { randomInt } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { Booking } from '../../db/entities';
import type { CreateBookingBody } from '../../http/schemas/booking.schema';
import type { OutboxEntry } from '../../outbound/outbox';
import { newId } from '../../shared/ids';
import { normalizeContact, upsertCustomer } from '../customers/upsert-customer';
import { presentBooking } from '../views/booking.view';
import { checkSlot, slotClaims, type CheckSlotInput } from './availability';
import { hasWaitingSales, writeOutboxRows } from './booking-sales';
import { rematchSalesForBooking } from '../sales/match-sale';
import {
  claimedDates,
  engineInput,
  inDiaryTransaction,
  loadBookingsForCheck,
  loadBookingsNear,
  loadDiaryContext,
  lockDiaryDays,
  slotUnavailable,
  type VenueRef,
} from './venue-context';

/** The API's booking request, plus where it came from. */
export interface NewBooking extends CreateBookingBody {
  /** @defaultValue 'api' */
  source?: string;
}

// No 0/O or 1/I, so a reference read over the phone is unambiguous. 32^6 ≈ 10^9 references.
const REFERENCE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

export function newReference(): string {
  let s = 'TS-';
  for (let i = 0; i < 6; i++) s += REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)];
  return s;
}

const isDuplicateReference = (err: unknown): boolean => {
  const e = (err as { driverError?: { code?: string; sqlMessage?: string } }).driverError;
  return e?.code === 'ER_DUP_ENTRY' && (e.sqlMessage ?? '').includes('uq_bookings_reference');
};

/** POST /bookings: createBooking in its diary transaction. */
export async function bookTable(dataSource: DataSource, venue: VenueRef, input: NewBooking, now = new Date()): Promise<Record<string, unknown>> {
  return inDiaryTransaction(dataSource, (tx) => createBooking(tx, venue, input, now));
}

/**
 * Books a table. Run inside inDiaryTransaction(): reads the venue's tables under a shared lock, locks the
 * diary for the dates the booking can claim,
 * re-reads the bookings near its date, checks the slot with the same engine as GET /availability, upserts
 * the customer (as POST /customers does), inserts the booking, matches waiting sales to it and writes
 * booking.created, all in one transaction. Bad input → 400 validation_error (before any lock); a full
 * slot → 422 slot_unavailable with alternatives (and nothing written).
 */
export async function createBooking(
  em: EntityManager,
  venue: VenueRef,
  input: NewBooking,
  now = new Date(),
): Promise<Record<string, unknown>> {
  const contact = normalizeContact({ name: input.customer_name, email: input.email, phone: input.phone }, venue.country);
  const ctx = await loadDiaryContext(em, venue, { eventId: input.event_id, lockTables: true });
  const query = { date: input.date, party_size: input.party_size, service_id: input.service_id, event_id: input.event_id };
  const unbooked: CheckSlotInput = { ...engineInput(ctx, [], query, now), time: input.time, table_id: input.table_id };

  const claims = slotClaims(unbooked);
  await lockDiaryDays(em, venue.id, claimedDates(claims, venue.timezone));
  const slot = checkSlot({ ...unbooked, bookings: await loadBookingsForCheck(em, venue.id, unbooked, claims) });
  if (!slot.ok) {
    // The alternatives look at the whole day.
    throw slotUnavailable({ ...unbooked, bookings: await loadBookingsNear(em, venue.id, input.date, venue.timezone) }, slot.reason);
  }

  // customer.created/updated is written with booking.created in one statement, ahead of it as before.
  const outbox: OutboxEntry[] = [];
  const { customer } = await upsertCustomer(em, venue.id, contact, venue.currency, now, outbox);
  const booking = em.create(Booking, {
    id: newId('bk'), venueId: venue.id, reference: newReference(), status: 'confirmed', date: slot.date, time: slot.time,
    startAt: slot.start_at, endAt: slot.end_at, partySize: input.party_size, tableId: slot.table_id,
    serviceId: slot.service_id, eventId: slot.event_id, customerId: customer.id, notes: input.notes ?? null,
    source: input.source ?? 'api', version: 1, createdAt: now, updatedAt: now,
  });
  for (let attempt = 0; ; attempt++) {
    try {
      await insertBooking(em, booking);
      break;
    } catch (err) {
      if (!isDuplicateReference(err) || attempt >= 4) throw err;
      booking.reference = newReference();
    }
  }

  const table = ctx.tables.find((t) => t.id === booking.tableId);
  const tableNumber = table ? String(table.number) : null;
  if (await hasWaitingSales(em, booking, tableNumber)) {
    // Sales it takes over announce sale.recorded: after the customer's event, before booking.created.
    await writeOutboxRows(em, outbox.splice(0), now);
    await rematchSalesForBooking(em, booking, now);
  }
  const view = presentBooking(booking, { table: table ? { id: table.id, number: tableNumber! } : null, customer });
  outbox.push({ venueId: venue.id, event: 'booking.created', resourceId: booking.id, resourceVersion: 1, data: view });
  await writeOutboxRows(em, outbox, now);
  return view;
}

function insertBooking(em: EntityManager, b: Booking): Promise<unknown> {
  return em.query(
    `INSERT INTO bookings (id, venue_id, reference, status, date, time, start_at, end_at, party_size, table_id, service_id,
       event_id, customer_id, notes, source, version, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [b.id, b.venueId, b.reference, b.status, b.date, b.time, b.startAt, b.endAt, b.partySize, b.tableId, b.serviceId,
      b.eventId, b.customerId, b.notes, b.source, b.version, b.createdAt, b.updatedAt],
  );
}
