/**
 * Stripe-style `Idempotency-Key` for any POST route: put `idempotency(deps)` after the route's scope guard.
 *
 * - Keys are scoped per API key and kept 24 h; an expired record is ignored and overwritten.
 * - The request's fingerprint is SHA-256 over method, path and the body as canonical JSON (key order does
 *   not matter). Same key + same fingerprint → the first response again (status and body) with
 *   `Idempotent-Replayed: true`; same key + another fingerprint → 422 idempotency_key_reused.
 * - The key is claimed with an INSERT on the unique (api_key_id, idempotency_key) BEFORE the handler runs,
 *   so of two concurrent requests exactly one runs; the other gets 409 idempotency_in_progress.
 * - Only outcomes are kept. A 5xx releases the claim (the client may retry with the same key); so does a
 *   400 (the request was refused before anything ran, so the key may be reused with a corrected body, as
 *   Stripe does). Everything else, 2xx and the other 4xx (404, 409, 422 slot_unavailable …), is replayed.
 * - A claim left by a process that died mid-request is taken over after ABANDONED_CLAIM_MS.
 * - A kept response that carries a guest's manage link (`manage_url`, CONTRACT §10) is stored sealed with
 *   ENCRYPTION_KEY, so the raw token is never in a table in plain text (the bookings keep only its hash).
 * The route's responses must be sent with res.json (they are captured there).
 */
import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { DataSource, Repository } from 'typeorm';
import type { AppDeps } from '../../../app-deps';
import { IdempotencyRecord } from '../../../platform/db/entities';
import { AppError } from '../../../platform/app-error';
import { newId } from '../../../platform/ids';
import { fieldError } from '../validation';
import { principalOf } from '../principal';
import { isDuplicateKey } from '../../../platform/db/db-errors';
import type { SecretBox } from '../../../platform/secret-box';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;
/** Far beyond any request's duration: a claim this old belongs to a request that will never finish. */
export const ABANDONED_CLAIM_MS = 5 * 60_000;
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/** JSON with object keys sorted at every level, so `{a,b}` and `{b,a}` fingerprint alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as Record<string, unknown>)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method.toUpperCase()}\n${path}\n${canonicalJson(body)}`).digest('hex');
}

type Claim = { kind: 'claimed'; id: string } | { kind: 'replay'; status: number; body: string };


async function claimKey(repo: Repository<IdempotencyRecord>, apiKeyId: string, key: string, fingerprint: string): Promise<Claim> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = new Date();
    const fresh = {
      id: newId('idem'), fingerprint, state: 'in_progress' as const, responseStatus: null, responseBody: null,
      createdAt: now, expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
    };
    try {
      await repo.insert({ ...fresh, apiKeyId, idempotencyKey: key });
      return { kind: 'claimed', id: fresh.id };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const existing = await repo.findOne({ where: { apiKeyId, idempotencyKey: key } });
    if (!existing) continue; // released in between: claim again
    const expired = existing.expiresAt.getTime() <= now.getTime();
    const abandoned = existing.state === 'in_progress' && now.getTime() - existing.createdAt.getTime() >= ABANDONED_CLAIM_MS;
    if (expired || abandoned) {
      // Take over by the old row id: of several concurrent takers only one matches it.
      const taken = await repo.update({ id: existing.id }, fresh);
      if (taken.affected) return { kind: 'claimed', id: fresh.id };
      continue;
    }
    if (existing.fingerprint !== fingerprint) {
      throw new AppError('idempotency_key_reused', 'This Idempotency-Key was already used with a different request.', {
        idempotency_key: key,
      });
    }
    if (existing.state === 'completed' && existing.responseStatus !== null && existing.responseBody !== null) {
      return { kind: 'replay', status: existing.responseStatus, body: existing.responseBody };
    }
    break;
  }
  throw new AppError('idempotency_in_progress', 'A request with this Idempotency-Key is still being processed.', {
    idempotency_key: key,
  }, { 'Retry-After': '1' });
}

/** Keeps the outcome (or releases the claim) before the response leaves, so a retry sees it at once. */
async function settle(repo: Repository<IdempotencyRecord>, id: string, status: number, body: unknown, secretBox?: SecretBox): Promise<void> {
  if (status >= 500 || status === 400) {
    await repo.delete({ id });
    return;
  }
  const json = JSON.stringify(body);
  const secret = secretBox && typeof (body as { manage_url?: unknown } | null)?.manage_url === 'string';
  await repo.update({ id }, { state: 'completed', responseStatus: status, responseBody: secret ? secretBox.encrypt(json) : json });
}

/** A kept response body: JSON, or (starting `v1:`, which JSON never does) sealed JSON. */
function openBody(stored: string, secretBox?: SecretBox): string {
  return stored.startsWith('v1:') && secretBox ? secretBox.decrypt(stored) : stored;
}

/**
 * Keys are scoped per caller (the records' api_key_id): an API key's id, or a signed-in venue user's id
 * (ids are prefixed, so the two never meet). Idempotent routes are all on /api/v1, which no other actor reaches.
 */
function idempotencyOwner(res: Response): string {
  const principal = principalOf(res);
  const { actor } = principal;
  if (actor.kind === 'api_key') return actor.keyId;
  if (actor.kind === 'user') return actor.userId;
  if (actor.kind === 'channel') return actor.keyId;
  // The public widget: per venue (keys are the widget's random UUIDs; a guest's retry may come from another IP).
  if (actor.kind === 'guest' && principal.venue) return `guest:${principal.venue.id}`;
  throw new Error(`idempotency is scoped per API key or venue user, not per ${actor.kind}`);
}

export function idempotency(deps: Pick<AppDeps, 'dataSource' | 'logger'> & Partial<Pick<AppDeps, 'secretBox'>>): RequestHandler {
  const repo = deps.dataSource.getRepository(IdempotencyRecord);
  return async (req, res, next) => {
    const key = req.get(IDEMPOTENCY_HEADER);
    if (key === undefined) return next();
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) throw fieldError(IDEMPOTENCY_HEADER, 'must be 1–255 printable ASCII characters without spaces');

    // A channel key acts at many venues: the venue it names is part of what a repeat must repeat.
    const venue = principalOf(res).actor.kind === 'channel' ? `@${principalOf(res).venue?.id ?? ''}` : '';
    const claim = await claimKey(repo, idempotencyOwner(res), key, requestFingerprint(req.method, req.baseUrl + req.path + venue, req.body));
    if (claim.kind === 'replay') {
      res.setHeader('Idempotent-Replayed', 'true');
      res.status(claim.status).type('application/json').send(openBody(claim.body, deps.secretBox));
      return;
    }

    const sendJson = res.json.bind(res);
    res.json = ((body: unknown) => {
      res.json = sendJson;
      const log = (what: string) => (err: unknown) =>
        deps.logger.error({ err: (err as Error).message, idempotency_key: key }, what);
      settle(repo, claim.id, res.statusCode, body, deps.secretBox)
        // The response still goes out; an unsaved claim is taken over after ABANDONED_CLAIM_MS.
        .catch(log('idempotency record not saved'))
        .then(() => sendJson(body))
        .catch(log('response not sent'));
      return res;
    }) as Response['json'];
    next();
  };
}

/** Deletes records past their 24 h; for a periodic job (expired ones are ignored and overwritten anyway). */
export async function purgeExpiredIdempotencyRecords(dataSource: DataSource, now = new Date()): Promise<number> {
  const result = await dataSource.query('DELETE FROM idempotency_records WHERE expires_at <= ? LIMIT 10000', [now]);
  return Number((result as { affectedRows?: number }).affectedRows ?? 0);
}
