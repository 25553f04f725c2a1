// Bookings created per second with 32 concurrent clients through POST /api/v1/bookings (atomic availability
// check), beside a lean reference in the same run: one raw transactional insert per booking at the same
// concurrency. Aim: real ≥ 0.5×.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { DateTime } from 'luxon';
import supertest from 'supertest';
import { parseDatabaseUrl } from '../src/db/data-source';
import { createBenchEnv, type BenchResult } from './bench-env';
import { startBenchApp } from './bench-app';

const CLIENTS = 32;
const PER_CLIENT = Number(process.env.BENCH_BOOKINGS_PER_CLIENT ?? 25);
const TABLES = 100;

async function clients(fn: (client: number, i: number) => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
    for (let i = 0; i < PER_CLIENT; i++) await fn(c, i);
  }));
  return (CLIENTS * PER_CLIENT) / ((performance.now() - t0) / 1000);
}

export async function run(): Promise<BenchResult> {
  const env = await createBenchEnv('bookings');
  const p = parseDatabaseUrl(env.databaseUrl);
  const db = mysql.createPool({ host: p.host, port: p.port, user: p.username, password: p.password, database: p.database, connectionLimit: CLIENTS });
  const app = await startBenchApp(env, 'api');
  try {
    const port = await app.listen(0);
    const http = supertest(`http://127.0.0.1:${port}`);
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
    let failures = 0;
    const real = await clients(async (c, i) => {
      const res = await http.post('/api/v1/bookings').set('Authorization', `Bearer ${key}`).send({
        date: base.plus({ days: c }).toISODate(), time: times[i % times.length], party_size: 2, customer_name: `Guest ${c}-${i}`,
      });
      if (res.status !== 201) failures++;
    });

    const reference = await clients(async (c, i) => {
      const conn = await db.getConnection();
      try {
        await conn.beginTransaction();
        const start = base.plus({ days: 60 + c }).set({ hour: 12 }).plus({ minutes: 15 * i }).toUTC().toJSDate();
        await conn.query(`INSERT INTO bookings (id, venue_id, reference, status, date, time, start_at, end_at, party_size, table_id, source, version, created_at, updated_at)
          VALUES (?, ?, ?, 'confirmed', ?, '12:00', ?, ?, 2, NULL, 'bench', 1, NOW(3), NOW(3))`,
          [`bk_lean${c}_${i}`, venueId, `L${c}x${i}`, base.plus({ days: 60 + c }).toISODate(), start, new Date(start.getTime() + 90 * 60_000)]);
        await conn.commit();
      } finally {
        conn.release();
      }
    });
    return {
      name: 'bookings', unit: 'bookings/s', real, reference, ratio: real / reference, aim: '>= 0.5',
      extra: { clients: CLIENTS, per_client: PER_CLIENT, real_failures: failures },
    };
  } finally {
    await app.stop();
    await db.end();
    await env.cleanup();
  }
}

if (require.main === module) {
  run().then((r) => { console.log(r); process.exit(0); }, (e: unknown) => { console.error(e); process.exit(1); });
}
