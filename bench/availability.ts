// Availability for a venue with 100 tables and 2,000 bookings on the day (median and p99 ms), beside a lean
// reference in the same run: one raw mysql2 query computing the free tables for one slot. Aim: median < 20 ms.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import supertest from 'supertest';
import { DateTime } from 'luxon';
import { parseDatabaseUrl } from '../src/platform/db/data-source';
import { createBenchEnv, type BenchResult } from './bench-env';
import { startBenchApp } from './bench-app';

const REQUESTS = Number(process.env.BENCH_AVAILABILITY_REQUESTS ?? 300);
const TABLES = 100;
const BOOKINGS = 2000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function run(): Promise<BenchResult> {
  const env = await createBenchEnv('availability');
  const p = parseDatabaseUrl(env.databaseUrl);
  const db = mysql.createPool({ host: p.host, port: p.port, user: p.username, password: p.password, database: p.database, connectionLimit: 4 });
  const app = await startBenchApp(env, 'api');
  try {
    const http = supertest(app.app!);
    const admin = { Authorization: `Bearer ${app.deps.config.adminToken}` };
    const venue = await http.post('/admin/v1/venues').set(admin).send({
      name: 'Big Room', slug: `big-room-${randomBytes(3).toString('hex')}`, timezone: 'Europe/London', currency: 'GBP', country: 'GB',
      areas: [{ name: 'Hall', tables: Array.from({ length: TABLES }, (_, i) => ({ number: i + 1, min_covers: 1, max_covers: 2 + (i % 4) * 2 })) }],
      services: [{ name: 'All day', days: [1, 2, 3, 4, 5, 6, 7], start: '07:00', end: '23:45', slot_interval_minutes: 15, duration_minutes: 30 }],
    }).expect(201);
    const venueId = venue.body.id as string;
    const tableIds = (venue.body.areas[0].tables as { id: string }[]).map((t) => t.id);
    const key = (await http.post(`/admin/v1/venues/${venueId}/api-keys`).set(admin)
      .send({ name: 'bench', scopes: ['bookings:read'], rate_limit_per_minute: 100000 }).expect(201)).body.key as string;

    // 2,000 bookings on the day: 20 per table, back to back every 45 min from 07:00 (inserted directly: data, not the path under test).
    const date = DateTime.now().setZone('Europe/London').plus({ days: 7 }).toISODate()!;
    const rows: unknown[][] = [];
    for (let b = 0; b < BOOKINGS; b++) {
      const table = b % TABLES;
      const slot = Math.floor(b / TABLES);
      const local = DateTime.fromISO(`${date}T07:00`, { zone: 'Europe/London' }).plus({ minutes: slot * 45 });
      const start = local.toUTC().toJSDate();
      rows.push([`bk_bench${b}`, venueId, `TSB${b}`, 'confirmed', date, local.toFormat('HH:mm'), start,
        new Date(start.getTime() + 30 * 60_000), 2, tableIds[table], null, null, null, null, 'bench', 1, new Date(), new Date()]);
    }
    await db.query(`INSERT INTO bookings (id, venue_id, reference, status, date, time, start_at, end_at, party_size, table_id, service_id,
      event_id, customer_id, notes, source, version, created_at, updated_at) VALUES ?`, [rows]);
    // Fresh statistics, as a live diary has: right after one bulk insert InnoDB still thinks the table is
    // empty (its background recount lags), and on that the optimizer probes NOT EXISTS through the
    // (venue_id) prefix of ix_bookings_venue_date — 400k page reads a query, ~150 ms for the reference.
    await db.query('ANALYZE TABLE bookings, venue_tables');

    const measure = async (fn: () => Promise<unknown>): Promise<number[]> => {
      for (let i = 0; i < 20; i++) await fn();
      const times: number[] = [];
      for (let i = 0; i < REQUESTS; i++) {
        const t0 = performance.now();
        await fn();
        times.push(performance.now() - t0);
      }
      return times.sort((a, b) => a - b);
    };

    const real = await measure(async () => {
      const res = await http.get(`/api/v1/availability?date=${date}&party_size=2`).set('Authorization', `Bearer ${key}`);
      if (res.status !== 200) throw new Error(`availability ${res.status} ${JSON.stringify(res.body)}`);
    });
    const slotStart = DateTime.fromISO(`${date}T19:00`, { zone: 'Europe/London' }).toUTC().toJSDate();
    const slotEnd = new Date(slotStart.getTime() + 30 * 60_000);
    const reference = await measure(() => db.query(
      `SELECT t.id FROM venue_tables t WHERE t.venue_id = ? AND t.min_covers <= 2 AND t.max_covers >= 2
         AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.venue_id = t.venue_id AND b.table_id = t.id
           AND b.status NOT IN ('cancelled','no_show') AND b.start_at < ? AND b.end_at > ?)`,
      [venueId, slotEnd, slotStart]));

    const realMedian = percentile(real, 50);
    const refMedian = percentile(reference, 50);
    return {
      name: 'availability', unit: 'ms median', real: realMedian, reference: refMedian, ratio: refMedian / realMedian, aim: 'median < 20 ms',
      extra: { real_p99_ms: percentile(real, 99).toFixed(2), reference_p99_ms: percentile(reference, 99).toFixed(2), tables: TABLES, bookings: BOOKINGS },
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
