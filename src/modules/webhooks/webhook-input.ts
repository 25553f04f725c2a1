import { WEBHOOK_EVENTS } from '../outbox';

/** What the webhook routes ask for; validated by src/surfaces/http/schemas/webhook.schema.ts. */

/** `"*"` subscribes to every event, including ones added later. */
export const WEBHOOK_EVENT_NAMES = [...WEBHOOK_EVENTS, '*'] as const;
export type WebhookEventName = (typeof WEBHOOK_EVENT_NAMES)[number];

export interface CreateWebhookBody {
  url: string;
  events: WebhookEventName[];
}

export interface UpdateWebhookBody {
  url?: string;
  events?: WebhookEventName[];
  /** `true` re-enables an endpoint disabled for failing (and clears its failure clock). */
  enabled?: boolean;
}
