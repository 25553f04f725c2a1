// `npm run migration:run`: create the database if missing and apply pending migrations.
import { loadConfig } from '../src/platform/config';
import { createDataSource, ensureDatabase } from '../src/platform/db/data-source';

async function main(): Promise<void> {
  const config = loadConfig();
  await ensureDatabase(config.databaseUrl);
  const ds = await createDataSource(config.databaseUrl).initialize();
  const applied = await ds.runMigrations({ transaction: 'each' });
  console.log(`migrations applied: ${applied.map((m) => m.name).join(', ') || 'none pending'}`);
  await ds.destroy();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
