/**
 * Feeds the pure booking engine (availability.ts) from the database: the venue's services, tables and
 * events, the bookings near a date. The diary's locks that make check-then-insert atomic (their order, as a
 * table) and its transaction helper are in diary-locks.ts.
 */
import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import { VenueEvent } from '../../platform/db/entities';
import type { SqlStatement } from '../../platform/db/session-pool';
import { AppError } from '../../platform/app-error';
import {
  bookingQueryRange,
  computeAvailability,
  nearestAlternatives,
  type AvailabilityInput,
  type CheckSlotInput,
  type EventDef,
  type ExistingBooking,
  type ServiceDef,
  type TableDef,
  type UnavailableReason,
  type Availability,
} from './availability';
import { instantToLocal } from './venue-time';
import { holdsTableSql } from './booking-statuses';

/** What a request knows about its venue (from the API key). */
export interface VenueRef {
  id: string;
  timezone: string;
  currency: string;
  /** ISO 3166 alpha-2; the default region for phone numbers. */
  country: string | null;
}

/** Everything the engine needs about a venue except bookings. */
export interface DiaryContext {
  timezone: string;
  services: ServiceDef[];
  tables: TableDef[];
  events: EventDef[];
}

/** A services row or a venue_tables row of loadDiaryContext's query (the columns the engine reads, by their own names). */
export type ContextRow =
  | {
      kind: 's'; id: string; days: string | number[]; start_time: string; end_time: string; slot_interval_minutes: number;
      duration_minutes: number; max_covers_per_slot: number | null; requires_approval: number | string; name: string;
    }
  | { kind: 't'; id: string; number: string | number; min_covers: number; max_covers: number };

export interface EventRow {
  id: string;
  date: string;
  start_time: string;
  end_time: string;
  capacity: number;
}

/**
 * The venue's services and tables (one statement), and its events (only `eventId` when given: the engine
 * looks events up by the query's event_id alone, so without one it needs none). Services and tables are
 * ordered by id (ties in the engine keep that order).
 *
 * `lockTables` (diary writers): the table rows are read with a shared lock held to the end of the
 * transaction, so the tables a booking is checked against cannot change under it. Writers' shared locks
 * do not conflict with each other; whoever X-locks a venue's table rows (SELECT … FOR UPDATE) holds
 * every booking writer of that venue until it commits.
 */
export async function loadDiaryContext(
  em: EntityManager,
  venue: Pick<VenueRef, 'id' | 'timezone'>,
  opts: { eventId?: string | null; lockTables?: boolean } = {},
): Promise<DiaryContext> {
  const { statements, parse } = diaryContextQuery(venue, opts);
  const results: unknown[] = [];
  for (const s of statements) results.push(await em.query(s.sql, s.params));
  return parse(results);
}

/**
 * loadDiaryContext's statements and the parser of their results, for a caller that sends them along with
 * others. `split`: services and tables as two statements rather than one UNION (for a session that sends
 * several statements per round trip: nothing to materialise).
 */
export function diaryContextQuery(
  venue: Pick<VenueRef, 'id' | 'timezone'>,
  opts: { eventId?: string | null; lockTables?: boolean; split?: boolean } = {},
): { statements: SqlStatement[]; parse(results: readonly unknown[]): DiaryContext } {
  // In the UNION each kind's row carries the other kind's columns as NULL, so every column keeps its own name.
  const serviceColumns = 'days, start_time, end_time, slot_interval_minutes, duration_minutes, max_covers_per_slot, requires_approval, name';
  const tableColumns = 'number, min_covers, max_covers';
  const services = (union: boolean) =>
    `SELECT 's' AS kind, id, ${serviceColumns}${union ? ', NULL AS number, NULL AS min_covers, NULL AS max_covers' : ''}
          FROM services WHERE venue_id = ?`;
  const tables = (union: boolean) =>
    `SELECT 't' AS kind, id, ${union ? `${serviceColumns.replace(/\w+/g, 'NULL')}, ` : ''}${tableColumns}
          FROM venue_tables WHERE venue_id = ?${opts.lockTables ? ' LOCK IN SHARE MODE' : ''}`;
  const statements: SqlStatement[] = opts.split
    ? [{ sql: services(false), params: [venue.id] }, { sql: tables(false), params: [venue.id] }]
    : [{ sql: `(${services(true)})\n       UNION ALL\n       (${tables(true)})`, params: [venue.id, venue.id] }];
  const rowStatements = statements.length;
  if (opts.eventId) {
    statements.push({ sql: 'SELECT id, date, start_time, end_time, capacity FROM venue_events WHERE venue_id = ? AND id = ?', params: [venue.id, opts.eventId] });
  }
  return {
    statements,
    parse: (results) => toDiaryContext(
      venue,
      (results.slice(0, rowStatements) as ContextRow[][]).flat(),
      (results[rowStatements] ?? []) as EventRow[],
    ),
  };
}

