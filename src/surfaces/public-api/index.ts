/**
 * `/api/v1/public`: the public booking widget API (CONTRACT §10, §15), no credentials. Every operation is a
 * `guest` one (mount-operations.ts): limited per client IP and route pattern, CORS, and — with `:slug` —
 * only for a venue that takes public bookings. The handlers call the guests module's door.
 */
import type { Response } from 'express';
import {
  bookingCalendar, createEnquiry, findManagedBooking, guestBook, guestCancel, guestMove, manageView, publicAvailability, publicConfig,
  presentEnquiry, assertHoneypot, TIERS,
} from '../../modules/guests';
import { AppError } from '../../platform/app-error';
import { publicReviewOperations } from './reviews.routes';
import { applyWriteCors } from '../http/middleware/public-cors';
import { publicVenueOf } from '../http/mount-operations';
import { bodySchema, defineOperation, querySchema } from '../http/operation';
import {
  enquiryResponseSchema, enquirySchema, HONEYPOT_FIELD, manageBookingPatchSchema, manageViewSchema, publicAvailabilityQuerySchema,
  publicBookingResultSchema, publicBookingSchema, publicConfigSchema, publicRangeAvailabilitySchema, tiersSchema,
  type EnquiryBody, type ManageBookingPatch, type PublicAvailabilityQuery, type PublicBookingBody,
} from '../http/schemas/guests.schema';

const TAG = 'Public widget';

const MANAGE_EXAMPLE = {
  reference: 'TS-7K3M9Q', status: 'confirmed', date: '2026-05-01', time: '19:00', party_size: 2,
  venue: { name: 'The Anchor', slug: 'the-anchor', timezone: 'Europe/London' }, can_change: true, can_cancel: true,
  change_deadline: '2026-04-30T18:00:00.000Z',
};

const wrongToken = () => new AppError('not_found', 'Booking not found.');

/** A manage route's CORS once its venue is known (the token names it). */
async function withTokenCors<T>(req: Parameters<typeof applyWriteCors>[0], res: Response, token: string, deps: { dataSource: import('typeorm').DataSource }, work: () => Promise<T>): Promise<T> {
  const found = await findManagedBooking(deps.dataSource.manager, token);
  if (!found) throw wrongToken();
  applyWriteCors(req, res, found.venue.settings.allowed_origins);
  return work();
}

