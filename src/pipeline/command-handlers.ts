/**
 * COMMAND_HANDLERS: one handler per canonical command type (ARCHITECTURE §H: "a new canonical command is a
 * schema plus one handler"), and applyCommands, which applies an event's commands through them one by one in
 * the caller's transaction (the worker's one-by-one path: apply-batcher.ts applyOne). The batch path of
 * apply-batcher.ts takes events of sale commands only, through the sales' own batched apply.
 *
 *   sale           → the sales' apply (apply-sales.ts: upsert, items, match, outbox)
 *   booking_status → the POS status command (booking-status-command.ts → the diary's status machine)
 *   reservation    → a booking platform's reservation (reservation-command.ts → the diary and customers)
 *
 * Order in an event, as before: every venue resolved in one statement; each handler's `refuse` (what fails the
 * event before anything is written: a sale in another currency, a reservation without a guest contact); every
 * sale's diary rows share-locked in one sorted statement before any sale or booking row is locked; then the
 * commands in order.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { entityManagerSession } from '../db/entity-statements';
import type { SqlStatement, SqlTransaction } from '../db/session-pool';
import { holdsTable } from '../domain/bookings/booking-lifecycle';
import {
  applyReservation,
  createReservationBookings,
  firstSeenOver,
  type NewReservation,
  readReservation,
  type ReservationResult,
} from '../domain/bookings/reservation-command';
import { locationDiaryContextsQuery, shareDiaryDays, type LocationDiaryDay } from '../domain/bookings/venue-context';
import { applySaleEntries, locationsStatement, readLocations, resolveVenues, type VenueResolution } from '../domain/sales/apply-sales';
import { applyBookingStatusCommand } from '../domain/sales/booking-status-command';
import {
  type ApplyContext,
  type ApplyOutcome,
  type CommandOutcome,
  currencyReason,
  diaryDaysOf,
  failed,
  ignored,
  matchAtOf,
  outcomeOf,
  text,
  type VenueOfLocation,
} from '../domain/sales/plan-sale';
import type { CanonicalCommand, ReservationCommand } from '../mapping/canonical-commands';

export interface CommandHandler<C extends CanonicalCommand> {
  /** Why the event fails before anything is written (then nothing of it is), or null. */
  refuse?(cmd: C, venue: VenueOfLocation): string | null;
  /** Diary rows to share-lock for the command before any command of the event runs. */
  diaryDays?(ctx: ApplyContext, cmd: C): LocationDiaryDay[];
  /** Applies the command in the caller's transaction; `venue` is its location's venue, or why there is none. */
  apply(em: EntityManager, ctx: ApplyContext, cmd: C, venue: VenueResolution): Promise<CommandOutcome>;
}

type Handlers = { [T in CanonicalCommand['type']]: CommandHandler<Extract<CanonicalCommand, { type: T }>> };

export const COMMAND_HANDLERS: Readonly<Handlers> = {
  sale: {
    refuse: (cmd, venue) => currencyReason(cmd, venue),
    diaryDays: (ctx, cmd) => diaryDaysOf(ctx, cmd, matchAtOf(ctx, cmd, null)),
    async apply(em, ctx, cmd) {
      const session = entityManagerSession(em);
      const applied = await applySaleEntries(session, em.connection, [{ event: 0, ctx, cmd }], { strict: false, diaryLocked: true });
      await session.run(applied.writes);
      return applied.results[0]!;
    },
  },
  booking_status: {
    apply: (em, ctx, cmd, venue) => applyBookingStatusCommand(em, ctx, cmd, venue),
  },
  reservation: {
    refuse(cmd, venue) {
      const read = readReservation(cmd, { timezone: venue.timezone, country: venue.country ?? null });
      return 'failed' in read ? read.failed : null;
    },
    async apply(em, ctx, cmd, venue) {
      if ('reason' in venue) return ignored('reservation', venue.reason);
      const ref = venueRef(venue);
      const read = readReservation(cmd, ref);
      if ('failed' in read) return failed('reservation', read.failed, venue.venueId);
      const done = await applyReservation(em, ref, sourceOf(ctx, cmd), read, ctx.now ?? new Date());
      return reservationOutcome(read.reservationId, venue.venueId, done);
    },
  },
};

function handlerOf<C extends CanonicalCommand>(cmd: C): CommandHandler<C> {
  return COMMAND_HANDLERS[cmd.type] as unknown as CommandHandler<C>;
}

/**
 * Applies one event's commands in order, each on its own (a sale twice, collation-equal ids, booking status
 * commands, reservations): the event is `processed` when any of them changed something, `failed` — with
 * nothing written — when a handler refuses one (a sale's currency is not its venue's, a reservation's guest
 * cannot be read).
 */
