import { Router, type Request, type RequestHandler } from 'express';
import type { AppDeps } from '../../app-deps';
import { jsonBody, rawBody } from './body-parsers';
import { adminAuth } from './middleware/admin-auth';
import { apiKeyAuth, CHANNEL_VENUE_PARAM, refuseChannelKeys, resolveChannelVenue } from './middleware/api-key-auth';
import { idempotency } from './middleware/idempotency';
import { rateLimit } from './middleware/rate-limit';
import type { Auth, Operation } from './operation';
import { channelOf, checkAccess, guestPrincipal, principalOf, setPrincipal, venueOf, type AccessNeeds } from './principal';
import { publicRateLimit } from './middleware/public-rate-limit';
import { answerPreflight, applyReadCors, applyWriteCors, matchPattern } from './middleware/public-cors';
import { findManagedBooking, findPublicVenue, notFoundVenue, type PublicVenue } from '../../modules/guests';
import { AppError } from '../../platform/app-error';
import { bearerOrSession, csrfGuard, sessionAuth } from './session-auth';

/** The shared middleware of one router, built once per mount. */
interface Parts {
  /** An API key (a venue's or a channel's), or a venue user's session. */
  venueCaller: RequestHandler;
  /** A channel key: the operation must be open to channels; then the venue its call names. */
  channelOpen: RequestHandler;
  channelClosed: RequestHandler;
  channelVenue: RequestHandler;
  /** A channel key on an admin or session route: 403 scope_violation. */
  noChannelKeys: RequestHandler;
  /** The admin token, or an operator's session. */
  platformCaller: RequestHandler;
  session: RequestHandler;
  venueAccess: RequestHandler;
  platformAccess: RequestHandler;
  rateLimit: RequestHandler;
  paidPlan: RequestHandler;
  json: RequestHandler;
  losslessJson: RequestHandler;
  rawBody: RequestHandler;
  idempotency: RequestHandler;
  /** The public widget API: a limiter per route pattern and method. */
  guestRateLimit(op: Operation): RequestHandler;
  /** The venue named by `:slug` (taking public bookings, else 404) as the guest's principal. */
  guestVenue: RequestHandler;
  /** A guest principal without a venue yet (a manage token's routes find it). */
  guest: RequestHandler;
  guestJson: RequestHandler;
}

function parts(deps: AppDeps): Parts {
  return {
    venueCaller: bearerOrSession(deps, apiKeyAuth(deps.apiKeyCache)),
    channelOpen: access({ channels: true }),
    channelClosed: access({ channels: false }),
    channelVenue: resolveChannelVenue(deps.apiKeyCache),
    noChannelKeys: refuseChannelKeys(deps.apiKeyCache),
    platformCaller: bearerOrSession(deps, adminAuth(deps.config.adminToken)),
    session: sessionAuth(deps),
    venueAccess: access({ caller: 'venue' }),
    platformAccess: access({ caller: 'platform' }),
    rateLimit: rateLimit(deps.redis, deps.keyPrefix, deps.logger),
    paidPlan: access({ paidPlan: true }),
    json: jsonBody(),
    losslessJson: jsonBody(undefined, { lossless: true }),
    // Every body is read whatever its Content-Type (also none): the adapter decides what it can parse.
    rawBody: rawBody(),
    idempotency: idempotency(deps),
    guestRateLimit: (op) => publicRateLimit(
      { redis: deps.redis, keyPrefix: deps.keyPrefix, perMinute: deps.config.publicRateLimitPerMinute, logger: deps.logger },
      op.method, op.path,
    ),
    guestVenue: async (req, res, next) => {
      const venue = await findPublicVenue(deps.dataSource.manager, String(req.params.slug));
      if (!venue) throw notFoundVenue();
      setPrincipal(res, guestPrincipal(req.ip ?? '', venue));
      res.locals.publicVenue = venue;
      if (req.method !== 'GET' && req.method !== 'HEAD') applyWriteCors(req, res, venue.settings.allowed_origins);
      next();
    },
    guest: (req, res, next) => {
      setPrincipal(res, guestPrincipal(req.ip ?? '', null));
      next();
    },
    // Guests' bodies are small: a booking, an enquiry.
    guestJson: jsonBody(16 * 1024),
  };
}

/** The venue a `guest` operation with a `:slug` acts on (set by the guestVenue step). */
export function publicVenueOf(res: { locals: Record<string, unknown> }): PublicVenue {
  const venue = res.locals.publicVenue as PublicVenue | undefined;
  if (!venue) throw new Error('a guest operation with :slug resolves its venue first');
  return venue;
}

function access(needs: AccessNeeds): RequestHandler {
  return (_req, res, next) => {
    checkAccess(principalOf(res), needs);
    next();
  };
}

/** The body parser of an operation (body-parsers.ts): its auth kind's, at the operation's own limit if it sets one. */
function bodyParserOf(op: Operation, p: Parts): RequestHandler | null {
  if (op.auth === 'partner') return op.bodyLimit === undefined ? p.rawBody : rawBody(op.bodyLimit);
  const lossless = op.auth === 'admin';
  if (op.bodyLimit !== undefined) return jsonBody(op.bodyLimit, { lossless });
  if (op.auth === 'apiKey') return p.json;
  if (op.auth === 'admin') return p.losslessJson;
  if (op.auth === 'guest') return op.body ? p.guestJson : null;
  return op.body ? p.json : null;
}

