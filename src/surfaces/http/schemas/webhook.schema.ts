import type { FromSchema } from 'json-schema-to-ts';
import {
  createdWebhookResponseSchema, WEBHOOK_EVENT_NAMES, webhookAttemptResponseSchema, webhookDeliveryResponseSchema, webhookResponseSchema,
} from '../../../modules/webhooks';
import { PAGE_QUERY_SCHEMA, PAGINATION_QUERY_PROPERTIES, type PaginationQuery } from './pagination.schema';

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
export const listWebhooksQuerySchema = PAGE_QUERY_SCHEMA;

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

// The webhook objects: the webhooks module's views (src/modules/webhooks/webhook-views.ts), the same objects.
export { createdWebhookResponseSchema, webhookAttemptResponseSchema, webhookDeliveryResponseSchema, webhookResponseSchema };
