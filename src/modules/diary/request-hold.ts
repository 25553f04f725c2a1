/**
 * How long a booking request holds its table (CONTRACT §11, §15): until the earlier of its creation plus
 * the venue's `request_hold_hours` (a number > 0, fractions allowed; default 48) and the booking's start.
 */
import type { EntityManager } from 'typeorm';
import { loadVenueSettings } from '../venues';

/** The venue's request_hold_hours (venue settings, default 48), read when a request is made or moved. */
export async function requestHoldHours(em: EntityManager, venueId: string): Promise<number> {
  return (await loadVenueSettings(em, venueId)).request_hold_hours;
}

/** The request's `expires_at`: the earlier of `createdAt` + the hold and the booking's start. */
export function requestExpiry(createdAt: Date, holdHours: number, startAt: Date): Date {
  const held = new Date(createdAt.getTime() + Math.round(holdHours * 3_600_000));
  return held.getTime() < startAt.getTime() ? held : new Date(startAt.getTime());
}
