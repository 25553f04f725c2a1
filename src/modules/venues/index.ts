/**
 * The venues module's door: what other modules, the surfaces and the composition root use of it. Nothing
 * outside src/modules/venues/ imports its other files (eslint layout/boundaries).
 */
export { createVenue, loadVenueAggregate, type VenueAggregate } from './create-venue';
export { changeVenueSettings, loadVenueSettings, venueSettings, type VenueSettings, venueSettingsPatchSchema, venueSettingsSchema } from './venue-settings';
