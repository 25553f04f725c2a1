// Scale-out (issue 18): ingest and pipeline throughput of the compiled app run as separate processes —
// BENCH_SCALE_APIS ROLE=api (default 2) and 1, 2, 4 ROLE=worker — beside the lean single-process references
// of bench/ingest.ts and bench/pipeline.ts measured in the same run, with the CPU each kind of process (and
// mariadbd and redis-server) used in each phase, so one can see where the limit moves.
//
// Per row (N workers, started one after another into the same group):
//   ingest: autocannon for BENCH_SCALE_INGEST_S against the API processes (the connections split evenly
//           between them) while the N workers drain at the same time, as at a Friday peak → accepted/s, and
//           processed/s over the same window;
//   ingest alone: the same with the workers paused (SIGSTOP while idle) → the API tier's events/s;
//   drain:  that backlog drained by the N workers alone (SIGCONT) → the worker tier's sales/s.
// CPU is given as cores busy (CPU seconds / wall seconds) from /proc/<pid>/stat; "bench" is this process
// (the load generator and the progress polls). Needs dist/ (built here when stale, as `npm start` does).
// Env: BENCH_SCALE_WORKERS ("1,2,4"), BENCH_SCALE_APIS (2), BENCH_SCALE_INGEST_S (6),
// BENCH_SCALE_CONNECTIONS (64), BENCH_SCALE_LEAN_EVENTS (4000, plus BENCH_PIPELINE_WARMUP).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { parseDatabaseUrl } from '../src/platform/db/data-source';
import { startProcesses, type ProcessGroup } from '../test/helpers/processes';
import { BENCH_PARTNER, seedBenchPartner } from './bench-app';
import { createBenchEnv, type BenchResult } from './bench-env';
import { load, startLeanIngest } from './ingest';
import { LEAN_SALES_TABLE, leanRound, POOL_SIZE } from './pipeline';

const WORKER_COUNTS = (process.env.BENCH_SCALE_WORKERS ?? '1,2,4').split(',').map(Number);
const APIS = Number(process.env.BENCH_SCALE_APIS ?? 2);
const INGEST_S = Number(process.env.BENCH_SCALE_INGEST_S ?? 6);
const CONNECTIONS = Number(process.env.BENCH_SCALE_CONNECTIONS ?? 64);
const LEAN_EVENTS = Number(process.env.BENCH_SCALE_LEAN_EVENTS ?? 4000);
const LEAN_WARMUP = Number(process.env.BENCH_PIPELINE_WARMUP ?? 400);
/** A backlog smaller than this drains too fast to clock: the row says the workers kept up. */
const MIN_BACKLOG = 300;
const DRAIN_TIMEOUT_MS = 180_000;
const TICKS_PER_S = 100; // getconf CLK_TCK on Linux
const INGEST_PATH = `/partners/${BENCH_PARTNER}/events/sale.updated`;

/** utime + stime of a process in seconds (0 once it has gone). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
  } catch {
    return 0;
  }
}

/** Pids whose command name is `comm` (and whose command line holds `argHas`, when given). */
function pidsOf(comm: string, argHas?: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== comm) continue;
      if (argHas && !readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(argHas)) continue;
      pids.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

type Kinds = Record<string, () => number[]>;

