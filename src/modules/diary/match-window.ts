/**
 * The window of CONTRACT §5 in which a booking holds a sale, as the diary needs it (the probe for sales
 * waiting for a new or moved booking) and sale matching (sales/match-query.ts) builds on.
 */
import type { Booking } from '../../platform/db/entities';

/** CONTRACT §5: a booking holds a sale whose time falls in [start − 30 min, end + 2 h]. */
export const MATCH_BEFORE_START_MS = 30 * 60_000;
export const MATCH_AFTER_END_MS = 2 * 60 * 60_000;

/** The sale times a booking holds (start − 30 min to end + 2 h): what re-matching looks for. */
export function timesHeldBy(b: Pick<Booking, 'startAt' | 'endAt'>): { from: Date; to: Date } {
  return { from: new Date(b.startAt.getTime() - MATCH_BEFORE_START_MS), to: new Date(b.endAt.getTime() + MATCH_AFTER_END_MS) };
}
