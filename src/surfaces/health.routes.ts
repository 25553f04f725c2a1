import { healthResponseSchema, readinessResponseSchema } from './http/openapi/response-schemas';
import { outageLog } from '../platform/logger';
import { defineOperation } from './http/operation';

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

/** `/healthz`, `/readyz`, `/metrics`: for load balancers and Prometheus, no auth. */
export const healthOperations = [
  defineOperation({
    id: 'getHealth', method: 'get', path: '/healthz', tag: 'Operations', auth: 'public',
    summary: 'Liveness: 200 while the process runs',
    responses: [{ status: 200, description: 'Alive.', schema: healthResponseSchema, example: { status: 'ok' } }],
    handler: () => ({ res }) => {
      res.json({ status: 'ok' });
    },
  }),
  defineOperation({
    id: 'getReadiness', method: 'get', path: '/readyz', tag: 'Operations', auth: 'public',
    summary: 'Readiness: 200 when MySQL and Redis answer, else 503',
    responses: [
      { status: 200, description: 'Ready.', schema: readinessResponseSchema, example: { status: 'ready', checks: { mysql: 'ok', redis: 'ok' } } },
      { status: 503, description: 'A dependency is down.', schema: readinessResponseSchema, example: { status: 'unavailable', checks: { mysql: 'ok', redis: 'down' } } },
    ],
    handler: (deps) => async ({ res }) => {
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
    },
  }),
  defineOperation({
    id: 'getMetrics', method: 'get', path: '/metrics', tag: 'Operations', auth: 'public',
    summary: 'Prometheus metrics (text exposition format)',
    responses: [{ status: 200, description: 'Metrics.', contentType: 'text/plain', schema: { type: 'string' } }],
    handler: (deps) => async ({ res }) => {
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
    },
  }),
];
