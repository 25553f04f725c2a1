import { Router } from 'express';
import type { AppDeps } from '../../../app-deps';
import { announceApiKeyChange } from '../../middleware/api-key-cache';
import { issueApiKey, revokeApiKey } from '../../../domain/api-keys/api-keys';
import { presentIssuedKey } from '../../presenters/api-key.presenter';
import { createApiKeySchema, type CreateApiKeyBody } from '../../schemas/venue.schema';
import { compileSchema, parseWith } from '../../validation';

const validateCreateApiKey = compileSchema<CreateApiKeyBody>(createApiKeySchema);

export function apiKeysAdminRouter(deps: AppDeps): Router {
  const router = Router();

  router.post('/venues/:venue_id/api-keys', async (req, res) => {
    const body = parseWith(validateCreateApiKey, req.body);
    const { apiKey, key } = await issueApiKey(deps.dataSource.manager, req.params.venue_id, body);
    res.status(201).json(presentIssuedKey(apiKey, key));
  });

  router.delete('/api-keys/:id', async (req, res) => {
    await revokeApiKey(deps.dataSource.manager, req.params.id);
    // API key lookups are cached briefly: this process drops them before answering, the others as the
    // message reaches them (change-aware-cache.ts).
    await announceApiKeyChange(deps);
    res.status(204).end();
  });

  return router;
}
