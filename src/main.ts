import { compose } from './composition-root';
import { ConfigError, loadConfig, type Config } from './platform/config';
import { createDataSource, ensureDatabase } from './platform/db/data-source';
import { checkServices } from './platform/service-check';
import { createLogger } from './platform/logger';

/** Process entry: config → services reachable → migrations → compose(ROLE) → listen; SIGTERM → stop. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);

  const missing = await checkServices(config);
  if (missing.length) {
    console.error(
      `Cannot reach ${missing.join(' and ')} (DATABASE_URL / REDIS_URL): start them with \`npm run services\` (scripts/services.sh installs and starts local ones).`,
    );
    process.exit(1);
  }

  await ensureDatabase(config.databaseUrl);
  const migrator = await createDataSource(config.databaseUrl, { poolSize: 1 }).initialize();
  const applied = await migrator.runMigrations({ transaction: 'each' });
  await migrator.destroy();
  if (applied.length) logger.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');

  const composed = await compose(config, { logger });
  const port = await composed.listen(config.port, config.host);
  logger.info({ role: config.role, host: composed.app ? config.host : null, port: composed.app ? port : null }, 'tablesync started');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    composed.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
