import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Booking, PartnerLocation, Sale, SaleItem, type BookingStatus } from '../../db/entities';
import type { BookingStatusCommand, CanonicalCommand, SaleCommand } from '../../mapping/canonical-commands';
import { writeOutbox } from '../../outbound/outbox';
import { newId } from '../../shared/ids';
import { BOOKING_TRANSITIONS } from '../bookings/booking-transitions';
import { findBooking, presentOneBooking } from '../bookings/load-booking';
import { presentSale } from '../views/sale.view';
import { findBookingForSale } from './match-sale';

/**
 * Applies a POS event's canonical commands (CONTRACT §5) inside the caller's transaction: venue by
 * (partner, location id), sale upsert by (partner, sale_id) with a version guard, items, booking match,
 * booking status changes, and the outbox rows announcing them. The same transaction marks the event, so
 * a retry after a crash either sees all of it or none of it.
 */

export interface ApplyContext {
  partner: { id: string; name: string };
  eventId: string;
  /** When the POS event was received: the matching time of last resort. */
  receivedAt: Date;
  now?: Date;
}

export type CommandResult =
  | { type: CanonicalCommand['type']; outcome: 'applied'; saleRowId?: string; bookingId?: string | null }
  | { type: CanonicalCommand['type']; outcome: 'ignored'; reason: string };

export interface ApplyOutcome {
  /** `processed` when at least one command changed something, else `ignored`. */
  status: 'processed' | 'ignored';
  /** Why commands were ignored (joined), or null. */
  reason: string | null;
  results: CommandResult[];
}

type VenueResolution = { venueId: string } | { reason: string };

/** The venue a POS location belongs to, or why there is none. */
export async function resolveVenue(em: EntityManager, partnerId: string, locationId: string): Promise<VenueResolution> {
  const link = await em.findOne(PartnerLocation, { where: { partnerId, locationId } });
  if (!link) return { reason: `unknown location ${locationId}` };
  if (!link.enabled) return { reason: `integration disabled for location ${locationId}` };
  return { venueId: link.venueId };
}

/** Ids arrive as strings or integers (big ones as digit strings); stored and compared as text. */
const text = (v: string | number | null | undefined): string | null => {
  if (v === null || v === undefined) return null;
  const s = String(v).trim();
  return s === '' ? null : s;
};
const instant = (v: string | null | undefined): Date | null => (v ? new Date(v) : null);
const money = (v: number | null | undefined): number | null => (v === undefined ? null : v);

/**
 * Whether `incoming` orders strictly before `stored` (then the update is stale). Digit strings compare as
 * integers (BigInt: epoch ms, counters, any size); ISO timestamps compare as instants. Values of different
 * kinds cannot be ordered and count as not older, so the update applies.
 */
export function isOlderVersion(incoming: string | null, stored: string | null): boolean {
  if (incoming === null || stored === null) return false;
  const integer = /^-?\d+$/;
  if (integer.test(incoming) && integer.test(stored)) return BigInt(incoming) < BigInt(stored);
  if (integer.test(incoming) || integer.test(stored)) return false;
  const a = Date.parse(incoming);
  const b = Date.parse(stored);
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  return a < b;
}

/** The ordering key of a sale update: its own version, else its close time. */
function versionOf(cmd: SaleCommand): string | null {
  return text(cmd.version) ?? cmd.closed_at ?? null;
}

export async function applySaleCommand(em: EntityManager, ctx: ApplyContext, cmd: SaleCommand): Promise<CommandResult> {
  const now = ctx.now ?? new Date();
  const locationId = text(cmd.location_id)!;
  const saleId = text(cmd.sale_id)!;
  const venue = await resolveVenue(em, ctx.partner.id, locationId);
  if ('reason' in venue) return { type: 'sale', outcome: 'ignored', reason: venue.reason };

  // The row lock serialises this sale with a manual match or another worker's update of it.
  const existing = await em
    .createQueryBuilder(Sale, 's')
    .setLock('pessimistic_write')
    .where('s.partner = :partner AND s.sale_id = :saleId', { partner: ctx.partner.name, saleId })
    .getOne();
  const version = versionOf(cmd);
  if (existing && isOlderVersion(version, existing.sourceVersion)) {
    return {
      type: 'sale',
      outcome: 'ignored',
      reason: `sale ${saleId}: version ${version} is older than the stored ${existing.sourceVersion}`,
    };
  }

  const openedAt = instant(cmd.opened_at);
  const closedAt = instant(cmd.closed_at);
  const receivedAt = existing?.receivedAt ?? ctx.receivedAt;
  const matchAt = openedAt ?? closedAt ?? receivedAt;
  const tableNumber = text(cmd.table_number);
  const bookingRef = text(cmd.booking_id);

  // A hand-made link is never overridden; an automatic one is recomputed but not dropped for nothing.
  let bookingId = existing?.bookingId ?? null;
  let matchMethod = existing?.matchMethod ?? null;
  if (matchMethod !== 'manual') {
    const match = await findBookingForSale(em, { venueId: venue.venueId, bookingRef, tableNumber, matchAt });
    if (match) {
      bookingId = match.booking.id;
      matchMethod = match.method;
    }
  }

  const fields = {
    venueId: venue.venueId,
    locationId,
    bookingId,
    matchMethod,
    status: cmd.status,
    total: cmd.total,
    subtotal: money(cmd.subtotal),
    tax: money(cmd.tax),
    tip: money(cmd.tip),
    discount: money(cmd.discount),
    currency: cmd.currency,
    tableNumber,
    covers: cmd.covers ?? null,
    openedAt,
    closedAt,
    matchAt,
    sourceVersion: version ?? existing?.sourceVersion ?? null,
    payments: cmd.payments ?? null,
    updatedAt: now,
  };
  let sale: Sale;
  if (existing) {
    sale = Object.assign(existing, fields, { version: existing.version + 1 });
    await em.update(Sale, { id: sale.id }, { ...fields, version: sale.version });
    await em.delete(SaleItem, { saleRowId: sale.id });
  } else {
    sale = em.create(Sale, {
      ...fields,
      id: newId('sl'),
      partner: ctx.partner.name,
      saleId,
      receivedAt,
      version: 1,
      createdAt: now,
    });
    await em.insert(Sale, sale as QueryDeepPartialEntity<Sale>);
  }
  const items = (cmd.items ?? []).map((item, position) =>
    em.create(SaleItem, {
      id: newId('sli'),
      saleRowId: sale.id,
      position,
      name: item.name,
      quantity: item.quantity,
      unitPrice: money(item.unit_price),
      total: item.total,
      sku: item.sku ?? null,
      category: item.category ?? null,
    }),
  );
  if (items.length) await em.insert(SaleItem, items);

  await writeOutbox(
    em,
    { venueId: sale.venueId, event: 'sale.recorded', resourceId: sale.id, resourceVersion: sale.version, data: presentSale(sale, items) },
    now,
  );
  return { type: 'sale', outcome: 'applied', saleRowId: sale.id, bookingId: sale.bookingId };
}

