/**
 * THE match query of CONTRACT §5, for one sale or many: by booking id/reference first, else by table and
 * time — the booking at the venue on that table whose time (start − 30 min to end + 2 h) holds the sale's
 * time, holding a table (not cancelled or no-show), a seated one first, then the nearest start.
 *
 * A sale's table is the POS's own table id or number: looked up in its location's aliases
 * (partner_location_tables, `tables` on the location link: one LEFT JOIN per table in the same statement,
 * no extra round trip) first, then compared with the venue's table numbers as text — trimmed by the
 * caller, case-insensitive by the columns' collation (utf8mb4_unicode_ci).
 *
 * The single sale path, the batched path, the booking_status command and re-matching when a booking appears
 * or moves all build their lookups with matchStatements and read the answers with its `read`; the window
 * is also the one the candidates list (saleCandidates) ranks by.
 */
import type { Booking, BookingStatus, SaleMatch } from '../../platform/db/entities';
import type { SqlStatement } from '../../platform/db/session-pool';
import { datesInAnyZone, holdsTableSql, instantToLocal, MATCH_AFTER_END_MS, MATCH_BEFORE_START_MS, MAX_SITTING_MS, type MatchScope, scopeSql } from '../diary';

/**
 * The diary dates a sale matched by table and time at `matchAt` share-locks before it reads its booking
 * candidates (diary-locks.ts shareDiaryDaysStatement), in any time zone. A booking holding the sale
 * (start − 30 min ≤ t ≤ end + 2 h) has a sitting [start, end) that meets [t − 2 h − 1 ms, t + 30 min + 1 ms)
 * (both hold max(start, t − 2 h − 1 ms)), so one of these dates is among those its writer locks
 * (claimedDates of claims covering the sitting): whichever of the two locks first, the other waits for its
 * commit and then sees it.
 */
export function saleDiaryDates(matchAt: Date): string[] {
  const t = matchAt.getTime();
  return datesInAnyZone(new Date(t - MATCH_AFTER_END_MS - 1), new Date(t + MATCH_BEFORE_START_MS + 1));
}

/** Whether a booking's time holds the instant (start − 30 min ≤ at ≤ end + 2 h). */
export function holdsTime(b: Pick<Booking, 'startAt' | 'endAt'>, at: Date): boolean {
  const t = at.getTime();
  return b.startAt.getTime() - MATCH_BEFORE_START_MS <= t && t <= b.endAt.getTime() + MATCH_AFTER_END_MS;
}

/** Among candidate bookings, a seated one first, then the nearest start. Pure, so it is tested alone. */
export function pickBooking<B extends Pick<Booking, 'id' | 'status' | 'startAt'>>(candidates: B[], matchAt: Date): B | null {
  const t = matchAt.getTime();
  const sorted = [...candidates].sort((a, b) => {
    const seated = Number(b.status === 'seated') - Number(a.status === 'seated');
    if (seated !== 0) return seated;
    return Math.abs(a.startAt.getTime() - t) - Math.abs(b.startAt.getTime() - t) || a.id.localeCompare(b.id);
  });
  return sorted[0] ?? null;
}

export interface MatchLookup {
  scope: MatchScope;
  /** A booking's id or reference, when the POS knows it. */
  bookingRef: string | null;
  /** The POS's table id or number (trimmed), or null. */
  table: string | null;
  /** opened_at, else closed_at, else receipt time. */
  matchAt: Date;
}

export type TableCandidate = { id: string; status: BookingStatus; startAt: Date; endAt: Date };

export interface MatchFound {
  /** The booking bookingRef names at the venue, or null. */
  byRef: string | null;
  /** The venue table the lookup's `table` names (its alias, else itself), or null when it names none. */
  venueTable: string | null;
  /** The bookings on that table whose time holds matchAt and that hold a table. */
  candidates: TableCandidate[];
}

