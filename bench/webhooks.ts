// Outbound webhook deliveries per second to a local receiver with 100 subscribed endpoints, through the real
// path (outbox rows → relay → BullMQ → delivery worker: sign, POST, attempt log, delivery update), beside a
// lean reference in the same run: a bare loop of signed POSTs (node:http, keep-alive) to the same receiver at
// the same concurrency. Aim: real ≥ 0.5×. BENCH_WEBHOOK_MESSAGES (default 60) × 100 endpoints deliveries;
// BENCH_RECEIVER_DELAY_MS (default 0) makes the receiver answer slower, as real endpoints do.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import supertest from 'supertest';
import type { Composed } from '../src/composition-root';
import { writeOutbox } from '../src/outbound/outbox';
import { buildDelivery, generateWebhookSecret } from '../src/outbound/sign-webhook';
import { createBenchEnv, printResult, type BenchResult } from './bench-env';
import { startBenchApp } from './bench-app';

const ENDPOINTS = 100;
/** The delivery worker's default concurrency; the reference uses the same. */
const CONCURRENCY = 50;
const MESSAGES = Number(process.env.BENCH_WEBHOOK_MESSAGES ?? 60);
const RECEIVER_DELAY_MS = Number(process.env.BENCH_RECEIVER_DELAY_MS ?? 0);
/** The whole bench stays well under 2 minutes even when the real path is slow. */
const REAL_DEADLINE_MS = 60_000;

interface Receiver {
  url: string;
  count: number;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const state = { count: 0 };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.count += 1;
      const answer = () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      if (RECEIVER_DELAY_MS > 0) setTimeout(answer, RECEIVER_DELAY_MS);
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

/** Lean reference: sign (both schemes, as the worker does) and POST each delivery, CONCURRENCY at a time. */
async function reference(urls: string[], total: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
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
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
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

/** Polls the database until `target` deliveries succeeded (or the deadline); returns deliveries per second. */
async function untilDelivered(app: Composed, target: number, t0: number): Promise<{ rate: number; done: number }> {
  let done = 0;
  while (performance.now() - t0 < REAL_DEADLINE_MS) {
    done = await succeeded(app);
    if (process.env.BENCH_TRACE) console.log(`${Math.round(performance.now() - t0)} ms: ${done}`);
    if (done >= target) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { rate: done / ((performance.now() - t0) / 1000), done };
}

export async function run(): Promise<BenchResult> {
  const env = await createBenchEnv('webhooks');
  const receiver = await startReceiver();
  // The API role seeds; worker-role processes come and go, so the measured run starts with a full outbox.
  const api = await startBenchApp(env, 'api');
  let worker: Composed | null = null;
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

    // Warm-up of both paths (JIT, connection pools, keep-alive sockets), then stop the worker role.
    await reference(urls, 500);
    await writeMessages(api, venueId, 3, 0);
    worker = await startBenchApp(env, 'worker');
    await untilDelivered(api, 3 * ENDPOINTS, performance.now());
    await worker.stop();
    worker = null;

    const total = MESSAGES * ENDPOINTS;
    const referenceRate = await reference(urls, total);

    await writeMessages(api, venueId, MESSAGES, 1000);
    const before = await succeeded(api);
    const t0 = performance.now();
    worker = await startBenchApp(env, 'worker');
    const real = await untilDelivered(api, before + total, t0);
    const delivered = real.done - before;
    const seconds = (performance.now() - t0) / 1000;

    return {
      name: 'webhooks',
      unit: 'deliveries/s',
      real: delivered / seconds,
      reference: referenceRate,
      ratio: delivered / seconds / referenceRate,
      aim: '>= 0.5',
      extra: {
        endpoints: ENDPOINTS, messages: MESSAGES, deliveries: delivered, expected: total,
        concurrency: CONCURRENCY, receiver_delay_ms: RECEIVER_DELAY_MS, receiver_requests: receiver.count,
      },
    };
  } finally {
    await worker?.stop();
    await api.stop();
    await receiver.close();
    await env.cleanup();
  }
}

if (require.main === module) {
  run().then((r) => { printResult(r); process.exit(0); }, (e: unknown) => { console.error(e); process.exit(1); });
}
