import type { Booking, BookingStatus } from '../../../db/entities';
import { bookingListQuery, findBooking, presentBookings, presentBookingWithSales } from '../../../domain/bookings/load-booking';
import { updateBooking } from '../../../domain/bookings/update-booking';
import { inDiaryTransaction } from '../../../domain/bookings/venue-context';
import { notFound } from '../../../shared/app-error';
import { BOOKING_EXAMPLE, CREATE_BOOKING_EXAMPLE, SALE_EXAMPLE } from '../../openapi/examples';
import { bodySchema, defineOperation, querySchema } from '../../operation';
import { listResponse, paginate, type Keyset } from '../../pagination';
import {
  bookingDetailSchema,
  bookingSchema,
  createBookingSchema,
  listBookingsQuerySchema,
  updateBookingSchema,
  type CreateBookingBody,
  type ListBookingsQuery,
  type UpdateBookingBody,
} from '../../schemas/booking.schema';
import { listEnvelopeSchema } from '../../schemas/pagination.schema';
import { fieldError } from '../../validation';

const createBody = bodySchema<CreateBookingBody>(createBookingSchema);
const updateBody = bodySchema<UpdateBookingBody>(updateBookingSchema);
const listQuery = querySchema<ListBookingsQuery>(listBookingsQuerySchema);

const BOOKINGS_KEYSET: Keyset<Booking> = {
  name: 'bookings',
  keys: [
    { column: 'b.date', value: (b) => b.date },
    { column: 'b.time', value: (b) => b.time },
    { column: 'b.id', value: (b) => b.id },
  ],
};

/** `/api/v1/bookings` (CONTRACT §6). */
export const bookingOperations = [
  defineOperation({
    id: 'listBookings', method: 'get', path: '/bookings', tag: 'Bookings', auth: 'apiKey', scope: 'bookings:read',
    summary: 'List bookings', description: 'Ordered by date, time and id.',
    query: listQuery,
    responses: [{ status: 200, description: 'A page of bookings.', schema: listEnvelopeSchema(bookingSchema), example: { data: [BOOKING_EXAMPLE], next_cursor: null } }],
    handler: ({ dataSource: { manager: em } }) => async ({ query: q, venue, res }) => {
      if (q.date && (q.from || q.to)) throw fieldError('date', 'cannot be combined with from or to');
      const from = q.date ?? q.from;
      const to = q.date ?? q.to;
      if (from && to && from > to) throw fieldError('to', 'must not be before from');
      const filters = { from, to, statuses: q.status?.split(',') as BookingStatus[] | undefined, customerId: q.customer_id, needsTable: q.needs_table };
      const page = await paginate(bookingListQuery(em, venue.id, filters), BOOKINGS_KEYSET, q);
      res.json(listResponse(await presentBookings(em, page.rows), page.nextCursor));
    },
  }),
  defineOperation({
    id: 'createBooking', method: 'post', path: '/bookings', tag: 'Bookings', auth: 'apiKey', scope: 'bookings:write',
    summary: 'Create a booking',
    description:
      'Checks availability atomically: two requests never both get the last table. The customer is found by email or ' +
      'phone, or created. Send an `Idempotency-Key` to retry safely.',
    body: createBody, bodyExample: CREATE_BOOKING_EXAMPLE, idempotency: true,
    responses: [{ status: 201, description: 'Created.', schema: bookingSchema, example: BOOKING_EXAMPLE }],
    errors: ['slot_unavailable', 'not_found', 'idempotency_key_reused', 'idempotency_in_progress'],
    handler: (deps) => async ({ body, venue, res }) => {
      res.status(201).json(await deps.bookingWriter.book(venue, body));
    },
  }),
  defineOperation({
    id: 'getBooking', method: 'get', path: '/bookings/:id', tag: 'Bookings', auth: 'apiKey', scope: 'bookings:read',
    summary: 'A booking with its sales and spend',
    responses: [{
      status: 200, description: 'The booking.', schema: bookingDetailSchema,
      example: { ...BOOKING_EXAMPLE, sales: [SALE_EXAMPLE], spend: { total: 4250, currency: 'GBP', count: 1 } },
    }],
    errors: ['not_found'],
    handler: ({ dataSource: { manager: em } }) => async ({ params, venue, res }) => {
      const booking = await findBooking(em, venue.id, params.id);
      if (!booking) throw notFound('Booking');
      res.json(await presentBookingWithSales(em, booking, venue.currency));
    },
  }),
  defineOperation({
    id: 'updateBooking', method: 'patch', path: '/bookings/:id', tag: 'Bookings', auth: 'apiKey', scope: 'bookings:write',
    summary: 'Change status, move, or edit a booking',
    description: 'Statuses: pending → confirmed → seated → completed; cancelled and no_show end a booking.',
    body: updateBody, bodyExample: { status: 'seated' },
    responses: [{ status: 200, description: 'The updated booking.', schema: bookingSchema, example: { ...BOOKING_EXAMPLE, status: 'seated', version: 2 } }],
    errors: ['not_found', 'invalid_transition', 'slot_unavailable', 'booking_not_movable'],
    handler: (deps) => async ({ body, params, venue, res }) => {
      res.json(await inDiaryTransaction(deps.dataSource, (tx) => updateBooking(tx, venue, params.id, body)));
    },
  }),
];
