import type { Customer } from '../../platform/db/entities';
import type { View } from '../../platform/json-schema';

const NULLABLE_STRING = { type: ['string', 'null'] } as const;

/** The customer object (CONTRACT §2): what presentCustomer renders, and what the OpenAPI document publishes. */
export const customerSchema = {
  $id: 'Customer',
  type: 'object',
  required: ['id', 'name', 'email', 'phone', 'notes', 'visits', 'spend', 'created_at'],
  properties: {
    id: { type: 'string', example: 'cus_0mhv2k1q3a8x4n2p7r9t1c' },
    name: { type: 'string', example: 'Ada Lovelace' },
    email: NULLABLE_STRING,
    phone: { type: ['string', 'null'], description: 'E.164.', example: '+447911123456' },
    notes: NULLABLE_STRING,
    visits: { type: 'integer', description: 'Bookings of this customer that were seated or completed.' },
    spend: {
      type: 'object',
      required: ['total', 'currency'],
      description: 'Sum of the sales matched to this customer\'s bookings, not void or refunded, in minor units.',
      properties: { total: { type: 'integer', example: 12900 }, currency: { type: 'string', example: 'GBP' } },
    },
    venue_id: { type: 'string' },
    version: { type: 'integer' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
} as const;

export type CustomerView = View<typeof customerSchema>;


/** The contract's customer object (CONTRACT §2); visits and spend come from bookings and matched sales. */
export function presentCustomer(
  c: Customer,
  stats: { visits: number; spendTotal: number; currency: string },
): CustomerView {
  return {
    id: c.id,
    name: c.name,
    email: c.email,
    phone: c.phone,
    notes: c.notes,
    visits: stats.visits,
    spend: { total: stats.spendTotal, currency: stats.currency },
    venue_id: c.venueId,
    version: c.version,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}