/**
 * The services and tables (share-locked) of the venues of partner locations, in two statements, for a caller
 * that does not know the venues yet and sends these with its own first reads (a batch of booking platforms'
 * reservations); `parse` builds each venue's DiaryContext (no events), given the venues' time zones.
 */
export function locationDiaryContextsQuery(locations: readonly LocationRef[]): {
  statements: SqlStatement[];
  parse(results: readonly unknown[], timezones: ReadonlyMap<string, string>): Map<string, DiaryContext>;
} {
  const where = locations.map(() => '(pl.partner_id = ? AND pl.location_id = ?)').join(' OR ');
  const params = locations.flatMap((l) => [l.partnerId, l.locationId]);
  return {
    statements: [
      {
        sql: `SELECT s.venue_id AS v, 's' AS kind, s.id, s.days, s.start_time, s.end_time, s.slot_interval_minutes,
                     s.duration_minutes, s.max_covers_per_slot, s.requires_approval, s.name
                FROM partner_locations pl INNER JOIN services s ON s.venue_id = pl.venue_id WHERE ${where}`,
        params,
      },
      {
        sql: `SELECT t.venue_id AS v, 't' AS kind, t.id, t.number, t.min_covers, t.max_covers
                FROM partner_locations pl INNER JOIN venue_tables t ON t.venue_id = pl.venue_id WHERE ${where} LOCK IN SHARE MODE`,
        params,
      },
    ],
    parse(results, timezones) {
      const rows = new Map<string, Map<string, ContextRow>>();
      for (const row of (results as (ContextRow & { v: string })[][]).flat()) {
        let mine = rows.get(row.v);
        if (!mine) rows.set(row.v, (mine = new Map()));
        mine.set(`${row.kind}\u0000${row.id}`, row); // two locations of one venue read its rows twice
      }
      return new Map([...timezones].map(([venueId, timezone]) => [venueId, toDiaryContext({ timezone }, [...(rows.get(venueId)?.values() ?? [])], [])]));
    },
  };
}

/** A partner's location, by the partner's own location id. */
export interface LocationRef {
  partnerId: string;
  locationId: string;
}

/** The DiaryContext from service and table rows (any order) and event rows. */
export function toDiaryContext(venue: Pick<VenueRef, 'timezone'>, rows: ContextRow[], events: EventRow[]): DiaryContext {
  const ctx: DiaryContext = {
    timezone: venue.timezone,
    services: [],
    tables: [],
    events: events.map((e) => ({ id: e.id, date: e.date, start: e.start_time, end: e.end_time, capacity: e.capacity })),
  };
  // Ordered by id here: an ORDER BY would make the UNION materialise (on disk: `days` is a LONGTEXT) and
  // sort. Ids are newId()s, one prefix per table then [0-9a-z], so code-unit order is the collation's order.
  rows.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  for (const r of rows) {
    if (r.kind === 's') {
      ctx.services.push({
        id: r.id, name: r.name, days: typeof r.days === 'string' ? (JSON.parse(r.days) as number[]) : r.days, start: r.start_time, end: r.end_time,
        slot_interval_minutes: r.slot_interval_minutes, duration_minutes: r.duration_minutes, max_covers_per_slot: r.max_covers_per_slot,
        requires_approval: Number(r.requires_approval) === 1,
      });
    } else {
      ctx.tables.push({ id: r.id, number: String(r.number), min_covers: r.min_covers, max_covers: r.max_covers });
    }
  }
  return ctx;
}

