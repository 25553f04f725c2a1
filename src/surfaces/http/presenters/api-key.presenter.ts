import type { ApiKey } from '../../../platform/db/entities';
import type { View } from '../../../platform/json-schema';
import type { ApiKeyCreatedView } from '../openapi/response-schemas';
import type { apiKeyResponseSchema } from '../schemas/people.schema';
import type { ApiScope } from '../schemas/venue.schema';

/** A key as lists show it: never the key itself (only its hash is stored). */
export function presentApiKey(k: ApiKey): View<typeof apiKeyResponseSchema> {
  return {
    id: k.id, name: k.name, prefix: k.prefix, scopes: k.scopes, venue_id: k.venueId,
    rate_limit_per_minute: k.rateLimitPerMinute, created_at: k.createdAt.toISOString(),
    last_used_at: k.lastUsedAt?.toISOString() ?? null, revoked_at: k.revokedAt?.toISOString() ?? null,
  };
}

/** A key just issued: the plain `key` is in this answer once. */
export function presentIssuedKey(k: ApiKey, key: string): ApiKeyCreatedView {
  return {
    // Scopes are checked against API_SCOPES when issued.
    id: k.id, key, name: k.name, scopes: k.scopes as ApiScope[], prefix: k.prefix, venue_id: k.venueId,
    rate_limit_per_minute: k.rateLimitPerMinute, created_at: k.createdAt.toISOString(),
  };
}
