import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../../shared/logger';
import type { Metrics } from '../../shared/metrics';

/**
 * Request id on every request and log line (taken from X-Request-Id when a caller sends a sane one),
 * echoed back in the response, plus request count/latency metrics by route template.
 */
export function requestContext(logger: Logger, metrics: Metrics): RequestHandler[] {
  const http = pinoHttp({
    logger,
    genReqId: (req, res) => {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && /^[A-Za-z0-9._-]{1,100}$/.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customAttributeKeys: { reqId: 'request_id' },
    // Lines logged through req.log carry just the request id, not the whole request.
    quietReqLogger: true,
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
  });
  const timing: RequestHandler = (req, res, next) => {
    const end = metrics.httpDuration.startTimer();
    res.on('finish', () => {
      // Route templates (not raw URLs) keep label cardinality bounded.
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      end(labels);
    });
    next();
  };
  return [http, timing];
}
