/**
 * The diary module's door: what other modules, the surfaces and the composition root use of it. Nothing
 * outside src/modules/diary/ imports its other files (eslint layout/boundaries).
 */
export { bookingQueryRange, computeAvailabilityRange, type ExistingBooking, MAX_PARTY_SIZE } from './availability';
export { BOOKING_STATUSES, BOOKING_TRANSITIONS, type BookingStatus, holdsTable, holdsTableSql, MOVABLE_STATUSES } from './booking-statuses';
export { BOOKING_STATUS_SCHEMA, bookedSchema, bookingSchema, type BookedView, type BookingView } from './booking.view';
export { BookingWriter } from './booking-writer';
export { changeBookingStatus, statusChangeRefusal } from './change-status';
export { StaleDiary } from './create-booking';
export { datesInAnyZone, inDiaryTransaction, type LocationDiaryDay, shareDiaryDays, shareDiaryDaysStatement } from './diary-locks';
export { availabilityFor, bookingsOverlappingStatement, coversByEvent, engineInput, loadDiaryContext, MAX_SITTING_MS, upcomingEventsQuery, type VenueRef } from './diary-store';
export { bookingViews, bookingViewsByIds, findBooking, presentBookings, presentOneBooking } from './load-booking';
export { type MatchScope, scopeSql } from './location-tables';
export { MATCH_AFTER_END_MS, MATCH_BEFORE_START_MS, timesHeldBy } from './match-window';
export { findBookingByManageToken, type ManageLinks, manageUrl, newManageToken } from './manage-tokens';
export { startRequestExpiry } from './request-expiry';
export { applyReservation, firstSeenOver, type ReservationContext, type NewReservation, planNewReservations, readReservation, type ReadReservation, type ReservationResult } from './reservation-command';
export { type PickUpWaitingSales } from './sale-rematch';
export { updateBooking } from './update-booking';
export { diaryDigestStatements, VenueLayoutCache } from './venue-layout-cache';
export { assertEmailCap, becomesRequest, checkPartySize, checkVenueRules } from './venue-rules';
export { addDays, instantToLocal } from './venue-time';
