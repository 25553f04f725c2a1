import type { FromSchema } from 'json-schema-to-ts';
import { ANALYTICS_MAX_DAYS } from '../../../modules/analytics';
import { CURRENCY, DATE } from './common.schema';

/** `GET /api/v1/analytics` query (CONTRACT §9.1). */
export const analyticsQuerySchema = {
  $id: 'AnalyticsQuery',
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to'],
  properties: {
    from: { ...DATE, description: 'First venue-local date (counted).' },
    to: { ...DATE, description: `Last venue-local date (counted); at most ${ANALYTICS_MAX_DAYS} days from \`from\`, both ends counted.` },
    group_by: { type: 'string', enum: ['day', 'service', 'weekday'], default: 'day', description: 'How `series` is keyed.' },
  },
} as const;
export type AnalyticsQuery = FromSchema<typeof analyticsQuerySchema>;

const RATE = { type: ['number', 'null'], minimum: 0, maximum: 1 } as const;
const COUNT = { type: 'integer', minimum: 0 } as const;
const MONEY = { type: 'integer', description: 'Minor units of `currency`.' } as const;

const FIGURES = {
  bookings: { ...COUNT, description: 'Bookings of the range by local date; cancelled, declined, requested and expired ones left out.' },
  covers: { ...COUNT, description: 'Party sizes of those bookings.' },
  completed: COUNT,
  cancelled: COUNT,
  no_shows: COUNT,
  no_show_rate: { ...RATE, description: 'no_shows / (completed + no_shows).' },
  revenue: { ...MONEY, description: "Non-void, non-refunded sales in the venue's currency, by the venue-local day of the sale's time (opened_at, else closed_at, else receipt)." },
  matched_revenue: { ...MONEY, description: 'Of revenue, the sales matched to a booking.' },
  unmatched_revenue: MONEY,
  sales: { ...COUNT, description: 'The sales counted in revenue.' },
  matched_sales: COUNT,
  match_rate: { ...RATE, description: 'matched_sales / sales.' },
  spend_per_cover: { type: ['integer', 'null'], description: 'matched_revenue / covers of the bookings those matched sales belong to (minor units, rounded).' },
  average_party_size: { type: ['number', 'null'], description: 'covers / bookings.' },
} as const;
const FIGURE_NAMES = Object.keys(FIGURES);

export const analyticsResponseSchema = {
  $id: 'Analytics',
  type: 'object',
  required: ['from', 'to', 'group_by', 'currency', 'totals', 'series'],
  properties: {
    from: DATE,
    to: DATE,
    group_by: { type: 'string', enum: ['day', 'service', 'weekday'] },
    currency: CURRENCY,
    totals: { type: 'object', required: FIGURE_NAMES, properties: FIGURES },
    series: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', ...FIGURE_NAMES],
        properties: {
          key: {
            type: ['string', 'integer', 'null'],
            description: '`YYYY-MM-DD` (day, every day of the range), the ISO weekday 1 (Monday)–7 (weekday), or the service id (service; null: sales and bookings of no service).',
          },
          name: { type: ['string', 'null'], description: "The service's name (group_by=service)." },
          ...FIGURES,
        },
      },
    },
  },
} as const;
