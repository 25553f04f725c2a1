/** Reading bookings back: by id or reference, as lists with filters, and as the contract's JSON. */
import { In, type EntityManager } from 'typeorm';
import { entityColumns } from '../../platform/db/entity-statements';
import { Booking, Customer, VenueTable, type BookingStatus } from '../../platform/db/entities';
import { presentBooking, type BookingRelations, type BookingView } from './booking.view';

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

/** The filters as SQL over `bookings b` (`?` placeholders). */
function bookingWhere(venueId: string, f: BookingFilters): { sql: string; params: unknown[] } {
  const conds = ['b.venue_id = ?'];
  const params: unknown[] = [venueId];
  const add = (sql: string, value: unknown) => {
    conds.push(sql);
    params.push(value);
  };
  if (f.from) add('b.date >= ?', f.from);
  if (f.to) add('b.date <= ?', f.to);
  if (f.statuses?.length) add('b.status IN (?)', f.statuses);
  if (f.customerId) add('b.customer_id = ?', f.customerId);
  if (f.needsTable !== undefined) add('b.needs_table = ?', f.needsTable ? 1 : 0);
  if (f.channelId) add('b.channel_id = ?', f.channelId);
  return { sql: conds.join(' AND '), params };
}

/**
 * The venue's bookings matching the filters, as the API shows them (presentBooking), with their tables and
 * customers, in one query of plain rows: no entity hydration, which was most of a diary page's CPU. `order`
 * is a constant ORDER BY list (and LIMIT); `after`, a keyset condition (keysetSql()).
 */
export async function bookingViews(
  em: EntityManager,
  venueId: string,
  f: BookingFilters,
  order: { orderBy: string; limit: number; after?: { sql: string; params: unknown[] } | null },
): Promise<{ booking: Booking; view: BookingView }[]> {
  const where = bookingWhere(venueId, f);
  const after = order.after ? ` AND ${order.after.sql}` : '';
  return readBookingViews(em, `${where.sql}${after} ORDER BY ${order.orderBy} LIMIT ${Number(order.limit)}`, [...where.params, ...(order.after?.params ?? [])]);
}

/** Bookings by id (any venue), as bookingViews reads them: one query, in no particular order. */
export async function bookingViewsByIds(em: EntityManager, ids: readonly string[]): Promise<{ booking: Booking; view: BookingView }[]> {
  return ids.length ? readBookingViews(em, 'b.id IN (?)', [ids]) : [];
}

/** `tail`: the WHERE condition over `bookings b` (and any ORDER BY / LIMIT after it). */
async function readBookingViews(em: EntityManager, tail: string, params: unknown[]): Promise<{ booking: Booking; view: BookingView }[]> {
  const columns = entityColumns(em.connection, Booking, 'b');
  // The table and customer joined in (the columns presentBooking needs), named apart from the booking's.
  const rows = (await em.query(
    `SELECT ${columns.select}, t.id AS joined_table_id, t.number AS joined_table_number, c.id AS joined_customer_id,
        c.name AS joined_customer_name, c.email AS joined_customer_email, c.phone AS joined_customer_phone
      FROM bookings b
      LEFT JOIN venue_tables t ON t.id = b.table_id
      LEFT JOIN customers c ON c.id = b.customer_id
      WHERE ${tail}`,
    params,
  )) as Record<string, unknown>[];
  return rows.map((row) => {
    const booking = columns.read(row);
    const view = presentBooking(booking, {
      table: row.joined_table_id ? { id: row.joined_table_id as string, number: row.joined_table_number as string } : null,
      customer: row.joined_customer_id
        ? {
            id: row.joined_customer_id as string, name: row.joined_customer_name as string,
            email: row.joined_customer_email as string | null, phone: row.joined_customer_phone as string | null,
          }
        : null,
    });
    return { booking, view };
  });
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
export async function presentBookings(em: EntityManager, bookings: Booking[]): Promise<BookingView[]> {
  const rel = await relationsOf(em, bookings);
  return bookings.map((b) => presentBooking(b, rel(b)));
}

export async function presentOneBooking(em: EntityManager, booking: Booking): Promise<BookingView> {
  return (await presentBookings(em, [booking]))[0]!;
}
