/**
 * The outbox module's door: what other modules, the surfaces and the composition root use of it. Nothing
 * outside src/modules/outbox/ imports its other files (eslint layout/boundaries).
 */
export { bookingChanged, customerChanged, isInternalEvent, onOutboxCommit, type OutboxEntry, outboxStatement, saleChanged, WEBHOOK_EVENTS, type WebhookEvent, writeOutbox } from './outbox';
