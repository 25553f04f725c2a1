import type { ErrorCode } from '../../../platform/app-error';

/**
 * Example values of the OpenAPI document. test/api/openapi.test.ts validates every example against the
 * schema it illustrates, so they stay true.
 */

export const SALE_EXAMPLE = {
  id: 'sl_0mhv2k1q3a8x4n2p7r9t1c',
  partner: 'lightspeed',
  sale_id: 'A-10023',
  venue_id: 'ven_0mhv2k1q3a8x4n2p7r9t1c',
  location_id: '1234567890123456789',
  booking_id: 'bk_0mhv2k1q3a8x4n2p7r9t1c',
  match: 'table_time',
  status: 'closed',
  total: 4250,
  subtotal: 3800,
  tax: 450,
  tip: 0,
  discount: null,
  currency: 'GBP',
  table_number: 12,
  covers: 2,
  opened_at: '2026-05-01T18:05:00.000Z',
  closed_at: '2026-05-01T19:40:00.000Z',
  items: [
    { name: 'Margherita', quantity: 2, unit_price: 1100, total: 2200, sku: 'PZ-01', category: 'Pizza' },
    { name: 'House red (175ml)', quantity: 2, unit_price: 800, total: 1600, sku: null, category: 'Wine' },
  ],
  payments: [{ method: 'card', amount: 4250 }],
  version: 2,
  received_at: '2026-05-01T19:40:02.000Z',
  created_at: '2026-05-01T19:40:02.000Z',
  updated_at: '2026-05-01T19:40:02.000Z',
};

export const BOOKING_EXAMPLE = {
  id: 'bk_0mhv2k1q3a8x4n2p7r9t1c',
  reference: 'TS-7K3M9Q',
  status: 'confirmed',
  date: '2026-05-01',
  time: '19:00',
  start_at: '2026-05-01T18:00:00.000Z',
  end_at: '2026-05-01T19:30:00.000Z',
  party_size: 2,
  table: { id: 'tbl_0mhv2k1q3a8x4n2p7r9t1c', number: 12 },
  needs_table: false,
  service_id: 'svc_0mhv2k1q3a8x4n2p7r9t1c',
  event_id: null,
  customer: { id: 'cus_0mhv2k1q3a8x4n2p7r9t1c', name: 'Ada Lovelace', email: 'ada@example.com', phone: '+447911123456' },
  guest_name: 'Ada Lovelace',
  notes: 'Window seat, one high chair.',
  source: 'api',
  external: null,
  venue_id: 'ven_0mhv2k1q3a8x4n2p7r9t1c',
  version: 1,
  created_at: '2026-04-20T09:12:00.000Z',
  updated_at: '2026-04-20T09:12:00.000Z',
};

export const CUSTOMER_EXAMPLE = {
  id: 'cus_0mhv2k1q3a8x4n2p7r9t1c',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  phone: '+447911123456',
  notes: 'Prefers a quiet table.',
  visits: 3,
  spend: { total: 12900, currency: 'GBP' },
  venue_id: 'ven_0mhv2k1q3a8x4n2p7r9t1c',
  version: 2,
  created_at: '2026-01-11T12:00:00.000Z',
  updated_at: '2026-04-20T09:12:00.000Z',
};

export const VENUE_EXAMPLE = {
  id: 'ven_0mhv2k1q3a8x4n2p7r9t1c',
  name: 'The Test Kitchen',
  slug: 'the-test-kitchen',
  timezone: 'Europe/London',
  currency: 'GBP',
  country: 'GB',
  plan: 'business',
  areas: [
    {
      id: 'area_0mhv2k1q3a8x4n2p7r9t1c',
      name: 'Main room',
      tables: [
        { id: 'tbl_0mhv2k1q3a8x4n2p7r9t1c', number: 1, min_covers: 1, max_covers: 2 },
        { id: 'tbl_0mhv2k1q3a8x4n2p7r9t1d', number: 2, min_covers: 2, max_covers: 4 },
      ],
    },
  ],
  services: [
    {
      id: 'svc_0mhv2k1q3a8x4n2p7r9t1c', name: 'Dinner', days: [1, 2, 3, 4, 5, 6, 7], start: '17:00', end: '23:00',
      slot_interval_minutes: 15, duration_minutes: 90, max_covers_per_slot: null,
    },
  ],
  events: [],
  created_at: '2026-01-01T10:00:00.000Z',
  updated_at: '2026-01-01T10:00:00.000Z',
};