/** A sale's booking as stored on the sale: its id and how it was found. */
export interface BookingMatch {
  bookingId: string;
  method: Extract<SaleMatch, 'booking_id' | 'table_time'>;
}

type Row = Record<string, unknown>;

/**
 * Bookings (`alias`) whose time holds an instant between the bounds' instants: start ≤ latestStart and
 * end ≥ earliestEnd (for one instant t: t + 30 min and t − 2 h), plus the start bound that lets the
 * database range over ix_bookings_*_start (no sitting is longer than MAX_SITTING_MS); holding a table.
 */
export function holdingBookingsSql(alias: string, latestStart: number, earliestEnd: number): { sql: string; params: unknown[] } {
  return {
    sql: `${holdsTableSql(`${alias}.status`)} AND ${alias}.start_at <= ? AND ${alias}.end_at >= ? AND ${alias}.start_at >= ?`,
    params: [new Date(latestStart), new Date(earliestEnd), new Date(earliestEnd - MAX_SITTING_MS)],
  };
}

/** holdingBookingsSql for one instant. */
export function holdingBookingsAtSql(alias: string, at: Date): { sql: string; params: unknown[] } {
  return holdingBookingsSql(alias, at.getTime() + MATCH_BEFORE_START_MS, at.getTime() - MATCH_AFTER_END_MS);
}
const scopeKey = (s: MatchScope): string => ('venueId' in s ? `v\u0000${s.venueId}` : `l\u0000${s.partnerId}\u0000${s.locationId}`);

/** Table numbers a lookup statement resolves at most: one alias join each (more go in further statements). */
export const MATCH_TABLES_PER_STATEMENT = 20;

/**
 * The statements answering the lookups (a reference lookup for those naming a booking, then the table
 * queries) and `read`, which takes their results in the same order. The lookups of a scope share a table
 * query (up to MATCH_TABLES_PER_STATEMENT distinct tables each; more tables, more queries): the bookings at
 * any of its tables in the widest of their windows, each row telling which of the lookups' tables it is
 * (`m<j>`, so the database compares them, with its collation); each lookup then keeps the rows of its own
 * table within its own window. A table without a booking still gives a row (LEFT JOIN), so the answer tells
 * "no such table" from "no booking at that time".
 */
