/**
 * Schemas of the guests feature (CONTRACT §10, §10.3, §15): the public widget API's requests and answers,
 * the venue's emails and enquiries.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { enquiryResponseSchema, manageViewSchema, TIER_SCHEMA } from '../../../modules/guests';
import { EMAIL_KINDS, EMAIL_STATUSES, emailDetailSchema, emailSchema } from '../../../modules/notifications';
import { PARTY_SIZE, SERVICE_ID } from './availability.schema';
import { DATE, HHMM } from './common.schema';
import { EMAIL, PERSON_NAME, PHONE } from './customer.schema';
import { PAGE_QUERY_SCHEMA, PAGINATION_QUERY_PROPERTIES, type PaginationQuery } from './pagination.schema';

/** The most days one range request may cover (`to` inclusive, CONTRACT §15). */
export const MAX_RANGE_DAYS = 31;

// ---------------------------------------------------------------------------------------------------------
// Public widget API (/api/v1/public)

export const publicAvailabilityQuerySchema = {
  $id: 'PublicAvailabilityQuery',
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to', 'party_size'],
  properties: {
    from: { ...DATE, description: 'First venue-local date.' },
    to: { ...DATE, description: `Last venue-local date (inclusive); at most ${MAX_RANGE_DAYS} days from \`from\`.` },
    party_size: PARTY_SIZE,
  },
} as const;
export type PublicAvailabilityQuery = FromSchema<typeof publicAvailabilityQuerySchema>;

/** The honeypot: a field people never see (the widget hides it); anything in it marks a bot. */
export const HONEYPOT_FIELD = 'website';

export const publicBookingSchema = {
  $id: 'PublicBookingRequest',
  type: 'object',
  additionalProperties: false,
  required: ['date', 'time', 'party_size', 'name', 'email'],
  properties: {
    date: { ...DATE, description: 'Venue-local date.' },
    time: { ...HHMM, description: 'Venue-local start time (a slot from the availability).' },
    party_size: PARTY_SIZE,
    name: PERSON_NAME,
    email: { ...EMAIL, type: 'string', description: 'Where the confirmation and the manage link go.' },
    phone: PHONE,
    notes: { type: ['string', 'null'], maxLength: 2000, description: 'For the venue (allergies, a high chair).' },
    service_id: { ...SERVICE_ID, type: ['string', 'null'] },
    [HONEYPOT_FIELD]: { type: 'string', maxLength: 2000, description: 'Leave empty (a field hidden from people; bots fill it in).' },
  },
} as const;
export type PublicBookingBody = FromSchema<typeof publicBookingSchema>;

export const manageBookingPatchSchema = {
  $id: 'ManageBookingPatch',
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    date: { ...DATE, description: 'Move to this venue-local date.' },
    time: { ...HHMM, description: 'Move to this venue-local time.' },
    party_size: PARTY_SIZE,
  },
} as const;
export type ManageBookingPatch = FromSchema<typeof manageBookingPatchSchema>;

export const enquirySchema = {
  $id: 'EnquiryRequest',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'email', 'message'],
  properties: {
    name: PERSON_NAME,
    email: { ...EMAIL, type: 'string' },
    phone: PHONE,
    date: { ...DATE, type: ['string', 'null'], description: 'The day they have in mind (venue-local).' },
    party_size: { type: ['integer', 'null'], minimum: 1, maximum: 10000, description: 'How many people.' },
    message: { type: 'string', minLength: 1, maxLength: 5000, description: 'What they would like.' },
    [HONEYPOT_FIELD]: { type: 'string', maxLength: 2000, description: 'Leave empty.' },
  },
} as const;
export type EnquiryBody = FromSchema<typeof enquirySchema>;

export const publicConfigSchema = {
  $id: 'PublicVenueConfig',
  type: 'object',
  required: ['name', 'slug', 'timezone', 'currency', 'party_size', 'booking_window_days', 'services', 'policies', 'theme'],
  properties: {
    name: { type: 'string', example: 'The Anchor' },
    slug: { type: 'string', example: 'the-anchor' },
    timezone: { type: 'string', example: 'Europe/London' },
    currency: { type: 'string', example: 'GBP' },
    country: { type: ['string', 'null'], example: 'GB' },
    party_size: { type: 'object', required: ['min', 'max'], properties: { min: { type: 'integer' }, max: { type: 'integer' } } },
    booking_window_days: { type: 'integer', example: 90 },
    max_instant_party_size: { type: 'integer', example: 8, description: 'Larger parties become requests the venue answers.' },
    services: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'days', 'start', 'end'],
        properties: {
          id: { type: 'string' }, name: { type: 'string' }, days: { type: 'array', items: { type: 'integer' } },
          start: { type: 'string', example: '17:00' }, end: { type: 'string', example: '23:00' },
          requires_approval: { type: 'boolean' },
        },
      },
    },
    policies: { type: 'object', required: ['cancellation_hours', 'text'], properties: { cancellation_hours: { type: 'number' }, text: { type: 'string' } } },
    theme: { type: 'object', properties: { accent: { type: 'string', example: '#1f6feb' } } },
  },
} as const;

export const publicRangeAvailabilitySchema = {
  $id: 'PublicAvailability',
  type: 'object',
  required: ['party_size', 'days'],
  properties: {
    party_size: { type: 'integer', example: 2 },
    days: {
      type: 'array',
      items: {
        type: 'object',
        required: ['date', 'slots'],
        properties: {
          date: DATE,
          slots: {
            type: 'array',
            items: {
              type: 'object',
              required: ['time', 'available', 'service_id'],
              properties: { time: { type: 'string', example: '19:30' }, available: { type: 'boolean' }, service_id: { type: ['string', 'null'] } },
            },
          },
        },
      },
    },
  },
} as const;

export const publicBookingResultSchema = {
  $id: 'PublicBooking',
  type: 'object',
  required: ['reference', 'status', 'date', 'time', 'party_size', 'manage_url'],
  properties: {
    reference: { type: 'string', example: 'TS-7K3M9Q' },
    status: { type: 'string', example: 'confirmed', description: '`confirmed`, or `requested` when the venue must accept it first.' },
    date: DATE,
    time: HHMM,
    party_size: { type: 'integer', example: 2 },
    manage_url: { type: 'string', example: 'https://book.example.com/manage/3q2-7wT…', description: 'The guest\'s page to view, move or cancel.' },
  },
} as const;

/** The guest's manage view: the guests module's (src/modules/guests/guest-views.ts), the same object. */
export { manageViewSchema };

export const tiersSchema = {
  $id: 'Tiers',
  type: 'object',
  required: ['data'],
  properties: { data: { type: 'array', items: TIER_SCHEMA } },
} as const;

// ---------------------------------------------------------------------------------------------------------
// The venue's side (/api/v1, scope customers:read)

/** The email objects: the notifications module's views (src/modules/notifications/emails-view.ts), the same objects. */
export { emailDetailSchema, emailSchema };

export const listEmailsQuerySchema = {
  $id: 'ListEmailsQuery',
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: [...EMAIL_STATUSES] },
    kind: { type: 'string', enum: [...EMAIL_KINDS] },
    booking_id: { type: 'string', minLength: 1, maxLength: 40 },
    ...PAGINATION_QUERY_PROPERTIES,
  },
} as const;
export type ListEmailsQuery = FromSchema<typeof listEmailsQuerySchema>;

export { enquiryResponseSchema };

export const listEnquiriesQuerySchema = PAGE_QUERY_SCHEMA;
export type ListEnquiriesQuery = PaginationQuery;
