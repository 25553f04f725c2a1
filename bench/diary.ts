// Diary data for a day (issue 13): a venue with 100 tables, 600 bookings on the day (each with its
// customer) and 1,200 sales matched to them (3 items each). The diary page (web/src/pages/diary) loads a day
// with GET /api/v1/bookings?date= and GET /api/v1/sales?date=, 200 per page (3 + 6 pages), the two chains
// side by side, signed in with a staff session. Measured: the median of those API calls, and of a whole
// day's load, over BENCH_DIARY_LOADS loads; beside a lean reference in the same run: the same pages as raw
// mysql2 keyset queries (bookings joined with table and customer; sales, then their items), serialised.
// Aim: median API call < 50 ms. BENCH_DIARY_PROBE=1 also prints each kind of page alone (20 sequential calls).
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { DateTime } from 'luxon';
import { parseDatabaseUrl } from '../src/platform/db/data-source';
import { createBenchEnv, median, type BenchResult } from './bench-env';
import { startBenchApp } from './bench-app';

const LOADS = Number(process.env.BENCH_DIARY_LOADS ?? 30);
const TABLES = 100;
const BOOKINGS = 600;
const SALES_PER_BOOKING = 2;
const PAGE = 200;
const ZONE = 'Europe/London';

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

export async function run(): Promise<BenchResult> {
  const env = await createBenchEnv('diary');
  const p = parseDatabaseUrl(env.databaseUrl);
  const db = mysql.createPool({ host: p.host, port: p.port, user: p.username, password: p.password, database: p.database, connectionLimit: 4 });
  const app = await startBenchApp(env, 'api');
  try {
    const port = await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${port}`;
    const admin = { Authorization: `Bearer ${app.deps.config.adminToken}`, 'Content-Type': 'application/json' };
    const venueRes = await fetch(`${base}/admin/v1/venues`, {
      method: 'POST', headers: admin,
      body: JSON.stringify({
        name: 'Big Room', slug: `diary-${randomBytes(3).toString('hex')}`, timezone: ZONE, currency: 'GBP', country: 'GB',
        areas: [0, 1, 2, 3].map((a) => ({ name: `Area ${a + 1}`, tables: Array.from({ length: TABLES / 4 }, (_, i) => ({ number: a * 25 + i + 1, min_covers: 1, max_covers: 6 })) })),
        services: [{ name: 'All day', days: [1, 2, 3, 4, 5, 6, 7], start: '11:00', end: '23:30', slot_interval_minutes: 15, duration_minutes: 90 }],
      }),
    });
    const venue = (await venueRes.json()) as { id: string; areas: { tables: { id: string }[] }[] };
    const venueId = venue.id;
    const tableIds = venue.areas.flatMap((a) => a.tables.map((t) => t.id));
    const email = `owner-${randomBytes(3).toString('hex')}@bench.example`;
    await fetch(`${base}/admin/v1/venues/${venueId}/users`, { method: 'POST', headers: admin, body: JSON.stringify({ email, name: 'Owner', role: 'owner', password: 'bench password 123' }) });
    const signIn = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password: 'bench password 123' }) });
    if (signIn.status !== 200) throw new Error(`sign-in ${signIn.status}`);
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');

    // The day's data, inserted directly (data, not the path under test): 6 sittings a table, 2 sales each.
    const date = DateTime.now().setZone(ZONE).toISODate()!;
    const now = new Date();
    const customers: unknown[][] = [];
    const bookings: unknown[][] = [];
    const sales: unknown[][] = [];
    const items: unknown[][] = [];
    for (let b = 0; b < BOOKINGS; b++) {
      const table = b % TABLES;
      const sitting = Math.floor(b / TABLES);
      const local = DateTime.fromISO(`${date}T11:00`, { zone: ZONE }).plus({ minutes: sitting * 120 });
      const start = local.toUTC().toJSDate();
      const customerId = `cus_bench${b}`;
      customers.push([customerId, venueId, `Guest ${b}`, `guest${b}@bench.example`, `guest${b}@bench.example`, null, null, 1, now, now]);
      bookings.push([`bk_bench${b}`, venueId, `TSD${b}`, sitting < 3 ? 'completed' : 'confirmed', date, local.toFormat('HH:mm'), start,
        new Date(start.getTime() + 90 * 60_000), 2 + (b % 4), tableIds[table], null, null, customerId, b % 5 ? null : 'Window seat', 'api', 1, now, now]);
      for (let s = 0; s < SALES_PER_BOOKING; s++) {
        const saleRow = `sl_bench${b}_${s}`;
        const opened = new Date(start.getTime() + (10 + s * 30) * 60_000);
        sales.push([saleRow, 'bench-pos', `BS-${b}-${s}`, venueId, 'bench-loc', `bk_bench${b}`, 'table_time', 'closed', 4200 + s * 100, 3500, 700, 0, 0, 'GBP',
          String(table + 1), String(table + 1), 2, opened, new Date(opened.getTime() + 40 * 60_000), opened, opened, null, null, 1, now, now]);
        for (let i = 0; i < 3; i++) items.push([`sli_bench${b}_${s}_${i}`, saleRow, i, ['Fish and Chips', 'House Red', 'Sticky Toffee'][i], 1 + i, 1400, 1400 * (1 + i), null, 'Food']);
      }
    }
    await db.query('INSERT INTO customers (id, venue_id, name, email, email_normalized, phone, notes, version, created_at, updated_at) VALUES ?', [customers]);
    await db.query(`INSERT INTO bookings (id, venue_id, reference, status, date, time, start_at, end_at, party_size, table_id, service_id,
      event_id, customer_id, notes, source, version, created_at, updated_at) VALUES ?`, [bookings]);
    for (let i = 0; i < sales.length; i += 400) {
      await db.query(`INSERT INTO sales (id, partner, sale_id, venue_id, location_id, booking_id, match_method, status, total, subtotal, tax, tip, discount,
        currency, table_number, venue_table_number, covers, opened_at, closed_at, received_at, match_at, source_version, payments, version, created_at, updated_at)
        VALUES ?`, [sales.slice(i, i + 400)]);
    }
    for (let i = 0; i < items.length; i += 1000) {
      await db.query('INSERT INTO sale_items (id, sale_row_id, position, name, quantity, unit_price, total, sku, category) VALUES ?', [items.slice(i, i + 1000)]);
    }
    await db.query('ANALYZE TABLE bookings, sales, sale_items, customers, venue_tables');

    // The real side: what the diary page sends, through HTTP with the session cookie.
    const calls: number[] = [];
    const timed = async (path: string): Promise<{ data: unknown[]; next_cursor: string | null }> => {
      const t0 = performance.now();
      const res = await fetch(`${base}${path}`, { headers: { Cookie: cookie } });
      const body = (await res.json()) as { data: unknown[]; next_cursor: string | null };
      calls.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
      return body;
    };
    const listAll = async (path: string): Promise<number> => {
      let n = 0;
      let cursor: string | null = null;
      do {
        const page: { data: unknown[]; next_cursor: string | null } = await timed(`${path}&limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        n += page.data.length;
        cursor = page.next_cursor;
      } while (cursor);
      return n;
    };
    const realLoad = async (): Promise<number> => {
      const t0 = performance.now();
      const [b, s] = await Promise.all([listAll(`/api/v1/bookings?date=${date}`), listAll(`/api/v1/sales?date=${date}`)]);
      if (b !== BOOKINGS || s !== BOOKINGS * SALES_PER_BOOKING) throw new Error(`diary got ${b} bookings and ${s} sales`);
      return performance.now() - t0;
    };

    // The lean reference: the same pages as raw keyset queries, serialised like a response.
    const refCalls: number[] = [];
    const dayStart = DateTime.fromISO(date, { zone: ZONE }).startOf('day').toJSDate();
    const dayEnd = DateTime.fromISO(date, { zone: ZONE }).plus({ days: 1 }).startOf('day').toJSDate();
    const refBookings = async (): Promise<number> => {
      let n = 0;
      let after: [string, string, string] | null = null;
      for (;;) {
        const t0 = performance.now();
        const [rows] = (await db.query(
          `SELECT b.*, t.number AS table_number, c.name AS customer_name, c.email AS customer_email, c.phone AS customer_phone
             FROM bookings b LEFT JOIN venue_tables t ON t.id = b.table_id LEFT JOIN customers c ON c.id = b.customer_id
            WHERE b.venue_id = ? AND b.date = ? ${after ? 'AND (b.date, b.time, b.id) > (?, ?, ?)' : ''}
            ORDER BY b.date, b.time, b.id LIMIT ${PAGE + 1}`,
          [venueId, date, ...(after ?? [])],
        )) as unknown as [Record<string, any>[]];
        JSON.stringify(rows.slice(0, PAGE));
        refCalls.push(performance.now() - t0);
        n += Math.min(rows.length, PAGE);
        if (rows.length <= PAGE) return n;
        const last = rows[PAGE - 1]!;
        after = [date, last.time as string, last.id as string];
      }
    };
    const refSales = async (): Promise<number> => {
      let n = 0;
      let after: [Date, string] | null = null;
      for (;;) {
        const t0 = performance.now();
        const [rows] = (await db.query(
          `SELECT * FROM sales WHERE venue_id = ? AND match_at >= ? AND match_at < ? ${after ? 'AND (match_at, id) < (?, ?)' : ''}
            ORDER BY match_at DESC, id DESC LIMIT ${PAGE + 1}`,
          [venueId, dayStart, dayEnd, ...(after ?? [])],
        )) as unknown as [Record<string, any>[]];
        const page = rows.slice(0, PAGE);
        const [its] = (await db.query('SELECT * FROM sale_items WHERE sale_row_id IN (?) ORDER BY sale_row_id, position', [page.map((r) => r.id)])) as unknown as [unknown[]];
        JSON.stringify({ page, its });
        refCalls.push(performance.now() - t0);
        n += page.length;
        if (rows.length <= PAGE) return n;
        const last = page[PAGE - 1]!;
        after = [last.match_at as Date, last.id as string];
      }
    };
    const refLoad = async (): Promise<number> => {
      const t0 = performance.now();
      const [b, s] = await Promise.all([refBookings(), refSales()]);
      if (b !== BOOKINGS || s !== BOOKINGS * SALES_PER_BOOKING) throw new Error(`reference got ${b} bookings and ${s} sales`);
      return performance.now() - t0;
    };

    for (let i = 0; i < 3; i++) {
      await realLoad();
      await refLoad();
    }
    calls.length = 0;
    refCalls.length = 0;
    const realLoads: number[] = [];
    const refLoads: number[] = [];
    // Alternating, so noise on this shared machine moves both sides alike.
    for (let i = 0; i < LOADS; i++) {
      realLoads.push(await realLoad());
      refLoads.push(await refLoad());
    }
    if (process.env.BENCH_DIARY_PROBE) {
      const keyRes = await fetch(`${base}/admin/v1/venues/${venueId}/api-keys`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'probe', scopes: ['bookings:read', 'sales:read'], rate_limit_per_minute: 100000 }) });
      const bearer = { Authorization: `Bearer ${((await keyRes.json()) as { key: string }).key}` };
      for (const [who, headers] of [['session', { Cookie: cookie }], ['key', bearer]] as const) {
        for (const path of [`/api/v1/bookings?date=${date}&limit=200`, `/api/v1/sales?date=${date}&limit=200`, '/api/v1/venue']) {
          const ts: number[] = [];
          const cpu0 = process.cpuUsage();
          for (let i = 0; i < 20; i++) {
            const t0 = performance.now();
            await (await fetch(`${base}${path}`, { headers })).arrayBuffer();
            ts.push(performance.now() - t0);
          }
          const cpu = process.cpuUsage(cpu0);
          // This process is the server and the client: the CPU is both sides' (the client's share is small).
          console.log(`probe ${who} ${path.split('?')[0]} ${median(ts).toFixed(1)} ms, ${((cpu.user + cpu.system) / 1000 / 20).toFixed(1)} ms CPU`);
        }
      }
    }
    const real = median(calls);
    const reference = median(refCalls);
    return {
      name: 'diary', unit: 'ms median per API call', real, reference, ratio: reference / real, aim: 'median call < 50 ms',
      extra: {
        calls_per_load: calls.length / LOADS, real_p95_ms: percentile(calls, 95).toFixed(1), reference_p95_ms: percentile(refCalls, 95).toFixed(1),
        real_load_median_ms: median(realLoads).toFixed(1), reference_load_median_ms: median(refLoads).toFixed(1), loads: LOADS,
        tables: TABLES, bookings: BOOKINGS, sales: BOOKINGS * SALES_PER_BOOKING,
      },
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
