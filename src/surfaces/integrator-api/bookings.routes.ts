import type { Booking, BookingStatus } from '../../platform/db/entities';
import { bookingViews, findBooking, presentOneBooking } from '../../modules/diary';
import { presentBookingWithSales, rematchSalesForBooking } from '../../modules/sales';
import { updateBooking } from '../../modules/diary';
import { inDiaryTransaction } from '../../modules/diary';
import { assertEmailCap } from '../../modules/diary';
import { loadVenueSettings } from '../../modules/venues';
import { channelSource } from '../../modules/channels';
import { notFound } from '../../platform/app-error';
import { channelOf, type Principal } from '../http/principal';
import { BOOKING_EXAMPLE, CREATE_BOOKING_EXAMPLE, SALE_EXAMPLE } from '../http/openapi/examples';
import { bodySchema, defineOperation, querySchema } from '../http/operation';
import { keysetSql, pageResponse, pageOf, type Keyset } from '../http/pagination';
import {
  bookedSchema,
  bookingDetailSchema,
  bookingSchema,
  createBookingSchema,
  listBookingsQuerySchema,
  updateBookingSchema,
  type CreateBookingBody,
  type ListBookingsQuery,
  type UpdateBookingBody,
} from '../http/schemas/booking.schema';
import { listEnvelopeSchema } from '../http/schemas/pagination.schema';
import { fieldError } from '../http/validation';

const createBody = bodySchema<CreateBookingBody>(createBookingSchema);
const updateBody = bodySchema<UpdateBookingBody>(updateBookingSchema);
const listQuery = querySchema<ListBookingsQuery>(listBookingsQuerySchema);

const BOOKINGS_KEYSET: Keyset<{ booking: Booking }> = {
  name: 'bookings',
  keys: [
    { column: 'b.date', value: (r) => r.booking.date },
    { column: 'b.time', value: (r) => r.booking.time },
    { column: 'b.id', value: (r) => r.booking.id },
  ],
};

/**
 * A booking as a channel key sees it: the guest's name only (not the email or phone the venue keeps for
 * that guest, which the channel may not have given: a channel reads no customers), and no sales.
 */
function forChannel(view: Record<string, unknown>): Record<string, unknown> {
  const { sales: _sales, spend: _spend, customer, ...rest } = view;
  const guest = customer as { id: string; name: string } | null;
  return { ...rest, customer: guest ? { id: guest.id, name: guest.name } : null };
}

/** The view for this caller. */
const shown = (principal: Principal, view: Record<string, unknown>) => (channelOf(principal) ? forChannel(view) : view);

const CHANNEL_NOTE =
  ' A channel key (which names the venue with `venue_id` or `Tablesync-Venue`) sees and changes only the bookings it made, ' +
  'each showing the guest\'s name only and no sales.';

