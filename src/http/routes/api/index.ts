import { Router } from 'express';
import type { AppDeps } from '../../../app-deps';
import { jsonBody } from '../../body-parsers';
import { apiKeyCacheOf } from '../../middleware/api-key-cache';
import { apiKeyAuth, requirePaidPlan } from '../../middleware/api-key-auth';
import { rateLimit } from '../../middleware/rate-limit';
import { availabilityRouter } from './availability.routes';
import { bookingsRouter } from './bookings.routes';
import { customersRouter } from './customers.routes';
import { venueRouter } from './venue.routes';
import { openApiRouter } from './openapi.routes';
import { peopleRouter } from './people.routes';
import { sessionRouter } from './session.routes';
import { keyOrSession } from '../../session-auth';
import { salesRouter } from './sales.routes';
import { webhooksRouter } from './webhooks.routes';

/**
 * `/api/v1`: the booking API for integrators. Public routes (OpenAPI) come first; everything after
 * `apiKeyAuth` is scoped to the key's venue. One line per resource router.
 */
export function apiRouter(deps: AppDeps): Router {
  const router = Router();
  // Public routes (no key) go here.
  router.use(openApiRouter());
  // Signing in and invites need no key.
  router.use(sessionRouter(deps));

  // A key or a staff session: both end as the same ApiAuth (src/http/session-auth.ts).
  router.use(keyOrSession(deps, apiKeyAuth(apiKeyCacheOf(deps))));
  router.use(rateLimit(deps.redis, deps.keyPrefix, deps.logger));
  router.use(requirePaidPlan);
  router.use(jsonBody());
  // Resource routers go here, e.g. router.use(bookingsRouter(deps));
  router.use(venueRouter(deps));
  router.use(availabilityRouter(deps));
  router.use(bookingsRouter(deps));
  router.use(customersRouter(deps));
  router.use(salesRouter(deps));
  router.use(webhooksRouter(deps));
  router.use(peopleRouter(deps));
  return router;
}
