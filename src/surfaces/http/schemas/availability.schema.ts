import type { FromSchema } from 'json-schema-to-ts';
import { MAX_PARTY_SIZE } from '../../../modules/diary';
import { DATE } from './common.schema';

/** Ids of this venue's resources (opaque; the prefix only catches obvious mix-ups). */
export const SERVICE_ID = { type: 'string', pattern: '^svc_[a-z0-9]{1,36}$', description: 'A service of this venue.', example: 'svc_0mhv2k1q3a8x4n2p7r9t1c' } as const;
export const EVENT_ID = { type: 'string', pattern: '^vev_[a-z0-9]{1,36}$', description: 'An event of this venue.', example: 'vev_0mhv2k1q3a8x4n2p7r9t1c' } as const;
export const TABLE_ID = { type: 'string', pattern: '^tbl_[a-z0-9]{1,36}$', description: 'A table of this venue.', example: 'tbl_0mhv2k1q3a8x4n2p7r9t1c' } as const;
export const PARTY_SIZE = {
  type: 'integer',
  minimum: 1,
  maximum: MAX_PARTY_SIZE,
  description: `Number of guests, 1–${MAX_PARTY_SIZE}.`,
  example: 4,
} as const;

/** `GET /api/v1/availability` query. */
export const availabilityQuerySchema = {
  $id: 'AvailabilityQuery',
  type: 'object',
  additionalProperties: false,
  required: ['date', 'party_size'],
  properties: {
    date: { ...DATE, description: 'Venue-local date the slots start on.' },
    party_size: PARTY_SIZE,
    service_id: { ...SERVICE_ID, description: 'Only this service\'s slots.' },
    event_id: { ...EVENT_ID, description: 'The event\'s own arrival times and capacity instead of the services\' grid.' },
  },
} as const;
export type AvailabilityQuery = FromSchema<typeof availabilityQuerySchema>;

/** `GET /api/v1/availability` response. */
export const availabilityResponseSchema = {
  $id: 'Availability',
  type: 'object',
  required: ['date', 'party_size', 'slots'],
  properties: {
    date: DATE,
    party_size: { type: 'integer', example: 4 },
    slots: {
      type: 'array',
      description: 'Every slot of the day in time order, bookable or not. Past slots are unavailable.',
      items: {
        type: 'object',
        required: ['time', 'available', 'service_id'],
        properties: {
          time: { type: 'string', example: '19:30', description: 'Venue-local HH:MM.' },
          available: { type: 'boolean', description: 'A booking for this party at this time would succeed now.' },
          service_id: { type: ['string', 'null'], example: 'svc_0mhv2k1q3a8x4n2p7r9t1c' },
          event_id: { type: 'string', description: 'Present for event slots.' },
        },
      },
    },
  },
} as const;
