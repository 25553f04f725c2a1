import { DateTime } from 'luxon';
import { In, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { Booking, Sale, SaleItem } from '../../db/entities';
import type { SaleStatus } from '../../db/entities';

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
 * A query of a venue's sales matching the filter, alias `s`, unordered (the caller pages it). The day
 * filter uses `match_at`, the column that already holds "opened_at, else closed_at, else receipt time".
 * Null when the filter names a booking the venue does not have: nothing can match.
 */
export async function salesQuery(em: EntityManager, filter: SaleFilter): Promise<SelectQueryBuilder<Sale> | null> {
  const qb = em.createQueryBuilder(Sale, 's').where('s.venue_id = :venueId', { venueId: filter.venueId });

  if (filter.date !== undefined) {
    const { from, to } = venueDayRange(filter.date, filter.timezone);
    qb.andWhere('s.match_at >= :dayFrom AND s.match_at < :dayTo', { dayFrom: from, dayTo: to });
  }
  if (filter.bookingRef !== undefined) {
    const booking = await findVenueBooking(em, filter.venueId, filter.bookingRef);
    if (!booking) return null;
    qb.andWhere('s.booking_id = :bookingId', { bookingId: booking.id });
  }
  if (filter.unmatched === true) qb.andWhere('s.booking_id IS NULL');
  if (filter.unmatched === false) qb.andWhere('s.booking_id IS NOT NULL');
  if (filter.status !== undefined) qb.andWhere('s.status = :status', { status: filter.status });
  return qb;
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

/** Items of several sales in one query, by sale, in POS order. */
export async function itemsOfSales(em: EntityManager, saleIds: string[]): Promise<Map<string, SaleItem[]>> {
  const out = new Map<string, SaleItem[]>();
  if (!saleIds.length) return out;
  const items = await em.find(SaleItem, { where: { saleRowId: In(saleIds) }, order: { position: 'ASC' } });
  for (const item of items) {
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
