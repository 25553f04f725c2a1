/**
 * The venue's booking rules for callers who are not the venue itself (CONTRACT §15 "Venue rules"): the
 * public widget and channel keys. A venue's own key or its staff book freely and make a request only with
 * `"request": true`.
 *
 * - `party_size` {min, max}: a party outside it → 400 validation_error (field party_size);
 * - `booking_window_days`: a date further ahead than that many days from the venue's today → 422
 *   slot_unavailable with `details.reason: "beyond_booking_window"`;
 * - `max_bookings_per_email_per_day`: bookings made by the same caller kind (`source`) at the venue for one
 *   guest email in the last 24 hours, cancelled ones not counted; over it → 429 rate_limited (assertEmailCap);
 * - `max_instant_party_size` and a service's `requires_approval`: the booking becomes a request (decided by
 *   the booking writer once the slot, hence the service, is known: `becomesRequest`).
 */
import type { EntityManager } from 'typeorm';
import { AppError } from '../../platform/app-error';
import type { VenueSettings } from '../venues';
import type { ServiceDef } from './availability';
import { addDays, instantToLocalDate } from './venue-time';

/** What of the venue's settings the rules read. */
export type VenueRules = Pick<VenueSettings, 'party_size' | 'booking_window_days' | 'max_instant_party_size' | 'max_bookings_per_email_per_day'>;

/** Refuses a party size the rules do not allow: 400 validation_error on party_size (the widget's range search too). */
export function checkPartySize(rules: Pick<VenueRules, 'party_size'>, partySize: number): void {
  const { min, max } = rules.party_size;
  if (partySize < min || partySize > max) {
    const message = `must be between ${min} and ${max} for online bookings; for other party sizes send an enquiry or call the venue`;
    throw new AppError('validation_error', `Invalid party_size: ${message}.`, { field: 'party_size', errors: [{ field: 'party_size', message }], min, max });
  }
}

/** Refuses a party size or a date the rules do not allow (nothing is written). */
export function checkVenueRules(rules: VenueRules, booking: { date: string; party_size: number }, timezone: string, now = new Date()): void {
  checkPartySize(rules, booking.party_size);
  checkBookingWindow(rules, booking, timezone, now);
}

/** Refuses a date beyond `booking_window_days` from the venue's today (422 slot_unavailable, reason beyond_booking_window). */
export function checkBookingWindow(rules: Pick<VenueRules, 'booking_window_days'>, booking: { date: string; party_size: number }, timezone: string, now = new Date()): void {
  const last = addDays(instantToLocalDate(now, timezone), rules.booking_window_days);
  if (booking.date > last) {
    throw new AppError('slot_unavailable', `Bookings open ${rules.booking_window_days} days ahead: ${booking.date} is after ${last}.`, {
      reason: 'beyond_booking_window', date: booking.date, party_size: booking.party_size, last_date: last, alternatives: [],
    });
  }
}

/**
 * A move by a caller bound by the rules (a guest through the manage link, a channel key), before it is
 * planned: what changes is checked as a new booking's would be — a party size outside `party_size` (400), a
 * new date beyond the window (422); what stays is not (a party the venue booked for 20 may still change its
 * time). A past time is the engine's own refusal (422 slot_unavailable, reason in_past). A booking that is
 * not a request may not grow its party above `max_instant_party_size` (422 approval_required): that needs the
 * venue's yes, so the guest cancels and sends a request. A request stays a request whatever it moves to.
 */
export function checkMoveRules(
  rules: VenueRules,
  booking: { status: string; date: string; partySize: number },
  patch: { date?: string; party_size?: number },
  timezone: string,
  now = new Date(),
): void {
  const party = patch.party_size ?? booking.partySize;
  if (party !== booking.partySize) checkPartySize(rules, party);
  if (patch.date !== undefined && patch.date !== booking.date) checkBookingWindow(rules, { date: patch.date, party_size: party }, timezone, now);
  if (booking.status !== 'requested' && party > rules.max_instant_party_size && party > booking.partySize) {
    throw new AppError('approval_required', `Parties above ${rules.max_instant_party_size} need the venue's approval: cancel this booking and send a request.`, {
      party_size: party, max_instant_party_size: rules.max_instant_party_size, reason: 'party_size',
    });
  }
}

/**
 * After the move is planned: a booking that is not a request may not move into a service that requires
 * approval from one that did not (422 approval_required, as a grown party).
 */
export function checkMoveService(
  booking: { status: string },
  before: Pick<ServiceDef, 'requires_approval'> | null,
  after: Pick<ServiceDef, 'requires_approval' | 'name'> | null,
): void {
  if (booking.status === 'requested' || !after?.requires_approval || before?.requires_approval) return;
  throw new AppError('approval_required', `Bookings for ${after.name} need the venue's approval: cancel this booking and send a request.`, {
    reason: 'service_requires_approval',
  });
}

/** Whether a booking under the rules needs the venue's yes: a party above max_instant_party_size, or a service that requires approval. */
export function becomesRequest(rules: Pick<VenueRules, 'max_instant_party_size'>, partySize: number, service: Pick<ServiceDef, 'requires_approval'> | null): boolean {
  return partySize > rules.max_instant_party_size || (service?.requires_approval ?? false);
}

/**
 * The venue's cap on bookings per guest email and day for one source (`channel:<name>`, `widget`): those
 * made in the last 24 hours, cancelled ones not counted. Over it → 429 rate_limited with Retry-After (when
 * the oldest of them is a day old). No email: nothing to count.
 */
export async function assertEmailCap(
  em: EntityManager,
  venueId: string,
  rules: Pick<VenueRules, 'max_bookings_per_email_per_day'>,
  source: string,
  email: string | null | undefined,
  now = new Date(),
): Promise<void> {
  if (!email) return;
  const cap = rules.max_bookings_per_email_per_day;
  const since = new Date(now.getTime() - 24 * 3600_000);
  const [row] = (await em.query(
    `SELECT COUNT(*) AS n, MIN(b.created_at) AS oldest FROM customers c
       JOIN bookings b ON b.customer_id = c.id
      WHERE c.venue_id = ? AND c.email_normalized = ? AND b.source = ? AND b.created_at > ? AND b.status <> 'cancelled'`,
    [venueId, email.trim().toLowerCase(), source, since],
  )) as { n: string | number; oldest: Date | null }[];
  if (Number(row?.n ?? 0) < cap) return;
  const retryAfter = Math.max(1, Math.ceil(((row?.oldest?.getTime() ?? now.getTime()) + 24 * 3600_000 - now.getTime()) / 1000));
  throw new AppError('rate_limited', `This venue takes at most ${cap} bookings a day per guest email from ${source}.`, {
    limit: cap, reason: 'max_bookings_per_email_per_day', retry_after_seconds: retryAfter,
  }, { 'Retry-After': String(retryAfter) });
}
