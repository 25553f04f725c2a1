/**
 * Venue-local date/time helpers (CONTRACT §2: booking `date`/`time` are venue-local in the venue's
 * IANA timezone; `start_at`/`end_at` are UTC instants). Pure functions, no I/O.
 *
 * Conventions:
 * - `date` is 'YYYY-MM-DD', `time` is 'HH:MM' (24h, 00:00–23:59).
 * - "Wall-clock" arithmetic (addMinutesLocal, service grids) moves along the local calendar and
 *   ignores DST; converting to an instant is a separate, explicit step (localToInstant).
 */
import { DateTime, IANAZone } from 'luxon';
import { AppError } from '../../platform/app-error';

export interface LocalDateTime {
  date: string;
  time: string;
}

export const MINUTES_PER_DAY = 24 * 60;
const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = MINUTES_PER_DAY * MS_PER_MINUTE;

const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function invalid(field: string, reason: string, message: string): AppError {
  return new AppError('validation_error', message, { field, reason });
}

// ---------------------------------------------------------------------------------------------
// 'HH:MM'

export function isValidTime(value: unknown): value is string {
  return typeof value === 'string' && TIME_RE.test(value);
}

/** 'HH:MM' → minutes since local midnight (0..1439); throws validation_error naming `field`. */
export function parseTime(value: unknown, field = 'time'): number {
  const m = typeof value === 'string' ? TIME_RE.exec(value) : null;
  if (!m) throw invalid(field, 'invalid_time', `${field} must be a time as HH:MM (00:00–23:59).`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Minutes since midnight → 'HH:MM'; values outside one day wrap (1470 → '00:30'). */
export function formatTime(minutes: number): string {
  const m = ((minutes % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// 'YYYY-MM-DD'

/** Strict: the format and a real calendar day (2026-02-30 is invalid). */
export function isValidDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

export function assertDate(value: unknown, field = 'date'): string {
  if (!isValidDate(value)) throw invalid(field, 'invalid_date', `${field} must be a date as YYYY-MM-DD.`);
  return value;
}

/** Calendar day as UTC midnight ms; only used for calendar arithmetic, never as an instant. */
export function dayMs(date: string): number {
  const [y, m, d] = assertDate(date).split('-').map(Number);
  return Date.UTC(y, m - 1, d);
}

function msToDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** ISO weekday of a calendar date: 1 = Monday … 7 = Sunday (timezone-independent). */
export function isoWeekday(date: string): number {
  const dow = new Date(dayMs(date)).getUTCDay(); // 0 = Sunday
  return dow === 0 ? 7 : dow;
}

export function addDays(date: string, days: number): string {
  return msToDate(dayMs(date) + days * MS_PER_DAY);
}

/**
 * Wall-clock addition: 23:30 + 60 → next day 00:30, regardless of DST. This is how service
 * grids are laid out (a 17:00–01:00 service runs past midnight into the next calendar date).
 */
export function addMinutesLocal(date: string, time: string, minutes: number): LocalDateTime {
  const total = parseTime(time) + minutes;
  const dayShift = Math.floor(total / MINUTES_PER_DAY);
  return { date: addDays(date, dayShift), time: formatTime(total) };
}

// ---------------------------------------------------------------------------------------------
// Time zones and instants

// Zone lookups are hot (every slot of every availability request converts a wall clock): luxon's
// isValidZone builds an Intl.DateTimeFormat per call and each offset() formats a date. Both answers are
// fixed for the life of the process (the tz database does not change under it), so they are memoised.
const zoneCache = new Map<string, IANAZone | null>();
const instantsCache = new Map<string, readonly number[]>();
const INSTANTS_CACHE_MAX = 50_000;

function cachedZone(tz: string): IANAZone | null {
  let zone = zoneCache.get(tz);
  if (zone === undefined) {
    zone = tz.length > 0 && IANAZone.isValidZone(tz) ? IANAZone.create(tz) : null;
    if (zoneCache.size < 1000) zoneCache.set(tz, zone);
  }
  return zone;
}

export function isValidTimezone(tz: unknown): tz is string {
  return typeof tz === 'string' && cachedZone(tz) !== null;
}

/** A zone's UTC offset in minutes at an instant (luxon's IANAZone#offset, cheaper). */
interface ZoneOffset {
  offset(ts: number): number;
}

const offsetCache = new Map<string, ZoneOffset>();

function zoneOf(tz: string): ZoneOffset {
  let zone = typeof tz === 'string' ? offsetCache.get(tz) : undefined;
  if (zone) return zone;
  const iana = typeof tz === 'string' ? cachedZone(tz) : null;
  if (!iana) throw invalid('timezone', 'invalid_timezone', 'timezone must be an IANA time zone name.');
  zone = fastOffsets(tz, iana);
  if (offsetCache.size < 1000) offsetCache.set(tz, zone);
  return zone;
}

// luxon's offset() formats the instant with Intl's formatToParts (~8 µs a call, and a slot check makes
// several). format() with a fixed numeric pattern is several times cheaper; whenever its output is not
// exactly that pattern (another ICU, a year beyond 4 digits), luxon answers instead.
const WALL_RE = /^(\d{2})\/(\d{2})\/(\d{4}), (\d{2}):(\d{2}):(\d{2})$/;

function fastOffsets(tz: string, zone: IANAZone): ZoneOffset {
  const dtf = new Intl.DateTimeFormat('en-US', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  // UTC and its aliases (Etc/UTC, GMT, Zulu, …; Intl resolves them all to UTC) are never off UTC: no formatting
  // at all (sale matching works out its diary dates in UTC for every sale).
  if (dtf.resolvedOptions().timeZone === 'UTC') return { offset: () => 0 };
  return {
    offset(ts: number): number {
      const m = WALL_RE.exec(dtf.format(ts));
      if (!m || m[3]! < '0100') return zone.offset(ts);
      const asUTC = Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]));
      // As luxon: the instant truncated to whole seconds (the wall clock shows whole seconds).
      const over = ts % 1000;
      const asTS = ts - (over >= 0 ? over : 1000 + over);
      return (asUTC - asTS) / MS_PER_MINUTE;
    },
  };
}

/**
 * Every instant whose local wall clock in `tz` reads date+time: none in a spring-forward gap,
 * two in a fall-back overlap, otherwise one. Sorted ascending.
 */
function instantsFor(date: string, time: string, tz: string): readonly number[] {
  return instantsForWall(dayMs(date) + parseTime(time) * MS_PER_MINUTE, tz); // the wall clock read as if UTC
}

function instantsForWall(wall: number, tz: string): readonly number[] {
  const zone = zoneOf(tz);
  const key = `${tz}|${wall}`;
  const cached = instantsCache.get(key);
  if (cached) return cached;
  // Offsets in force around that moment; any valid reading must use one of them.
  const offsets = new Set([wall - MS_PER_DAY, wall, wall + MS_PER_DAY].map((t) => zone.offset(t)));
  const out: number[] = [];
  for (const off of offsets) {
    const ts = wall - off * MS_PER_MINUTE;
    if (zone.offset(ts) === off) out.push(ts);
  }
  out.sort((a, b) => a - b);
  if (instantsCache.size >= INSTANTS_CACHE_MAX) instantsCache.clear();
  instantsCache.set(key, out);
  return out;
}

/**
 * Venue-local date+time → UTC instant.
 *
 * - A time in a spring-forward gap (e.g. 01:30 in Europe/London on 2026-03-29) does not exist:
 *   validation_error {field: 'time', reason: 'nonexistent_local_time'}.
 * - A time in a fall-back overlap (e.g. 01:30 in Europe/London on 2026-10-25 happens twice)
 *   resolves to the FIRST occurrence, i.e. the earlier instant (still on summer time). This is
 *   deterministic (Luxon's own choice depends on the current date) and every caller — availability,
 *   booking creation, moves — uses this one rule, so a date+time always names the same instant.
 */
export function localToInstant(date: string, time: string, tz: string): Date {
  const ts = tryLocalToInstant(date, time, tz);
  if (ts === null) {
    throw new AppError('validation_error', `${date} ${time} does not exist in ${tz} (clocks go forward).`, {
      field: 'time',
      reason: 'nonexistent_local_time',
    });
  }
  return ts;
}

/** As localToInstant, but null for a nonexistent local time (used to skip slots in a DST gap). */
export function tryLocalToInstant(date: string, time: string, tz: string): Date | null {
  const all = instantsFor(date, time, tz);
  return all.length ? new Date(all[0]!) : null;
}

/**
 * tryLocalToInstant for `minutes` after the local midnight of a date already known to be valid, given as
 * dayMs(date): a slot grid converts dozens of times of one date, and need not parse it each time.
 */
export function tryWallMinuteToInstant(dayStartMs: number, minutes: number, tz: string): Date | null {
  const all = instantsForWall(dayStartMs + minutes * MS_PER_MINUTE, tz);
  return all.length ? new Date(all[0]!) : null;
}

/**
 * Never throws for a gap: a nonexistent time is pushed forward by the gap (01:30 → 02:30 BST),
 * like a clock that was not changed. For ends of windows, where "the moment the wall clock passes
 * this reading" is what matters.
 */
export function localToInstantLenient(date: string, time: string, tz: string): Date {
  const exact = tryLocalToInstant(date, time, tz);
  if (exact) return exact;
  const wall = dayMs(date) + parseTime(time) * MS_PER_MINUTE;
  const before = zoneOf(tz).offset(wall - MS_PER_DAY);
  return new Date(wall - before * MS_PER_MINUTE);
}

/** UTC instant → the venue-local calendar date it falls on (as instantToLocal(…).date, without luxon). */
export function instantToLocalDate(instant: Date, tz: string): string {
  const ts = instant.getTime();
  return msToDate(ts + zoneOf(tz).offset(ts) * MS_PER_MINUTE);
}

/** The wall clocks toISOString writes with a 4-digit year (0000-01-01 up to 9999-12-31). */
const MIN_ISO_MS = Date.parse('0000-01-01T00:00:00.000Z');
const MAX_ISO_MS = Date.parse('+010000-01-01T00:00:00.000Z');

/**
 * UTC instant → venue-local {date, time} (seconds are truncated). The zone's offset, then the wall clock
 * read off as UTC, as luxon does (its DateTime and toFormat cost about 20 µs a call, and every unmatched
 * sale's reason formats two); luxon answers for what toISOString cannot show as yyyy-MM-dd (a year
 * beyond 4 digits, an invalid date).
 */
export function instantToLocal(instant: Date, tz: string): LocalDateTime {
  const zone = zoneOf(tz);
  const ts = instant.getTime();
  const wall = Number.isFinite(ts) ? ts + zone.offset(ts) * MS_PER_MINUTE : NaN;
  if (wall >= MIN_ISO_MS && wall < MAX_ISO_MS) {
    const iso = new Date(wall).toISOString();
    return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
  }
  const dt = DateTime.fromJSDate(instant, { zone: tz });
  return { date: dt.toFormat('yyyy-MM-dd'), time: dt.toFormat('HH:mm') };
}

