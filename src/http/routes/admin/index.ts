import { Router } from 'express';
import type { AppDeps } from '../../../app-deps';
import { jsonBody } from '../../body-parsers';
import { adminAuth } from '../../middleware/admin-auth';
import { apiKeysAdminRouter } from './api-keys.routes';
import { catalogAdminRouter } from './catalog.routes';
import { eventsAdminRouter } from './events.routes';
import { locationsAdminRouter } from './locations.routes';
import { mappingsAdminRouter } from './mappings.routes';
import { partnersAdminRouter } from './partners.routes';
import { peopleAdminRouter } from './people.routes';
import { adminTokenOrOperator } from '../../session-auth';
import { schemasAdminRouter } from './schemas.routes';
import { venuesAdminRouter } from './venues.routes';

/** `/admin/v1`: every admin resource router, behind the admin token. One line per resource. */
export function adminRouter(deps: AppDeps): Router {
  const router = Router();
  // The admin token, or an operator's session (src/http/session-auth.ts).
  router.use(adminTokenOrOperator(deps, adminAuth(deps.config.adminToken)));
  router.use(jsonBody(undefined, { lossless: true }));
  router.use(venuesAdminRouter(deps));
  router.use(apiKeysAdminRouter(deps));
  router.use(partnersAdminRouter(deps));
  router.use(catalogAdminRouter(deps));
  router.use(locationsAdminRouter(deps));
  router.use(mappingsAdminRouter(deps));
  router.use(eventsAdminRouter(deps));
  router.use(peopleAdminRouter(deps));
  router.use(schemasAdminRouter());
  return router;
}
