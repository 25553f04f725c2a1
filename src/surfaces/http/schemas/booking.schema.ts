import type { FromSchema } from 'json-schema-to-ts';
import { BOOKING_STATUSES, BOOKING_STATUS_SCHEMA, bookedSchema, bookingSchema } from '../../../modules/diary';
import { bookingDetailSchema } from '../../../modules/sales';
import { EVENT_ID, PARTY_SIZE, SERVICE_ID, TABLE_ID } from './availability.schema';
import { DATE, HHMM } from './common.schema';
import { EMAIL, PERSON_NAME, PHONE } from './customer.schema';
import { PAGINATION_QUERY_PROPERTIES } from './pagination.schema';

const NOTES = { type: ['string', 'null'], maxLength: 2000, description: 'Free text for the venue.', example: 'Window seat, one high chair.' } as const;
const STATUS = BOOKING_STATUS_SCHEMA;

/** `POST /api/v1/bookings` body (the domain's own input type: src/modules/diary/booking-input.ts). */
export const createBookingSchema = {
  $id: 'CreateBooking',
  type: 'object',
  additionalProperties: false,
  required: ['date', 'time', 'party_size', 'customer_name'],
  properties: {
    date: { ...DATE, description: 'Venue-local date.' },
    time: { ...HHMM, description: 'Venue-local start time; must be a slot of a service (or of the event).' },
    party_size: PARTY_SIZE,
    customer_name: { ...PERSON_NAME, description: 'The guest\'s name. The customer is matched by email or phone.' },
    email: EMAIL,
    phone: PHONE,
    notes: NOTES,
    service_id: { ...SERVICE_ID, type: ['string', 'null'], description: 'Book within this service only.' },
    event_id: { ...EVENT_ID, type: ['string', 'null'], description: 'Book a place at this event.' },
    table_id: { ...TABLE_ID, type: ['string', 'null'], description: 'This table; by default the smallest free table that fits.' },
    request: {
      type: 'boolean',
      description:
        'Make a booking request: status `requested`, holding its table like a booking until the venue approves it ' +
        '(`PATCH {status: "confirmed"}`), declines it, or it expires at `expires_at` (the earlier of now + the venue\'s ' +
        '`request_hold_hours` and the booking\'s start).',
      example: true,
    },
  },
} as const;
/** Derived from the schema; the domain function it is passed to takes its own input type, so a drift fails to compile. */
export type CreateBookingBody = FromSchema<typeof createBookingSchema>;

/** `PATCH /api/v1/bookings/:id` body: a status change, a move (date/time/table/party size), notes, or several. */
export const updateBookingSchema = {
  $id: 'UpdateBooking',
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    status: STATUS,
    party_size: PARTY_SIZE,
    date: { ...DATE, description: 'Move to this venue-local date.' },
    time: { ...HHMM, description: 'Move to this venue-local time.' },
    table_id: {
      ...TABLE_ID,
      description: 'Move to this table. For a booking platform\'s reservation (`needs_table`, or any with `external`) this gives it the table at its own time, which need not be a slot of a service; the table must fit and be free.',
    },
    notes: NOTES,
    reason: {
      type: ['string', 'null'],
      maxLength: 1000,
      description: 'With `status: "declined"` only: why the request is declined (kept as `decline_reason`).',
      example: 'Fully booked for a private event.',
    },
  },
} as const;
export type UpdateBookingBody = FromSchema<typeof updateBookingSchema>;

const STATUS_LIST = `(${BOOKING_STATUSES.join('|')})`;

/** `GET /api/v1/bookings` query. Ordered by date, time, id. */
export const listBookingsQuerySchema = {
  $id: 'ListBookingsQuery',
  type: 'object',
  additionalProperties: false,
  properties: {
    date: { ...DATE, description: 'Only this venue-local date (not with from/to).' },
    from: { ...DATE, description: 'Venue-local dates from this one (inclusive).' },
    to: { ...DATE, description: 'Venue-local dates up to this one (inclusive).' },
    status: {
      type: 'string',
      pattern: `^${STATUS_LIST}(,${STATUS_LIST})*$`,
      description: 'One status or several, comma-separated.',
      example: 'confirmed,seated',
    },
    customer_id: { type: 'string', minLength: 1, maxLength: 40, description: 'Only this customer\'s bookings.', example: 'cus_0mhv2k1q3a8x4n2p7r9t1c' },
    needs_table: {
      type: 'boolean',
      description: '`true`: only booking platforms\' reservations kept without a table (the diary\'s list of bookings needing one); `false`: the others.',
    },
    ...PAGINATION_QUERY_PROPERTIES,
  },
} as const;
/** ajv fills defaults (useDefaults), so `limit` is always there. */
export type ListBookingsQuery = FromSchema<typeof listBookingsQuerySchema>;

/** The booking object (CONTRACT §2): the diary's view (src/modules/diary/booking.view.ts), the same object. */
export { bookingSchema };

/** `POST /api/v1/bookings`' 201: the booking object and its `manage_url` (the diary's view, the same object). */
export { bookedSchema };

/** `GET /api/v1/bookings/:id`: the sales module's booking detail (src/modules/sales/booking-detail.ts), the same object. */
export { bookingDetailSchema };
