/**
 * The booking engine: pure and database-free. The same evaluator answers GET /availability,
 * the atomic check inside POST /bookings, and booking moves (PATCH with exclude_booking_id).
 *
 * Rules (also in the README):
 * - Dates and times are venue-local in `timezone`; `date` is always the calendar date the slot
 *   STARTS on, so `start_at === localToInstant(date, time, timezone)` holds for every slot.
 * - A service runs on its ISO weekdays from `start` to `end`; `end <= start` means it runs past
 *   midnight (18:00–02:00), `end === start` a full 24 h. Its slots are start, start+interval, …
 *   and a slot may start up to `end − duration` (wall clock), so every sitting ends by closing.
 *   The after-midnight part of Friday's service is listed under Saturday's date.
 * - Grids are laid out on the wall clock and then converted: a slot whose local time does not
 *   exist that day (spring-forward gap) is skipped; an ambiguous one (fall-back) is the first
 *   occurrence. Durations are real elapsed minutes (end_at = start_at + duration).
 * - A slot is available when: it is in the future (start_at > now); the service's pacing allows
 *   it (covers of active bookings of that service starting within [slot, slot + interval) plus
 *   party_size <= max_covers_per_slot); and some table with min_covers <= party_size <= max_covers
 *   has no active booking overlapping [start_at, end_at). Cancelled and no-show bookings are
 *   ignored; so is `exclude_booking_id` (the booking being moved).
 * - Bookings without a table hold no table (the engine always assigns one); they still count
 *   towards pacing and event capacity.
 * - Services overlapping in time may offer the same time twice; the list keeps one per time
 *   (an available one first) and checkSlot tries each.
 *
 * Events: with `event_id`, availability is the event's own grid instead of the services': from
 * the event start, every `slot_interval_minutes` of the service covering the event start (else 30),
 * while the slot starts before the event end — guests may book any arrival time within the window.
 * An event booking holds its table until the event ends (end_at = event end) and is bounded by the
 * event's capacity (covers of its active bookings + party_size <= capacity) instead of service
 * pacing; it still needs a free fitting table. Its service_id is that covering service (or null).
 * Without `event_id`, events don't change service availability except through the tables their
 * bookings hold.
 */
import { AppError } from '../../platform/app-error';
import { holdsTable } from './booking-statuses';
import {
  MINUTES_PER_DAY,
  addDays,
  assertDate,
  formatTime,
  isoWeekday,
  localToInstant,
  localToInstantLenient,
  dayMs,
  parseTime,
  tryLocalToInstant,
  tryWallMinuteToInstant,
} from './venue-time';

// ---------------------------------------------------------------------------------------------
// Types

export interface ServiceDef {
  id: string;
  name: string;
  /** ISO weekdays 1 (Mon) … 7 (Sun) on which the service opens. */
  days: number[];
  start: string;
  /** end <= start: the service runs past midnight. */
  end: string;
  slot_interval_minutes: number;
  duration_minutes: number;
  max_covers_per_slot: number | null;
  /** A booking of it is a request the venue answers, where the venue's rules bind the caller (CONTRACT §11). */
  requires_approval: boolean;
}

export interface TableDef {
  id: string;
  number: string | number;
  min_covers: number;
  max_covers: number;
}

export interface EventDef {
  id: string;
  date: string;
  start: string;
  /** end <= start: the event runs past midnight. */
  end: string;
  capacity: number;
}

export interface ExistingBooking {
  id: string;
  table_id: string | null;
  start_at: Date;
  end_at: Date;
  party_size: number;
  status: string;
  service_id: string | null;
  event_id: string | null;
  /** Informational (the engine works on start_at/end_at). */
  date?: string;
  time?: string;
}

export interface AvailabilityInput {
  timezone: string;
  date: string;
  party_size: number;
  services: ServiceDef[];
  tables: TableDef[];
  events?: EventDef[];
  /** Active bookings near the date; see bookingQueryRange(). Extra or inactive ones are ignored. */
  bookings: ExistingBooking[];
  now: Date;
  service_id?: string | null;
  event_id?: string | null;
  /** The booking being moved/edited: it never conflicts with itself. */
  exclude_booking_id?: string | null;
}

