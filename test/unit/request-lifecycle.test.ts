import { assertTransition } from '../../src/modules/diary/booking-lifecycle';
import { BOOKING_STATUSES, BOOKING_TRANSITIONS, type BookingStatus, holdsTable, holdsTableSql } from '../../src/modules/diary/booking-statuses';
import { statusChangeRefusal } from '../../src/modules/diary/change-status';
import { requestExpiry } from '../../src/modules/diary/request-hold';
import { becomesRequest, checkVenueRules } from '../../src/modules/diary/venue-rules';
import { bookingEvent } from '../../src/modules/outbox/outbox';
import { expectAppError } from '../helpers/expect-error';

describe('requests in the one status machine', () => {
  it('requested → confirmed | declined | expired | cancelled; declined and expired are final; every other move is invalid_transition', () => {
    expect(BOOKING_TRANSITIONS.requested).toEqual(['confirmed', 'declined', 'expired', 'cancelled']);
    for (const from of ['declined', 'expired'] as BookingStatus[]) expect(BOOKING_TRANSITIONS[from]).toEqual([]);
    for (const from of ['requested', 'declined', 'expired'] as BookingStatus[]) {
      for (const to of BOOKING_STATUSES) {
        if (to === from) continue;
        if (BOOKING_TRANSITIONS[from].includes(to)) expect(() => assertTransition(from, to)).not.toThrow();
        else expectAppError(() => assertTransition(from, to), 'invalid_transition', { from, to });
      }
    }
    // Nothing leads back to a request.
    for (const from of BOOKING_STATUSES) expect(BOOKING_TRANSITIONS[from]).not.toContain('requested');
  });

  it('a request holds its table; declined and expired free it (the TS set and the SQL fragment alike)', () => {
    expect(holdsTable('requested')).toBe(true);
    expect(holdsTable('declined')).toBe(false);
    expect(holdsTable('expired')).toBe(false);
    expect(holdsTableSql('b.status')).toBe("b.status NOT IN ('cancelled', 'no_show', 'declined', 'expired')");
  });

  it('a POS never approves a request on its way to seated; its cancel applies', () => {
    const request = { status: 'requested' as const, reference: 'TS-AAAAAA' };
    expect(statusChangeRefusal(request, 'seated', 'pos')).toContain("venue's approval");
    expect(statusChangeRefusal(request, 'no_show', 'pos')).toContain("venue's approval");
    expect(statusChangeRefusal(request, 'cancelled', 'pos')).toBeNull();
    expect(statusChangeRefusal({ status: 'expired', reference: 'TS-AAAAAA' }, 'seated', 'pos')).toContain('cannot become');
  });

  it('picks the webhook event from the transition', () => {
    expect(bookingEvent(null, 'requested')).toBe('booking.requested');
    expect(bookingEvent(null, 'confirmed')).toBe('booking.created');
    expect(bookingEvent('requested', 'confirmed')).toBe('booking.approved');
    expect(bookingEvent('requested', 'declined')).toBe('booking.declined');
    expect(bookingEvent('requested', 'expired')).toBe('booking.expired');
    expect(bookingEvent('requested', 'cancelled')).toBe('booking.cancelled');
    expect(bookingEvent('requested', 'requested')).toBe('booking.updated');
    expect(bookingEvent('pending', 'confirmed')).toBe('booking.updated');
    expect(bookingEvent('confirmed', 'cancelled')).toBe('booking.cancelled');
    expect(bookingEvent('cancelled', 'cancelled')).toBe('booking.updated');
  });

  it('expires_at is the earlier of created + hold (fractions allowed) and the start', () => {
    const created = new Date('2026-05-01T10:00:00.000Z');
    expect(requestExpiry(created, 1.5, new Date('2026-05-03T18:00:00.000Z')).toISOString()).toBe('2026-05-01T11:30:00.000Z');
    expect(requestExpiry(created, 0.001, new Date('2026-05-03T18:00:00.000Z')).toISOString()).toBe('2026-05-01T10:00:03.600Z');
    expect(requestExpiry(created, 48, new Date('2026-05-01T19:00:00.000Z')).toISOString()).toBe('2026-05-01T19:00:00.000Z');
  });

  it("the venue's rules: party size and window refuse; a large party or an approval service makes a request", () => {
    const rules = { party_size: { min: 2, max: 10 }, booking_window_days: 30, max_instant_party_size: 6, max_bookings_per_email_per_day: 3 };
    const now = new Date('2026-05-01T10:00:00.000Z');
    expectAppError(() => checkVenueRules(rules, { date: '2026-05-05', party_size: 1 }, 'Europe/London', now), 'validation_error', { field: 'party_size' });
    expectAppError(() => checkVenueRules(rules, { date: '2026-06-01', party_size: 2 }, 'Europe/London', now), 'slot_unavailable', { reason: 'beyond_booking_window' });
    expect(() => checkVenueRules(rules, { date: '2026-05-31', party_size: 10 }, 'Europe/London', now)).not.toThrow();
    expect(becomesRequest(rules, 7, null)).toBe(true);
    expect(becomesRequest(rules, 6, { requires_approval: false })).toBe(false);
    expect(becomesRequest(rules, 2, { requires_approval: true })).toBe(true);
  });
});
