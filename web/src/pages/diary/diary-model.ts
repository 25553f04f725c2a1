import type { Booking, Sale, Venue } from '../../api';
import { isInactive } from '../../booking-status';
import { isoWeekday, localParts } from '../../format';

/** A sale counts towards spend unless it is void or refunded, and only in the venue's currency (CONTRACT §5). */
export function counts(sale: Sale, currency: string): boolean {
  return sale.status !== 'void' && sale.status !== 'refunded' && sale.currency === currency;
}

/** Spend per booking id from the day's sales (the join the diary does on the page). */
export function spendByBooking(sales: Iterable<Sale>, currency: string): Map<string, { total: number; count: number }> {
  const out = new Map<string, { total: number; count: number }>();
  for (const s of sales) {
    if (!s.booking_id || !counts(s, currency)) continue;
    const cur = out.get(s.booking_id) ?? { total: 0, count: 0 };
    cur.total += s.total;
    cur.count += 1;
    out.set(s.booking_id, cur);
  }
  return out;
}

/** The venue-local day a sale belongs to: that of its time (opened_at, else closed_at, else receipt). */
export function saleDay(sale: Sale, timezone: string): string | null {
  const at = sale.opened_at ?? sale.closed_at ?? sale.received_at ?? null;
  return at ? localParts(new Date(at), timezone).date : null;
}

export function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** Minutes a booking lasts (from its start and end instants). */
export function durationOf(b: Booking): number {
  const d = (Date.parse(b.end_at) - Date.parse(b.start_at)) / 60_000;
  return Number.isFinite(d) && d > 0 ? d : 90;
}

export interface DayWindow {
  /** Minutes from the day's 00:00 (may pass 1440 for a service past midnight). */
  start: number;
  end: number;
  /** The services (and events) running that day, for the axis. */
  periods: { name: string; start: number; end: number }[];
  /** True when a service of the day runs past midnight (its late sales fall on the next date). */
  pastMidnight: boolean;
}

/** The hours the diary shows for a day: its services and events, widened to every booking, whole hours. */
export function dayWindow(venue: Venue, day: string, bookings: readonly Booking[]): DayWindow {
  const weekday = isoWeekday(day);
  const periods: DayWindow['periods'] = [];
  for (const s of venue.services ?? []) {
    if (!s.days.includes(weekday)) continue;
    const start = minutesOf(s.start);
    let end = minutesOf(s.end);
    if (end <= start) end += 1440;
    periods.push({ name: s.name, start, end });
  }
  for (const e of venue.events ?? []) {
    if (e.date !== day) continue;
    const start = minutesOf(e.start);
    let end = minutesOf(e.end);
    if (end <= start) end += 1440;
    periods.push({ name: e.name, start, end });
  }
  let start = Math.min(...periods.map((p) => p.start));
  let end = Math.max(...periods.map((p) => p.end));
  for (const b of bookings) {
    if (isInactive(b.status) && b.status !== 'no_show') continue;
    const s = minutesOf(b.time);
    start = Math.min(start, s);
    end = Math.max(end, s + durationOf(b));
  }
  if (!Number.isFinite(start) || !Number.isFinite(end)) {
    start = 12 * 60;
    end = 23 * 60;
  }
  start = Math.max(0, Math.floor(start / 60) * 60);
  end = Math.ceil(end / 60) * 60;
  if (end - start < 180) end = start + 180;
  return { start, end, periods: periods.sort((a, b) => a.start - b.start), pastMidnight: periods.some((p) => p.end > 1440) };
}

/** Bookings on one table, each given a lane so overlapping ones sit one under the other. */
export function laneOut(bookings: readonly Booking[]): { booking: Booking; lane: number }[] {
  const sorted = [...bookings].sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
  const laneEnds: number[] = [];
  return sorted.map((booking) => {
    const s = minutesOf(booking.time);
    let lane = laneEnds.findIndex((end) => end <= s);
    if (lane === -1) lane = laneEnds.length;
    laneEnds[lane] = s + durationOf(booking);
    return { booking, lane };
  });
}

/** Bookings the grid cannot place: no table yet, or a kept channel booking that needs one. */
export function needsTable(b: Booking): boolean {
  return !isInactive(b.status) && (!b.table || b.needs_table === true);
}

/** Keep the newer of two versions of a resource (a replayed or late event must not undo a newer one). */
export function newer<T extends { version?: number; updated_at?: string }>(current: T | undefined, incoming: T): boolean {
  if (!current) return true;
  if (typeof current.version === 'number' && typeof incoming.version === 'number') return incoming.version >= current.version;
  if (current.updated_at && incoming.updated_at) return incoming.updated_at >= current.updated_at;
  return true;
}
