// The partner console's two heavy paths (issue 17), each beside a lean reference in the same run:
//
// 1. dry-run: latency of `POST /admin/v1/partners/:name/mappings/:event_type/test {event_id}` for a typical
//    catalog mapping (Lightspeed K-Series `order`, a full JSONata mapping: it runs in the mapping threads)
//    on a stored event (posted through the real ingest endpoint with the vendor's Basic credentials),
//    with the matcher's preview (the booking it names exists). Reference: a bare Express route that reads
//    the stored payload (one SELECT), evaluates the same expression in-process with jsonata and looks the
//    booking up (one SELECT). Sequential keep-alive requests; medians and p99 per side, rounds alternated.
//    Aim: median < 20 ms.
// 2. replay: 10,000 failed events replayed with `POST /admin/v1/partners/:name/events/replay {status:
//    "failed"}` (the request's own time: claim in chunks, old jobs removed, addBulk), then drained by a
//    worker role, beside the pipeline's ingest of the same 10,000 events in the same run (signed POSTs at
//    64 connections through the real endpoint) and a lean replay (one UPDATE of the rows, one SELECT of
//    their ids, addBulk into a bare queue). Env: BENCH_REPLAY_EVENTS (default 10000),
//    BENCH_DRY_RUN_REQUESTS (per round, default 300), BENCH_CONSOLE_ROUNDS (default 3).
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import express from 'express';
import jsonata from 'jsonata';
import mysql from 'mysql2/promise';
import { getAdapter } from '../adapters';
import type { Composed } from '../src/composition-root';
import { parseDatabaseUrl } from '../src/platform/db/data-source';
import { signFor } from '../test/helpers/sign';
import { BENCH_PARTNER, BENCH_SECRET, salePayload, seedBenchPartner, startBenchApp } from './bench-app';
import { createBenchEnv, median, type BenchEnv, type BenchResult } from './bench-env';

