import { linkLocation, listLocations, presentLocation } from '../../modules/partners';
import { requirePartner } from '../../modules/partners';
import { bodySchema, defineOperation } from '../http/operation';
import { listResponse } from '../http/pagination';
import { listEnvelopeSchema } from '../http/schemas/pagination.schema';
import { locationSchema, putLocationSchema, type PutLocationBody } from '../http/schemas/partner.schema';
import { fieldError } from '../http/validation';

/** `/admin/v1/partners/:name/locations`: the POS's location ids linked to venues (the integrations). */
export const locationsAdminOperations = [
  defineOperation({
    id: 'adminPutLocation', method: 'put', path: '/partners/:name/locations/:location_id', tag: 'Admin: partners',
    auth: 'admin', summary: "Link the POS's location id to a venue (the integration)",
    body: bodySchema<PutLocationBody>(putLocationSchema), bodyExample: { venue_id: 'ven_0mhv2k1q3a8x4n2p7r9t1c', enabled: true },
    responses: [{ status: 200, description: 'The integration (created or changed).', schema: locationSchema }],
    errors: ['not_found'],
    handler: ({ dataSource: { manager: em } }) => async ({ body, params, req, res }) => {
      const locationId = params.location_id;
      if (locationId.length > 128) throw fieldError('location_id', 'must be at most 128 characters');
      const partner = await requirePartner(em, params.name);
      const linked = await linkLocation(em, partner, locationId, body);
      const { location, created } = linked;
      req.log.info({ partner: partner.name, location_id: locationId, venue_id: location.venueId, created }, 'partner location linked');
      res.json(presentLocation(partner, linked));
    },
  }),
  defineOperation({
    id: 'adminListLocations', method: 'get', path: '/partners/:name/locations', tag: 'Admin: partners', auth: 'admin',
    summary: "The partner's location links", responses: [{ status: 200, description: 'All of them (one page).', schema: listEnvelopeSchema(locationSchema) }],
    errors: ['not_found'],
    handler: ({ dataSource: { manager: em } }) => async ({ params, res }) => {
      const partner = await requirePartner(em, params.name);
      res.json(listResponse((await listLocations(em, partner)).map((l) => presentLocation(partner, l)), null));
    },
  }),
];
