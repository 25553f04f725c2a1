// Signed POS events per second accepted by the real endpoint at 64 connections, beside a lean reference in
// the same run: a bare Express route that verifies the HMAC and does one BullMQ add. Aim: real ≥ 0.8×.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import express from 'express';
import { createBenchEnv, median, type BenchResult } from './bench-env';
import { BENCH_PARTNER, BENCH_SECRET, salePayload, seedBenchPartner, startBenchApp } from './bench-app';

const CONNECTIONS = 64;
const ROUNDS = Number(process.env.BENCH_INGEST_ROUNDS ?? 5);
const ROUND_S = Number(process.env.BENCH_DURATION_S ?? 4);


function sign(body: string): string {
  return createHmac('sha256', BENCH_SECRET).update(body).digest('hex');
}

/** Fires signed events with distinct sale ids (no lock conflicts) and returns accepted (2xx) per second. */
export async function load(port: number, path: string, offset: number, seconds: number, connections = CONNECTIONS): Promise<{ rps: number; non2xx: number }> {
  let n = offset;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
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

/** Lean reference: the least any ingest endpoint must do (verify the HMAC, one BullMQ add), on a free port. */
export async function startLeanIngest(redisPrefix: string): Promise<{ port: number; close(): Promise<void> }> {
  const queue = new Queue('lean-ingest', { connection: { host: '127.0.0.1', port: 6379 }, prefix: redisPrefix });
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
  return {
    port: leanPort,
    async close() {
      leanServer.close();
      await queue.close();
    },
  };
}

export async function run(): Promise<BenchResult> {
  const env = await createBenchEnv('ingest');
  const app = await startBenchApp(env, 'api');
  try {
    await seedBenchPartner(app);
    const realPort = await app.listen(0);

    const leanIngest = await startLeanIngest(env.redisPrefix);
    const leanPort = leanIngest.port;

    // Warm both, then alternate short rounds of reference and real and take each side's median: a burst of
    // noise on this shared machine then moves one round, not the ratio.
    await load(leanPort, '/ingest', 0, 2);
    await load(realPort, `/partners/${BENCH_PARTNER}/events/sale.updated`, 3_000_000, 2);
    const referenceRounds: number[] = [];
    const realRounds: number[] = [];
    let realNon2xx = 0;
    let referenceNon2xx = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const ref = await load(leanPort, '/ingest', 1_000_000 + round * 200_000, ROUND_S);
      const got = await load(realPort, `/partners/${BENCH_PARTNER}/events/sale.updated`, 2_000_000 + round * 200_000, ROUND_S);
      referenceRounds.push(ref.rps);
      realRounds.push(got.rps);
      referenceNon2xx += ref.non2xx;
      realNon2xx += got.non2xx;
    }
    const reference = { rps: median(referenceRounds) };
    const real = { rps: median(realRounds) };
    await leanIngest.close();
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
