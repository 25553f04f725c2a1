/**
 * Money, dates and times as the venue writes them: in its time zone, its currency, and 24 h or 12 h as
 * its country does. Dates (`YYYY-MM-DD`) and times (`HH:MM`) of bookings are venue-local already (§2).
 */

export interface VenueLocale {
  timezone: string;
  country: string | null;
  currency?: string;
}

/**
 * Countries whose clocks read 12 h (CLDR's preferred hour cycle h/K, the common ones): the rest of the world
 * reads 24 h. Written out because `en-<country>` falls back to en-US (12 h) for countries English has no
 * locale for (en-FR, en-IT), which would be wrong there.
 */
const TWELVE_HOUR = new Set([
  'US', 'CA', 'AU', 'NZ', 'IN', 'PH', 'PK', 'BD', 'EG', 'SA', 'MY', 'CO', 'MX', 'JO', 'HN', 'SV', 'NI', 'PR',
]);

export function uses12h(venue: { country: string | null } | null): boolean {
  return !!venue?.country && TWELVE_HOUR.has(venue.country.toUpperCase());
}

function locale(venue: { country: string | null } | null): string {
  return venue?.country ? `en-${venue.country.toUpperCase()}` : 'en-GB';
}

/** A point in time, date and time, in the venue's zone. */
export function formatInstant(iso: string, venue: VenueLocale | null): string {
  return new Intl.DateTimeFormat(locale(venue), {
    dateStyle: 'medium', timeStyle: 'short', timeZone: venue?.timezone, hour12: uses12h(venue),
  }).format(new Date(iso));
}

/** The time of day of a point in time, in the venue's zone. */
export function formatInstantTime(iso: string, venue: VenueLocale | null): string {
  return new Intl.DateTimeFormat(locale(venue), {
    hour: 'numeric', minute: '2-digit', timeZone: venue?.timezone, hour12: uses12h(venue),
  }).format(new Date(iso));
}

/** A venue-local `HH:MM` (or minutes from midnight) as the venue reads it: `19:30` or `7:30 pm`. */
export function formatClock(time: string | number, venue: { country: string | null } | null): string {
  const minutes = typeof time === 'number' ? time : Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
  const m = ((minutes % 1440) + 1440) % 1440;
  const h = Math.floor(m / 60);
  const mm = String(m % 60).padStart(2, '0');
  if (!uses12h(venue)) return `${String(h).padStart(2, '0')}:${mm}`;
  return `${h % 12 === 0 ? 12 : h % 12}:${mm} ${h < 12 ? 'am' : 'pm'}`;
}

/** A short hour label for the diary's axis: `19:00` or `7 pm`. */
export function formatHour(minutes: number, venue: { country: string | null } | null): string {
  const h = Math.floor((((minutes % 1440) + 1440) % 1440) / 60);
  if (!uses12h(venue)) return `${String(h).padStart(2, '0')}:00`;
  return `${h % 12 === 0 ? 12 : h % 12} ${h < 12 ? 'am' : 'pm'}`;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** Minor units of `currency` as money (4250 GBP → £42.50; JPY has no minor unit, KWD three). */
export function formatMoney(minor: number, currency: string, venue: { country: string | null } | null = null): string {
  const key = `${locale(venue)}|${currency}`;
  let f = moneyFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale(venue), { style: 'currency', currency });
    moneyFormats.set(key, f);
  }
  const exponent = f.resolvedOptions().maximumFractionDigits ?? 2;
  return f.format(minor / 10 ** exponent);
}

/** Today's date (`YYYY-MM-DD`) in the venue's time zone. */
export function todayIn(timezone: string, now = new Date()): string {
  return localParts(now, timezone).date;
}

/** The venue-local date and minutes from midnight of a point in time. */
export function localParts(instant: Date, timezone: string): { date: string; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(instant);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return { date: `${get('year')}-${get('month')}-${get('day')}`, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

/** Minutes of a point in time from 00:00 of the venue-local `day` (negative before it, over 1440 after it). */
export function minutesFromDayStart(instant: Date, day: string, timezone: string): number {
  const p = localParts(instant, timezone);
  return p.minutes + daysBetween(day, p.date) * 1440;
}

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** ISO weekday of a date: 1 Monday … 7 Sunday. */
export function isoWeekday(day: string): number {
  const w = new Date(`${day}T00:00:00Z`).getUTCDay();
  return w === 0 ? 7 : w;
}

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** A date for people: `Fri 1 May 2026` (`Fri, May 1, 2026` in the US). */
export function formatDay(day: string, venue: { country: string | null } | null, withYear = true): string {
  return new Intl.DateTimeFormat(locale(venue), {
    weekday: 'short', day: 'numeric', month: 'short', year: withYear ? 'numeric' : undefined, timeZone: 'UTC',
  }).format(new Date(`${day}T00:00:00Z`));
}

export function isDate(s: string | null | undefined): s is string {
  return !!s && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
}

export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(rate >= 0.995 || rate === 0 ? 0 : 1)}%`;
}
