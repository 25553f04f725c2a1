/**
 * The matcher's dry run (CONTRACT §13, the mapping editor): what each canonical command of a mapping's
 * output would do, read-only — the venue its location resolves to, the sale it would update, and the booking
 * the sale (or the booking status) would match, or why none. The same pieces as applying: the location
 * lookup (resolveVenues), the currency and version rules (plan-sale.ts), THE match query
 * (match-query.ts: matchStatements, matchOf, unmatchedReason) and the POS status rule
 * (statusChangeRefusal); nothing is locked, nothing is written.
 */
import type { EntityManager } from 'typeorm';
import { Booking, Sale } from '../../db/entities';
import { entityManagerSession } from '../../db/entity-statements';
import type { CanonicalCommand } from '../../mapping/canonical-commands';
import { statusChangeRefusal } from '../bookings/change-status';
import { presentBookings } from '../bookings/load-booking';
import { resolveVenues } from './apply-sales';
import { holdsTime, matchOf, matchStatements, type MatchLookup, unmatchedReason } from './match-query';
import { type ApplyContext, currencyReason, instant, keepsLink, lookupOf, matchAtOf, staleReason, text } from './plan-sale';

export interface CommandPreview {
  /** The command's index in the mapping's output. */
  index: number;
  type: string;
  location_id: string | null;
  /** The venue the location resolves to (null: unknown location or disabled integration). */
  venue_id: string | null;
  /** What applying it would do now: `applied`, or `ignored` / `failed` with the reason. */
  result: 'applied' | 'ignored' | 'failed';
  reason: string | null;
  /** The Tablesync sale it would update (`sl_…`), null for a new one. */
  sale: string | null;
  /** The booking it would match (the booking view of `GET /api/v1/bookings/:id`), or null. */
  booking: Record<string, unknown> | null;
  match: 'booking_id' | 'table_time' | 'manual' | null;
  /** Why a sale would stay unmatched (as the event log words it). */
  unmatched_reason: string | null;
}

type Pending = Omit<CommandPreview, 'booking'> & { bookingId: string | null };

/** Previews every command of one event's output, in one pass of reads. `receivedAt`: the matching time of last resort. */
export async function previewCommands(
  em: EntityManager,
  partner: { id: string; name: string },
  commands: readonly CanonicalCommand[],
  receivedAt: Date = new Date(),
): Promise<CommandPreview[]> {
  if (!commands.length) return [];
  const ctx: ApplyContext = { partner, eventId: 'dry-run', receivedAt, now: receivedAt };
  const saleIds = [...new Set(commands.flatMap((c) => (c.type === 'sale' ? [text(c.sale_id)!] : [])))];
  // The venues and the stored sales are independent reads: one round trip for both.
  const [venues, stored] = await Promise.all([
    resolveVenues(em, partner.id, commands),
    saleIds.length ? em.find(Sale, { where: saleIds.map((saleId) => ({ partner: partner.name, saleId })) }) : Promise.resolve([]),
  ]);
  const saleOf = new Map(stored.map((s) => [s.saleId.toLowerCase(), s]));

  const pending: Pending[] = [];
  const lookups: { at: number; lookup: MatchLookup; timezone: string }[] = [];
  commands.forEach((cmd, index) => {
    const base: Pending = {
      index, type: cmd.type, location_id: text(cmd.location_id), venue_id: null, result: 'applied', reason: null, sale: null,
      bookingId: null, match: null, unmatched_reason: null,
    };
    pending.push(base);
    const venue = venues[index]!;
    if ('reason' in venue) return void Object.assign(base, { result: 'ignored', reason: venue.reason });
    base.venue_id = venue.venueId;
    if (cmd.type === 'sale') {
      const badCurrency = currencyReason(cmd, venue);
      if (badCurrency) return void Object.assign(base, { result: 'failed', reason: badCurrency });
      const existing = saleOf.get(text(cmd.sale_id)!.toLowerCase()) ?? null;
      base.sale = existing?.id ?? null;
      const stale = staleReason(cmd, text(cmd.sale_id)!, existing);
      if (stale) return void Object.assign(base, { result: 'ignored', reason: stale });
      if (existing && keepsLink(existing)) return void Object.assign(base, { bookingId: existing.bookingId, match: 'manual' });
      lookups.push({ at: index, lookup: lookupOf(ctx, cmd, matchAtOf(ctx, cmd, existing)), timezone: venue.timezone });
    } else if (cmd.type === 'booking_status') {
      const at = instant(cmd.at) ?? receivedAt;
      lookups.push({
        at: index,
        lookup: { scope: { partnerId: partner.id, locationId: text(cmd.location_id)! }, bookingRef: text(cmd.booking_id), table: text(cmd.table_number), matchAt: at },
        timezone: venue.timezone,
      });
    } else {
      Object.assign(base, { result: 'ignored', reason: `no match preview for ${(cmd as { type: string }).type} commands` });
    }
  });

  const query = matchStatements(lookups.map((l) => l.lookup));
  const found = lookups.length ? query.read(await entityManagerSession(em).run(query.statements)) : [];
  lookups.forEach(({ at, lookup, timezone }, i) => {
    const p = pending[at]!;
    const match = matchOf(lookup, found[i]!);
    if (match) Object.assign(p, { bookingId: match.bookingId, match: match.method });
    else if (commands[at]!.type === 'sale') p.unmatched_reason = unmatchedReason(lookup, found[i]!, timezone);
    else {
      const by = lookup.bookingRef ? `booking ${lookup.bookingRef}` : lookup.table ? `table ${lookup.table}` : 'no booking id or table';
      Object.assign(p, { result: 'ignored', reason: `no booking found for ${by}` });
    }
  });

  const ids = [...new Set(pending.flatMap((p) => (p.bookingId ? [p.bookingId] : [])))];
  const bookings = ids.length ? await em.find(Booking, { where: ids.map((id) => ({ id })) }) : [];
  const views = new Map((await presentBookings(em, bookings)).map((v, i) => [bookings[i]!.id, v]));
  const byId = new Map(bookings.map((b) => [b.id, b]));
  return pending.map(({ bookingId, ...p }) => {
    const booking = bookingId ? byId.get(bookingId) : undefined;
    const cmd = commands[p.index]!;
    if (booking && cmd.type === 'booking_status' && p.result === 'applied') {
      // The status rules of applying it (booking-status-command.ts): the booking's time, then the status machine.
      const at = instant(cmd.at) ?? receivedAt;
      const refusal = !holdsTime(booking, at)
        ? `booking ${booking.reference} could not be at the table at ${at.toISOString()}: a status applies from 30 min before its start to 2 h after its end`
        : statusChangeRefusal(booking, cmd.status, 'pos');
      if (refusal) Object.assign(p, { result: 'ignored', reason: refusal });
    }
    return { ...p, booking: bookingId ? (views.get(bookingId) ?? null) : null };
  });
}