export async function applyCommands(em: EntityManager, ctx: ApplyContext, commands: readonly CanonicalCommand[]): Promise<ApplyOutcome> {
  const venues = await resolveVenues(em, ctx.partner.id, commands);
  const failures = commands.flatMap((c, i) => {
    const venue = venues[i]!;
    if ('reason' in venue) return [];
    const why = handlerOf(c).refuse?.(c, venue) ?? null;
    return why ? [failed(c.type, why, venue.venueId)] : [];
  });
  if (failures.length) return outcomeOf(failures);

  // Every sale's diary rows first, in one sorted statement: before any sale or booking row is locked.
  await shareDiaryDays(em, commands.flatMap((c) => handlerOf(c).diaryDays?.(ctx, c) ?? []));
  const results: CommandOutcome[] = [];
  for (const [i, cmd] of commands.entries()) results.push(await handlerOf(cmd).apply(em, ctx, cmd, venues[i]!));
  return outcomeOf(results);
}

const venueRef = (venue: VenueOfLocation) => ({ id: venue.venueId, timezone: venue.timezone, currency: venue.currency, country: venue.country ?? null });
const sourceOf = (ctx: ApplyContext, cmd: ReservationCommand) => ({ partnerId: ctx.partner.id, partnerName: ctx.partner.name, locationId: text(cmd.location_id)! });

function reservationOutcome(reservationId: string, venueId: string, done: ReservationResult): CommandOutcome {
  return {
    type: 'reservation',
    result: done.result,
    venue_id: venueId,
    sale: null,
    booking: done.booking,
    match: null,
    unmatched_reason: null,
    reason: done.reason,
    ...(done.note ? { note: `reservation ${reservationId}: ${done.note}` } : {}),
  };
}

export interface ReservationBatchEvent {
  ctx: ApplyContext;
  command: ReservationCommand;
}

/**
 * The reservations of several events (one each, each reservation at most once) in a few round trips on a
 * session that sends several statements at once (apply-batcher.ts): the venues of their locations and any
 * booking they already have (locked), then the new ones booked together (createReservationBookings), then
 * their writes plus the caller's `finish` statements (marking the events), whose results it returns. Same
 * rules and the same outcome per event as applyCommands event by event. An event whose reservation already has
 * a booking (an update) is handed back: its outcome is undefined, and the caller applies it on its own.
 */
export async function applyReservationBatch(
  session: SqlTransaction,
  ds: DataSource,
  events: readonly ReservationBatchEvent[],
  finish: (outcomes: readonly (ApplyOutcome | undefined)[]) => SqlStatement[],
): Promise<{ outcomes: (ApplyOutcome | undefined)[]; finished: unknown[] }> {
  const locations = events.map((e) => ({ partnerId: e.ctx.partner.id, locationId: text(e.command.location_id)! }));
  const keys = events.map((e) => [e.ctx.partner.name, String(e.command.reservation_id).trim()] as const);
  // One round trip: the venues, the bookings the reservations already have (locked, as the one-by-one path
  // locks its booking first), then the venues' services and tables (share-locked), as every booking writer.
  const diaries = locationDiaryContextsQuery(locations);
  const [located, existing, ...diaryRows] = (await session.run([
    locationsStatement(locations),
    {
      sql: `SELECT external_partner, external_reservation_id FROM bookings
             WHERE ${keys.map(() => '(external_partner = ? AND external_reservation_id = ?)').join(' OR ')} FOR UPDATE`,
      params: keys.flat(),
    },
    ...diaries.statements,
  ])) as Record<string, unknown>[][];
  const venues = readLocations(ds, locations, located!);
  const contexts = diaries.parse(diaryRows, new Map(venues.flatMap((v) => ('reason' in v ? [] : [[v.venueId, v.timezone] as const]))));
  // Compared as the unique key compares them (case-insensitive collation): a near-twin goes the one-by-one way too.
  const booked = new Set(existing!.map((r) => `${String(r.external_partner).toLowerCase()}\u0000${String(r.external_reservation_id).toLowerCase()}`));

  const outcomes: (ApplyOutcome | undefined)[] = events.map(() => undefined);
  const fresh: { event: number; entry: NewReservation }[] = [];
  events.forEach((e, i) => {
    const venue = venues[i]!;
    if ('reason' in venue) return void (outcomes[i] = outcomeOf([ignored('reservation', venue.reason)]));
    const read = readReservation(e.command, venueRef(venue));
    if ('failed' in read) return void (outcomes[i] = outcomeOf([failed('reservation', read.failed, venue.venueId)]));
    if (booked.has(`${keys[i]![0].toLowerCase()}\u0000${read.reservationId.toLowerCase()}`)) return; // an update: on its own
    if (!holdsTable(read.status)) return void (outcomes[i] = outcomeOf([reservationOutcome(read.reservationId, venue.venueId, firstSeenOver(read))]));
    fresh.push({ event: i, entry: { venue: venueRef(venue), source: sourceOf(e.ctx, e.command), read } });
  });
  const now = events[0]?.ctx.now ?? new Date();
  const created = fresh.length ? await createReservationBookings(session, fresh.map((f) => f.entry), now, contexts) : { results: [], writes: [] };
  fresh.forEach((f, k) => {
    outcomes[f.event] = outcomeOf([reservationOutcome(f.entry.read.reservationId, f.entry.venue.id, created.results[k]!)]);
  });
  const extra = finish(outcomes);
  const done = await session.run([...created.writes, ...extra]);
  return { outcomes, finished: done.slice(created.writes.length) };
}
