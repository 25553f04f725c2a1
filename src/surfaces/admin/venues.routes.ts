import { createVenue, loadVenueAggregate } from '../../modules/venues';
import { notFound } from '../../platform/app-error';
import { CREATE_VENUE_EXAMPLE, VENUE_EXAMPLE } from '../http/openapi/examples';
import { venueResponseSchema } from '../http/openapi/response-schemas';
import { bodySchema, defineOperation } from '../http/operation';
import { presentVenue } from '../http/presenters/venue.presenter';
import { changeVenueSettings } from '../../modules/venues';
import { createVenueSchema, updateVenueSchema, type CreateVenueBody, type UpdateVenueBody } from '../http/schemas/venue.schema';

export const venuesAdminOperations = [
  defineOperation({
    id: 'adminCreateVenue', method: 'post', path: '/venues', tag: 'Admin: venues', auth: 'admin',
    summary: 'Create a venue with its areas, tables, services and events',
    body: bodySchema<CreateVenueBody>(createVenueSchema), bodyExample: CREATE_VENUE_EXAMPLE,
    responses: [{ status: 201, description: 'Created, with ids for every part.', schema: venueResponseSchema, example: VENUE_EXAMPLE }],
    errors: ['conflict'],
    handler: (deps) => async ({ body, res }) => {
      // One transaction: a bad table or a duplicate slug leaves nothing behind.
      const agg = await deps.dataSource.transaction((em) => createVenue(em, body));
      res.status(201).json(presentVenue(agg));
    },
  }),
  defineOperation({
    id: 'adminGetVenue', method: 'get', path: '/venues/:venue_id', tag: 'Admin: venues', auth: 'admin',
    summary: 'A venue', responses: [{ status: 200, description: 'The venue.', schema: venueResponseSchema, example: VENUE_EXAMPLE }],
    errors: ['not_found'],
    handler: ({ dataSource: { manager: em } }) => async ({ params, res }) => {
      const agg = await loadVenueAggregate(em, params.venue_id);
      if (!agg) throw notFound('Venue');
      res.json(presentVenue(agg));
    },
  }),
  defineOperation({
    id: 'adminUpdateVenue', method: 'patch', path: '/venues/:venue_id', tag: 'Admin: venues', auth: 'admin',
    summary: "Change a venue's settings",
    description: 'As `PATCH /api/v1/venue`: only the settings given change; an unknown setting or a bad value is 400 `validation_error`.',
    body: bodySchema<UpdateVenueBody>(updateVenueSchema), bodyExample: { settings: { public_booking: false } },
    responses: [{ status: 200, description: 'The venue with its settings now in force.', schema: venueResponseSchema, example: VENUE_EXAMPLE }],
    errors: ['not_found'],
    handler: ({ dataSource: { manager: em } }) => async ({ params, body, res }) => {
      await changeVenueSettings(em, params.venue_id, body.settings);
      const agg = await loadVenueAggregate(em, params.venue_id);
      if (!agg) throw notFound('Venue');
      res.json(presentVenue(agg));
    },
  }),
];
