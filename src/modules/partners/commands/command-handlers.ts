/**
 * COMMAND_HANDLERS: one handler per canonical command type (ARCHITECTURE §H: "a new canonical command is a
 * schema plus one handler"), and applyCommands, which applies an event's commands through them one by one in
 * the caller's transaction (the worker's one-by-one path: inbound-applier.ts applyOne). The batch path of
 * inbound-applier.ts takes events of sale commands only, through the sales' own batched apply.
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
import { entityManagerSession } from '../../../platform/db/entity-statements';
import { sharedRuns, type SqlStatement, type SqlTransaction } from '../../../platform/db/session-pool';
import { holdsTable } from '../../diary';
import { StaleDiary } from '../../diary';
import { diaryDigestStatements, type VenueLayoutCache } from '../../diary';
import {
  applyReservation,
  firstSeenOver,
  type NewReservation,
  planNewReservations,
  type ReadReservation,
  readReservation,
  type ReservationResult,
} from '../../diary';
import { shareDiaryDays, type LocationDiaryDay } from '../../diary';
import { applySaleEntries, locationsStatement, readLocations, rematchSalesForBooking, resolveVenues, type VenueResolution } from '../../sales';
import { applyBookingStatusCommand } from './booking-status-command';
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
} from '../../sales';
import type { CanonicalCommand, ReservationCommand } from '../../commands';

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
      const done = await applyReservation(
        { em, venue: ref, source: sourceOf(ctx, cmd), now: ctx.now ?? new Date(), pickUpWaitingSales: rematchSalesForBooking, links: ctx.links },
        read,
      );
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
 * Each partner location's venue as the last batch of reservations read it, so that the next batch can plan
 * its diary locks and reads before reading it: every batch that plans with it reads the location again in the
 * same round trip and starts again (StaleDiary) when it differs, as the venue's kept services and tables do
 * (venue-layout-cache.ts). One per composed app (AppDeps.keptLocations, built by the composition root): two apps in
 * one process (tests) never share one.
 */
export class KeptLocations {
  private readonly kept = new Map<string, VenueResolution>();

  constructor(private readonly max = 1000) {}

  get(l: { partnerId: string; locationId: string }): VenueResolution | undefined {
    return this.kept.get(locationKey(l));
  }

  keep(locations: readonly { partnerId: string; locationId: string }[], venues: readonly VenueResolution[]): void {
    if (this.kept.size + locations.length > this.max) this.kept.clear();
    locations.forEach((l, i) => this.kept.set(locationKey(l), venues[i]!));
  }
}

const locationKey = (l: { partnerId: string; locationId: string }): string => `${l.partnerId}\u0000${l.locationId}`;
const sameResolution = (a: VenueResolution, b: VenueResolution): boolean =>
  'reason' in a || 'reason' in b
    ? 'reason' in a && 'reason' in b && a.reason === b.reason
    : a.venueId === b.venueId && a.timezone === b.timezone && a.currency === b.currency && (a.country ?? null) === (b.country ?? null);

const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The reservations of several events (one each, each reservation at most once) in one transaction on a
 * session that sends several statements at once (inbound-applier.ts), with the same rules and the same outcome
 * per event as applyCommands event by event. An event whose reservation already has a booking (an update) is
 * handed back: its outcome is undefined, and the caller applies it on its own.
 *
 * Two round trips before the COMMIT, as a batch of sales takes, when its locations' venues and their services
 * and tables are kept from an earlier batch: (1) the venues of the locations, the bookings the reservations
 * already have (locked FOR UPDATE, as the one-by-one path locks its booking first), the venues' services and
 * their tables share-locked (the digest of venue-layout-cache.ts), then the diary locks and the reads under them
 * (planNewReservations, planned with the kept venues); (2) every write with the caller's `finish` statements
 * (marking the events), whose results it returns. Should the location's venue or its services and tables
 * differ from the kept ones, StaleDiary is thrown (the caller rolls back and runs the batch again with
 * `useKept: false`). Without them: the venues and bookings, then the services and tables (kept for the next
 * batch), then the locks and reads, then the writes.
 */
