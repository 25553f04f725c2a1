// The live stream (issue 13), on the compiled app as separate processes (test/helpers/processes.ts): one
// ROLE=api (serves the streams and takes the POS events) and one ROLE=worker (pipeline and outbox relay).
//
// latency: BENCH_LIVE_CLIENTS (50) SSE clients of one venue, signed POS sales at BENCH_LIVE_RATE (50/s)
//   for BENCH_LIVE_SECONDS (10) s; per (sale, client): the time from the POS's 200 (accepted) to that
//   client receiving the sale's `sale.recorded`. Aim: p95 < 1 s.
// memory: the API process's RSS idle, then with BENCH_LIVE_STREAMS (1,000) open streams. Aim: < 150 MB above idle.
// Lean reference, the same run and the same clients: a bare Node process (http + ioredis, no framework)
// whose POST publishes the body to Redis pub/sub and whose subscriber writes it to every SSE client: the
// transport alone, without queue, worker, database or relay; and the same process holding the streams.
import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import path from 'node:path';
import { startProcesses, type ProcessGroup } from '../test/helpers/processes';
import { BENCH_PARTNER, BENCH_SECRET, salePayload, seedBenchPartner } from './bench-app';
import { createBenchEnv, type BenchResult } from './bench-env';

const CLIENTS = Number(process.env.BENCH_LIVE_CLIENTS ?? 50);
const RATE = Number(process.env.BENCH_LIVE_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_LIVE_SECONDS ?? 10);
const STREAMS = Number(process.env.BENCH_LIVE_STREAMS ?? 1000);
const ROOT = path.join(__dirname, '..');

const agent = new Agent({ keepAlive: false, maxSockets: Infinity });

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Stream {
  started: Promise<void>;
  close(): void;
}

/** An SSE client; `onEvent(event, data, at)` per dispatched event. */
function openStream(url: string, headers: Record<string, string>, onEvent?: (event: string, data: string, at: number) => void): Stream {
  let close = () => undefined as void;
  const started = new Promise<void>((resolve, reject) => {
    const req = request(url, { agent, headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
      res.setEncoding('utf8');
      let buffer = '';
      let first = true;
      res.on('data', (chunk: string) => {
        if (first) {
          first = false;
          resolve();
        }
        if (!onEvent) return;
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = '';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data = line.slice(6);
          }
          if (data) onEvent(event, data, performance.now());
        }
      });
    });
    req.on('error', reject);
    req.end();
    close = () => void req.destroy();
  });
  return { started, close: () => close() };
}

function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends `RATE` events a second for `SECONDS`; `send(n)` resolves at acceptance. Returns the acceptance times. */
async function drive(send: (n: number) => Promise<void>, offset: number): Promise<number> {
  const total = RATE * SECONDS;
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await pause(wait);
    pending.push(send(offset + i));
  }
  await Promise.all(pending);
  return total;
}

/** Latency of `total` events × CLIENTS clients, from the accepted map and the receipts. */
function latencies(accepted: Map<string, number>, received: Map<string, number[]>): { samples: number[]; missing: number } {
  const samples: number[] = [];
  let missing = 0;
  for (const [id, at] of accepted) {
    const got = received.get(id) ?? [];
    missing += CLIENTS - got.length;
    for (const r of got) samples.push(r - at);
  }
  return { samples, missing };
}

const LEAN_SERVER = `
const http = require('http');
const Redis = require('ioredis');
const [redisUrl, channel] = process.argv.slice(1);
const pub = new Redis(redisUrl);
const sub = new Redis(redisUrl);
const clients = new Set();
sub.subscribe(channel);
sub.on('message', (_c, message) => { const frame = 'event: sale.recorded\\ndata: ' + message + '\\n\\n'; for (const res of clients) res.write(frame); });
setInterval(() => { for (const res of clients) res.write(': keep-alive\\n\\n'); }, 15000).unref();
const server = http.createServer((req, res) => {
  if (req.method === 'POST') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => pub.publish(channel, Buffer.concat(chunks).toString()).then(() => res.end('{"status":"accepted"}')));
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  res.write(': connected\\n\\n');
  clients.add(res);
  res.on('close', () => clients.delete(res));
});
server.listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port));
`;

