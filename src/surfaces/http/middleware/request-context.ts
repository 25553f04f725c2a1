import { randomUUID } from 'node:crypto';
import type { Express, Request } from 'express';
import type { Logger } from '../../../platform/logger';
import type { Metrics } from '../../../platform/metrics';

declare module 'http' {
  interface IncomingMessage {
    /** The request id: from a sane X-Request-Id, else a new UUID. */
    id: string;
    /** A logger whose lines carry `request_id`; built on first use. */
    log: Logger;
  }
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;
/** Probes and scrapes would drown the log. */
const NOT_LOGGED = new Set(['/healthz', '/metrics']);

const CHILD_LOGGER = Symbol('childLogger');
type WithChildLogger = Request & { [CHILD_LOGGER]?: Logger };

/**
 * Request id on every request and log line (taken from X-Request-Id when a caller sends a sane one),
 * echoed back in the response; one "request completed" line per request; request count/latency metrics
 * by route template. This replaces pino-http, whose per-request child logger (built eagerly, with its
 * serializers) cost about a tenth of the signed ingest path's CPU even with logging off: here `req.log`
 * is one lazy getter on the app's request prototype, and the access line is built only when its level
 * is enabled.
 */
export function installRequestContext(app: Express, logger: Logger, metrics: Metrics): void {
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: WithChildLogger): Logger {
      return (this[CHILD_LOGGER] ??= logger.child({ request_id: this.id }));
    },
  });

  // The labelled series, looked up once per (method, route, status) rather than hashed per request.
  const series = new Map<string, { requests: { inc(): void }; duration: { observe(v: number): void } }>();
  const seriesFor = (method: string, route: string, status: number) => {
    const key = `${method} ${route} ${status}`;
    let found = series.get(key);
    if (!found) {
      const labels = { method, route, status: String(status) };
      found = { requests: metrics.httpRequests.labels(labels), duration: metrics.httpDuration.labels(labels) };
      series.set(key, found);
    }
    return found;
  };

  app.use((req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);

    const startedAt = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      // Route templates (not raw URLs) keep label cardinality bounded.
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      const series = seriesFor(req.method, route, res.statusCode);
      series.requests.inc();
      series.duration.observe(seconds);

      const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level) || NOT_LOGGED.has(req.originalUrl)) return;
      logger[level](
        {
          request_id: id,
          req: { method: req.method, url: req.originalUrl },
          res: { status: res.statusCode },
          responseTime: Math.round(seconds * 1000),
        },
        'request completed',
      );
    });
    next();
  });
}
