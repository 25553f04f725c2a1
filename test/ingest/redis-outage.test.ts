import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { createVenue } from '../helpers/fixtures';
import {
  createTestPartner,
  linkLocation,
  putMapping,
  SALE_MAPPING,
  saleEvent,
  signedPost,
  startHubApp,
  type HubApp,
  type TestPartner,
} from '../helpers/partner';
import { uniq } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';

/** A private, throwaway redis-server on a free port: the shared one is never stopped. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const probe = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  await waitFor(async () => {
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      probe.disconnect();
      return false;
    }
  }, { what: 'private redis-server' });
  probe.disconnect();
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('partner ingestion: Redis down (CONTRACT §4)', () => {
  let port: number;
  let redis: ChildProcess;
  let t: HubApp;
  let partner: TestPartner;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    t = await startHubApp({ REDIS_URL: `redis://127.0.0.1:${port}` });
    const venueId = (await createVenue(t)).id;
    partner = await createTestPartner(t);
    await putMapping(t, partner.name, 'sale.updated', SALE_MAPPING);
    await linkLocation(t, partner.name, 'loc-1', venueId);
  });
  afterAll(async () => {
    await t.stop();
    await stopRedis(redis);
  });

  it('answers 503 unavailable, never 200, while the event cannot be queued; and 200 again once Redis is back', async () => {
    const before = await signedPost(t, partner, 'sale.updated', saleEvent({ id: uniq('S') }));
    expect(before.status).toBe(200);

    await stopRedis(redis);
    for (const saleId of [uniq('S'), uniq('S')]) {
      const res = await signedPost(t, partner, 'sale.updated', saleEvent({ id: saleId }));
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('unavailable');
    }

    redis = await startRedis(port);
    const after = await waitFor(async () => {
      const res = await signedPost(t, partner, 'sale.updated', saleEvent({ id: uniq('S') }));
      return res.status === 200 ? res : null;
    }, { what: 'ingestion to recover', timeoutMs: 15_000 });
    expect(after.body.status).toBe('accepted');
    expect(await t.composed.deps.queues.inboundEvents.getJob(after.body.event_id)).toBeTruthy();
  }, 40_000);
});
