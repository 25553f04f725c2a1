import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly queueDepth: Gauge<'queue' | 'state'>;
  readonly inboundEvents: Counter<'partner' | 'outcome'>;
}

/** One registry per composed app (not prom-client's global), so tests can build several side by side. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'tablesync_http_requests_total',
      help: 'HTTP requests by route template and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'tablesync_http_request_duration_seconds',
      help: 'HTTP request latency by route template',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'tablesync_queue_jobs',
      help: 'BullMQ jobs by queue and state (sampled on scrape)',
      labelNames: ['queue', 'state'],
      registers: [registry],
    }),
    inboundEvents: new Counter({
      name: 'tablesync_inbound_events_total',
      help: 'POS events by partner and outcome',
      labelNames: ['partner', 'outcome'],
      registers: [registry],
    }),
  };
}
