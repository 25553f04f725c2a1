import { Router } from 'express';
import type { AppDeps } from '../../../app-deps';
import { adminAuth } from '../../middleware/admin-auth';
import { losslessJsonBody } from '../../middleware/lossless-json-body';
import { apiKeysAdminRouter } from './api-keys.routes';
import { eventsAdminRouter } from './events.routes';
import { locationsAdminRouter } from './locations.routes';
import { mappingsAdminRouter } from './mappings.routes';
import { partnersAdminRouter } from './partners.routes';
import { schemasAdminRouter } from './schemas.routes';
import { venuesAdminRouter } from './venues.routes';

/** `/admin/v1`: every admin resource router, behind the admin token. One line per resource. */
export function adminRouter(deps: AppDeps): Router {
  const router = Router();
  router.use(adminAuth(deps.config.adminToken));
  router.use(losslessJsonBody('1mb'));
  router.use(venuesAdminRouter(deps));
  router.use(apiKeysAdminRouter(deps));
  router.use(partnersAdminRouter(deps));
  router.use(locationsAdminRouter(deps));
  router.use(mappingsAdminRouter(deps));
  router.use(eventsAdminRouter(deps));
  router.use(schemasAdminRouter());
  return router;
}
