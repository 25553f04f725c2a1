/**
 * What a diary writer reads on every booking and what changes least: the venue's services and tables,
 * every row of them. The tables (a row per table, tens to hundreds) are kept here per venue, parsed, with
 * a digest of exactly the rows they were parsed from, and every booking still reads and share-locks every
 * table row, in a statement that returns only their count and digest (diaryDigestStatements):
 *
 * - count and digest equal to the kept ones: the kept tables ARE the rows just read and locked;
 * - different (the tables changed, by any means), or nothing kept: the rows themselves are read, under
 *   the same locks, and kept for the next booking (VenueLayoutCache.loadLocked).
 *
 * The services (a row or two) are read as rows every time and compared with the kept ones. So a booking
 * is checked against the same services and tables as when it read them all, in the same statement order,
 * under the same locks. A digest the server may have cut short (GROUP_CONCAT beyond group_concat_max_len)
 * is never trusted: such a venue's tables are read every time.
 *
 * One VenueLayoutCache per composed app (AppDeps.venueLayouts, built by the composition root and handed to
 * the booking writer and the inbound worker): two apps in one process (tests) never share one.
 */
import type { SqlStatement } from '../../platform/db/session-pool';
import type { ServiceDef, TableDef } from './availability';
import {
  diaryContextQuery,
  toDiaryContext,
  type ContextRow,
  type DiaryContext,
  type EventRow,
  type VenueRef,
} from './diary-store';

interface DigestRow {
  n: number | string;
  h: string | null;
  len: number | string | null;
  max: number | string;
}

interface Digest {
  count: number;
  hash: string | null;
}

interface Kept {
  tables: Digest;
  serviceDefs: readonly ServiceDef[];
  tableDefs: readonly TableDef[];
}

/**
 * Every table row of the venue share-locked (as loadDiaryContext's lockTables read does); back come their
 * count, a SHA-256 over what the engine reads of each (the number length-prefixed, so no two sets of rows
 * concatenate alike) and whether GROUP_CONCAT could have cut it short. The rows go in the order the
 * statement reads them (an ORDER BY inside GROUP_CONCAT costs the server more than sending the rows):
 * should that order ever change, the digest differs and the rows are read again, never the other way round.
 */
const TABLE_ROW = "CONCAT_WS('\\t', id, LENGTH(number), number, min_covers, max_covers)";
const TABLES_DIGEST_SQL = `SELECT COUNT(*) AS n, SHA2(GROUP_CONCAT(${TABLE_ROW} SEPARATOR '\\n'), 256) AS h,
       SUM(LENGTH(${TABLE_ROW})) + COUNT(*) - 1 AS len, @@group_concat_max_len AS max
  FROM venue_tables WHERE venue_id = ? LOCK IN SHARE MODE`;

/** The statements that read the services (their rows) and share-lock the tables (their digest): send them where loadDiaryContext's read would go. */
export function diaryDigestStatements(venue: Pick<VenueRef, 'id' | 'timezone'>): [SqlStatement, SqlStatement] {
  return [servicesStatement(venue), tablesDigestStatement(venue)];
}

// Bookings sharing a transaction (booking-writer.ts) need these reads once: they only read and share-lock.
const tablesDigestStatement = (venue: Pick<VenueRef, 'id'>): SqlStatement => ({ sql: TABLES_DIGEST_SQL, params: [venue.id], sameInRoundTrip: true });

const servicesStatement = (venue: Pick<VenueRef, 'id' | 'timezone'>): SqlStatement =>
  ({ ...diaryContextQuery(venue, { split: true }).statements[0]!, sameInRoundTrip: true });

function digestOf(rows: unknown): Digest | null {
  const d = (rows as DigestRow[])[0]!;
  // Cut short by group_concat_max_len: not a digest of every row.
  if (d.len !== null && Number(d.len) >= Number(d.max)) return null;
  return { count: Number(d.n), hash: d.h };
}

const same = (a: Digest | null, b: Digest): boolean => a !== null && a.count === b.count && a.hash === b.hash;

/** What a plan was made from: the kept services and tables of the venue (a context without events). */
export interface KeptDiary {
  readonly ctx: DiaryContext;
  readonly kept: Kept;
}