export const CREATE_VENUE_EXAMPLE = {
  name: 'The Test Kitchen',
  slug: 'the-test-kitchen',
  timezone: 'Europe/London',
  currency: 'GBP',
  country: 'GB',
  plan: 'business',
  areas: [{ name: 'Main room', tables: [{ number: 1, min_covers: 1, max_covers: 2 }, { number: 2, min_covers: 2, max_covers: 4 }] }],
  services: [
    { name: 'Dinner', days: [1, 2, 3, 4, 5, 6, 7], start: '17:00', end: '23:00', slot_interval_minutes: 15, duration_minutes: 90 },
  ],
  events: [{ name: 'Wine tasting', date: '2026-06-12', start: '19:00', end: '22:00', capacity: 40 }],
};

export const CREATE_BOOKING_EXAMPLE = {
  date: '2026-05-01',
  time: '19:00',
  party_size: 2,
  customer_name: 'Ada Lovelace',
  email: 'ada@example.com',
  phone: '+44 7911 123456',
  notes: 'Window seat, one high chair.',
};

export const WEBHOOK_EXAMPLE = {
  id: 'wh_0mhv2k1q3a8x4n2p7r9t1c',
  url: 'https://example.com/hooks/tablesync',
  events: ['booking.created', 'sale.recorded'],
  enabled: true,
  disabled_reason: null,
  failing_since: null,
  created_at: '2026-04-01T10:00:00.000Z',
  updated_at: '2026-04-01T10:00:00.000Z',
};

/** One plausible message per error code, for the error examples of each operation. */
export const USER_EXAMPLE = {
  id: 'usr_0mhv2k1q3a8x4n2p7r9t1c', email: 'robin@anchor.example', name: 'Robin Hale', role: 'manager',
  venue_id: 'ven_0mhv2k1q3a8x4n2p7r9t1c', status: 'active', created_at: '2026-05-01T18:00:00.000Z',
};

export const SESSION_EXAMPLE = { user: USER_EXAMPLE, csrf_token: 'c2VjcmV0LWNzcmYtdG9rZW4tZXhhbXBsZQ', scopes: ['venue:read'] };

export const ERROR_MESSAGES: Partial<Record<ErrorCode, string>> = {
  invalid_json: 'The request body is not valid JSON.',
  too_late_to_change: 'The booking starts within 24 hours: call the venue to change or cancel it.',
  validation_error: 'Invalid body: party_size must be >= 1.',
  not_found: 'Booking not found.',
  method_not_allowed: 'Method not allowed.',
  conflict: 'The resource was changed by another request.',
  payload_too_large: 'The request body is too large.',
  unsupported_media_type: 'Unsupported body encoding.',
  internal_error: 'Something went wrong on our side. It has been logged.',
  unavailable: 'The event could not be queued; try again shortly.',
  unauthorized: 'A valid admin bearer token is required.',
  admin_api_disabled: 'The admin API is disabled: ADMIN_TOKEN is not set.',
  invalid_api_key: 'The API key is unknown or revoked.',
  insufficient_scope: 'This API key lacks the sales:write scope.',
  plan_upgrade_required: 'The booking API is not part of the starter plan.',
  rate_limited: 'Rate limit of 60 requests per minute exceeded.',
  unknown_partner: 'Unknown or disabled partner.',
  missing_signature: 'The request carries no signature.',
  invalid_signature: 'The signature does not match the body.',
  invalid_payload: 'The body could not be parsed.',
  sale_in_progress: 'An event for this sale is being processed; retry later.',
  processing_failed: 'The event failed to process.',
  invalid_mapping: 'The JSONata expression does not compile.',
  mapping_failed: 'The mapping failed on this payload.',
  slot_unavailable: 'No table is free for 4 at 19:30.',
  invalid_transition: 'A completed booking cannot become seated.',
  booking_not_movable: 'A seated booking cannot change date, time, table or party size.',
  idempotency_key_reused: 'This Idempotency-Key was used with another request body.',
  idempotency_in_progress: 'A request with this Idempotency-Key is still being processed.',
  invalid_webhook_url: 'Webhook URLs must be public http(s) addresses.',
};
