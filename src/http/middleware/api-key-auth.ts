import type { RequestHandler, Response } from 'express';
import type { DataSource } from 'typeorm';
import { hashApiKey } from '../../domain/api-keys/api-keys';
import { AppError } from '../../shared/app-error';
import type { StaffScope } from '../../modules/people';
import type { ApiScope } from '../schemas/venue.schema';

/** Who acts: an API key, or a venue user signed in with a session (src/http/session-auth.ts). */
export type Actor = { kind: 'api_key'; apiKeyId: string } | { kind: 'user'; userId: string; role: string };

/**
 * Who is calling the booking API: a key or a staff session, bound to one venue. Every query is scoped to
 * `venueId`; both kinds of caller end as this same shape, so routes do not tell them apart.
 */
export interface ApiAuth {
  /** The caller's identity for rate limits and idempotency keys: the key's id, or the signed-in user's id. */
  apiKeyId: string;
  venueId: string;
  scopes: string[];
  rateLimitPerMinute: number;
  venue: { id: string; timezone: string; currency: string; country: string | null; plan: string };
  actor: Actor;
}

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

/** The key with this SHA-256 hash, or null when it is unknown or revoked. */
export function lookupApiKey(dataSource: DataSource): (hash: string) => Promise<ApiAuth | null> {
  return async (hash) => {
    const rows = (await dataSource.query(
      `SELECT k.id, k.venue_id, k.scopes, k.rate_limit_per_minute, k.revoked_at, v.timezone, v.currency, v.country, v.plan
         FROM api_keys k JOIN venues v ON v.id = k.venue_id WHERE k.key_hash = ?`,
      [hash],
    )) as KeyRow[];
    const row = rows[0];
    if (!row || row.revoked_at) return null;
    return {
      apiKeyId: row.id,
      venueId: row.venue_id,
      scopes: typeof row.scopes === 'string' ? (JSON.parse(row.scopes) as string[]) : row.scopes,
      rateLimitPerMinute: row.rate_limit_per_minute,
      venue: { id: row.venue_id, timezone: row.timezone, currency: row.currency, country: row.country, plan: row.plan },
      actor: { kind: 'api_key', apiKeyId: row.id },
    };
  };
}

/**
 * `Authorization: Bearer ts_live_…`. The key is looked up by its SHA-256 hash (a unique index), so the
 * comparison never touches the plain key and takes the same time whatever the key. `keys` is
 * lookupApiKey, cached (api-key-cache.ts): revoked keys still fail at once.
 */
export function apiKeyAuth(keys: { get(hash: string): Promise<ApiAuth | null> }): RequestHandler {
  return async (req, res, next) => {
    const match = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) throw new AppError('invalid_api_key', 'Send your API key as `Authorization: Bearer ts_live_…`.');
    const auth = await keys.get(hashApiKey(match[1]!));
    if (!auth) throw new AppError('invalid_api_key', 'The API key is unknown or revoked.');
    res.locals.auth = auth;
    next();
  };
}

/** The venue's plan must include API access (`starter` does not); staff sessions work on every plan. */
export const requirePaidPlan: RequestHandler = (_req, res, next) => {
  const auth = getAuth(res);
  if (auth.venue.plan === 'starter' && auth.actor.kind === 'api_key') {
    throw new AppError('plan_upgrade_required', 'The booking API is not part of the starter plan.', {
      plan: 'starter',
      required_plans: ['business', 'pro'],
      upgrade_hint: 'Upgrade the venue to the business or pro plan to use the booking API.',
    });
  }
  next();
};

/** Route guard: 403 insufficient_scope naming the missing scope. */
export function requireScope(scope: ApiScope | StaffScope): RequestHandler {
  return (_req, res, next) => {
    const auth = getAuth(res);
    if (!auth.scopes.includes(scope)) {
      const who = auth.actor.kind === 'user' ? `The ${auth.actor.role} role` : 'This API key';
      throw new AppError('insufficient_scope', `${who} lacks the ${scope} scope.`, { required_scope: scope });
    }
    next();
  };
}

export function getAuth(res: Response): ApiAuth {
  const auth = res.locals.auth as ApiAuth | undefined;
  if (!auth) throw new Error('apiKeyAuth must run before this handler');
  return auth;
}
