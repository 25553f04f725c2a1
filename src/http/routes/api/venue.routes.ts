import { Router } from 'express';
import type { AppDeps } from '../../../app-deps';
import { Service, type VenueEvent } from '../../../db/entities';
import { coversByEvent, upcomingEventsQuery } from '../../../domain/bookings/venue-context';
import { loadVenueAggregate } from '../../../domain/venues/create-venue';
import { notFound } from '../../../shared/app-error';
import { getAuth, requireScope } from '../../middleware/api-key-auth';
import { compileQuerySchema, listResponse, paginate, type Keyset } from '../../pagination';
import { presentEvent, presentService, presentVenue } from '../../presenters/venue.presenter';
import { PAGINATION_QUERY_PROPERTIES, type PaginationQuery } from '../../schemas/pagination.schema';

/** `GET /services` and `GET /events` take only the page parameters. */
export const venueListQuerySchema = {
  $id: 'VenueListQuery',
  type: 'object',
  additionalProperties: false,
  properties: { ...PAGINATION_QUERY_PROPERTIES },
} as const;
const parsePageQuery = compileQuerySchema<PaginationQuery>(venueListQuerySchema);

/** Services in the order of the day (ids of one venue's services may share their time prefix). */
const SERVICES_KEYSET: Keyset<Service> = {
  name: 'services',
  keys: [
    { column: 's.start_time', value: (s) => s.startTime },
    { column: 's.id', value: (s) => s.id },
  ],
};
const byStart = (a: Service, b: Service): number => a.startTime.localeCompare(b.startTime) || a.id.localeCompare(b.id);
const EVENTS_KEYSET: Keyset<VenueEvent> = {
  name: 'events',
  keys: [
    { column: 'e.date', value: (e) => e.date },
    { column: 'e.start_time', value: (e) => e.startTime },
    { column: 'e.id', value: (e) => e.id },
  ],
};

/** The key's own venue: profile with areas, tables, services (its hours) and events; services; upcoming events. */
export function venueRouter(deps: AppDeps): Router {
  const router = Router();
  const em = deps.dataSource.manager;

  router.get('/venue', requireScope('venue:read'), async (_req, res) => {
    const agg = await loadVenueAggregate(em, getAuth(res).venueId);
    if (!agg) throw notFound('Venue');
    res.json(presentVenue({ ...agg, services: [...agg.services].sort(byStart) }));
  });

  router.get('/services', requireScope('venue:read'), async (req, res) => {
    const page = await paginate(
      em.createQueryBuilder(Service, 's').where('s.venue_id = :venueId', { venueId: getAuth(res).venueId }),
      SERVICES_KEYSET,
      parsePageQuery(req.query),
    );
    res.json(listResponse(page.rows.map(presentService), page.nextCursor));
  });

  router.get('/events', requireScope('venue:read'), async (req, res) => {
    const page = await paginate(upcomingEventsQuery(em, getAuth(res).venue), EVENTS_KEYSET, parsePageQuery(req.query));
    const covers = await coversByEvent(em, page.rows.map((e) => e.id));
    const data = page.rows.map((e) => {
      const booked = covers.get(e.id) ?? 0;
      return { ...presentEvent(e), booked_covers: booked, remaining: Math.max(0, e.capacity - booked) };
    });
    res.json(listResponse(data, page.nextCursor));
  });

  return router;
}
