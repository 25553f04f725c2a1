import { In, IsNull, type EntityManager } from 'typeorm';
import { Booking, Sale, SaleItem, VenueTable } from '../../platform/db/entities';
import { entityManagerSession } from '../../platform/db/entity-statements';
import { saleChanged, writeOutbox, type OutboxEntry } from '../outbox';
import { presentSale } from './sale.view';
import { holdsTable, timesHeldBy } from '../diary';
import { matchOf, matchStatements } from './match-query';

/**
 * Called when a booking is created or changes table/time/status: unmatched sales on its table whose time it
 * holds are matched again with the one match query (each to its best booking, which may be this one). Each
 * linked sale gets version + 1 and its `sale.recorded` and `sale.matched` outbox rows (all linked sales'
 * in one INSERT) in the caller's transaction. Returns the sales it linked.
 */
export async function rematchSalesForBooking(em: EntityManager, booking: Booking, now = new Date()): Promise<Sale[]> {
  if (!booking.tableId || !holdsTable(booking.status)) return [];
  const table = await em.findOne(VenueTable, { where: { id: booking.tableId } });
  if (!table) return [];
  const unmatched = await em
    .createQueryBuilder(Sale, 's')
    .where('s.venue_id = :venueId AND s.venue_table_number = :number AND s.booking_id IS NULL', {
      venueId: booking.venueId,
      number: table.number,
    })
    .andWhere('s.match_at BETWEEN :from AND :to', timesHeldBy(booking))
    .getMany();
  if (!unmatched.length) return [];
  // A stored sale's table is the venue's own number already (its alias resolved when it was applied).
  const lookups = unmatched.map((sale) => ({ scope: { venueId: sale.venueId }, bookingRef: null, table: sale.venueTableNumber, matchAt: sale.matchAt }));
  const query = matchStatements(lookups);
  const found = query.read(await entityManagerSession(em).run(query.statements));
  const linked: Sale[] = [];
  const outbox: OutboxEntry[] = [];
  for (const [i, sale] of unmatched.entries()) {
    const match = matchOf(lookups[i]!, found[i]!);
    if (!match) continue;
    // Guard against a concurrent match: only link while still unmatched.
    const result = await em.update(
      Sale,
      { id: sale.id, bookingId: IsNull() },
      { bookingId: match.bookingId, matchMethod: 'table_time', version: sale.version + 1, updatedAt: now },
    );
    if (result.affected) {
      Object.assign(sale, { bookingId: match.bookingId, matchMethod: 'table_time', version: sale.version + 1, updatedAt: now });
      linked.push(sale);
    }
  }
  if (!linked.length) return linked;
  // The sales changed (they have their booking now): announce their new versions, as any other sale change.
  const items = await em.find(SaleItem, { where: { saleRowId: In(linked.map((s) => s.id)) }, order: { position: 'ASC' } });
  for (const sale of linked) outbox.push(...saleChanged(sale, presentSale(sale, items.filter((item) => item.saleRowId === sale.id)), null));
  await writeOutbox(em, outbox, now);
  return linked;
}

/** Sales of some bookings, for booking detail and customer spend. */
export async function salesOfBookings(em: EntityManager, bookingIds: string[]): Promise<Sale[]> {
  if (!bookingIds.length) return [];
  return em.find(Sale, { where: { bookingId: In(bookingIds) } });
}
