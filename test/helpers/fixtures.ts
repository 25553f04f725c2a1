import type { TestApp } from './test-app';
import { uniq } from './test-app';

/** A small venue: one area, tables 1–4 (2, 2, 4, 6 covers), dinner every day 17:00–23:00. */
export function venueBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'The Test Kitchen',
    slug: uniq('test-kitchen'),
    timezone: 'Europe/London',
    currency: 'GBP',
    country: 'GB',
    areas: [
      {
        name: 'Main',
        tables: [
          { number: 1, min_covers: 1, max_covers: 2 },
          { number: 2, min_covers: 1, max_covers: 2 },
          { number: 3, min_covers: 2, max_covers: 4 },
          { number: 4, min_covers: 3, max_covers: 6 },
        ],
      },
    ],
    services: [
      { name: 'Dinner', days: [1, 2, 3, 4, 5, 6, 7], start: '17:00', end: '23:00', slot_interval_minutes: 15, duration_minutes: 90 },
    ],
    ...overrides,
  };
}

export interface CreatedVenue {
  id: string;
  body: Record<string, unknown>;
  json: Record<string, any>;
}

/**
 * One venue per currency, made on first use (a sale in another currency than its venue's fails, CONTRACT §5):
 * `venueFor(currency)` for tests that replay fixtures of several currencies.
 */
export function venuesByCurrency(app: () => TestApp): (currency: string) => Promise<CreatedVenue> {
  const venues = new Map<string, Promise<CreatedVenue>>();
  return (currency) => {
    let venue = venues.get(currency);
    if (!venue) venues.set(currency, (venue = createVenue(app(), { currency })));
    return venue;
  };
}

export async function createVenue(t: TestApp, overrides: Record<string, unknown> = {}): Promise<CreatedVenue> {
  const body = venueBody(overrides);
  const res = await t.admin('post', '/admin/v1/venues').send(body);
  if (res.status !== 201) throw new Error(`venue create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, body, json: res.body };
}

export const ALL_SCOPES = [
  'venue:read', 'bookings:read', 'bookings:write', 'customers:read', 'customers:write',
  'sales:read', 'sales:write', 'webhooks:read', 'webhooks:write',
];

export async function createApiKey(t: TestApp, venueId: string, scopes = ALL_SCOPES, rate = 1000): Promise<string> {
  const res = await t.admin('post', `/admin/v1/venues/${venueId}/api-keys`).send({ name: 'test', scopes, rate_limit_per_minute: rate });
  if (res.status !== 201) throw new Error(`key create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.key as string;
}
