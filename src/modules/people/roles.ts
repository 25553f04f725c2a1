/**
 * Staff roles and the scopes each holds (CONTRACT §8). A session is checked by the same scope guard as an
 * API key (requireScope), so a role is exactly its scope list.
 */
export const VENUE_ROLES = ['owner', 'manager', 'host'] as const;
export type VenueRole = (typeof VENUE_ROLES)[number];
export type Role = VenueRole | 'operator';

/** The §6 scopes, the ones an API key can hold. */
const BOOKING_API_SCOPES = [
  'venue:read', 'bookings:read', 'bookings:write', 'customers:read', 'customers:write',
  'sales:read', 'sales:write', 'webhooks:read', 'webhooks:write',
] as const;

/**
 * Scopes only staff hold: `users:manage` and `keys:manage` (owners), `keys:read` (listing keys: owners and
 * managers, §8) and `venue:write` (venue settings: owners and managers).
 */
export const STAFF_SCOPES = ['venue:write', 'keys:read', 'keys:manage', 'users:manage'] as const;
export type StaffScope = (typeof STAFF_SCOPES)[number];

const HOST = ['venue:read', 'bookings:read', 'bookings:write', 'customers:read', 'sales:read'];
const MANAGER = [...BOOKING_API_SCOPES, 'venue:write', 'keys:read'];
const OWNER = [...MANAGER, 'users:manage', 'keys:manage'];

export const ROLE_SCOPES: Readonly<Record<VenueRole, readonly string[]>> = Object.freeze({
  host: Object.freeze(HOST),
  manager: Object.freeze(MANAGER),
  owner: Object.freeze(OWNER),
});

export function isVenueRole(value: unknown): value is VenueRole {
  return typeof value === 'string' && (VENUE_ROLES as readonly string[]).includes(value);
}
