import type { FromSchema } from 'json-schema-to-ts';
import { venueSettingsPatchSchema } from '../../../modules/venues';
import { COUNTRY, CURRENCY, DATE, HHMM, TABLE_NUMBER } from './common.schema';

export const createVenueSchema = {
  $id: 'CreateVenue',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'slug', 'timezone', 'currency', 'areas', 'services'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    slug: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 100 },
    timezone: { type: 'string', minLength: 1, maxLength: 64, example: 'Europe/London' },
    currency: CURRENCY,
    country: COUNTRY,
    plan: { type: 'string', enum: ['starter', 'business', 'pro'], default: 'business' },
    areas: {
      type: 'array',
      maxItems: 50,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'tables'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          tables: {
            type: 'array',
            maxItems: 500,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['number', 'min_covers', 'max_covers'],
              properties: {
                number: TABLE_NUMBER,
                min_covers: { type: 'integer', minimum: 1, maximum: 100 },
                max_covers: { type: 'integer', minimum: 1, maximum: 100 },
              },
            },
          },
        },
      },
    },
    services: {
      type: 'array',
      maxItems: 50,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'days', 'start', 'end', 'slot_interval_minutes', 'duration_minutes'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          days: { type: 'array', minItems: 1, maxItems: 7, uniqueItems: true, items: { type: 'integer', minimum: 1, maximum: 7 } },
          start: HHMM,
          end: HHMM,
          slot_interval_minutes: { type: 'integer', minimum: 5, maximum: 240 },
          duration_minutes: { type: 'integer', minimum: 15, maximum: 720 },
          max_covers_per_slot: { type: ['integer', 'null'], minimum: 1 },
          requires_approval: { type: 'boolean', default: false, description: 'Widget and channel bookings become requests (§11).' },
        },
      },
    },
    settings: { ...venueSettingsPatchSchema, $id: undefined, description: 'Venue settings to change from their defaults (CONTRACT "Venue settings").' },
    events: {
      type: 'array',
      maxItems: 500,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'date', 'start', 'end', 'capacity'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          date: DATE,
          start: HHMM,
          end: HHMM,
          capacity: { type: 'integer', minimum: 1, maximum: 100000 },
        },
      },
    },
  },
} as const;
/** Derived from the schema; the domain function it is passed to takes its own input type, so a drift fails to compile. */
export type CreateVenueBody = FromSchema<typeof createVenueSchema>;

export const API_SCOPES = [
  'venue:read', 'venue:write', 'bookings:read', 'bookings:write', 'customers:read', 'customers:write',
  'sales:read', 'sales:write', 'webhooks:read', 'webhooks:write',
] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const createApiKeySchema = {
  $id: 'CreateApiKey',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'scopes'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    scopes: { type: 'array', uniqueItems: true, items: { type: 'string', enum: [...API_SCOPES] } },
    rate_limit_per_minute: { type: 'integer', minimum: 1, maximum: 100000, default: 60 },
  },
} as const;
export type CreateApiKeyBody = FromSchema<typeof createApiKeySchema>;

/** `PATCH /api/v1/venue` and `PATCH /admin/v1/venues/:venue_id`: the settings to change. */
export const updateVenueSchema = {
  $id: 'UpdateVenue',
  type: 'object',
  additionalProperties: false,
  required: ['settings'],
  properties: { settings: { ...venueSettingsPatchSchema, $id: undefined } },
} as const;
export type UpdateVenueBody = FromSchema<typeof updateVenueSchema>;

/** `PATCH /api/v1/services/:id`. */
export const updateServiceSchema = {
  $id: 'UpdateService',
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    requires_approval: { type: 'boolean', description: 'Widget and channel bookings for this service become requests (§11).' },
  },
} as const;
export type UpdateServiceBody = FromSchema<typeof updateServiceSchema>;
