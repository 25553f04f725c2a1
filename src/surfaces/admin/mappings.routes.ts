import { requirePartner } from '../../modules/partners';
import { announcePartnerChange } from '../../modules/partners';
import { activateMapping, liveMappings, mappingVersions, pickMapping, presentMapping, putMapping } from '../../modules/partners';
import { dryRunMapping, partnerFixtures } from '../../modules/partner-console';
import { AppError, notFound } from '../../platform/app-error';
import { bodySchema, defineOperation, querySchema } from '../http/operation';
import { listResponse } from '../http/pagination';
import { listEnvelopeSchema } from '../http/schemas/pagination.schema';
import {
  fixtureSchema,
  mappingTestResultSchema,
  mappingVersionHistorySchema,
  mappingVersionSchema,
  putMappingSchema,
  testMappingQuerySchema,
  testMappingSchema,
  type PutMappingBody,
  type TestMappingBody,
  type TestMappingQuery,
} from '../http/schemas/partner.schema';
import { fieldError } from '../http/validation';

/** The dry run's own failures, answered in the body with `?inline_errors=true`. */
const INLINE_CODES = new Set(['invalid_payload', 'invalid_mapping', 'mapping_failed']);

function eventTypeParam(value: string): string {
  if (value.length > 128) throw fieldError('event_type', 'must be at most 128 characters');
  return value;
}

