import { randomInt } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Booking } from '../../db/entities';
import { writeOutbox } from '../../outbound/outbox';
import { newId } from '../../shared/ids';
import { rematchSalesForBooking } from '../sales/match-sale';
import { normalizeContact, upsertCustomer } from '../customers/upsert-customer';
import { checkSlot, type CheckSlotInput } from './availability';
import { presentOneBooking } from './load-booking';
import { engineInput, loadBookingsNear, loadDiaryContext, lockDiary, slotUnavailable, type VenueRef } from './venue-context';

export interface NewBooking {
  date: string;
  time: string;
  party_size: number;
  customer_name: string;
  email?: string | null;
  phone?: string | null;
  notes?: string | null;
  service_id?: string | null;
  event_id?: string | null;
  table_id?: string | null;
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

/**
 * Books a table. Run inside inDiaryTransaction(): locks the venue's diary, re-reads the day's bookings,
 * checks the slot with the same engine as GET /availability, upserts the customer (as POST /customers
 * does), inserts the booking, matches waiting sales to it and writes booking.created, all in one
 * transaction. Bad input → 400 validation_error; a full slot → 422 slot_unavailable with alternatives.
 */
export async function createBooking(em: EntityManager, venue: VenueRef, input: NewBooking, now = new Date()): Promise<Record<string, unknown>> {
  const contact = normalizeContact({ name: input.customer_name, email: input.email, phone: input.phone }, venue.country);

  await lockDiary(em, venue.id);
  const ctx = await loadDiaryContext(em, venue);
  const bookings = await loadBookingsNear(em, venue.id, input.date, venue.timezone);
  const check: CheckSlotInput = {
    ...engineInput(ctx, bookings, { date: input.date, party_size: input.party_size, service_id: input.service_id, event_id: input.event_id }, now),
    time: input.time,
    table_id: input.table_id,
  };
  const slot = checkSlot(check);
  if (!slot.ok) throw slotUnavailable(check, slot.reason);

  const { customer } = await upsertCustomer(em, venue.id, contact, venue.currency, now);
  const booking = em.create(Booking, {
    id: newId('bk'), venueId: venue.id, reference: newReference(), status: 'confirmed', date: slot.date, time: slot.time,
    startAt: slot.start_at, endAt: slot.end_at, partySize: input.party_size, tableId: slot.table_id,
    serviceId: slot.service_id, eventId: slot.event_id, customerId: customer.id, notes: input.notes ?? null,
    source: input.source ?? 'api', version: 1, createdAt: now, updatedAt: now,
  });
  for (let attempt = 0; ; attempt++) {
    try {
      await em.insert(Booking, booking);
      break;
    } catch (err) {
      if (!isDuplicateReference(err) || attempt >= 4) throw err;
      booking.reference = newReference();
    }
  }

  await rematchSalesForBooking(em, booking, now);
  const view = await presentOneBooking(em, booking);
  await writeOutbox(em, { venueId: venue.id, event: 'booking.created', resourceId: booking.id, resourceVersion: 1, data: view }, now);
  return view;
}
