import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { DataSource, EntityManager, EntityTarget } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { Booking, OutboxMessage, PartnerLocation, Sale, SaleItem, type BookingStatus } from '../../db/entities';
import type { SqlStatement } from '../../db/session-pool';
import type { BookingStatusCommand, CanonicalCommand, SaleCommand } from '../../mapping/canonical-commands';
import { type OutboxEntry, writeOutbox } from '../../outbound/outbox';
import { newId } from '../../shared/ids';
import { BOOKING_TRANSITIONS } from '../bookings/booking-transitions';
import { findBooking, presentOneBooking } from '../bookings/load-booking';
import { type LocationDiaryDay, MAX_SITTING_MS, shareDiaryDays, shareDiaryDaysStatement } from '../bookings/venue-context';
import { presentSale } from '../views/sale.view';
import {
  type BookingMatch,
  findBookingForSale,
  findBookingsForSales,
  MATCH_AFTER_END_MS,
  MATCH_BEFORE_START_MS,
  pickBooking,
  saleDiaryDates,
  type SaleMatchInput,
} from './match-sale';

/**
 * Applies a POS event's canonical commands (CONTRACT §5) inside the caller's transaction: venue by
 * (partner, location id), sale upsert by (partner, sale_id) with a version guard, items, booking match,
 * booking status changes, and the outbox rows announcing them. The same transaction marks the event, so
 * a retry after a crash either sees all of it or none of it.
 *
 * A booking written at the same moment as a sale: before it reads any sale row or booking candidate, the
 * transaction share-locks the venue's diary rows of the dates a matching booking would lock
 * (saleDiaryDates, shareDiaryDaysStatement). Lock order, as on the booking side: diary rows, then sale
 * rows (FOR UPDATE), then bookings. The caller's transaction is READ COMMITTED, so the candidates are read
 * after the lock wait, with a booking committed meanwhile in view.
 */

export interface ApplyContext {
  partner: { id: string; name: string };
  eventId: string;
  /** When the POS event was received: the matching time of last resort. */
  receivedAt: Date;
  now?: Date;
}

export type CommandResult =
  | { type: CanonicalCommand['type']; outcome: 'applied'; saleRowId?: string; bookingId?: string | null }
  | { type: CanonicalCommand['type']; outcome: 'ignored'; reason: string };

export interface ApplyOutcome {
  /** `processed` when at least one command changed something, else `ignored`. */
  status: 'processed' | 'ignored';
  /** Why commands were ignored (joined), or null. */
  reason: string | null;
  results: CommandResult[];
}

type VenueResolution = { venueId: string } | { reason: string };

/** The venue a POS location belongs to, or why there is none. */
export async function resolveVenue(em: EntityManager, partnerId: string, locationId: string): Promise<VenueResolution> {
  const link = await em.findOne(PartnerLocation, { where: { partnerId, locationId } });
  if (!link) return { reason: `unknown location ${locationId}` };
  if (!link.enabled) return { reason: `integration disabled for location ${locationId}` };
  return { venueId: link.venueId };
}

/** Ids arrive as strings or integers (big ones as digit strings); stored and compared as text. */
const text = (v: string | number | null | undefined): string | null => {
  if (v === null || v === undefined) return null;
  const s = String(v).trim();
  return s === '' ? null : s;
};
const instant = (v: string | null | undefined): Date | null => (v ? new Date(v) : null);
const money = (v: number | null | undefined): number | null => (v === undefined ? null : v);

/**
 * Whether `incoming` orders strictly before `stored` (then the update is stale). Digit strings compare as
 * integers (BigInt: epoch ms, counters, any size); ISO timestamps compare as instants. Values of different
 * kinds cannot be ordered and count as not older, so the update applies.
 */
