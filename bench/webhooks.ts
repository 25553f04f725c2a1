// Outbound webhook deliveries per second to a local receiver with 100 subscribed endpoints, through the real
// path (outbox rows → relay → BullMQ → delivery worker: load, sign, POST, attempt log, delivery update), beside
// a lean reference in the same run: a bare loop of signed POSTs (node:http, keep-alive) to the same receiver at
// the same concurrency. Aim: real ≥ 0.5×. Rounds alternate reference and real and the medians are compared, so
// a noisy machine skews both alike. A second figure repeats one round with a receiver that takes 20 ms to
// answer, as real endpoints do (and slower). Env: BENCH_WEBHOOK_MESSAGES (default 60, × 100 endpoints),
// BENCH_WEBHOOK_ROUNDS (default 5).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import supertest from 'supertest';
import type { Composed } from '../src/composition-root';
import { writeOutbox } from '../src/modules/outbox/outbox';
import { buildDelivery, generateWebhookSecret } from '../src/modules/webhooks/sign-webhook';
import { createBenchEnv, median, printResult, type BenchEnv, type BenchResult } from './bench-env';
import { startBenchApp } from './bench-app';

const ENDPOINTS = 100;
const MESSAGES = Number(process.env.BENCH_WEBHOOK_MESSAGES ?? 60);
const ROUNDS = Number(process.env.BENCH_WEBHOOK_ROUNDS ?? 5);
const SLOW_RECEIVER_MS = 20;
/** Each real round gives up after this, so the whole bench stays well under 2 minutes. */
const ROUND_DEADLINE_MS = 20_000;

interface Receiver {
  url: string;
  count: number;
  delayMs: number;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const state = { count: 0, delayMs: 0 };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.count += 1;
      const answer = () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      if (state.delayMs > 0) setTimeout(answer, state.delayMs);
      else answer();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get count() {
      return state.count;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(ms: number) {
      state.delayMs = ms;
    },
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** A booking-sized `data`, like the booking API writes. */
function bookingData(n: number): Record<string, unknown> {
  return {
    id: `bk_bench${n}`, reference: `TS-B${n}`, status: 'confirmed', date: '2026-05-01', time: '19:00',
    start_at: '2026-05-01T18:00:00.000Z', end_at: '2026-05-01T19:30:00.000Z', party_size: 4,
    table: { id: 'tbl_bench', number: 12 }, service_id: 'svc_bench', event_id: null,
    customer: { id: 'cus_bench', name: 'Ada Lovelace', email: 'ada@example.com', phone: '+442071234567' },
    notes: 'Window seat, birthday', source: 'api', version: 1,
    created_at: '2026-04-20T10:00:00.000Z', updated_at: '2026-04-20T10:00:00.000Z',
  };
}

/** Lean reference: sign (both schemes, as the worker does) and POST each delivery, `concurrency` at a time. */
async function reference(urls: string[], total: number, concurrency: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const secret = generateWebhookSecret();
  let next = 0;
  const post = (n: number): Promise<void> => {
    const { body, headers } = buildDelivery({
      messageId: `msg_ref${n}`, event: 'booking.created', createdAt: new Date(), data: bookingData(n), secret,
    });
    return new Promise((resolve, reject) => {
      const req = http.request(urls[n % urls.length]!, {
        method: 'POST', agent, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) },
      }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) await post(next++);
  }));
  const rate = total / ((performance.now() - t0) / 1000);
  agent.destroy();
  return rate;
}

async function succeeded(app: Composed): Promise<number> {
  const rows = (await app.deps.dataSource.query(
    "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'succeeded'",
  )) as { n: number | string }[];
  return Number(rows[0]!.n);
}

async function writeMessages(app: Composed, venueId: string, count: number, offset: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await app.deps.dataSource.transaction((em) => writeOutbox(em, {
      venueId, event: 'booking.created', resourceId: `bk_bench${offset + i}`, resourceVersion: 1, data: bookingData(offset + i),
    }));
  }
}


/**
 * One real round: with no worker running, write `messages` outbox rows; then start a worker process and time
 * until every delivery is recorded as succeeded (the receiver's count is the cheap trigger, the database
 * the proof). Returns deliveries per second.
 */
