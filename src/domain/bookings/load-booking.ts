/** Reading bookings back: by id or reference, as lists with filters, and as the contract's JSON. */
import { In, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { Booking, Customer, Sale, SaleItem, VenueTable, type BookingStatus } from '../../db/entities';
import { presentBooking, presentBookingDetail, type BookingRelations } from '../views/booking.view';

/**
 * A booking of this venue by its id or its reference (TS-XXXXXX); optionally locked FOR UPDATE; with
 * `channelId`, only one that channel made (a channel key sees no other: CONTRACT §11).
 */
export async function findBooking(
  em: EntityManager,
  venueId: string,
  idOrReference: string,
  opts: { lock?: boolean; channelId?: string | null } = {},
): Promise<Booking | null> {
  const qb = em
    .createQueryBuilder(Booking, 'b')
    .where('b.venue_id = :venueId', { venueId })
    .andWhere('(b.id = :ref OR b.reference = :ref)', { ref: idOrReference });
  if (opts.channelId) qb.andWhere('b.channel_id = :channelId', { channelId: opts.channelId });
  if (opts.lock) qb.setLock('pessimistic_write');
  return qb.getOne();
}

export interface BookingFilters {
  /** Venue-local dates, inclusive. */
  from?: string;
  to?: string;
  statuses?: BookingStatus[];
  customerId?: string;
  /** Only bookings that need a table (true) or only the others (false). */
  needsTable?: boolean;
  /** Only the bookings this channel made. */
  channelId?: string;
}

/** The venue's bookings matching the filters; the caller orders and pages. */
export function bookingListQuery(em: EntityManager, venueId: string, f: BookingFilters): SelectQueryBuilder<Booking> {
  const qb = em.createQueryBuilder(Booking, 'b').where('b.venue_id = :venueId', { venueId });
  if (f.from) qb.andWhere('b.date >= :from', { from: f.from });
  if (f.to) qb.andWhere('b.date <= :to', { to: f.to });
  if (f.statuses?.length) qb.andWhere('b.status IN (:...statuses)', { statuses: f.statuses });
  if (f.customerId) qb.andWhere('b.customer_id = :customerId', { customerId: f.customerId });
  if (f.needsTable !== undefined) qb.andWhere('b.needs_table = :needsTable', { needsTable: f.needsTable });
  if (f.channelId) qb.andWhere('b.channel_id = :channelId', { channelId: f.channelId });
  return qb;
}

async function relationsOf(em: EntityManager, bookings: Booking[]): Promise<(b: Booking) => BookingRelations> {
  const tableIds = [...new Set(bookings.map((b) => b.tableId).filter((x): x is string => !!x))];
  const customerIds = [...new Set(bookings.map((b) => b.customerId).filter((x): x is string => !!x))];
  const [tables, customers] = await Promise.all([
    tableIds.length ? em.find(VenueTable, { where: { id: In(tableIds) } }) : [],
    customerIds.length ? em.find(Customer, { where: { id: In(customerIds) } }) : [],
  ]);
  const tableById = new Map(tables.map((t) => [t.id, t]));
  const customerById = new Map(customers.map((c) => [c.id, c]));
  return (b) => ({
    table: (b.tableId && tableById.get(b.tableId)) || null,
    customer: (b.customerId && customerById.get(b.customerId)) || null,
  });
}

/** Bookings as the API shows them (CONTRACT §2), tables and customers loaded in two queries. */
export async function presentBookings(em: EntityManager, bookings: Booking[]): Promise<Record<string, unknown>[]> {
  const rel = await relationsOf(em, bookings);
  return bookings.map((b) => presentBooking(b, rel(b)));
}

export async function presentOneBooking(em: EntityManager, booking: Booking): Promise<Record<string, unknown>> {
  return (await presentBookings(em, [booking]))[0]!;
}

/** Booking detail: with its matched sales (and their items) and their spend in the venue's currency. */
export async function presentBookingWithSales(em: EntityManager, booking: Booking, currency: string): Promise<Record<string, unknown>> {
  const rel = await relationsOf(em, [booking]);
  const sales = await em.find(Sale, { where: { bookingId: booking.id }, order: { matchAt: 'ASC', id: 'ASC' } });
  const items = sales.length ? await em.find(SaleItem, { where: { saleRowId: In(sales.map((s) => s.id)) } }) : [];
  return presentBookingDetail(
    booking,
    rel(booking),
    sales.map((sale) => ({ sale, items: items.filter((i) => i.saleRowId === sale.id) })),
    currency,
  );
}
