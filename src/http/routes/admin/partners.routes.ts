import { Partner } from '../../../db/entities';
import {
  createPartner,
  presentPartner,
  presentPartnerWithSecret,
  requirePartner,
  updatePartner,
} from '../../../domain/partners/partners';
import { announcePartnerChange } from '../../../ingest/partner-cache';
import { bodySchema, defineOperation, querySchema } from '../../operation';
import { decodeCursor, encodeCursor, listResponse } from '../../pagination';
import { listEnvelopeSchema, PAGINATION_QUERY_PROPERTIES, type PaginationQuery } from '../../schemas/pagination.schema';
import {
  createPartnerSchema,
  partnerCreatedSchema,
  partnerSchema,
  updatePartnerSchema,
  type CreatePartnerBody,
  type UpdatePartnerBody,
} from '../../schemas/partner.schema';

const pageQuery = querySchema<PaginationQuery>({
  type: 'object',
  additionalProperties: false,
  properties: { ...PAGINATION_QUERY_PROPERTIES },
});

/** `/admin/v1/partners`: register POS partners, list them, change them (CONTRACT §3). */
export const partnersAdminOperations = [
  defineOperation({
    id: 'adminCreatePartner', method: 'post', path: '/partners', tag: 'Admin: partners', auth: 'admin',
    summary: 'Register a POS partner',
    description: 'Where `signature.secret` is not given one is generated and returned this once. Secrets are encrypted at rest and never returned afterwards.',
    body: bodySchema<CreatePartnerBody>(createPartnerSchema), bodyExample: { name: 'lightspeed', signature: { scheme: 'hmac-sha256-hex' }, ack: 'queued' },
    responses: [{ status: 201, description: 'Created.', schema: partnerCreatedSchema }],
    errors: ['conflict'],
    handler: (deps) => async ({ body, req, res }) => {
      const { partner, generatedSecret } = await createPartner(deps.dataSource.manager, deps.secretBox, body);
      // A negative cache entry for the name (an event posted before it existed) must go.
      await announcePartnerChange(deps, partner.name);
      req.log.info({ partner: partner.name, secret_generated: generatedSecret !== null }, 'partner created');
      res.status(201).json(presentPartnerWithSecret(partner, generatedSecret));
    },
  }),
  defineOperation({
    id: 'adminListPartners', method: 'get', path: '/partners', tag: 'Admin: partners', auth: 'admin',
    summary: 'All partners, by name', query: pageQuery, responses: [{ status: 200, description: 'Partners.', schema: listEnvelopeSchema(partnerSchema) }],
    handler: ({ dataSource: { manager: em } }) => async ({ query: q, res }) => {
      const qb = em.createQueryBuilder(Partner, 'p').orderBy('p.name', 'ASC').limit(q.limit + 1);
      if (q.cursor) qb.where('p.name > :after', { after: decodeCursor('partners', q.cursor, 1)[0] });
      const rows = await qb.getMany();
      const more = rows.length > q.limit;
      const page = rows.slice(0, q.limit);
      res.json(listResponse(page.map(presentPartner), more ? encodeCursor('partners', [page[page.length - 1]!.name]) : null));
    },
  }),
  defineOperation({
    id: 'adminGetPartner', method: 'get', path: '/partners/:name', tag: 'Admin: partners', auth: 'admin',
    summary: 'A partner', responses: [{ status: 200, description: 'The partner.', schema: partnerSchema }], errors: ['not_found'],
    handler: ({ dataSource: { manager: em } }) => async ({ params, res }) => {
      res.json(presentPartner(await requirePartner(em, params.name)));
    },
  }),
  defineOperation({
    id: 'adminUpdatePartner', method: 'patch', path: '/partners/:name', tag: 'Admin: partners', auth: 'admin',
    summary: 'Change a partner (adapter, signature, ack, conflict mode, enabled)', body: bodySchema<UpdatePartnerBody>(updatePartnerSchema),
    responses: [{ status: 200, description: 'The partner.', schema: partnerSchema }], errors: ['not_found'],
    handler: (deps) => async ({ body, params, req, res }) => {
      const { partner, generatedSecret } = await updatePartner(deps.dataSource.manager, deps.secretBox, params.name, body);
      await announcePartnerChange(deps, partner.name);
      req.log.info({ partner: partner.name, fields: Object.keys(body) }, 'partner updated');
      res.json(presentPartnerWithSecret(partner, generatedSecret));
    },
  }),
];
