/**
 * The commands module's door: what other modules, the surfaces and the composition root use of it. Nothing
 * outside src/modules/commands/ imports its other files (eslint layout/boundaries).
 */
export { BOOKING_STATUS_COMMAND_SCHEMA, type BookingStatusCommand, type CanonicalCommand, type CommandError, commandLockKey, LOCK_KEY_FIELDS, RESERVATION_COMMAND_SCHEMA, type ReservationCommand, type ReservationStatusValue, SALE_COMMAND_SCHEMA, type SaleCommand, validateCommands } from './canonical-commands';
