import type { EntityManager } from 'typeorm';
import { addDays, daysInclusive, localDayStart, offsetPeriods, type OffsetPeriod } from './local-time';

/**
 * Venue analytics (CONTRACT §9.1 and §15), computed by MariaDB over the two covering indexes of
 * migration 1767300000000 (bookings by venue and local date; sales by venue and time): four grouped
 * queries at once, whatever the range, and nothing but the grouped rows comes back to Node.
 *
 * Definitions, as the contract gives them:
 * - Bookings count by their venue-local `date`; `requested`, `declined` and `expired` ones count nowhere;
 *   `bookings` and `covers` leave cancelled ones out too; `completed`, `cancelled` and `no_shows` count
 *   their status; `no_show_rate` = no-shows / (completed + no-shows); `average_party_size` = covers /
 *   bookings.
 * - Sales count by the venue-local day of their time (opened_at, else closed_at, else receipt: the
 *   `match_at` column); void and refunded ones count nowhere, nor any in another currency than the
 *   venue's. `revenue` sums their totals, `matched_revenue` those with a booking, `unmatched_revenue` the
 *   rest; `match_rate` = matched sales / sales; `spend_per_cover` = matched revenue / the covers of the
 *   (distinct) bookings those matched sales belong to, in minor units (rounded).
 * - Rates are between 0 and 1, null when their denominator is 0.
 * - `group_by=day` keys are `YYYY-MM-DD` (every day of the range, zero-filled); `weekday` keys the ISO
 *   weekday 1 (Monday)–7; `service` keys the service id: a booking's service, and for a sale its booking's
 *   service, else the service whose hours (days, start–end, across midnight too) hold the sale's local
 *   time; what has no service is under key null.
 */

export type AnalyticsGroup = 'day' | 'service' | 'weekday';
export const ANALYTICS_GROUPS: readonly AnalyticsGroup[] = ['day', 'service', 'weekday'];
/** The longest range, both ends counted. */
export const ANALYTICS_MAX_DAYS = 366;

export interface AnalyticsInput {
  venue: { id: string; timezone: string; currency: string };
  /** Venue-local dates, both counted, from ≤ to, at most ANALYTICS_MAX_DAYS days (the caller checks). */
  from: string;
  to: string;
  groupBy: AnalyticsGroup;
}

export interface AnalyticsFigures {
  bookings: number;
  covers: number;
  completed: number;
  cancelled: number;
  no_shows: number;
  no_show_rate: number | null;
  revenue: number;
  matched_revenue: number;
  unmatched_revenue: number;
  sales: number;
  matched_sales: number;
  match_rate: number | null;
  spend_per_cover: number | null;
  average_party_size: number | null;
}

export interface AnalyticsSeriesEntry extends AnalyticsFigures {
  key: string | number | null;
  /** The service's name (group_by=service). */
  name?: string | null;
}

export interface AnalyticsView {
  from: string;
  to: string;
  group_by: AnalyticsGroup;
  currency: string;
  totals: AnalyticsFigures;
  series: AnalyticsSeriesEntry[];
}

/** Statuses that count nowhere (CONTRACT §15), written as SQL constants. */
const UNCOUNTED_BOOKINGS = `('requested', 'declined', 'expired')`;
const UNCOUNTED_SALES = `('void', 'refunded')`;

type Row = Record<string, unknown>;
type Sql = { sql: string; params: unknown[] };

interface ServiceRow {
  id: string;
  name: string;
  days: number[] | string;
  start_time: string;
  end_time: string;
}

/** `instant + offset` as SQL: the offset picked by a CASE over the span's offset periods. */
function localTime(column: string, periods: readonly OffsetPeriod[]): Sql {
  if (periods.length === 1) return { sql: `DATE_ADD(${column}, INTERVAL ? MINUTE)`, params: [periods[0]!.offsetMinutes] };
  const params: unknown[] = [];
  const whens = periods.slice(0, -1).map((p) => {
    params.push(p.until, p.offsetMinutes);
    return `WHEN ${column} < ? THEN ?`;
  });
  params.push(periods[periods.length - 1]!.offsetMinutes);
  return { sql: `DATE_ADD(${column}, INTERVAL (CASE ${whens.join(' ')} ELSE ? END) MINUTE)`, params };
}

