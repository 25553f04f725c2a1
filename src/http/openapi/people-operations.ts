/** People and sessions (CONTRACT §8) in the OpenAPI document: spread into OPERATIONS. */
import {
  apiKeyResponseSchema, createdUserResponseSchema, createOperatorSchema, createUserSchema, inviteResponseSchema,
  listUsersQuerySchema, sessionResponseSchema, setPasswordSchema, signInSchema, updateUserSchema, userResponseSchema,
} from '../schemas/people.schema';
import { createApiKeySchema } from '../schemas/venue.schema';
import { listEnvelopeSchema } from '../schemas/pagination.schema';
import type { Operation } from './openapi-document';
import { apiKeyCreatedResponseSchema } from './response-schemas';

const USER_EXAMPLE = {
  id: 'usr_0mhv2k1q3a8x4n2p7r9t1c', email: 'robin@anchor.example', name: 'Robin Hale', role: 'manager',
  venue_id: 'ven_0mhv2k1q3a8x4n2p7r9t1c', status: 'active', created_at: '2026-05-01T18:00:00.000Z',
};
const SESSION_EXAMPLE = { user: USER_EXAMPLE, csrf_token: 'c2VjcmV0LWNzcmYtdG9rZW4tZXhhbXBsZQ', scopes: ['venue:read'] };
const INVITE_TEXT = 'Without `password`, the answer carries `invite_url` (shown this once, valid 7 days) where the person sets one. Passwords: at least 10 characters.';

export const PEOPLE_OPERATIONS: readonly Operation[] = [
  {
    id: 'signIn', method: 'post', path: '/api/v1/session', tag: 'Sessions', auth: 'public',
    summary: 'Sign in with email and password',
    description: 'Sets the session cookie (`HttpOnly`, `SameSite=Lax`, `Secure` in production), a new one at every sign-in. A wrong email and a wrong password get the same 401. More than 10 failed attempts for one email within 15 minutes → 429, even with the right password, until the window passes.',
    body: signInSchema, bodyExample: { email: 'robin@anchor.example', password: 'correct horse battery' },
    responses: [{ status: 200, description: 'Signed in.', schema: sessionResponseSchema, example: SESSION_EXAMPLE }],
    errors: ['invalid_credentials', 'rate_limited'],
  },
  {
    id: 'getSession', method: 'get', path: '/api/v1/session', tag: 'Sessions', auth: 'session',
    summary: 'The signed-in user and the CSRF token',
    responses: [{ status: 200, description: 'Signed in.', schema: sessionResponseSchema, example: SESSION_EXAMPLE }],
  },
  {
    id: 'signOut', method: 'delete', path: '/api/v1/session', tag: 'Sessions', auth: 'session',
    summary: 'Sign out: the session ends at once', responses: [{ status: 204, description: 'Signed out.' }],
  },
  {
    id: 'getInvite', method: 'get', path: '/api/v1/invites/:token', tag: 'Sessions', auth: 'public',
    summary: 'Who an invite link is for', responses: [{ status: 200, description: 'The invite.', schema: inviteResponseSchema }],
    errors: ['invite_expired'],
  },
  {
    id: 'acceptInvite', method: 'post', path: '/api/v1/invites/:token', tag: 'Sessions', auth: 'public',
    summary: 'Set a password from an invite link and sign in',
    body: setPasswordSchema, bodyExample: { password: 'correct horse battery' },
    responses: [{ status: 200, description: 'Password set; signed in.', schema: sessionResponseSchema, example: SESSION_EXAMPLE }],
    errors: ['invite_expired'],
  },
  {
    id: 'listUsers', method: 'get', path: '/api/v1/users', tag: 'People', auth: 'apiKey', scope: 'users:manage',
    summary: "The venue's people (owners)", query: listUsersQuerySchema,
    responses: [{ status: 200, description: 'People.', schema: listEnvelopeSchema(userResponseSchema) }],
  },
  {
    id: 'createUser', method: 'post', path: '/api/v1/users', tag: 'People', auth: 'apiKey', scope: 'users:manage',
    summary: 'Add a person to the venue', description: INVITE_TEXT,
    body: createUserSchema, bodyExample: { email: 'sam@anchor.example', name: 'Sam Reed', role: 'host' },
    responses: [{ status: 201, description: 'Created.', schema: createdUserResponseSchema }], errors: ['conflict'],
  },
  {
    id: 'updateUser', method: 'patch', path: '/api/v1/users/:id', tag: 'People', auth: 'apiKey', scope: 'users:manage',
    summary: "Change a person's name or role", body: updateUserSchema, bodyExample: { role: 'manager' },
    responses: [{ status: 200, description: 'Updated.', schema: userResponseSchema, example: USER_EXAMPLE }],
    errors: ['not_found', 'conflict'],
  },
  {
    id: 'removeUser', method: 'delete', path: '/api/v1/users/:id', tag: 'People', auth: 'apiKey', scope: 'users:manage',
    summary: 'Remove a person: their sessions end at once', description: 'The last owner cannot be removed (409 `conflict`).',
    responses: [{ status: 204, description: 'Removed.' }], errors: ['not_found', 'conflict'],
  },
  {
    id: 'listApiKeys', method: 'get', path: '/api/v1/api-keys', tag: 'People', auth: 'apiKey', scope: 'keys:read',
    summary: "The venue's API keys (owners and managers)", description: 'The keys themselves are never shown again; `prefix` tells them apart.',
    responses: [{ status: 200, description: 'Keys, newest first, revoked ones with `revoked_at`.', schema: listEnvelopeSchema(apiKeyResponseSchema) }],
  },
  {
    id: 'createApiKey', method: 'post', path: '/api/v1/api-keys', tag: 'People', auth: 'apiKey', scope: 'keys:manage',
    summary: 'Issue an API key (owners)', description: 'The `key` (`ts_live_…`) is shown this once and stored only as a hash.',
    body: createApiKeySchema, bodyExample: { name: 'Website widget', scopes: ['venue:read', 'bookings:read', 'bookings:write'] },
    responses: [{ status: 201, description: 'Created.', schema: apiKeyCreatedResponseSchema }],
  },
  {
    id: 'revokeApiKey', method: 'delete', path: '/api/v1/api-keys/:id', tag: 'People', auth: 'apiKey', scope: 'keys:manage',
    summary: 'Revoke an API key (owners): it stops working at once',
    responses: [{ status: 204, description: 'Revoked.' }], errors: ['not_found'],
  },
  {
    id: 'adminCreateVenueUser', method: 'post', path: '/admin/v1/venues/:venue_id/users', tag: 'Admin: people', auth: 'admin',
    summary: 'Add a person (owner, manager, host) to a venue', description: INVITE_TEXT,
    body: createUserSchema, bodyExample: { email: 'robin@anchor.example', name: 'Robin Hale', role: 'owner' },
    responses: [{ status: 201, description: 'Created.', schema: createdUserResponseSchema }], errors: ['not_found', 'conflict'],
  },
  {
    id: 'adminCreateOperator', method: 'post', path: '/admin/v1/operators', tag: 'Admin: people', auth: 'admin',
    summary: 'Add a platform operator or partner manager', description: `${INVITE_TEXT} Operators' sessions may use every /admin/v1 route.`,
    body: createOperatorSchema, bodyExample: { email: 'ops@tablesync.example', name: 'Ops' },
    responses: [{ status: 201, description: 'Created.', schema: createdUserResponseSchema }], errors: ['conflict'],
  },
];
