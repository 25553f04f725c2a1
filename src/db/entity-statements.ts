/**
 * Statements built from TypeORM entity metadata, each value converted as TypeORM converts it (transformers,
 * JSON, dates), without the query builder, whose per-row work would be most of a batch's CPU; and the
 * session a batch sends them on.
 */
import type { DataSource, EntityManager, EntityTarget } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { SqlStatement } from './session-pool';

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
      for (const s of statements) results.push(await em.query(s.sql, s.params));
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