/** The service whose hours hold the local time `l` (a column of the inner query), or NULL. */
function serviceByTime(l: string, services: readonly ServiceRow[]): Sql {
  if (!services.length) return { sql: 'NULL', params: [] };
  const params: unknown[] = [];
  const hhmm = `TIME_FORMAT(${l}, '%H:%i')`;
  const whens = services.map((s) => {
    const days = (typeof s.days === 'string' ? (JSON.parse(s.days) as number[]) : s.days).map(Number).filter((d) => d >= 1 && d <= 7);
    const list = days.length ? days.join(', ') : '0';
    if (s.end_time > s.start_time) {
      params.push(s.start_time, s.end_time, s.id);
      return `WHEN WEEKDAY(${l}) + 1 IN (${list}) AND ${hhmm} >= ? AND ${hhmm} < ? THEN ?`;
    }
    // Across midnight: from its start on one of its days, until its end on the next day.
    params.push(s.start_time, s.end_time, s.id);
    return `WHEN (WEEKDAY(${l}) + 1 IN (${list}) AND ${hhmm} >= ?) OR (WEEKDAY(${l} - INTERVAL 1 DAY) + 1 IN (${list}) AND ${hhmm} < ?) THEN ?`;
  });
  return { sql: `CASE ${whens.join(' ')} ELSE NULL END`, params };
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

function figures(b: Row | undefined, s: Row | undefined, matchedCovers: number): AnalyticsFigures {
  const bookings = num(b?.bookings);
  const covers = num(b?.covers);
  const completed = num(b?.completed);
  const noShows = num(b?.no_shows);
  const revenue = num(s?.revenue);
  const matchedRevenue = num(s?.matched_revenue);
  const sales = num(s?.sales);
  const matchedSales = num(s?.matched_sales);
  return {
    bookings,
    covers,
    completed,
    cancelled: num(b?.cancelled),
    no_shows: noShows,
    no_show_rate: ratio(noShows, completed + noShows),
    revenue,
    matched_revenue: matchedRevenue,
    unmatched_revenue: revenue - matchedRevenue,
    sales,
    matched_sales: matchedSales,
    match_rate: ratio(matchedSales, sales),
    spend_per_cover: matchedCovers > 0 ? Math.round(matchedRevenue / matchedCovers) : null,
    average_party_size: ratio(covers, bookings),
  };
}

/** The keys of a group's rows as the map keys (null as ''; weekdays as their number's text). */
const mapKey = (k: unknown): string => (k === null || k === undefined ? '' : String(k));

export async function venueAnalytics(em: EntityManager, input: AnalyticsInput): Promise<AnalyticsView> {
  const { venue, from, to, groupBy } = input;
  const startUtc = localDayStart(from, venue.timezone);
  const endUtc = localDayStart(addDays(to, 1), venue.timezone);
  const services = groupBy === 'service'
    ? ((await em.query('SELECT id, name, days, start_time, end_time FROM services WHERE venue_id = ? ORDER BY start_time, id', [venue.id])) as ServiceRow[])
    : [];

  // Bookings: grouped by their local date (or its weekday, or their service).
  const bookingKey = { day: `DATE_FORMAT(b.date, '%Y-%m-%d')`, weekday: 'WEEKDAY(b.date) + 1', service: 'b.service_id' }[groupBy];
  const bookingsSql: Sql = {
    sql: `SELECT ${bookingKey} AS k,
            SUM(b.status <> 'cancelled') AS bookings,
            SUM(CASE WHEN b.status <> 'cancelled' THEN b.party_size ELSE 0 END) AS covers,
            SUM(b.status = 'completed') AS completed,
            SUM(b.status = 'cancelled') AS cancelled,
            SUM(b.status = 'no_show') AS no_shows
          FROM bookings b
          WHERE b.venue_id = ? AND b.date >= ? AND b.date <= ? AND b.status NOT IN ${UNCOUNTED_BOOKINGS}
          GROUP BY k`,
    params: [venue.id, from, to],
  };

  // Sales: the inner query keys each counted sale by its local time (one pass over the index range).
  const local = localTime('s.match_at', offsetPeriods(venue.timezone, startUtc, endUtc));
  const byTime = serviceByTime('x.l', services);
  const saleKey: Sql = {
    day: { sql: `DATE_FORMAT(x.l, '%Y-%m-%d')`, params: [] },
    weekday: { sql: 'WEEKDAY(x.l) + 1', params: [] },
    service: { sql: `COALESCE(x.service_id, ${byTime.sql})`, params: byTime.params },
  }[groupBy];
  const saleFilter = `s.venue_id = ? AND s.match_at >= ? AND s.match_at < ? AND s.status NOT IN ${UNCOUNTED_SALES} AND s.currency = ?`;
  const filterParams = [venue.id, startUtc, endUtc, venue.currency];
  const serviceJoin = groupBy === 'service' ? 'LEFT JOIN bookings sb ON sb.id = s.booking_id' : '';
  const serviceColumn = groupBy === 'service' ? 'sb.service_id' : 'NULL';
  const salesSql: Sql = {
    sql: `SELECT ${saleKey.sql} AS k, COUNT(*) AS sales, SUM(x.total) AS revenue,
            SUM(x.booking_id IS NOT NULL) AS matched_sales,
            SUM(CASE WHEN x.booking_id IS NOT NULL THEN x.total ELSE 0 END) AS matched_revenue
          FROM (SELECT ${local.sql} AS l, s.total, s.booking_id, ${serviceColumn} AS service_id
                  FROM sales s ${serviceJoin} WHERE ${saleFilter}) x
          GROUP BY k`,
    params: [...saleKey.params, ...local.params, ...filterParams],
  };
  // The covers of the bookings with matched sales, each booking once per group and once in the totals.
  const matchedBookings = (key: Sql): Sql => ({
    sql: `SELECT DISTINCT ${key.sql} AS k, x.id, x.party_size
            FROM (SELECT ${local.sql} AS l, b.id, b.party_size, b.service_id
                    FROM sales s INNER JOIN bookings b ON b.id = s.booking_id
                   WHERE ${saleFilter} AND b.status NOT IN ${UNCOUNTED_BOOKINGS}) x`,
    params: [...key.params, ...local.params, ...filterParams],
  });
  const perGroup = matchedBookings(saleKey);
  const coversSql: Sql = { sql: `SELECT k, SUM(party_size) AS covers FROM (${perGroup.sql}) y GROUP BY k`, params: perGroup.params };
  const all = matchedBookings({ sql: 'NULL', params: [] });
  const totalCoversSql: Sql = { sql: `SELECT SUM(party_size) AS covers FROM (${all.sql}) y`, params: all.params };

  const [bookingRows, saleRows, coverRows, totalCoverRows] = (await Promise.all(
    [bookingsSql, salesSql, coversSql, totalCoversSql].map((q) => em.query(q.sql, q.params)),
  )) as Row[][];

  const index = (rows: Row[]) => new Map(rows.map((r) => [mapKey(r.k), r]));
  const bookingsBy = index(bookingRows!);
  const salesBy = index(saleRows!);
  const coversBy = index(coverRows!);

  const keys: { key: string | number | null; name?: string | null }[] =
    groupBy === 'day'
      ? Array.from({ length: daysInclusive(from, to) }, (_, i) => ({ key: addDays(from, i) }))
      : groupBy === 'weekday'
        ? [1, 2, 3, 4, 5, 6, 7].map((d) => ({ key: d }))
        : services.map((s) => ({ key: s.id as string | null, name: s.name as string | null }));
  if (groupBy === 'service' && [bookingsBy, salesBy].some((m) => m.has(''))) keys.push({ key: null, name: null });

  const series = keys.map(({ key, ...rest }) => {
    const k = mapKey(key);
    return { key, ...rest, ...figures(bookingsBy.get(k), salesBy.get(k), num(coversBy.get(k)?.covers)) };
  });

  const sum = (rows: Row[], field: string) => rows.reduce((n, r) => n + num(r[field]), 0);
  const bookingTotals: Row = Object.fromEntries(['bookings', 'covers', 'completed', 'cancelled', 'no_shows'].map((f) => [f, sum(bookingRows!, f)]));
  const saleTotals: Row = Object.fromEntries(['sales', 'revenue', 'matched_sales', 'matched_revenue'].map((f) => [f, sum(saleRows!, f)]));
  return {
    from,
    to,
    group_by: groupBy,
    currency: venue.currency,
    totals: figures(bookingTotals, saleTotals, num(totalCoverRows![0]?.covers)),
    series,
  };
}

export { daysInclusive } from './local-time';
