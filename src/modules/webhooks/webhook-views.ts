/** The response schemas of webhooks and their deliveries: what the presenters render, and what the OpenAPI document publishes. */
import type { View } from '../../platform/json-schema';
import { WEBHOOK_EVENTS } from '../outbox';
import { WEBHOOK_EVENT_NAMES } from './webhook-input';

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

export type WebhookView = View<typeof webhookResponseSchema>;
export type WebhookDeliveryView = View<typeof webhookDeliveryResponseSchema>;
