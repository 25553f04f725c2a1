// The guests feature (issue 14), each beside a lean reference in the same run:
// 1. public availability for 31 days (`GET /api/v1/public/venues/:slug/availability`, median ms) at a venue
//    of 100 tables with 2,000 bookings on one day of the range and 300 on each other day; the reference
//    reads the same rows (the range's bookings) with one raw query. Aim: median < 100 ms.
// 2. public bookings per second with 32 keep-alive clients (`POST /api/v1/public/venues/:slug/bookings`)
//    beside `POST /api/v1/bookings` in the same run, in alternating rounds. Aim: ≥ 0.8×.
// 3. emails relayed per second to a local SMTP server (smtp-server in this process): bookings with guest
//    emails written first, then a worker (relay + render + send) started and timed until every email is
//    `sent` and the server has accepted as many distinct messages (counted by Message-ID, so a resent message
//    counts once; every received Message-ID must be an email row's); the reference is nodemailer alone sending as many messages of the same size over the same
//    pooled connections. No aim: a figure to watch.
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';
import mysql from 'mysql2/promise';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import supertest from 'supertest';
import { parseDatabaseUrl } from '../src/platform/db/data-source';
import { createBenchEnv, median, type BenchResult } from './bench-env';
import { startBenchApp } from './bench-app';

const TZ = 'Europe/London';
const TABLES = 100;
const CLIENTS = 32;
const PER_CLIENT = Number(process.env.BENCH_GUESTS_PER_CLIENT ?? 20);
const ROUNDS = Number(process.env.BENCH_GUESTS_ROUNDS ?? 3);
const AVAILABILITY_REQUESTS = Number(process.env.BENCH_GUESTS_AVAILABILITY_REQUESTS ?? 60);
const EMAILS = Number(process.env.BENCH_GUESTS_EMAILS ?? 400);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

function postJson(agent: Agent, port: number, path: string, headers: Record<string, string>, body: unknown): Promise<number> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, agent, headers: { ...headers, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(data)) } }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function clients(fn: (client: number, i: number) => Promise<void>, perClient = PER_CLIENT): Promise<number> {
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
    for (let i = 0; i < perClient; i++) await fn(c, i);
  }));
  return (CLIENTS * perClient) / ((performance.now() - t0) / 1000);
}

/**
 * The local SMTP server. It counts what it accepted (250 after DATA), by Message-ID: a message the worker
 * sends again (a retry after a lost reply) has the same Message-ID and counts once; `accepted` counts every
 * DATA it accepted, so `accepted - distinct` is the resends. `mark()` starts a new phase's count.
 */
function smtpSink(): Promise<{ server: SMTPServer; port: number; mark: () => void; distinct: () => number; accepted: () => number; connections: () => number; ids: () => Set<string> }> {
  let ids = new Set<string>();
  let accepted = 0;
  let missingId = 0;
  let connections = 0;
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
    onConnect(_session, cb) {
      connections++;
      cb();
    },
    onData(stream, _session, cb) {
      let head = '';
      stream.on('data', (c: Buffer) => { if (!head.includes('\r\n\r\n') && head.length < 64_000) head += c.toString('latin1'); });
      stream.on('end', () => {
        const headers = head.split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');
        const id = /^message-id:\s*(\S+)/im.exec(headers)?.[1];
        accepted++;
        if (id) ids.add(id); else missingId++;
        cb();
      });
    },
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const port = ((server as unknown as { server: { address(): AddressInfo } }).server.address()).port;
    resolve({
      server, port,
      mark: () => { ids = new Set(); accepted = 0; missingId = 0; connections = 0; },
      connections: () => connections,
      distinct: () => ids.size + missingId,
      accepted: () => accepted,
      ids: () => ids,
    });
  }));
}