/** The engine's booking, as read from its own columns. */
type BookingRow = Omit<ExistingBooking, 'date' | 'time'>;

/**
 * A sitting lasts at most a day (a service ≤ 12 h, an event ≤ 24 h, plus a DST hour): a booking running at
 * some instant started less than this before it. Bounds the start_at range scanned on ix_bookings_venue_start
 * (here and in sale matching), which would otherwise run back to the venue's first booking.
 */
export const MAX_SITTING_MS = 48 * 60 * 60_000;

/**
 * The venue's active bookings overlapping [from, to) (start_at < to AND end_at > from); cancelled and
 * no-show ones stay in the database (the engine ignores them anyway).
 */
export async function loadBookingsOverlapping(em: EntityManager, venueId: string, from: Date, to: Date): Promise<ExistingBooking[]> {
  const s = bookingsOverlappingStatement(venueId, from, to);
  return (await em.query(s.sql, s.params)) as BookingRow[];
}

const OVERLAPPING_COLUMNS = 'id, table_id, start_at, end_at, party_size, status, service_id, event_id';

/** The venue's bookings holding a table whose sitting overlaps [from, to) (no sitting is longer than MAX_SITTING_MS). */
const overlappingWhere = (venueId: string, from: Date, to: Date): { sql: string; params: unknown[] } => ({
  sql: `venue_id = ? AND start_at > ? AND start_at < ? AND end_at > ? AND ${holdsTableSql('status')}`,
  params: [venueId, new Date(from.getTime() - MAX_SITTING_MS), to, from],
});

/**
 * bookingsOverlappingStatement for each of several sittings (of any venues) in one statement: one UNION ALL
 * branch per sitting, each a range scan of ix_bookings_venue_start, its rows tagged `k` (the sitting's
 * index) — for a writer placing several sittings at once, each reading exactly the rows of its own range.
 */
export function bookingsOverlappingEachStatement(sittings: readonly { venueId: string; from: Date; to: Date }[]): SqlStatement {
  const parts = sittings.map((r) => overlappingWhere(r.venueId, r.from, r.to));
  return {
    sql: parts.map((p) => `(SELECT ? AS k, ${OVERLAPPING_COLUMNS} FROM bookings WHERE ${p.sql})`).join(' UNION ALL '),
    params: parts.flatMap((p, k) => [k, ...p.params]),
  };
}

/** bookingsOverlappingEachStatement's rows, per sitting (in the order of its sittings). */
export function overlappingEach(rows: unknown, count: number): ExistingBooking[][] {
  const each: ExistingBooking[][] = Array.from({ length: count }, () => []);
  for (const { k, ...row } of rows as (BookingRow & { k: unknown })[]) each[Number(k)]!.push(row);
  return each;
}

/** loadBookingsOverlapping's statement. */
export function bookingsOverlappingStatement(venueId: string, from: Date, to: Date): SqlStatement {
  const where = overlappingWhere(venueId, from, to);
  return { sql: `SELECT ${OVERLAPPING_COLUMNS} FROM bookings WHERE ${where.sql}`, params: where.params };
}

/** Active bookings that can affect slots starting on `date` (see bookingQueryRange). */
export async function loadBookingsNear(em: EntityManager, venueId: string, date: string, timezone: string): Promise<ExistingBooking[]> {
  const { from, to } = bookingQueryRange(date, timezone);
  return loadBookingsOverlapping(em, venueId, from, to);
}

/**
 * What a writer's check needs under its diary locks: the bookings overlapping the slot's claims (every
 * booking that can share its table, pacing window or event overlaps them, see slotClaims) — a few rows
 * rather than three days' worth. Event slots read the full range, as event capacity counts every booking
 * of the event near the date.
 */
