// Bookings created per second with 32 concurrent clients through POST /api/v1/bookings (atomic availability
// check), beside a lean booking reference in the same run (issue 18's re-based aim, real ≥ 0.6×): a bare
// Express route over the same keep-alive HTTP that checks a bearer key's SHA-256 hash, then in one
// transaction locks the venue's day (`SELECT … FOR UPDATE` on its diary_days row), reads the overlapping
// bookings and inserts one on a free table. The old reference (one raw transactional INSERT, no HTTP) is still
// measured and printed as `raw_insert` for continuity with earlier sessions. The sides alternate in rounds
// (BENCH_BOOKINGS_ROUNDS, default 3) whose medians are compared, so a burst of noise moves one round, not the ratio.
//
// Both sides are warmed up first (a round on other dates: JIT, pools, the statements' first plans), and the
// real clients speak HTTP/1.1 keep-alive through node:http, as an integrator's client would. supertest opens
// a new TCP connection per request and its client side costs ~0.5–1 ms of CPU in the one process that also
// runs the server (the reference pays no client at all), so it measured the bench's client as much as the API.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Agent, request, type Server } from 'node:http';
import express from 'express';
import mysql from 'mysql2/promise';
import { DateTime } from 'luxon';
import supertest from 'supertest';
import { parseDatabaseUrl } from '../src/platform/db/data-source';
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

/**
 * The lean booking reference: what any correct booking endpoint must do at the least — authenticate a
 * bearer key by its hash, lock the day, read what overlaps, insert on a free table — and nothing else
 * (no scopes, rate limits, idempotency, customers, outbox, views).
 */
async function startLeanBookingServer(db: mysql.Pool, venueId: string, key: string, tableIds: string[]): Promise<{ port: number; server: Server }> {
  const keyHash = createHash('sha256').update(key).digest();
  const app = express();
  app.use(express.json());
  let n = 0;
  app.post('/lean/bookings', async (req, res) => {
    const given = createHash('sha256').update((req.get('authorization') ?? '').replace(/^Bearer /, '')).digest();
    if (!timingSafeEqual(given, keyHash)) { res.status(401).json({ error: { code: 'invalid_api_key' } }); return; }
    const { date, start_ms: startMs } = req.body as { date: string; start_ms: number };
    const start = new Date(startMs);
    const end = new Date(startMs + 90 * 60_000);
    const conn = await db.getConnection();
    try {
      await conn.beginTransaction();
      await conn.query('SELECT venue_id FROM diary_days WHERE venue_id = ? AND date = ? FOR UPDATE', [venueId, date]);
      const [rows] = await conn.query('SELECT table_id FROM bookings WHERE venue_id = ? AND start_at < ? AND end_at > ? AND status NOT IN (\'cancelled\', \'no_show\')', [venueId, end, start]);
      const taken = new Set((rows as { table_id: string }[]).map((r) => r.table_id));
      const table = tableIds.find((t) => !taken.has(t));
      if (!table) { await conn.rollback(); res.status(422).json({ error: { code: 'slot_unavailable' } }); return; }
      const id = `bk_leanref${process.pid}_${n++}`;
      await conn.query(`INSERT INTO bookings (id, venue_id, reference, status, date, time, start_at, end_at, party_size, table_id, source, version, created_at, updated_at)
        VALUES (?, ?, ?, 'confirmed', ?, '12:00', ?, ?, 2, ?, 'bench', 1, NOW(3), NOW(3))`, [id, venueId, id.slice(-12), date, start, end, table]);
      await conn.commit();
      res.status(201).json({ id, table_id: table });
    } catch (err) {
      await conn.rollback().catch(() => undefined);
      res.status(500).json({ error: { code: 'internal_error', message: String(err) } });
    } finally {
      conn.release();
    }
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return { port: (server.address() as { port: number }).port, server };
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
    const tableIds = (venue.body.areas[0].tables as { id: string }[]).map((t) => t.id);
    const leanServer = await startLeanBookingServer(db, venueId, key, tableIds);
    // The reference's diary rows exist up front (the real path creates its own on first use).
    // Its days: round r on 1000 + 64r + 0–31, warm-up on 2000–2031, clear of the real and raw rounds.
    const leanDays = [...Array.from({ length: 32 }, (_, c) => 2000 + c), ...Array.from({ length: ROUNDS * 32 }, (_, k) => 1000 + 64 * Math.floor(k / 32) + (k % 32))];
    for (const d of leanDays) await db.query('INSERT IGNORE INTO diary_days (venue_id, date) VALUES (?, ?)', [venueId, dayOf(d).date]);
    let leanFailures = 0;
    const leanHttp = (day: (c: number) => number, count: boolean) => async (c: number, i: number) => {
      const { date, noon } = dayOf(day(c));
      const status = await postJson(agent, leanServer.port, '/lean/bookings', { Authorization: `Bearer ${key}` }, {
        date, start_ms: noon + 15 * (i % times.length) * 60_000,
      });
      if (status !== 201 && count) leanFailures++;
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
    await clients(leanHttp((c) => 2000 + c, false), WARMUP_PER_CLIENT);
    await clients(lean((c) => 440 + c, 'w'), WARMUP_PER_CLIENT);
    const reals: number[] = [];
    const references: number[] = [];
    const raws: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      reals.push(await clients(book((c) => 64 * r + c, true)));
      references.push(await clients(leanHttp((c) => 1000 + 64 * r + c, true)));
      raws.push(await clients(lean((c) => 64 * r + 32 + c, `r${r}`)));
    }
    leanServer.server.close();
    const real = median(reals);
    const reference = median(references);
    return {
      name: 'bookings', unit: 'bookings/s', real, reference, ratio: real / reference, aim: '>= 0.6',
      extra: {
        clients: CLIENTS, per_client: PER_CLIENT, rounds: ROUNDS, real_failures: failures, reference_failures: leanFailures,
        real_rounds: reals.map((x) => x.toFixed(0)).join('/'), reference_rounds: references.map((x) => x.toFixed(0)).join('/'),
        raw_insert: median(raws).toFixed(0), ratio_to_raw_insert: (real / median(raws)).toFixed(2),
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
