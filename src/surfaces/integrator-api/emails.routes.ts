import type { Email, Enquiry } from '../../platform/db/entities';
import { Email as EmailEntity, Enquiry as EnquiryEntity } from '../../platform/db/entities';
import { presentEnquiry } from '../../modules/guests';
import { presentEmail, presentEmailDetail } from '../../modules/notifications';
import { notFound } from '../../platform/app-error';
import { defineOperation, querySchema } from '../http/operation';
import { pageResponse, paginate, type Keyset } from '../http/pagination';
import {
  emailDetailSchema, emailSchema, enquiryResponseSchema, listEmailsQuerySchema, listEnquiriesQuerySchema,
  type ListEmailsQuery, type ListEnquiriesQuery,
} from '../http/schemas/guests.schema';
import { listEnvelopeSchema } from '../http/schemas/pagination.schema';

/** Newest first: ids are time-ordered. */
const EMAILS_KEYSET: Keyset<Email> = { name: 'emails', keys: [{ column: 'e.id', order: 'DESC', value: (e) => e.id }] };
const ENQUIRIES_KEYSET: Keyset<Enquiry> = { name: 'enquiries', keys: [{ column: 'q.id', order: 'DESC', value: (q) => q.id }] };

const EMAIL_EXAMPLE = {
  id: 'eml_0mhv2k1q3a8x4n2p7r9t1c', to: 'ada@example.com', subject: 'Your booking at The Anchor is confirmed (TS-7K3M9Q)',
  kind: 'booking_confirmed', status: 'sent', booking_id: 'bk_0mhv2k1q3a8x4n2p7r9t1c', created_at: '2026-05-01T12:00:00.000Z',
  sent_at: '2026-05-01T12:00:01.000Z', attempts: 1,
};

/** `/api/v1/emails` and `/api/v1/enquiries` (CONTRACT §10, §10.3): what the venue's guests were sent, and asked. */
export const emailOperations = [
  defineOperation({
    id: 'listEmails', method: 'get', path: '/emails', tag: 'Emails', auth: 'apiKey', scope: 'customers:read',
    summary: "The venue's emails, newest first",
    description: 'Every email sent (or, without SMTP_URL on the server, kept) for the venue: confirmations, moves, cancellations, requests, enquiries. An email appears once the outbox relay has run (within seconds of its cause).',
    query: querySchema<ListEmailsQuery>(listEmailsQuerySchema),
    responses: [{ status: 200, description: 'A page of emails.', schema: listEnvelopeSchema(emailSchema), example: { data: [EMAIL_EXAMPLE], next_cursor: null } }],
    handler: ({ dataSource: { manager: em } }) => async ({ query: q, venue, res }) => {
      const qb = em.createQueryBuilder(EmailEntity, 'e').where('e.venue_id = :venueId', { venueId: venue.id });
      if (q.status) qb.andWhere('e.status = :status', { status: q.status });
      if (q.kind) qb.andWhere('e.kind = :kind', { kind: q.kind });
      if (q.booking_id) qb.andWhere('e.booking_id = :bookingId', { bookingId: q.booking_id });
      const page = await paginate(qb, EMAILS_KEYSET, q);
      res.json(pageResponse(page, presentEmail));
    },
  }),
  defineOperation({
    id: 'getEmail', method: 'get', path: '/emails/:id', tag: 'Emails', auth: 'apiKey', scope: 'customers:read',
    summary: 'An email with its text and HTML parts and its attempts',
    responses: [{ status: 200, description: 'The email.', schema: emailDetailSchema, example: { ...EMAIL_EXAMPLE, text: 'Hello Ada,\n…', html: '<!doctype html>…' } }],
    errors: ['not_found'],
    handler: ({ dataSource: { manager: em } }) => async ({ params, venue, res }) => {
      const email = await em.findOne(EmailEntity, { where: { id: params.id, venueId: venue.id } });
      if (!email) throw notFound('Email');
      res.json(await presentEmailDetail(em, email));
    },
  }),
  defineOperation({
    id: 'listEnquiries', method: 'get', path: '/enquiries', tag: 'Emails', auth: 'apiKey', scope: 'customers:read',
    summary: 'Enquiries from the booking widget, newest first',
    query: querySchema<ListEnquiriesQuery>(listEnquiriesQuerySchema),
    responses: [{ status: 200, description: 'A page of enquiries.', schema: listEnvelopeSchema(enquiryResponseSchema) }],
    handler: ({ dataSource: { manager: em } }) => async ({ query: q, venue, res }) => {
      const qb = em.createQueryBuilder(EnquiryEntity, 'q').where('q.venue_id = :venueId', { venueId: venue.id });
      const page = await paginate(qb, ENQUIRIES_KEYSET, q);
      res.json(pageResponse(page, presentEnquiry));
    },
  }),
];
