import type { Webhook, WebhookDelivery } from '../../platform/db/entities';
import {
  attemptsOf, createWebhook, deleteWebhook, deliveryListQuery, getWebhook, presentDelivery, presentWebhook,
  updateWebhook, webhookListQuery,
} from '../../modules/webhooks';
import { WEBHOOK_EXAMPLE } from '../http/openapi/examples';
import { bodySchema, defineOperation, querySchema } from '../http/operation';
import { pageResponse, paginate, type Keyset } from '../http/pagination';
import { listEnvelopeSchema } from '../http/schemas/pagination.schema';
import {
  createdWebhookResponseSchema, createWebhookSchema, listDeliveriesQuerySchema, listWebhooksQuerySchema, updateWebhookSchema,
  webhookDeliveryResponseSchema, webhookResponseSchema,
  type CreateWebhookBody, type ListDeliveriesQuery, type ListWebhooksQuery, type UpdateWebhookBody,
} from '../http/schemas/webhook.schema';

const WEBHOOKS_KEYSET: Keyset<Webhook> = { name: 'webhooks', keys: [{ column: 'w.id', value: (w) => w.id }] };
const DELIVERIES_KEYSET: Keyset<WebhookDelivery> = {
  name: 'webhook_deliveries',
  keys: [
    { column: 'd.created_at', order: 'DESC', value: (d) => d.createdAt },
    { column: 'd.id', order: 'DESC', value: (d) => d.id },
  ],
};

/** `/api/v1/webhooks` (CONTRACT §6): outbound webhook endpoints of the key's venue and their delivery log. */
export const webhookOperations = [
  defineOperation({
    id: 'listWebhooks', method: 'get', path: '/webhooks', tag: 'Webhooks', auth: 'apiKey', scope: 'webhooks:read',
    summary: "The venue's webhook endpoints", query: querySchema<ListWebhooksQuery>(listWebhooksQuerySchema),
    responses: [{ status: 200, description: 'A page of webhooks.', schema: listEnvelopeSchema(webhookResponseSchema), example: { data: [WEBHOOK_EXAMPLE], next_cursor: null } }],
    handler: ({ dataSource: { manager: em } }) => async ({ query, venue, res }) => {
      const page = await paginate(webhookListQuery(em, venue.id), WEBHOOKS_KEYSET, query);
      res.json(pageResponse(page, presentWebhook));
    },
  }),
  defineOperation({
    id: 'createWebhook', method: 'post', path: '/webhooks', tag: 'Webhooks', auth: 'apiKey', scope: 'webhooks:write',
    summary: 'Subscribe an endpoint to events',
    description: 'The response carries the signing `secret`, shown this once. `["*"]` subscribes to every event.',
    body: bodySchema<CreateWebhookBody>(createWebhookSchema),
    bodyExample: { url: 'https://example.com/hooks/tablesync', events: ['booking.created', 'sale.recorded'] },
    responses: [{
      status: 201, description: 'Created.', schema: createdWebhookResponseSchema,
      example: { ...WEBHOOK_EXAMPLE, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    }],
    errors: ['invalid_webhook_url'],
    handler: (deps) => async ({ body, venue, res }) => {
      const { webhook, secret } = await createWebhook(deps, venue.id, body);
      // The only time the secret leaves the server in clear.
      res.status(201).json({ ...presentWebhook(webhook), secret });
    },
  }),
  defineOperation({
    id: 'getWebhook', method: 'get', path: '/webhooks/:id', tag: 'Webhooks', auth: 'apiKey', scope: 'webhooks:read',
    summary: 'A webhook endpoint',
    responses: [{ status: 200, description: 'The webhook.', schema: webhookResponseSchema, example: WEBHOOK_EXAMPLE }],
    errors: ['not_found'],
    handler: ({ dataSource: { manager: em } }) => async ({ params, venue, res }) => {
      res.json(presentWebhook(await getWebhook(em, venue.id, params.id)));
    },
  }),
  defineOperation({
    id: 'updateWebhook', method: 'patch', path: '/webhooks/:id', tag: 'Webhooks', auth: 'apiKey', scope: 'webhooks:write',
    summary: 'Change the URL or events, or re-enable an endpoint',
    body: bodySchema<UpdateWebhookBody>(updateWebhookSchema), bodyExample: { enabled: true },
    responses: [{ status: 200, description: 'The webhook.', schema: webhookResponseSchema, example: WEBHOOK_EXAMPLE }],
    errors: ['not_found', 'invalid_webhook_url'],
    handler: (deps) => async ({ body, params, venue, res }) => {
      res.json(presentWebhook(await updateWebhook(deps, venue.id, params.id, body)));
    },
  }),
  defineOperation({
    id: 'deleteWebhook', method: 'delete', path: '/webhooks/:id', tag: 'Webhooks', auth: 'apiKey', scope: 'webhooks:write',
    summary: 'Delete a webhook endpoint',
    responses: [{ status: 204, description: 'Deleted; nothing more is delivered to it.' }],
    errors: ['not_found'],
    handler: ({ dataSource: { manager: em } }) => async ({ params, venue, res }) => {
      await deleteWebhook(em, venue.id, params.id);
      res.status(204).end();
    },
  }),
  defineOperation({
    id: 'listWebhookDeliveries', method: 'get', path: '/webhooks/:id/deliveries', tag: 'Webhooks', auth: 'apiKey',
    scope: 'webhooks:read', summary: 'Deliveries to an endpoint, with every attempt', query: querySchema<ListDeliveriesQuery>(listDeliveriesQuerySchema),
    responses: [{ status: 200, description: 'A page of deliveries, newest first.', schema: listEnvelopeSchema(webhookDeliveryResponseSchema) }],
    errors: ['not_found'],
    handler: ({ dataSource: { manager: em } }) => async ({ params, query: q, venue, res }) => {
      const qb = await deliveryListQuery(em, venue.id, params.id, q.status);
      const page = await paginate(qb, DELIVERIES_KEYSET, q);
      const attempts = await attemptsOf(em, page.rows.map((d) => d.id));
      res.json(pageResponse(page, (d) => presentDelivery(d, attempts.get(d.id) ?? [])));
    },
  }),
];
