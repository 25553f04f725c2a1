// `npm run operator -- <email> [--name "Full Name"]`: makes a platform operator (CONTRACT §8, §15) and prints
// the invite link where they set a password: the way to the first operator without the admin token.
import { loadConfig } from '../src/platform/config';
import { createDataSource, ensureDatabase } from '../src/platform/db/data-source';
import { People } from '../src/modules/people';
import { createLogger } from '../src/platform/logger';
import { RedisConnections } from '../src/platform/redis-connections';

export async function makeOperator(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ id: string; inviteUrl: string }> {
  const email = args.find((a) => !a.startsWith('--'));
  const nameAt = args.indexOf('--name');
  if (!email || !/^[^@\s]+@[^@\s]+$/.test(email)) throw new Error('usage: npm run operator -- <email> [--name "Full Name"]');
  const name = nameAt >= 0 && args[nameAt + 1] ? args[nameAt + 1]! : email.split('@')[0]!;

  const config = loadConfig(env);
  await ensureDatabase(config.databaseUrl);
  const ds = await createDataSource(config.databaseUrl, { poolSize: 2 }).initialize();
  const logger = createLogger(config.logLevel);
  const connections = new RedisConnections(config.redis, logger);
  const redis = connections.commands('tablesync-operator-script');
  try {
    await ds.runMigrations({ transaction: 'each' });
    const people = new People({
      dataSource: ds, redis, keyPrefix: config.redisPrefix, publicUrl: config.publicUrl,
      passwordCost: { memoryKib: config.passwordHashMemoryKib, iterations: config.passwordHashIterations }, logger,
    });
    const { user, inviteUrl } = await people.create({ venueId: null, role: 'operator', email, name });
    return { id: user.id, inviteUrl: inviteUrl! };
  } finally {
    connections.disconnectAll();
    await ds.destroy();
  }
}

if (require.main === module) {
  makeOperator(process.argv.slice(2)).then(
    ({ id, inviteUrl }) => {
      console.log(`operator ${id} created. Set a password within 7 days at:\n${inviteUrl}`);
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
