/**
 * GET /bookings/:id: the diary's booking with its matched sales (and their items) and their spend in the
 * venue's currency. Here, not in the diary, because it shows sales: sales build on the diary's door, never
 * the other way round.
 */
import { In, type EntityManager } from 'typeorm';
import { type Booking, Sale, SaleItem } from '../../platform/db/entities';
import type { View } from '../../platform/json-schema';
import { type bookingSchema, type BookingView, presentOneBooking } from '../diary';
import { presentSale } from './sale.view';

/** `GET /api/v1/bookings/:id`: the booking with its matched sales and their spend. */
export const bookingDetailSchema = {
  $id: 'BookingDetail',
  allOf: [
    { $ref: 'Booking' },
    {
      type: 'object',
      // Not required: a channel key reads no sales (CONTRACT §11), so its view of a booking has neither.
      description: 'Every caller but a channel key gets `sales` and `spend`; a channel key reads no sales (CONTRACT §11).',
      properties: {
        sales: { type: 'array', items: { type: 'object' }, description: 'Sales matched to this booking (absent for a channel key).' },
        spend: {
          type: 'object',
          required: ['total', 'currency', 'count'],
          description: 'Sum of the matched sales that are not void or refunded, in minor units (absent for a channel key).',
          properties: { total: { type: 'integer', example: 8450 }, currency: { type: 'string', example: 'GBP' }, count: { type: 'integer' } },
        },
      },
    },
  ],
} as const;
export type BookingDetailView = View<typeof bookingDetailSchema, { references: [typeof bookingSchema] }>;

/** Booking detail: with its matched sales (and their items) and their spend in the venue's currency. */
export async function presentBookingWithSales(em: EntityManager, booking: Booking, currency: string): Promise<BookingDetailView> {
  const view = await presentOneBooking(em, booking);
  const sales = await em.find(Sale, { where: { bookingId: booking.id }, order: { matchAt: 'ASC', id: 'ASC' } });
  const items = sales.length ? await em.find(SaleItem, { where: { saleRowId: In(sales.map((s) => s.id)) } }) : [];
  return presentBookingDetail(view, sales.map((sale) => ({ sale, items: items.filter((i) => i.saleRowId === sale.id) })), currency);
}

/**
 * Booking detail: adds its sales and their spend. Spend counts sales that are not void or refunded, in the
 * venue's currency only: no figure ever adds amounts of different currencies (CONTRACT §5).
 */
function presentBookingDetail(
  booking: BookingView,
  sales: { sale: Sale; items: SaleItem[] }[],
  currency: string,
): BookingDetailView {
  const counted = sales.filter(({ sale }) => sale.status !== 'void' && sale.status !== 'refunded' && sale.currency === currency);
  return {
    ...booking,
    sales: sales.map(({ sale, items }) => presentSale(sale, items)),
    spend: { total: counted.reduce((sum, { sale }) => sum + Number(sale.total), 0), currency, count: counted.length },
  };
}
