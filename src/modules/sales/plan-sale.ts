/**
 * The pure half of applying a sale command (CONTRACT §5): the version guard, the currency rule, what to
 * match with, which diary rows to lock, and the sale as it will be stored with its items and outbox entry.
 * No I/O: apply-sales.ts reads and writes.
 */
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Sale, SaleItem, type SaleMatch } from '../../platform/db/entities';
import type { CanonicalCommand, SaleCommand } from '../commands';
import { type OutboxEntry, saleChanged } from '../outbox';
import { presentSale } from './sale.view';
import { newId } from '../../platform/ids';
import { isOlderVersion } from '../../platform/source-version';
import type { LocationDiaryDay, ManageLinks } from '../diary';
import { type BookingMatch, type MatchLookup, saleDiaryDates } from './match-query';

export interface ApplyContext {
  partner: { id: string; name: string };
  eventId: string;
  /** When the POS event was received: the matching time of last resort. */
  receivedAt: Date;
  now?: Date;
  /** Where new bookings' manage links point (a booking platform's reservations): as the booking writer hands them out. */
  links?: ManageLinks;
}

/** What a command did: stored on the event row (`outcome`) and shown by `GET /admin/v1/events/:id`. */
export interface CommandOutcome {
  type: CanonicalCommand['type'];
  result: 'applied' | 'ignored' | 'failed';
  venue_id: string | null;
  /** The Tablesync sale written (`sl_…`). */
  sale: string | null;
  /** The booking the sale is linked to, or the booking whose status changed. */
  booking: string | null;
  match: SaleMatch | null;
  /** Why an applied sale has no booking. */
  unmatched_reason: string | null;
  /** Why the command was ignored or failed. */
  reason: string | null;
  /** What a partner manager should know about an applied command (a reservation kept without a table…). */
  note?: string | null;
}

export interface ApplyOutcome {
  /** `failed` when a command failed (then nothing was written), `processed` when one changed something, else `ignored`. */
  status: 'processed' | 'ignored' | 'failed';
  /** Why commands failed or were ignored, and why sales stayed unmatched (joined), or null. */
  reason: string | null;
  results: CommandOutcome[];
}

/** The venue a command's location resolves to. */
export interface VenueOfLocation {
  venueId: string;
  currency: string;
  timezone: string;
  /** ISO 3166 alpha-2 (phone numbers' default region), when the venue has one. */
  country?: string | null;
}

const NOTHING = { venue_id: null, sale: null, booking: null, match: null, unmatched_reason: null, reason: null };
export const ignored = (type: CanonicalCommand['type'], reason: string, venueId: string | null = null): CommandOutcome => ({
  ...NOTHING, type, result: 'ignored', venue_id: venueId, reason,
});
export const failed = (type: CanonicalCommand['type'], reason: string, venueId: string | null = null): CommandOutcome => ({
  ...NOTHING, type, result: 'failed', venue_id: venueId, reason,
});
export function saleApplied(sale: Sale, unmatchedReason: (() => string) | undefined): CommandOutcome {
  return {
    ...NOTHING, type: 'sale', result: 'applied', venue_id: sale.venueId, sale: sale.id, booking: sale.bookingId, match: sale.matchMethod,
    unmatched_reason: sale.bookingId === null ? (unmatchedReason?.() ?? null) : null,
  };
}

/** The event's outcome from its commands' (when one failed, that is the event's outcome and nothing else counts). */
export function outcomeOf(results: CommandOutcome[]): ApplyOutcome {
  const failures = results.filter((r) => r.result === 'failed');
  if (failures.length) return { status: 'failed', reason: failures.map((r) => r.reason).join('; '), results: failures };
  const reasons = results.flatMap((r) => {
    if (r.result === 'ignored') return [r.reason!];
    if (r.note) return [r.note];
    return r.unmatched_reason ? [`sale ${r.sale} unmatched: ${r.unmatched_reason}`] : [];
  });
  return {
    status: results.some((r) => r.result === 'applied') ? 'processed' : 'ignored',
    reason: reasons.length ? reasons.join('; ') : null,
    results,
  };
}

/** Ids arrive as strings or integers (big ones as digit strings); stored and compared as text. */
export const text = (v: string | number | null | undefined): string | null => {
  if (v === null || v === undefined) return null;
  const s = String(v).trim();
  return s === '' ? null : s;
};
export const instant = (v: string | null | undefined): Date | null => (v ? new Date(v) : null);
const money = (v: number | null | undefined): number | null => (v === undefined ? null : v);

/** The ordering key of a sale update: its own version, else its close time. */
function versionOf(cmd: SaleCommand): string | null {
  return text(cmd.version) ?? cmd.closed_at ?? null;
}

/** Why an update is stale (older than the stored version), or null. */
export function staleReason(cmd: SaleCommand, saleId: string, existing: Sale | null): string | null {
  const version = versionOf(cmd);
  if (existing && isOlderVersion(version, existing.sourceVersion)) {
    return `sale ${saleId}: version ${version} is older than the stored ${existing.sourceVersion}`;
  }
  return null;
}

/**
 * CONTRACT §5: a sale's currency is its venue's (the default when the command names none). Another one
 * fails the event — no total or spend may add amounts of different currencies — until a mapping fix and a
 * replay recover it.
 */
