import { Router } from 'express';
import type { AppDeps } from '../../app-deps';
import { outageLog } from '../../shared/logger';

const CHECK_TIMEOUT_MS = 1500;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    p.then((v) => { clearTimeout(timer); resolve(v); }, (e: unknown) => { clearTimeout(timer); reject(e); });
  });
}

async function ok(check: () => Promise<unknown>): Promise<boolean> {
  try {
    await withTimeout(check(), CHECK_TIMEOUT_MS);
    return true;
  } catch {
    return false;
  }
}

export function healthRouter(deps: AppDeps): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const [mysql, redis] = await Promise.all([
      ok(() => deps.dataSource.query('SELECT 1')),
      ok(() => deps.redis.ping()),
    ]);
    const ready = mysql && redis;
    // Probes are what an API process sees of a recovery: the outage's "reachable again" line.
    if (mysql) outageLog('database').recovered(deps.logger);
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'unavailable',
      checks: { mysql: mysql ? 'ok' : 'down', redis: redis ? 'ok' : 'down' },
    });
  });

  router.get('/metrics', async (_req, res) => {
    // Queue depths are sampled on scrape; a Redis outage must not break the scrape itself.
    for (const queue of Object.values(deps.queues)) {
      try {
        const counts = await withTimeout(queue.getJobCounts('waiting', 'active', 'delayed', 'failed'), CHECK_TIMEOUT_MS);
        for (const [state, n] of Object.entries(counts)) deps.metrics.queueDepth.set({ queue: queue.name, state }, n);
      } catch {
        /* leave the last sample */
      }
    }
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });

  return router;
}
