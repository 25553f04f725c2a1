import { Router } from 'express';
import type { AppDeps } from '../../../app-deps';
import { listTemplates, presentTemplate } from '../../../domain/partners/catalog';
import { listResponse } from '../../pagination';

/** `GET /admin/v1/catalog`: the ready partner templates (CONTRACT §13), one page. */
export function catalogAdminRouter(_deps: AppDeps): Router {
  const router = Router();
  router.get('/catalog', (_req, res) => {
    res.json(listResponse(listTemplates().map(presentTemplate), null));
  });
  return router;
}
