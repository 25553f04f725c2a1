/**
 * The diary's locks, taken in one order by every writer (CONTRACT §5 matching included), so two writers
 * never wait on each other in a circle. Every writer of a venue's diary (create, move, a reservation, a sale
 * that could match) runs in a READ COMMITTED transaction (inDiaryTransaction) and takes, in this order:
 *
 * | # | rows                          | mode      | taken by                                   | statement                              |
 * |---|-------------------------------|-----------|--------------------------------------------|----------------------------------------|
 * | 1 | the venue's `venue_tables`    | shared    | booking writers (create, move)             | loadDiaryContext lockTables, diaryDigestStatements (diary-store.ts, venue-layout-cache.ts) |
 * | 2 | `diary_days` (venue, date)    | exclusive | booking writers, in date order             | lockDiaryDays / lockDiaryDaysStatement |
 * | 2 | `diary_days` (venue, date)    | shared    | sale matching, in (venue, date) order      | shareDiaryDays / shareDiaryDaysStatement |
 * | 3 | `sales` (partner, sale_id)    | exclusive | sale apply and manual match                | apply-sales.ts, manual-match.ts (FOR UPDATE) |
 * | 4 | `bookings`, `customers`       | exclusive | the writes themselves, after every read    | booking writer, upsertCustomer         |
 *
 * Two bookings can only conflict when their claims overlap in time (slotClaims), and then they share a
 * locked date (claimedDates): writers of the same dates queue, each reading the bookings committed by the one
 * before it (READ COMMITTED gives every statement a fresh snapshot), while bookings on other days of the same
 * venue go ahead in parallel. A sale and a booking that could match take a common date (rank 2, shared vs
 * exclusive), so they never miss each other by being written at the same moment.
 */
import type { DataSource, EntityManager } from 'typeorm';
import type { SqlStatement } from '../../platform/db/session-pool';
import { isDeadlock } from '../../platform/db/db-errors';
import { addDays, instantToLocalDate } from './venue-time';

/** A READ COMMITTED transaction for diary writers; a deadlock victim is rolled back and run again. */
export async function inDiaryTransaction<T>(dataSource: DataSource, work: (em: EntityManager) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await dataSource.transaction('READ COMMITTED', work);
    } catch (err) {
      if (!isDeadlock(err) || attempt >= 3) throw err;
    }
  }
}

/**
 * The venue-local dates that the half-open instant ranges touch, sorted and distinct: a booking's diary
 * locks. Every instant of a claim falls on one of them, so two overlapping claims share one.
 */
export function claimedDates(claims: { from: Date; to: Date }[], timezone: string): string[] {
  const dates = new Set<string>();
  for (const { from, to } of claims) {
    const first = instantToLocalDate(from, timezone);
    const last = instantToLocalDate(new Date(Math.max(from.getTime(), to.getTime() - 1)), timezone);
    for (let d = first; d <= last; d = addDays(d, 1)) dates.add(d);
  }
  return [...dates].sort();
}

/**
 * Locks the venue's diary for these venue-local dates until the transaction ends: one `diary_days` row
 * per date, created on first use and X-locked in one statement (INSERT … ON DUPLICATE KEY UPDATE locks an
 * existing row exactly as SELECT … FOR UPDATE does). Rows are taken in date order, so writers never
 * deadlock on them. A row per day rather than the venue's table rows: bookings of other days do not queue
 * behind each other, and inserts of sales and bookings (shared locks on the venue row through their
 * foreign keys) never queue behind booking writes; only sales that could match a booking of these dates
 * do (shareDiaryDaysStatement).
 */
export async function lockDiaryDays(em: EntityManager, venueId: string, dates: string[]): Promise<void> {
  const statement = lockDiaryDaysStatement(venueId, dates);
  if (statement) await em.query(statement.sql, statement.params);
}

/** lockDiaryDays' statement (null when there is no date to lock), for a caller that sends it along with others. */
export function lockDiaryDaysStatement(venueId: string, dates: string[]): SqlStatement | null {
  const sorted = [...new Set(dates)].sort();
  if (!sorted.length) return null;
  return {
    sql: `INSERT INTO diary_days (venue_id, date) VALUES ${sorted.map(() => '(?, ?)').join(', ')} ON DUPLICATE KEY UPDATE date = VALUES(date)`,
    params: sorted.flatMap((d) => [venueId, d]),
  };
}

/** A diary row named by a partner's location (its venue) and a venue-local date. */
export interface LocationDiaryDay {
  partnerId: string;
  locationId: string;
  date: string;
}

/**
 * Sale matching's side of the diary lock (CONTRACT §5; the dates come from match-sale.ts saleDiaryDates):
 * the `diary_days` rows of the venues of these partner locations for these dates, share-locked until the
 * transaction ends. A sale's transaction and a booking writer's (lockDiaryDays, exclusive) on a common date
 * thus run one after the other, each seeing what the other committed, while sales do not queue behind each
 * other. INSERT IGNORE: a missing row is created (under READ COMMITTED a row that does not exist cannot be
 * locked, and a booking could slip in), an existing one gets the shared record lock of InnoDB's
 * duplicate-key check (no gap lock), one it creates an exclusive lock (sales queue only on a row's first
 * use). The venue comes from the location in the same statement, so the lock needs no round trip of its
 * own; rows are taken in (venue, date) order, as lockDiaryDays takes them.
 */
export function shareDiaryDaysStatement(days: readonly LocationDiaryDay[]): SqlStatement | null {
  const distinct = [...new Map(days.map((d) => [`${d.partnerId}\u0000${d.locationId}\u0000${d.date}`, d])).values()];
  if (!distinct.length) return null;
  return {
    sql: `INSERT IGNORE INTO diary_days (venue_id, date)
      SELECT pl.venue_id, d.date
        FROM (${distinct.map(() => 'SELECT ? AS partner_id, ? AS location_id, ? AS date').join(' UNION ALL ')}) d
       INNER JOIN partner_locations pl ON pl.partner_id = d.partner_id AND pl.location_id = d.location_id
       ORDER BY pl.venue_id, d.date`,
    params: distinct.flatMap((d) => [d.partnerId, d.locationId, d.date]),
  };
}

/** shareDiaryDaysStatement, sent on its own (the one-by-one apply path). */
export async function shareDiaryDays(em: EntityManager, days: readonly LocationDiaryDay[]): Promise<void> {
  const statement = shareDiaryDaysStatement(days);
  if (statement) await em.query(statement.sql, statement.params);
}

/** UTC offsets lie within ±14 h (Pacific/Kiritimati +14, Etc/GMT+12 −12). */
const MAX_UTC_OFFSET_MS = 14 * 60 * 60_000;

/**
 * The venue-local dates of the instants of [from, to) whatever the venue's time zone: the UTC dates of the
 * range widened by the largest UTC offset (a superset), for a lock taken before the venue is known.
 */
export function datesInAnyZone(from: Date, to: Date): string[] {
  return claimedDates([{ from: new Date(from.getTime() - MAX_UTC_OFFSET_MS), to: new Date(to.getTime() + MAX_UTC_OFFSET_MS) }], 'UTC');
}