export function isOlderVersion(incoming: string | null, stored: string | null): boolean {
  if (incoming === null || stored === null) return false;
  const integer = /^-?\d+$/;
  if (integer.test(incoming) && integer.test(stored)) return BigInt(incoming) < BigInt(stored);
  if (integer.test(incoming) || integer.test(stored)) return false;
  const a = Date.parse(incoming);
  const b = Date.parse(stored);
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  return a < b;
}

/** The ordering key of a sale update: its own version, else its close time. */
function versionOf(cmd: SaleCommand): string | null {
  return text(cmd.version) ?? cmd.closed_at ?? null;
}

/** Why an update is stale (older than the stored version), or null. */
function staleReason(cmd: SaleCommand, saleId: string, existing: Sale | null): string | null {
  const version = versionOf(cmd);
  if (existing && isOlderVersion(version, existing.sourceVersion)) {
    return `sale ${saleId}: version ${version} is older than the stored ${existing.sourceVersion}`;
  }
  return null;
}

/** When a sale's time is matched: opened_at, else closed_at, else receipt time (the first receipt's, once stored). */
function matchAtOf(ctx: ApplyContext, cmd: SaleCommand, existing: Sale | null): Date {
  return instant(cmd.opened_at) ?? instant(cmd.closed_at) ?? existing?.receivedAt ?? ctx.receivedAt;
}

/** What to match the sale with, or null when it keeps its link as it is (a hand-made link is never overridden). */
function matchInputOf(ctx: ApplyContext, cmd: SaleCommand, venueId: string, existing: Sale | null): SaleMatchInput | null {
  if (existing?.matchMethod === 'manual') return null;
  return { venueId, bookingRef: text(cmd.booking_id), tableNumber: text(cmd.table_number), matchAt: matchAtOf(ctx, cmd, existing) };
}

interface SalePlan {
  sale: Sale;
  /** The columns written (an update writes these and the new version). */
  fields: QueryDeepPartialEntity<Sale>;
  existing: Sale | null;
  items: SaleItem[];
  outbox: OutboxEntry;
}

/** The sale as it will be stored, its items and the outbox entry announcing it. Pure: no I/O. */
function planSale(
  em: EntityManager,
  ctx: ApplyContext,
  cmd: SaleCommand,
  venueId: string,
  existing: Sale | null,
  match: BookingMatch | null,
  now: Date,
): SalePlan {
  const locationId = text(cmd.location_id)!;
  const saleId = text(cmd.sale_id)!;
  const version = versionOf(cmd);
  const openedAt = instant(cmd.opened_at);
  const closedAt = instant(cmd.closed_at);
  const receivedAt = existing?.receivedAt ?? ctx.receivedAt;
  const matchAt = openedAt ?? closedAt ?? receivedAt;

  // An automatic link is recomputed but not dropped for nothing.
  let bookingId = existing?.bookingId ?? null;
  let matchMethod = existing?.matchMethod ?? null;
  if (match) {
    bookingId = match.bookingId;
    matchMethod = match.method;
  }

  const fields = {
    venueId,
    locationId,
    bookingId,
    matchMethod,
    status: cmd.status,
    total: cmd.total,
    subtotal: money(cmd.subtotal),
    tax: money(cmd.tax),
    tip: money(cmd.tip),
    discount: money(cmd.discount),
    currency: cmd.currency,
    tableNumber: text(cmd.table_number),
    covers: cmd.covers ?? null,
    openedAt,
    closedAt,
    matchAt,
    sourceVersion: version ?? existing?.sourceVersion ?? null,
    payments: cmd.payments ?? null,
    updatedAt: now,
  };
  const sale: Sale = existing
    ? Object.assign(existing, fields, { version: existing.version + 1 })
    : em.create(Sale, {
        ...fields,
        id: newId('sl'),
        partner: ctx.partner.name,
        saleId,
        receivedAt,
        version: 1,
        createdAt: now,
      });
  const items = (cmd.items ?? []).map((item, position) =>
    em.create(SaleItem, {
      id: newId('sli'),
      saleRowId: sale.id,
      position,
      name: item.name,
      quantity: item.quantity,
      unitPrice: money(item.unit_price),
      total: item.total,
      sku: item.sku ?? null,
      category: item.category ?? null,
    }),
  );
  return {
    sale,
    fields: fields as QueryDeepPartialEntity<Sale>,
    existing,
    items,
    outbox: { venueId: sale.venueId, event: 'sale.recorded', resourceId: sale.id, resourceVersion: sale.version, data: presentSale(sale, items) },
  };
}

