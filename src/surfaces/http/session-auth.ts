import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { AppDeps } from '../../app-deps';
import { People, SESSION_MAX_AGE_MS, type Session, type UserRecord } from '../../modules/people';
import { AppError } from '../../platform/app-error';
import type { PlatformDeps } from '../../platform/platform-deps';
import { setPrincipal, type Principal, type Scope } from './principal';

/**
 * Staff sessions as callers (CONTRACT §8): ONE resolver turns the session cookie into a Principal (venue,
 * scopes, actor), the same type an API key or the admin token ends in, so the one access check
 * (checkAccess) and the routes treat every caller alike. mount-operations.ts puts `bearerOrSession` in
 * front of the key check (/api/v1) and the token check (/admin/v1), and `csrfGuard` after it: a
 * state-changing request made with the cookie must carry its X-CSRF-Token.
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

/** A live session: its user (People.signedInUser) and the Principal it acts as. */
export interface SignedIn {
  principal: Principal;
  user: UserRecord;
  session: Session;
}

/** THE way to build the People service (the composition root, once per composed app; AppDeps.people). */
export function createPeople(parts: Pick<PlatformDeps, 'dataSource' | 'redis' | 'keyPrefix' | 'config' | 'logger'>): People {
  return new People({
    dataSource: parts.dataSource, redis: parts.redis, keyPrefix: parts.keyPrefix, publicUrl: parts.config.publicUrl,
    passwordCost: { memoryKib: parts.config.passwordHashMemoryKib, iterations: parts.config.passwordHashIterations },
    logger: parts.logger,
  });
}

/** The session token in the request's cookies, or null. */
export function sessionTokenOf(req: Request): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return decodeURIComponent(part.slice(eq + 1).trim()) || null;
  }
  return null;
}

/**
 * A signed-in user as a Principal: a venue user acts on their venue with their role's scopes (on every
 * plan); an operator on every venue through /admin/v1, with no /api/v1 scopes. Rate-limited per user.
 */
export function sessionPrincipal(user: UserRecord, scopes: readonly string[]): Principal {
  return {
    actor: user.role === 'operator' ? { kind: 'operator', userId: user.id } : { kind: 'user', userId: user.id, role: user.role },
    venueIds: user.venueId === null ? 'all' : [user.venueId],
    venue: user.venue,
    // ROLE_SCOPES holds only §6 and §8 scope names.
    scopes: scopes as readonly Scope[],
    rateLimit: { bucket: user.id, perMinute: SESSION_RATE_LIMIT_PER_MINUTE },
  };
}

/** THE resolver: session cookie → the signed-in user and their Principal, or null (no cookie, an ended session, a removed user). */
export async function resolveSession(deps: AppDeps, req: Request): Promise<SignedIn | null> {
  const token = sessionTokenOf(req);
  if (!token) return null;
  const p = deps.people;
  const session = await p.sessions.get(token);
  if (!session) return null;
  // Kept briefly between requests, dropped in every process at a change (a role, a removal), so it applies at once.
  const user = await p.signedInUser(session.user_id);
  if (!user) {
    await p.sessions.destroy(session);
    return null;
  }
  return { principal: sessionPrincipal(user, p.scopesOf(user)), user, session };
}

/** The session a route may use (sign-out, GET /session), or 401 not_signed_in. */
export async function requireSession(deps: AppDeps, req: Request): Promise<SignedIn> {
  const signedIn = await resolveSession(deps, req);
  if (!signedIn) throw new AppError('not_signed_in', 'Sign in first: no session, or it has ended.');
  return signedIn;
}

/** The session the authenticator signed this request in with (`auth: 'session'` operations). */
export function signedInOf(res: Response): SignedIn {
  const signedIn = res.locals.session as SignedIn | undefined;
  if (!signedIn) throw new Error('sessionAuth must run before this handler');
  return signedIn;
}

/** The session cookie → its Principal on the response (401 not_signed_in without a live session). */
export function sessionAuth(deps: AppDeps): RequestHandler {
  return async (req, res, next) => {
    const signedIn = await requireSession(deps, req);
    setPrincipal(res, signedIn.principal);
    res.locals.session = signedIn;
    next();
  };
}

/**
 * A bearer credential goes to `bearerAuth` as before (the API key check, the admin token check);
 * otherwise a session cookie signs the caller in. Without either, `bearerAuth` answers (401).
 */
export function bearerOrSession(deps: AppDeps, bearerAuth: RequestHandler): RequestHandler {
  const session = sessionAuth(deps);
  return (req, res, next) => (req.headers.authorization || !sessionTokenOf(req) ? bearerAuth(req, res, next) : session(req, res, next));
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** 403 csrf_failed unless a state-changing request carries the session's token. */
export function checkCsrf(req: Request, session: Session): void {
  if (SAFE_METHODS.has(req.method)) return;
  const given = Buffer.from(String(req.headers[CSRF_HEADER] ?? ''));
  const expected = Buffer.from(session.csrf_token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AppError('csrf_failed', 'Send the X-CSRF-Token header from GET /api/v1/session with this request.');
  }
}

/** After authentication: a request signed in by its cookie needs the session's CSRF token; a bearer credential does not. */
export const csrfGuard: RequestHandler = (req, res, next) => {
  const signedIn = res.locals.session as SignedIn | undefined;
  if (signedIn) checkCsrf(req, signedIn.session);
  next();
};

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
