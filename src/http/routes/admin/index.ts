import express, { Router } from 'express';
import type { AppDeps } from '../../../app-deps';
import { adminAuth } from '../../middleware/admin-auth';
import { apiKeysAdminRouter } from './api-keys.routes';
import { venuesAdminRouter } from './venues.routes';

/** `/admin/v1`: every admin resource router, behind the admin token. One line per resource. */
export function adminRouter(deps: AppDeps): Router {
  const router = Router();
  router.use(adminAuth(deps.config.adminToken));
  router.use(express.json({ limit: '1mb' }));
  router.use(venuesAdminRouter(deps));
  router.use(apiKeysAdminRouter(deps));
  return router;
}