/**
 * The statuses a booking passes through to reach `to` from `from`, following the booking status
 * machine forward (a POS closing the table of a confirmed booking completes it via seated). Empty when
 * `to` cannot be reached.
 */
export function transitionPath(from: BookingStatus, to: BookingStatus): BookingStatus[] {
  const queue: BookingStatus[][] = [[from]];
  const seen = new Set<BookingStatus>([from]);
  while (queue.length) {
    const path = queue.shift()!;
    for (const next of BOOKING_TRANSITIONS[path[path.length - 1]!]) {
      if (next === to) return [...path.slice(1), next];
      if (!seen.has(next)) {
        seen.add(next);
        queue.push([...path, next]);
      }
    }
  }
  return [];
}

export async function applyBookingStatusCommand(
  em: EntityManager,
  ctx: ApplyContext,
  cmd: BookingStatusCommand,
): Promise<CommandResult> {
  const now = ctx.now ?? new Date();
  const locationId = text(cmd.location_id)!;
  const venue = await resolveVenue(em, ctx.partner.id, locationId);
  if ('reason' in venue) return { type: 'booking_status', outcome: 'ignored', reason: venue.reason };

  const bookingRef = text(cmd.booking_id);
  const tableNumber = text(cmd.table_number);
  const match = await findBookingForSale(em, {
    venueId: venue.venueId,
    bookingRef,
    tableNumber,
    matchAt: instant(cmd.at) ?? ctx.receivedAt,
  });
  if (!match) {
    const by = bookingRef ? `booking ${bookingRef}` : tableNumber ? `table ${tableNumber}` : 'no booking id or table';
    return { type: 'booking_status', outcome: 'ignored', reason: `no booking found for ${by}` };
  }
  const booking = (await findBooking(em, venue.venueId, match.booking.id, { lock: true }))!;
  const from = booking.status;
  const to = cmd.status;
  if (from === to) return { type: 'booking_status', outcome: 'ignored', reason: `booking ${booking.reference} is already ${to}` };
  if (transitionPath(from, to).length === 0) {
    return { type: 'booking_status', outcome: 'ignored', reason: `a ${from} booking (${booking.reference}) cannot become ${to}` };
  }
  booking.status = to;
  booking.version += 1;
  booking.updatedAt = now;
  await em.update(Booking, { id: booking.id }, { status: to, version: booking.version, updatedAt: now });
  await writeOutbox(
    em,
    {
      venueId: booking.venueId,
      event: to === 'cancelled' ? 'booking.cancelled' : 'booking.updated',
      resourceId: booking.id,
      resourceVersion: booking.version,
      data: await presentOneBooking(em, booking),
    },
    now,
  );
  return { type: 'booking_status', outcome: 'applied', bookingId: booking.id };
}

/** Applies commands in order; the event is `processed` when any of them changed something. */
export async function applyCommands(em: EntityManager, ctx: ApplyContext, commands: readonly CanonicalCommand[]): Promise<ApplyOutcome> {
  const results: CommandResult[] = [];
  for (const cmd of commands) {
    results.push(cmd.type === 'sale' ? await applySaleCommand(em, ctx, cmd) : await applyBookingStatusCommand(em, ctx, cmd));
  }
  const reasons = results.flatMap((r) => (r.outcome === 'ignored' ? [r.reason] : []));
  return {
    status: results.some((r) => r.outcome === 'applied') ? 'processed' : 'ignored',
    reason: reasons.length ? reasons.join('; ') : null,
    results,
  };
}
