import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Every statement on inbound_events lives in src/modules/partners/pipeline/inbound-event-store.ts (issue #11):
 * no other file of src/ names the table in SQL, nor queries its entity through TypeORM.
 */

const SRC = path.join(__dirname, '..', '..', 'src');
const STORE = path.join(SRC, 'modules', 'partners', 'pipeline', 'inbound-event-store.ts');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

const SQL_ON_TABLE = /\b(FROM|INTO|UPDATE|JOIN)\s+inbound_events\b/i;
const ENTITY_QUERY = /\b(findOne|findOneBy|find|findBy|count|createQueryBuilder|getRepository|update|insert|delete)\(\s*InboundEvent\b/;

test('only inbound-event-store.ts runs statements on inbound_events', () => {
  const offenders = sourceFiles(SRC)
    .filter((f) => f !== STORE)
    .filter((f) => {
      const text = readFileSync(f, 'utf8');
      return SQL_ON_TABLE.test(text) || ENTITY_QUERY.test(text);
    })
    .map((f) => path.relative(SRC, f));
  expect(offenders).toEqual([]);
});

test('the store itself holds the statements (the check reads the right file)', () => {
  const text = readFileSync(STORE, 'utf8');
  expect(text).toMatch(/INSERT INTO inbound_events/);
  expect(text).toMatch(/UPDATE inbound_events/);
  expect(text).toMatch(ENTITY_QUERY);
});
