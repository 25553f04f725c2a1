import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { ApiKey, Venue } from '../../platform/db/entities';
import { AppError, notFound } from '../../platform/app-error';
import { newId } from '../../platform/ids';

export const API_KEY_PREFIX = 'ts_live_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Issues a key: the plain key is returned once; only its SHA-256 hash and a short prefix are stored. */
export async function issueApiKey(
  em: EntityManager,
  venueId: string,
  input: { name: string; scopes: string[]; rate_limit_per_minute?: number },
  now = new Date(),
): Promise<{ apiKey: ApiKey; key: string }> {
  const venue = await em.findOne(Venue, { where: { id: venueId }, select: { id: true } });
  if (!venue) throw notFound('Venue');
  const key = `${API_KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
  const apiKey = em.create(ApiKey, {
    id: newId('key'), venueId, name: input.name, keyHash: hashApiKey(key), prefix: key.slice(0, 12),
    scopes: input.scopes, rateLimitPerMinute: input.rate_limit_per_minute ?? 60, revokedAt: null,
    lastUsedAt: null, createdAt: now,
  });
  await em.insert(ApiKey, apiKey);
  return { apiKey, key };
}

/** Revokes a key; with `venueId`, only that venue's (another venue's key is 404). */
export async function revokeApiKey(em: EntityManager, id: string, now = new Date(), venueId?: string): Promise<void> {
  const result = await em.update(ApiKey, venueId ? { id, venueId } : { id }, { revokedAt: now });
  if (!result.affected) throw notFound('API key');
}

/** A venue's keys, newest first, revoked ones included (with revokedAt). */
export function listApiKeys(em: EntityManager, venueId: string): Promise<ApiKey[]> {
  return em.find(ApiKey, { where: { venueId }, order: { createdAt: 'DESC', id: 'DESC' } });
}

export function assertScopesKnown(scopes: string[], known: readonly string[]): void {
  const unknown = scopes.filter((s) => !known.includes(s));
  if (unknown.length) throw new AppError('validation_error', `Unknown scope ${unknown[0]}.`, { field: 'scopes' });
}
