import type { RequestHandler } from 'express';
import type { DataSource } from 'typeorm';
import { hashApiKey } from '../../domain/api-keys/api-keys';
import { AppError } from '../../shared/app-error';
import { setPrincipal, type Principal } from '../principal';
import type { ApiScope } from '../schemas/venue.schema';

interface KeyRow {
  id: string;
  venue_id: string;
  scopes: string | string[];
  rate_limit_per_minute: number;
  revoked_at: Date | null;
  timezone: string;
  currency: string;
  country: string | null;
  plan: string;
}

/**
 * The principal of the key with this SHA-256 hash, or null when it is unknown or revoked: one key, bound to
 * one venue, limited per key.
 */
export function lookupApiKey(dataSource: DataSource): (hash: string) => Promise<Principal | null> {
  return async (hash) => {
    const rows = (await dataSource.query(
      `SELECT k.id, k.venue_id, k.scopes, k.rate_limit_per_minute, k.revoked_at, v.timezone, v.currency, v.country, v.plan
         FROM api_keys k JOIN venues v ON v.id = k.venue_id WHERE k.key_hash = ?`,
      [hash],
    )) as KeyRow[];
    const row = rows[0];
    if (!row || row.revoked_at) return null;
    return {
      actor: { kind: 'api_key', keyId: row.id },
      venueIds: [row.venue_id],
      venue: { id: row.venue_id, timezone: row.timezone, currency: row.currency, country: row.country, plan: row.plan },
      // Checked against API_SCOPES when the key was issued.
      scopes: (typeof row.scopes === 'string' ? JSON.parse(row.scopes) : row.scopes) as ApiScope[],
      rateLimit: { bucket: row.id, perMinute: row.rate_limit_per_minute },
    };
  };
}

/**
 * `Authorization: Bearer ts_live_…` → the key's Principal. The key is looked up by its SHA-256 hash (a
 * unique index), so the comparison never touches the plain key and takes the same time whatever the key.
 * `keys` is lookupApiKey, cached (api-key-cache.ts): revoked keys still fail at once.
 */
export function apiKeyAuth(keys: { get(hash: string): Promise<Principal | null> }): RequestHandler {
  return async (req, res, next) => {
    const match = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) throw new AppError('invalid_api_key', 'Send your API key as `Authorization: Bearer ts_live_…`.');
    const principal = await keys.get(hashApiKey(match[1]!));
    if (!principal) throw new AppError('invalid_api_key', 'The API key is unknown or revoked.');
    setPrincipal(res, principal);
    next();
  };
}
