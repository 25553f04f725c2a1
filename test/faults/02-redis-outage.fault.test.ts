import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcesses, type ProcessGroup } from '../helpers/processes';
import { freePort, stopRedis } from '../helpers/private-redis';
import { waitFor } from '../helpers/wait-for';
import { missingSales, newSaleId, pool, postSigned, report, saleBody, settle, setupPos, startDurableRedis } from './fault-helpers';

async function redisAnswers(port: number): Promise<boolean> {
  const { Redis } = await import('ioredis');
  const probe = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/**
 * Fault 2 (issue 18): the private Redis is killed (SIGKILL) mid-stream and restarted on the same data (AOF,
 * fsync always: what a 200 was acknowledged on survives). While it is down ingest answers 503 `unavailable`;
 * every event answered 200, before, during or after, is processed.
 */
describe('fault 2: Redis stopped mid-stream', () => {
  let port: number;
  let dir: string;
  let redis: ChildProcess;
  let group: ProcessGroup;
  beforeAll(async () => {
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'tablesync-redis-'));
    redis = startDurableRedis(port, dir);
    await waitFor(() => redisAnswers(port), { what: 'the private redis-server' });
    group = await startProcesses({ api: 1, workers: 1, env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
  }, 120_000);
  afterAll(async () => {
    await group?.stop();
    if (redis) await stopRedis(redis);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 unavailable while down, never 200 for an event not queued; every acknowledged event is processed after the restart', async () => {
    const db = await group.db();
    const { partner } = await setupPos(group);
    const total = 1500;
    const accepted = new Map<string, string>();
    const saleIds: string[] = [];
    const statuses = new Map<number, number>();
    let other5xx = 0;
    let duringOutage = 0;
    let down = false;
    let outage: Promise<void> | null = null;
    await pool(total, 16, async (i) => {
      if (i === 500 && !outage) {
        // Down for a while (at least 300 sends and 3 s), then back on the same data.
        outage = (async () => {
          await stopRedis(redis);
          down = true;
          const since = Date.now();
          await waitFor(async () => duringOutage >= 300 && Date.now() - since > 3000, { timeoutMs: 60_000, what: 'sends during the outage' });
          redis = startDurableRedis(port, dir);
          await waitFor(() => redisAnswers(port), { what: 'the restarted redis-server' });
          down = false;
        })();
      }
      const saleId = newSaleId();
      saleIds.push(saleId);
      const wasDown = down;
      const res = await postSigned(group.nextUrl(), partner, saleBody(saleId));
      if (wasDown && down) duringOutage++;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500 && !(res.status === 503 && res.body?.error?.code === 'unavailable')) other5xx++;
      if (res.status === 200) accepted.set(res.body.event_id as string, saleId);
    });
    await outage;
    const result = await settle(db, partner.name, accepted);
    const lost = result.lost + (await missingSales(db, partner.name, [...new Set(accepted.values())]));
    const fiveXx = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
    report('02 Redis SIGKILLed mid-stream, restarted on its AOF (1 api, 1 worker)', {
      sent: total,
      accepted: accepted.size,
      processed: result.processed,
      lost,
      duplicated: result.duplicated,
      '5xx': fiveXx,
      '503_unavailable': statuses.get(503) ?? 0,
      other_5xx: other5xx,
      network_errors: statuses.get(0) ?? 0,
    });
    expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
    expect(other5xx).toBe(0);
    expect(lost).toBe(0);
    expect(result.duplicated).toBe(0);
    expect(result.processed).toBe(accepted.size);
  }, 420_000);
});
