import type { FromSchema } from 'json-schema-to-ts';
import { WEBHOOK_EVENTS } from '../../../modules/outbox';
import { WEBHOOK_EVENT_NAMES } from '../../../modules/webhooks';
import { PAGINATION_QUERY_PROPERTIES, type PaginationQuery } from './pagination.schema';

/**
 * Request and response schemas of `/api/v1/webhooks` (CONTRACT §6, §7). Exported: the route validates with
 * them and the OpenAPI document is generated from them.
 */

export { WEBHOOK_EVENT_NAMES };

const EVENTS = {
  type: 'array',
  minItems: 1,
  maxItems: WEBHOOK_EVENT_NAMES.length,
  uniqueItems: true,
  items: { type: 'string', enum: [...WEBHOOK_EVENT_NAMES] },
  example: ['booking.created', 'booking.updated'],
} as const;

const URL_FIELD = { type: 'string', minLength: 1, maxLength: 2048, example: 'https://example.com/hooks/tablesync' } as const;

export const createWebhookSchema = {
  $id: 'CreateWebhook',
  type: 'object',
  additionalProperties: false,
  required: ['url', 'events'],
  properties: { url: URL_FIELD, events: EVENTS },
} as const;
/** Derived from the schema; the domain function it is passed to takes its own input type, so a drift fails to compile. */
export type CreateWebhookBody = FromSchema<typeof createWebhookSchema>;

export const updateWebhookSchema = {
  $id: 'UpdateWebhook',
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { url: URL_FIELD, events: EVENTS, enabled: { type: 'boolean' } },
} as const;
/** Derived from the schema; the domain function it is passed to takes its own input type, so a drift fails to compile. */
export type UpdateWebhookBody = FromSchema<typeof updateWebhookSchema>;

export type ListWebhooksQuery = PaginationQuery;

/** CONTRACT §2 list parameters; oldest first. */
export const listWebhooksQuerySchema = {
  $id: 'ListWebhooksQuery',
  type: 'object',
  additionalProperties: false,
  properties: { ...PAGINATION_QUERY_PROPERTIES },
} as const;

/** Newest first; `status` narrows to pending, succeeded or failed deliveries. */
export const listDeliveriesQuerySchema = {
  $id: 'ListWebhookDeliveriesQuery',
  type: 'object',
  additionalProperties: false,
  properties: {
    ...PAGINATION_QUERY_PROPERTIES,
    status: { type: 'string', enum: ['pending', 'succeeded', 'failed'], description: 'Only deliveries in this state.' },
  },
} as const;
export type ListDeliveriesQuery = FromSchema<typeof listDeliveriesQuerySchema>;

// Response schemas carry no $id: they are nested in one another (and in the OpenAPI document).
const TIMESTAMP = { type: 'string', format: 'date-time', example: '2026-05-01T18:00:00.000Z' } as const;
const NULLABLE_TIMESTAMP = { type: ['string', 'null'], format: 'date-time' } as const;

/** The webhook object. The secret is never part of it (only of the creation response). */
export const webhookResponseSchema = {
  type: 'object',
  required: ['id', 'url', 'events', 'enabled', 'disabled_reason', 'created_at', 'updated_at'],
  properties: {
    id: { type: 'string', example: 'wh_0lq2x9a1b2c3d4e5f6g7h8i9' },
    url: { type: 'string' },
    events: { type: 'array', items: { type: 'string', enum: [...WEBHOOK_EVENT_NAMES] } },
    enabled: { type: 'boolean' },
    disabled_reason: { type: ['string', 'null'], example: null },
    failing_since: { ...NULLABLE_TIMESTAMP, description: 'First failed attempt since the last success.' },
    created_at: TIMESTAMP,
    updated_at: TIMESTAMP,
  },
} as const;

/** 201 of POST /webhooks: the webhook plus its signing secret, shown this once. */
export const createdWebhookResponseSchema = {
  type: 'object',
  required: [...webhookResponseSchema.required, 'secret'],
  properties: {
    ...webhookResponseSchema.properties,
    secret: { type: 'string', pattern: '^whsec_', example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
  },
} as const;

export const webhookAttemptResponseSchema = {
  type: 'object',
  required: ['attempt', 'status_code', 'duration_ms', 'response_body', 'error', 'created_at'],
  properties: {
    attempt: { type: 'integer', minimum: 1 },
    status_code: { type: ['integer', 'null'], description: 'null when no response arrived (timeout, refused).' },
    duration_ms: { type: 'integer' },
    response_body: { type: ['string', 'null'], description: 'First 2 KiB of the response body.' },
    error: { type: ['string', 'null'] },
    created_at: TIMESTAMP,
  },
} as const;

export const webhookDeliveryResponseSchema = {
  type: 'object',
  required: [
    'id', 'webhook_id', 'message_id', 'event', 'status', 'attempts', 'next_attempt_at', 'last_status_code',
    'last_error', 'attempt_log', 'created_at', 'updated_at',
  ],
  properties: {
    id: { type: 'string', example: 'whd_0lq2x9a1b2c3d4e5f6g7h8i9' },
    webhook_id: { type: 'string' },
    message_id: { type: 'string', description: 'The body `id` and `webhook-id` header: dedupe on it.' },
    event: { type: 'string', enum: [...WEBHOOK_EVENTS] },
    status: { type: 'string', enum: ['pending', 'succeeded', 'failed'] },
    attempts: { type: 'integer', description: 'Attempts made so far.' },
    next_attempt_at: NULLABLE_TIMESTAMP,
    last_status_code: { type: ['integer', 'null'] },
    last_error: { type: ['string', 'null'] },
    attempt_log: { type: 'array', items: webhookAttemptResponseSchema },
    created_at: TIMESTAMP,
    updated_at: TIMESTAMP,
  },
} as const;

export const webhookListResponseSchema = {
  type: 'object',
  required: ['data', 'next_cursor'],
  properties: { data: { type: 'array', items: webhookResponseSchema }, next_cursor: { type: ['string', 'null'] } },
} as const;

export const webhookDeliveryListResponseSchema = {
  type: 'object',
  required: ['data', 'next_cursor'],
  properties: {
    data: { type: 'array', items: webhookDeliveryResponseSchema },
    next_cursor: { type: ['string', 'null'] },
  },
} as const;
