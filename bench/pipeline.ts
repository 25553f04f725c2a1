// Sales per second processed end to end (queued POS event → mapped → sale upserted with items and matched),
// beside a lean reference in the same run: a bare BullMQ worker doing one mysql2 upsert per job.
// Aim: real ≥ 0.5×.
import { createHmac } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import mysql from 'mysql2/promise';
import supertest from 'supertest';
import { parseDatabaseUrl } from '../src/db/data-source';
import { createBenchEnv, type BenchResult } from './bench-env';
import { BENCH_PARTNER, BENCH_SECRET, salePayload, seedBenchPartner, startBenchApp } from './bench-app';

const EVENTS = Number(process.env.BENCH_PIPELINE_EVENTS ?? 2000);
/**
 * Jobs each worker processes before the clock starts, for both sides alike: the clock then measures a
 * running worker (connections open, code compiled), not process start-up and JIT warm-up.
 */
const WARMUP = Number(process.env.BENCH_PIPELINE_WARMUP ?? 400);
const CONCURRENCY = 8;

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('pipeline bench timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function run(): Promise<BenchResult> {
  const env = await createBenchEnv('pipeline');
  const p = parseDatabaseUrl(env.databaseUrl);
  const db = mysql.createPool({ host: p.host, port: p.port, user: p.username, password: p.password, database: p.database, connectionLimit: 10 });
  try {
    // Real: queue WARMUP + EVENTS signed events through the API role, then let a worker role drain them; the
    // clock runs from the moment the first WARMUP are done.
    const total = WARMUP + EVENTS;
    const api = await startBenchApp(env, 'api');
    await seedBenchPartner(api);
    const http = supertest(api.app!);
    for (let i = 0; i < total; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, total - i) }, (_, k) => {
        const body = salePayload(i + k);
        return http.post(`/partners/${BENCH_PARTNER}/events/sale.updated`).set('content-type', 'application/json')
          .set('x-signature', createHmac('sha256', BENCH_SECRET).update(body).digest('hex')).send(body).expect(200);
      }));
    }
    await api.stop();
    const finished = async (): Promise<number> => {
      const [rows] = await db.query("SELECT COUNT(*) AS n FROM inbound_events WHERE status IN ('processed','ignored','failed')");
      return Number((rows as { n: number }[])[0]!.n);
    };
    const worker = await startBenchApp(env, 'worker', { WORKER_CONCURRENCY: String(CONCURRENCY) });
    await waitUntil(async () => (await finished()) >= WARMUP, 300_000);
    const realFrom = await finished();
    const realStart = performance.now();
    await waitUntil(async () => (await finished()) >= total, 300_000);
    const realSeconds = (performance.now() - realStart) / 1000;
    const realCount = total - realFrom;
    await worker.stop();
    const [sales] = await db.query('SELECT COUNT(*) AS n FROM sales');
    const salesCount = Number((sales as { n: number }[])[0]!.n);

    // Lean reference: the same payloads, one plain upsert each, clocked the same way.
    await db.query('CREATE TABLE lean_sales (sale_id VARCHAR(128) PRIMARY KEY, total BIGINT NOT NULL, raw MEDIUMTEXT NOT NULL)');
    const queue = new Queue('lean-pipeline', { connection: { host: '127.0.0.1', port: 6379 }, prefix: env.redisPrefix });
    await queue.addBulk(Array.from({ length: total }, (_, i) => ({ name: 'event', data: { raw: salePayload(i) } })));
    let done = 0;
    const lean = new Worker('lean-pipeline', async (job) => {
      const body = JSON.parse(job.data.raw as string) as { sale: { id: string; total: number } };
      await db.query('INSERT INTO lean_sales (sale_id, total, raw) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE total = VALUES(total), raw = VALUES(raw)',
        [body.sale.id, body.sale.total, job.data.raw]);
      done++;
    }, { connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null }, prefix: env.redisPrefix, concurrency: CONCURRENCY });
    await waitUntil(async () => done >= WARMUP, 300_000);
    const leanFrom = done;
    const leanStart = performance.now();
    await waitUntil(async () => done >= total, 300_000);
    const leanSeconds = (performance.now() - leanStart) / 1000;
    const leanCount = total - leanFrom;
    await lean.close();
    await queue.close();

    const real = realCount / realSeconds;
    const reference = leanCount / leanSeconds;
    return {
      name: 'pipeline', unit: 'sales/s', real, reference, ratio: real / reference, aim: '>= 0.5',
      extra: { events: EVENTS, warmup: WARMUP, sales_rows: salesCount, worker_concurrency: CONCURRENCY },
    };
  } finally {
    await db.end();
    await env.cleanup();
  }
}

if (require.main === module) {
  run().then((r) => { console.log(r); process.exit(0); }, (e: unknown) => { console.error(e); process.exit(1); });
}