export interface AvailabilitySlot {
  time: string;
  available: boolean;
  service_id: string | null;
  /** Set for event slots. */
  event_id?: string;
  /** Free tables that fit the party, best first (empty when unavailable). */
  table_ids: string[];
}

export interface Availability {
  date: string;
  party_size: number;
  slots: AvailabilitySlot[];
}

export type UnavailableReason =
  | 'in_past'
  | 'event_full'
  | 'pacing_limit_reached'
  | 'no_table_available'
  | 'table_does_not_fit'
  | 'table_unavailable';

export interface CheckSlotInput extends AvailabilityInput {
  time: string;
  table_id?: string | null;
}

export type SlotCheck =
  | {
      ok: true;
      table_id: string;
      service_id: string | null;
      event_id: string | null;
      date: string;
      time: string;
      start_at: Date;
      end_at: Date;
    }
  | { ok: false; reason: UnavailableReason };

/** Upper bound for party_size; anything larger than every table is simply unavailable. */
export const MAX_PARTY_SIZE = 100;

const DEFAULT_EVENT_INTERVAL = 30;
const MS_PER_MINUTE = 60_000;


// ---------------------------------------------------------------------------------------------
// Grid generation

/** One opening of a service (or an event) on the day it starts, in wall-clock minutes. */
interface Window {
  service: ServiceDef | null;
  event: EventDef | null;
  day: string;
  startMin: number;
  /** Minutes from `day` 00:00; > 1440 when it runs past midnight. */
  endMin: number;
  interval: number;
  lastStartMin: number;
}

interface Candidate {
  window: Window;
  date: string;
  time: string;
  start_at: Date;
  end_at: Date;
}

function span(start: string, end: string, field: string): { startMin: number; endMin: number } {
  const startMin = parseTime(start, field);
  let endMin = parseTime(end, field);
  if (endMin <= startMin) endMin += MINUTES_PER_DAY; // runs past midnight
  return { startMin, endMin };
}

function serviceWindow(service: ServiceDef, day: string): Window | null {
  if (!service.days.includes(isoWeekday(day))) return null;
  // Guard against malformed definitions rather than loop forever.
  if (!(service.slot_interval_minutes > 0) || !(service.duration_minutes > 0)) return null;
  const { startMin, endMin } = span(service.start, service.end, 'service.start');
  return {
    service,
    event: null,
    day,
    startMin,
    endMin,
    interval: service.slot_interval_minutes,
    lastStartMin: endMin - service.duration_minutes, // a slot may start up to end − duration
  };
}

/** The service that opens on the event's date and is running at the event's start. */
function coveringService(event: EventDef, services: ServiceDef[]): ServiceDef | null {
  const at = parseTime(event.start, 'event.start');
  for (const s of services) {
    const w = serviceWindow(s, event.date);
    if (w && at >= w.startMin && at < w.endMin) return s;
  }
  return null;
}

function eventWindow(event: EventDef, service: ServiceDef | null): Window {
  const { startMin, endMin } = span(event.start, event.end, 'event.start');
  const interval = service && service.slot_interval_minutes > 0 ? service.slot_interval_minutes : DEFAULT_EVENT_INTERVAL;
  return { service, event, day: event.date, startMin, endMin, interval, lastStartMin: endMin - 1 };
}

/**
 * The window's slots that start on `onDate`, and only those at `atMinute` (minutes after local midnight)
 * when given: slots of other dates and times are never converted to instants.
 */
function candidates(w: Window, tz: string, onDate: string, atMinute?: number): Candidate[] {
  const out: Candidate[] = [];
  const eventEnd = w.event
    ? localToInstantLenient(addDays(w.day, Math.floor(w.endMin / MINUTES_PER_DAY)), formatTime(w.endMin), tz)
    : null;
  const dates = [w.day, addDays(w.day, 1), addDays(w.day, 2)];
  const onDayMs = dayMs(onDate);
  for (let m = w.startMin; m <= w.lastStartMin; m += w.interval) {
    const dayIndex = Math.floor(m / MINUTES_PER_DAY);
    const date = dates[dayIndex] ?? addDays(w.day, dayIndex);
    const minute = m - dayIndex * MINUTES_PER_DAY;
    if (date !== onDate || (atMinute !== undefined && minute !== atMinute)) continue;
    const time = formatTime(m);
    const start = tryWallMinuteToInstant(onDayMs, minute, tz);
    if (!start) continue; // local time doesn't exist that day (clocks went forward)
    const end = eventEnd ?? new Date(start.getTime() + w.service!.duration_minutes * MS_PER_MINUTE);
    out.push({ window: w, date, time, start_at: start, end_at: end });
  }
  return out;
}

