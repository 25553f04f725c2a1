import { Service, type VenueEvent } from '../../platform/db/entities';
import { coversByEvent, upcomingEventsQuery } from '../../modules/diary';
import { loadVenueAggregate } from '../../modules/venues';
import { notFound } from '../../platform/app-error';
import { VENUE_EXAMPLE } from '../http/openapi/examples';
import { serviceResponseSchema, venueEventResponseSchema, venueResponseSchema } from '../http/openapi/response-schemas';
import { bodySchema, defineOperation, querySchema } from '../http/operation';
import { listResponse, pageResponse, paginate, type Keyset } from '../http/pagination';
import { presentEvent, presentService, presentVenue } from '../http/presenters/venue.presenter';
import { listEnvelopeSchema, PAGE_QUERY_SCHEMA, type PaginationQuery } from '../http/schemas/pagination.schema';
import { updateServiceSchema, updateVenueSchema, type UpdateServiceBody, type UpdateVenueBody } from '../http/schemas/venue.schema';
import { changeVenueSettings } from '../../modules/venues';

/** `GET /services` and `GET /events` take only the page parameters. */
const pageQuery = querySchema<PaginationQuery>(PAGE_QUERY_SCHEMA);

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
export const venueOperations = [
  defineOperation({
    id: 'getVenue', method: 'get', path: '/venue', tag: 'Venue', auth: 'apiKey', scope: 'venue:read', channels: true,
    summary: "The key's venue: profile, areas and tables, services, events",
    responses: [{ status: 200, description: 'The venue.', schema: venueResponseSchema, example: VENUE_EXAMPLE }],
    handler: ({ dataSource: { manager: em } }) => async ({ venue, res }) => {
      const agg = await loadVenueAggregate(em, venue.id);
      if (!agg) throw notFound('Venue');
      res.json(presentVenue({ ...agg, services: [...agg.services].sort(byStart) }));
    },
  }),
  defineOperation({
    id: 'updateVenue', method: 'patch', path: '/venue', tag: 'Venue', auth: 'apiKey', scope: 'venue:write',
    summary: "Change the venue's settings (its booking rules)",
    description: 'Only the settings given change; `party_size` and `theme` merge field by field. An unknown setting or a bad value is 400 `validation_error` and changes nothing.',
    body: bodySchema<UpdateVenueBody>(updateVenueSchema), bodyExample: { settings: { max_instant_party_size: 6, cancellation_hours: 12 } },
    responses: [{ status: 200, description: 'The venue with its settings now in force.', schema: venueResponseSchema, example: VENUE_EXAMPLE }],
    handler: ({ dataSource }) => async ({ body, venue, res }) => {
      await changeVenueSettings(dataSource.manager, venue.id, body.settings);
      const agg = await loadVenueAggregate(dataSource.manager, venue.id);
      if (!agg) throw notFound('Venue');
      res.json(presentVenue({ ...agg, services: [...agg.services].sort(byStart) }));
    },
  }),
  defineOperation({
    id: 'listServices', method: 'get', path: '/services', tag: 'Venue', auth: 'apiKey', scope: 'venue:read', channels: true,
    summary: "The venue's services (opening hours and slot grids)", query: pageQuery,
    responses: [{ status: 200, description: 'Services.', schema: listEnvelopeSchema(serviceResponseSchema) }],
    handler: ({ dataSource: { manager: em } }) => async ({ query, venue, res }) => {
      const page = await paginate(em.createQueryBuilder(Service, 's').where('s.venue_id = :venueId', { venueId: venue.id }), SERVICES_KEYSET, query);
      res.json(pageResponse(page, presentService));
    },
  }),
  defineOperation({
    id: 'updateService', method: 'patch', path: '/services/:id', tag: 'Venue', auth: 'apiKey', scope: 'venue:write',
    summary: 'Change a service (whether its online bookings need approval)',
    body: bodySchema<UpdateServiceBody>(updateServiceSchema), bodyExample: { requires_approval: true },
    responses: [{ status: 200, description: 'The service.', schema: serviceResponseSchema }],
    errors: ['not_found'],
    handler: ({ dataSource: { manager: em } }) => async ({ params, body, venue, res }) => {
      const service = await em.findOne(Service, { where: { id: params.id, venueId: venue.id } });
      if (!service) throw notFound('Service');
      if (body.requires_approval !== undefined) service.requiresApproval = body.requires_approval;
      await em.update(Service, { id: service.id }, { requiresApproval: service.requiresApproval });
      res.json(presentService(service));
    },
  }),
  defineOperation({
    id: 'listEvents', method: 'get', path: '/events', tag: 'Venue', auth: 'apiKey', scope: 'venue:read', channels: true,
    summary: 'Upcoming events with their capacity and places remaining', query: pageQuery,
    responses: [{ status: 200, description: 'Events.', schema: listEnvelopeSchema(venueEventResponseSchema) }],
    handler: ({ dataSource: { manager: em } }) => async ({ query, venue, res }) => {
      const page = await paginate(upcomingEventsQuery(em, venue), EVENTS_KEYSET, query);
      const covers = await coversByEvent(em, page.rows.map((e) => e.id));
      const data = page.rows.map((e) => {
        const booked = covers.get(e.id) ?? 0;
        return { ...presentEvent(e), booked_covers: booked, remaining: Math.max(0, e.capacity - booked) };
      });
      res.json(listResponse(data, page.nextCursor));
    },
  }),
];
