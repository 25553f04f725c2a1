/**
 * The statuses of an accepted POS event (CONTRACT §13), in the order the event log and the partners list show
 * them, and the partners list's figures, one count per status. Dependency-free (it imports nothing), so that
 * the platform's inbound event entity (its column's type) and the partner console (web/src/partners/) use this
 * very list instead of a copy; eslint/layout-plugin.cjs lets them, and refuses any import here.
 */

export const INBOUND_EVENT_STATUSES = ['queued', 'processing', 'processed', 'ignored', 'failed'] as const;
export type InboundEventStatus = (typeof INBOUND_EVENT_STATUSES)[number];

/** Per partner: the events received in a window and how many of them are in each status now. */
export type PartnerStats = { partner: string; received: number } & Record<InboundEventStatus, number>;