/** Starts a CPU clock over every kind of process; `stop` gives cores busy per kind over the window. */
function cpuClock(kinds: Kinds): { stop(): Record<string, number> } {
  const sample = () => {
    const out: Record<string, number> = {};
    for (const [kind, pids] of Object.entries(kinds)) out[kind] = pids().reduce((s, pid) => s + cpuSeconds(pid), 0);
    const own = process.cpuUsage();
    out.bench = (own.user + own.system) / 1e6;
    return out;
  };
  const from = sample();
  const started = performance.now();
  return {
    stop() {
      const to = sample();
      const wall = (performance.now() - started) / 1000;
      return Object.fromEntries(Object.keys(to).map((k) => [k, +((to[k]! - (from[k] ?? 0)) / wall).toFixed(2)]));
    },
  };
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`scale-out bench timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Row {
  config: string;
  ingest: number;
  processedDuringIngest: number;
  ingestAlone: number;
  drain: number | null;
  non2xx: number;
  failed: number;
  ingestCpu: Record<string, number>;
  drainCpu: Record<string, number>;
}

/** Signed events for INGEST_S to every API process at once (the connections split between them). */
async function ingestAll(group: ProcessGroup, offset: number): Promise<{ accepted: number; non2xx: number; wall: number }> {
  const started = performance.now();
  const per = Math.max(1, Math.round(CONNECTIONS / group.apis.length));
  const loads = await Promise.all(group.apis.map((a, i) => load(a.port, INGEST_PATH, offset + i * 500_000, INGEST_S, per)));
  return {
    accepted: Math.round(loads.reduce((s, l) => s + l.rps * INGEST_S, 0)),
    non2xx: loads.reduce((s, l) => s + l.non2xx, 0),
    wall: (performance.now() - started) / 1000,
  };
}

/** SIGSTOP/SIGCONT every worker process: paused only while idle (after a drain), so no job lock can lapse. */
function signalWorkers(group: ProcessGroup, signal: 'SIGSTOP' | 'SIGCONT'): void {
  for (const w of group.workers) w.child.kill(signal);
}

async function measureRow(group: ProcessGroup, db: mysql.Pool, kinds: Kinds, offset: number, expectedSoFar: number): Promise<{ row: Row; accepted: number }> {
  const finished = async (): Promise<{ done: number; failed: number }> => {
    // On the (status, updated_at) index: a short range count, cheap beside the workers' own writes.
    const [rows] = await db.query("SELECT status, COUNT(*) AS n FROM inbound_events WHERE status IN ('processed', 'ignored', 'failed') GROUP BY status");
    const list = rows as { status: string; n: number }[];
    return { done: list.reduce((s, r) => s + Number(r.n), 0), failed: Number(list.find((r) => r.status === 'failed')?.n ?? 0) };
  };
  // 1. Ingest while the workers drain at the same time.
  const before = await finished();
  const ingestClock = cpuClock(kinds);
  const mixed = await ingestAll(group, offset);
  const ingestCpu = ingestClock.stop();
  const afterMixed = await finished();
  let total = expectedSoFar + mixed.accepted;
  await waitUntil(async () => (await finished()).done >= total, DRAIN_TIMEOUT_MS, 'the mixed phase to drain');
  // 2. Ingest with the workers paused: the API tier alone, and a backlog for 3.
  signalWorkers(group, 'SIGSTOP');
  let alone: Awaited<ReturnType<typeof ingestAll>>;
  try {
    alone = await ingestAll(group, offset + 5_000_000);
  } finally {
    signalWorkers(group, 'SIGCONT');
  }
  total += alone.accepted;
  // 3. The workers alone drain that backlog.
  const drainFrom = await finished();
  const drainClock = cpuClock(kinds);
  const drainStarted = performance.now();
  let last = drainFrom;
  await waitUntil(async () => (last = await finished()).done >= total, DRAIN_TIMEOUT_MS, 'the backlog to drain');
  const drainWall = (performance.now() - drainStarted) / 1000;
  const drainCpu = drainClock.stop();
  return {
    accepted: mixed.accepted + alone.accepted,
    row: {
      config: `${group.apis.length} api + ${group.workers.length} worker${group.workers.length > 1 ? 's' : ''}`,
      ingest: mixed.accepted / INGEST_S,
      processedDuringIngest: (afterMixed.done - before.done) / mixed.wall,
      ingestAlone: alone.accepted / INGEST_S,
      drain: total - drainFrom.done >= MIN_BACKLOG ? (last.done - drainFrom.done) / drainWall : null,
      non2xx: mixed.non2xx + alone.non2xx,
      failed: last.failed,
      ingestCpu,
      drainCpu,
    },
  };
}

function cpuText(cpu: Record<string, number>): string {
  return Object.entries(cpu).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
}

export async function run(): Promise<BenchResult[]> {
  // The processes run the compiled entry, as production does: build it when it is older than the sources.
  execFileSync('bash', ['scripts/start.sh', '--build-if-stale'], { cwd: path.join(__dirname, '..'), stdio: 'inherit' });
  const env = await createBenchEnv('scaleout');
  const p = parseDatabaseUrl(env.databaseUrl);
  const db = mysql.createPool({ host: p.host, port: p.port, user: p.username, password: p.password, database: p.database, connectionLimit: POOL_SIZE });
  const redisPort = new URL(env.redisUrl).port || '6379';
  const shared: Kinds = { mariadbd: () => pidsOf('mariadbd'), redis: () => pidsOf('redis-server', `:${redisPort}`) };
  let group: ProcessGroup | null = null;
  try {
    // Lean references first, in this one process, while no app process runs.
    await db.query(LEAN_SALES_TABLE);
    const leanIngest = await startLeanIngest(env.redisPrefix);
    await load(leanIngest.port, '/ingest', 0, 2, CONNECTIONS);
    let clock = cpuClock(shared);
    const leanIngestRate = (await load(leanIngest.port, '/ingest', 1_000_000, INGEST_S, CONNECTIONS)).rps;
    const leanIngestCpu = clock.stop();
    await leanIngest.close();
    clock = cpuClock(shared);
    const leanDrainRate = await leanRound(env, db, 64, 0, LEAN_WARMUP + LEAN_EVENTS);
    const leanDrainCpu = clock.stop();
    console.log(`lean ingest (1 process): ${Math.round(leanIngestRate)} events/s; cores: ${cpuText(leanIngestCpu)}`);
    console.log(`lean pipeline (1 process, concurrency 64): ${Math.round(leanDrainRate)} sales/s; cores: ${cpuText(leanDrainCpu)}`);

    group = await startProcesses({ api: APIS, workers: 0, baseEnv: env.env });
    const g = group;
    await seedBenchPartner({ url: g.nextUrl(), adminToken: env.env.ADMIN_TOKEN! });
    const kinds: Kinds = {
      api: () => g.apis.map((a) => a.child.pid!),
      worker: () => g.workers.map((w) => w.child.pid!),
      ...shared,
    };
    const rows: Row[] = [];
    let expected = 0;
    for (const [i, n] of WORKER_COUNTS.entries()) {
      while (g.workers.length < n) await g.startWorker();
      // A short warm-up burst per row (JIT, connections), not clocked; its events drain before the clock starts.
      const warm = await Promise.all(g.apis.map((a, k) => load(a.port, INGEST_PATH, 9_000_000 + i * 100_000 + k * 50_000, 1, 8)));
      expected += Math.round(warm.reduce((s, l) => s + l.rps, 0));
      await waitUntil(async () => {
        const [r] = await db.query("SELECT COUNT(*) AS n FROM inbound_events WHERE status IN ('processed', 'ignored', 'failed')");
        return Number((r as { n: number }[])[0]!.n) >= expected;
      }, DRAIN_TIMEOUT_MS, 'the warm-up to drain');
      const { row, accepted } = await measureRow(g, db, kinds, (i + 1) * 10_000_000, expected);
      expected += accepted;
      rows.push(row);
      console.log(`${row.config}: ingest ${Math.round(row.ingest)}/s (processed meanwhile ${Math.round(row.processedDuringIngest)}/s), ingest alone ${Math.round(row.ingestAlone)}/s, drain ${row.drain === null ? 'kept up' : `${Math.round(row.drain)}/s`}`);
      console.log(`  cores during ingest: ${cpuText(row.ingestCpu)}; during drain: ${cpuText(row.drainCpu)}`);
    }
    console.table([
      { config: 'lean reference (1 process)', 'ingest/s': Math.round(leanIngestRate), 'processed meanwhile/s': '—', 'ingest alone/s': Math.round(leanIngestRate), 'drain sales/s': Math.round(leanDrainRate), non2xx: 0, failed: 0,
        'ingest cores': cpuText(leanIngestCpu), 'drain cores': cpuText(leanDrainCpu) },
      ...rows.map((r) => ({
        config: r.config, 'ingest/s': Math.round(r.ingest), 'processed meanwhile/s': Math.round(r.processedDuringIngest), 'ingest alone/s': Math.round(r.ingestAlone),
        'drain sales/s': r.drain === null ? 'kept up' : Math.round(r.drain), non2xx: r.non2xx, failed: r.failed,
        'ingest cores': cpuText(r.ingestCpu), 'drain cores': cpuText(r.drainCpu),
      })),
    ]);
    const results: BenchResult[] = [];
    for (const r of rows) {
      results.push({ name: `scale-out ingest alone, ${r.config}`, unit: 'events/s', real: r.ingestAlone, reference: leanIngestRate, ratio: r.ingestAlone / leanIngestRate, aim: 'report' });
      results.push({ name: `scale-out ingest, ${r.config}`, unit: 'events/s', real: r.ingest, reference: leanIngestRate, ratio: r.ingest / leanIngestRate, aim: 'report' });
      if (r.drain !== null) results.push({ name: `scale-out drain, ${r.config}`, unit: 'sales/s', real: r.drain, reference: leanDrainRate, ratio: r.drain / leanDrainRate, aim: 'report' });
    }
    return results;
  } finally {
    await group?.stop();
    await db.end();
    await env.cleanup();
  }
}

if (require.main === module) {
  run().then((r) => { console.log(r); process.exit(0); }, (e: unknown) => { console.error(e); process.exit(1); });
}
