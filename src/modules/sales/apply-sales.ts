/**
 * Applies POS events' canonical commands (CONTRACT §5) in the caller's transaction: venue by (partner,
 * location id), the currency rule, sale upsert by (partner, sale_id) with a version guard, items, booking
 * match (match-query.ts) and the outbox rows announcing them. The pipeline's COMMAND_HANDLERS
 * (src/modules/partners/commands/command-handlers.ts) apply an event's commands one by one through these. The caller marks the event in the same transaction, so a retry after a crash sees all of
 * it or none of it.
 *
 * One path for one sale and for many (applySaleEntries): every read in one round trip (the diary rows
 * share-locked, the venues, the sales locked FOR UPDATE, the match query), then the writes, which it
 * returns for the caller to send (the batch sends them with its events' final rows). Lock order, as on the
 * booking side: diary rows, then sale rows (FOR UPDATE), then bookings (the table in diary-locks.ts). The
 * transaction is READ COMMITTED, so the candidates are read after the lock wait, with a booking committed
 * meanwhile in view.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { PartnerLocation, Sale, SaleItem } from '../../platform/db/entities';
import { hydrate, insertStatement, type SqlSession, updateStatement } from '../../platform/db/entity-statements';
import type { SqlStatement } from '../../platform/db/session-pool';
import type { CanonicalCommand, SaleCommand } from '../commands';
import { outboxStatement } from '../outbox';
import { shareDiaryDaysStatement } from '../diary';
import { type BookingMatch, matchOf, matchStatements, unmatchedReason } from './match-query';
import {
  type ApplyContext,
  type ApplyOutcome,
  type CommandOutcome,
  currencyReason,
  diaryDaysOf,
  diaryDaysStillToLock,
  failed,
  ignored,
  keepsLink,
  lookupOf,
  matchAtOf,
  outcomeOf,
  planSale,
  saleApplied,
  type SalePlan,
  staleReason,
  text,
  type VenueOfLocation,
} from './plan-sale';

export type { ApplyContext, ApplyOutcome, CommandOutcome } from './plan-sale';
export type { SqlSession } from '../../platform/db/entity-statements';
export { entityManagerSession } from '../../platform/db/entity-statements';

/** A batch could not be applied as one (see applySaleBatch); apply its events one by one instead. */
export class BatchNotApplicable extends Error {
  constructor(reason: string) {
    super(`batch not applicable: ${reason}`);
    this.name = 'BatchNotApplicable';
  }
}

export interface BatchEvent {
  ctx: ApplyContext;
  commands: readonly SaleCommand[];
}

const key = (...parts: string[]): string => parts.join('\u0000');
type Row = Record<string, unknown>;
export type Location = { partnerId: string; locationId: string };
export type VenueResolution = VenueOfLocation | { reason: string };

/** The venues of POS locations (with their currency and time zone): one statement, rows tagged `k`. */
export function locationsStatement(locations: readonly Location[]): SqlStatement {
  return {
    sql: locations
      .map(() => `(SELECT ? AS k, pl.*, v.currency AS venue_currency, v.timezone AS venue_timezone, v.country AS venue_country FROM partner_locations pl
                    INNER JOIN venues v ON v.id = pl.venue_id WHERE pl.partner_id = ? AND pl.location_id = ?)`)
      .join(' UNION ALL '),
    params: locations.flatMap((l, k) => [k, l.partnerId, l.locationId]),
  };
}

/** locationsStatement's rows: each location's venue, or why it has none. */
export function readLocations(ds: DataSource, locations: readonly Location[], rows: Row[]): VenueResolution[] {
  const out: VenueResolution[] = locations.map((l) => ({ reason: `unknown location ${l.locationId}` }));
  for (const row of rows) {
    const k = Number(row.k);
    const link = hydrate(ds, PartnerLocation, row);
    out[k] = link.enabled
      ? { venueId: link.venueId, currency: String(row.venue_currency), timezone: String(row.venue_timezone), country: row.venue_country === null || row.venue_country === undefined ? null : String(row.venue_country) }
      : { reason: `integration disabled for location ${locations[k]!.locationId}` };
  }
  return out;
}

/** The venue each command's location belongs to, or why there is none. */
export async function resolveVenues(em: EntityManager, partnerId: string, commands: readonly CanonicalCommand[]): Promise<VenueResolution[]> {
  if (!commands.length) return [];
  const locations = commands.map((c) => ({ partnerId, locationId: text(c.location_id)! }));
  const s = locationsStatement(locations);
  return readLocations(em.connection, locations, (await em.query(s.sql, s.params)) as Row[]);
}

