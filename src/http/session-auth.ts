import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { AppDeps } from '../app-deps';
import { People, SESSION_MAX_AGE_MS, type Session, type UserRecord } from '../modules/people';
import { AppError } from '../shared/app-error';
import type { ApiAuth } from './middleware/api-key-auth';

/**
 * Staff sessions as callers (CONTRACT §8): ONE resolver turns the session cookie into a principal (venue,
 * scopes, actor), and two small wrappers plug it in front of the existing auth of /api/v1 (key or session
 * → the same ApiAuth every route checks) and /admin/v1 (admin token or an operator's session). Routes
 * are unchanged. A state-changing request made with the cookie must carry its X-CSRF-Token.
 */

export const SESSION_COOKIE = 'ts_session';
/**
 * Readable by the page (not HttpOnly) and secret-free: tells the web app a session may exist, so a fresh
 * visit shows the sign-in form without first asking GET /api/v1/session for a 401.
 */
export const SIGNED_IN_COOKIE = 'ts_signed_in';
export const CSRF_HEADER = 'x-csrf-token';

/** The §8 staff session's rate limit per minute (keys carry their own). */
export const SESSION_RATE_LIMIT_PER_MINUTE = 600;

export type SessionActor = { kind: 'user'; userId: string; role: string } | { kind: 'operator'; userId: string };

/** Who a session cookie is: the lead's Principal maps onto this (venue ids, scopes, actor). */
export interface SessionPrincipal {
  /** null for operators (they act on every venue through /admin/v1). */
  venueId: string | null;
  scopes: readonly string[];
  actor: SessionActor;
  user: UserRecord;
  session: Session;
}

// One People per composed app, as the API key cache (tests compose several apps side by side).
const people = new WeakMap<AppDeps, People>();

export function peopleOf(deps: AppDeps): People {
  let p = people.get(deps);
  if (!p) {
    p = new People({
      dataSource: deps.dataSource, redis: deps.redis, keyPrefix: deps.keyPrefix, publicUrl: deps.config.publicUrl,
      passwordCost: { memoryKib: deps.config.passwordHashMemoryKib, iterations: deps.config.passwordHashIterations },
    });
    people.set(deps, p);
  }
  return p;
}

/** The session token in the request's cookies, or null. */
export function sessionTokenOf(req: Request): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return decodeURIComponent(part.slice(eq + 1).trim()) || null;
  }
  return null;
}

/** THE resolver: session cookie → principal, or null (no cookie, an ended session, a removed user). */
export async function resolveSession(deps: AppDeps, req: Request): Promise<SessionPrincipal | null> {
  const token = sessionTokenOf(req);
  if (!token) return null;
  const p = peopleOf(deps);
  const session = await p.sessions.get(token);
  if (!session) return null;
  // Read on every request, so a changed role or a removal applies at once.
  const user = await p.findById(session.user_id);
  if (!user) {
    await p.sessions.destroy(session);
    return null;
  }
  const actor: SessionActor = user.role === 'operator'
    ? { kind: 'operator', userId: user.id }
    : { kind: 'user', userId: user.id, role: user.role };
  return { venueId: user.venueId, scopes: p.scopesOf(user), actor, user, session };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** 403 csrf_failed unless a state-changing request carries the session's token. */
export function checkCsrf(req: Request, principal: SessionPrincipal): void {
  if (SAFE_METHODS.has(req.method)) return;
  const given = Buffer.from(String(req.headers[CSRF_HEADER] ?? ''));
  const expected = Buffer.from(principal.session.csrf_token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AppError('csrf_failed', 'Send the X-CSRF-Token header from GET /api/v1/session with this request.');
  }
}

/** The session principal as the booking API's caller. */
export function sessionApiAuth(principal: SessionPrincipal & { venueId: string }): ApiAuth {
  const { user } = principal;
  return {
    apiKeyId: user.id,
    venueId: principal.venueId,
    scopes: [...principal.scopes],
    rateLimitPerMinute: SESSION_RATE_LIMIT_PER_MINUTE,
    venue: user.venue!,
    actor: principal.actor as ApiAuth['actor'],
  };
}

/** The session a route may use (sign-out, GET /session), or 401 not_signed_in. */
export async function requireSession(deps: AppDeps, req: Request): Promise<SessionPrincipal> {
  const principal = await resolveSession(deps, req);
  if (!principal) throw new AppError('not_signed_in', 'Sign in first: no session, or it has ended.');
  return principal;
}

/**
 * /api/v1: a bearer key goes to the key check as before; otherwise a session cookie makes the same
 * ApiAuth, with the role's scopes. Without either, the key check answers (401 invalid_api_key).
 */
export function keyOrSession(deps: AppDeps, keyAuth: RequestHandler): RequestHandler {
  return async (req, res, next) => {
    if (req.headers.authorization || !sessionTokenOf(req)) return keyAuth(req, res, next);
    const principal = await requireSession(deps, req);
    if (principal.venueId === null) {
      throw new AppError('forbidden', 'Operators work through /admin/v1; /api/v1 is for a venue’s staff and keys.');
    }
    checkCsrf(req, principal);
    res.locals.auth = sessionApiAuth({ ...principal, venueId: principal.venueId });
    res.locals.session = principal;
    next();
  };
}

/**
 * /admin/v1: the admin token as before, or an operator's session (whether or not ADMIN_TOKEN is set);
 * a venue user's session → 403 forbidden.
 */
export function adminTokenOrOperator(deps: AppDeps, tokenAuth: RequestHandler): RequestHandler {
  return async (req, res, next) => {
    if (req.headers.authorization || !sessionTokenOf(req)) return tokenAuth(req, res, next);
    const principal = await requireSession(deps, req);
    if (principal.actor.kind !== 'operator') {
      throw new AppError('forbidden', 'The admin API is for platform operators; venue staff use /api/v1.');
    }
    checkCsrf(req, principal);
    res.locals.session = principal;
    next();
  };
}

/** Sets the session cookie (rotated at every sign-in: always a new token) and the signed-in hint. */
export function setSessionCookies(res: Response, token: string, secure: boolean): void {
  const base = { path: '/', sameSite: 'lax' as const, secure, maxAge: SESSION_MAX_AGE_MS };
  res.cookie(SESSION_COOKIE, token, { ...base, httpOnly: true });
  res.cookie(SIGNED_IN_COOKIE, '1', base);
}

export function clearSessionCookies(res: Response, secure: boolean): void {
  const base = { path: '/', sameSite: 'lax' as const, secure };
  res.clearCookie(SESSION_COOKIE, { ...base, httpOnly: true });
  res.clearCookie(SIGNED_IN_COOKIE, base);
}