/**
 * The chain an operation's facts imply, in the order its errors have always taken precedence:
 * authenticate (401) → a channel key: the operation open to channels (403 scope_violation), then the
 * venue its call names (400, 403) → the surface's caller kind (403 forbidden) → a session's CSRF token
 * (403) → rate limit (429) → the surface's access (plan, 403) → read the body (400/413/415) → the
 * operation's access (scope, 403) → idempotency claim → parse body/query (400) → handler.
 */
function chainOf(op: Operation, p: Parts): RequestHandler[] {
  const chain: RequestHandler[] = [];
  switch (op.auth) {
    case 'apiKey':
      chain.push(p.venueCaller, op.channels ? p.channelOpen : p.channelClosed, p.channelVenue, p.venueAccess, csrfGuard, p.rateLimit, p.paidPlan);
      break;
    case 'admin':
      chain.push(p.noChannelKeys, p.platformCaller, p.platformAccess, csrfGuard);
      break;
    case 'session':
      chain.push(p.noChannelKeys, p.session, csrfGuard);
      break;
    case 'guest':
      // Reads are open to any origin (set first, so an error is readable too); writes get the venue's origins.
      if (op.method === 'get') chain.push((_req, res, next) => { applyReadCors(res); next(); });
      chain.push(p.guestRateLimit(op), op.path.includes(':slug') ? p.guestVenue : p.guest, access({ caller: 'guest' }));
      break;
    case 'partner':
    case 'public':
      break;
  }
  const parser = bodyParserOf(op, p);
  if (parser) chain.push(parser);
  if (op.auth === 'apiKey' && op.scope) chain.push(access({ scope: op.scope }));
  if (op.idempotency) chain.push(p.idempotency);
  return chain;
}

const AUTHENTICATED: ReadonlySet<Auth> = new Set(['apiKey', 'admin', 'session', 'guest']);

/** A channel key's venue_id belongs to the access layer (resolveChannelVenue), not to the operation's query. */
function withoutVenueParam(query: Request['query']): Request['query'] {
  const { [CHANNEL_VENUE_PARAM]: _venue, ...rest } = query;
  return rest;
}

/** The last step: parsed input and the caller, then the operation's own handler (built once, here). */
function handlerOf(op: Operation, deps: AppDeps): RequestHandler {
  const handle = op.handler(deps);
  const { body, query, auth } = op;
  const authenticated = AUTHENTICATED.has(auth);
  return (req, res) => {
    const principal = authenticated ? principalOf(res) : null;
    return handle({
      req,
      res,
      params: req.params as Record<string, string>,
      body: body ? body.parse(req.body) : undefined,
      query: query ? query.parse(principal && channelOf(principal) ? withoutVenueParam(req.query) : req.query) : undefined,
      principal: principal as never,
      venue: (auth === 'apiKey' ? venueOf(principal!) : null) as never,
    });
  };
}

/**
 * A router serving exactly these operations, each with the middleware its declaration implies, built
 * now rather than per request: routes sit flat in one router (a nested router costs about 10 µs per
 * request on the hot paths). Any other path under the mount still meets the surface's authentication
 * (and body parser) before the 404, as it did when those ran for the whole mount.
 */
export function operationsRouter(deps: AppDeps, operations: readonly Operation[]): Router {
  const router = Router();
  const p = parts(deps);
  const kinds = new Set<Auth>();
  const guestOps = operations.filter((op) => op.auth === 'guest');
  if (guestOps.length) router.use(guestPreflight(deps, guestOps));
  for (const op of operations) {
    router[op.method](op.path, ...chainOf(op, p), handlerOf(op, deps));
    kinds.add(op.auth);
  }
  if (kinds.has('apiKey')) router.use(p.venueCaller, p.venueAccess, csrfGuard, p.rateLimit, p.paidPlan, p.json);
  if (kinds.has('admin')) router.use(p.noChannelKeys, p.platformCaller, p.platformAccess, csrfGuard, p.losslessJson);
  // The public widget API's own 404 (its surface is mounted inside /api/v1, whose fallback asks for a key).
  if (kinds.has('guest')) {
    router.use((req, _res, next) => next(new AppError('not_found', `No route for ${req.method} ${req.originalUrl}`)));
  }
  return router;
}

/**
 * CORS preflights of the public widget API (public-cors.ts): 204 for any path of a guest operation, with
 * the allow headers for a read, or for a write from an origin the venue (named by `:slug` or by the manage
 * token) allows.
 */
function guestPreflight(deps: AppDeps, ops: readonly Operation[]): RequestHandler {
  return async (req, res, next) => {
    if (req.method !== 'OPTIONS') return next();
    const matched = ops.flatMap((op) => {
      const params = matchPattern(op.path, req.path);
      return params ? [{ op, params }] : [];
    });
    if (!matched.length) return next();
    const methods = [...new Set(matched.flatMap(({ op }) => (op.method === 'get' ? ['GET', 'HEAD'] : [op.method.toUpperCase()])))];
    const params = matched[0]!.params;
    const requested = (req.get('access-control-request-method') ?? 'GET').toUpperCase();
    let allowed: readonly string[] | null = [];
    if (requested !== 'GET' && requested !== 'HEAD') {
      const em = deps.dataSource.manager;
      if (params.slug !== undefined) allowed = (await findPublicVenue(em, params.slug))?.settings.allowed_origins ?? null;
      else if (params.token !== undefined) allowed = (await findManagedBooking(em, params.token))?.venue.settings.allowed_origins ?? null;
    }
    answerPreflight(req, res, methods, allowed);
  };
}
