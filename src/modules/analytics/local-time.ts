import { DateTime } from 'luxon';

/**
 * A venue's UTC offset over a span, as the few periods of constant offset it has (a year in
 * Europe/London: three), so SQL can turn an instant into venue-local time with a short CASE, without
 * the server's time zone tables (MariaDB's CONVERT_TZ needs them loaded, which a fresh server has not).
 */
export interface OffsetPeriod {
  /** The period ends at this instant (exclusive); null: the last one. */
  until: Date | null;
  offsetMinutes: number;
}

const DAY_MS = 86_400_000;

const offsetAt = (ms: number, zone: string): number => DateTime.fromMillis(ms, { zone }).offset;

/** The offset periods covering [from, to): a step per day, and the minute of each change found by halving. */
export function offsetPeriods(zone: string, from: Date, to: Date): OffsetPeriod[] {
  const periods: OffsetPeriod[] = [];
  let current = offsetAt(from.getTime(), zone);
  for (let t = from.getTime(); t < to.getTime(); t += DAY_MS) {
    const next = Math.min(t + DAY_MS, to.getTime());
    if (offsetAt(next, zone) === current) continue;
    // The change lies in (lo, hi]: the first minute with the new offset.
    let lo = t;
    let hi = next;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (mid <= lo) break;
      if (offsetAt(mid, zone) === current) lo = mid;
      else hi = mid;
    }
    periods.push({ until: new Date(hi), offsetMinutes: current });
    current = offsetAt(hi, zone);
  }
  periods.push({ until: null, offsetMinutes: current });
  return periods;
}

/** The UTC instant a venue-local date begins. */
export function localDayStart(date: string, zone: string): Date {
  const start = DateTime.fromISO(date, { zone }).startOf('day');
  if (!start.isValid) throw new Error(`Invalid date ${date} in ${zone}`);
  return start.toJSDate();
}

/** `date` plus `days` calendar days (YYYY-MM-DD). */
export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate()!;
}

/** Calendar days from `from` to `to`, both counted. */
export function daysInclusive(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}