/**
 * The diary rows a sale command locks for a match at `matchAt`: none without a table number (a booking
 * cannot be named by id before it is committed, so only a match by table and time can be missed).
 */
function diaryDaysOf(ctx: ApplyContext, cmd: SaleCommand, matchAt: Date): LocationDiaryDay[] {
  if (text(cmd.table_number) === null) return [];
  const locationId = text(cmd.location_id)!;
  return saleDiaryDates(matchAt).map((date) => ({ partnerId: ctx.partner.id, locationId, date }));
}

/**
 * The diary rows still to lock once the stored sale is read: a resubmission with neither opened_at nor
 * closed_at matches at its first receipt time, not at the time locked for beforehand (matchAtOf without
 * the stored sale). Taken after the sale row, out of the usual order: a deadlock in this rare case is
 * rolled back and retried like any other.
 */
function diaryDaysStillToLock(ctx: ApplyContext, cmd: SaleCommand, matchAt: Date): LocationDiaryDay[] {
  const guessAt = matchAtOf(ctx, cmd, null);
  if (matchAt.getTime() === guessAt.getTime()) return [];
  const held = new Set(saleDiaryDates(guessAt));
  return diaryDaysOf(ctx, cmd, matchAt).filter((d) => !held.has(d.date));
}

const applied = (sale: Sale): CommandResult => ({ type: 'sale', outcome: 'applied', saleRowId: sale.id, bookingId: sale.bookingId });

/** One sale command; the caller (applyCommands) has locked the diary rows for matchAtOf(ctx, cmd, null). */
export async function applySaleCommand(em: EntityManager, ctx: ApplyContext, cmd: SaleCommand): Promise<CommandResult> {
  const now = ctx.now ?? new Date();
  const locationId = text(cmd.location_id)!;
  const saleId = text(cmd.sale_id)!;
  const venue = await resolveVenue(em, ctx.partner.id, locationId);
  if ('reason' in venue) return { type: 'sale', outcome: 'ignored', reason: venue.reason };

  // The row lock serialises this sale with a manual match or another worker's update of it.
  const existing = await em
    .createQueryBuilder(Sale, 's')
    .setLock('pessimistic_write')
    .where('s.partner = :partner AND s.sale_id = :saleId', { partner: ctx.partner.name, saleId })
    .getOne();
  const stale = staleReason(cmd, saleId, existing);
  if (stale) return { type: 'sale', outcome: 'ignored', reason: stale };

  const input = matchInputOf(ctx, cmd, venue.venueId, existing);
  if (input) await shareDiaryDays(em, diaryDaysStillToLock(ctx, cmd, input.matchAt));
  const found = input ? await findBookingForSale(em, input) : null;
  const plan = planSale(em, ctx, cmd, venue.venueId, existing, found && { bookingId: found.booking.id, method: found.method }, now);
  if (existing) {
    await em.update(Sale, { id: plan.sale.id }, { ...plan.fields, version: plan.sale.version });
    await em.delete(SaleItem, { saleRowId: plan.sale.id });
  } else {
    await em.insert(Sale, plan.sale as QueryDeepPartialEntity<Sale>);
  }
  if (plan.items.length) await em.insert(SaleItem, plan.items);
  await writeOutbox(em, plan.outbox, now);
  return applied(plan.sale);
}

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