export const publicOperations = [
  defineOperation({
    id: 'getPublicVenueConfig', method: 'get', path: '/venues/:slug/config', tag: TAG, auth: 'guest',
    summary: "A venue's public booking settings",
    description: 'Name, time zone, currency, party sizes, how far ahead it books, services, policies and theme: nothing private (no tables, no customers).',
    responses: [{ status: 200, description: 'The venue as the widget shows it.', schema: publicConfigSchema }],
    handler: (deps) => async ({ res }) => {
      res.json(await publicConfig(deps.dataSource.manager, publicVenueOf(res)));
    },
  }),
  defineOperation({
    id: 'getPublicAvailability', method: 'get', path: '/venues/:slug/availability', tag: TAG, auth: 'guest',
    summary: 'Bookable times for a party over a range of days',
    description: '`to` is inclusive; at most 31 days. The same evaluator as `GET /api/v1/availability`. Days before today or beyond the venue\'s booking window have no slots.',
    query: querySchema<PublicAvailabilityQuery>(publicAvailabilityQuerySchema),
    responses: [{
      status: 200, description: 'Each day with its slots.', schema: publicRangeAvailabilitySchema,
      example: { party_size: 2, days: [{ date: '2026-05-01', slots: [{ time: '19:00', available: true, service_id: 'svc_0mhv2k1q3a8x4n2p7r9t1c' }] }] },
    }],
    handler: (deps) => async ({ query, res }) => {
      res.json(await publicAvailability(deps.dataSource.manager, publicVenueOf(res), query));
    },
  }),
  defineOperation({
    id: 'createPublicBooking', method: 'post', path: '/venues/:slug/bookings', tag: TAG, auth: 'guest',
    summary: 'Book a table as a guest',
    description:
      'The same atomic check as `POST /api/v1/bookings` (422 `slot_unavailable` with `alternatives`); the guest is found by email or phone, or created; `source: "widget"`; ' +
      'a confirmation email with the manage link follows. The venue\'s rules apply: party size, booking window, bookings per email per day (429). ' +
      `The hidden field \`${HONEYPOT_FIELD}\` must be empty. Send an \`Idempotency-Key\` to retry safely.`,
    body: bodySchema<PublicBookingBody>(publicBookingSchema),
    bodyExample: { date: '2026-05-01', time: '19:00', party_size: 2, name: 'Ada Lovelace', email: 'ada@example.com' },
    idempotency: true,
    responses: [{
      status: 201, description: 'Booked.', schema: publicBookingResultSchema,
      example: { reference: 'TS-7K3M9Q', status: 'confirmed', date: '2026-05-01', time: '19:00', party_size: 2, manage_url: 'https://book.example.com/manage/Xq2…' },
    }],
    errors: ['slot_unavailable', 'idempotency_key_reused', 'idempotency_in_progress'],
    handler: (deps) => async ({ body, res }) => {
      assertHoneypot(body[HONEYPOT_FIELD], HONEYPOT_FIELD);
      const { [HONEYPOT_FIELD]: _honeypot, ...input } = body;
      res.status(201).json(await guestBook(deps, publicVenueOf(res), input));
    },
  }),
  defineOperation({
    id: 'getManagedBooking', method: 'get', path: '/bookings/:token', tag: TAG, auth: 'guest',
    summary: "The guest's own booking, by the token of its manage link",
    responses: [{ status: 200, description: 'The booking and what may still change.', schema: manageViewSchema, example: MANAGE_EXAMPLE }],
    errors: ['not_found'],
    handler: (deps) => async ({ params, res }) => {
      const found = await findManagedBooking(deps.dataSource.manager, params.token);
      if (!found) throw wrongToken();
      res.json(manageView(found));
    },
  }),
  defineOperation({
    id: 'getManagedBookingCalendar', method: 'get', path: '/bookings/:token/calendar.ics', tag: TAG, auth: 'guest',
    summary: 'The booking as a calendar event (.ics)',
    responses: [{ status: 200, description: 'An iCalendar file with one event.', schema: { type: 'string' }, contentType: 'text/calendar' }],
    errors: ['not_found'],
    handler: (deps) => async ({ params, res }) => {
      const found = await findManagedBooking(deps.dataSource.manager, params.token);
      if (!found) throw wrongToken();
      res.setHeader('Content-Disposition', `attachment; filename="${found.booking.reference}.ics"`);
      res.setHeader('Cache-Control', 'no-store');
      res.type('text/calendar; charset=utf-8').send(bookingCalendar(found, `${deps.config.publicUrl}/manage/${params.token}`));
    },
  }),
  defineOperation({
    id: 'moveManagedBooking', method: 'patch', path: '/bookings/:token', tag: TAG, auth: 'guest',
    summary: 'Move the booking (date, time, party size)',
    description:
      'Through the same booking updater and atomic check as `PATCH /api/v1/bookings/:id`, bound by the venue\'s rules: a party size outside ' +
      '`party_size` is 400, a date beyond `booking_window_days` 422 `slot_unavailable`; a booking (not a request) may not grow its party above ' +
      '`max_instant_party_size` or move into a service that requires approval (422 `approval_required`: cancel and send a request); a request ' +
      'stays a request. Until `cancellation_hours` before the start (then 422 `too_late_to_change`).',
    body: bodySchema<ManageBookingPatch>(manageBookingPatchSchema), bodyExample: { time: '20:00' },
    responses: [{ status: 200, description: 'The moved booking.', schema: manageViewSchema, example: { ...MANAGE_EXAMPLE, time: '20:00' } }],
    errors: ['not_found', 'slot_unavailable', 'too_late_to_change', 'booking_not_movable', 'approval_required'],
    handler: (deps) => async ({ params, body, req, res }) => {
      res.json(await withTokenCors(req, res, params.token, deps, () => guestMove(deps.dataSource, params.token, body)));
    },
  }),
  defineOperation({
    id: 'cancelManagedBooking', method: 'delete', path: '/bookings/:token', tag: TAG, auth: 'guest',
    summary: 'Cancel the booking',
    description: 'Until `cancellation_hours` before the start (then 422 `too_late_to_change`). Answers the booking, now `cancelled`; the link keeps showing it.',
    responses: [{ status: 200, description: 'The cancelled booking.', schema: manageViewSchema, example: { ...MANAGE_EXAMPLE, status: 'cancelled', can_change: false, can_cancel: false } }],
    errors: ['not_found', 'too_late_to_change', 'invalid_transition'],
    handler: (deps) => async ({ params, req, res }) => {
      res.json(await withTokenCors(req, res, params.token, deps, () => guestCancel(deps.dataSource, params.token)));
    },
  }),
  defineOperation({
    id: 'createEnquiry', method: 'post', path: '/venues/:slug/enquiries', tag: TAG, auth: 'guest',
    summary: 'Send the venue an enquiry (private events, large groups)',
    description: `The venue is emailed at its \`notification_email\` setting and sees it at \`GET /api/v1/enquiries\`. The hidden field \`${HONEYPOT_FIELD}\` must be empty.`,
    body: bodySchema<EnquiryBody>(enquirySchema),
    bodyExample: { name: 'Ada Lovelace', email: 'ada@example.com', date: '2026-06-12', party_size: 30, message: 'A birthday dinner for 30: could we have the back room?' },
    responses: [{ status: 201, description: 'Received.', schema: enquiryResponseSchema }],
    handler: (deps) => async ({ body, res }) => {
      assertHoneypot(body[HONEYPOT_FIELD], HONEYPOT_FIELD);
      const enquiry = await createEnquiry(deps.dataSource, deps.notifications, publicVenueOf(res), body);
      res.status(201).json(presentEnquiry(enquiry));
    },
  }),
  // Reviews (§11): the reviews feature's operations, on this surface.
  ...publicReviewOperations,
  defineOperation({
    id: 'listTiers', method: 'get', path: '/tiers', tag: TAG, auth: 'guest',
    summary: 'The plans, with their prices and features',
    responses: [{ status: 200, description: 'The plans.', schema: tiersSchema }],
    handler: () => ({ res }) => {
      res.setHeader('Cache-Control', 'public, max-age=300');
      res.json({ data: TIERS });
    },
  }),
];
