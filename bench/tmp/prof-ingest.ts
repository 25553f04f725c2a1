// Signed POS events per second accepted by the real endpoint at 64 connections, beside a lean reference in
// the same run: a bare Express route that verifies the HMAC and does one BullMQ add. Aim: real ≥ 0.8×.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import express from 'express';
import { createBenchEnv, median, type BenchResult } from '../bench-env';
import { BENCH_PARTNER, BENCH_SECRET, salePayload, seedBenchPartner, startBenchApp } from '../bench-app';

const CONNECTIONS = 64;
const ROUNDS = Number(process.env.BENCH_INGEST_ROUNDS ?? 5);
const ROUND_S = Number(process.env.BENCH_DURATION_S ?? 4);


function sign(body: string): string {
  return createHmac('sha256', BENCH_SECRET).update(body).digest('hex');
}

/** Fires signed events with distinct sale ids (no lock conflicts) and returns accepted (2xx) per second. */
async function load(port: number, path: string, offset: number, seconds: number): Promise<{ rps: number; non2xx: number }> {
  let n = offset;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{
      method: 'POST',
      path,
      setupRequest: (req) => {
        const body = salePayload(n++);
        return { ...req, body, headers: { 'content-type': 'application/json', 'x-signature': sign(body) } };
      },
    }],
  });
  return { rps: result['2xx'] / seconds, non2xx: result.non2xx + result.errors };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

export async function run(): Promise<BenchResult> {
  const env = await createBenchEnv('ingest');
  const app = await startBenchApp(env, 'api');
  try {
    await seedBenchPartner(app);
    const realPort = await app.listen(0);

    // Lean reference: the least any ingest endpoint must do.
    const queue = new Queue('lean-ingest', { connection: { host: '127.0.0.1', port: 6379 }, prefix: env.redisPrefix });
    const lean = express();
    lean.post('/ingest', express.raw({ type: '*/*', limit: '1mb' }), async (req, res) => {
      const expected = Buffer.from(createHmac('sha256', BENCH_SECRET).update(req.body as Buffer).digest('hex'));
      const given = Buffer.from(String(req.headers['x-signature'] ?? ''));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.status(400).end();
        return;
      }
      const job = await queue.add('event', { raw: (req.body as Buffer).toString('utf8') });
      res.json({ status: 'accepted', event_id: job.id });
    });
    const leanServer = createServer(lean);
    const leanPort = await listen(leanServer);

    const side = process.env.SIDE ?? 'real';
    const referenceRounds: number[] = []; const realRounds: number[] = []; let realNon2xx = 0; let referenceNon2xx = 0;
    const c0 = process.cpuUsage(); const t0 = Date.now();
    if (side === 'lean') referenceRounds.push((await load(leanPort, '/ingest', 0, 10)).rps); else referenceRounds.push(1);
    if (side === 'real') realRounds.push((await load(realPort, `/partners/${BENCH_PARTNER}/events/sale.updated`, 0, 10)).rps); else realRounds.push(1);
    { const c = process.cpuUsage(c0); const n = (side === 'lean' ? referenceRounds[0]! : realRounds[0]!) * 10; console.log(`CPU ${side}: ${((c.user + c.system) / n).toFixed(1)} us/req (user ${(c.user/n).toFixed(1)}) rps ${(n/10).toFixed(0)} wall ${Date.now()-t0}`); }
    const reference = { rps: median(referenceRounds) };
    const real = { rps: median(realRounds) };
    leanServer.close();
    await queue.close();
    return {
      name: 'ingest', unit: 'events/s', real: real.rps, reference: reference.rps, ratio: real.rps / reference.rps, aim: '>= 0.8',
      extra: {
        connections: CONNECTIONS, rounds: ROUNDS, round_s: ROUND_S, real_non2xx: realNon2xx, reference_non2xx: referenceNon2xx,
        real_rounds: realRounds.map(Math.round).join('/'), reference_rounds: referenceRounds.map(Math.round).join('/'),
      },
    };
  } finally {
    await app.stop();
    await env.cleanup();
  }
}

if (require.main === module) {
  run().then((r) => { console.log(r); process.exit(0); }, (e: unknown) => { console.error(e); process.exit(1); });
}
