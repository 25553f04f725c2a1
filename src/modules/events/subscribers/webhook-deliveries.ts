/** The webhook fan-out, the relay's (relay.ts) second subscriber: one webhook delivery (row and job) per (message, subscribed endpoint). */
import type { DataSource } from 'typeorm';
import { newId } from '../../../platform/ids';
import { isInternalEvent } from '../../outbox';
import { deliveryJobOptions } from '../../webhooks';
import type { OutboxRow, OutboxSubscriber } from '../relay';

interface WebhookRow {
  id: string;
  venue_id: string;
  events: string | string[];
  created_at: Date;
}

/**
 * Deliveries per INSERT and per addBulk. A large fan-out goes chunk by chunk, so workers start on the first
 * chunk while the rest is still being written (and each statement stays well within max_allowed_packet).
 */
const CHUNK = 500;

type DeliveryValues = [string, string, string, string, 'pending', 0, Date, Date, Date];

/**
 * Fan-out: one delivery per (message, subscribed endpoint). An endpoint gets the messages written after it
 * was registered, not the backlog from before.
 */
async function planDeliveries(ds: DataSource, rows: readonly OutboxRow[], now: Date): Promise<DeliveryValues[]> {
  const venueIds = [...new Set(rows.map((r) => r.venue_id))];
  const hooks = (await ds.query(
    'SELECT id, venue_id, events, created_at FROM webhooks WHERE venue_id IN (?) AND enabled = 1 AND deleted_at IS NULL',
    [venueIds],
  )) as WebhookRow[];
  const byVenue = new Map<string, { id: string; events: string[]; createdAt: number }[]>();
  for (const h of hooks) {
    const events = typeof h.events === 'string' ? (JSON.parse(h.events) as string[]) : h.events;
    byVenue.set(h.venue_id, [...(byVenue.get(h.venue_id) ?? []), { id: h.id, events, createdAt: h.created_at.getTime() }]);
  }
  const values: DeliveryValues[] = [];
  for (const row of rows) {
    // Facts for the outbox's own subscribers (an email asked for by a door) are not webhook events.
    if (isInternalEvent(row.event)) continue;
    for (const h of byVenue.get(row.venue_id) ?? []) {
      if (h.createdAt > row.created_at.getTime()) continue;
      if (!h.events.includes('*') && !h.events.includes(row.event)) continue;
      values.push([newId('whd'), h.id, row.message_id, row.event, 'pending', 0, now, now, now]);
    }
  }
  return values;
}

/**
 * Inserts pending deliveries (autocommit, on a connection of its own, so they are visible to workers
 * before their jobs exist) and returns those still pending. An existing (webhook_id, message_id) keeps its
 * row and id: relaying an outbox row twice is harmless.
 */
async function insertDeliveries(ds: DataSource, values: DeliveryValues[]): Promise<{ id: string; attempts: number }[]> {
  const result = (await ds.query(
    `INSERT INTO webhook_deliveries (id, webhook_id, message_id, event, status, attempts, next_attempt_at, created_at, updated_at)
     VALUES ? ON DUPLICATE KEY UPDATE id = id`,
    [values],
  )) as { info?: string };
  // affectedRows counts found duplicates too (CLIENT_FOUND_ROWS); the server's info line does not (and is
  // empty for a one-row insert, which then takes the lookup below).
  if (/Duplicates: 0\b/.test(result.info ?? '')) return values.map((v) => ({ id: v[0], attempts: 0 }));
  // Relayed before (a crash before the row was marked): which deliveries exist, and are they still pending?
  // Both lists hit the unique (webhook_id, message_id) index; the exact pairs are picked here.
  const pairs = new Set(values.map((v) => `${v[1]} ${v[2]}`));
  const existing = (await ds.query(
    `SELECT id, webhook_id, message_id, attempts FROM webhook_deliveries
      WHERE webhook_id IN (?) AND message_id IN (?) AND status = 'pending'`,
    [[...new Set(values.map((v) => v[1]))], [...new Set(values.map((v) => v[2]))]],
  )) as { id: string; webhook_id: string; message_id: string; attempts: number }[];
  return existing.filter((d) => pairs.has(`${d.webhook_id} ${d.message_id}`)).map((d) => ({ id: d.id, attempts: d.attempts }));
}

/** Today's first subscriber: one webhook delivery (row and job) per (message, subscribed endpoint). */
export const webhookDeliveries: OutboxSubscriber = {
  name: 'webhooks',
  async handle(deps, rows, now) {
    const planned = await planDeliveries(deps.dataSource, rows, now);
    for (let i = 0; i < planned.length; i += CHUNK) {
      const pending = await insertDeliveries(deps.dataSource, planned.slice(i, i + CHUNK));
      if (pending.length === 0) continue;
      await deps.queue.addBulk(
        pending.map((d) => ({
          name: 'deliver',
          data: { delivery_id: d.id },
          opts: deliveryJobOptions(d.id, deps.schedule, deps.schedule.attempts - d.attempts),
        })),
      );
    }
  },
};
