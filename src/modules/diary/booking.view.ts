import type { Booking, Customer, VenueTable } from '../../platform/db/entities';
import { BOOKING_STATUSES } from './booking-statuses';
import { DATE, HHMM, type View } from '../../platform/json-schema';

/** A booking's status (CONTRACT §2), as the booking object and `PATCH /bookings/:id` describe it. */
export const BOOKING_STATUS_SCHEMA = {
  type: 'string',
  enum: [...BOOKING_STATUSES],
  description:
    'requested → confirmed (approved) | declined | expired | cancelled; pending → confirmed → seated → completed; ' +
    'cancelled and no_show from pending or confirmed. completed, cancelled, no_show, declined and expired are final.',
  example: 'seated',
} as const;

const NULLABLE_STRING = { type: ['string', 'null'] } as const;

/** The booking object (CONTRACT §2): what presentBooking renders, and what the OpenAPI document publishes. */
export const bookingSchema = {
  $id: 'Booking',
  type: 'object',
  required: [
    'id', 'reference', 'status', 'date', 'time', 'start_at', 'end_at', 'party_size', 'table', 'service_id', 'event_id',
    'customer', 'notes', 'source', 'created_at', 'updated_at',
  ],
  properties: {
    id: { type: 'string', example: 'bk_0mhv2k1q3a8x4n2p7r9t1c' },
    reference: { type: 'string', pattern: '^TS-[0-9A-Z]{6}$', description: 'Short reference for humans; accepted wherever the id is.', example: 'TS-7K3M9Q' },
    status: BOOKING_STATUS_SCHEMA,
    date: DATE,
    time: HHMM,
    start_at: { type: 'string', format: 'date-time', example: '2026-05-01T18:00:00.000Z' },
    end_at: { type: 'string', format: 'date-time', example: '2026-05-01T19:30:00.000Z' },
    expires_at: {
      type: ['string', 'null'],
      format: 'date-time',
      description: 'A request\'s end: past it, unanswered, it becomes `expired` and frees its table. Null for other bookings.',
    },
    party_size: { type: 'integer', example: 4 },
    table: {
      type: ['object', 'null'],
      properties: { id: { type: 'string' }, number: { type: ['integer', 'string'], example: 12 } },
    },
    needs_table: {
      type: 'boolean',
      description: 'A booking platform\'s reservation kept without a table (none was free): the diary lists it apart until `PATCH {table_id}` gives it one.',
    },
    service_id: NULLABLE_STRING,
    event_id: NULLABLE_STRING,
    customer: {
      type: ['object', 'null'],
      properties: { id: { type: 'string' }, name: { type: 'string' }, email: NULLABLE_STRING, phone: NULLABLE_STRING },
    },
    guest_name: { type: ['string', 'null'], description: 'The guest\'s name: the customer\'s, else the name a booking platform sent for a guest without email or phone (kept with `customer: null`).' },
    notes: NULLABLE_STRING,
    decline_reason: { type: ['string', 'null'], description: 'Why a declined request was declined.' },
    source: { type: 'string', example: 'api', description: 'Where the booking came from: `api`, `widget`, `console`, `channel:<name>`, or a booking platform partner\'s name.' },
    external: {
      type: ['object', 'null'],
      description: 'For a booking made from a booking platform\'s reservation (CONTRACT §12): the partner and its reservation id.',
      required: ['partner', 'reservation_id'],
      properties: { partner: { type: 'string', example: 'sevenrooms' }, reservation_id: { type: 'string', example: 'ahNzfnNldmVucm9vbXMt' } },
    },
    venue_id: { type: 'string' },
    version: { type: 'integer', description: 'Goes up by one on every change.' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
} as const;

export type BookingView = View<typeof bookingSchema>;

/**
 * A booking just made, as the booking writer answers and `POST /api/v1/bookings` sends it (201): the booking
 * object and the guest's manage link (CONTRACT §15: every booking with a guest email has one; null without a
 * guest email).
 */
export const bookedSchema = {
  ...bookingSchema,
  $id: 'BookedBooking',
  required: [...bookingSchema.required, 'manage_url'],
  properties: {
    ...bookingSchema.properties,
    manage_url: {
      type: ['string', 'null'],
      description: "The guest's page to view, move or cancel (`PUBLIC_URL/manage/<token>`); null when the guest gave no email. Shown in this answer only.",
      example: 'https://book.example.com/manage/3q2-7wT…',
    },
  },
} as const;

export type BookedView = View<typeof bookedSchema>;

/** Table numbers are stored as text; numeric ones go out as numbers, as they came in. */
export function tableNumberOut(n: string): number | string;
export function tableNumberOut(n: string | null): number | string | null;
export function tableNumberOut(n: string | null): number | string | null {
  if (n === null) return null;
  return /^(0|[1-9]\d{0,14})$/.test(n) ? Number(n) : n;
}

export interface BookingRelations {
  table: Pick<VenueTable, 'id' | 'number'> | null;
  customer: Pick<Customer, 'id' | 'name' | 'email' | 'phone'> | null;
}

/** The contract's booking object (CONTRACT §2). */
export function presentBooking(b: Booking, rel: BookingRelations): BookingView {
  return {
    id: b.id,
    reference: b.reference,
    status: b.status,
    date: b.date,
    time: b.time,
    start_at: b.startAt.toISOString(),
    end_at: b.endAt.toISOString(),
    // A request's end (CONTRACT §11); null for other bookings (and once a request is approved).
    expires_at: b.expiresAt ? b.expiresAt.toISOString() : null,
    party_size: b.partySize,
    table: rel.table ? { id: rel.table.id, number: tableNumberOut(rel.table.number) } : null,
    needs_table: b.needsTable,
    service_id: b.serviceId,
    event_id: b.eventId,
    customer: rel.customer
      ? { id: rel.customer.id, name: rel.customer.name, email: rel.customer.email, phone: rel.customer.phone }
      : null,
    // The guest's name: the customer's, else the name a booking platform sent for a guest kept without a customer.
    guest_name: rel.customer?.name ?? b.guestName ?? null,
    notes: b.notes,
    decline_reason: b.declineReason,
    source: b.source,
    external: b.externalPartner && b.externalReservationId ? { partner: b.externalPartner, reservation_id: b.externalReservationId } : null,
    venue_id: b.venueId,
    version: b.version,
    created_at: b.createdAt.toISOString(),
    updated_at: b.updatedAt.toISOString(),
  };
}