async function realRound(env: BenchEnv, api: Composed, receiver: Receiver, venueId: string, messages: number, offset: number): Promise<{ rate: number; missing: number }> {
  await writeMessages(api, venueId, messages, offset);
  const target = (await succeeded(api)) + messages * ENDPOINTS;
  const received = receiver.count + messages * ENDPOINTS;
  const worker = await startBenchApp(env, 'worker');
  try {
    // From a running worker process (its relay has just started), as in production.
    const t0 = performance.now();
    let done = 0;
    while (performance.now() - t0 < ROUND_DEADLINE_MS) {
      if (receiver.count >= received) {
        done = await succeeded(api);
        if (done >= target) break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    const seconds = (performance.now() - t0) / 1000;
    done = await succeeded(api);
    return { rate: (messages * ENDPOINTS - Math.max(0, target - done)) / seconds, missing: Math.max(0, target - done) };
  } finally {
    await worker.stop();
  }
}

export async function run(): Promise<BenchResult[]> {
  const env = await createBenchEnv('webhooks');
  const receiver = await startReceiver();
  // The API role seeds; worker processes come and go, so each measured round starts with a full outbox.
  const api = await startBenchApp(env, 'api');
  try {
    const admin = { Authorization: `Bearer ${api.deps.config.adminToken}` };
    const agent = supertest(api.app!);
    const venue = await agent.post('/admin/v1/venues').set(admin).send({
      name: 'Webhook Bench', slug: `wh-bench-${randomBytes(3).toString('hex')}`, timezone: 'Europe/London', currency: 'GBP', country: 'GB',
      areas: [{ name: 'Main', tables: [{ number: 1, min_covers: 1, max_covers: 4 }] }],
      services: [{ name: 'Dinner', days: [1, 2, 3, 4, 5, 6, 7], start: '17:00', end: '23:00', slot_interval_minutes: 15, duration_minutes: 90 }],
    }).expect(201);
    const venueId = venue.body.id as string;
    const key = (await agent.post(`/admin/v1/venues/${venueId}/api-keys`).set(admin)
      .send({ name: 'bench', scopes: ['webhooks:write', 'webhooks:read'], rate_limit_per_minute: 100000 }).expect(201)).body.key as string;
    const urls = Array.from({ length: ENDPOINTS }, (_, i) => `${receiver.url}/hooks/${i}`);
    for (const url of urls) {
      await agent.post('/api/v1/webhooks').set('Authorization', `Bearer ${key}`).send({ url, events: ['*'] }).expect(201);
    }

    // Warm-up of both paths (JIT, connection pools, keep-alive sockets).
    // The reference runs at the worker's concurrency (WEBHOOK_CONCURRENCY, default 100).
    const concurrency = api.deps.config.webhookConcurrency;
    await reference(urls, 1000, concurrency);
    await realRound(env, api, receiver, venueId, 20, 0);

    const total = MESSAGES * ENDPOINTS;
    const refs: number[] = [];
    const reals: number[] = [];
    let missing = 0;
    for (let round = 0; round < ROUNDS; round++) {
      refs.push(await reference(urls, total, concurrency));
      const r = await realRound(env, api, receiver, venueId, MESSAGES, 1000 * (round + 1));
      reals.push(r.rate);
      missing += r.missing;
    }

    // Realistic endpoints: every answer takes SLOW_RECEIVER_MS, for both paths.
    receiver.delayMs = SLOW_RECEIVER_MS;
    const slowRef = await reference(urls, total / 2, concurrency);
    const slowReal = await realRound(env, api, receiver, venueId, MESSAGES / 2, 100_000);
    receiver.delayMs = 0;

    const extra = { endpoints: ENDPOINTS, deliveries_per_round: total, rounds: ROUNDS, concurrency };
    return [
      {
        name: 'webhooks', unit: 'deliveries/s', real: median(reals), reference: median(refs), ratio: median(reals) / median(refs), aim: '>= 0.5',
        extra: { ...extra, real_rounds: reals.map(Math.round).join('/'), reference_rounds: refs.map(Math.round).join('/'), undelivered: missing },
      },
      {
        name: `webhooks (receiver ${SLOW_RECEIVER_MS} ms)`, unit: 'deliveries/s', real: slowReal.rate, reference: slowRef, ratio: slowReal.rate / slowRef, aim: '>= 0.5',
        extra: { ...extra, deliveries_per_round: total / 2, rounds: 1, undelivered: slowReal.missing },
      },
    ];
  } finally {
    await api.stop();
    await receiver.close();
    await env.cleanup();
  }
}

if (require.main === module) {
  run().then((rs) => { rs.forEach(printResult); process.exit(0); }, (e: unknown) => { console.error(e); process.exit(1); });
}
