/**
 * The transactional outbox (CONTRACT §7): the one log of what happened. Every change announces itself with
 * an entry written in its own transaction, so it commits or rolls back with the change and a crash between
 * commit and delivery loses nothing. One writer (outboxStatement; writeOutbox runs it on an EntityManager),
 * one typed builder per resource; events/relay.ts hands the committed rows to its subscribers.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { afterCommit } from '../../platform/db/after-commit';
import type { Booking, BookingStatus, Customer, Sale } from '../../platform/db/entities';
import type { SqlStatement } from '../../platform/db/session-pool';
import { newId } from '../../platform/ids';

/** The outbound webhook events of CONTRACT §7, with its "Status values, updated" (`sale.matched`, the requests of §11, reviews). */
export const WEBHOOK_EVENTS = [
  'booking.created', 'booking.updated', 'booking.cancelled', 'customer.created', 'customer.updated', 'sale.recorded', 'sale.matched',
  'booking.requested', 'booking.approved', 'booking.declined', 'booking.expired', 'review.posted',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/**
 * Outbox events that are not webhook events: facts for the outbox's own subscribers only (an email asked
 * for by a module's door, src/modules/notifications). The webhook fan-out never delivers them.
 */
export const INTERNAL_EVENTS = ['email.requested'] as const;
export type InternalEvent = (typeof INTERNAL_EVENTS)[number];

export function isInternalEvent(event: string): event is InternalEvent {
  return (INTERNAL_EVENTS as readonly string[]).includes(event);
}

export interface OutboxEntry {
  venueId: string;
  event: WebhookEvent | InternalEvent;
  resourceId: string;
  /** The resource's version after the change, so receivers can order deliveries. */
  resourceVersion: number;
  /** The event's `data`: the resource as the API shows it. */
  data: Record<string, unknown>;
  /**
   * What only the outbox's subscribers read (column private_data), never sent to a webhook receiver: e.g.
   * a new booking's manage token sealed with ENCRYPTION_KEY (src/platform/secret-box.ts), a move's previous
   * date and time.
   */
  private?: Record<string, unknown>;
}

/**
 * A booking was created (`before` null) or changed from status `before`; the event follows the transition:
 * created → booking.created (booking.requested for a request, CONTRACT §15); requested → confirmed is
 * booking.approved, → declined booking.declined, → expired booking.expired; any → cancelled
 * booking.cancelled; everything else (a move, notes, seated, …) booking.updated. `view` is the booking as
 * the API shows it.
 */
export function bookingChanged(before: BookingStatus | null, booking: Pick<Booking, 'id' | 'venueId' | 'version' | 'status'>, view: Record<string, unknown>): OutboxEntry {
  return { venueId: booking.venueId, event: bookingEvent(before, booking.status), resourceId: booking.id, resourceVersion: booking.version, data: view };
}

/** The event of a booking's transition `before → after` (before null: it was just created). */
export function bookingEvent(before: BookingStatus | null, after: BookingStatus): WebhookEvent {
  if (before === null) return after === 'requested' ? 'booking.requested' : 'booking.created';
  if (before === after) return 'booking.updated';
  if (after === 'cancelled') return 'booking.cancelled';
  if (before === 'requested') {
    if (after === 'confirmed') return 'booking.approved';
    if (after === 'declined') return 'booking.declined';
    if (after === 'expired') return 'booking.expired';
  }
  return 'booking.updated';
}

/** A customer was created or changed; `view` is the customer as the API shows it. */
export function customerChanged(created: boolean, customer: Pick<Customer, 'id' | 'venueId' | 'version'>, view: Record<string, unknown>): OutboxEntry {
  return {
    venueId: customer.venueId,
    event: created ? 'customer.created' : 'customer.updated',
    resourceId: customer.id,
    resourceVersion: customer.version,
    data: view,
  };
}

/** A sale was recorded or changed (a resubmission, a match, a manual link). */
export function saleRecorded(sale: Pick<Sale, 'id' | 'venueId' | 'version'>, view: Record<string, unknown>): OutboxEntry {
  return { venueId: sale.venueId, event: 'sale.recorded', resourceId: sale.id, resourceVersion: sale.version, data: view };
}

/**
 * THE builder of a sale change's entries: `sale.recorded`, and `sale.matched` (the same data) as well when
 * the sale's booking differs from `bookingBefore` (the booking it had before the change; null for a new or
 * unmatched sale): it gained a booking (the matcher, a booking picking up a waiting sale, a manual link),
 * moved to another, or lost it (unlinked by hand: `booking_id: null`). CONTRACT §15 "§9 stream".
 */
export function saleChanged(sale: Pick<Sale, 'id' | 'venueId' | 'version' | 'bookingId'>, view: Record<string, unknown>, bookingBefore: string | null): OutboxEntry[] {
  const recorded = saleRecorded(sale, view);
  return sale.bookingId === bookingBefore ? [recorded] : [recorded, { ...recorded, event: 'sale.matched' }];
}

/**
 * Who waits for new outbox rows in this process (its relay, events/relay.ts), per DataSource: a commit
 * that wrote outbox rows calls them, so the relay looks at once instead of at its next poll. Keyed by the
 * DataSource, so two apps composed in one process (tests) never wake each other's relay; a commit in
 * another process wakes nobody here (that relay's poll finds the rows).
 */
const commitListeners = new WeakMap<DataSource, Set<() => void>>();

/** Calls `listener` after each local commit that wrote outbox rows on `dataSource`; returns the unsubscribe. */
export function onOutboxCommit(dataSource: DataSource, listener: () => void): () => void {
  let listeners = commitListeners.get(dataSource);
  if (!listeners) commitListeners.set(dataSource, (listeners = new Set()));
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The commit hook of every outbox write (src/platform/db/after-commit.ts). */
function outboxCommitted(dataSource: DataSource): void {
  for (const listener of commitListeners.get(dataSource) ?? []) listener();
}

/**
 * THE statement that writes outbox rows (null for no entries): one multi-row INSERT, for a caller that sends
 * it along with other statements. The rows get ascending ids in the order given, so receivers see the
 * entries in that order; `messageIds` are the messages' ids, in the same order.
 */
export function outboxStatement(entries: readonly OutboxEntry[], now: Date): (SqlStatement & { messageIds: string[] }) | null {
  if (!entries.length) return null;
  const messageIds = entries.map(() => newId('msg'));
  return {
    sql: `INSERT INTO outbox (message_id, venue_id, event, resource_id, resource_version, payload, private_data, created_at, relayed_at)
     VALUES ${entries.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, NULL)').join(', ')}`,
    params: entries.flatMap((e, i) => [
      messageIds[i], e.venueId, e.event, e.resourceId, e.resourceVersion, JSON.stringify(e.data),
      e.private === undefined ? null : JSON.stringify(e.private), now,
    ]),
    messageIds,
    afterCommit: outboxCommitted,
  };
}

/** Writes entries inside the caller's transaction (outboxStatement on an EntityManager); resolves with the message ids. */
export async function writeOutbox(em: EntityManager, entry: OutboxEntry, now?: Date): Promise<string>;
export async function writeOutbox(em: EntityManager, entries: readonly OutboxEntry[], now?: Date): Promise<string[]>;
export async function writeOutbox(em: EntityManager, entries: OutboxEntry | readonly OutboxEntry[], now = new Date()): Promise<string | string[]> {
  const list = Array.isArray(entries) ? (entries as readonly OutboxEntry[]) : [entries as OutboxEntry];
  const statement = outboxStatement(list, now);
  if (statement) {
    await em.query(statement.sql, statement.params);
    afterCommit(em, outboxCommitted);
  }
  const ids = statement?.messageIds ?? [];
  return Array.isArray(entries) ? ids : ids[0]!;
}
