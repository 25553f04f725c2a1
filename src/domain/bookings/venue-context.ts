/**
 * Feeds the pure booking engine (availability.ts) from the database: the venue's services, tables and
 * events, the bookings near a date, and the diary lock that makes check-then-insert atomic.
 *
 * Atomicity: every writer of a venue's diary (create, move) runs in a READ COMMITTED transaction
 * (inDiaryTransaction) and takes lockDiary() FIRST, before any read. Writers of one venue then queue on
 * that lock, and each reads the bookings committed by the one before it: READ COMMITTED gives every
 * statement a fresh snapshot, so no earlier read in the transaction can pin a stale view of the diary.
 */
import type { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { Booking, Service, VenueEvent, VenueTable } from '../../db/entities';
import { AppError } from '../../shared/app-error';
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

const isDeadlock = (err: unknown): boolean =>
  (err as { driverError?: { code?: string } }).driverError?.code === 'ER_LOCK_DEADLOCK';

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
 * Locks the venue's table rows (SELECT … FOR UPDATE) until the transaction ends. The table rows rather
 * than the venue row: inserts of sales and bookings take shared locks on the venue row through their
 * foreign keys, and an exclusive lock there would queue POS ingestion behind booking writes.
 */
export async function lockDiary(em: EntityManager, venueId: string): Promise<void> {
  await em.query('SELECT id FROM venue_tables WHERE venue_id = ? FOR UPDATE', [venueId]);
}

export async function loadDiaryContext(em: EntityManager, venue: Pick<VenueRef, 'id' | 'timezone'>): Promise<DiaryContext> {
  const [services, tables, events] = await Promise.all([
    em.find(Service, { where: { venueId: venue.id }, order: { id: 'ASC' } }),
    em.find(VenueTable, { where: { venueId: venue.id }, order: { id: 'ASC' } }),
    em.find(VenueEvent, { where: { venueId: venue.id }, order: { id: 'ASC' } }),
  ]);
  return {
    timezone: venue.timezone,
    services: services.map((s) => ({
      id: s.id, days: s.days, start: s.startTime, end: s.endTime, slot_interval_minutes: s.slotIntervalMinutes,
      duration_minutes: s.durationMinutes, max_covers_per_slot: s.maxCoversPerSlot,
    })),
    tables: tables.map((t) => ({ id: t.id, number: t.number, min_covers: t.minCovers, max_covers: t.maxCovers })),
    events: events.map((e) => ({ id: e.id, date: e.date, start: e.startTime, end: e.endTime, capacity: e.capacity })),
  };
}

/** Bookings (any status; the engine filters) that can affect slots starting on `date`. */
export async function loadBookingsNear(em: EntityManager, venueId: string, date: string, timezone: string): Promise<ExistingBooking[]> {
  const { from, to } = bookingQueryRange(date, timezone);
  const rows = await em
    .createQueryBuilder(Booking, 'b')
    .where('b.venue_id = :venueId', { venueId })
    .andWhere('b.start_at < :to AND b.end_at > :from', { from, to })
    .getMany();
  return rows.map(toExisting);
}

export function toExisting(b: Booking): ExistingBooking {
  return {
    id: b.id, table_id: b.tableId, start_at: b.startAt, end_at: b.endAt, party_size: b.partySize, status: b.status,
    service_id: b.serviceId, event_id: b.eventId, date: b.date, time: b.time,
  };
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
  const alternatives = nearestAlternatives(computeAvailability(rest), time);
  return new AppError('slot_unavailable', `No table for ${input.party_size} at ${time} on ${input.date}.`, {
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
  const ctx = await loadDiaryContext(em, venue);
  const bookings = await loadBookingsNear(em, venue.id, query.date, venue.timezone);
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
      WHERE event_id IN (?) AND status NOT IN ('cancelled', 'no_show') GROUP BY event_id`,
    [eventIds],
  )) as { event_id: string; covers: string | number }[];
  for (const r of rows) covers.set(r.event_id, Number(r.covers));
  return covers;
}