const REPLAY_EVENTS = Number(process.env.BENCH_REPLAY_EVENTS ?? 10_000);
const DRY_RUN_REQUESTS = Number(process.env.BENCH_DRY_RUN_REQUESTS ?? 300);
const ROUNDS = Number(process.env.BENCH_CONSOLE_ROUNDS ?? 3);
const CONNECTIONS = 64;
const LIGHTSPEED_FIXTURE = path.join(__dirname, '..', 'mappings', 'lightspeed', 'fixtures', 'order--closed-with-items.json');
const LIGHTSPEED_MAPPING = path.join(__dirname, '..', 'mappings', 'lightspeed', 'order.jsonata');

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`console bench timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function listen(app: express.Express): Promise<{ port: number; close(): void }> {
  const server = createServer(app);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as AddressInfo).port, close: () => server.close() })));
}

/** Sequential requests; the latency of each in ms. */
async function latencies(n: number, send: () => Promise<Response>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await send();
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`dry run answered ${res.status}`);
    out.push(performance.now() - t0);
  }
  return out;
}

async function dryRunBench(env: BenchEnv, app: Composed, port: number, db: mysql.Pool): Promise<BenchResult> {
  const admin = { Authorization: `Bearer ${env.env.ADMIN_TOKEN}`, 'Content-Type': 'application/json' };
  const base = `http://127.0.0.1:${port}`;
  const post = (p: string, body: unknown) => fetch(`${base}${p}`, { method: 'POST', headers: admin, body: JSON.stringify(body) });
  const put = (p: string, body: unknown) => fetch(`${base}${p}`, { method: 'PUT', headers: admin, body: JSON.stringify(body) });

  const venue = await (await post('/admin/v1/venues', {
    name: 'Harbour Kitchen', slug: `harbour-${Date.now().toString(36)}`, timezone: 'Europe/London', currency: 'GBP', country: 'GB',
    areas: [{ name: 'Floor 1', tables: [{ number: 12, min_covers: 2, max_covers: 6 }] }],
    services: [{ name: 'Dinner', days: [1, 2, 3, 4, 5, 6, 7], start: '17:00', end: '23:00', slot_interval_minutes: 15, duration_minutes: 120 }],
  })).json() as { id: string };
  const created = await (await post('/admin/v1/partners', { name: 'bench-lightspeed', template: 'lightspeed' })).json() as { secret: string };
  if ((await put('/admin/v1/partners/bench-lightspeed/locations/41910290874370', { venue_id: venue.id, tables: { Table1: '12' } })).status !== 200) throw new Error('location');
  // The booking the fixture names (its platform reservation id, our reference `224`): the preview finds it.
  await db.query(
    `INSERT INTO bookings (id, venue_id, reference, status, date, time, start_at, end_at, party_size, source, version, created_at, updated_at)
     VALUES ('bk_0mi2x7c8a9z4k2m5q7r1t3v6', ?, '224', 'seated', '2024-04-04', '16:45', '2024-04-04 15:45:00', '2024-04-04 17:45:00', 4, 'api', 1, NOW(), NOW())`,
    [venue.id],
  );
  const raw = readFileSync(LIGHTSPEED_FIXTURE);
  const headers = signFor('basic', { secret: created.secret, rawBody: raw, url: '', header: 'authorization' }, getAdapter('lightspeed'));
  const ingested = await fetch(`${base}/partners/bench-lightspeed/events/order`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: raw });
  const eventId = ((await ingested.json()) as { event_id: string }).event_id;
  await until(async () => {
    const [rows] = await db.query('SELECT status FROM inbound_events WHERE id = ?', [eventId]);
    const status = (rows as { status: string }[])[0]?.status;
    if (status === 'ignored' || status === 'failed') throw new Error(`the stored event is ${status}`);
    return status === 'processed';
  }, 30_000, 'the stored event');
  const check = await (await post('/admin/v1/partners/bench-lightspeed/mappings/order/test', { event_id: eventId })).json() as { matches: { booking: { id: string } | null }[] };
  if (check.matches[0]?.booking?.id !== 'bk_0mi2x7c8a9z4k2m5q7r1t3v6') throw new Error(`the dry run found no booking: ${JSON.stringify(check)}`);

  // The lean reference: read the stored payload, the same expression in-process, one booking lookup.
  const expression = jsonata(readFileSync(LIGHTSPEED_MAPPING, 'utf8'));
  const adapter = getAdapter('lightspeed')!;
  const lean = express();
  lean.post('/dry-run/:id', async (req, res) => {
    const [rows] = await db.query('SELECT raw_payload FROM inbound_events WHERE id = ?', [req.params.id]);
    const body = adapter.parse!(Buffer.from((rows as { raw_payload: string }[])[0]!.raw_payload), {});
    const input = adapter.normalise ? adapter.normalise(body, { eventType: 'order' }) : body;
    const output = (await expression.evaluate(input)) as { booking_id: string };
    const [bookings] = await db.query('SELECT id FROM bookings WHERE id = ? OR reference = ?', [output.booking_id, output.booking_id]);
    res.json({ output: [output], errors: [], matches: bookings });
  });
  const leanServer = await listen(lean);

  const real: number[] = [];
  const ref: number[] = [];
  const realMedians: number[] = [];
  const refMedians: number[] = [];
  await latencies(30, () => post('/admin/v1/partners/bench-lightspeed/mappings/order/test', { event_id: eventId }));
  await latencies(30, () => fetch(`http://127.0.0.1:${leanServer.port}/dry-run/${eventId}`, { method: 'POST' }));
  for (let round = 0; round < ROUNDS; round++) {
    const a = await latencies(DRY_RUN_REQUESTS, () => post('/admin/v1/partners/bench-lightspeed/mappings/order/test', { event_id: eventId }));
    const b = await latencies(DRY_RUN_REQUESTS, () => fetch(`http://127.0.0.1:${leanServer.port}/dry-run/${eventId}`, { method: 'POST' }));
    real.push(...a);
    ref.push(...b);
    realMedians.push(median(a));
    refMedians.push(median(b));
  }
  leanServer.close();
  void app;
  const realMedian = median(realMedians);
  const refMedian = median(refMedians);
  return {
    name: 'console dry-run', unit: 'ms (median)', real: realMedian, reference: refMedian, ratio: refMedian / realMedian, aim: 'median < 20 ms',
    extra: {
      requests: DRY_RUN_REQUESTS * ROUNDS, rounds: ROUNDS, real_p99_ms: +percentile(real, 99).toFixed(2), reference_p99_ms: +percentile(ref, 99).toFixed(2),
      real_round_medians: realMedians.map((m) => m.toFixed(2)).join('/'), reference_round_medians: refMedians.map((m) => m.toFixed(2)).join('/'),
    },
  };
}

