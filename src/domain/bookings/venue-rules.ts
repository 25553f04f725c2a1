/**
 * The venue's booking rules for callers who are not the venue itself (CONTRACT §15 "Venue rules"): the
 * public widget and channel keys. A venue's own key or its staff book freely and make a request only with
 * `"request": true`.
 *
 * - `party_size` {min, max}: a party outside it → 400 validation_error (field party_size);
 * - `booking_window_days`: a date further ahead than that many days from the venue's today → 422
 *   slot_unavailable with `details.reason: "outside_booking_window"`;
 * - `max_instant_party_size` and a service's `requires_approval`: the booking becomes a request (decided by
 *   the booking writer once the slot, hence the service, is known: `becomesRequest`).
 */
import { AppError } from '../../shared/app-error';
import type { VenueSettings } from '../venues/venue-settings';
import { addDays, instantToLocalDate } from './venue-time';

/** What of the venue's settings the rules read. */
export type VenueRules = Pick<VenueSettings, 'party_size' | 'booking_window_days' | 'max_instant_party_size'>;

/** Refuses a party size or a date the rules do not allow (nothing is written). */
export function checkVenueRules(rules: VenueRules, booking: { date: string; party_size: number }, timezone: string, now = new Date()): void {
  const { min, max } = rules.party_size;
  if (booking.party_size < min || booking.party_size > max) {
    throw new AppError('validation_error', `This venue takes online bookings for ${min} to ${max} guests; call the venue for other party sizes.`, {
      field: 'party_size', min, max,
    });
  }
  const last = addDays(instantToLocalDate(now, timezone), rules.booking_window_days);
  if (booking.date > last) {
    throw new AppError('slot_unavailable', `Bookings open ${rules.booking_window_days} days ahead: ${booking.date} is after ${last}.`, {
      reason: 'outside_booking_window', date: booking.date, party_size: booking.party_size, last_date: last, alternatives: [],
    });
  }
}

/** Whether a booking under the rules needs the venue's yes: a party above max_instant_party_size, or a service that requires approval. */
export function becomesRequest(rules: Pick<VenueRules, 'max_instant_party_size'>, partySize: number, service: { requiresApproval: boolean } | null): boolean {
  return partySize > rules.max_instant_party_size || (service?.requiresApproval ?? false);
}