/** Each venue's services and tables as the last booking read them (see the top of this file). */
export class VenueLayoutCache {
  private readonly layouts = new Map<string, Kept>();

  constructor(private readonly max = 1000) {}

  /** The kept services and tables of the venue, or null when nothing is kept. */
  kept(venue: Pick<VenueRef, 'id' | 'timezone'>): KeptDiary | null {
    const k = this.layouts.get(venue.id);
    if (!k) return null;
    return { ctx: { timezone: venue.timezone, services: k.serviceDefs as ServiceDef[], tables: k.tableDefs as TableDef[], events: [] }, kept: k };
  }

  /**
   * Whether the results of diaryDigestStatements show exactly the services and tables `used` holds (then
   * they are the rows just read and locked). When not, they are forgotten (unless already replaced).
   */
  isCurrent(venue: Pick<VenueRef, 'id' | 'timezone'>, used: KeptDiary, results: readonly unknown[]): boolean {
    const services = toDiaryContext(venue, results[0] as ContextRow[], []).services;
    const current = sameServices(services, used.kept.serviceDefs) && same(digestOf(results[1]), used.kept.tables);
    if (!current && this.layouts.get(venue.id) === used.kept) this.layouts.delete(venue.id);
    return current;
  }

  /**
   * loadDiaryContext with lockTables, on a session that sends several statements per round trip: the
   * services, the tables (their rows only when they differ from the kept ones, share-locked either way)
   * and the event, in one round trip (two when the kept tables turn out stale). Keeps what it read.
   */
  async loadLocked(
    run: (statements: readonly SqlStatement[]) => Promise<unknown[]>,
    venue: Pick<VenueRef, 'id' | 'timezone'>,
    eventId: string | null | undefined,
  ): Promise<DiaryContext> {
    const rows = diaryContextQuery(venue, { eventId, lockTables: true, split: true });
    const [services, tables, event] = rows.statements.map((s): SqlStatement => ({ ...s, sameInRoundTrip: true }));
    const tablesDigest = tablesDigestStatement(venue);
    const before = this.layouts.get(venue.id);
    const read = async (withTables: boolean) => {
      const results = await run([services, ...(withTables ? [tables] : []), tablesDigest, ...(event ? [event] : [])]);
      const serviceRows = results.shift() as ContextRow[];
      const tableRows = withTables ? (results.shift() as ContextRow[]) : null;
      const [tDigest, eventRows] = results;
      return { serviceRows, tableRows, tDigest: digestOf(tDigest), eventRows: (eventRows ?? []) as EventRow[] };
    };
    let r = await read(!before);
    if (!r.tableRows && !(r.tDigest && same(r.tDigest, before!.tables))) r = await read(true);
    const ctx = toDiaryContext(venue, [...r.serviceRows, ...(r.tableRows ?? [])], r.eventRows);
    if (!r.tableRows) ctx.tables = before!.tableDefs as TableDef[];
    if (r.tDigest) {
      if (this.layouts.size >= this.max) this.layouts.clear();
      this.layouts.set(venue.id, {
        tables: r.tDigest,
        serviceDefs: Object.freeze(ctx.services.map((s) => Object.freeze({ ...s, days: Object.freeze([...s.days]) as number[] }))),
        tableDefs: r.tableRows ? Object.freeze(ctx.tables.map((t) => Object.freeze({ ...t }))) : before!.tableDefs,
      });
    } else {
      this.layouts.delete(venue.id);
    }
    return ctx;
  }
}

function sameServices(a: readonly ServiceDef[], b: readonly ServiceDef[]): boolean {
  return a.length === b.length && a.every((s, i) => {
    const k = b[i]!;
    return s.id === k.id && s.name === k.name && s.requires_approval === k.requires_approval && s.start === k.start && s.end === k.end && s.slot_interval_minutes === k.slot_interval_minutes
      && s.duration_minutes === k.duration_minutes && s.max_covers_per_slot === k.max_covers_per_slot
      && s.days.length === k.days.length && s.days.every((d, j) => d === k.days[j]);
  });
}
