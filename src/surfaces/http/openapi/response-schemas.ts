import type { FromSchema } from 'json-schema-to-ts';
import { CURRENCY, DATE, HHMM } from '../schemas/common.schema';
import { venueSettingsSchema } from '../../../modules/venues';
import { API_SCOPES } from '../schemas/venue.schema';

/**
 * Response shapes the OpenAPI document describes that have no schema next to their route (the routes build
 * them with presenters). Kept beside the presenters' field lists in src/surfaces/http/presenters and domain/views;
 * test/api/openapi.test.ts checks real responses against them.
 */

const TIMESTAMP = { type: 'string', format: 'date-time', example: '2026-05-01T18:00:00.000Z' } as const;
const TABLE_NUMBER_OUT = { type: ['integer', 'string'], description: 'As created: numbers stay numbers.', example: 12 } as const;

export const tableResponseSchema = {
  type: 'object',
  required: ['id', 'number', 'min_covers', 'max_covers'],
  properties: {
    id: { type: 'string', example: 'tbl_0mhv2k1q3a8x4n2p7r9t1c' },
    number: TABLE_NUMBER_OUT,
    min_covers: { type: 'integer', example: 2 },
    max_covers: { type: 'integer', example: 4 },
  },
} as const;
export type TableView = FromSchema<typeof tableResponseSchema>;

export const serviceResponseSchema = {
  type: 'object',
  required: ['id', 'name', 'days', 'start', 'end', 'slot_interval_minutes', 'duration_minutes', 'max_covers_per_slot'],
  properties: {
    id: { type: 'string', example: 'svc_0mhv2k1q3a8x4n2p7r9t1c' },
    name: { type: 'string', example: 'Dinner' },
    days: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 7 }, description: 'ISO weekdays, 1 = Monday.' },
    start: HHMM,
    end: HHMM,
    slot_interval_minutes: { type: 'integer', example: 15 },
    duration_minutes: { type: 'integer', example: 90 },
    max_covers_per_slot: { type: ['integer', 'null'] },
    requires_approval: { type: 'boolean', description: 'Widget and channel bookings for this service become requests (§11).' },
  },
} as const;
export type ServiceView = FromSchema<typeof serviceResponseSchema>;

export const venueEventResponseSchema = {
  type: 'object',
  required: ['id', 'name', 'date', 'start', 'end', 'capacity'],
  properties: {
    id: { type: 'string', example: 'vev_0mhv2k1q3a8x4n2p7r9t1c' },
    name: { type: 'string', example: 'Wine tasting' },
    date: DATE,
    start: HHMM,
    end: HHMM,
    capacity: { type: 'integer', example: 40 },
    booked_covers: { type: 'integer', description: 'Covers booked so far (booking API).', example: 28 },
    remaining: { type: 'integer', description: 'Places left (booking API).', example: 12 },
  },
} as const;
export type VenueEventView = FromSchema<typeof venueEventResponseSchema>;

/** The contract's venue object (CONTRACT §2), as the admin API and `GET /api/v1/venue` render it. */
export const venueResponseSchema = {
  type: 'object',
  required: ['id', 'name', 'slug', 'timezone', 'currency', 'country', 'plan', 'areas', 'services', 'events'],
  properties: {
    id: { type: 'string', example: 'ven_0mhv2k1q3a8x4n2p7r9t1c' },
    name: { type: 'string', example: 'The Test Kitchen' },
    slug: { type: 'string', example: 'the-test-kitchen' },
    timezone: { type: 'string', example: 'Europe/London' },
    currency: CURRENCY,
    country: { type: ['string', 'null'], example: 'GB' },
    plan: { type: 'string', enum: ['starter', 'business', 'pro'] },
    areas: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'tables'],
        properties: {
          id: { type: 'string', example: 'area_0mhv2k1q3a8x4n2p7r9t1c' },
          name: { type: 'string', example: 'Main room' },
          tables: { type: 'array', items: tableResponseSchema },
        },
      },
    },
    services: { type: 'array', items: serviceResponseSchema },
    events: { type: 'array', items: venueEventResponseSchema },
    settings: { ...venueSettingsSchema, description: 'The booking rules of CONTRACT "Venue settings", every default filled in.' },
    created_at: TIMESTAMP,
    updated_at: TIMESTAMP,
  },
} as const;
export type VenueView = FromSchema<typeof venueResponseSchema>;

/** An API key as the admin API shows it; `key` only in the creation response. */
export const apiKeyCreatedResponseSchema = {
  type: 'object',
  required: ['id', 'key', 'name', 'scopes'],
  properties: {
    id: { type: 'string', example: 'key_0mhv2k1q3a8x4n2p7r9t1c' },
    key: {
      type: 'string',
      pattern: '^ts_live_',
      description: 'Shown this once; only its SHA-256 hash is stored.',
      example: 'ts_live_4fJ8kQ2mZp9xW3vR7tY1uB6nC0aS5dE',
    },
    name: { type: 'string', example: 'Website widget' },
    scopes: { type: 'array', items: { type: 'string', enum: [...API_SCOPES] } },
    prefix: { type: 'string', description: 'The first characters of the key, to recognise it later.' },
    venue_id: { type: 'string' },
    rate_limit_per_minute: { type: 'integer', example: 60 },
    created_at: TIMESTAMP,
  },
} as const;
export type ApiKeyCreatedView = FromSchema<typeof apiKeyCreatedResponseSchema>;

export const healthResponseSchema = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', const: 'ok' } },
} as const;

export const readinessResponseSchema = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ready', 'unavailable'] },
    checks: {
      type: 'object',
      required: ['mysql', 'redis'],
      properties: { mysql: { type: 'string', enum: ['ok', 'down'] }, redis: { type: 'string', enum: ['ok', 'down'] } },
    },
  },
} as const;

/** What a POS gets back from the ingestion endpoints (CONTRACT §4). */
export const partnerAckResponseSchema = {
  type: 'object',
  required: ['status'],
  properties: {
    status: {
      type: 'string',
      enum: ['ok', 'accepted', 'processed', 'ignored', 'processing'],
      description:
        '`ok`: a `webhooks.test_notification` was verified (nothing stored). `accepted`: stored and queued (ack `queued`). ' +
        '`processed`/`ignored`: the worker finished (ack `processed`). `processing`: still running after 10 s (HTTP 202).',
    },
    event_id: { type: 'string', example: 'evt_0mhv2k1q3a8x4n2p7r9t1c' },
    reason: { type: ['string', 'null'], description: 'Why the event was ignored.', example: 'unknown_location' },
  },
} as const;