export async function loadBookingsForCheck(
  em: EntityManager,
  venueId: string,
  input: CheckSlotInput,
  claims: { from: Date; to: Date }[],
): Promise<ExistingBooking[]> {
  const s = bookingsForCheckStatement(venueId, input, claims);
  return (await em.query(s.sql, s.params)) as BookingRow[];
}

/** loadBookingsForCheck's statement (its rows are the ExistingBookings). */
export function bookingsForCheckStatement(venueId: string, input: CheckSlotInput, claims: { from: Date; to: Date }[]): SqlStatement {
  if (input.event_id || !claims.length) {
    const { from, to } = bookingQueryRange(input.date, input.timezone);
    return bookingsOverlappingStatement(venueId, from, to);
  }
  let from = Infinity;
  let to = -Infinity;
  for (const c of claims) {
    from = Math.min(from, c.from.getTime());
    to = Math.max(to, c.to.getTime());
  }
  return bookingsOverlappingStatement(venueId, new Date(from), new Date(to));
}

/** The engine's input for one date and party. */
export function engineInput(
  ctx: DiaryContext,
  bookings: ExistingBooking[],
  query: { date: string; party_size: number; service_id?: string | null; event_id?: string | null; exclude_booking_id?: string | null },
  now: Date,
): AvailabilityInput {
  return {
    timezone: ctx.timezone, services: ctx.services, tables: ctx.tables, events: ctx.events, bookings, now, ...query,
  };
}

/**
 * 422 slot_unavailable for a check that failed, with the nearest times that are free for the same party
 * on the same date (same bookings, same rules), so the client can offer them.
 */
export function slotUnavailable(input: CheckSlotInput, reason: UnavailableReason): AppError {
  const { time, table_id: _table, ...rest } = input;
  // CONTRACT §15: `[{date, time}]`, up to 3 (same date: the nearest free times for the same party).
  const alternatives = nearestAlternatives(computeAvailability(rest), time).map((t) => ({ date: input.date, time: t }));
  const message =
    reason === 'in_past'
      ? `${time} on ${input.date} is in the past (venue time); choose a later time.`
      : `No table for ${input.party_size} at ${time} on ${input.date}.`;
  return new AppError('slot_unavailable', message, {
    reason,
    date: input.date,
    time,
    party_size: input.party_size,
    alternatives,
  });
}

export interface AvailabilityQuery {
  date: string;
  party_size: number;
  service_id?: string | null;
  event_id?: string | null;
}

/** GET /availability: the engine over the committed diary (no lock: an answer, not a promise). */
export async function availabilityFor(em: EntityManager, venue: VenueRef, query: AvailabilityQuery, now = new Date()): Promise<Availability> {
  const [ctx, bookings] = await Promise.all([
    loadDiaryContext(em, venue, { eventId: query.event_id }),
    loadBookingsNear(em, venue.id, query.date, venue.timezone),
  ]);
  return computeAvailability(engineInput(ctx, bookings, query, now));
}

/** The venue's events from today (venue-local) on; the caller orders and pages. */
export function upcomingEventsQuery(em: EntityManager, venue: VenueRef, now = new Date()): SelectQueryBuilder<VenueEvent> {
  const today = instantToLocal(now, venue.timezone).date;
  return em.createQueryBuilder(VenueEvent, 'e').where('e.venue_id = :venueId AND e.date >= :today', { venueId: venue.id, today });
}

/** Covers booked per event by active bookings: what counts against its capacity (as in the engine). */
export async function coversByEvent(em: EntityManager, eventIds: string[]): Promise<Map<string, number>> {
  const covers = new Map<string, number>(eventIds.map((id) => [id, 0]));
  if (!eventIds.length) return covers;
  const rows = (await em.query(
    `SELECT event_id, SUM(party_size) AS covers FROM bookings
      WHERE event_id IN (?) AND ${holdsTableSql('status')} GROUP BY event_id`,
    [eventIds],
  )) as { event_id: string; covers: string | number }[];
  for (const r of rows) covers.set(r.event_id, Number(r.covers));
  return covers;
}
