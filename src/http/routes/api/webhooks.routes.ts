import { Router, type Request } from 'express';
import type { AppDeps } from '../../../app-deps';
import type { Webhook, WebhookDelivery } from '../../../db/entities';
import {
  attemptsOf, createWebhook, deleteWebhook, deliveryListQuery, getWebhook, presentDelivery, presentWebhook,
  updateWebhook, webhookListQuery,
} from '../../../outbound/webhooks-service';
import { getAuth, requireScope } from '../../middleware/api-key-auth';
import { compileQuerySchema, listResponse, paginate, type Keyset } from '../../pagination';
import {
  createWebhookSchema, listDeliveriesQuerySchema, listWebhooksQuerySchema, updateWebhookSchema,
  type CreateWebhookBody, type ListDeliveriesQuery, type ListWebhooksQuery, type UpdateWebhookBody,
} from '../../schemas/webhook.schema';
import { compileSchema, parseWith } from '../../validation';

const validateCreate = compileSchema<CreateWebhookBody>(createWebhookSchema);
const validateUpdate = compileSchema<UpdateWebhookBody>(updateWebhookSchema);
const parseListQuery = compileQuerySchema<ListWebhooksQuery>(listWebhooksQuerySchema);
const parseDeliveriesQuery = compileQuerySchema<ListDeliveriesQuery>(listDeliveriesQuerySchema);

const WEBHOOKS_KEYSET: Keyset<Webhook> = { name: 'webhooks', keys: [{ column: 'w.id', value: (w) => w.id }] };
const DELIVERIES_KEYSET: Keyset<WebhookDelivery> = {
  name: 'webhook_deliveries',
  keys: [
    { column: 'd.created_at', order: 'DESC', value: (d) => d.createdAt },
    { column: 'd.id', order: 'DESC', value: (d) => d.id },
  ],
};

/** Express 5 types a route parameter loosely when middleware precedes the handler. */
const idOf = (req: Request): string => String(req.params.id);

/** `/api/v1/webhooks` (CONTRACT §6): outbound webhook endpoints of the key's venue and their delivery log. */
export function webhooksRouter(deps: AppDeps): Router {
  const router = Router();
  const em = deps.dataSource.manager;
  const read = requireScope('webhooks:read');
  const write = requireScope('webhooks:write');

  router.get('/webhooks', read, async (req, res) => {
    const q = parseListQuery(req.query);
    const page = await paginate(webhookListQuery(em, getAuth(res).venueId), WEBHOOKS_KEYSET, q);
    res.json(listResponse(page.rows.map(presentWebhook), page.nextCursor));
  });

  router.post('/webhooks', write, async (req, res) => {
    const body = parseWith(validateCreate, req.body);
    const { webhook, secret } = await createWebhook(deps, getAuth(res).venueId, body);
    // The only time the secret leaves the server in clear.
    res.status(201).json({ ...presentWebhook(webhook), secret });
  });

  router.get('/webhooks/:id', read, async (req, res) => {
    res.json(presentWebhook(await getWebhook(em, getAuth(res).venueId, idOf(req))));
  });

  router.patch('/webhooks/:id', write, async (req, res) => {
    const body = parseWith(validateUpdate, req.body);
    res.json(presentWebhook(await updateWebhook(deps, getAuth(res).venueId, idOf(req), body)));
  });

  router.delete('/webhooks/:id', write, async (req, res) => {
    await deleteWebhook(em, getAuth(res).venueId, idOf(req));
    res.status(204).end();
  });

  router.get('/webhooks/:id/deliveries', read, async (req, res) => {
    const q = parseDeliveriesQuery(req.query);
    const qb = await deliveryListQuery(em, getAuth(res).venueId, idOf(req), q.status);
    const page = await paginate(qb, DELIVERIES_KEYSET, q);
    const attempts = await attemptsOf(em, page.rows.map((d) => d.id));
    res.json(listResponse(page.rows.map((d) => presentDelivery(d, attempts.get(d.id) ?? [])), page.nextCursor));
  });

  return router;
}
