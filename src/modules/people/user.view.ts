/** The user object: what presentUser renders, and what the OpenAPI document publishes. */
import type { View } from '../../platform/json-schema';

export const USER_PROPERTIES = {
  id: { type: 'string', pattern: '^usr_' },
  email: { type: 'string' },
  name: { type: 'string' },
  role: { type: 'string', enum: ['owner', 'manager', 'host', 'operator'] },
  venue_id: { type: ['string', 'null'] },
  status: { type: 'string', enum: ['active', 'invited'], description: '`invited` until the person sets a password.' },
  created_at: { type: 'string', format: 'date-time' },
} as const;

export const userResponseSchema = {
  $id: 'User',
  type: 'object',
  required: ['id', 'email', 'name', 'role', 'venue_id'],
  properties: USER_PROPERTIES,
} as const;

export type UserView = View<typeof userResponseSchema>;