/** Every candidate slot starting on `date` (windows of that day and the day before's tail), or only at `time`. */
function candidatesOn(input: AvailabilityInput, time?: string): Candidate[] {
  const atMinute = time === undefined ? undefined : parseTime(time);
  const { date, timezone } = input;
  let windows: Window[];
  if (input.event_id) {
    const event = findEvent(input);
    const service = input.service_id ? findService(input) : coveringService(event, input.services);
    windows = [eventWindow(event, service)];
  } else {
    const services = input.service_id ? [findService(input)] : input.services;
    windows = [];
    for (const day of [addDays(date, -1), date]) {
      for (const s of services) {
        const w = serviceWindow(s, day);
        if (w) windows.push(w);
      }
    }
  }
  return windows
    .flatMap((w) => candidates(w, timezone, date, atMinute))
    .sort((a, b) => a.start_at.getTime() - b.start_at.getTime());
}

// ---------------------------------------------------------------------------------------------
// Input validation

function validate(input: AvailabilityInput): void {
  assertDate(input.date);
  // Validates the timezone too (throws validation_error field 'timezone').
  tryLocalToInstant(input.date, '00:00', input.timezone);
  const p = input.party_size;
  if (!Number.isInteger(p) || p < 1 || p > MAX_PARTY_SIZE) {
    throw new AppError('validation_error', `party_size must be an integer from 1 to ${MAX_PARTY_SIZE}.`, {
      field: 'party_size',
      reason: 'out_of_range',
    });
  }
}

function findService(input: AvailabilityInput): ServiceDef {
  const s = input.services.find((x) => x.id === input.service_id);
  if (!s) throw new AppError('validation_error', 'Unknown service_id.', { field: 'service_id', reason: 'unknown_service' });
  return s;
}

