// Sales per second processed end to end (queued POS event → mapped → sale upserted with items and matched),
// beside a lean reference in the same run: a bare BullMQ worker doing one mysql2 upsert per job.
// Aim: real ≥ 0.5×.
//
// Both sides run at the product's worker concurrency (WORKER_CONCURRENCY's default) with database pools of
// the same size, and alternate in rounds whose medians are compared, so a burst of noise on this shared
// machine moves one round, not the ratio. Env: BENCH_PIPELINE_EVENTS (per round, default 4000),
// BENCH_PIPELINE_ROUNDS (default 3).
import { createHmac } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import mysql from 'mysql2/promise';
import supertest from 'supertest';
import type { Composed } from '../src/composition-root';
import { parseDatabaseUrl } from '../src/platform/db/data-source';
import { cpuNow, cpuPerEvent, createBenchEnv, median, type BenchEnv, type BenchResult } from './bench-env';
import { BENCH_PARTNER, BENCH_SECRET, salePayload, seedBenchPartner, startBenchApp } from './bench-app';

const EVENTS = Number(process.env.BENCH_PIPELINE_EVENTS ?? 4000);
const ROUNDS = Number(process.env.BENCH_PIPELINE_ROUNDS ?? 3);
/**
 * Jobs each worker processes before the clock starts, for both sides alike: the clock then measures a
 * running worker (connections open, code compiled), not process start-up and JIT warm-up.
 */
const WARMUP = Number(process.env.BENCH_PIPELINE_WARMUP ?? 400);
/** The DataSource's pool size; the reference gets as many connections. */
export const POOL_SIZE = 20;

export const LEAN_SALES_TABLE = 'CREATE TABLE lean_sales (sale_id VARCHAR(128) PRIMARY KEY, total BIGINT NOT NULL, raw MEDIUMTEXT NOT NULL)';

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('pipeline bench timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A clocked drain: events per second, and the CPU each cost (cpuPerEvent) for a caller that reports it beside the rate. */
export interface Drain {
  perSecond: number;
  cpu: ReturnType<typeof cpuPerEvent>;
}

/** Clocks a drain from the moment `warmup` of `total` are done. */
async function clockDrain(done: () => Promise<number>, total: number, warmup: number): Promise<Drain> {
  await waitUntil(async () => (await done()) >= warmup, 300_000);
  const from = await done();
  const started = performance.now();
  const cpu = cpuNow();
  await waitUntil(async () => (await done()) >= total, 300_000);
  const perSecond = (total - from) / ((performance.now() - started) / 1000);
  return { perSecond, cpu: cpuPerEvent(cpu, cpuNow(), total - from) };
}

/** Real: `total` signed events queued through the API role, then a worker role started to drain them. */
export async function realRound(env: BenchEnv, api: Composed, concurrency: number, offset: number, total: number): Promise<Drain> {
  const http = supertest(api.app!);
  for (let i = 0; i < total; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, total - i) }, (_, k) => {
      const body = salePayload(offset + i + k);
      return http.post(`/partners/${BENCH_PARTNER}/events/sale.updated`).set('content-type', 'application/json')
        .set('x-signature', createHmac('sha256', BENCH_SECRET).update(body).digest('hex')).send(body).expect(200);
    }));
  }
  const worker = await startBenchApp(env, 'worker', { WORKER_CONCURRENCY: String(concurrency) });
  // Progress from the worker's own outcome counter (as the reference counts in memory): polling the
  // database would load it while it is being measured.
  const finished = async (): Promise<number> =>
    (await worker.deps.metrics.inboundEvents.get()).values.reduce((sum, v) => sum + v.value, 0);
  try {
    return await clockDrain(finished, total, WARMUP);
  } finally {
    await worker.stop();
  }
}

/** Lean reference: the same payloads, one plain upsert each, clocked the same way (needs the lean_sales table). */
export async function leanRound(env: BenchEnv, db: mysql.Pool, concurrency: number, offset: number, total: number): Promise<number> {
  const queue = new Queue('lean-pipeline', { connection: { host: '127.0.0.1', port: 6379 }, prefix: env.redisPrefix });
  await queue.addBulk(Array.from({ length: total }, (_, i) => ({ name: 'event', data: { raw: salePayload(offset + i) } })));
  let done = 0;
  const lean = new Worker('lean-pipeline', async (job) => {
    const body = JSON.parse(job.data.raw as string) as { sale: { id: string; total: number } };
    await db.query('INSERT INTO lean_sales (sale_id, total, raw) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE total = VALUES(total), raw = VALUES(raw)',
      [body.sale.id, body.sale.total, job.data.raw]);
    done++;
  }, { connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null }, prefix: env.redisPrefix, concurrency });
  try {
    return (await clockDrain(async () => done, total, WARMUP)).perSecond;
  } finally {
    await lean.close();
    await queue.close();
  }
}

export async function run(): Promise<BenchResult> {
  const env = await createBenchEnv('pipeline');
  const p = parseDatabaseUrl(env.databaseUrl);
  const db = mysql.createPool({ host: p.host, port: p.port, user: p.username, password: p.password, database: p.database, connectionLimit: POOL_SIZE });
  const api = await startBenchApp(env, 'api');
  try {
    await seedBenchPartner(api);
    await db.query(LEAN_SALES_TABLE);
    const concurrency = api.deps.config.workerConcurrency;
    const total = WARMUP + EVENTS;
    const reals: number[] = [];
    const refs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // New sale ids every round, so each round creates its sales as the first did.
      reals.push((await realRound(env, api, concurrency, round * 1_000_000, total)).perSecond);
      refs.push(await leanRound(env, db, concurrency, round * 1_000_000, total));
    }
    const [sales] = await db.query('SELECT COUNT(*) AS n FROM sales');
    const real = median(reals);
    const reference = median(refs);
    return {
      name: 'pipeline', unit: 'sales/s', real, reference, ratio: real / reference, aim: '>= 0.5',
      extra: {
        events: EVENTS, warmup: WARMUP, rounds: ROUNDS, worker_concurrency: concurrency,
        sales_rows: Number((sales as { n: number }[])[0]!.n),
        real_rounds: reals.map(Math.round).join('/'), reference_rounds: refs.map(Math.round).join('/'),
      },
    };
  } finally {
    await api.stop();
    await db.end();
    await env.cleanup();
  }
}

if (require.main === module) {
  run().then((r) => { console.log(r); process.exit(0); }, (e: unknown) => { console.error(e); process.exit(1); });
}
