import type { Customer } from '../../platform/db/entities';

/** The contract's customer object (CONTRACT §2); visits and spend come from bookings and matched sales. */
export function presentCustomer(
  c: Customer,
  stats: { visits: number; spendTotal: number; currency: string },
): Record<string, unknown> {
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
