import { createApiKey, createVenue, type CreatedVenue } from '../helpers/fixtures';
import type { TestApp } from '../helpers/test-app';

/** A date `days` from today (UTC), as the public widget books it. */
export function dayAhead(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** Env for a guests test app: fast email retries, a roomy public limit unless a test sets its own. */
export function guestEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    EMAIL_RETRY_SCHEDULE: 'base_ms=100,factor=2,max_ms=400,attempts=4,jitter=0',
    PUBLIC_RATE_LIMIT_PER_MINUTE: '100000',
    PUBLIC_URL: 'http://book.test',
    MAIL_FROM: 'Tablesync <bookings@mail.test>',
    ...overrides,
  };
}

export interface GuestVenue extends CreatedVenue {
  slug: string;
  key: string;
}

export async function guestVenue(t: TestApp, overrides: Record<string, unknown> = {}): Promise<GuestVenue> {
  const venue = await createVenue(t, overrides);
  const key = await createApiKey(t, venue.id);
  return { ...venue, slug: String(venue.body.slug), key };
}

export function book(t: TestApp, slug: string, body: Record<string, unknown>) {
  return t.http.post(`/api/v1/public/venues/${slug}/bookings`).send({ name: 'Ada Lovelace', email: 'ada@example.com', party_size: 2, time: '19:00', ...body });
}

export const tokenOf = (manageUrl: string): string => manageUrl.split('/manage/')[1]!;