/** Where a batch runs its statements: in the caller's transaction, several per round trip where it can. */
export interface SqlSession {
  /** Runs the statements in order; resolves with each one's result (the rows, for a SELECT). */
  run(statements: readonly SqlStatement[]): Promise<unknown[]>;
}

/** A session over a TypeORM EntityManager (its transaction): one statement per round trip. */
export function entityManagerSession(em: EntityManager): SqlSession {
  return {
    async run(statements) {
      const results: unknown[] = [];
      for (const s of statements) results.push(await em.query(s.sql, s.params));
      return results;
    },
  };
}

const key = (...parts: string[]): string => parts.join('\u0000');
type Row = Record<string, unknown>;

/**
 * Applies the sale commands of several events in the caller's transaction in two round trips (on a session
 * that sends several statements at once): every read first (the diary rows share-locked, venues, the
 * sales locked FOR UPDATE, the booking candidates), then every write (new sales, updated sales, items,
 * outbox rows) plus the caller's own `finish` statements (marking the events), whose results it returns.
 * Same rules, same order of row locks and the same outcome per event as applyCommands event by event: the
 * planning code is shared, and each lookup is the single path's query, tagged with its command and joined
 * with UNION ALL, so the database compares ids, references and table numbers (its collation) exactly as it
 * does for one.
 *
 * The diary rows are locked and the booking candidates read with the match time the command gives
 * (opened_at, else closed_at, else receipt); a stored sale whose first receipt time is the match time
 * instead is matched again once locked (its diary rows locked then, see diaryDaysStillToLock).
 *
 * Precondition: sale commands only, and no sale twice in the batch (else BatchNotApplicable). Throws
 * BatchNotApplicable when a locked sale row is equal to a command's sale id only under the collation; the
 * caller then applies the events one by one, where the database decides as always. A wrongly planned insert
 * cannot slip through either: the unique key rejects it and the transaction rolls back.
 */