export async function applyReservationBatch(
  session: SqlTransaction,
  ds: DataSource,
  events: readonly ReservationBatchEvent[],
  finish: (outcomes: readonly (ApplyOutcome | undefined)[]) => SqlStatement[],
  options: { keptLocations: KeptLocations; venueLayouts: VenueLayoutCache; useKept?: boolean },
): Promise<{ outcomes: (ApplyOutcome | undefined)[]; finished: unknown[] }> {
  const locations = events.map((e) => ({ partnerId: e.ctx.partner.id, locationId: text(e.command.location_id)! }));
  const keys = events.map((e) => [e.ctx.partner.name, String(e.command.reservation_id).trim()] as const);
  const reads: SqlStatement[] = [
    locationsStatement(locations),
    {
      sql: `SELECT external_partner, external_reservation_id FROM bookings
             WHERE ${keys.map(() => '(external_partner = ? AND external_reservation_id = ?)').join(' OR ')} FOR UPDATE`,
      params: keys.flat(),
    },
  ];
  const now = events[0]?.ctx.now ?? new Date();

  /** What each event is given its location's venue: its outcome already, or a reservation that may be new. */
  type Step = { outcome: ApplyOutcome } | { entry: NewReservation; read: ReadReservation };
  const stepsOf = (venues: readonly VenueResolution[]): Step[] => events.map((e, i) => {
    const venue = venues[i]!;
    if ('reason' in venue) return { outcome: outcomeOf([ignored('reservation', venue.reason)]) };
    const read = readReservation(e.command, venueRef(venue));
    if ('failed' in read) return { outcome: outcomeOf([failed('reservation', read.failed, venue.venueId)]) };
    return { entry: { venue: venueRef(venue), source: sourceOf(e.ctx, e.command), read }, read };
  });
  // Planned for those whose status holds a table; a reservation first seen cancelled needs no locks.
  const candidatesOf = (steps: readonly Step[]) => steps.flatMap((s, i) => ('entry' in s && holdsTable(s.read.status) ? [{ i, entry: s.entry }] : []));
  const venuesOf = (entries: readonly { entry: NewReservation }[]) => [...new Map(entries.map((c) => [c.entry.venue.id, c.entry.venue])).values()].sort(byId);

  let steps: Step[];
  let existing: Record<string, unknown>[];
  let candidates: { i: number; entry: NewReservation }[];
  let plan: ReturnType<typeof planNewReservations>;
  let planned: unknown[];
  const keptLocations = options.keptLocations;
  const kept = options.useKept === false ? undefined : locations.map((l) => keptLocations.get(l));
  const keptVenues = kept?.every((v) => v !== undefined) ? (kept as VenueResolution[]) : null;
  const keptSteps = keptVenues ? stepsOf(keptVenues) : null;
  const keptCandidates = keptSteps ? candidatesOf(keptSteps) : [];
  const diaries = keptSteps ? venuesOf(keptCandidates).map((v) => ({ venue: v, kept: options.venueLayouts.kept(v) })) : [];
  if (keptSteps && diaries.every((d) => d.kept !== null)) {
    // (1) with the kept venues: every read, the locks in their order (bookings, tables, diary rows).
    const contexts = new Map(diaries.map((d) => [d.venue.id, d.kept!.ctx]));
    plan = planNewReservations(keptCandidates.map((c) => c.entry), contexts);
    const results = (await session.run([...reads, ...diaries.flatMap((d) => diaryDigestStatements(d.venue)), ...plan.statements])) as Record<string, unknown>[][];
    const venues = readLocations(ds, locations, results[0]!);
    const current = venues.every((v, i) => sameResolution(v, keptVenues![i]!))
      && diaries.map((d, j) => options.venueLayouts.isCurrent(d.venue, d.kept!, results.slice(2 + 2 * j, 4 + 2 * j))).every(Boolean);
    keptLocations.keep(locations, venues);
    if (!current) throw new StaleDiary();
    steps = keptSteps;
    existing = results[1]!;
    candidates = keptCandidates;
    planned = results.slice(2 + 2 * diaries.length);
  } else {
    const [located, booked] = (await session.run(reads)) as Record<string, unknown>[][];
    const venues = readLocations(ds, locations, located!);
    keptLocations.keep(locations, venues);
    steps = stepsOf(venues);
    existing = booked!;
    candidates = candidatesOf(steps);
    // The venues' services and tables (share-locked), read and kept for the next batch; then the locks and reads.
    const shared = sharedRuns(session);
    const contexts = new Map(await Promise.all(venuesOf(candidates).map(async (v) => [v.id, await options.venueLayouts.loadLocked(shared.run, v, null)] as const)));
    plan = planNewReservations(candidates.map((c) => c.entry), contexts);
    planned = plan.statements.length ? await session.run(plan.statements) : [];
  }

  // Compared as the unique key compares them (case-insensitive collation): a near-twin goes the one-by-one way too.
  const booked = new Set(existing.map((r) => `${String(r.external_partner).toLowerCase()}\u0000${String(r.external_reservation_id).toLowerCase()}`));
  const isBooked = (i: number, read: ReadReservation) => booked.has(`${keys[i]![0].toLowerCase()}\u0000${read.reservationId.toLowerCase()}`);
  const outcomes: (ApplyOutcome | undefined)[] = steps.map((s, i) => {
    if ('outcome' in s) return s.outcome;
    if (isBooked(i, s.read)) return undefined; // an update: on its own
    return holdsTable(s.read.status) ? undefined : outcomeOf([reservationOutcome(s.read.reservationId, s.entry.venue.id, firstSeenOver(s.read))]);
  });
  const fresh = candidates.flatMap((c, k) => (isBooked(c.i, c.entry.read) ? [] : [k]));
  const created = await plan.book(session, planned, fresh, now, {
    links: events[0]?.ctx.links,
    pickUpWaitingSales: rematchSalesForBooking,
    finish(results) {
      fresh.forEach((k, n) => {
        const c = candidates[k]!;
        outcomes[c.i] = outcomeOf([reservationOutcome(c.entry.read.reservationId, c.entry.venue.id, results[n]!)]);
      });
      return finish(outcomes);
    },
  });
  return { outcomes, finished: created.finished };
}
