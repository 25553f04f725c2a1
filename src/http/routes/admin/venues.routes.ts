import { Router } from 'express';
import type { AppDeps } from '../../../app-deps';
import { createVenue, loadVenueAggregate } from '../../../domain/venues/create-venue';
import { notFound } from '../../../shared/app-error';
import { presentVenue } from '../../presenters/venue.presenter';
import { createVenueSchema, type CreateVenueBody } from '../../schemas/venue.schema';
import { compileSchema, parseWith } from '../../validation';

const validateCreateVenue = compileSchema<CreateVenueBody>(createVenueSchema);

export function venuesAdminRouter(deps: AppDeps): Router {
  const router = Router();

  router.post('/venues', async (req, res) => {
    const body = parseWith(validateCreateVenue, req.body);
    // One transaction: a bad table or a duplicate slug leaves nothing behind.
    const agg = await deps.dataSource.transaction((em) => createVenue(em, body));
    res.status(201).json(presentVenue(agg));
  });

  router.get('/venues/:venue_id', async (req, res) => {
    const agg = await loadVenueAggregate(deps.dataSource.manager, req.params.venue_id);
    if (!agg) throw notFound('Venue');
    res.json(presentVenue(agg));
  });

  return router;
}
