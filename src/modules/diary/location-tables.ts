/**
 * The tables of a venue or of a partner's location, a POS table resolved by the rule sales follow (the
 * location's alias first, else the venue's table number as text): used by sale matching
 * (sales/match-query.ts) and by reservations naming a table (reservation-command.ts).
 */
import type { SqlStatement } from '../../platform/db/session-pool';

/**
 * Where a lookup is made: the partner's location (its aliases apply, the venue is the location's) or a
 * venue (a stored sale matched again: its table already resolved to the venue's number).
 */
export type MatchScope = { partnerId: string; locationId: string } | { venueId: string };

/**
 * The tables of a scope (`t`, and `pl` for a location) as FROM and WHERE parts, with each of `tables` (POS
 * table ids or numbers) resolved to the venue table number it names: `resolved[j]`, an SQL expression. At a
 * location that is its alias, through one LEFT JOIN of partner_location_tables per table (a primary key
 * lookup: at most one row each, so no row is repeated), else the table as sent; at a venue, the table as
 * sent. The params go in the order of the SQL: `resolvedParams(j)` wherever `resolved[j]` is written, then
 * `fromParams`, then `whereParams`.
 */
export function scopeSql(s: MatchScope, tables: readonly string[]): {
  from: string;
  where: string;
  fromParams: unknown[];
  whereParams: unknown[];
  resolved: string[];
  resolvedParams(j: number): unknown[];
} {
  if ('venueId' in s) {
    return {
      from: 'venue_tables t', where: 't.venue_id = ?', fromParams: [], whereParams: [s.venueId],
      resolved: tables.map(() => '?'), resolvedParams: (j) => [tables[j]],
    };
  }
  return {
    from: `partner_locations pl${tables.map((_, j) => ` LEFT JOIN partner_location_tables a${j} ON a${j}.location_ref = pl.id AND a${j}.pos_table = ?`).join('')}
           INNER JOIN venue_tables t ON t.venue_id = pl.venue_id`,
    where: 'pl.partner_id = ? AND pl.location_id = ?',
    fromParams: [...tables],
    whereParams: [s.partnerId, s.locationId],
    resolved: tables.map((_, j) => `COALESCE(a${j}.table_number, ?)`),
    resolvedParams: (j) => [tables[j]],
  };
}

/**
 * The venue table a table of a partner's location names, by the rule sales follow: the location's alias
 * first, else the venue's table number as text (trimmed by the caller, case-insensitive by the collation).
 * Its rows: `{id, number}` (none: no such table).
 */
export function locationTableStatement(partnerId: string, locationId: string, table: string): SqlStatement {
  const s = scopeSql({ partnerId, locationId }, [table]);
  return {
    sql: `SELECT t.id, t.number FROM ${s.from} WHERE ${s.where} AND t.number = ${s.resolved[0]} ORDER BY t.id LIMIT 1`,
    params: [...s.fromParams, ...s.whereParams, ...s.resolvedParams(0)],
  };
}

/**
 * locationTableStatement for several (partner location, table) pairs in one statement: rows `{k, id}`, k the
 * pair's index (none for a table that names no venue table).
 */
export function locationTablesStatement(pairs: readonly { partnerId: string; locationId: string; table: string }[]): SqlStatement {
  const parts = pairs.map((p) => scopeSql({ partnerId: p.partnerId, locationId: p.locationId }, [p.table]));
  return {
    sql: parts.map((s) => `(SELECT ? AS k, t.id FROM ${s.from} WHERE ${s.where} AND t.number = ${s.resolved[0]} ORDER BY t.id LIMIT 1)`).join(' UNION ALL '),
    params: parts.flatMap((s, k) => [k, ...s.fromParams, ...s.whereParams, ...s.resolvedParams(0)]),
  };
}
