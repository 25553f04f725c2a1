import { Router } from 'express';
import type { AppDeps } from '../../../app-deps';
import { Partner } from '../../../db/entities';
import {
  createPartner,
  presentPartner,
  presentPartnerWithSecret,
  requirePartner,
  updatePartner,
} from '../../../domain/partners/partners';
import { createPartnerFromTemplate } from '../../../domain/partners/catalog';
import { announcePartnerChange } from '../../../ingest/partner-cache';
import { compileQuerySchema, decodeCursor, encodeCursor, listResponse } from '../../pagination';
import { PAGINATION_QUERY_PROPERTIES, type PaginationQuery } from '../../schemas/pagination.schema';
import {
  createPartnerSchema,
  updatePartnerSchema,
  type CreatePartnerBody,
  type UpdatePartnerBody,
} from '../../schemas/partner.schema';
import { compileSchema, fieldError, parseWith } from '../../validation';

const validateCreate = compileSchema<CreatePartnerBody>(createPartnerSchema);
const validateUpdate = compileSchema<UpdatePartnerBody>(updatePartnerSchema);
const parseListQuery = compileQuerySchema<PaginationQuery>({
  type: 'object',
  additionalProperties: false,
  properties: { ...PAGINATION_QUERY_PROPERTIES },
});

/** `/admin/v1/partners`: register POS partners, list them, change them (CONTRACT §3). */
export function partnersAdminRouter(deps: AppDeps): Router {
  const router = Router();
  const em = deps.dataSource.manager;

  router.post('/partners', async (req, res) => {
    const body = parseWith(validateCreate, req.body);
    const { template, ...rest } = body;
    if (template !== undefined && rest.adapter !== undefined) throw fieldError('adapter', 'cannot be combined with template');
    if (template === undefined && !rest.signature) throw fieldError('signature', 'is required without a template');
    if (template === undefined && !rest.signature!.scheme) throw fieldError('signature.scheme', 'is required without a template');
    const fromTemplate = template !== undefined ? await createPartnerFromTemplate(em, deps.secretBox, { ...rest, template }) : null;
    const made =
      fromTemplate ?? (await createPartner(em, deps.secretBox, { ...rest, signature: { ...rest.signature, scheme: rest.signature!.scheme! } }));
    const { partner, generatedSecret } = made;
    // A negative cache entry for the name (an event posted before it existed) must go.
    await announcePartnerChange(deps, partner.name);
    req.log.info({ partner: partner.name, template, secret_generated: generatedSecret !== null }, 'partner created');
    const shown = presentPartnerWithSecret(partner, generatedSecret);
    res.status(201).json(fromTemplate ? { ...shown, template: fromTemplate.template.name, mappings: fromTemplate.mappings } : shown);
  });

  router.get('/partners', async (req, res) => {
    const q = parseListQuery(req.query);
    const qb = em.createQueryBuilder(Partner, 'p').orderBy('p.name', 'ASC').limit(q.limit + 1);
    if (q.cursor) qb.where('p.name > :after', { after: decodeCursor('partners', q.cursor, 1)[0] });
    const rows = await qb.getMany();
    const more = rows.length > q.limit;
    const page = rows.slice(0, q.limit);
    res.json(listResponse(page.map(presentPartner), more ? encodeCursor('partners', [page[page.length - 1]!.name]) : null));
  });

  router.get('/partners/:name', async (req, res) => {
    res.json(presentPartner(await requirePartner(em, req.params.name)));
  });

  router.patch('/partners/:name', async (req, res) => {
    const body = parseWith(validateUpdate, req.body);
    const { partner, generatedSecret } = await updatePartner(em, deps.secretBox, req.params.name, body);
    await announcePartnerChange(deps, partner.name);
    req.log.info({ partner: partner.name, fields: Object.keys(body) }, 'partner updated');
    res.json(presentPartnerWithSecret(partner, generatedSecret));
  });

  return router;
}
