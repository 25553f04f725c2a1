import type { Request, RequestHandler } from 'express';
import type { DataSource } from 'typeorm';
import { hashApiKey } from '../../../modules/api-keys';
import { findChannelKey, findChannelKeyAtVenue } from '../../../modules/channels';
import { AppError } from '../../../platform/app-error';
import { CHANNEL_SCOPES, channelOf, principalOf, setPrincipal, type Principal } from '../principal';
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

/** The header a channel key may name its venue with (or the `venue_id` query parameter). */
export const CHANNEL_VENUE_HEADER = 'Tablesync-Venue';
export const CHANNEL_VENUE_PARAM = 'venue_id';

/** Cache keys: a key's hash (venue key or channel key), or a channel key's hash at a venue. */
const AT_VENUE = '@';
const atVenueKey = (hash: string, venueId: string) => `${hash}${AT_VENUE}${venueId}`;

/**
 * The principal of the key with this SHA-256 hash, or null when it is unknown or revoked: a venue key,
 * bound to one venue and limited per key; else a channel key, with no venue yet (each call names one).
 * `<hash>@<venue id>`: the channel key's principal at that venue, or null when the venue has not let its
 * channel in. Both kinds are kept by the one key cache, so a revocation or a withdrawn grant drops them in
 * every process at once (api-key-cache.ts).
 */
export function lookupApiKey(dataSource: DataSource): (key: string) => Promise<Principal | null> {
  return async (key) => {
    const at = key.indexOf(AT_VENUE);
    if (at > 0) return channelAtVenue(dataSource, key.slice(0, at), key.slice(at + 1));
    return (await venueKey(dataSource, key)) ?? (await channelKey(dataSource, key));
  };
}

async function venueKey(dataSource: DataSource, hash: string): Promise<Principal | null> {
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
}

async function channelKey(dataSource: DataSource, hash: string): Promise<Principal | null> {
  const key = await findChannelKey(dataSource, hash);
  if (!key) return null;
  return {
    actor: { kind: 'channel', keyId: key.keyId, channelId: key.channelId, channelName: key.channelName, canBook: false },
    venueIds: [],
    venue: null,
    scopes: CHANNEL_SCOPES,
    rateLimit: { bucket: key.keyId, perMinute: key.rateLimitPerMinute },
  };
}

async function channelAtVenue(dataSource: DataSource, hash: string, venueId: string): Promise<Principal | null> {
  const found = await findChannelKeyAtVenue(dataSource, hash, venueId);
  if (!found) return null;
  return {
    actor: { kind: 'channel', keyId: found.keyId, channelId: found.channelId, channelName: found.channelName, canBook: found.canBook },
    venueIds: [found.venue.id],
    venue: found.venue,
    scopes: CHANNEL_SCOPES,
    rateLimit: { bucket: found.keyId, perMinute: found.rateLimitPerMinute },
  };
}

const bearerOf = (req: Request): string | null => /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? null;

/**
 * `Authorization: Bearer ts_live_…` → the key's Principal. The key is looked up by its SHA-256 hash (a
 * unique index), so the comparison never touches the plain key and takes the same time whatever the key.
 * `keys` is lookupApiKey, cached (api-key-cache.ts): revoked keys still fail at once.
 */
export function apiKeyAuth(keys: { get(key: string): Promise<Principal | null> }): RequestHandler {
  return async (req, res, next) => {
    const bearer = bearerOf(req);
    if (!bearer) throw new AppError('invalid_api_key', 'Send your API key as `Authorization: Bearer ts_live_…`.');
    const principal = await keys.get(hashApiKey(bearer));
    if (!principal) throw new AppError('invalid_api_key', 'The API key is unknown or revoked.');
    setPrincipal(res, principal);
    next();
  };
}

/**
 * In front of the admin token and the session routes: a channel key reaching for them is told 403
 * scope_violation (CONTRACT §15: every route but its own), not asked for another credential. Only a
 * bearer that looks like a key (`ts_live_…`) is looked up; the admin token and sessions pass untouched.
 */
export function refuseChannelKeys(keys: { get(key: string): Promise<Principal | null> }): RequestHandler {
  return async (req, _res, next) => {
    const bearer = bearerOf(req);
    if (bearer?.startsWith('ts_live_')) {
      const principal = await keys.get(hashApiKey(bearer));
      if (principal && channelOf(principal)) {
        throw new AppError('scope_violation', 'A channel key works on the booking API only (the venue, availability and its own bookings).');
      }
    }
    next();
  };
}

/** The venue a channel key's call names: `?venue_id=` or the Tablesync-Venue header (both: they must agree). */
function namedVenue(req: Request): string {
  const param = req.query[CHANNEL_VENUE_PARAM];
  const header = req.get(CHANNEL_VENUE_HEADER);
  if (param !== undefined && typeof param !== 'string') {
    throw new AppError('validation_error', 'Name the venue once: venue_id=ven_…', { field: CHANNEL_VENUE_PARAM });
  }
  if (param !== undefined && header !== undefined && param !== header) {
    throw new AppError('validation_error', `venue_id and the ${CHANNEL_VENUE_HEADER} header name different venues.`, { field: CHANNEL_VENUE_PARAM });
  }
  const venueId = param ?? header;
  if (!venueId) {
    throw new AppError('validation_error', `A channel key names the venue of each call: ?venue_id=ven_… or the ${CHANNEL_VENUE_HEADER} header.`, {
      field: CHANNEL_VENUE_PARAM, header: CHANNEL_VENUE_HEADER,
    });
  }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(venueId)) {
    throw new AppError('validation_error', 'venue_id must be a venue id (ven_…).', { field: CHANNEL_VENUE_PARAM });
  }
  return venueId;
}

/**
 * After the operation's channel check: a channel key acts at the venue its call names, if that venue has
 * let its channel in (else 403 scope_violation, for an unknown venue too: a channel learns nothing of
 * venues that did not let it in); naming none is 400 validation_error. Other callers pass unchanged.
 */
export function resolveChannelVenue(keys: { get(key: string): Promise<Principal | null> }): RequestHandler {
  return async (req, res, next) => {
    const principal = principalOf(res);
    if (!channelOf(principal)) return next();
    const venueId = namedVenue(req);
    const atVenue = await keys.get(atVenueKey(hashApiKey(bearerOf(req) ?? ''), venueId));
    if (!atVenue) {
      throw new AppError('scope_violation', `This channel has no access to venue ${venueId}: the venue has not granted it (or withdrew it).`, {
        venue_id: venueId,
      });
    }
    setPrincipal(res, atVenue);
    next();
  };
}
