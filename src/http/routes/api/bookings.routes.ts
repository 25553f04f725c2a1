import { Router } from 'express';
import type { AppDeps } from '../../../app-deps';
import type { Booking, BookingStatus } from '../../../db/entities';
import { bookingListQuery, findBooking, presentBookings, presentBookingWithSales } from '../../../domain/bookings/load-booking';
import { updateBooking } from '../../../domain/bookings/update-booking';
import { inDiaryTransaction } from '../../../domain/bookings/venue-context';
import { notFound } from '../../../shared/app-error';
import { getAuth, requireScope } from '../../middleware/api-key-auth';
import { idempotency } from '../../middleware/idempotency';
import { compileQuerySchema, listResponse, paginate, type Keyset } from '../../pagination';
import {
  createBookingSchema,
  listBookingsQuerySchema,
  updateBookingSchema,
  type CreateBookingBody,
  type ListBookingsQuery,
  type UpdateBookingBody,
} from '../../schemas/booking.schema';
import { compileSchema, fieldError, parseWith } from '../../validation';

const validateCreate = compileSchema<CreateBookingBody>(createBookingSchema);
const validateUpdate = compileSchema<UpdateBookingBody>(updateBookingSchema);
const parseListQuery = compileQuerySchema<ListBookingsQuery>(listBookingsQuerySchema);

const BOOKINGS_KEYSET: Keyset<Booking> = {
  name: 'bookings',
  keys: [
    { column: 'b.date', value: (b) => b.date },
    { column: 'b.time', value: (b) => b.time },
    { column: 'b.id', value: (b) => b.id },
  ],
};

export function bookingsRouter(deps: AppDeps): Router {
  const router = Router();
  const em = deps.dataSource.manager;
  const idempotent = idempotency(deps);

  router.get('/bookings', requireScope('bookings:read'), async (req, res) => {
    const q = parseListQuery(req.query);
    if (q.date && (q.from || q.to)) throw fieldError('date', 'cannot be combined with from or to');
    const from = q.date ?? q.from;
    const to = q.date ?? q.to;
    if (from && to && from > to) throw fieldError('to', 'must not be before from');
    const filters = { from, to, statuses: q.status?.split(',') as BookingStatus[] | undefined, customerId: q.customer_id };
    const page = await paginate(bookingListQuery(em, getAuth(res).venueId, filters), BOOKINGS_KEYSET, q);
    res.json(listResponse(await presentBookings(em, page.rows), page.nextCursor));
  });

  router.get('/bookings/:id', requireScope('bookings:read'), async (req, res) => {
    const { venue } = getAuth(res);
    const booking = await findBooking(em, venue.id, req.params.id as string);
    if (!booking) throw notFound('Booking');
    res.json(await presentBookingWithSales(em, booking, venue.currency));
  });

  router.post('/bookings', requireScope('bookings:write'), idempotent, async (req, res) => {
    const body = parseWith(validateCreate, req.body);
    const { venue } = getAuth(res);
    const booking = await deps.bookingWriter.book(venue, body);
    res.status(201).json(booking);
  });

  router.patch('/bookings/:id', requireScope('bookings:write'), async (req, res) => {
    const patch = parseWith(validateUpdate, req.body);
    const { venue } = getAuth(res);
    const booking = await inDiaryTransaction(deps.dataSource, (tx) => updateBooking(tx, venue, req.params.id as string, patch));
    res.json(booking);
  });

  return router;
}