const sign = (body: string): string => createHmac('sha256', BENCH_SECRET).update(body).digest('hex');

/** The pipeline's ingest: `n` signed events through the real endpoint at 64 connections; accepted per second. */
async function ingest(port: number, n: number, offset: number): Promise<number> {
  let i = offset;
  const started = performance.now();
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`, connections: CONNECTIONS, amount: n,
    requests: [{
      method: 'POST', path: `/partners/${BENCH_PARTNER}/events/sale.updated`,
      setupRequest: (req) => {
        const body = salePayload(i++);
        return { ...req, body, headers: { 'content-type': 'application/json', 'x-signature': sign(body) } };
      },
    }],
  });
  const seconds = (performance.now() - started) / 1000;
  if (result['2xx'] !== n) throw new Error(`ingest: ${result['2xx']} of ${n} accepted (${result.non2xx} non-2xx, ${result.errors} errors)`);
  return n / seconds;
}

async function countStatus(db: mysql.Pool, status: string): Promise<number> {
  const [rows] = await db.query('SELECT COUNT(*) AS n FROM inbound_events WHERE partner = ? AND status = ?', [BENCH_PARTNER, status]);
  return Number((rows as { n: number }[])[0]!.n);
}

/** Drains with a worker role; returns events finished per second, from the worker's own counter. */
async function drain(env: BenchEnv, db: mysql.Pool, status: string, n: number): Promise<number> {
  const worker = await startBenchApp(env, 'worker');
  // From the moment the worker is up (its start-up is not the drain).
  const started = performance.now();
  const before = await countStatus(db, status);
  try {
    await until(async () => (await countStatus(db, status)) >= n, 600_000, `${n} events ${status}`);
    return (n - before) / ((performance.now() - started) / 1000);
  } finally {
    await worker.stop();
  }
}

async function replayBench(env: BenchEnv, port: number, db: mysql.Pool): Promise<BenchResult> {
  const admin = { Authorization: `Bearer ${env.env.ADMIN_TOKEN}`, 'Content-Type': 'application/json' };
  const base = `http://127.0.0.1:${port}`;
  const good = readFileSync(path.join(__dirname, '..', 'mappings', 'demo-pos', 'sale.updated.jsonata'), 'utf8');
  const broken = good.replace(/"status":\s*[^,\n]+/, '"status": "gone"');
  if (broken === good) throw new Error('could not break the demo mapping');
  const putMapping = async (expression: string) => {
    const res = await fetch(`${base}/admin/v1/partners/${BENCH_PARTNER}/mappings/sale.updated`, { method: 'PUT', headers: admin, body: JSON.stringify({ expression }) });
    if (res.status !== 201) throw new Error(`mapping: ${res.status}`);
  };
  await putMapping(broken);
  // The measured ingest of the events that will fail (the endpoint is warm: the dry-run bench used this process).
  const ingestRate = await ingest(port, REPLAY_EVENTS, 0);
  const failDrain = await drain(env, db, 'failed', REPLAY_EVENTS);
  if ((await countStatus(db, 'failed')) !== REPLAY_EVENTS) throw new Error('unexpected number of failed events');
  await putMapping(good);

  const replayRates: number[] = [];
  const drainRates: number[] = [];
  const leanRates: number[] = [];
  const leanQueue = new Queue('lean-replay', { connection: { host: '127.0.0.1', port: 6379 }, prefix: env.redisPrefix });
  for (let round = 0; round < ROUNDS; round++) {
    if (round > 0) {
      // The same 10,000 events failed again (as after a bad mapping), their earlier jobs still in BullMQ.
      await db.query("UPDATE inbound_events SET status = 'failed' WHERE partner = ?", [BENCH_PARTNER]);
    }
    const t0 = performance.now();
    const res = await fetch(`${base}/admin/v1/partners/${BENCH_PARTNER}/events/replay`, { method: 'POST', headers: admin, body: JSON.stringify({ status: 'failed' }) });
    const body = (await res.json()) as { replayed: number; skipped: number };
    replayRates.push(REPLAY_EVENTS / ((performance.now() - t0) / 1000));
    if (res.status !== 202 || body.replayed !== REPLAY_EVENTS) throw new Error(`replay: ${res.status} ${JSON.stringify(body)}`);
    drainRates.push(await drain(env, db, 'processed', REPLAY_EVENTS));

    // Lean: the least a replay of these rows must do.
    await db.query("UPDATE inbound_events SET status = 'failed' WHERE partner = ?", [BENCH_PARTNER]);
    const t1 = performance.now();
    await db.query("UPDATE inbound_events SET status = 'queued' WHERE partner = ? AND status = 'failed'", [BENCH_PARTNER]);
    const [ids] = await db.query("SELECT id, event_type, received_at FROM inbound_events WHERE partner = ? AND status = 'queued' ORDER BY id", [BENCH_PARTNER]);
    const rows = ids as { id: string; event_type: string; received_at: Date }[];
    for (let i = 0; i < rows.length; i += 1000) {
      await leanQueue.addBulk(rows.slice(i, i + 1000).map((r) => ({ name: 'event', data: { eventId: r.id, eventType: r.event_type, receivedAt: r.received_at }, opts: { jobId: r.id } })));
    }
    leanRates.push(rows.length / ((performance.now() - t1) / 1000));
    await leanQueue.obliterate({ force: true });
    await db.query("UPDATE inbound_events SET status = 'processed' WHERE partner = ?", [BENCH_PARTNER]);
  }
  await leanQueue.close();
  const real = median(replayRates);
  const reference = median(leanRates);
  return {
    name: 'console replay', unit: 'events/s queued', real, reference, ratio: real / reference, aim: 'beside ingest',
    extra: {
      events: REPLAY_EVENTS, rounds: ROUNDS, ingest_per_s: Math.round(ingestRate), failing_drain_per_s: Math.round(failDrain),
      replay_drain_per_s: Math.round(median(drainRates)), replay_rounds: replayRates.map(Math.round).join('/'),
      drain_rounds: drainRates.map(Math.round).join('/'), lean_rounds: leanRates.map(Math.round).join('/'),
    },
  };
}

export async function run(): Promise<BenchResult[]> {
  const env = await createBenchEnv('console');
  const p = parseDatabaseUrl(env.databaseUrl);
  const db = mysql.createPool({ host: p.host, port: p.port, user: p.username, password: p.password, database: p.database, connectionLimit: 10, timezone: 'Z' });
  const api = await startBenchApp(env, 'api');
  let worker: Composed | null = null;
  try {
    await seedBenchPartner(api);
    const port = await api.listen(0);
    worker = await startBenchApp(env, 'worker');
    const dryRun = await dryRunBench(env, api, port, db);
    await worker.stop();
    worker = null;
    const replay = await replayBench(env, port, db);
    return [dryRun, replay];
  } finally {
    await worker?.stop();
    await api.stop();
    await db.end();
    await env.cleanup();
  }
}

if (require.main === module) {
  run().then((r) => { console.log(r); process.exit(0); }, (e: unknown) => { console.error(e); process.exit(1); });
}
