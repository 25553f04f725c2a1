import express, { Router } from 'express';
import type { AppDeps } from '../../../app-deps';
import { apiKeyAuth, requirePaidPlan } from '../../middleware/api-key-auth';
import { rateLimit } from '../../middleware/rate-limit';

/**
 * `/api/v1`: the booking API for integrators. Public routes (OpenAPI) come first; everything after
 * `apiKeyAuth` is scoped to the key's venue. One line per resource router.
 */
export function apiRouter(deps: AppDeps): Router {
  const router = Router();
  // Public routes (no key) go here.

  router.use(apiKeyAuth(deps.dataSource));
  router.use(rateLimit(deps.redis, deps.keyPrefix, deps.logger));
  router.use(requirePaidPlan);
  router.use(express.json({ limit: '1mb' }));
  // Resource routers go here, e.g. router.use(bookingsRouter(deps));
  return router;
}