function findEvent(input: AvailabilityInput): EventDef {
  const e = (input.events ?? []).find((x) => x.id === input.event_id);
  if (!e) throw new AppError('validation_error', 'Unknown event_id.', { field: 'event_id', reason: 'unknown_event' });
  return e;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function relevantBookings(input: AvailabilityInput): ExistingBooking[] {
  return input.bookings.filter((b) => holdsTable(b.status) && b.id !== input.exclude_booking_id);
}

// String#localeCompare(other, undefined, {numeric: true}), without building a collator per call.
const tableNumberCollator = new Intl.Collator(undefined, { numeric: true });
const PLAIN_NUMBER = /^(0|[1-9]\d{0,14})$/;

function compareNumbers(a: string | number, b: string | number): number {
  const x = String(a);
  const y = String(b);
  // Plain numbers ("1" … "999999999999999", no leading zeros) collate by value: skip ICU for them.
  if (PLAIN_NUMBER.test(x) && PLAIN_NUMBER.test(y)) return Math.sign(Number(x) - Number(y));
  return tableNumberCollator.compare(x, y);
}

/** Best fit first: the smallest table that fits, then the tightest minimum, then by number. */
function compareTables(a: TableDef, b: TableDef): number {
  return a.max_covers - b.max_covers || b.min_covers - a.min_covers || compareNumbers(a.number, b.number);
}

function fits(t: TableDef, party: number): boolean {
  return t.min_covers <= party && party <= t.max_covers;
}

/** Index of the first element of the ascending `sorted` that is >= x (sorted.length if none). */
function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A table's active bookings sorted by start, with the running maximum of their ends. */
interface Occupancy {
  starts: Float64Array;
  maxEnds: Float64Array;
}

/** Start instants (sorted) of bookings with the running sum of their covers: covers starting in [from, to). */
interface StartIndex {
  starts: Float64Array;
  /** coversBefore[i] = covers of the first i bookings. */
  coversBefore: Float64Array;
}

function startIndex(bookings: ExistingBooking[]): StartIndex {
  const sorted = bookings.map((b) => ({ t: b.start_at.getTime(), covers: b.party_size })).sort((a, b) => a.t - b.t);
  const starts = new Float64Array(sorted.length);
  const coversBefore = new Float64Array(sorted.length + 1);
  sorted.forEach((b, i) => {
    starts[i] = b.t;
    coversBefore[i + 1] = coversBefore[i]! + b.covers;
  });
  return { starts, coversBefore };
}

/**
 * The diary indexed once per request, so a slot costs a binary search per table rather than a scan of
 * every booking: active bookings by table (sorted by start, with running max end), covers per event,
 * and per service the covers by start time (for pacing). The fitting tables are sorted best first once.
 */
class Diary {
  readonly party: number;
  readonly now: number;
  /** Tables that fit the party, in input order. */
  private readonly fitting: TableDef[];
  private sorted: TableDef[] | null = null;
  private readonly occupancy = new Map<string, Occupancy>();
  private readonly eventCovers = new Map<string, number>();
  private readonly pacing = new Map<string, StartIndex>();

  constructor(input: AvailabilityInput, private readonly bookings: ExistingBooking[]) {
    this.party = input.party_size;
    this.now = input.now.getTime();
    this.fitting = input.tables.filter((t) => fits(t, this.party));

    const byTable = new Map<string, { s: number; e: number }[]>();
    for (const b of bookings) {
      if (b.table_id !== null) {
        let list = byTable.get(b.table_id);
        if (!list) byTable.set(b.table_id, (list = []));
        list.push({ s: b.start_at.getTime(), e: b.end_at.getTime() });
      }
      if (b.event_id !== null) this.eventCovers.set(b.event_id, (this.eventCovers.get(b.event_id) ?? 0) + b.party_size);
    }
    for (const [tableId, list] of byTable) {
      list.sort((a, b) => a.s - b.s);
      const starts = new Float64Array(list.length);
      const maxEnds = new Float64Array(list.length);
      let max = -Infinity;
      list.forEach((x, i) => {
        starts[i] = x.s;
        max = Math.max(max, x.e);
        maxEnds[i] = max;
      });
      this.occupancy.set(tableId, { starts, maxEnds });
    }
  }

  /** No active booking on the table overlaps the half-open [start, end) (back-to-back sittings do not overlap). */
  tableFree(tableId: string, start: number, end: number): boolean {
    const occ = this.occupancy.get(tableId);
    if (!occ) return true;
    // Bookings [0, n) start before `end`; one of them overlaps iff the latest end among them is after `start`.
    const n = lowerBound(occ.starts, end);
    return n === 0 || !(occ.maxEnds[n - 1]! > start);
  }

  /** The fitting tables free over [start, end), best fit first (compareTables; ties keep the input order). */
  freeTables(start: number, end: number): TableDef[] {
    this.sorted ??= [...this.fitting].sort(compareTables);
    return this.sorted.filter((t) => this.tableFree(t.id, start, end));
  }

  /** Whether freeTables(start, end) has any: the first free fitting table found ends the search. */
  anyFreeTable(start: number, end: number): boolean {
    for (const t of this.fitting) if (this.tableFree(t.id, start, end)) return true;
    return false;
  }

  /** freeTables(start, end)[0], without sorting: the first best fit among the free ones. */
  bestFreeTable(start: number, end: number): TableDef | undefined {
    let best: TableDef | undefined;
    for (const t of this.fitting) {
      if ((!best || compareTables(t, best) < 0) && this.tableFree(t.id, start, end)) best = t;
    }
    return best;
  }

  /** Covers of the event's active bookings. */
  eventTaken(eventId: string): number {
    return this.eventCovers.get(eventId) ?? 0;
  }

  /** Covers of the service's active bookings starting within [from, to). */
  serviceCoversStarting(serviceId: string, from: number, to: number): number {
    let idx = this.pacing.get(serviceId);
    if (!idx) {
      idx = startIndex(this.bookings.filter((b) => b.service_id === serviceId));
      this.pacing.set(serviceId, idx);
    }
    return idx.coversBefore[lowerBound(idx.starts, to)]! - idx.coversBefore[lowerBound(idx.starts, from)]!;
  }
}

/** Why the slot cannot take the party whatever the tables (past, event capacity, pacing), or null. */
function limitReason(c: Candidate, diary: Diary): UnavailableReason | null {
  const party = diary.party;
  const start = c.start_at.getTime();
  if (start <= diary.now) return 'in_past';

  const { event, service, interval } = c.window;
  if (event) {
    if (diary.eventTaken(event.id) + party > event.capacity) return 'event_full';
  } else if (service && service.max_covers_per_slot != null) {
    const covers = diary.serviceCoversStarting(service.id, start, start + interval * MS_PER_MINUTE);
    if (covers + party > service.max_covers_per_slot) return 'pacing_limit_reached';
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Public API

/** Slots for one venue-local date (GET /availability). */
export function computeAvailability(input: AvailabilityInput): Availability {
  validate(input);
  return slotsOn(input, new Diary(input, relevantBookings(input)), true);
}

/**
 * Slots for each of several venue-local dates (the public widget's range, CONTRACT §10): for every date
 * exactly computeAvailability's evaluation, over one index of the bookings of all of them (`bookings`: those
 * bookingQueryRange gives for each date, together), without the free tables' ids (`table_ids: []`). A
 * booking far from a date costs its slots nothing: each table's bookings are searched, not scanned.
 */
export function computeAvailabilityRange(input: Omit<AvailabilityInput, 'date'>, dates: readonly string[]): Availability[] {
  if (!dates.length) return [];
  const days = dates.map((date) => ({ ...input, date }));
  days.forEach(validate);
  const diary = new Diary(days[0]!, relevantBookings(days[0]!));
  return days.map((day) => slotsOn(day, diary, false));
}

/** The slots of input.date against the indexed diary; with `listTables`, each slot's free fitting tables, best first. */
function slotsOn(input: AvailabilityInput, diary: Diary, listTables: boolean): Availability {
  const byTime = new Map<string, AvailabilitySlot>();
  for (const c of candidatesOn(input)) {
    let available: boolean;
    let tableIds: string[] = [];
    if (limitReason(c, diary)) {
      available = false;
    } else if (listTables) {
      tableIds = diary.freeTables(c.start_at.getTime(), c.end_at.getTime()).map((t) => t.id);
      available = tableIds.length > 0;
    } else {
      available = diary.anyFreeTable(c.start_at.getTime(), c.end_at.getTime());
    }
    const slot: AvailabilitySlot = {
      time: c.time,
      available,
      service_id: c.window.service?.id ?? null,
      ...(c.window.event ? { event_id: c.window.event.id } : {}),
      table_ids: tableIds,
    };
    const seen = byTime.get(c.time);
    if (!seen || (!seen.available && slot.available)) byTime.set(c.time, slot);
  }
  return { date: input.date, party_size: input.party_size, slots: [...byTime.values()] };
}

/** The table a candidate gives this party (the named one, else the best free fit), or why not. */
function chooseTable(c: Candidate, diary: Diary, named: TableDef | undefined): TableDef | UnavailableReason {
  const limit = limitReason(c, diary);
  if (limit) return limit;
  const start = c.start_at.getTime();
  const end = c.end_at.getTime();
  if (named && !fits(named, diary.party)) return 'table_does_not_fit'; // clearer than "no table"
  if (named) return diary.tableFree(named.id, start, end) ? named : 'table_unavailable';
  return diary.bestFreeTable(start, end) ?? 'no_table_available';
}

/**
 * The check POST /bookings (and moves) run inside their transaction, after locking the diary days
 * their slotClaims touch, with the bookings read under those locks. Throws validation_error for malformed input or a
 * time that is not on any slot grid (field 'time'); returns {ok: false, reason} when the slot is
 * real but cannot take this party (→ 422 slot_unavailable).
 */
export function checkSlot(input: CheckSlotInput): SlotCheck {
  return checkCandidates(input, slotCandidates(input));
}

function checkCandidates(input: CheckSlotInput, { table, matches }: { table: TableDef | undefined; matches: Candidate[] }): SlotCheck {
  const diary = new Diary(input, relevantBookings(input));
  let failure: UnavailableReason | null = null;
  for (const c of matches) {
    const chosen = chooseTable(c, diary, table);
    if (typeof chosen === 'string') {
      failure ??= chosen;
      continue;
    }
    return {
      ok: true,
      table_id: chosen.id,
      service_id: c.window.service?.id ?? null,
      event_id: c.window.event?.id ?? null,
      date: c.date,
      time: c.time,
      start_at: c.start_at,
      end_at: c.end_at,
    };
  }
  return { ok: false, reason: failure ?? 'no_table_available' };
}

/**
 * A sitting whose time is already decided (a booking platform's reservation, CONTRACT §12; a table given to
 * such a booking later): its instants and party, the venue's tables and the active bookings overlapping it.
 * Service hours, the slot grid, pacing and event capacity do not apply: the platform has confirmed the guest.
 */
export interface SittingInput {
  party_size: number;
  start_at: Date;
  end_at: Date;
  tables: TableDef[];
  bookings: ExistingBooking[];
  /** The booking being placed again: it never conflicts with itself. */
  exclude_booking_id?: string | null;
}

function sittingDiary(input: SittingInput): Diary {
  const bookings = input.bookings.filter((b) => holdsTable(b.status) && b.id !== input.exclude_booking_id);
  const diaryInput: AvailabilityInput = {
    timezone: 'UTC', date: '1970-01-01', party_size: input.party_size, services: [], tables: input.tables, bookings, now: new Date(0),
  };
  return new Diary(diaryInput, bookings);
}

/**
 * The table a decided sitting gets: the first of `preferred` (table ids, in order) that is free over
 * [start_at, end_at) — the platform or the host chose it, so its covers are not checked — else the best
 * free table that fits, by the same rule as POST /bookings (the smallest that fits, then the tightest
 * minimum, then by number), else null: the booking is kept without a table.
 */
export function tableForSitting(input: SittingInput, preferred: readonly string[] = []): TableDef | null {
  const diary = sittingDiary(input);
  const start = input.start_at.getTime();
  const end = input.end_at.getTime();
  for (const id of preferred) {
    const table = input.tables.find((t) => t.id === id);
    if (table && diary.tableFree(table.id, start, end)) return table;
  }
  return diary.bestFreeTable(start, end) ?? null;
}

/** A named table for a decided sitting, as a move names one: it must fit the party and be free, else why not. */
export function namedTableForSitting(input: SittingInput, tableId: string): TableDef | UnavailableReason {
  const table = input.tables.find((t) => t.id === tableId);
  if (!table) throw new AppError('not_found', 'Table not found.', { field: 'table_id', reason: 'unknown_table' });
  if (!fits(table, input.party_size)) return 'table_does_not_fit';
  return sittingDiary(input).tableFree(table.id, input.start_at.getTime(), input.end_at.getTime()) ? table : 'table_unavailable';
}

/**
 * The service running at a venue-local date and time (its opening that day, or the previous day's past
 * midnight, covers it: start ≤ time < end), the first by id; null outside every service. What a decided
 * sitting is counted under.
 */
export function serviceAt(services: ServiceDef[], date: string, time: string): ServiceDef | null {
  const minute = parseTime(time);
  for (const s of services) {
    for (const [day, offset] of [[date, 0], [addDays(date, -1), MINUTES_PER_DAY]] as const) {
      const w = serviceWindow(s, day);
      if (w && minute + offset >= w.startMin && minute + offset < w.endMin) return s;
    }
  }
  return null;
}

/**
 * A booking naming a service or event the venue does not have (another venue's, as a rule) is 404, as any
 * other venue's resource is (CONTRACT §6); as an availability filter the same id stays a 400 on the query.
 */
function bookingResources<T>(work: () => T): T {
  try {
    return work();
  } catch (err) {
    const reason = err instanceof AppError ? (err.details?.reason as string | undefined) : undefined;
    if (reason === 'unknown_service') throw new AppError('not_found', 'Service not found.', err instanceof AppError ? err.details : null);
    if (reason === 'unknown_event') throw new AppError('not_found', 'Event not found.', err instanceof AppError ? err.details : null);
    throw err;
  }
}

/** checkSlot's validation: the named table (404 when not the venue's) and the grid slots at input.time (validation_error). */
function slotCandidates(input: CheckSlotInput): { table: TableDef | undefined; matches: Candidate[] } {
  validate(input);
  parseTime(input.time); // throws validation_error field 'time' for a malformed time
  localToInstant(input.date, input.time, input.timezone); // throws for a nonexistent local time

  let table: TableDef | undefined;
  if (input.table_id) {
    table = input.tables.find((t) => t.id === input.table_id);
    if (!table) throw new AppError('not_found', 'Table not found.', { field: 'table_id', reason: 'unknown_table' });
  }

  const matches = bookingResources(() => candidatesOn(input, input.time));
  if (!matches.length) {
    const reason = input.event_id ? 'outside_event' : 'not_on_slot_grid';
    throw new AppError(
      'validation_error',
      input.event_id
        ? `${input.time} is not a bookable time for this event.`
        : `${input.time} on ${input.date} is not a bookable slot of any service.`,
      { field: 'time', reason },
    );
  }
  return { table, matches };
}

/**
 * What a booking at input.time could claim, whichever of its grid slots checkSlot picks and whatever the
 * diary holds: per slot, its sitting [start_at, end_at) and its pacing window [start_at, start_at +
 * interval), or for an event slot the whole event [event start, end). Two bookings can only conflict
 * (share a table, a pacing window or an event's capacity) when their claims overlap, so writers lock the
 * venue-local dates these touch (diary-locks.ts: lockDiaryDays). Throws checkSlot's validation errors.
 */
export function slotClaims(input: CheckSlotInput): { from: Date; to: Date }[] {
  return claimsOf(input, slotCandidates(input).matches);
}

/**
 * slotClaims and checkSlot for one input, its grid slots worked out once: the claims to lock, then the
 * check against the bookings read under those locks (the same answers as slotClaims(input) and
 * checkSlot({...input, bookings})). Throws checkSlot's validation errors.
 */
export function planSlot(input: CheckSlotInput): { claims: { from: Date; to: Date }[]; check(bookings: ExistingBooking[]): SlotCheck } {
  const candidates = slotCandidates(input);
  return {
    claims: claimsOf(input, candidates.matches),
    check: (bookings) => checkCandidates({ ...input, bookings }, candidates),
  };
}

function claimsOf(input: CheckSlotInput, matches: Candidate[]): { from: Date; to: Date }[] {
  return matches.map((c) => {
    const { event, interval, startMin, day } = c.window;
    if (event) {
      const eventStart = localToInstantLenient(day, formatTime(startMin), input.timezone);
      return { from: eventStart < c.start_at ? eventStart : c.start_at, to: c.end_at };
    }
    const paceEnd = c.start_at.getTime() + interval * MS_PER_MINUTE;
    return { from: c.start_at, to: new Date(Math.max(c.end_at.getTime(), paceEnd)) };
  });
}

/**
 * Up to n available times nearest to `time` (absolute distance in minutes, earlier first on a
 * tie), nearest first. The requested time itself is never an alternative.
 */
export function nearestAlternatives(availability: Availability, time: string, n = 3): string[] {
  const target = parseTime(time);
  return availability.slots
    .filter((s) => s.available && s.time !== time)
    .map((s) => ({ time: s.time, distance: Math.abs(parseTime(s.time) - target) }))
    .sort((a, b) => a.distance - b.distance || a.time.localeCompare(b.time))
    .slice(0, n)
    .map((s) => s.time);
}

/**
 * The instants a route should load bookings for before calling computeAvailability/checkSlot on
 * `date`: every booking with start_at < to AND end_at > from (any status; the engine filters).
 * Covers the previous day's after-midnight tail and sittings running into the next day.
 * Event capacity counts all of an event's bookings, which start within the event window and so
 * fall inside this range whenever the event has slots on `date`.
 */
export function bookingQueryRange(date: string, timezone: string): { from: Date; to: Date } {
  return {
    from: localToInstantLenient(addDays(date, -1), '00:00', timezone),
    to: localToInstantLenient(addDays(date, 2), '00:00', timezone),
  };
}
