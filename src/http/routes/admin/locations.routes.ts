import { Router } from 'express';
import type { AppDeps } from '../../../app-deps';
import { linkLocation, listLocations, presentLocation } from '../../../domain/partners/locations';
import { requirePartner } from '../../../domain/partners/partners';
import { listResponse } from '../../pagination';
import { putLocationSchema, type PutLocationBody } from '../../schemas/partner.schema';
import { compileSchema, fieldError, parseWith } from '../../validation';

const validatePut = compileSchema<PutLocationBody>(putLocationSchema);

/** `/admin/v1/partners/:name/locations`: the POS's location ids linked to venues (the integrations). */
export function locationsAdminRouter(deps: AppDeps): Router {
  const router = Router();
  const em = deps.dataSource.manager;

  router.put('/partners/:name/locations/:location_id', async (req, res) => {
    const body = parseWith(validatePut, req.body);
    const locationId = req.params.location_id;
    if (locationId.length > 128) throw fieldError('location_id', 'must be at most 128 characters');
    const partner = await requirePartner(em, req.params.name);
    const linked = await linkLocation(em, partner, locationId, body);
    const { location, created } = linked;
    req.log.info({ partner: partner.name, location_id: locationId, venue_id: location.venueId, created }, 'partner location linked');
    res.json(presentLocation(partner, linked));
  });

  router.get('/partners/:name/locations', async (req, res) => {
    const partner = await requirePartner(em, req.params.name);
    res.json(listResponse((await listLocations(em, partner)).map((l) => presentLocation(partner, l)), null));
  });

  return router;
}