/** `/admin/v1/partners/:name/mappings`: versioned JSONata mappings per event type, and a dry run. */
export const mappingsAdminOperations = [
  defineOperation({
    id: 'adminListMappings', method: 'get', path: '/partners/:name/mappings', tag: 'Admin: mappings', auth: 'admin',
    summary: 'The live mapping version of each event type', responses: [{ status: 200, description: 'Live mappings.', schema: listEnvelopeSchema(mappingVersionSchema) }],
    errors: ['not_found'],
    handler: ({ dataSource: { manager: em } }) => async ({ params, res }) => {
      const partner = await requirePartner(em, params.name);
      res.json(listResponse((await liveMappings(em, partner.id)).map(presentMapping), null));
    },
  }),
  defineOperation({
    id: 'adminPutMapping', method: 'put', path: '/partners/:name/mappings/:event_type', tag: 'Admin: mappings', auth: 'admin',
    summary: 'Publish a new JSONata mapping version for an event type (`*`: the fallback)',
    body: bodySchema<PutMappingBody>(putMappingSchema),
    bodyExample: { expression: '{"type": "sale", "location_id": location.id, "sale_id": id, "status": "closed", "total": total, "currency": "GBP"}' },
    responses: [{ status: 201, description: 'The new live version.', schema: mappingVersionSchema }],
    errors: ['not_found', 'invalid_mapping'],
    handler: (deps) => async ({ body, params, req, res }) => {
      const eventType = eventTypeParam(params.event_type);
      const partner = await requirePartner(deps.dataSource.manager, params.name);
      const mapping = await putMapping(deps.dataSource.manager, partner, eventType, body.expression, 'api');
      // Ingestion reads sale ids with the live mapping: every process must see the new version now.
      await announcePartnerChange(deps);
      req.log.info({ partner: partner.name, event_type: eventType, version: mapping.version }, 'mapping published');
      res.status(201).json(presentMapping(mapping));
    },
  }),
  defineOperation({
    id: 'adminListMappingVersions', method: 'get', path: '/partners/:name/mappings/:event_type/versions', tag: 'Admin: mappings',
    auth: 'admin', summary: "Every version of an event type's mapping, newest first, the live one marked",
    responses: [{ status: 200, description: 'The version history (one page; empty for an event type without a mapping).', schema: listEnvelopeSchema(mappingVersionHistorySchema) }],
    errors: ['not_found'],
    handler: ({ dataSource: { manager: em } }) => async ({ params, res }) => {
      const eventType = eventTypeParam(params.event_type);
      const partner = await requirePartner(em, params.name);
      // An event type without a mapping yet has no versions: an empty list (the editor's first version is to come).
      const versions = await mappingVersions(em, partner.id, eventType);
      res.json(listResponse(versions.map((v) => ({ ...presentMapping(v), live: v.live })), null));
    },
  }),
  defineOperation({
    id: 'adminActivateMappingVersion', method: 'post', path: '/partners/:name/mappings/:event_type/versions/:version/activate',
    tag: 'Admin: mappings', auth: 'admin', summary: 'Make a stored version of a mapping live again',
    description: 'Live at once in every process, as after a PUT: events mapped from now on use it. A later PUT makes its new version live.',
    responses: [{ status: 200, description: 'The live version.', schema: mappingVersionSchema }],
    errors: ['not_found'],
    handler: (deps) => async ({ params, req, res }) => {
      const eventType = eventTypeParam(params.event_type);
      if (!/^[1-9][0-9]{0,8}$/.test(params.version)) throw fieldError('version', 'must be a positive integer');
      const partner = await requirePartner(deps.dataSource.manager, params.name);
      const mapping = await activateMapping(deps.dataSource.manager, partner, eventType, Number(params.version));
      // The ingest edge and the workers read the live mappings from the partner cache: every process reloads it now.
      await announcePartnerChange(deps);
      req.log.info({ partner: partner.name, event_type: eventType, version: mapping.version }, 'mapping version activated');
      res.json({ ...presentMapping(mapping), live: true });
    },
  }),
  defineOperation({
    id: 'adminTestMapping', method: 'post', path: '/partners/:name/mappings/:event_type/test', tag: 'Admin: mappings',
    auth: 'admin', summary: 'Dry-run a mapping on a payload, a stored event or a fixture (nothing is stored)',
    description:
      'Exactly one input: `payload` (pasted), `event_id` (a stored event of the partner, its raw payload as received) or `fixture` ' +
      "(a fixture of the partner's template, `GET /admin/v1/partners/:name/fixtures`). Answers the canonical commands, their schema " +
      'errors and, for valid commands, `matches`: the read-only dry run of the matcher (the venue, the sale it would update, the ' +
      'booking it would match or why none). A payload that is not JSON is 400 `invalid_payload`; an expression that does not compile ' +
      '400 `invalid_mapping` with the position; a mapping that fails or runs away (a loop, deep recursion) 422 `mapping_failed`.',
    body: bodySchema<TestMappingBody>(testMappingSchema), bodyExample: { payload: { id: 'A-1', location: { id: 'L1' }, total: 4250 } },
    query: querySchema<TestMappingQuery>(testMappingQuerySchema),
    responses: [{ status: 200, description: 'The canonical commands, their schema errors, the matcher\'s dry run.', schema: mappingTestResultSchema }],
    errors: ['not_found', 'invalid_payload', 'invalid_mapping', 'mapping_failed'],
    handler: (deps) => {
      const em = deps.dataSource.manager;
      // The partner and its live mappings as the ingest edge and the workers see them (cached, dropped in every
      // process by each change): the dry run runs what they run, without reading them again.
      const partners = deps.partnerCache;
      return async ({ body, params, query, res }) => {
        const eventType = eventTypeParam(params.event_type);
        const snapshot = await partners.get(params.name);
        if (!snapshot) throw notFound('Partner');
        try {
          res.json(await dryRunMapping(em, snapshot.partner, eventType, body, pickMapping(snapshot.mappings, eventType)));
        } catch (err) {
          // The editor evaluates as one types: what the mapping or payload does wrong is its answer, not a failed request.
          if (!query.inline_errors || !(err instanceof AppError) || !INLINE_CODES.has(err.code)) throw err;
          res.json({ output: [], errors: [], matches: [], mapping_version: null, error: { code: err.code, message: err.message, details: err.details ?? null } });
        }
      };
    },
  }),
  defineOperation({
    id: 'adminListPartnerFixtures', method: 'get', path: '/partners/:name/fixtures', tag: 'Admin: mappings', auth: 'admin',
    summary: "The fixtures of the partner's catalog template (native payloads, byte for byte, with the expected commands)",
    responses: [{ status: 200, description: 'All of them (one page).', schema: listEnvelopeSchema(fixtureSchema) }],
    errors: ['not_found'],
    handler: ({ dataSource: { manager: em } }) => async ({ params, res }) => {
      const partner = await requirePartner(em, params.name);
      res.json(listResponse(partnerFixtures(partner), null));
    },
  }),
];