export function matchStatements(lookups: readonly MatchLookup[]): { statements: SqlStatement[]; read(results: readonly unknown[]): MatchFound[] } {
  const statements: SqlStatement[] = [];
  const refs = lookups.flatMap((l, k) => (l.bookingRef ? [{ k, l, ref: l.bookingRef }] : []));
  if (refs.length) {
    statements.push({
      sql: refs
        .map(({ l }) => {
          const s = scopeSql(l.scope, []);
          return 'venueId' in l.scope
            ? '(SELECT ? AS k, b.id FROM bookings b WHERE b.venue_id = ? AND (b.id = ? OR b.reference = ?))'
            : `(SELECT ? AS k, b.id FROM partner_locations pl INNER JOIN bookings b ON b.venue_id = pl.venue_id WHERE ${s.where} AND (b.id = ? OR b.reference = ?))`;
        })
        .join(' UNION ALL '),
      params: refs.flatMap(({ k, l, ref }) => [k, ...scopeSql(l.scope, []).whereParams, ref, ref]),
    });
  }

  type Member = { k: number; j: number; latestStart: number; earliestEnd: number };
  type Group = { scope: MatchScope; tables: string[]; members: Member[] };
  const groups = new Map<string, Group[]>();
  lookups.forEach((l, k) => {
    if (l.table === null) return;
    const id = scopeKey(l.scope);
    let chunks = groups.get(id);
    if (!chunks) groups.set(id, (chunks = []));
    let g = chunks.find((c) => c.tables.includes(l.table!));
    if (!g) {
      g = chunks.at(-1);
      if (!g || g.tables.length >= MATCH_TABLES_PER_STATEMENT) chunks.push((g = { scope: l.scope, tables: [], members: [] }));
      g.tables.push(l.table);
    }
    const t = l.matchAt.getTime();
    g.members.push({ k, j: g.tables.indexOf(l.table), latestStart: t + MATCH_BEFORE_START_MS, earliestEnd: t - MATCH_AFTER_END_MS });
  });
  const tableGroups = [...groups.values()].flat();
  for (const g of tableGroups) {
    const s = scopeSql(g.scope, g.tables);
    const resolvedParams = g.tables.flatMap((_, j) => s.resolvedParams(j));
    const window = holdingBookingsSql('b', Math.max(...g.members.map((m) => m.latestStart)), Math.min(...g.members.map((m) => m.earliestEnd)));
    statements.push({
      sql: `SELECT t.number AS table_number, b.id, b.status, b.start_at, b.end_at, ${s.resolved.map((r, j) => `t.number = ${r} AS m${j}`).join(', ')}
              FROM ${s.from}
              LEFT JOIN bookings b ON b.table_id = t.id AND b.venue_id = t.venue_id AND ${window.sql}
             WHERE ${s.where} AND t.number IN (${s.resolved.join(', ')})`,
      params: [...resolvedParams, ...s.fromParams, ...window.params, ...s.whereParams, ...resolvedParams],
    });
  }

  return {
    statements,
    read(results) {
      const found: MatchFound[] = lookups.map(() => ({ byRef: null, venueTable: null, candidates: [] }));
      let n = 0;
      if (refs.length) {
        for (const row of results[n++] as Row[]) found[Number(row.k)]!.byRef ??= String(row.id);
      }
      for (const g of tableGroups) {
        const rows = results[n++] as Row[];
        for (const m of g.members) {
          const mine = rows.filter((r) => Number(r[`m${m.j}`]) === 1);
          const f = found[m.k]!;
          if (mine[0]) f.venueTable = String(mine[0].table_number);
          f.candidates = mine
            .filter((r) => r.id !== null && (r.start_at as Date).getTime() <= m.latestStart && (r.end_at as Date).getTime() >= m.earliestEnd)
            .map((r) => ({ id: String(r.id), status: r.status as BookingStatus, startAt: r.start_at as Date, endAt: r.end_at as Date }));
        }
      }
      return found;
    },
  };
}

/** The booking a lookup's answer matches: the one named by reference, else the best at its table and time. */
export function matchOf(lookup: MatchLookup, found: MatchFound): BookingMatch | null {
  if (found.byRef) return { bookingId: found.byRef, method: 'booking_id' };
  if (lookup.table === null) return null;
  const booking = pickBooking(found.candidates, lookup.matchAt);
  return booking ? { bookingId: booking.id, method: 'table_time' } : null;
}

/** Why a lookup matched nothing, in words a partner manager reads in the event log (venue-local times). */
export function unmatchedReason(lookup: MatchLookup, found: MatchFound, timezone: string): string {
  const ref = lookup.bookingRef ? `no booking ${lookup.bookingRef} at the venue` : null;
  if (lookup.table === null) return ref ? `${ref}, and no table number` : 'no booking id or table number';
  const but = ref ? `${ref}; ` : '';
  if (found.venueTable === null) return `${but}table ${lookup.table} is neither a table of the venue nor an alias of the location`;
  const t = lookup.matchAt.getTime();
  const from = instantToLocal(new Date(t - MATCH_AFTER_END_MS), timezone);
  const to = instantToLocal(new Date(t + MATCH_BEFORE_START_MS), timezone);
  const table = found.venueTable === lookup.table ? lookup.table : `${found.venueTable} (${lookup.table})`;
  const span = from.date === to.date ? `${from.time} and ${to.time} on ${from.date}` : `${from.date} ${from.time} and ${to.date} ${to.time}`;
  return `${but}no booking at table ${table} between ${span}`;
}
