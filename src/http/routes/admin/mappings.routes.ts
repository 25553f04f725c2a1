import { getAdapter } from '../../../../adapters';
import { requirePartner } from '../../../domain/partners/partners';
import { announcePartnerChange } from '../../../ingest/partner-cache';
import { asCommandList } from '../../../mapping/fixture-runner';
import { mapNativeEvent } from '../../../mapping/map-native-event';
import { liveMappingFor, liveMappings, presentMapping, putMapping } from '../../../mapping/mapping-store';
import { stringifyJson } from '../../../shared/lossless-json';
import { AppError } from '../../../shared/app-error';
import { bodySchema, defineOperation } from '../../operation';
import { listResponse } from '../../pagination';
import { listEnvelopeSchema } from '../../schemas/pagination.schema';
import {
  mappingTestResultSchema,
  mappingVersionSchema,
  putMappingSchema,
  testMappingSchema,
  type PutMappingBody,
  type TestMappingBody,
} from '../../schemas/partner.schema';
import { fieldError } from '../../validation';

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
      await announcePartnerChange(deps, partner.name);
      req.log.info({ partner: partner.name, event_type: eventType, version: mapping.version }, 'mapping published');
      res.status(201).json(presentMapping(mapping));
    },
  }),
  defineOperation({
    id: 'adminTestMapping', method: 'post', path: '/partners/:name/mappings/:event_type/test', tag: 'Admin: mappings',
    auth: 'admin', summary: 'Dry-run a mapping on a payload (nothing is stored)',
    body: bodySchema<TestMappingBody>(testMappingSchema), bodyExample: { payload: { id: 'A-1', location: { id: 'L1' }, total: 4250 } },
    responses: [{ status: 200, description: 'The canonical commands and their schema errors.', schema: mappingTestResultSchema }],
    errors: ['not_found', 'invalid_mapping', 'mapping_failed'],
    handler: ({ dataSource: { manager: em } }) => async ({ body, params, res }) => {
      const eventType = eventTypeParam(params.event_type);
      const partner = await requirePartner(em, params.name);
      const adapter = getAdapter(partner.adapter);
      if (!adapter) throw new AppError('validation_error', `The partner's adapter "${partner.adapter}" is not known.`, { field: 'adapter' });
      const expression = body.expression ?? (await liveMappingFor(em, partner.id, eventType))?.expression;
      if (expression === undefined) throw new AppError('not_found', `No mapping for event type ${eventType} and no fallback.`);
      const rawBody = typeof body.payload === 'string' ? body.payload : stringifyJson(body.payload);
      const mapped = await mapNativeEvent({ adapter, rawBody, headers: { 'content-type': 'application/json' }, eventType, expression });
      res.json({ output: asCommandList(mapped.output), errors: mapped.errors });
    },
  }),
];