export function currencyReason(cmd: SaleCommand, venue: VenueOfLocation): string | null {
  if (cmd.currency === undefined || cmd.currency === null || cmd.currency === venue.currency) return null;
  return `sale ${text(cmd.sale_id)}: currency ${cmd.currency} is not the venue's (${venue.currency}); fix the mapping and replay the event`;
}

/** When a sale's time is matched: opened_at, else closed_at, else receipt time (the first receipt's, once stored). */
export function matchAtOf(ctx: ApplyContext, cmd: SaleCommand, existing: Sale | null): Date {
  return instant(cmd.opened_at) ?? instant(cmd.closed_at) ?? existing?.receivedAt ?? ctx.receivedAt;
}

/** The lookup of a sale command's booking (and of the venue table its table number names). */
export function lookupOf(ctx: ApplyContext, cmd: SaleCommand, matchAt: Date): MatchLookup {
  return {
    scope: { partnerId: ctx.partner.id, locationId: text(cmd.location_id)! },
    bookingRef: text(cmd.booking_id),
    table: text(cmd.table_number),
    matchAt,
  };
}

/** A hand-made link is never overridden by the automatic rule. */
export const keepsLink = (existing: Sale | null): boolean => existing?.matchMethod === 'manual';

/**
 * The diary rows a sale command locks for a match at `matchAt`: none without a table number (a booking
 * cannot be named by id before it is committed, so only a match by table and time can be missed).
 */
export function diaryDaysOf(ctx: ApplyContext, cmd: SaleCommand, matchAt: Date): LocationDiaryDay[] {
  if (text(cmd.table_number) === null) return [];
  const locationId = text(cmd.location_id)!;
  return saleDiaryDates(matchAt).map((date) => ({ partnerId: ctx.partner.id, locationId, date }));
}

/**
 * The diary rows still to lock once the stored sale is read: a resubmission with neither opened_at nor
 * closed_at matches at its first receipt time, not at the time locked for beforehand (matchAtOf without
 * the stored sale). Taken after the sale row, out of the usual order: a deadlock in this rare case is
 * rolled back and retried like any other.
 */
export function diaryDaysStillToLock(ctx: ApplyContext, cmd: SaleCommand, matchAt: Date): LocationDiaryDay[] {
  const guessAt = matchAtOf(ctx, cmd, null);
  if (matchAt.getTime() === guessAt.getTime()) return [];
  const held = new Set(saleDiaryDates(guessAt));
  return diaryDaysOf(ctx, cmd, matchAt).filter((d) => !held.has(d.date));
}

export interface SalePlan {
  sale: Sale;
  /** The columns written (an update writes these and the new version). */
  fields: QueryDeepPartialEntity<Sale>;
  existing: Sale | null;
  items: SaleItem[];
  /** `sale.recorded`, and `sale.matched` when the sale gained or changed its booking (saleChanged). */
  outbox: OutboxEntry[];
}

/**
 * The sale as it will be stored, its items and the outbox entry announcing it. `match` is the automatic
 * match (null: none, or a hand-made link kept); `venueTable` the venue table its table number names (else
 * the table number itself), what re-matching compares. The entities are built directly (as the EntityManager's
 * create() would build them: every property a column, none undefined), without its per-column transformer.
 */
export function planSale(
  ctx: ApplyContext,
  cmd: SaleCommand,
  venue: VenueOfLocation,
  existing: Sale | null,
  match: BookingMatch | null,
  venueTable: string | null,
  now: Date,
): SalePlan {
  const locationId = text(cmd.location_id)!;
  const saleId = text(cmd.sale_id)!;
  const version = versionOf(cmd);
  const openedAt = instant(cmd.opened_at);
  const closedAt = instant(cmd.closed_at);
  const receivedAt = existing?.receivedAt ?? ctx.receivedAt;
  const matchAt = openedAt ?? closedAt ?? receivedAt;

  // An automatic link is recomputed but not dropped for nothing.
  const bookingBefore = existing?.bookingId ?? null;
  let bookingId = bookingBefore;
  let matchMethod = existing?.matchMethod ?? null;
  if (match) {
    bookingId = match.bookingId;
    matchMethod = match.method;
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
    currency: cmd.currency ?? venue.currency,
    tableNumber: text(cmd.table_number),
    venueTableNumber: venueTable,
    covers: cmd.covers ?? null,
    openedAt,
    closedAt,
    matchAt,
    sourceVersion: version ?? existing?.sourceVersion ?? null,
    payments: cmd.payments ?? null,
    updatedAt: now,
  };
  const sale: Sale = existing
    ? Object.assign(existing, fields, { version: existing.version + 1 })
    : Object.assign(new Sale(), {
        ...fields,
        id: newId('sl'),
        partner: ctx.partner.name,
        saleId,
        receivedAt,
        version: 1,
        createdAt: now,
      });
  const items = (cmd.items ?? []).map((item, position) =>
    Object.assign(new SaleItem(), {
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
  return { sale, fields: fields as QueryDeepPartialEntity<Sale>, existing, items, outbox: saleChanged(sale, presentSale(sale, [...items]), bookingBefore) };
}
