import type { Response } from 'express';
import type { StaffScope, VenueRole } from '../../modules/people';
import { AppError } from '../../platform/app-error';
import { API_SCOPES, type ApiScope } from './schemas/venue.schema';

/**
 * Who is calling, whatever proved it. Authentication (an API key, the admin token, a staff session, a
 * channel key; the public widget later: CONTRACT §10) ends in a Principal on the response, and routes read
 * only that: the venue they act on, the scopes, and the actor for the record. A new caller kind is one more
 * Actor and one authenticator that builds a Principal; the routes and the access check stay as they are.
 */
export type Actor =
  /** A venue's integrator key (CONTRACT §6). */
  | { kind: 'api_key'; keyId: string }
  /** The platform operator's ADMIN_TOKEN (CONTRACT §3). */
  | { kind: 'admin' }
  /** A venue's staff member signed in with a session (CONTRACT §8): the role's scopes. */
  | { kind: 'user'; userId: string; role: VenueRole }
  /** A platform operator signed in with a session (CONTRACT §8): the admin API, like the token. */
  | { kind: 'operator'; userId: string }
  /**
   * A booking channel's key (CONTRACT §11): acts at whichever granted venue each call names, on the
   * operations open to channels only, and sees only its own bookings. `canBook` is the named venue's grant
   * (false: its bookings are requests); false until a venue is named.
   */
  | { kind: 'channel'; keyId: string; channelId: string; channelName: string; canBook: boolean }
  /** Anyone on the public booking widget API (CONTRACT §10): no credentials; counted by client IP. */
  | { kind: 'guest'; ip: string };

/** What an operation may require: a §6 scope (an API key can hold it) or a staff-only one (§8). */
export type Scope = ApiScope | StaffScope;

/** The venue a request acts on, as routes need it (what the key lookup joins in). */
export interface PrincipalVenue {
  id: string;
  timezone: string;
  currency: string;
  country: string | null;
  plan: string;
}

export interface Principal {
  actor: Actor;
  /** The venues it may act on: `'all'` for the platform (token, operators); a key or a venue user: its own one. */
  venueIds: 'all' | readonly string[];
  /** The venue this request acts on (an API key's or a venue user's own; a channel key will name one of its venues); null: none. */
  venue: PrincipalVenue | null;
  scopes: readonly Scope[];
  /** Counted per `bucket` (the key id for API keys, the user id for sessions); null: not limited. */
  rateLimit: { bucket: string; perMinute: number } | null;
}

/** What a channel key may do at a granted venue (the operations open to channels require no more). */
export const CHANNEL_SCOPES: readonly Scope[] = Object.freeze(['venue:read', 'bookings:read', 'bookings:write'] as const);

/** The channel behind a principal, or null for every other caller. */
export function channelOf(principal: Principal): Extract<Actor, { kind: 'channel' }> | null {
  return principal.actor.kind === 'channel' ? principal.actor : null;
}

export const ADMIN_PRINCIPAL: Principal = Object.freeze({
  actor: Object.freeze({ kind: 'admin' as const }),
  venueIds: 'all' as const,
  venue: null,
  scopes: API_SCOPES,
  rateLimit: null,
});

/**
 * The public widget API's caller (CONTRACT §10): a guest, acting on the one venue its route names (by slug,
 * or through a manage token), with no scope of the booking API; its per-IP limit is the public surface's
 * own (middleware/public-rate-limit.ts).
 */
export function guestPrincipal(ip: string, venue: PrincipalVenue | null): Principal {
  return { actor: { kind: 'guest', ip }, venueIds: venue ? [venue.id] : [], venue, scopes: [], rateLimit: null };
}

export function setPrincipal(res: Response, principal: Principal): void {
  res.locals.principal = principal;
}

export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new Error('an authenticator must run before this handler');
  return principal;
}

/** The venue a venue-scoped operation acts on; every query of such a route is scoped to its id. */
export function venueOf(principal: Principal): PrincipalVenue {
  if (!principal.venue) throw new Error('this operation needs a venue-scoped principal');
  return principal.venue;
}

/**
 * The caller kind a surface serves: `venue` (/api/v1: keys and venue users; an operator's session is
 * refused), `platform` (/admin/v1: the token and operators; a venue user's session is refused) or `guest`
 * (/api/v1/public: the widget, no credentials).
 */
export type CallerKind = 'venue' | 'platform' | 'guest';

/** What an operation asks of its caller beyond being authenticated. */
export interface AccessNeeds {
  caller?: CallerKind;
  /** The booking API's plans: `starter` venues have no API access for their keys (CONTRACT §6); staff sessions work on every plan. */
  paidPlan?: boolean;
  scope?: Scope;
  /**
   * Whether the operation is open to channel keys (CONTRACT §15: the venue, services, events, availability,
   * their own bookings); false → a channel key gets 403 scope_violation. Checked only where given.
   */
  channels?: boolean;
}

function scopeViolation(message: string, details: Record<string, unknown> | null = null): AppError {
  return new AppError('scope_violation', message, details);
}

/**
 * The one access check, for every kind of caller: the surface's caller kind (403 forbidden), whether a
 * channel key may call the operation at all (403 scope_violation), plan gating (403
 * plan_upgrade_required, venue bearer keys only: staff sessions and channel keys work on every plan), then
 * the operation's scope (403 insufficient_scope; scope_violation for a channel key), in the contract's
 * envelope.
 */
export function checkAccess(principal: Principal, needs: AccessNeeds): void {
  const channel = channelOf(principal);
  if (channel && needs.channels === false) {
    throw scopeViolation(
      'A channel key may read the venue, its services, events and availability, and read, make, move and cancel its own bookings; nothing else.',
      { channel_id: channel.channelId },
    );
  }
  // A channel key names its venue per call (resolveChannelVenue), after the operation's check above.
  if (needs.caller === 'venue' && principal.venue === null && !channel) {
    throw new AppError('forbidden', 'Operators work through /admin/v1; /api/v1 is for a venue’s staff and keys.');
  }
  if (needs.caller === 'platform' && principal.venueIds !== 'all') {
    throw new AppError('forbidden', 'The admin API is for platform operators; venue staff use /api/v1.');
  }
  if (needs.caller === 'guest' && principal.actor.kind !== 'guest') {
    throw new AppError('forbidden', 'This route is the public booking widget\'s.');
  }
  if (needs.paidPlan && principal.actor.kind === 'api_key' && principal.venue?.plan === 'starter') {
    throw new AppError('plan_upgrade_required', 'The booking API is not part of the starter plan.', {
      plan: 'starter',
      required_plans: ['business', 'pro'],
      upgrade_hint: 'Upgrade the venue to the business or pro plan to use the booking API.',
    });
  }
  if (needs.scope && !principal.scopes.includes(needs.scope)) {
    if (channel) throw scopeViolation(`A channel key cannot use what the ${needs.scope} scope guards.`, { required_scope: needs.scope });
    const who = principal.actor.kind === 'user' ? `The ${principal.actor.role} role` : 'This API key';
    throw new AppError('insufficient_scope', `${who} lacks the ${needs.scope} scope.`, { required_scope: needs.scope });
  }
}
