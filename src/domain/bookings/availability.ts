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
import { AppError } from '../../shared/app-error';
import {
  MINUTES_PER_DAY,
  addDays,
  assertDate,
  formatTime,
  isoWeekday,
  localToInstant,
  localToInstantLenient,
  parseTime,
  tryLocalToInstant,
} from './venue-time';

// ---------------------------------------------------------------------------------------------
// Types

export interface ServiceDef {
  id: string;
  /** ISO weekdays 1 (Mon) … 7 (Sun) on which the service opens. */
  days: number[];
  start: string;
  /** end <= start: the service runs past midnight. */
  end: string;
  slot_interval_minutes: number;
  duration_minutes: number;
  max_covers_per_slot: number | null;
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

const INACTIVE_STATUSES = new Set(['cancelled', 'no_show']);
const DEFAULT_EVENT_INTERVAL = 30;
const MS_PER_MINUTE = 60_000;

export function isActiveBooking(status: string): boolean {
  return !INACTIVE_STATUSES.has(status);
}

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

function candidates(w: Window, tz: string): Candidate[] {
  const out: Candidate[] = [];
  const eventEnd = w.event
    ? localToInstantLenient(addDays(w.day, Math.floor(w.endMin / MINUTES_PER_DAY)), formatTime(w.endMin), tz)
    : null;
  for (let m = w.startMin; m <= w.lastStartMin; m += w.interval) {
    const date = addDays(w.day, Math.floor(m / MINUTES_PER_DAY));
    const time = formatTime(m);
    const start = tryLocalToInstant(date, time, tz);
    if (!start) continue; // local time doesn't exist that day (clocks went forward)
    const end = eventEnd ?? new Date(start.getTime() + w.service!.duration_minutes * MS_PER_MINUTE);
    out.push({ window: w, date, time, start_at: start, end_at: end });
  }
  return out;
}

/** Every candidate slot starting on `date` (windows of that day and the day before's tail). */
function candidatesOn(input: AvailabilityInput): Candidate[] {
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
    .flatMap((w) => candidates(w, timezone))
    .filter((c) => c.date === date)
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
  return input.bookings.filter((b) => isActiveBooking(b.status) && b.id !== input.exclude_booking_id);
}

/** Best fit first: the smallest table that fits, then the tightest minimum, then by number. */
function compareTables(a: TableDef, b: TableDef): number {
  return (
    a.max_covers - b.max_covers ||
    b.min_covers - a.min_covers ||
    String(a.number).localeCompare(String(b.number), undefined, { numeric: true })
  );
}

function fits(t: TableDef, party: number): boolean {
  return t.min_covers <= party && party <= t.max_covers;
}

function tableFree(tableId: string, c: Candidate, bookings: ExistingBooking[]): boolean {
  // Half-open [start_at, end_at): back-to-back sittings do not overlap.
  return !bookings.some((b) => b.table_id === tableId && b.start_at < c.end_at && b.end_at > c.start_at);
}

type Evaluation = { ok: true; tables: TableDef[] } | { ok: false; reason: UnavailableReason };

function evaluate(c: Candidate, input: AvailabilityInput, bookings: ExistingBooking[]): Evaluation {
  const party = input.party_size;
  if (c.start_at.getTime() <= input.now.getTime()) return { ok: false, reason: 'in_past' };

  const { event, service, interval } = c.window;
  if (event) {
    const taken = bookings.filter((b) => b.event_id === event.id).reduce((n, b) => n + b.party_size, 0);
    if (taken + party > event.capacity) return { ok: false, reason: 'event_full' };
  } else if (service && service.max_covers_per_slot != null) {
    const from = c.start_at.getTime();
    const to = from + interval * MS_PER_MINUTE;
    const covers = bookings
      .filter((b) => b.service_id === service.id && b.start_at.getTime() >= from && b.start_at.getTime() < to)
      .reduce((n, b) => n + b.party_size, 0);
    if (covers + party > service.max_covers_per_slot) return { ok: false, reason: 'pacing_limit_reached' };
  }

  const tables = input.tables
    .filter((t) => fits(t, party) && tableFree(t.id, c, bookings))
    .sort(compareTables);
  return tables.length ? { ok: true, tables } : { ok: false, reason: 'no_table_available' };
}

// ---------------------------------------------------------------------------------------------
// Public API

/** Slots for one venue-local date (GET /availability). */
export function computeAvailability(input: AvailabilityInput): Availability {
  validate(input);
  const bookings = relevantBookings(input);
  const byTime = new Map<string, AvailabilitySlot>();
  for (const c of candidatesOn(input)) {
    const ev = evaluate(c, input, bookings);
    const slot: AvailabilitySlot = {
      time: c.time,
      available: ev.ok,
      service_id: c.window.service?.id ?? null,
      ...(c.window.event ? { event_id: c.window.event.id } : {}),
      table_ids: ev.ok ? ev.tables.map((t) => t.id) : [],
    };
    const seen = byTime.get(c.time);
    if (!seen || (!seen.available && slot.available)) byTime.set(c.time, slot);
  }
  return { date: input.date, party_size: input.party_size, slots: [...byTime.values()] };
}

/** The table a candidate gives this party (the named one, else the best free fit), or why not. */
function chooseTable(ev: Evaluation, named: TableDef | undefined, party: number): TableDef | UnavailableReason {
  if (!ev.ok && ev.reason !== 'no_table_available') return ev.reason;
  if (named && !fits(named, party)) return 'table_does_not_fit'; // clearer than "no table"
  const free = ev.ok ? ev.tables : [];
  if (named) return free.includes(named) ? named : 'table_unavailable';
  return free[0] ?? 'no_table_available';
}

/**
 * The check POST /bookings (and moves) run inside their transaction, after locking the venue's
 * rows, with the bookings read under that lock. Throws validation_error for malformed input or a
 * time that is not on any slot grid (field 'time'); returns {ok: false, reason} when the slot is
 * real but cannot take this party (→ 422 slot_unavailable).
 */
export function checkSlot(input: CheckSlotInput): SlotCheck {
  validate(input);
  parseTime(input.time); // throws validation_error field 'time' for a malformed time
  localToInstant(input.date, input.time, input.timezone); // throws for a nonexistent local time

  let table: TableDef | undefined;
  if (input.table_id) {
    table = input.tables.find((t) => t.id === input.table_id);
    if (!table) throw new AppError('validation_error', 'Unknown table_id.', { field: 'table_id', reason: 'unknown_table' });
  }

  const matches = candidatesOn(input).filter((c) => c.time === input.time);
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

  const bookings = relevantBookings(input);
  let failure: UnavailableReason | null = null;
  for (const c of matches) {
    const ev = evaluate(c, input, bookings);
    const chosen = chooseTable(ev, table, input.party_size);
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
