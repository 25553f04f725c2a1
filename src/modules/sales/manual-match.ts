import type { EntityManager } from 'typeorm';
import { Sale, SaleItem } from '../../platform/db/entities';
import { saleChanged, writeOutbox } from '../outbox';
import { presentSale } from './sale.view';
import { AppError, notFound } from '../../platform/app-error';
import { findVenueBooking } from './list-sales';

export interface ManualMatchInput {
  venueId: string;
  /** sales.id (`sl_…`). */
  saleId: string;
  /** A booking's id or reference at the same venue; null unlinks the sale. */
  bookingRef: string | null;
}

export interface ManualMatchResult {
  sale: Sale;
  items: SaleItem[];
  /** False when the sale already had exactly this manual link (nothing written, no webhook). */
  changed: boolean;
}

/**
 * `PATCH /sales/:id {booking_id}`: a person links a sale to a booking by hand (CONTRACT §5).
 *
 * Must run inside a transaction: the sale row is locked (FOR UPDATE) so a POS resubmission being applied
 * at the same moment cannot interleave, and the outbox rows commit with the change: `sale.recorded`, and
 * `sale.matched` when the booking changed (linked, moved, or unlinked: then its `booking_id` is null), in
 * one multi-row INSERT.
 *
 * - `bookingRef` set: the booking (id or reference) must belong to the sale's venue, else 404 not_found
 *   (another venue's booking is indistinguishable from a missing one). The sale gets `match: "manual"`.
 * - `bookingRef` null: the link is removed and `match` becomes null. The sale is then unmatched like any
 *   other and the automatic rule may match it again later (a fitting booking appears, or the POS resends it).
 * - Repeating the same request is a no-op: no version bump and no second webhook.
 */
export async function manualMatchSale(em: EntityManager, input: ManualMatchInput, now = new Date()): Promise<ManualMatchResult> {
  const sale = await em.findOne(Sale, {
    where: { id: input.saleId, venueId: input.venueId },
    lock: { mode: 'pessimistic_write' },
  });
  if (!sale) throw notFound('Sale');

  let bookingId: string | null = null;
  if (input.bookingRef !== null) {
    const booking = await findVenueBooking(em, input.venueId, input.bookingRef);
    if (!booking) {
      throw new AppError('not_found', 'Booking not found.', { field: 'booking_id', booking_id: input.bookingRef });
    }
    bookingId = booking.id;
  }
  const matchMethod = bookingId === null ? null : 'manual';

  const items = await em.find(SaleItem, { where: { saleRowId: sale.id }, order: { position: 'ASC' } });
  if (sale.bookingId === bookingId && sale.matchMethod === matchMethod) return { sale, items, changed: false };

  const bookingBefore = sale.bookingId;
  Object.assign(sale, { bookingId, matchMethod, version: sale.version + 1, updatedAt: now });
  await em.update(Sale, { id: sale.id }, { bookingId, matchMethod, version: sale.version, updatedAt: now });
  await writeOutbox(em, saleChanged(sale, presentSale(sale, [...items]), bookingBefore), now);
  return { sale, items, changed: true };
}
