import { issueApiKey, listApiKeys, revokeApiKey } from '../../modules/api-keys';
import { presentUser } from '../../modules/people';
import { announceApiKeyChange } from '../http/middleware/api-key-cache';
import { USER_EXAMPLE } from '../http/openapi/examples';
import { apiKeyCreatedResponseSchema } from '../http/openapi/response-schemas';
import { bodySchema, defineOperation, querySchema } from '../http/operation';
import { decodeCursor, encodeCursor, listResponse } from '../http/pagination';
import { presentApiKey, presentIssuedKey } from '../http/presenters/api-key.presenter';
import { listEnvelopeSchema } from '../http/schemas/pagination.schema';
import {
  apiKeyResponseSchema, createdUserResponseSchema, createUserSchema, INVITE_TEXT, listUsersQuerySchema, updateUserSchema,
  userResponseSchema, type CreateUserBody, type ListUsersQuery, type UpdateUserBody,
} from '../http/schemas/people.schema';
import { createApiKeySchema, type CreateApiKeyBody } from '../http/schemas/venue.schema';

const createUserBody = bodySchema<CreateUserBody>(createUserSchema);

/**
 * A venue's people and API keys, managed by its owner (CONTRACT §8): the same operations for a session and
 * a key, guarded by scopes only staff roles hold (`users:manage`, `keys:manage`, `keys:read`).
 */
export const peopleOperations = [
  defineOperation({
    id: 'listUsers', method: 'get', path: '/users', tag: 'People', auth: 'apiKey', scope: 'users:manage',
    summary: "The venue's people (owners)", query: querySchema<ListUsersQuery>(listUsersQuerySchema),
    responses: [{ status: 200, description: 'People.', schema: listEnvelopeSchema(userResponseSchema) }],
    handler: (deps) => {
      const people = deps.people;
      return async ({ query, venue, res }) => {
        const after = query.cursor ? String(decodeCursor('users', query.cursor, 1)[0]) : null;
        const page = await people.list(venue.id, { limit: query.limit ?? 50, after });
        res.json(listResponse(page.users.map(presentUser), page.next ? encodeCursor('users', [page.next]) : null));
      };
    },
  }),
  defineOperation({
    id: 'createUser', method: 'post', path: '/users', tag: 'People', auth: 'apiKey', scope: 'users:manage',
    summary: 'Add a person to the venue', description: INVITE_TEXT,
    body: createUserBody, bodyExample: { email: 'sam@anchor.example', name: 'Sam Reed', role: 'host' },
    responses: [{ status: 201, description: 'Created.', schema: createdUserResponseSchema }], errors: ['conflict'],
    handler: (deps) => {
      const people = deps.people;
      return async ({ body, venue, res }) => {
        const { user, inviteUrl } = await people.create({ venueId: venue.id, ...body });
        res.status(201).json({ ...presentUser(user), ...(inviteUrl ? { invite_url: inviteUrl } : {}) });
      };
    },
  }),
  defineOperation({
    id: 'updateUser', method: 'patch', path: '/users/:id', tag: 'People', auth: 'apiKey', scope: 'users:manage',
    summary: "Change a person's name or role", body: bodySchema<UpdateUserBody>(updateUserSchema), bodyExample: { role: 'manager' },
    responses: [{ status: 200, description: 'Updated.', schema: userResponseSchema, example: USER_EXAMPLE }],
    errors: ['not_found', 'conflict'],
    handler: (deps) => {
      const people = deps.people;
      return async ({ body, params, venue, res }) => {
        res.json(presentUser(await people.update(venue.id, params.id, body)));
      };
    },
  }),
  defineOperation({
    id: 'removeUser', method: 'delete', path: '/users/:id', tag: 'People', auth: 'apiKey', scope: 'users:manage',
    summary: 'Remove a person: their sessions end at once', description: 'The last owner cannot be removed (409 `conflict`).',
    responses: [{ status: 204, description: 'Removed.' }], errors: ['not_found', 'conflict'],
    handler: (deps) => {
      const people = deps.people;
      return async ({ params, venue, res }) => {
        await people.remove(venue.id, params.id);
        res.status(204).end();
      };
    },
  }),
  defineOperation({
    id: 'listApiKeys', method: 'get', path: '/api-keys', tag: 'People', auth: 'apiKey', scope: 'keys:read',
    summary: "The venue's API keys (owners and managers)", description: 'The keys themselves are never shown again; `prefix` tells them apart.',
    responses: [{ status: 200, description: 'Keys, newest first, revoked ones with `revoked_at`.', schema: listEnvelopeSchema(apiKeyResponseSchema) }],
    handler: ({ dataSource: { manager: em } }) => async ({ venue, res }) => {
      const keys = await listApiKeys(em, venue.id);
      res.json(listResponse(keys.map(presentApiKey), null));
    },
  }),
  defineOperation({
    id: 'createApiKey', method: 'post', path: '/api-keys', tag: 'People', auth: 'apiKey', scope: 'keys:manage',
    summary: 'Issue an API key (owners)', description: 'The `key` (`ts_live_…`) is shown this once and stored only as a hash.',
    body: bodySchema<CreateApiKeyBody>(createApiKeySchema),
    bodyExample: { name: 'Website widget', scopes: ['venue:read', 'bookings:read', 'bookings:write'] },
    responses: [{ status: 201, description: 'Created.', schema: apiKeyCreatedResponseSchema }],
    handler: ({ dataSource: { manager: em } }) => async ({ body, venue, res }) => {
      const { apiKey, key } = await issueApiKey(em, venue.id, body);
      res.setHeader('Cache-Control', 'no-store');
      res.status(201).json(presentIssuedKey(apiKey, key));
    },
  }),
  defineOperation({
    id: 'revokeApiKey', method: 'delete', path: '/api-keys/:id', tag: 'People', auth: 'apiKey', scope: 'keys:manage',
    summary: 'Revoke an API key (owners): it stops working at once',
    responses: [{ status: 204, description: 'Revoked.' }], errors: ['not_found'],
    handler: (deps) => async ({ params, venue, res }) => {
      await revokeApiKey(deps.dataSource.manager, params.id, new Date(), venue.id);
      // Key lookups are cached briefly: every process drops them (api-key-cache.ts).
      await announceApiKeyChange(deps);
      res.status(204).end();
    },
  }),
];