async function startLean(redisUrl: string, channel: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['-e', LEAN_SERVER, redisUrl, channel], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /PORT (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`lean server exited ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

/** Idle RSS, then RSS with STREAMS open streams (after they all started and a settle). */
async function memoryWith(pid: number, open: () => Stream): Promise<{ idle: number; loaded: number }> {
  await pause(2000);
  const idle = rssMb(pid);
  const streams: Stream[] = [];
  for (let i = 0; i < STREAMS; i += 50) {
    const batch = Array.from({ length: Math.min(50, STREAMS - i) }, open);
    streams.push(...batch);
    await Promise.all(batch.map((s) => s.started));
  }
  await pause(3000);
  const loaded = rssMb(pid);
  for (const s of streams) s.close();
  await pause(1000);
  return { idle, loaded };
}

export async function run(): Promise<BenchResult[]> {
  execFileSync('bash', ['scripts/start.sh', '--build-if-stale'], { cwd: ROOT, stdio: 'inherit' });
  const env = await createBenchEnv('live');
  let group: ProcessGroup | null = null;
  let lean: { child: ChildProcess; url: string } | null = null;
  try {
    group = await startProcesses({ api: 1, workers: 1, baseEnv: env.env });
    const api = group.apis[0]!;
    const base = `http://127.0.0.1:${api.port}`;
    const adminToken = env.env.ADMIN_TOKEN!;
    const venueId = await seedBenchPartner({ url: base, adminToken });
    const keyRes = await fetch(`${base}/admin/v1/venues/${venueId}/api-keys`, {
      method: 'POST', headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'bench', scopes: ['bookings:read'], rate_limit_per_minute: 100_000 }),
    });
    const keyBody = (await keyRes.json()) as { key: string };
    if (keyRes.status !== 201) throw new Error(`api key: ${keyRes.status} ${JSON.stringify(keyBody)}`);
    const key = keyBody.key;
    const auth = { Authorization: `Bearer ${key}` };
    lean = await startLean(env.redisUrl, `${env.redisPrefix}:lean-live`);

    // Latency, real: 50 clients, 50 signed sales a second.
    // The real body names the POS's sale as `sale_id`; the lean one passes the POS payload (`id`) through.
    const saleIdOf = (data: string): string | null => /"(?:sale_)?id":"(B-\d+)"/.exec(data)?.[1] ?? null;
    const run1 = async (streamUrl: string, postUrl: string, sign: boolean, offset: number) => {
      const accepted = new Map<string, number>();
      const received = new Map<string, number[]>();
      /** Per sale: when the outbox row was written (its `created_at`), as an offset from acceptance, epoch ms. */
      const written = new Map<string, number>();
      const acceptedEpoch = new Map<string, number>();
      const clients = Array.from({ length: CLIENTS }, () =>
        openStream(streamUrl, auth, (event, data, at) => {
          if (event !== 'sale.recorded') return;
          const id = saleIdOf(data);
          if (!id) return;
          if (!written.has(id)) {
            const created = /"created_at":"([^"]+)"/.exec(data)?.[1];
            if (created) written.set(id, Date.parse(created));
          }
          const list = received.get(id);
          if (list) list.push(at);
          else received.set(id, [at]);
        }),
      );
      await Promise.all(clients.map((c) => c.started));
      let failed = 0;
      const total = await drive(async (n) => {
        const body = salePayload(n);
        const status = await post(postUrl, body, sign ? { 'X-Signature': createHmac('sha256', BENCH_SECRET).update(body).digest('hex') } : {});
        if (status !== 200) failed += 1;
        else {
          accepted.set(`B-${n}`, performance.now());
          acceptedEpoch.set(`B-${n}`, Date.now());
        }
      }, offset);
      // Let the tail arrive (or be counted missing).
      const deadline = performance.now() + 15_000;
      while (performance.now() < deadline && [...accepted.keys()].some((id) => (received.get(id)?.length ?? 0) < CLIENTS)) await pause(100);
      for (const c of clients) c.close();
      const { samples, missing } = latencies(accepted, received);
      // How much of it is the pipeline (accepted → its outbox row committed), the rest relay and push.
      const pipeline = [...written].flatMap(([id, at]) => (acceptedEpoch.has(id) ? [at - acceptedEpoch.get(id)!] : []));
      return { total, failed, samples, missing, pipeline };
    };
    // A short warm-up of the real path (JIT, pools), then the measured runs, reference first.
    await run1(`${base}/api/v1/stream`, `${base}/partners/${BENCH_PARTNER}/events/sale.updated`, true, 900_000).catch(() => undefined);
    const ref = await run1(lean.url, `${lean.url}/ingest`, false, 2_000_000);
    const real = await run1(`${base}/api/v1/stream`, `${base}/partners/${BENCH_PARTNER}/events/sale.updated`, true, 1_000_000);

    // Memory with 1,000 open streams, real then lean.
    const realMem = await memoryWith(api.child.pid!, () => openStream(`${base}/api/v1/stream`, auth));
    const leanMem = await memoryWith(lean.child.pid!, () => openStream(lean!.url, {}));

    // Shutdown with streams open: SIGTERM must end them and exit.
    const held = Array.from({ length: 20 }, () => openStream(`${base}/api/v1/stream`, auth));
    await Promise.all(held.map((s) => s.started));
    const t0 = performance.now();
    api.child.kill('SIGTERM');
    const code = await api.exited;
    const shutdownMs = performance.now() - t0;

    const p95 = percentile(real.samples, 95);
    const refP95 = percentile(ref.samples, 95);
    return [
      {
        name: 'live latency', unit: 'ms p95 (POS accepted → SSE received)', real: p95, reference: refP95, ratio: refP95 / p95, aim: 'p95 < 1000 ms',
        extra: {
          clients: CLIENTS, rate_per_s: RATE, events: real.total, samples: real.samples.length, missing: real.missing, failed_posts: real.failed,
          real_p50_ms: percentile(real.samples, 50).toFixed(0), real_p99_ms: percentile(real.samples, 99).toFixed(0), real_max_ms: Math.max(...real.samples).toFixed(0),
          pipeline_p50_ms: percentile(real.pipeline, 50).toFixed(0), pipeline_p95_ms: percentile(real.pipeline, 95).toFixed(0),
          reference_p50_ms: percentile(ref.samples, 50).toFixed(1), reference_missing: ref.missing,
        },
      },
      {
        name: 'live memory', unit: `MB RSS above idle, ${STREAMS} streams`, real: realMem.loaded - realMem.idle, reference: leanMem.loaded - leanMem.idle,
        ratio: (leanMem.loaded - leanMem.idle) / (realMem.loaded - realMem.idle), aim: '< 150 MB',
        extra: {
          real_idle_mb: realMem.idle.toFixed(0), real_loaded_mb: realMem.loaded.toFixed(0), reference_idle_mb: leanMem.idle.toFixed(0),
          reference_loaded_mb: leanMem.loaded.toFixed(0), sigterm_exit: String(code), sigterm_ms_with_20_streams: shutdownMs.toFixed(0),
        },
      },
    ];
  } finally {
    lean?.child.kill('SIGKILL');
    await group?.stop();
    await env.cleanup();
  }
}

if (require.main === module) {
  run().then((r) => { console.log(r); process.exit(0); }, (e: unknown) => { console.error(e); process.exit(1); });
}
