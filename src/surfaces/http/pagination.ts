/**
 * Cursor (keyset) pagination for list endpoints, plus query-string parsing for them.
 *
 * A cursor is base64url JSON `{l: list name, v: [sort key values of the last row]}`. Clients treat it as
 * opaque; a malformed or foreign one (another list's) is 400 validation_error on `cursor`. Keyset rather
 * than offset: a page boundary stays put while rows are added or removed before it.
 *
 * Usage (see bookings.routes.ts):
 *   const page = await paginate(qb, BOOKINGS_KEYSET, { limit, cursor });
 *   res.json(pageResponse(page, present));
 */
import { type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import { compileSchema, fieldError, parseWith } from './validation';

export type CursorValue = string | number | Date;

export interface SortKey<Row> {
  /** SQL column as the query builder sees it (`b.start_at`). A constant, never user input. */
  column: string;
  /** @defaultValue 'ASC' */
  order?: 'ASC' | 'DESC';
  /** This key's value in a row. The last key must be unique (the id), so the order is total. */
  value: (row: Row) => CursorValue;
}

export interface Keyset<Row> {
  /** Names the list; a cursor of another list is refused. */
  name: string;
  keys: readonly SortKey<Row>[];
}

export interface PageRequest {
  limit: number;
  cursor?: string | null;
}

export interface Page<Row> {
  rows: Row[];
  nextCursor: string | null;
}

type EncodedValue = string | number | { d: string };

export function encodeCursor(list: string, values: readonly CursorValue[]): string {
  const v: EncodedValue[] = values.map((x) => (x instanceof Date ? { d: x.toISOString() } : x));
  return Buffer.from(JSON.stringify({ l: list, v }), 'utf8').toString('base64url');
}

function decodeValue(x: unknown): CursorValue | undefined {
  if (typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x))) return x;
  if (x && typeof x === 'object' && typeof (x as { d?: unknown }).d === 'string') {
    const d = new Date((x as { d: string }).d);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}

/** The sort key values a cursor carries; 400 validation_error on `cursor` unless it is one of this list's. */
export function decodeCursor(list: string, cursor: string, arity: number): CursorValue[] {
  const refuse = () => fieldError('cursor', 'is not a cursor of this list');
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(cursor)) throw refuse();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  const { l, v } = (parsed ?? {}) as { l?: unknown; v?: unknown };
  if (l !== list || !Array.isArray(v) || v.length !== arity) throw refuse();
  const values = v.map(decodeValue);
  if (values.some((x) => x === undefined)) throw refuse();
  return values as CursorValue[];
}

/**
 * The rows after the cursor: (k1 > c1) OR (k1 = c1 AND k2 > c2) OR …, with < for descending keys;
 * `placeholder(i)` stands for the cursor's i-th value (named for a query builder, `?` for raw SQL).
 */
function afterCursor<Row>(keys: Keyset<Row>['keys'], placeholder: (i: number) => string): string {
  const ors = keys.map((key, i) => {
    const ands = keys.slice(0, i).map((k, j) => `${k.column} = ${placeholder(j)}`);
    ands.push(`${key.column} ${(key.order ?? 'ASC') === 'ASC' ? '>' : '<'} ${placeholder(i)}`);
    return `(${ands.join(' AND ')})`;
  });
  return `(${ors.join(' OR ')})`;
}

/**
 * Orders `qb` by the keyset, continues after the cursor and fetches one row more than `limit` to know
 * whether a next page exists. `qb` must not join rows that multiply its root rows.
 */
export async function paginate<Row extends ObjectLiteral>(
  qb: SelectQueryBuilder<Row>,
  keyset: Keyset<Row>,
  page: PageRequest,
): Promise<Page<Row>> {
  const { keys } = keyset;
  if (page.cursor) {
    const after = decodeCursor(keyset.name, page.cursor, keys.length);
    qb.andWhere(afterCursor(keys, (i) => `:pg_${i}`));
    after.forEach((value, i) => qb.setParameter(`pg_${i}`, value));
  }
  keys.forEach((key, i) => {
    if (i === 0) qb.orderBy(key.column, key.order ?? 'ASC');
    else qb.addOrderBy(key.column, key.order ?? 'ASC');
  });
  return pageOf(await qb.limit(page.limit + 1).getMany(), keyset, page.limit);
}

/**
 * paginate() for a raw SQL query: the condition that continues after the cursor (null without one; `?`
 * placeholders, its values in `params`), the ORDER BY list and the LIMIT (one row more than asked). The
 * keyset's columns are constants, never user input. Hand the rows to pageOf().
 */
export function keysetSql<Row>(keyset: Keyset<Row>, page: PageRequest): { after: { sql: string; params: CursorValue[] } | null; orderBy: string; limit: number } {
  const { keys } = keyset;
  const orderBy = keys.map((k) => `${k.column} ${k.order ?? 'ASC'}`).join(', ');
  if (!page.cursor) return { after: null, orderBy, limit: page.limit + 1 };
  const values = decodeCursor(keyset.name, page.cursor, keys.length);
  // The i-th disjunct names the cursor's values 0..i, in that order.
  const params = keys.flatMap((_, i) => values.slice(0, i + 1));
  return { after: { sql: afterCursor(keys, () => '?'), params }, orderBy, limit: page.limit + 1 };
}

/** A page from rows fetched with one more than `limit` (paginate(), keysetSql()): the cursor names the last row kept. */
export function pageOf<Row>(rows: Row[], keyset: Keyset<Row>, limit: number): Page<Row> {
  if (rows.length <= limit) return { rows, nextCursor: null };
  rows.length = limit;
  const last = rows[rows.length - 1]!;
  return { rows, nextCursor: encodeCursor(keyset.name, keyset.keys.map((k) => k.value(last))) };
}

/** CONTRACT §2 list envelope (its schema: listEnvelopeSchema in schemas/pagination.schema.ts). */
export function listResponse<T>(data: T[], nextCursor: string | null): { data: T[]; next_cursor: string | null } {
  return { data, next_cursor: nextCursor };
}

/** A page's envelope, each row shown by `present`. */
export function pageResponse<Row, T>(page: Page<Row>, present: (row: Row) => T): { data: T[]; next_cursor: string | null } {
  return listResponse(page.rows.map((row) => present(row)), page.nextCursor);
}

// ---------------------------------------------------------------------------------------------
// Query strings

interface QuerySchema {
  properties?: Record<string, { type?: unknown }>;
}

/**
 * Query values arrive as strings. Integer and boolean parameters are converted only from their plain
 * spellings (`12`, `true`/`false`), so `1e2`, `0x10` or ` 3` stay strings and fail the schema, unlike
 * ajv's own coercion. Repeated parameters stay arrays and fail too.
 */
function coerceQuery(schema: QuerySchema, query: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(query)) {
    const type = schema.properties?.[name]?.type;
    if (type === 'integer' && typeof value === 'string' && /^-?\d{1,15}$/.test(value)) out[name] = Number(value);
    else if (type === 'boolean' && (value === 'true' || value === 'false')) out[name] = value === 'true';
    else out[name] = value;
  }
  return out;
}

/**
 * Compiles a query-string schema (`type: object`, flat properties) into a parser that returns the typed,
 * defaulted query or throws 400 validation_error naming the parameter. Works on a copy: Express 5
 * re-parses `req.query` on each read, so mutating it would be lost anyway.
 */
export function compileQuerySchema<T>(schema: Record<string, unknown>): (query: unknown) => T {
  const validate = compileSchema<T>(schema);
  return (query) => parseWith(validate, coerceQuery(schema as QuerySchema, { ...(query as Record<string, unknown>) }), 'query');
}
