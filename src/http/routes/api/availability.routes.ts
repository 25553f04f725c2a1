import { Router } from 'express';
import type { AppDeps } from '../../../app-deps';
import { availabilityFor } from '../../../domain/bookings/venue-context';
import { getAuth, requireScope } from '../../middleware/api-key-auth';
import { compileQuerySchema } from '../../pagination';
import { availabilityQuerySchema, type AvailabilityQuery } from '../../schemas/availability.schema';

const parseAvailabilityQuery = compileQuerySchema<AvailabilityQuery>(availabilityQuerySchema);

export function availabilityRouter(deps: AppDeps): Router {
  const router = Router();

  router.get('/availability', requireScope('bookings:read'), async (req, res) => {
    const query = parseAvailabilityQuery(req.query);
    const availability = await availabilityFor(deps.dataSource.manager, getAuth(res).venue, query);
    res.json({
      date: availability.date,
      party_size: availability.party_size,
      // Which tables are free is the venue's business, not the integrator's.
      slots: availability.slots.map(({ table_ids: _tables, ...slot }) => slot),
    });
  });

  return router;
}
