import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { entityColumns } from '../../platform/db/entity-statements';
import { Booking, Sale, SaleItem } from '../../platform/db/entities';
import type { SaleStatus } from '../../platform/db/entities';
import { presentSale, type SaleView } from './sale.view';

export interface SaleFilter {
  venueId: string;
  /** The venue's IANA timezone: `date` is a venue-local calendar day. */
  timezone: string;
  /** Venue-local `YYYY-MM-DD` of the sale's match time (opened_at, else closed_at, else receipt time). */
  date?: string;
  /** A booking's id or reference: only sales linked to that booking. */
  bookingRef?: string;
  /** true: only sales without a booking; false: only linked ones. */
  unmatched?: boolean;
  status?: SaleStatus;
}

/**
 * The UTC instants [from, to) covered by a venue-local calendar day, computed with the zone's own rules,
 * so a DST day is 23 or 25 hours long.
 */
export function venueDayRange(date: string, timezone: string): { from: Date; to: Date } {
  const start = DateTime.fromISO(date, { zone: timezone }).startOf('day');
  if (!start.isValid) throw new Error(`Invalid date ${date} in ${timezone}: ${start.invalidExplanation ?? ''}`);
  return { from: start.toJSDate(), to: start.plus({ days: 1 }).startOf('day').toJSDate() };
}

/**
 * The venue's sales matching the filter, each with its items, as the API shows them (presentSale), in
 * two queries of plain rows (the sales, then their items): no entity hydration, which was most of a diary
 * page's CPU. The day filter uses `match_at`, the column that already holds "opened_at, else closed_at,
 * else receipt time". `order` is a constant ORDER BY list (and LIMIT); `after`, a keyset condition
 * (keysetSql()). Null when the filter names a booking the venue does not have: nothing can match.
 */
export async function saleViews(
  em: EntityManager,
  filter: SaleFilter,
  order: { orderBy: string; limit: number; after?: { sql: string; params: unknown[] } | null },
): Promise<{ sale: Sale; view: SaleView }[] | null> {
  const conds = ['s.venue_id = ?'];
  const params: unknown[] = [filter.venueId];
  if (filter.date !== undefined) {
    const { from, to } = venueDayRange(filter.date, filter.timezone);
    conds.push('s.match_at >= ? AND s.match_at < ?');
    params.push(from, to);
  }
  if (filter.bookingRef !== undefined) {
    const booking = await findVenueBooking(em, filter.venueId, filter.bookingRef);
    if (!booking) return null;
    conds.push('s.booking_id = ?');
    params.push(booking.id);
  }
  if (filter.unmatched === true) conds.push('s.booking_id IS NULL');
  if (filter.unmatched === false) conds.push('s.booking_id IS NOT NULL');
  if (filter.status !== undefined) {
    conds.push('s.status = ?');
    params.push(filter.status);
  }
  if (order.after) {
    conds.push(order.after.sql);
    params.push(...order.after.params);
  }
  const columns = entityColumns(em.connection, Sale, 's');
  const rows = (await em.query(`SELECT ${columns.select} FROM sales s WHERE ${conds.join(' AND ')} ORDER BY ${order.orderBy} LIMIT ${Number(order.limit)}`, params)) as Record<string, unknown>[];
  const sales = rows.map((row) => columns.read(row));
  const items = await itemsOfSales(em, sales.map((sale) => sale.id));
  return sales.map((sale) => ({ sale, view: presentSale(sale, items.get(sale.id) ?? []) }));
}

/** A booking of the venue by id or reference (what integrators and POS staff know it by). */
export async function findVenueBooking(em: EntityManager, venueId: string, ref: string): Promise<Pick<Booking, 'id'> | null> {
  return em
    .createQueryBuilder(Booking, 'b')
    .select(['b.id'])
    .where('b.venue_id = :venueId', { venueId })
    .andWhere('(b.id = :ref OR b.reference = :ref)', { ref })
    .getOne();
}

/** Items of several sales in one query (of plain rows), by sale, in POS order. */
export async function itemsOfSales(em: EntityManager, saleIds: string[]): Promise<Map<string, SaleItem[]>> {
  const out = new Map<string, SaleItem[]>();
  if (!saleIds.length) return out;
  const columns = entityColumns(em.connection, SaleItem, 'i');
  const rows = (await em.query(`SELECT ${columns.select} FROM sale_items i WHERE i.sale_row_id IN (?) ORDER BY i.sale_row_id, i.position`, [saleIds])) as Record<string, unknown>[];
  for (const row of rows) {
    const item = columns.read(row);
    const list = out.get(item.saleRowId);
    if (list) list.push(item);
    else out.set(item.saleRowId, [item]);
  }
  return out;
}

/** A venue's sale with its items; null for an unknown id or another venue's sale (the caller answers 404). */
export async function getSale(em: EntityManager, venueId: string, id: string): Promise<{ sale: Sale; items: SaleItem[] } | null> {
  const sale = await em.findOne(Sale, { where: { id, venueId } });
  if (!sale) return null;
  const items = await em.find(SaleItem, { where: { saleRowId: sale.id }, order: { position: 'ASC' } });
  return { sale, items };
}
