/**
 * The matcher's dry run (CONTRACT §13, the mapping editor): what each canonical command of a mapping's
 * output would do, read-only — the venue its location resolves to, the sale it would update, and the booking
 * the sale (or the booking status) would match, or why none. The same pieces as applying: the location
 * lookup (resolveVenues), the currency and version rules (plan-sale.ts), THE match query
 * (match-query.ts: matchStatements, matchOf, unmatchedReason) and the POS status rule
 * (statusChangeRefusal); nothing is locked, nothing is written.
 */
import type { EntityManager } from 'typeorm';
import { Sale } from '../../platform/db/entities';
import type { CanonicalCommand } from '../commands';
import { bookingViewsByIds, statusChangeRefusal } from '../diary';
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
  // Every command's lookup at its own time (a stored sale without opened_at/closed_at matches at its first
  // receipt instead: looked up again below), so the venues, the stored sales and the match query are
  // independent reads, sent together: one round trip.
  const lookupFor = (cmd: CanonicalCommand, existing: Sale | null): MatchLookup | null => {
    if (cmd.type === 'sale') return lookupOf(ctx, cmd, matchAtOf(ctx, cmd, existing));
    if (cmd.type === 'booking_status') {
      return {
        scope: { partnerId: partner.id, locationId: text(cmd.location_id)! }, bookingRef: text(cmd.booking_id), table: text(cmd.table_number),
        matchAt: instant(cmd.at) ?? receivedAt,
      };
    }
    return null;
  };
  const guesses = commands.map((cmd) => lookupFor(cmd, null));
  // Read-only statements: each on its own pooled connection, at once.
  const runMatch = async (lookups: MatchLookup[]) => {
    if (!lookups.length) return [];
    const query = matchStatements(lookups);
    return query.read(await Promise.all(query.statements.map((s) => em.query(s.sql, s.params))));
  };
  const guessed = guesses.flatMap((l) => (l ? [l] : []));
  const [venues, stored, guessedFound] = await Promise.all([
    resolveVenues(em, partner.id, commands),
    saleIds.length ? em.find(Sale, { where: saleIds.map((saleId) => ({ partner: partner.name, saleId })) }) : Promise.resolve([]),
    runMatch(guessed),
  ]);
  const foundOf = new Map(guessed.map((l, i) => [l, guessedFound[i]!]));
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
      const guess = guesses[index]!;
      const lookup = matchAtOf(ctx, cmd, existing).getTime() === guess.matchAt.getTime() ? guess : lookupFor(cmd, existing)!;
      lookups.push({ at: index, lookup, timezone: venue.timezone });
    } else if (cmd.type === 'booking_status') {
      lookups.push({ at: index, lookup: guesses[index]!, timezone: venue.timezone });
    } else {
      Object.assign(base, { result: 'ignored', reason: `no match preview for ${(cmd as { type: string }).type} commands` });
    }
  });

  // Only a stored sale matched at its first receipt time needs a second look.
  const again = lookups.filter((l) => !foundOf.has(l.lookup));
  const againFound = await runMatch(again.map((l) => l.lookup));
  again.forEach((l, i) => foundOf.set(l.lookup, againFound[i]!));
  lookups.forEach(({ at, lookup, timezone }) => {
    const p = pending[at]!;
    const found = foundOf.get(lookup)!;
    const match = matchOf(lookup, found);
    if (match) Object.assign(p, { bookingId: match.bookingId, match: match.method });
    else if (commands[at]!.type === 'sale') p.unmatched_reason = unmatchedReason(lookup, found, timezone);
    else {
      const by = lookup.bookingRef ? `booking ${lookup.bookingRef}` : lookup.table ? `table ${lookup.table}` : 'no booking id or table';
      Object.assign(p, { result: 'ignored', reason: `no booking found for ${by}` });
    }
  });

  // The bookings matched, with their tables and customers: one read.
  const read = await bookingViewsByIds(em, [...new Set(pending.flatMap((p) => (p.bookingId ? [p.bookingId] : [])))]);
  const views = new Map(read.map(({ booking, view }) => [booking.id, view]));
  const byId = new Map(read.map(({ booking }) => [booking.id, booking]));
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
