import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import type { AppDeps } from '../app-deps';
import { errorEnvelope, notFoundHandler } from './http/middleware/error-envelope';
import { installRequestContext } from './http/middleware/request-context';
import { operationsRouter } from './http/mount-operations';
import type { Surface } from './http/operation';
import { docsAssetsRouter } from './docs.routes';
import { ADMIN, INTEGRATOR_API, PARTNER_INGRESS, PUBLIC_API, SERVICE } from './surfaces';
import { webAppRouter } from './web/web-app';
import { guestPagesRouter } from './web/guest-pages';

const INGEST_PREFIX = `${PARTNER_INGRESS.prefix}/`;

/** One router and where it is mounted: a surface's declared operations, or files that are not API operations. */
export type AppMount = { path: string; router: Router } & ({ surface: Surface } | { files: true });

function surfaceMount(deps: AppDeps, surface: Surface): AppMount {
  return { path: surface.prefix || '/', router: operationsRouter(deps, surface.operations), surface };
}

/**
 * Every router the app serves, in mount order. createApp mounts exactly these; the API mounts (`/api`,
 * `/admin`, `/partners`) are surfaces, whose operations are also what the OpenAPI document lists.
 */
export function appMounts(deps: AppDeps): AppMount[] {
  return [
    // The POS ingest routes first: they take the most traffic, and every mount before them costs a match.
    surfaceMount(deps, PARTNER_INGRESS),
    surfaceMount(deps, SERVICE),
    { path: '/', router: docsAssetsRouter(), files: true },
    surfaceMount(deps, ADMIN),
    // Before /api/v1, whose fallback asks every other path for a key.
    surfaceMount(deps, PUBLIC_API),
    surfaceMount(deps, INTEGRATOR_API),
  ];
}

/**
 * Builds the Express app from its dependencies (no listen), so tests build it against their own database
 * and Redis prefix. Body parsing is per router: raw bytes on the signed partner routes, JSON elsewhere.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // No ETags: Express hashes every response body for one, POSTs included; our clients are servers that
  // re-read a resource by id (or follow webhooks), not caches revalidating.
  app.set('etag', false);
  // TRUST_PROXY decides whose X-Forwarded-For is believed for req.ip (the public API's per-IP limit, CONTRACT §10).
  app.set('trust proxy', typeof deps.config.trustProxy === 'object' ? [...deps.config.trustProxy] : deps.config.trustProxy);
  // Browser security headers on every route but the POS ingest ones: those answer servers with a line of
  // JSON, and helmet's dozen headers were a measurable share of the hottest path.
  // helmet's headers are fixed by its options, so they are worked out once and set in one step.
  const securityHeaders = headersSetBy(helmet({ contentSecurityPolicy: false }));
  app.use((req, res, next) => {
    if (!req.url.startsWith(INGEST_PREFIX)) for (const [name, value] of securityHeaders) res.setHeader(name, value);
    next();
  });
  installRequestContext(app, deps.logger, deps.metrics);

  for (const mount of appMounts(deps)) app.use(mount.path, mount.router);
  // Pages, not API operations: outside appMounts, so the OpenAPI document leaves them out.
  app.use('/app', webAppRouter());
  // The guests' pages: the widget, its embed script, the manage and review pages (CONTRACT §10).
  app.use(guestPagesRouter(deps));

  app.use(notFoundHandler);
  app.use(errorEnvelope);
  return app;
}

/**
 * The headers a middleware of fixed options sets on every response (helmet's), read off one run against
 * a stand-in response. It must set them at once and read nothing of the request; what it removes is
 * ignored (helmet removes X-Powered-By, which this app never sends: x-powered-by is disabled above).
 */
function headersSetBy(middleware: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void): [string, string][] {
  const headers: [string, string][] = [];
  const res = {
    setHeader: (name: string, value: unknown) => headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  let called = false;
  middleware({} as IncomingMessage, res as unknown as ServerResponse, () => (called = true));
  if (!called) throw new Error('headersSetBy: the middleware did not finish at once');
  return headers;
}
