import { Router } from 'express';
import type { AppDeps } from '../../../app-deps';
import { issueApiKey, listApiKeys, revokeApiKey } from '../../../domain/api-keys/api-keys';
import { presentUser } from '../../../modules/people';
import { announceApiKeyChange } from '../../middleware/api-key-cache';
import { getAuth, requireScope } from '../../middleware/api-key-auth';
import { decodeCursor, encodeCursor, listResponse } from '../../pagination';
import { compileQuerySchema } from '../../pagination';
import { presentApiKey, presentIssuedKey } from '../../presenters/api-key.presenter';
import {
  createUserSchema, listUsersQuerySchema, updateUserSchema, type CreateUserBody, type ListUsersQuery, type UpdateUserBody,
} from '../../schemas/people.schema';
import { createApiKeySchema, type CreateApiKeyBody } from '../../schemas/venue.schema';
import { peopleOf } from '../../session-auth';
import { compileSchema, parseWith } from '../../validation';

const validateCreateUser = compileSchema<CreateUserBody>(createUserSchema);
const validateUpdateUser = compileSchema<UpdateUserBody>(updateUserSchema);
const validateCreateApiKey = compileSchema<CreateApiKeyBody>(createApiKeySchema);
const parseListUsers = compileQuerySchema<ListUsersQuery>(listUsersQuerySchema);

/**
 * A venue's people and API keys, managed by its owner (CONTRACT §8): the same routes for a session and
 * a key, guarded by scopes only staff roles hold (`users:manage`, `keys:manage`, `keys:read`).
 */
export function peopleRouter(deps: AppDeps): Router {
  const router = Router();
  const people = peopleOf(deps);

  router.get('/users', requireScope('users:manage'), async (req, res) => {
    const query = parseListUsers(req.query);
    const after = query.cursor ? String(decodeCursor('users', query.cursor, 1)[0]) : null;
    const page = await people.list(getAuth(res).venueId, { limit: query.limit ?? 50, after });
    res.json(listResponse(page.users.map(presentUser), page.next ? encodeCursor('users', [page.next]) : null));
  });

  router.post('/users', requireScope('users:manage'), async (req, res) => {
    const body = parseWith(validateCreateUser, req.body);
    const { user, inviteUrl } = await people.create({ venueId: getAuth(res).venueId, ...body });
    res.status(201).json({ ...presentUser(user), ...(inviteUrl ? { invite_url: inviteUrl } : {}) });
  });

  router.patch('/users/:id', requireScope('users:manage'), async (req, res) => {
    const body = parseWith(validateUpdateUser, req.body);
    res.json(presentUser(await people.update(getAuth(res).venueId, String(req.params.id), body)));
  });

  router.delete('/users/:id', requireScope('users:manage'), async (req, res) => {
    await people.remove(getAuth(res).venueId, String(req.params.id));
    res.status(204).end();
  });

  router.get('/api-keys', requireScope('keys:read'), async (_req, res) => {
    const keys = await listApiKeys(deps.dataSource.manager, getAuth(res).venueId);
    res.json(listResponse(keys.map(presentApiKey), null));
  });

  router.post('/api-keys', requireScope('keys:manage'), async (req, res) => {
    const body = parseWith(validateCreateApiKey, req.body);
    const { apiKey, key } = await issueApiKey(deps.dataSource.manager, getAuth(res).venueId, body);
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(presentIssuedKey(apiKey, key));
  });

  router.delete('/api-keys/:id', requireScope('keys:manage'), async (req, res) => {
    await revokeApiKey(deps.dataSource.manager, String(req.params.id), new Date(), getAuth(res).venueId);
    // Key lookups are cached briefly: every process drops them (api-key-cache.ts).
    await announceApiKeyChange(deps);
    res.status(204).end();
  });

  return router;
}