export interface SaleEntry {
  /** The event the command belongs to (its index in the batch). */
  event: number;
  ctx: ApplyContext;
  cmd: SaleCommand;
}

/**
 * The reads and the plan of sale commands, each sale at most once (else BatchNotApplicable), and the writes
 * that store them. `strict`: a sale row equal to a command's sale id only under the collation throws
 * BatchNotApplicable (a batch then goes event by event, where the database decides as always); otherwise
 * the row the database returns first is the command's, as for one sale. `diaryLocked`: the caller has
 * share-locked the commands' diary rows already. An event with a failed command writes nothing.
 */
export async function applySaleEntries(
  session: SqlSession,
  ds: DataSource,
  input: readonly SaleEntry[],
  options: { strict: boolean; diaryLocked: boolean },
): Promise<{ results: CommandOutcome[]; writes: SqlStatement[] }> {
  const entries = input.map((e) => {
    const saleId = text(e.cmd.sale_id)!;
    const guessAt = matchAtOf(e.ctx, e.cmd, null);
    return { ...e, saleId, guessAt, lookup: lookupOf(e.ctx, e.cmd, guessAt) };
  });
  const seen = new Set<string>();
  for (const e of entries) {
    const k = key(e.ctx.partner.name, e.saleId);
    if (seen.has(k)) throw new BatchNotApplicable('a sale twice');
    seen.add(k);
  }

  // Round trip 1: the diary lock, then every read.
  const diaryLock = options.diaryLocked ? null : shareDiaryDaysStatement(entries.flatMap((e) => diaryDaysOf(e.ctx, e.cmd, e.guessAt)));
  const locations = [...new Map(entries.map((e) => {
    const l = { partnerId: e.ctx.partner.id, locationId: text(e.cmd.location_id)! };
    return [key(l.partnerId, l.locationId), l] as const;
  })).values()];
  const match = matchStatements(entries.map((e) => e.lookup));
  const reads: SqlStatement[] = [
    locationsStatement(locations),
    // The row locks serialise each sale with a manual match or another worker's update of it.
    {
      sql: `SELECT * FROM sales WHERE ${entries.map(() => '(partner = ? AND sale_id = ?)').join(' OR ')} FOR UPDATE`,
      params: entries.flatMap((e) => [e.ctx.partner.name, e.saleId]),
    },
    ...match.statements,
  ];
  const results = (await session.run(diaryLock ? [diaryLock, ...reads] : reads)).slice(diaryLock ? 1 : 0) as Row[][];
  const venues = readLocations(ds, locations, results[0]!);
  const venueOf = new Map(locations.map((l, k) => [key(l.partnerId, l.locationId), venues[k]!]));
  const sales = results[1]!.map((row) => hydrate(ds, Sale, row));
  const found = match.read(results.slice(2));
  const byKey = new Map<string, Sale>();
  for (const s of sales) if (!byKey.has(key(s.partner, s.saleId))) byKey.set(key(s.partner, s.saleId), s);
  if (options.strict && (byKey.size !== sales.length || sales.some((r) => !seen.has(key(r.partner, r.saleId))))) {
    throw new BatchNotApplicable('sale ids equal only under the collation');
  }
  const sole = !options.strict && entries.length === 1 ? sales[0] : undefined;

  type Planned = { result?: CommandOutcome; venue?: VenueOfLocation; existing?: Sale | null; match?: BookingMatch | null; table?: string | null; why?: () => string };
  const planned: Planned[] = entries.map(() => ({}));
  const again: number[] = [];
  entries.forEach((e, i) => {
    const p = planned[i]!;
    const venue = venueOf.get(key(e.ctx.partner.id, text(e.cmd.location_id)!))!;
    if ('reason' in venue) return void (p.result = ignored('sale', venue.reason));
    p.venue = venue;
    const badCurrency = currencyReason(e.cmd, venue);
    if (badCurrency) return void (p.result = failed('sale', badCurrency, venue.venueId));
    p.existing = sole ?? byKey.get(key(e.ctx.partner.name, e.saleId)) ?? null;
    const stale = staleReason(e.cmd, e.saleId, p.existing);
    if (stale) return void (p.result = ignored('sale', stale, venue.venueId));
    if (matchAtOf(e.ctx, e.cmd, p.existing).getTime() !== e.guessAt.getTime()) return void again.push(i);
    p.table = found[i]!.venueTable ?? e.lookup.table;
    p.match = keepsLink(p.existing) ? null : matchOf(e.lookup, found[i]!);
    const answer = found[i]!;
    // Worded only for a sale left unmatched.
    p.why = () => unmatchedReason(e.lookup, answer, venue.timezone);
  });
  if (again.length) {
    // A stored sale matched at its first receipt time: its own diary rows (if others) and its lookup again.
    const late = shareDiaryDaysStatement(again.flatMap((i) => diaryDaysStillToLock(entries[i]!.ctx, entries[i]!.cmd, matchAtOf(entries[i]!.ctx, entries[i]!.cmd, planned[i]!.existing!))));
    const lookups = again.map((i) => lookupOf(entries[i]!.ctx, entries[i]!.cmd, matchAtOf(entries[i]!.ctx, entries[i]!.cmd, planned[i]!.existing!)));
    const second = matchStatements(lookups);
    const rows = (await session.run(late ? [late, ...second.statements] : second.statements)).slice(late ? 1 : 0);
    const answers = second.read(rows);
    again.forEach((i, j) => {
      const p = planned[i]!;
      p.table = answers[j]!.venueTable ?? lookups[j]!.table;
      p.match = keepsLink(p.existing!) ? null : matchOf(lookups[j]!, answers[j]!);
      p.why = () => unmatchedReason(lookups[j]!, answers[j]!, p.venue!.timezone);
    });
  }

  // An event with a failed command writes nothing; the others are planned.
  const failedEvents = new Set(entries.filter((_, i) => planned[i]!.result?.result === 'failed').map((e) => e.event));
  const plans: SalePlan[] = [];
  const out = entries.map((e, i) => {
    const p = planned[i]!;
    if (p.result) return p.result;
    if (failedEvents.has(e.event)) return ignored('sale', 'not applied: another command of the event failed', p.venue!.venueId);
    const plan = planSale(e.ctx, e.cmd, p.venue!, p.existing ?? null, p.match ?? null, p.table ?? null, e.ctx.now ?? new Date());
    plans.push(plan);
    return saleApplied(plan.sale, p.why);
  });
  return { results: out, writes: saleWrites(ds, plans) };
}

