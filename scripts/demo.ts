// `npm run demo`: seeds a demo venue (people who can sign in, a day of bookings across three areas, a POS
// partner, the day's sales so far), prints where to sign in, then keeps sending signed POS sales for a
// minute (DEMO_LIVE_SECONDS) so spend lands on the diary while you watch.
//
// It runs the real app in-process against DATABASE_URL/REDIS_URL (the ones `npm start` uses). When nothing
// answers on PORT yet, it also serves the app there (and keeps serving after the minute, until Ctrl-C);
// when `npm start` already runs, it seeds through the same database and Redis and that server shows it.
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import supertest from 'supertest';
import { compose } from '../src/composition-root';
import { loadConfig } from '../src/platform/config';
import { createDataSource, ensureDatabase } from '../src/platform/db/data-source';
import { DEMO_PARTNER, DEMO_PARTNER_SECRET, DEMO_PASSWORD, liveStep, prng, seedDemo, waitForEvents } from './demo-data';
import { ensureWebBuild } from './web-build';

async function somethingListens(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const adminToken = process.env.ADMIN_TOKEN || `demo-${randomBytes(12).toString('hex')}`;
  const config = loadConfig({ ...process.env, ADMIN_TOKEN: adminToken, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const liveSeconds = Number(process.env.DEMO_LIVE_SECONDS ?? 60);
  await ensureDatabase(config.databaseUrl);
  const migrator = await createDataSource(config.databaseUrl, { poolSize: 1 }).initialize();
  await migrator.runMigrations({ transaction: 'each' });
  await migrator.destroy();

  const serve = !(await somethingListens(config.port));
  if (serve) ensureWebBuild();
  const app = await compose(config);
  const http = supertest(app.app!);
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await app.stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));

  try {
    if (serve) await app.listen(config.port, config.host);
    const demo = await seedDemo(app, http, adminToken);
    await waitForEvents(http, adminToken, demo.eventIds);
    const origin = config.publicUrl;
    const local = DateTime.now().setZone(demo.venue.timezone);
    const counts: Record<string, number> = {};
    for (const b of demo.bookings) counts[b.status] = (counts[b.status] ?? 0) + 1;

    console.log(`
Demo venue:  ${demo.venue.name} (${demo.venue.id}), ${demo.venue.timezone} — it is ${local.toFormat('HH:mm')} there, ${demo.venue.currency}
Today:       ${demo.bookings.length} bookings (${Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(', ')}) on ${demo.venue.tables.length} tables in 3 areas

Sign in:     ${origin}/app/diary   ${serve ? '(served by this process)' : '(your running server)'}
             manager  ${demo.people.find((p) => p.role === 'manager')!.email}
             owner    ${demo.people.find((p) => p.role === 'owner')!.email}
             host     ${demo.people.find((p) => p.role === 'host')!.email}
             password ${DEMO_PASSWORD}

API key:     ${demo.apiKey}
POS partner: ${DEMO_PARTNER}, location ${demo.location}, HMAC-SHA256 secret "${DEMO_PARTNER_SECRET}"
  curl -s ${origin}/api/v1/venue -H "Authorization: Bearer ${demo.apiKey}"
  curl -s "${origin}/api/v1/sales?date=${demo.today}" -H "Authorization: Bearer ${demo.apiKey}"
`);

    if (liveSeconds > 0) {
      console.log(`Sending signed POS sales for ${liveSeconds} s: watch the spend badges on the diary change.`);
      const rnd = prng(Date.now());
      const until = Date.now() + liveSeconds * 1000;
      while (Date.now() < until && !stopping) {
        const what = await liveStep(http, demo, demo.apiKey, rnd);
        console.log(`  ${DateTime.now().setZone(demo.venue.timezone).toFormat('HH:mm:ss')}  ${what}`);
        await new Promise((r) => setTimeout(r, 2500 + Math.floor(rnd() * 2000)));
      }
      console.log('Done sending.');
    }
    if (serve && !stopping) {
      console.log(`The app keeps running at ${origin}/app until Ctrl-C.`);
      return;
    }
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    await stop(1);
  }
  await stop(0);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
