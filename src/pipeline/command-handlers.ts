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
import type { EntityManager } from 'typeorm';
import { entityManagerSession } from '../db/entity-statements';
import { readReservation, applyReservation } from '../domain/bookings/reservation-command';
import { shareDiaryDays, type LocationDiaryDay } from '../domain/bookings/venue-context';
import { applySaleEntries, resolveVenues, type VenueResolution } from '../domain/sales/apply-sales';
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
import type { CanonicalCommand } from '../mapping/canonical-commands';

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
      const ref = { id: venue.venueId, timezone: venue.timezone, currency: venue.currency, country: venue.country ?? null };
      const read = readReservation(cmd, ref);
      if ('failed' in read) return failed('reservation', read.failed, venue.venueId);
      const source = { partnerId: ctx.partner.id, partnerName: ctx.partner.name, locationId: text(cmd.location_id)! };
      const done = await applyReservation(em, ref, source, read, ctx.now ?? new Date());
      const what = `reservation ${read.reservationId}`;
      return {
        type: 'reservation',
        result: done.result,
        venue_id: venue.venueId,
        sale: null,
        booking: done.booking,
        match: null,
        unmatched_reason: null,
        reason: done.reason,
        ...(done.note ? { note: `${what}: ${done.note}` } : {}),
      };
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
