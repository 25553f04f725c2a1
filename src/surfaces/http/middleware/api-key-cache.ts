import type { AppDeps } from '../../../app-deps';
import type { PlatformDeps } from '../../../platform/platform-deps';
import { announceChange, ChangeAwareCache, changeVersion } from '../../../platform/change-aware-cache';
import type { Principal } from '../principal';
import { lookupApiKey } from './api-key-auth';

/**
 * API key lookups (key hash → its Principal), kept in memory briefly so a busy key does not cost a
 * database round trip per request. Revocation still takes effect at once in every process
 * (src/platform/change-aware-cache.ts); unknown and revoked keys are never kept, so a new key works at once.
 */

/** @defaultValue 10 s */
export const API_KEY_CACHE_TTL_MS = 10_000;

export type ApiKeyCache = ChangeAwareCache<Principal>;

/** THE way to build the API key cache (the composition root, once per composed app; AppDeps.apiKeyCache). */
export function createApiKeyCache(parts: Pick<PlatformDeps, 'dataSource' | 'redis' | 'keyPrefix'>): ApiKeyCache {
  return new ChangeAwareCache(lookupApiKey(parts.dataSource), changeVersion(parts.redis, apiKeyChangesKey(parts.keyPrefix)), {
    ttlMs: API_KEY_CACHE_TTL_MS,
    keepMisses: false,
  });
}

/** The Redis key holding the API key cache's change version. */
export function apiKeyChangesKey(prefix: string): string {
  return `${prefix}:api-keys:version`;
}

/** After an API key changed (revoked): every process drops every kept key (entries are keyed by hash, not id). */
export async function announceApiKeyChange(deps: AppDeps): Promise<void> {
  await announceChange(deps.redis, apiKeyChangesKey(deps.keyPrefix), deps.apiKeyCache, deps.logger);
}
