import type { EntityManager } from 'typeorm';
import { OutboxMessage } from '../db/entities';
import { newId } from '../shared/ids';

/** The outbound webhook events of CONTRACT §7. */
export const WEBHOOK_EVENTS = [
  'booking.created', 'booking.updated', 'booking.cancelled', 'customer.created', 'customer.updated', 'sale.recorded',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface OutboxEntry {
  venueId: string;
  event: WebhookEvent;
  resourceId: string;
  /** The resource's version after the change, so receivers can order deliveries. */
  resourceVersion: number;
  /** The event's `data`: the resource as the API shows it. */
  data: Record<string, unknown>;
}

/**
 * Records an outbound event inside the caller's transaction (transactional outbox): it commits or rolls
 * back with the change it announces, so a crash between commit and enqueue loses nothing.
 */
export async function writeOutbox(em: EntityManager, entry: OutboxEntry, now = new Date()): Promise<string> {
  const messageId = newId('msg');
  await em.insert(OutboxMessage, {
    messageId,
    venueId: entry.venueId,
    event: entry.event,
    resourceId: entry.resourceId,
    resourceVersion: entry.resourceVersion,
    payload: JSON.stringify(entry.data),
    createdAt: now,
    relayedAt: null,
  });
  return messageId;
}