export async function applySaleBatch(
  session: SqlSession,
  ds: DataSource,
  events: readonly BatchEvent[],
  finish: (outcomes: ApplyOutcome[]) => SqlStatement[] = () => [],
): Promise<{ outcomes: ApplyOutcome[]; finished: unknown[] }> {
  interface Entry {
    event: number;
    ctx: ApplyContext;
    cmd: SaleCommand;
    locationId: string;
    saleId: string;
    /** The match time the booking candidates were read with. */
    guessAt: Date;
    result?: CommandResult;
    venueId?: string;
    existing?: Sale | null;
    match?: BookingMatch | null;
    plan?: SalePlan;
  }
  const entries: Entry[] = [];
  const seen = new Set<string>();
  events.forEach((e, event) => {
    for (const cmd of e.commands) {
      if (cmd.type !== 'sale') throw new BatchNotApplicable('a command other than sale');
      const saleId = text(cmd.sale_id)!;
      const k = key(e.ctx.partner.name, saleId);
      if (seen.has(k)) throw new BatchNotApplicable('a sale twice');
      seen.add(k);
      entries.push({ event, ctx: e.ctx, cmd, locationId: text(cmd.location_id)!, saleId, guessAt: matchAtOf(e.ctx, cmd, null) });
    }
  });

  // Round trip 1: the diary lock, then every read.
  const diaryLock = shareDiaryDaysStatement(entries.flatMap((e) => diaryDaysOf(e.ctx, e.cmd, e.guessAt)));
  const locations = [...new Map(entries.map((e) => [key(e.ctx.partner.id, e.locationId), e])).values()];
  const reads: SqlStatement[] = [
    ...(diaryLock ? [diaryLock] : []),
    {
      sql: locations.map(() => '(SELECT ? AS k, pl.* FROM partner_locations pl WHERE pl.partner_id = ? AND pl.location_id = ?)').join(' UNION ALL '),
      params: locations.flatMap((e, k) => [k, e.ctx.partner.id, e.locationId]),
    },
    // The row locks serialise each sale with a manual match or another worker's update of it.
    {
      sql: `SELECT * FROM sales WHERE ${entries.map(() => '(partner = ? AND sale_id = ?)').join(' OR ')} FOR UPDATE`,
      params: entries.flatMap((e) => [e.ctx.partner.name, e.saleId]),
    },
  ];
  const refs = entries.flatMap((e, i) => {
    const ref = text(e.cmd.booking_id);
    return ref ? [{ i, sql: BOOKING_BY_REF_VIA_LOCATION, params: [i, e.ctx.partner.id, e.locationId, ref, ref] }] : [];
  });
  if (refs.length) reads.push({ sql: refs.map((q) => q.sql).join(' UNION ALL '), params: refs.flatMap((q) => q.params) });
  const tableGroups = tableCandidateGroups(entries);
  for (const g of tableGroups) reads.push(g.statement);
  const [linkRows, saleRows, ...bookingRows] = ((await session.run(reads)) as Row[][]).slice(diaryLock ? 1 : 0);
  const refRows = refs.length ? bookingRows.shift()! : [];

  const links = new Map<string, PartnerLocation>();
  for (const row of linkRows!) {
    const e = locations[Number(row.k)]!;
    links.set(key(e.ctx.partner.id, e.locationId), hydrate(ds, PartnerLocation, row));
  }
  const sales = saleRows!.map((row) => hydrate(ds, Sale, row));
  const byKey = new Map(sales.map((r) => [key(r.partner, r.saleId), r]));
  if (byKey.size !== sales.length || sales.some((r) => !seen.has(key(r.partner, r.saleId)))) {
    throw new BatchNotApplicable('sale ids equal only under the collation');
  }
  const byRef = new Map<number, BookingMatch>();
  for (const row of refRows) {
    const i = Number(row.k);
    if (!byRef.has(i)) byRef.set(i, { bookingId: String(row.id), method: 'booking_id' });
  }
  const candidates = new Map<number, TableCandidate[]>();
  tableGroups.forEach((g, n) => g.distribute(bookingRows[n]!, candidates));

  const again: { e: Entry; input: SaleMatchInput }[] = [];
  entries.forEach((e, i) => {
    const link = links.get(key(e.ctx.partner.id, e.locationId));
    if (!link) return void (e.result = { type: 'sale', outcome: 'ignored', reason: `unknown location ${e.locationId}` });
    if (!link.enabled) return void (e.result = { type: 'sale', outcome: 'ignored', reason: `integration disabled for location ${e.locationId}` });
    e.venueId = link.venueId;
    e.existing = byKey.get(key(e.ctx.partner.name, e.saleId)) ?? null;
    const stale = staleReason(e.cmd, e.saleId, e.existing);
    if (stale) return void (e.result = { type: 'sale', outcome: 'ignored', reason: stale });
    const input = matchInputOf(e.ctx, e.cmd, e.venueId, e.existing);
    if (!input) return void (e.match = null);
    if (input.matchAt.getTime() !== e.guessAt.getTime()) return void again.push({ e, input });
    const booking = byRef.get(i) ?? (input.tableNumber === null ? null : pickBooking(candidates.get(i) ?? [], input.matchAt));
    e.match = booking === null ? null : 'bookingId' in booking ? booking : { bookingId: booking.id, method: 'table_time' };
  });
  if (again.length) {
    // Their own diary rows (if others) go ahead of the first lookup, in its round trip.
    let late = shareDiaryDaysStatement(again.flatMap(({ e, input }) => diaryDaysStillToLock(e.ctx, e.cmd, input.matchAt)));
    const query = async (sql: string, params: unknown[]) => {
      const results = await session.run([...(late ? [late] : []), { sql, params }]);
      late = null;
      return results[results.length - 1];
    };
    const found = await findBookingsForSales(query, again.map((a) => a.input));
    again.forEach((a, j) => (a.e.match = found[j]!));
  }

  // Plan; round trip 2: every write (new sales first, then updates, items, outbox rows) and the caller's.
  const plans: SalePlan[] = [];
  for (const e of entries) {
    if (e.result) continue;
    e.plan = planSale(ds.manager, e.ctx, e.cmd, e.venueId!, e.existing ?? null, e.match ?? null, e.ctx.now ?? new Date());
    e.result = applied(e.plan.sale);
    plans.push(e.plan);
  }
  const outcomes = events.map((_, event) => outcomeOf(entries.filter((e) => e.event === event).map((e) => e.result!)));
  const writes: SqlStatement[] = [];
  const inserts = plans.filter((plan) => !plan.existing).map((plan) => plan.sale);
  if (inserts.length) writes.push(insertStatement(ds, Sale, inserts));
  const updated = plans.filter((plan) => plan.existing);
  for (const plan of updated) writes.push(updateStatement(ds, Sale, plan.sale.id, { ...plan.fields, version: plan.sale.version }));
  if (updated.length) writes.push({ sql: 'DELETE FROM sale_items WHERE sale_row_id IN (?)', params: [updated.map((plan) => plan.sale.id)] });
  const items = plans.flatMap((plan) => plan.items);
  if (items.length) writes.push(insertStatement(ds, SaleItem, items));
  if (plans.length) writes.push(insertStatement(ds, OutboxMessage, plans.map((plan) => outboxRow(plan.outbox, plan.sale.updatedAt))));
  const extra = finish(outcomes);
  const results = await session.run([...writes, ...extra]);
  return { outcomes, finished: results.slice(writes.length) };
}

