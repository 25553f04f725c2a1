import type { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import type { Config } from '../../platform/config';
import { Webhook, WebhookDelivery, WebhookDeliveryAttempt } from '../../platform/db/entities';
import type { DeliveryStatus } from '../../platform/db/entities';
import type { CreateWebhookBody, UpdateWebhookBody, WebhookEventName } from './webhook-input';
import type { WebhookEvent } from '../outbox';
import { notFound } from '../../platform/app-error';
import { newId } from '../../platform/ids';
import type { SecretBox } from '../../platform/secret-box';
import { generateWebhookSecret } from './sign-webhook';
import type { WebhookDeliveryView, WebhookView } from './webhook-views';
import { assertDeliverableUrl, type UrlPolicyOptions } from './webhook-url-policy';
import { retryOnDeadlock } from '../../platform/db/db-errors';
import { fitColumn } from '../../platform/storable';

/**
 * Use cases behind `/api/v1/webhooks`: register, list, read, change and delete endpoints, and read their
 * delivery log. Every query is scoped to the caller's venue, so another venue's webhook is simply not found.
 */

export interface WebhookServiceDeps {
  dataSource: DataSource;
  secretBox: SecretBox;
  config: Pick<Config, 'webhookAllowPrivate' | 'nodeEnv'>;
}

/** CONTRACT §7 plus https in production: receivers get signed customer data, never over plain http there. */
export function urlPolicy(config: Pick<Config, 'webhookAllowPrivate' | 'nodeEnv'>): UrlPolicyOptions {
  return { allowPrivate: config.webhookAllowPrivate, requireHttps: config.nodeEnv === 'production' };
}

/** `["*"]` when "*" is among the events: it already means all of them. */
function normaliseEvents(events: WebhookEventName[]): string[] {
  return events.includes('*') ? ['*'] : [...events];
}

export async function createWebhook(
  deps: WebhookServiceDeps,
  venueId: string,
  body: CreateWebhookBody,
  now = new Date(),
): Promise<{ webhook: Webhook; secret: string }> {
  await assertDeliverableUrl(body.url, urlPolicy(deps.config));
  const secret = generateWebhookSecret();
  const webhook = deps.dataSource.manager.create(Webhook, {
    id: newId('wh'),
    venueId,
    url: body.url,
    events: normaliseEvents(body.events),
    secretEncrypted: deps.secretBox.encrypt(secret),
    enabled: true,
    disabledReason: null,
    failingSince: null,
    deletedAt: null,
    createdAt: now,
    updatedAt: now,
  });
  await deps.dataSource.manager.insert(Webhook, webhook);
  return { webhook, secret };
}

/** A live (not deleted) webhook of this venue, or 404. */
export async function getWebhook(em: EntityManager, venueId: string, id: string): Promise<Webhook> {
  const webhook = await em
    .createQueryBuilder(Webhook, 'w')
    .where('w.id = :id AND w.venue_id = :venueId AND w.deleted_at IS NULL', { id, venueId })
    .getOne();
  if (!webhook) throw notFound('Webhook');
  return webhook;
}

/** The venue's live webhooks, for keyset pagination by the caller (oldest first by id). */
export function webhookListQuery(em: EntityManager, venueId: string): SelectQueryBuilder<Webhook> {
  return em.createQueryBuilder(Webhook, 'w').where('w.venue_id = :venueId AND w.deleted_at IS NULL', { venueId });
}

export async function updateWebhook(
  deps: WebhookServiceDeps,
  venueId: string,
  id: string,
  body: UpdateWebhookBody,
  now = new Date(),
): Promise<Webhook> {
  const em = deps.dataSource.manager;
  const webhook = await getWebhook(em, venueId, id);
  if (body.url !== undefined) {
    await assertDeliverableUrl(body.url, urlPolicy(deps.config));
    webhook.url = body.url;
  }
  if (body.events !== undefined) webhook.events = normaliseEvents(body.events);
  if (body.enabled === true && !webhook.enabled) {
    // Re-enabling starts the failure clock afresh; otherwise the next failed attempt would disable it again.
    webhook.enabled = true;
    webhook.disabledReason = null;
    webhook.failingSince = null;
  } else if (body.enabled === false && webhook.enabled) {
    webhook.enabled = false;
    webhook.disabledReason = 'Disabled through the API';
  }
  webhook.updatedAt = now;
  // As deleteWebhook: disabling stops deliveries after the webhook row is taken.
  await retryOnDeadlock(() => em.transaction(async (tx) => {
    await tx.update(Webhook, { id: webhook.id }, {
      url: webhook.url,
      events: webhook.events,
      enabled: webhook.enabled,
      disabledReason: webhook.disabledReason,
      failingSince: webhook.failingSince,
      updatedAt: now,
    });
    if (!webhook.enabled) await stopPendingDeliveries(tx, webhook.id, `Webhook disabled: ${webhook.disabledReason}`, now);
  }));
  return webhook;
}

/**
 * Soft delete: the row stays for the delivery log; pending deliveries stop at once. The delivery worker
 * records outcomes on delivery rows, then on the webhook row; this takes the webhook row first, so the two
 * can deadlock now and then: the loser is run again.
 */
export async function deleteWebhook(em: EntityManager, venueId: string, id: string, now = new Date()): Promise<void> {
  await retryOnDeadlock(() =>
    em.transaction(async (tx) => {
      const result = await tx
        .createQueryBuilder()
        .update(Webhook)
        .set({ deletedAt: now, updatedAt: now })
        .where('id = :id AND venue_id = :venueId AND deleted_at IS NULL', { id, venueId })
        .execute();
      if (!result.affected) throw notFound('Webhook');
      await stopPendingDeliveries(tx, id, 'Webhook deleted', now);
    }),
  );
}

/**
 * Marks a webhook's pending deliveries failed. Their queued jobs still fire, see a finished delivery and
 * do nothing, so nothing has to be removed from Redis here.
 */
export async function stopPendingDeliveries(em: EntityManager, webhookId: string, reason: string, now = new Date()): Promise<void> {
  await em.query(
    `UPDATE webhook_deliveries SET status = 'failed', last_error = ?, next_attempt_at = NULL, updated_at = ?
      WHERE webhook_id = ? AND status = 'pending'`,
    [fitColumn('webhook_deliveries.last_error', reason), now, webhookId],
  );
}

/**
 * A webhook's deliveries (404 unless it is this venue's live webhook), for keyset pagination by the caller;
 * newest first by (created_at, id), which the (webhook_id, created_at) index serves.
 */
export async function deliveryListQuery(
  em: EntityManager,
  venueId: string,
  webhookId: string,
  status?: DeliveryStatus,
): Promise<SelectQueryBuilder<WebhookDelivery>> {
  await getWebhook(em, venueId, webhookId);
  const qb = em.createQueryBuilder(WebhookDelivery, 'd').where('d.webhook_id = :webhookId', { webhookId });
  if (status) qb.andWhere('d.status = :status', { status });
  return qb;
}

/** The attempt log of some deliveries, by delivery id, in attempt order. */
export async function attemptsOf(em: EntityManager, deliveryIds: string[]): Promise<Map<string, WebhookDeliveryAttempt[]>> {
  const byDelivery = new Map<string, WebhookDeliveryAttempt[]>();
  if (deliveryIds.length === 0) return byDelivery;
  const attempts = await em
    .createQueryBuilder(WebhookDeliveryAttempt, 'a')
    .where('a.delivery_id IN (:...ids)', { ids: deliveryIds })
    .orderBy('a.delivery_id')
    .addOrderBy('a.attempt')
    .getMany();
  for (const a of attempts) byDelivery.set(a.deliveryId, [...(byDelivery.get(a.deliveryId) ?? []), a]);
  return byDelivery;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** The webhook object (never its secret). */
export function presentWebhook(w: Webhook): WebhookView {
  return {
    id: w.id,
    url: w.url,
    // Checked against WEBHOOK_EVENT_NAMES when written (webhook.schema.ts).
    events: w.events as WebhookEventName[],
    enabled: w.enabled,
    disabled_reason: w.disabledReason,
    failing_since: iso(w.failingSince),
    created_at: w.createdAt.toISOString(),
    updated_at: w.updatedAt.toISOString(),
  };
}

export function presentDelivery(d: WebhookDelivery, attempts: WebhookDeliveryAttempt[]): WebhookDeliveryView {
  return {
    id: d.id,
    webhook_id: d.webhookId,
    message_id: d.messageId,
    // Written by the outbox fan-out, from WEBHOOK_EVENTS.
    event: d.event as WebhookEvent,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: iso(d.nextAttemptAt),
    last_status_code: d.lastStatusCode,
    last_error: d.lastError,
    attempt_log: attempts.map((a) => ({
      attempt: a.attempt,
      status_code: a.statusCode,
      duration_ms: a.durationMs,
      response_body: a.responseBody,
      error: a.error,
      created_at: a.createdAt.toISOString(),
    })),
    created_at: d.createdAt.toISOString(),
    updated_at: d.updatedAt.toISOString(),
  };
}
