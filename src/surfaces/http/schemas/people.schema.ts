/**
 * Request bodies of people and sessions (CONTRACT §8). Password length is checked by the people module
 * (one rule for every path: admin create, invites, owners' invites), so it answers the same 400 wherever.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { USER_PROPERTIES, userResponseSchema } from '../../../modules/people';
import { PAGE_QUERY_SCHEMA, type PaginationQuery } from './pagination.schema';

/** How a person without a password gets one (the create operations' description). */
export const INVITE_TEXT = 'Without `password`, the answer carries `invite_url` (shown this once, valid 7 days) where the person sets one. Passwords: at least 10 characters.';

const EMAIL = { type: 'string', format: 'email', maxLength: 320 } as const;
const NAME = { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' } as const;
const PASSWORD = { type: 'string', description: 'At least 10 characters.' } as const;
const VENUE_ROLE = { type: 'string', enum: ['owner', 'manager', 'host'] } as const;

export const signInSchema = {
  $id: 'SignIn',
  type: 'object',
  additionalProperties: false,
  required: ['email', 'password'],
  properties: { email: { type: 'string', minLength: 1, maxLength: 320 }, password: { type: 'string' } },
} as const;
export type SignInBody = FromSchema<typeof signInSchema>;

export const setPasswordSchema = {
  $id: 'SetPassword',
  type: 'object',
  additionalProperties: false,
  required: ['password'],
  properties: { password: PASSWORD },
} as const;
export type SetPasswordBody = FromSchema<typeof setPasswordSchema>;

export const createUserSchema = {
  $id: 'CreateUser',
  type: 'object',
  additionalProperties: false,
  required: ['email', 'name', 'role'],
  properties: { email: EMAIL, name: NAME, role: VENUE_ROLE, password: PASSWORD },
} as const;
export type CreateUserBody = FromSchema<typeof createUserSchema>;

export const createOperatorSchema = {
  $id: 'CreateOperator',
  type: 'object',
  additionalProperties: false,
  required: ['email', 'name'],
  properties: { email: EMAIL, name: NAME, password: PASSWORD },
} as const;
export type CreateOperatorBody = FromSchema<typeof createOperatorSchema>;

export const updateUserSchema = {
  $id: 'UpdateUser',
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { name: NAME, role: VENUE_ROLE },
} as const;
export type UpdateUserBody = FromSchema<typeof updateUserSchema>;

export const listUsersQuerySchema = PAGE_QUERY_SCHEMA;
export type ListUsersQuery = PaginationQuery;

// --- responses (for the OpenAPI document) ---

// The user object is the people module's view (src/modules/people/user.view.ts), the same objects.
const userProperties = USER_PROPERTIES;
export { userResponseSchema };

export const createdUserResponseSchema = {
  $id: 'CreatedUser',
  type: 'object',
  required: ['id', 'email', 'name', 'role', 'venue_id'],
  properties: {
    ...userProperties,
    invite_url: { type: 'string', description: 'Where the person sets a password: shown this once, valid 7 days. Only when no password was given.' },
  },
} as const;

export const sessionResponseSchema = {
  $id: 'Session',
  type: 'object',
  required: ['user', 'csrf_token'],
  properties: {
    user: userResponseSchema,
    csrf_token: { type: 'string', description: 'Send as `X-CSRF-Token` on every state-changing request made with the session cookie.' },
    scopes: { type: 'array', items: { type: 'string' }, description: "The role's scopes." },
  },
} as const;

export const inviteResponseSchema = {
  $id: 'Invite',
  type: 'object',
  required: ['email', 'name', 'role', 'expires_at'],
  properties: {
    email: { type: 'string' }, name: { type: 'string' }, role: userProperties.role,
    venue_name: { type: ['string', 'null'] }, expires_at: { type: 'string', format: 'date-time' },
  },
} as const;

export const apiKeyResponseSchema = {
  $id: 'ApiKey',
  type: 'object',
  required: ['id', 'name', 'prefix', 'scopes', 'created_at', 'revoked_at'],
  properties: {
    id: { type: 'string', pattern: '^key_' },
    name: { type: 'string' },
    prefix: { type: 'string', description: 'The first characters of the key, to recognise it.' },
    scopes: { type: 'array', items: { type: 'string' } },
    venue_id: { type: 'string' },
    rate_limit_per_minute: { type: 'integer' },
    created_at: { type: 'string', format: 'date-time' },
    last_used_at: { type: ['string', 'null'], format: 'date-time' },
    revoked_at: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;
