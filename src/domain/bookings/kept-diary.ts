/**
 * What a diary writer reads most and what changes least: the venue's services and tables, every row of
 * them on every booking. They are kept here per venue, parsed, with a digest of exactly the rows they
 * were parsed from, and every booking still reads (and for tables share-locks) every row of them, in
 * statements that return only their count and digest (diaryDigestStatements):
 *
 * - digests equal to the kept ones: the kept services and tables ARE the rows just read (and locked);
 * - different (the venue changed, by any means), or nothing kept: the rows themselves are read, under the
 *   same locks, and kept for the next booking (loadDiaryContextLocked).
 *
 * So a booking is checked against the same services and tables as when it read them all, in the same
 * statement order, under the same locks. A digest the server may have cut short (GROUP_CONCAT beyond
 * group_concat_max_len) is never trusted: such a venue's rows are read every time.
 */
import type { SqlStatement } from '../../db/session-pool';
import type { ServiceDef, TableDef } from './availability';
import {
  diaryContextQuery,
  toDiaryContext,
  type ContextRow,
  type DiaryContext,
  type EventRow,
  type VenueRef,
} from './venue-context';

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
  services: Digest;
  tables: Digest;
  serviceDefs: readonly ServiceDef[];
  tableDefs: readonly TableDef[];
}

/** Count, SHA-256 over the rows' engine columns in id order, and whether GROUP_CONCAT could have cut it short. */
const digestSql = (columns: string, from: string) => `SELECT COUNT(*) AS n,
       SHA2(GROUP_CONCAT(CONCAT_WS('\\t', ${columns}) ORDER BY id SEPARATOR '\\n'), 256) AS h,
       SUM(LENGTH(CONCAT_WS('\\t', ${columns}))) + COUNT(*) - 1 AS len, @@group_concat_max_len AS max
  FROM ${from}`;

// Every column the engine reads (a NULL written out, so no two rows digest alike).
const SERVICES_DIGEST_SQL = digestSql(
  "id, days, start_time, end_time, slot_interval_minutes, duration_minutes, IFNULL(max_covers_per_slot, 'null')",
  'services WHERE venue_id = ?',
);
// Share-locks every table row of the venue, as loadDiaryContext's lockTables read does.
const TABLES_DIGEST_SQL = digestSql('id, number, min_covers, max_covers', 'venue_tables WHERE venue_id = ? LOCK IN SHARE MODE');

const kept = new Map<string, Kept>();
const KEPT_MAX = 1000;

/** The statements that read the services and share-lock the tables, answering with their digests: send them where loadDiaryContext's read would go. */
export function diaryDigestStatements(venueId: string): [SqlStatement, SqlStatement] {
  return [{ sql: SERVICES_DIGEST_SQL, params: [venueId] }, { sql: TABLES_DIGEST_SQL, params: [venueId] }];
}

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

/** The kept services and tables of the venue, or null when nothing is kept. */
export function keptDiary(venue: Pick<VenueRef, 'id' | 'timezone'>): KeptDiary | null {
  const k = kept.get(venue.id);
  if (!k) return null;
  return { ctx: { timezone: venue.timezone, services: k.serviceDefs as ServiceDef[], tables: k.tableDefs as TableDef[], events: [] }, kept: k };
}

/**
 * Whether the results of diaryDigestStatements show exactly the services and tables `used` holds (then
 * they are the rows just read and locked). When not, they are forgotten (unless already replaced).
 */
export function keptDiaryIsCurrent(venueId: string, used: KeptDiary, results: readonly unknown[]): boolean {
  const current = same(digestOf(results[0]), used.kept.services) && same(digestOf(results[1]), used.kept.tables);
  if (!current && kept.get(venueId) === used.kept) kept.delete(venueId);
  return current;
}

/**
 * loadDiaryContext with lockTables, on a session that sends several statements per round trip: the
 * services (their rows), the tables (their rows only when they differ from the kept ones, share-locked
 * either way) and the event, in one round trip (two when the kept tables turn out stale). Keeps what it read.
 */
export async function loadDiaryContextLocked(
  run: (statements: readonly SqlStatement[]) => Promise<unknown[]>,
  venue: Pick<VenueRef, 'id' | 'timezone'>,
  eventId: string | null | undefined,
): Promise<DiaryContext> {
  const rows = diaryContextQuery(venue, { eventId, lockTables: true, split: true });
  const [services, tables, event] = [rows.statements[0]!, rows.statements[1]!, rows.statements[2]];
  const [servicesDigest, tablesDigest] = diaryDigestStatements(venue.id);
  const before = kept.get(venue.id);
  const read = async (withTables: boolean) => {
    const results = await run([services, servicesDigest, ...(withTables ? [tables] : []), tablesDigest, ...(event ? [event] : [])]);
    const [serviceRows, sDigest] = results.splice(0, 2);
    const tableRows = withTables ? (results.shift() as ContextRow[]) : null;
    const [tDigest, eventRows] = results;
    return { serviceRows: serviceRows as ContextRow[], sDigest: digestOf(sDigest), tableRows, tDigest: digestOf(tDigest), eventRows: (eventRows ?? []) as EventRow[] };
  };
  let r = await read(!before);
  if (!r.tableRows && !(r.tDigest && same(r.tDigest, before!.tables))) r = await read(true);
  const ctx = toDiaryContext(venue, [...r.serviceRows, ...(r.tableRows ?? [])], r.eventRows);
  if (!r.tableRows) ctx.tables = before!.tableDefs as TableDef[];
  if (r.sDigest && r.tDigest) {
    if (kept.size >= KEPT_MAX) kept.clear();
    kept.set(venue.id, {
      services: r.sDigest,
      tables: r.tDigest,
      serviceDefs: Object.freeze(ctx.services.map((s) => Object.freeze({ ...s, days: Object.freeze([...s.days]) as number[] }))),
      tableDefs: r.tableRows ? Object.freeze(ctx.tables.map((t) => Object.freeze({ ...t }))) : before!.tableDefs,
    });
  } else {
    kept.delete(venue.id);
  }
  return ctx;
}
