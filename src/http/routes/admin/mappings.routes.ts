import { Router } from 'express';
import { getAdapter } from '../../../../adapters';
import type { AppDeps } from '../../../app-deps';
import { requirePartner } from '../../../domain/partners/partners';
import { announcePartnerChange } from '../../../ingest/partner-cache';
import { asCommandList } from '../../../mapping/fixture-runner';
import { mapNativeEvent } from '../../../mapping/map-native-event';
import { liveMappingFor, liveMappings, presentMapping, putMapping } from '../../../mapping/mapping-store';
import { stringifyJson } from '../../../shared/lossless-json';
import { AppError } from '../../../shared/app-error';
import { listResponse } from '../../pagination';
import {
  putMappingSchema,
  testMappingSchema,
  type PutMappingBody,
  type TestMappingBody,
} from '../../schemas/partner.schema';
import { compileSchema, fieldError, parseWith } from '../../validation';

const validatePut = compileSchema<PutMappingBody>(putMappingSchema);
const validateTest = compileSchema<TestMappingBody>(testMappingSchema);

function eventTypeParam(value: string): string {
  if (value.length > 128) throw fieldError('event_type', 'must be at most 128 characters');
  return value;
}

/** `/admin/v1/partners/:name/mappings`: versioned JSONata mappings per event type, and a dry run. */
export function mappingsAdminRouter(deps: AppDeps): Router {
  const router = Router();
  const em = deps.dataSource.manager;

  router.get('/partners/:name/mappings', async (req, res) => {
    const partner = await requirePartner(em, req.params.name);
    res.json(listResponse((await liveMappings(em, partner.id)).map(presentMapping), null));
  });

  router.put('/partners/:name/mappings/:event_type', async (req, res) => {
    const body = parseWith(validatePut, req.body);
    const eventType = eventTypeParam(req.params.event_type);
    const partner = await requirePartner(em, req.params.name);
    const mapping = await putMapping(em, partner, eventType, body.expression, 'api');
    // Ingestion reads sale ids with the live mapping: every process must see the new version now.
    await announcePartnerChange(deps, partner.name);
    req.log.info({ partner: partner.name, event_type: eventType, version: mapping.version }, 'mapping published');
    res.status(201).json(presentMapping(mapping));
  });

  router.post('/partners/:name/mappings/:event_type/test', async (req, res) => {
    const body = parseWith(validateTest, req.body);
    const eventType = eventTypeParam(req.params.event_type);
    const partner = await requirePartner(em, req.params.name);
    const adapter = getAdapter(partner.adapter);
    if (!adapter) throw new AppError('validation_error', `The partner's adapter "${partner.adapter}" is not known.`, { field: 'adapter' });
    const expression = body.expression ?? (await liveMappingFor(em, partner.id, eventType))?.expression;
    if (expression === undefined) throw new AppError('not_found', `No mapping for event type ${eventType} and no fallback.`);
    const rawBody = typeof body.payload === 'string' ? body.payload : stringifyJson(body.payload);
    const mapped = await mapNativeEvent({ adapter, rawBody, headers: { 'content-type': 'application/json' }, eventType, expression });
    res.json({ output: asCommandList(mapped.output), errors: mapped.errors });
  });

  return router;
}
