/**
 * Statements built from TypeORM entity metadata, each value converted as TypeORM converts it (transformers,
 * JSON, dates), without the query builder, whose per-row work would be most of a batch's CPU; and the
 * session a batch sends them on.
 */
import type { DataSource, EntityManager, EntityTarget } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { SqlStatement } from './session-pool';
import { afterCommit } from './after-commit';

/** Where statements run in the caller's transaction: several per round trip where the session can. */
export interface SqlSession {
  /** Runs the statements in order; resolves with each one's result (the rows, for a SELECT). */
  run(statements: readonly SqlStatement[]): Promise<unknown[]>;
}

/** A session over a TypeORM EntityManager (its transaction): one statement per round trip. */
export function entityManagerSession(em: EntityManager): SqlSession {
  return {
    async run(statements) {
      const results: unknown[] = [];
      for (const s of statements) {
        results.push(await em.query(s.sql, s.params));
        if (s.afterCommit) afterCommit(em, s.afterCommit);
      }
      return results;
    },
  };
}

function persistentValues(ds: DataSource, row: object, columns: ColumnMetadata[]): unknown[] {
  return columns.map((c) => {
    const value: unknown = ds.driver.preparePersistentValue(c.getEntityValue(row), c);
    return value === undefined ? null : value;
  });
}

/** One multi-row INSERT of entities. Generated columns (auto-increment ids) are left to the database. */
export function insertStatement<T extends object>(ds: DataSource, target: EntityTarget<T>, rows: readonly T[]): SqlStatement {
  const meta = ds.getMetadata(target);
  const columns = meta.columns.filter((c) => !c.isGenerated);
  return {
    sql: `INSERT INTO \`${meta.tableName}\` (${columns.map((c) => `\`${c.databaseName}\``).join(', ')}) VALUES ?`,
    params: [rows.map((row) => persistentValues(ds, row, columns))],
  };
}

/** UPDATE of some properties of one entity by id. */
export function updateStatement<T extends object>(ds: DataSource, target: EntityTarget<T>, id: string, fields: object): SqlStatement {
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

/** An entity from a raw row (SELECT *), converted as TypeORM hydrates it. Extra columns are ignored. */
export function hydrate<T extends object>(ds: DataSource, target: EntityTarget<T>, row: Record<string, unknown>): T {
  const meta = ds.getMetadata(target);
  const entity = meta.create() as T;
  for (const c of meta.columns) c.setEntityValue(entity, ds.driver.prepareHydratedValue(row[c.databaseName], c));
  return entity;
}

/** Column types whose raw mysql2 value TypeORM hydrates unchanged (no transformer): left as they are. */
const AS_READ = new Set<unknown>(['varchar', 'char', 'text', 'int', 'bigint']);

/** An entity's columns as a SELECT list, and the reader of its rows. */
export interface EntityColumns<T> {
  /** `alias.column AS property, …`: rows come back shaped as the entity already. */
  select: string;
  /** Converts, in place, the values TypeORM would convert (booleans, JSON, transformers) and returns the row as the entity. */
  read(row: Record<string, unknown>): T;
}

const columnsOf = new WeakMap<DataSource, Map<string, EntityColumns<object>>>();

/**
 * An entity read straight from raw rows, shaped and converted as TypeORM hydrates it (hydrate() above),
 * for list reads: the query builder's per-row work (and hydrate's per-column lookups) would be most of
 * the request's CPU. Built once per (DataSource, entity, alias).
 */
export function entityColumns<T extends object>(ds: DataSource, target: EntityTarget<T>, alias: string): EntityColumns<T> {
  let built = columnsOf.get(ds);
  if (!built) columnsOf.set(ds, (built = new Map()));
  const meta = ds.getMetadata(target);
  const key = `${meta.name} ${alias}`;
  let found = built.get(key);
  if (!found) {
    if (meta.columns.some((c) => c.embeddedMetadata || c.relationMetadata)) throw new Error(`entityColumns: ${meta.name} has embedded or relation columns`);
    const converted = meta.columns.filter((c) => !AS_READ.has(c.type) || c.transformer);
    found = {
      select: meta.columns.map((c) => `${alias}.\`${c.databaseName}\` AS \`${c.propertyName}\``).join(', '),
      read(row) {
        for (const c of converted) row[c.propertyName] = ds.driver.prepareHydratedValue(row[c.propertyName], c);
        return row;
      },
    };
    built.set(key, found);
  }
  return found as EntityColumns<T>;
}
