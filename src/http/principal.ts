import type { Response } from 'express';
import { AppError } from '../shared/app-error';
import { API_SCOPES, type ApiScope } from './schemas/venue.schema';

/**
 * Who is calling, whatever proved it. Authentication (an API key today; staff sessions, channel keys and
 * the public widget later: CONTRACT §8, §10, §11) ends in a Principal on the response, and routes read only
 * that: the venue they act on, the scopes, and the actor for the record. A new caller kind is one more
 * Actor and one authenticator that builds a Principal; the routes and the access check stay as they are.
 */
export type Actor =
  /** A venue's integrator key (CONTRACT §6). */
  | { kind: 'api_key'; keyId: string }
  /** The platform operator's ADMIN_TOKEN (CONTRACT §3). */
  | { kind: 'admin' };

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
  /** The venues it may act on: `'all'` for the platform operator; an API key: its own one. */
  venueIds: 'all' | readonly string[];
  /** The venue this request acts on (an API key's own; a channel key will name one of its venues); null: none. */
  venue: PrincipalVenue | null;
  scopes: readonly ApiScope[];
  /** Counted per `bucket` (the key id for API keys, so limits survive this type's changes); null: not limited. */
  rateLimit: { bucket: string; perMinute: number } | null;
}

export const ADMIN_PRINCIPAL: Principal = Object.freeze({
  actor: Object.freeze({ kind: 'admin' as const }),
  venueIds: 'all' as const,
  venue: null,
  scopes: API_SCOPES,
  rateLimit: null,
});

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

/** What an operation asks of its caller beyond being authenticated. */
export interface AccessNeeds {
  /** The booking API's plans: `starter` venues have no API access (CONTRACT §6). */
  paidPlan: boolean;
  scope?: ApiScope;
}

/**
 * The one access check: plan gating, then the operation's scope. Throws 403 plan_upgrade_required or
 * 403 insufficient_scope in the contract's envelope.
 */
export function checkAccess(principal: Principal, needs: AccessNeeds): void {
  if (needs.paidPlan && principal.venue?.plan === 'starter') {
    throw new AppError('plan_upgrade_required', 'The booking API is not part of the starter plan.', {
      plan: 'starter',
      required_plans: ['business', 'pro'],
      upgrade_hint: 'Upgrade the venue to the business or pro plan to use the booking API.',
    });
  }
  if (needs.scope && !principal.scopes.includes(needs.scope)) {
    throw new AppError('insufficient_scope', `This API key lacks the ${needs.scope} scope.`, { required_scope: needs.scope });
  }
}