const INACTIVE_BOOKINGS = ['cancelled', 'no_show'];

type TableCandidate = { id: string; status: Booking['status']; startAt: Date };

/**
 * findBookingForSale's table-and-time lookup for the entries of a batch, one query per (partner, location)
 * instead of one per sale: the bookings at any of the group's tables (`t.number IN (…)`) in the widest of
 * their windows, each row telling which of the table numbers its table equals (`t.number = ?` per number,
 * so the database compares them, with its collation, exactly as in the query for one sale); each sale then
 * keeps the rows of its own table within its own window ([matchAt − 2 h, matchAt + 30 min] against
 * end/start; the columns hold milliseconds, as the JS dates do).
 */
function tableCandidateGroups(entries: readonly { ctx: ApplyContext; cmd: SaleCommand; locationId: string; guessAt: Date }[]): {
  statement: SqlStatement;
  distribute(rows: Row[], into: Map<number, TableCandidate[]>): void;
}[] {
  const groups = new Map<string, { partnerId: string; locationId: string; members: { i: number; number: string; latestStart: number; earliestEnd: number }[] }>();
  entries.forEach((e, i) => {
    const number = text(e.cmd.table_number);
    if (number === null) return;
    const k = key(e.ctx.partner.id, e.locationId);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { partnerId: e.ctx.partner.id, locationId: e.locationId, members: [] }));
    const t = e.guessAt.getTime();
    g.members.push({ i, number, latestStart: t + MATCH_BEFORE_START_MS, earliestEnd: t - MATCH_AFTER_END_MS });
  });
  return [...groups.values()].map((g) => {
    const numbers = [...new Set(g.members.map((m) => m.number))];
    const latestStart = Math.max(...g.members.map((m) => m.latestStart));
    const earliestEnd = Math.min(...g.members.map((m) => m.earliestEnd));
    return {
      statement: {
        sql: `SELECT b.id, b.status, b.start_at, b.end_at, ${numbers.map((_, j) => `t.number = ? AS m${j}`).join(', ')}
                FROM partner_locations pl
               INNER JOIN venue_tables t ON t.venue_id = pl.venue_id AND t.number IN (?)
               INNER JOIN bookings b ON b.table_id = t.id AND b.venue_id = pl.venue_id
               WHERE pl.partner_id = ? AND pl.location_id = ? AND b.status NOT IN (?) AND b.start_at <= ? AND b.end_at >= ?
                 AND b.start_at >= ?`,
        params: [
          ...numbers, numbers, g.partnerId, g.locationId, INACTIVE_BOOKINGS,
          new Date(latestStart), new Date(earliestEnd), new Date(earliestEnd - MAX_SITTING_MS),
        ],
      },
      distribute(rows, into) {
        for (const m of g.members) {
          const column = `m${numbers.indexOf(m.number)}`;
          const mine = rows
            .filter((r) => Number(r[column]) === 1 && (r.start_at as Date).getTime() <= m.latestStart && (r.end_at as Date).getTime() >= m.earliestEnd)
            .map((r) => ({ id: String(r.id), status: r.status as Booking['status'], startAt: r.start_at as Date }));
          if (mine.length) into.set(m.i, mine);
        }
      },
    };
  });
}
/** findBookingForSale's reference query, the venue taken from the partner's location. */
const BOOKING_BY_REF_VIA_LOCATION = `(SELECT ? AS k, b.id FROM partner_locations pl
    INNER JOIN bookings b ON b.venue_id = pl.venue_id
    WHERE pl.partner_id = ? AND pl.location_id = ? AND (b.id = ? OR b.reference = ?))`;