/** `/api/v1/bookings` (CONTRACT §6; channel keys §11). */
export const bookingOperations = [
  defineOperation({
    id: 'listBookings', method: 'get', path: '/bookings', tag: 'Bookings', auth: 'apiKey', scope: 'bookings:read', channels: true,
    summary: 'List bookings', description: `Ordered by date, time and id.${CHANNEL_NOTE}`,
    query: listQuery,
    responses: [{ status: 200, description: 'A page of bookings.', schema: listEnvelopeSchema(bookingSchema), example: { data: [BOOKING_EXAMPLE], next_cursor: null } }],
    handler: ({ dataSource: { manager: em } }) => async ({ query: q, venue, principal, res }) => {
      if (q.date && (q.from || q.to)) throw fieldError('date', 'cannot be combined with from or to');
      const from = q.date ?? q.from;
      const to = q.date ?? q.to;
      if (from && to && from > to) throw fieldError('to', 'must not be before from');
      const channel = channelOf(principal);
      const filters = {
        from, to, statuses: q.status?.split(',') as BookingStatus[] | undefined, customerId: q.customer_id, channelId: channel?.channelId,
        needsTable: q.needs_table,
      };
      const order = keysetSql(BOOKINGS_KEYSET, q);
      const page = pageOf(await bookingViews(em, venue.id, filters, order), BOOKINGS_KEYSET, q.limit);
      res.json(pageResponse(page, (r) => shown(principal, r.view)));
    },
  }),
  defineOperation({
    id: 'createBooking', method: 'post', path: '/bookings', tag: 'Bookings', auth: 'apiKey', scope: 'bookings:write', channels: true,
    summary: 'Create a booking (or a booking request)',
    description:
      'Checks availability atomically: two requests never both get the last table. The customer is found by email or ' +
      'phone, or created. Send an `Idempotency-Key` to retry safely. With `"request": true` the booking is a request ' +
      '(status `requested`, holding its table until `expires_at`). A channel key\'s bookings carry `source: "channel:<name>"`; ' +
      'the venue\'s rules bind them (party size, booking window: refused; a party above `max_instant_party_size` or a ' +
      'service with `requires_approval`: a request), and at a venue that granted the channel `can_book: false` every one is a request.',
    body: createBody, bodyExample: CREATE_BOOKING_EXAMPLE, idempotency: true,
    responses: [{ status: 201, description: 'Created, with the guest\'s manage link.', schema: bookedSchema, example: { ...BOOKING_EXAMPLE, manage_url: 'https://book.example.com/manage/3q2-7wT…' } }],
    errors: ['slot_unavailable', 'not_found', 'idempotency_key_reused', 'idempotency_in_progress'],
    handler: (deps) => async ({ body, venue, principal, res }) => {
      const channel = channelOf(principal);
      if (!channel) {
        res.status(201).json(await deps.bookingWriter.book(venue, body));
        return;
      }
      const venueRules = await loadVenueSettings(deps.dataSource.manager, venue.id);
      const source = channelSource(channel.channelName);
      await assertEmailCap(deps.dataSource.manager, venue.id, venueRules, source, body.email);
      const view = await deps.bookingWriter.book(venue, {
        ...body, request: body.request === true || !channel.canBook, source, channelId: channel.channelId, venueRules,
      });
      res.status(201).json(forChannel(view));
    },
  }),
  defineOperation({
    id: 'getBooking', method: 'get', path: '/bookings/:id', tag: 'Bookings', auth: 'apiKey', scope: 'bookings:read', channels: true,
    summary: 'A booking with its sales and spend', description: `A booking by its id or reference.${CHANNEL_NOTE}`,
    responses: [{
      status: 200, description: 'The booking.', schema: bookingDetailSchema,
      example: { ...BOOKING_EXAMPLE, sales: [SALE_EXAMPLE], spend: { total: 4250, currency: 'GBP', count: 1 } },
    }],
    errors: ['not_found'],
    handler: ({ dataSource: { manager: em } }) => async ({ params, venue, principal, res }) => {
      const channel = channelOf(principal);
      const booking = await findBooking(em, venue.id, params.id, { channelId: channel?.channelId });
      if (!booking) throw notFound('Booking');
      res.json(channel ? forChannel(await presentOneBooking(em, booking)) : await presentBookingWithSales(em, booking, venue.currency));
    },
  }),
  defineOperation({
    id: 'updateBooking', method: 'patch', path: '/bookings/:id', tag: 'Bookings', auth: 'apiKey', scope: 'bookings:write', channels: true,
    summary: 'Change status, move, or edit a booking; approve or decline a request',
    description:
      'Statuses: pending → confirmed → seated → completed; cancelled and no_show end a booking. A request (`requested`) ' +
      'is approved with `{"status": "confirmed"}`, declined with `{"status": "declined", "reason"?}`; past its `expires_at` ' +
      'it becomes `expired` by itself. declined and expired are final. A channel key may move and cancel its own bookings ' +
      '(the venue\'s rules apply; anything else is 403 `scope_violation`).',
    body: updateBody, bodyExample: { status: 'seated' },
    responses: [{ status: 200, description: 'The updated booking.', schema: bookingSchema, example: { ...BOOKING_EXAMPLE, status: 'seated', version: 2 } }],
    errors: ['not_found', 'invalid_transition', 'slot_unavailable', 'booking_not_movable', 'approval_required'],
    handler: (deps) => async ({ body, params, venue, principal, res }) => {
      const channel = channelOf(principal);
      const as = channel ? { channelId: channel.channelId, rules: await loadVenueSettings(deps.dataSource.manager, venue.id) } : null;
      const view = await inDiaryTransaction(deps.dataSource, (tx) => updateBooking(tx, venue, params.id, body, rematchSalesForBooking, new Date(), as));
      res.json(shown(principal, view));
    },
  }),
];
