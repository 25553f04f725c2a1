import { Partner } from '../../platform/db/entities';
import {
  createPartner,
  presentPartner,
  presentPartnerWithSecret,
  requirePartner,
  updatePartner,
} from '../../modules/partners';
import { createPartnerFromTemplate } from '../../modules/partners';
import { announcePartnerChange } from '../../modules/partners';
import { bodySchema, defineOperation, querySchema } from '../http/operation';
import { decodeCursor, encodeCursor, listResponse } from '../http/pagination';
import { listEnvelopeSchema, PAGE_QUERY_SCHEMA, type PaginationQuery } from '../http/schemas/pagination.schema';
import {
  createPartnerSchema,
  partnerFromTemplateSchema,
  partnerSchema,
  updatePartnerSchema,
  type CreatePartnerBody,
  type UpdatePartnerBody,
} from '../http/schemas/partner.schema';
import { fieldError } from '../http/validation';

const pageQuery = querySchema<PaginationQuery>(PAGE_QUERY_SCHEMA);

/** `/admin/v1/partners`: register POS partners, list them, change them (CONTRACT §3). */
export const partnersAdminOperations = [
  defineOperation({
    id: 'adminCreatePartner', method: 'post', path: '/partners', tag: 'Admin: partners', auth: 'admin',
    summary: 'Register a POS partner (or make one from a catalog template)',
    description: 'Where `signature.secret` is not given one is generated and returned this once. Secrets are encrypted at rest and never returned afterwards. With `template` (a name from `GET /admin/v1/catalog`) the partner takes that template\'s adapter, signature, ack and conflict modes, and its mappings become the partner\'s first versions; an unknown template is 400 `validation_error` with `details.valid`.',
    body: bodySchema<CreatePartnerBody>(createPartnerSchema), bodyExample: { name: 'toast-eu', template: 'toast' },
    responses: [{ status: 201, description: 'Created (with `template` and `mappings` when made from a template).', schema: partnerFromTemplateSchema }],
    errors: ['conflict'],
    handler: (deps) => async ({ body, req, res }) => {
      const em = deps.dataSource.manager;
      const { template, ...rest } = body;
      if (template !== undefined && rest.adapter !== undefined) throw fieldError('adapter', 'cannot be combined with template');
      if (template === undefined && !rest.signature) throw fieldError('signature', 'is required without a template');
      if (template === undefined && !rest.signature!.scheme) throw fieldError('signature.scheme', 'is required without a template');
      const fromTemplate = template !== undefined ? await createPartnerFromTemplate(em, deps.secretBox, { ...rest, template }) : null;
      const made =
        fromTemplate ?? (await createPartner(em, deps.secretBox, { ...rest, signature: { ...rest.signature, scheme: rest.signature!.scheme! } }));
      const { partner, generatedSecret } = made;
      // A negative cache entry for the name (an event posted before it existed) must go.
      await announcePartnerChange(deps);
      req.log.info({ partner: partner.name, template, secret_generated: generatedSecret !== null }, 'partner created');
      const shown = presentPartnerWithSecret(partner, generatedSecret);
      res.status(201).json(fromTemplate ? { ...shown, template: fromTemplate.template.name, mappings: fromTemplate.mappings } : shown);
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
      await announcePartnerChange(deps);
      req.log.info({ partner: partner.name, fields: Object.keys(body) }, 'partner updated');
      res.json(presentPartnerWithSecret(partner, generatedSecret));
    },
  }),
];
