/**
 * The sales module's door: what other modules, the surfaces and the composition root use of it. Nothing
 * outside src/modules/sales/ imports its other files (eslint layout/boundaries).
 */
export { type ApplyContext, type ApplyOutcome, applySaleBatch, applySaleEntries, BatchNotApplicable, locationsStatement, readLocations, resolveVenues, type VenueResolution } from './apply-sales';
export { bookingDetailSchema, type BookingDetailView, presentBookingWithSales } from './booking-detail';
export { saleCandidates } from './candidates';
export { getSale, saleViews } from './list-sales';
export { manualMatchSale } from './manual-match';
export { type CommandPreview, previewCommands } from './match-preview';
export { holdsTime, matchOf, matchStatements } from './match-query';
export { rematchSalesForBooking } from './match-sale';
export { type CommandOutcome, currencyReason, diaryDaysOf, failed, ignored, instant, matchAtOf, outcomeOf, text, type VenueOfLocation } from './plan-sale';
export { presentSale, SALE_MATCHES, SALE_STATUSES, saleItemResponseSchema, saleResponseSchema, type SaleView } from './sale.view';