/** The writes of planned sales: new sales first, then updates, items, outbox rows. */
function saleWrites(ds: DataSource, plans: readonly SalePlan[]): SqlStatement[] {
  const writes: SqlStatement[] = [];
  const inserts = plans.filter((plan) => !plan.existing).map((plan) => plan.sale);
  if (inserts.length) writes.push(insertStatement(ds, Sale, inserts));
  const updated = plans.filter((plan) => plan.existing);
  for (const plan of updated) writes.push(updateStatement(ds, Sale, plan.sale.id, { ...plan.fields, version: plan.sale.version }));
  if (updated.length) writes.push({ sql: 'DELETE FROM sale_items WHERE sale_row_id IN (?)', params: [updated.map((plan) => plan.sale.id)] });
  const items = plans.flatMap((plan) => plan.items);
  if (items.length) writes.push(insertStatement(ds, SaleItem, items));
  const outbox = outboxStatement(plans.flatMap((plan) => plan.outbox), plans[0]?.sale.updatedAt ?? new Date());
  if (outbox) writes.push(outbox);
  return writes;
}

/**
 * The sale commands of several events in two round trips (on a session that sends several statements at
 * once): every read (applySaleEntries), then every write plus the caller's `finish` statements (marking the
 * events), whose results it returns. Same rules, same order of row locks and the same outcome per event as
 * applyCommands event by event.
 *
 * Precondition: sale commands only, and no sale twice in the batch (else BatchNotApplicable); a sale row
 * equal to a command's sale id only under the collation throws BatchNotApplicable too. A wrongly planned
 * insert cannot slip through either: the unique key rejects it and the transaction rolls back.
 */
export async function applySaleBatch(
  session: SqlSession,
  ds: DataSource,
  events: readonly BatchEvent[],
  finish: (outcomes: ApplyOutcome[]) => SqlStatement[] = () => [],
): Promise<{ outcomes: ApplyOutcome[]; finished: unknown[] }> {
  const entries: SaleEntry[] = [];
  events.forEach((e, event) => {
    for (const cmd of e.commands) {
      if (cmd.type !== 'sale') throw new BatchNotApplicable('a command other than sale');
      entries.push({ event, ctx: e.ctx, cmd });
    }
  });
  const { results, writes } = await applySaleEntries(session, ds, entries, { strict: true, diaryLocked: false });
  const outcomes = events.map((_, event) => outcomeOf(results.filter((_, i) => entries[i]!.event === event)));
  const extra = finish(outcomes);
  const done = await session.run([...writes, ...extra]);
  return { outcomes, finished: done.slice(writes.length) };
}
