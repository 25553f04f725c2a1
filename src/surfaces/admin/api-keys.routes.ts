import { issueApiKey, revokeApiKey } from '../../modules/api-keys';
import { announceApiKeyChange } from '../http/middleware/api-key-cache';
import { apiKeyCreatedResponseSchema } from '../http/openapi/response-schemas';
import { bodySchema, defineOperation } from '../http/operation';
import { presentIssuedKey } from '../http/presenters/api-key.presenter';
import { createApiKeySchema, type CreateApiKeyBody } from '../http/schemas/venue.schema';

export const apiKeysAdminOperations = [
  defineOperation({
    id: 'adminCreateApiKey', method: 'post', path: '/venues/:venue_id/api-keys', tag: 'Admin: venues', auth: 'admin',
    summary: 'Issue an API key for a venue',
    description: 'The `key` (`ts_live_…`) is shown this once and stored only as a hash.',
    body: bodySchema<CreateApiKeyBody>(createApiKeySchema),
    bodyExample: { name: 'Website widget', scopes: ['venue:read', 'bookings:read', 'bookings:write'], rate_limit_per_minute: 60 },
    responses: [{
      status: 201, description: 'Created.', schema: apiKeyCreatedResponseSchema,
      example: { id: 'key_0mhv2k1q3a8x4n2p7r9t1c', key: 'ts_live_4fJ8kQ2mZp9xW3vR7tY1uB6nC0aS5dE', name: 'Website widget', scopes: ['venue:read', 'bookings:read', 'bookings:write'] },
    }],
    errors: ['not_found'],
    handler: ({ dataSource: { manager: em } }) => async ({ body, params, res }) => {
      const { apiKey, key } = await issueApiKey(em, params.venue_id, body);
      res.status(201).json(presentIssuedKey(apiKey, key));
    },
  }),
  defineOperation({
    id: 'adminRevokeApiKey', method: 'delete', path: '/api-keys/:id', tag: 'Admin: venues', auth: 'admin',
    summary: 'Revoke an API key (it stops working at once)',
    responses: [{ status: 204, description: 'Revoked.' }], errors: ['not_found'],
    handler: (deps) => async ({ params, res }) => {
      await revokeApiKey(deps.dataSource.manager, params.id);
      // API key lookups are cached briefly: the new change version, written before answering, makes every
      // process drop them before its next lookup (change-aware-cache.ts).
      await announceApiKeyChange(deps);
      res.status(204).end();
    },
  }),
];
