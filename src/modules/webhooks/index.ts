/**
 * The webhooks module's door: what other modules, the surfaces and the composition root use of it. Nothing
 * outside src/modules/webhooks/ imports its other files (eslint layout/boundaries).
 */
export { type DeliveryJobData, deliveryJobOptions, eventData, retryScheduleOf, startWebhookDeliveryWorker } from './deliver-webhook.worker';
export { webhookBody } from './sign-webhook';
export { WEBHOOK_EVENT_NAMES } from './webhook-input';
export {
  createdWebhookResponseSchema, webhookAttemptResponseSchema, type WebhookDeliveryView, webhookDeliveryResponseSchema, webhookResponseSchema, type WebhookView,
} from './webhook-views';
export { attemptsOf, createWebhook, deleteWebhook, deliveryListQuery, getWebhook, presentDelivery, presentWebhook, updateWebhook, webhookListQuery } from './webhooks-service';
