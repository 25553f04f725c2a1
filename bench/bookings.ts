// Bookings created per second with 32 concurrent clients through POST /api/v1/bookings (atomic availability
// check), beside a lean reference in the same run: one raw transactional insert per booking at the same
// concurrency. Aim: real ≥ 0.5×. The two alternate in rounds (BENCH_BOOKINGS_ROUNDS, default 3) whose medians
// are compared, so a burst of noise on this shared machine moves one round, not the ratio.
//
// Both sides are warmed up first (a round on other dates: JIT, pools, the statements' first plans), and the
// real clients speak HTTP/1.1 keep-alive through node:http, as an integrator's client would. supertest opens
// a new TCP connection per request and its client side costs ~0.5–1 ms of CPU in the one process that also
// runs the server (the reference pays no client at all), so it measured the bench's client as much as the API.
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import mysql from 'mysql2/promise';
import { DateTime } from 'luxon';
import supertest from 'supertest';
import { parseDatabaseUrl } from '../src/db/data-source';
import { createBenchEnv, median, type BenchResult } from './bench-env';
import { startBenchApp } from './bench-app';

const CLIENTS = 32;
const PER_CLIENT = Number(process.env.BENCH_BOOKINGS_PER_CLIENT ?? 25);
const WARMUP_PER_CLIENT = Number(process.env.BENCH_BOOKINGS_WARMUP_PER_CLIENT ?? 5);
const ROUNDS = Number(process.env.BENCH_BOOKINGS_ROUNDS ?? 3);
const TABLES = 100;

async function clients(fn: (client: number, i: number) => Promise<void>, perClient = PER_CLIENT): Promise<number> {
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
    for (let i = 0; i < perClient; i++) await fn(c, i);
  }));
  return (CLIENTS * perClient) / ((performance.now() - t0) / 1000);
}

/** One JSON POST over a keep-alive connection; resolves with the status once the body is read. */
function postJson(agent: Agent, port: number, path: string, headers: Record<string, string>, body: unknown): Promise<number> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port, method: 'POST', path, agent,
      headers: { ...headers, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(data)) },
    }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

export async function run(): Promise<BenchResult> {
  const env = await createBenchEnv('bookings');
  const p = parseDatabaseUrl(env.databaseUrl);
  const db = mysql.createPool({ host: p.host, port: p.port, user: p.username, password: p.password, database: p.database, connectionLimit: CLIENTS });
  const app = await startBenchApp(env, 'api');
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  try {
    const port = await app.listen(0);
    const admin = { Authorization: `Bearer ${app.deps.config.adminToken}` };
    const venue = await supertest(app.app!).post('/admin/v1/venues').set(admin).send({
      name: 'Busy Room', slug: `busy-${randomBytes(3).toString('hex')}`, timezone: 'Europe/London', currency: 'GBP', country: 'GB',
      areas: [{ name: 'Hall', tables: Array.from({ length: TABLES }, (_, i) => ({ number: i + 1, min_covers: 1, max_covers: 4 })) }],
      services: [{ name: 'Dinner', days: [1, 2, 3, 4, 5, 6, 7], start: '12:00', end: '23:00', slot_interval_minutes: 15, duration_minutes: 90 }],
    }).expect(201);
    const venueId = venue.body.id as string;
    const key = (await supertest(app.app!).post(`/admin/v1/venues/${venueId}/api-keys`).set(admin)
      .send({ name: 'bench', scopes: ['bookings:write', 'bookings:read'], rate_limit_per_minute: 100000 }).expect(201)).body.key as string;

    // Each request gets a distinct (day, time): client c books day c, slot i, so capacity never runs out.
    const base = DateTime.now().setZone('Europe/London').plus({ days: 2 }).startOf('day');
    const times = Array.from({ length: 36 }, (_, k) => base.set({ hour: 12 }).plus({ minutes: 15 * k }).toFormat('HH:mm'));
    // Every round books days of its own: real round r on days 64r + 0–31, its reference on 64r + 32–63;
    // warm-ups on days 400–431 (real) and 440–471 (reference).
    // Dates and noon instants per day are worked out once: luxon's time-zone arithmetic per request would
    // be the bench client's own cost, paid in the process that also runs the server.
    const dates = new Map<number, { date: string; noon: number }>();
    const dayOf = (d: number) => {
      let v = dates.get(d);
      if (!v) dates.set(d, (v = { date: base.plus({ days: d }).toISODate()!, noon: base.plus({ days: d }).set({ hour: 12 }).toMillis() }));
      return v;
    };
    let failures = 0;
    const book = (day: (c: number) => number, count: boolean) => async (c: number, i: number) => {
      const status = await postJson(agent, port, '/api/v1/bookings', { Authorization: `Bearer ${key}` }, {
        date: dayOf(day(c)).date, time: times[i % times.length], party_size: 2, customer_name: `Guest ${c}-${i}`,
      });
      if (status !== 201 && count) failures++;
    };
    const lean = (day: (c: number) => number, tag: string) => async (c: number, i: number) => {
      const conn = await db.getConnection();
      try {
        await conn.beginTransaction();
        const { date, noon } = dayOf(day(c));
        const start = new Date(noon + 15 * i * 60_000);
        await conn.query(`INSERT INTO bookings (id, venue_id, reference, status, date, time, start_at, end_at, party_size, table_id, source, version, created_at, updated_at)
          VALUES (?, ?, ?, 'confirmed', ?, '12:00', ?, ?, 2, NULL, 'bench', 1, NOW(3), NOW(3))`,
          [`bk_lean${tag}${c}_${i}`, venueId, `L${tag}${c}x${i}`, date, start, new Date(start.getTime() + 90 * 60_000)]);
        await conn.commit();
      } finally {
        conn.release();
      }
    };

    await clients(book((c) => 400 + c, false), WARMUP_PER_CLIENT);
    await clients(lean((c) => 440 + c, 'w'), WARMUP_PER_CLIENT);
    const reals: number[] = [];
    const references: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      reals.push(await clients(book((c) => 64 * r + c, true)));
      references.push(await clients(lean((c) => 64 * r + 32 + c, `r${r}`)));
    }
    const real = median(reals);
    const reference = median(references);
    return {
      name: 'bookings', unit: 'bookings/s', real, reference, ratio: real / reference, aim: '>= 0.5',
      extra: {
        clients: CLIENTS, per_client: PER_CLIENT, rounds: ROUNDS, real_failures: failures,
        real_rounds: reals.map((x) => x.toFixed(0)).join('/'), reference_rounds: references.map((x) => x.toFixed(0)).join('/'),
      },
    };
  } finally {
    agent.destroy();
    await app.stop();
    await db.end();
    await env.cleanup();
  }
}

if (require.main === module) {
  run().then((r) => { console.log(r); process.exit(0); }, (e: unknown) => { console.error(e); process.exit(1); });
}
