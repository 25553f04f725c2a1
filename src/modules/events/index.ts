/**
 * The events module's door: what other modules, the surfaces and the composition root use of it. Nothing
 * outside src/modules/events/ imports its other files (eslint layout/boundaries).
 */
export { type OutboxSubscriber, startOutboxRelay } from './relay';
