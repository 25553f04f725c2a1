import { ANALYTICS_MAX_DAYS, daysInclusive, venueAnalytics, type AnalyticsGroup } from '../../modules/analytics';
import { defineOperation, querySchema } from '../http/operation';
import { analyticsQuerySchema, analyticsResponseSchema, type AnalyticsQuery } from '../http/schemas/analytics.schema';
import { fieldError } from '../http/validation';

const EXAMPLE_FIGURES = {
  bookings: 42, covers: 118, completed: 37, cancelled: 3, no_shows: 2, no_show_rate: 0.0513, revenue: 512_300, matched_revenue: 471_800,
  unmatched_revenue: 40_500, sales: 51, matched_sales: 44, match_rate: 0.8627, spend_per_cover: 4326, average_party_size: 2.81,
};

/** `GET /api/v1/analytics` (CONTRACT §9.1): revenue, covers, spend per cover, match and no-show rates over a range. */
export const analyticsOperations = [
  defineOperation({
    id: 'getAnalytics', method: 'get', path: '/analytics', tag: 'Analytics', auth: 'apiKey', scope: 'sales:read',
    summary: "The venue's figures over a range of local dates, with a series by day, service or weekday",
    description:
      'Both ends of the range count; at most 366 days, and `to` not before `from` (else 400 `validation_error`). Days are ' +
      "the venue's own (its time zone, DST included). Requested, declined and expired bookings count nowhere; void and refunded " +
      "sales neither. Rates are 0–1, null when undefined.",
    query: querySchema<AnalyticsQuery>(analyticsQuerySchema),
    responses: [{
      status: 200, description: 'The figures.', schema: analyticsResponseSchema,
      example: { from: '2026-05-01', to: '2026-05-31', group_by: 'day', currency: 'GBP', totals: EXAMPLE_FIGURES, series: [{ key: '2026-05-01', ...EXAMPLE_FIGURES }] },
    }],
    handler: ({ dataSource: { manager: em } }) => async ({ query, venue, res }) => {
      if (query.to < query.from) throw fieldError('to', 'must not be before from');
      if (daysInclusive(query.from, query.to) > ANALYTICS_MAX_DAYS) throw fieldError('to', `the range may span at most ${ANALYTICS_MAX_DAYS} days, both ends counted`);
      res.json(await venueAnalytics(em, {
        venue: { id: venue.id, timezone: venue.timezone, currency: venue.currency },
        from: query.from, to: query.to, groupBy: (query.group_by ?? 'day') as AnalyticsGroup,
      }));
    },
  }),
];