function persistentValues(ds: DataSource, row: object, columns: ColumnMetadata[]): unknown[] {
  return columns.map((c) => {
    const value: unknown = ds.driver.preparePersistentValue(c.getEntityValue(row), c);
    return value === undefined ? null : value;
  });
}

/**
 * One multi-row INSERT of entities, each value converted as TypeORM converts it (transformers, JSON,
 * dates; from the entity metadata), without the query builder, whose per-row work would be most of a
 * batch's CPU. Generated columns (auto-increment ids) are left to the database.
 */
function insertStatement<T extends object>(ds: DataSource, target: EntityTarget<T>, rows: readonly T[]): SqlStatement {
  const meta = ds.getMetadata(target);
  const columns = meta.columns.filter((c) => !c.isGenerated);
  return {
    sql: `INSERT INTO \`${meta.tableName}\` (${columns.map((c) => `\`${c.databaseName}\``).join(', ')}) VALUES ?`,
    params: [rows.map((row) => persistentValues(ds, row, columns))],
  };
}

/** UPDATE of some properties of one entity by id, values converted as TypeORM converts them. */
function updateStatement<T extends object>(ds: DataSource, target: EntityTarget<T>, id: string, fields: object): SqlStatement {
  const meta = ds.getMetadata(target);
  const columns = Object.keys(fields).map((property) => {
    const column = meta.findColumnWithPropertyName(property);
    if (!column) throw new Error(`${meta.name} has no column ${property}`);
    return column;
  });
  return {
    sql: `UPDATE \`${meta.tableName}\` SET ${columns.map((c) => `\`${c.databaseName}\` = ?`).join(', ')} WHERE id = ?`,
    params: [...persistentValues(ds, fields, columns), id],
  };
}

/** An entity from a raw row (SELECT *), converted as TypeORM hydrates it. */
function hydrate<T extends object>(ds: DataSource, target: EntityTarget<T>, row: Row): T {
  const meta = ds.getMetadata(target);
  const entity = meta.create() as T;
  for (const c of meta.columns) c.setEntityValue(entity, ds.driver.prepareHydratedValue(row[c.databaseName], c));
  return entity;
}

/** The outbox row writeOutbox writes for an entry. */
function outboxRow(entry: OutboxEntry, now: Date): OutboxMessage {
  return Object.assign(new OutboxMessage(), {
    messageId: newId('msg'),
    venueId: entry.venueId,
    event: entry.event,
    resourceId: entry.resourceId,
    resourceVersion: entry.resourceVersion,
    payload: JSON.stringify(entry.data),
    createdAt: now,
    relayedAt: null,
  });
}

function outcomeOf(results: CommandResult[]): ApplyOutcome {
  const reasons = results.flatMap((r) => (r.outcome === 'ignored' ? [r.reason] : []));
  return {
    status: results.some((r) => r.outcome === 'applied') ? 'processed' : 'ignored',
    reason: reasons.length ? reasons.join('; ') : null,
    results,
  };
}

/**
 * The statuses a booking passes through to reach `to` from `from`, following the booking status
 * machine forward (a POS closing the table of a confirmed booking completes it via seated). Empty when
 * `to` cannot be reached.
 */
export function transitionPath(from: BookingStatus, to: BookingStatus): BookingStatus[] {
  const queue: BookingStatus[][] = [[from]];
  const seen = new Set<BookingStatus>([from]);
  while (queue.length) {
    const path = queue.shift()!;
    for (const next of BOOKING_TRANSITIONS[path[path.length - 1]!]) {
      if (next === to) return [...path.slice(1), next];
      if (!seen.has(next)) {
        seen.add(next);
        queue.push([...path, next]);
      }
    }
  }
  return [];
}

export async function applyBookingStatusCommand(
  em: EntityManager,
  ctx: ApplyContext,
  cmd: BookingStatusCommand,
): Promise<CommandResult> {
  const now = ctx.now ?? new Date();
  const locationId = text(cmd.location_id)!;
  const venue = await resolveVenue(em, ctx.partner.id, locationId);
  if ('reason' in venue) return { type: 'booking_status', outcome: 'ignored', reason: venue.reason };

  const bookingRef = text(cmd.booking_id);
  const tableNumber = text(cmd.table_number);
  const match = await findBookingForSale(em, {
    venueId: venue.venueId,
    bookingRef,
    tableNumber,
    matchAt: instant(cmd.at) ?? ctx.receivedAt,
  });
  if (!match) {
    const by = bookingRef ? `booking ${bookingRef}` : tableNumber ? `table ${tableNumber}` : 'no booking id or table';
    return { type: 'booking_status', outcome: 'ignored', reason: `no booking found for ${by}` };
  }
  const booking = (await findBooking(em, venue.venueId, match.booking.id, { lock: true }))!;
  const from = booking.status;
  const to = cmd.status;
  if (from === to) return { type: 'booking_status', outcome: 'ignored', reason: `booking ${booking.reference} is already ${to}` };
  if (transitionPath(from, to).length === 0) {
    return { type: 'booking_status', outcome: 'ignored', reason: `a ${from} booking (${booking.reference}) cannot become ${to}` };
  }
  booking.status = to;
  booking.version += 1;
  booking.updatedAt = now;
  await em.update(Booking, { id: booking.id }, { status: to, version: booking.version, updatedAt: now });
  await writeOutbox(
    em,
    {
      venueId: booking.venueId,
      event: to === 'cancelled' ? 'booking.cancelled' : 'booking.updated',
      resourceId: booking.id,
      resourceVersion: booking.version,
      data: await presentOneBooking(em, booking),
    },
    now,
  );
  return { type: 'booking_status', outcome: 'applied', bookingId: booking.id };
}

/** Applies commands in order; the event is `processed` when any of them changed something. */
export async function applyCommands(em: EntityManager, ctx: ApplyContext, commands: readonly CanonicalCommand[]): Promise<ApplyOutcome> {
  // Every sale's diary rows first, in one sorted statement: before any sale or booking row is locked.
  await shareDiaryDays(em, commands.flatMap((c) => (c.type === 'sale' ? diaryDaysOf(ctx, c, matchAtOf(ctx, c, null)) : [])));
  const results: CommandResult[] = [];
  for (const cmd of commands) {
    results.push(cmd.type === 'sale' ? await applySaleCommand(em, ctx, cmd) : await applyBookingStatusCommand(em, ctx, cmd));
  }
  return outcomeOf(results);
}