export async function run(): Promise<BenchResult[]> {
  const env = await createBenchEnv('guests');
  const p = parseDatabaseUrl(env.databaseUrl);
  const db = mysql.createPool({ host: p.host, port: p.port, user: p.username, password: p.password, database: p.database, connectionLimit: 4 });
  const sink = await smtpSink();
  const extra = { PUBLIC_RATE_LIMIT_PER_MINUTE: '1000000', PUBLIC_URL: 'http://book.bench', SMTP_URL: `smtp://127.0.0.1:${sink.port}` };
  const app = await startBenchApp(env, 'api', extra);
  const server = app.app!.listen(0, '127.0.0.1');
  // Keep-alive sockets outlive a round's slowest client: with Node's 5 s default a socket idle between rounds
  // was closed by the server just as the next round reused it (ECONNRESET, "socket hang up").
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as AddressInfo).port;
  const results: BenchResult[] = [];
  try {
    const http = supertest(app.app!);
    const admin = { Authorization: `Bearer ${app.deps.config.adminToken}` };
    const venue = await http.post('/admin/v1/venues').set(admin).send({
      name: 'Big Room', slug: `big-room-${randomBytes(3).toString('hex')}`, timezone: TZ, currency: 'GBP', country: 'GB',
      areas: [{ name: 'Hall', tables: Array.from({ length: TABLES }, (_, i) => ({ number: i + 1, min_covers: 1, max_covers: 2 + (i % 4) * 2 })) }],
      services: [{ name: 'All day', days: [1, 2, 3, 4, 5, 6, 7], start: '07:00', end: '23:45', slot_interval_minutes: 15, duration_minutes: 30 }],
      settings: { booking_window_days: 365, max_bookings_per_email_per_day: 1000, party_size: { min: 1, max: 8 } },
    });
    if (venue.status !== 201) throw new Error(`venue: ${venue.status} ${JSON.stringify(venue.body)}`);
    const venueId = venue.body.id as string;
    const slug = venue.body.slug as string;
    const tableIds = (venue.body.areas[0].tables as { id: string }[]).map((t) => t.id);
    const key = (await http.post(`/admin/v1/venues/${venueId}/api-keys`).set(admin)
      .send({ name: 'bench', scopes: ['bookings:read', 'bookings:write'], rate_limit_per_minute: 100000 }).expect(201)).body.key as string;

    // ---- 1. availability over 31 days
    const first = DateTime.now().setZone(TZ).plus({ days: 200 });
    const rows: unknown[][] = [];
    for (let d = 0; d < 31; d++) {
      const date = first.plus({ days: d }).toISODate()!;
      const count = d === 10 ? 2000 : 300;
      for (let b = 0; b < count; b++) {
        const local = DateTime.fromISO(`${date}T07:00`, { zone: TZ }).plus({ minutes: Math.floor(b / TABLES) * 45 });
        const start = local.toUTC().toJSDate();
        rows.push([`bk_g${d}x${b}`, venueId, `TSG${d}X${b}`, 'confirmed', date, local.toFormat('HH:mm'), start,
          new Date(start.getTime() + 30 * 60_000), 2, tableIds[b % TABLES], null, null, null, null, 'bench', 1, new Date(), new Date()]);
      }
    }
    for (let i = 0; i < rows.length; i += 2000) {
      await db.query(`INSERT INTO bookings (id, venue_id, reference, status, date, time, start_at, end_at, party_size, table_id, service_id,
        event_id, customer_id, notes, source, version, created_at, updated_at) VALUES ?`, [rows.slice(i, i + 2000)]);
    }
    await db.query('ANALYZE TABLE bookings, venue_tables');
    const from = first.toISODate()!;
    const to = first.plus({ days: 30 }).toISODate()!;
    const measure = async (fn: () => Promise<unknown>) => {
      for (let i = 0; i < 5; i++) await fn();
      const times: number[] = [];
      for (let i = 0; i < AVAILABILITY_REQUESTS; i++) {
        const t0 = performance.now();
        await fn();
        times.push(performance.now() - t0);
      }
      return times.sort((a, b) => a - b);
    };
    console.log(`availability: ${rows.length} bookings seeded`);
    const real = await measure(async () => {
      const res = await http.get(`/api/v1/public/venues/${slug}/availability?from=${from}&to=${to}&party_size=2`);
      if (res.status !== 200 || res.body.days.length !== 31) throw new Error(`availability ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    });
    const rangeFrom = DateTime.fromISO(`${from}T00:00`, { zone: TZ }).minus({ days: 1 }).toUTC().toJSDate();
    const rangeTo = DateTime.fromISO(`${to}T00:00`, { zone: TZ }).plus({ days: 2 }).toUTC().toJSDate();
    const reference = await measure(() => db.query(
      `SELECT id, table_id, start_at, end_at, party_size, status, service_id, event_id FROM bookings
        WHERE venue_id = ? AND start_at >= ? AND start_at < ? AND status NOT IN ('cancelled', 'no_show')`, [venueId, rangeFrom, rangeTo]));
    results.push({
      name: 'guests: public availability, 31 days', unit: 'ms median', real: percentile(real, 50), reference: percentile(reference, 50),
      ratio: percentile(reference, 50) / percentile(real, 50), aim: 'median < 100 ms',
      extra: { real_p99_ms: percentile(real, 99).toFixed(1), reference_p99_ms: percentile(reference, 99).toFixed(1), tables: TABLES, bookings: rows.length },
    });

    console.log(`availability: real median ${percentile(real, 50).toFixed(1)} ms`);
    // ---- 2. public bookings beside POST /api/v1/bookings
    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
    const bookDay = DateTime.now().setZone(TZ).plus({ days: 2 });
    let n = 0;
    // Each booking its own table-time: 32 sittings of 30 min (07:00–22:30) × 100 tables per day.
    const slot = (k: number) => {
      const day = bookDay.plus({ days: Math.floor(k / 3200) }).toISODate()!;
      const m = 7 * 60 + (Math.floor(k / TABLES) % 32) * 30;
      return { date: day, time: `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}` };
    };
    let failures = 0;
    const publicRound = (perClient = PER_CLIENT) => clients(async () => {
      const k = n++;
      const status = await postJson(agent, port, `/api/v1/public/venues/${slug}/bookings`, {}, { ...slot(k), party_size: 2, name: `Guest ${k}`, email: `g${k}@example.com` });
      if (status !== 201) failures++;
    }, perClient);
    const apiRound = (perClient = PER_CLIENT) => clients(async () => {
      const k = n++;
      const status = await postJson(agent, port, '/api/v1/bookings', { Authorization: `Bearer ${key}` }, { ...slot(k), party_size: 2, customer_name: `Guest ${k}`, email: `a${k}@example.com` });
      if (status !== 201) failures++;
    }, perClient);
    await publicRound(3);
    await apiRound(3);
    const pub: number[] = [];
    const api: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      api.push(await apiRound());
      pub.push(await publicRound());
      console.log(`bookings round ${r + 1}: api ${api[r]!.toFixed(0)}/s public ${pub[r]!.toFixed(0)}/s failures ${failures}`);
    }
    agent.destroy();
    results.push({
      name: 'guests: public bookings', unit: 'bookings/s', real: median(pub), reference: median(api), ratio: median(pub) / median(api),
      aim: '>= 0.8', extra: { clients: CLIENTS, per_client: PER_CLIENT, rounds: ROUNDS, failures, public_rounds: pub.map((x) => x.toFixed(0)).join('/'), api_rounds: api.map((x) => x.toFixed(0)).join('/') },
    });

    // ---- 3. emails relayed per second (the bookings above wrote their outbox rows; the api role relays nothing)
    await db.query("UPDATE outbox SET relayed_at = NOW(3) WHERE relayed_at IS NULL");
    const extraBookings = EMAILS;
    const emailAgent = new Agent({ keepAlive: true, maxSockets: 8 });
    const emailDay = DateTime.now().setZone(TZ).plus({ days: 120 });
    let made = 0;
    for (let k = 0; k < extraBookings; k += 8) {
      const statuses = await Promise.all(Array.from({ length: Math.min(8, extraBookings - k) }, (_, j) => {
        const i = k + j;
        const m = 7 * 60 + (Math.floor(i / TABLES) % 32) * 30;
        return postJson(emailAgent, port, '/api/v1/bookings', { Authorization: `Bearer ${key}` }, {
          date: emailDay.plus({ days: Math.floor(i / 3200) }).toISODate(), time: `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`,
          party_size: 2, customer_name: `Mail ${i}`, email: `m${i}@example.com`,
        });
      }));
      made += statuses.filter((st) => st === 201).length;
    }
    if (made !== extraBookings) throw new Error(`emails: only ${made} of ${extraBookings} bookings made`);
    emailAgent.destroy();
    console.log(`emails: ${extraBookings} bookings written`);
    sink.mark();
    const t0 = performance.now();
    const worker = await startBenchApp(env, 'worker', extra);
    const deadline = Date.now() + 300_000;
    // Done when every email row is `sent` and the server accepted that many distinct messages.
    for (;;) {
      const [row] = (await db.query("SELECT COUNT(*) AS n FROM emails WHERE status = 'sent'")) as unknown as [{ n: number }[]];
      if (Number(row[0]!.n) >= extraBookings && sink.distinct() >= extraBookings) break;
      if (Date.now() > deadline) throw new Error(`emails: ${row[0]!.n} of ${extraBookings} sent, ${sink.distinct()} received in 5 minutes`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const relaySeconds = (performance.now() - t0) / 1000;
    await worker.stop();
    const received = sink.distinct();
    const resent = sink.accepted() - received;
    const relayConnections = sink.connections();
    const [stored] = (await db.query('SELECT message_id_header FROM emails')) as unknown as [{ message_id_header: string }[]];
    const storedIds = new Set(stored.map((r) => r.message_id_header));
    const strays = [...sink.ids()].filter((id) => !storedIds.has(id)).length;
    if (received !== extraBookings || strays) throw new Error(`emails: ${received} distinct messages received for ${extraBookings} emails, ${strays} not an email row's`);
    const relayedPerS = received / relaySeconds;
    const sample = (await db.query("SELECT subject, text_body, html_body FROM emails LIMIT 1")) as unknown as [{ subject: string; text_body: string; html_body: string }[]];
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, pool: true, maxConnections: 10, maxMessages: 100 } as Parameters<typeof nodemailer.createTransport>[0]);
    sink.mark();
    const t1 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < extraBookings) {
        const i = next++;
        await transport.sendMail({ from: 'bench@mail.bench', to: `r${i}@example.com`, subject: sample[0]![0]!.subject, text: sample[0]![0]!.text_body, html: sample[0]![0]!.html_body });
      }
    }));
    const rawSeconds = (performance.now() - t1) / 1000;
    transport.close();
    const rawReceived = sink.distinct();
    const rawConnections = sink.connections();
    if (rawReceived !== extraBookings) throw new Error(`emails reference: ${rawReceived} distinct messages received for ${extraBookings}`);
    const rawPerS = rawReceived / rawSeconds;
    results.push({
      name: 'guests: emails relayed to SMTP', unit: 'emails/s', real: relayedPerS, reference: rawPerS, ratio: relayedPerS / rawPerS, aim: 'a figure to watch',
      extra: { emails: extraBookings, received_distinct: received, resent, smtp_connections: relayConnections, reference_received_distinct: rawReceived, reference_smtp_connections: rawConnections },
    });
    return results;
  } finally {
    server.close();
    await app.stop();
    await db.end();
    sink.server.close();
    await env.cleanup();
  }
}

if (require.main === module) {
  run().then((r) => { console.log(r); process.exit(0); }, (e: unknown) => { console.error(e); process.exit(1); });
}
