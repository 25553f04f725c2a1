import type { FromSchema } from 'json-schema-to-ts';
import { CURRENCY, DATE } from './common.schema';
import { PAGINATION_QUERY_PROPERTIES, listEnvelopeSchema } from './pagination.schema';

/**
 * Request and response schemas of `/api/v1/sales` (CONTRACT §2, §6). The route validates with the request
 * schemas and the OpenAPI document is generated from all of them.
 */

export const SALE_STATUSES = ['open', 'closed', 'void', 'refunded'] as const;
export const SALE_MATCHES = ['booking_id', 'table_time', 'manual'] as const;

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

// Response schemas carry no $id: they are nested in one another (and in the OpenAPI document).
const TIMESTAMP = { type: 'string', format: 'date-time', example: '2026-05-01T18:00:00.000Z' } as const;
const NULLABLE_TIMESTAMP = { type: ['string', 'null'], format: 'date-time', example: '2026-05-01T18:05:00.000Z' } as const;
const NULLABLE_MONEY = { type: ['integer', 'null'], description: 'Minor units.' } as const;

export const saleItemResponseSchema = {
  type: 'object',
  required: ['name', 'quantity', 'unit_price', 'total', 'sku', 'category'],
  properties: {
    name: { type: 'string', example: 'Margherita' },
    quantity: { type: 'number', example: 2 },
    unit_price: { ...NULLABLE_MONEY, example: 1100 },
    total: { type: 'integer', description: 'Minor units.', example: 2200 },
    sku: { type: ['string', 'null'] },
    category: { type: ['string', 'null'], example: 'Pizza' },
  },
} as const;

/** The contract's sale object (CONTRACT §2), as `presentSale` renders it. */
export const saleResponseSchema = {
  type: 'object',
  required: [
    'id', 'partner', 'sale_id', 'venue_id', 'booking_id', 'match', 'status', 'total', 'currency', 'table_number',
    'covers', 'opened_at', 'closed_at', 'items', 'version', 'updated_at',
  ],
  properties: {
    id: { type: 'string', example: 'sl_0lq2x9a1b2c3d4e5f6g7h8i9' },
    partner: { type: 'string', description: 'The POS partner that sent the sale.', example: 'lightspeed' },
    sale_id: { type: 'string', description: "The POS's own sale id (unique per partner).", example: 'A-10023' },
    venue_id: { type: 'string', example: 'ven_0lq2x9a1b2c3d4e5f6g7h8i9' },
    location_id: { type: 'string', description: "The POS's location id.", example: '1234567890123456789' },
    booking_id: { type: ['string', 'null'], example: 'bk_0lq2x9a1b2c3d4e5f6g7h8i9' },
    match: {
      type: ['string', 'null'],
      enum: [...SALE_MATCHES, null],
      description: 'How the booking was found: the POS sent its id/reference, by table and time, or by hand. null: unmatched.',
    },
    status: { type: 'string', enum: [...SALE_STATUSES] },
    total: { type: 'integer', description: 'Minor units.', example: 4250 },
    subtotal: NULLABLE_MONEY,
    tax: NULLABLE_MONEY,
    tip: NULLABLE_MONEY,
    discount: NULLABLE_MONEY,
    currency: CURRENCY,
    table_number: { type: ['integer', 'string', 'null'], example: 12 },
    covers: { type: ['integer', 'null'], example: 4 },
    opened_at: NULLABLE_TIMESTAMP,
    closed_at: NULLABLE_TIMESTAMP,
    items: { type: 'array', items: saleItemResponseSchema },
    payments: {
      type: 'array',
      items: {
        type: 'object',
        required: ['method', 'amount'],
        properties: { method: { type: 'string' }, amount: { type: 'integer' }, tip: { type: 'integer' } },
      },
    },
    version: { type: 'integer', minimum: 1, description: 'Increases with every change; webhooks carry it.' },
    received_at: TIMESTAMP,
    created_at: TIMESTAMP,
    updated_at: TIMESTAMP,
  },
} as const;

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
