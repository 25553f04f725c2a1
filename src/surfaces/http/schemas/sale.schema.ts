import type { FromSchema } from 'json-schema-to-ts';
import { SALE_MATCHES, SALE_STATUSES, saleItemResponseSchema, saleResponseSchema } from '../../../modules/sales';
import { DATE } from './common.schema';
import { PAGINATION_QUERY_PROPERTIES, listEnvelopeSchema } from './pagination.schema';

/**
 * Request and response schemas of `/api/v1/sales` (CONTRACT §2, §6). The route validates with the request
 * schemas and the OpenAPI document is generated from all of them.
 */

/** Parsed with compileQuerySchema: `limit` and `unmatched` are converted from their plain spellings only. */
export const listSalesQuerySchema = {
  $id: 'ListSalesQuery',
  type: 'object',
  additionalProperties: false,
  properties: {
    date: {
      ...DATE,
      description:
        "Venue-local day (in the venue's timezone) of the sale's time: opened_at, else closed_at, else when it was received.",
    },
    booking_id: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: "A booking's id or reference: only the sales linked to it.",
      example: 'bk_0lq2x9a1b2c3d4e5f6g7h8i9',
    },
    unmatched: {
      type: 'boolean',
      description: '`true`: only sales not linked to a booking; `false`: only linked ones.',
    },
    status: { type: 'string', enum: [...SALE_STATUSES], description: 'Only sales in this status.' },
    ...PAGINATION_QUERY_PROPERTIES,
  },
} as const;
export type ListSalesQuery = FromSchema<typeof listSalesQuerySchema>;

export const matchSaleSchema = {
  $id: 'MatchSale',
  type: 'object',
  additionalProperties: false,
  required: ['booking_id'],
  properties: {
    booking_id: {
      type: ['string', 'null'],
      minLength: 1,
      maxLength: 64,
      description:
        "A booking's id or reference at the same venue: links the sale to it (`match: \"manual\"`). `null` removes the link (`match: null`).",
      example: 'TS-7K3M9Q',
    },
  },
} as const;
export type MatchSaleBody = FromSchema<typeof matchSaleSchema>;

// The sale object is the sales module's view (src/modules/sales/sale.view.ts), the same schema objects.
export { SALE_MATCHES, SALE_STATUSES, saleItemResponseSchema, saleResponseSchema };

export const saleListResponseSchema = listEnvelopeSchema(saleResponseSchema);

/** `GET /sales/:id/candidates`: the bookings a sale could belong to, best first. */
export function saleCandidatesResponseSchema(bookingSchema: object) {
  return {
    type: 'object',
    required: ['data'],
    properties: {
      data: {
        type: 'array',
        items: {
          type: 'object',
          required: ['booking', 'score', 'reasons'],
          properties: {
            booking: bookingSchema,
            score: { type: 'integer', minimum: 0, maximum: 100, description: 'Table 40, seated 30, time within the sitting 20 (grace 10), covers 10.' },
            reasons: { type: 'array', items: { type: 'string' }, example: ['at table 12, as the sale', 'seated', '2 covers, as the sale'] },
          },
        },
      },
    },
  } as const;
}
