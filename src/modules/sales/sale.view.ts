import type { Sale, SaleItem } from '../../platform/db/entities';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const tableOut = (n: string | null): number | string | null =>
  n === null ? null : /^(0|[1-9]\d{0,14})$/.test(n) ? Number(n) : n;

/** The contract's sale object (CONTRACT §2). */
export function presentSale(s: Sale, items: SaleItem[]): Record<string, unknown> {
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
