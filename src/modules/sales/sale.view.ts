import type { Sale, SaleItem } from '../../platform/db/entities';
import { CURRENCY, type View } from '../../platform/json-schema';

export const SALE_STATUSES = ['open', 'closed', 'void', 'refunded'] as const;
export const SALE_MATCHES = ['booking_id', 'table_time', 'manual'] as const;

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

/** The contract's sale object (CONTRACT §2): what presentSale renders, and what the OpenAPI document publishes. */
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
        properties: { method: { type: 'string' }, amount: { type: 'integer' }, tip: { type: ['integer', 'null'] } },
      },
    },
    version: { type: 'integer', minimum: 1, description: 'Increases with every change; webhooks carry it.' },
    received_at: TIMESTAMP,
    created_at: TIMESTAMP,
    updated_at: TIMESTAMP,
  },
} as const;

export type SaleView = View<typeof saleResponseSchema>;


const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const tableOut = (n: string | null): number | string | null =>
  n === null ? null : /^(0|[1-9]\d{0,14})$/.test(n) ? Number(n) : n;

/** The contract's sale object (CONTRACT §2). */
export function presentSale(s: Sale, items: SaleItem[]): SaleView {
  return {
    id: s.id,
    partner: s.partner,
    sale_id: s.saleId,
    venue_id: s.venueId,
    location_id: s.locationId,
    booking_id: s.bookingId,
    match: s.matchMethod,
    status: s.status,
    total: Number(s.total),
    subtotal: s.subtotal === null ? null : Number(s.subtotal),
    tax: s.tax === null ? null : Number(s.tax),
    tip: s.tip === null ? null : Number(s.tip),
    discount: s.discount === null ? null : Number(s.discount),
    currency: s.currency,
    table_number: tableOut(s.tableNumber),
    covers: s.covers,
    opened_at: iso(s.openedAt),
    closed_at: iso(s.closedAt),
    items: [...items]
      .sort((a, b) => a.position - b.position)
      .map((i) => ({
        name: i.name,
        quantity: i.quantity,
        unit_price: i.unitPrice === null ? null : Number(i.unitPrice),
        total: Number(i.total),
        sku: i.sku,
        category: i.category,
      })),
    payments: s.payments ?? [],
    version: s.version,
    received_at: s.receivedAt.toISOString(),
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
  };
}
