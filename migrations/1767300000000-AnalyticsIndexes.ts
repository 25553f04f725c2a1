import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Analytics (CONTRACT §9.1) reads a venue's bookings by local date and its sales by time over up to 366
 * days: both indexes it ranges over now also carry the columns it adds up, so a year is read from the
 * index alone, without a row lookup per booking or sale. They replace the indexes of the same prefix
 * instead of adding new ones (no extra index to maintain on every write): the booking list and the sales
 * list page by the same leading columns as before (`date, time` then the primary key; `match_at, id`).
 */
export class AnalyticsIndexes1767300000000 implements MigrationInterface {
  name = 'AnalyticsIndexes1767300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bookings
      DROP KEY ix_bookings_venue_date,
      ADD KEY ix_bookings_venue_date (venue_id, date, time, status, party_size, service_id)`);
    await q.query(`ALTER TABLE sales
      DROP KEY ix_sales_venue_time,
      ADD KEY ix_sales_venue_time (venue_id, match_at, id, status, currency, total, booking_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE sales DROP KEY ix_sales_venue_time, ADD KEY ix_sales_venue_time (venue_id, match_at, id)');
    await q.query('ALTER TABLE bookings DROP KEY ix_bookings_venue_date, ADD KEY ix_bookings_venue_date (venue_id, date, time)');
  }
}
