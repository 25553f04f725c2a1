import type { FromSchema } from 'json-schema-to-ts';

/** `POST /admin/v1/channels`. */
export const createChannelSchema = {
  $id: 'CreateChannel',
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: {
      type: 'string', minLength: 1, maxLength: 100, pattern: '\\S',
      description: 'Shown in its bookings\' `source` as `channel:<name>`.', example: 'concierge-co',
    },
  },
} as const;
export type CreateChannelBody = FromSchema<typeof createChannelSchema>;

/** `POST /admin/v1/channels/:id/api-keys`. */
export const createChannelKeySchema = {
  $id: 'CreateChannelKey',
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200, example: 'Production' },
    rate_limit_per_minute: { type: 'integer', minimum: 1, maximum: 100000, description: 'Requests per minute for this key, at all venues together (default 60).' },
  },
} as const;
export type CreateChannelKeyBody = FromSchema<typeof createChannelKeySchema>;

/** `PUT /admin/v1/venues/:venue_id/channels/:channel_id`. */
export const grantChannelSchema = {
  $id: 'GrantChannel',
  type: 'object',
  additionalProperties: false,
  required: ['can_book'],
  properties: {
    can_book: { type: 'boolean', description: 'true: the channel books like the venue\'s own key (under the venue\'s rules); false: every booking it makes is a request.' },
  },
} as const;
export type GrantChannelBody = FromSchema<typeof grantChannelSchema>;

export const channelResponseSchema = {
  $id: 'Channel',
  type: 'object',
  required: ['id', 'name'],
  properties: {
    id: { type: 'string', example: 'chn_0mhv2k1q3a8x4n2p7r9t1c' },
    name: { type: 'string', example: 'concierge-co' },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

export const channelKeyResponseSchema = {
  $id: 'ChannelKeyCreated',
  type: 'object',
  required: ['id', 'key', 'name'],
  properties: {
    id: { type: 'string', example: 'chk_0mhv2k1q3a8x4n2p7r9t1c' },
    key: { type: 'string', pattern: '^ts_live_', description: 'Shown this once; only its SHA-256 hash is stored.', example: 'ts_live_9cQ2mZp4fJ8kxW3vR7tY1uB6nC0aS5dE' },
    name: { type: 'string', example: 'Production' },
    channel_id: { type: 'string' },
    prefix: { type: 'string', description: 'The first characters of the key, to recognise it later.' },
    rate_limit_per_minute: { type: 'integer', example: 60 },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

export const channelGrantResponseSchema = {
  $id: 'ChannelGrant',
  type: 'object',
  required: ['venue_id', 'channel_id', 'can_book'],
  properties: {
    venue_id: { type: 'string' },
    channel_id: { type: 'string' },
    can_book: { type: 'boolean' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
} as const;
