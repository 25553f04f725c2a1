import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inbound reservations from booking platforms (CONTRACT §12): a booking may come from a partner's reservation.
 * `external_partner` + `external_reservation_id` name it, unique together, so two workers can never make two
 * bookings of one reservation (an INSERT of the second fails on the key and its retry updates the first);
 * `external_version` is the reservation's `updated_at` as last applied (older updates are ignored);
 * `needs_table` marks a kept reservation without a table; `guest_name` is the guest's name as the platform
 * sent it (the only name of a guest kept without email or phone, so unlinked to a customer). `source` grows
 * to hold any partner name (64 characters) and `channel:<name>`.
 */
export class ReservationBookings1767500000000 implements MigrationInterface {
  name = 'ReservationBookings1767500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bookings
      MODIFY source VARCHAR(80) NOT NULL DEFAULT 'api',
      ADD COLUMN needs_table TINYINT(1) NOT NULL DEFAULT 0 AFTER table_id,
      ADD COLUMN guest_name VARCHAR(255) NULL AFTER customer_id,
      ADD COLUMN external_partner VARCHAR(64) NULL AFTER source,
      ADD COLUMN external_reservation_id VARCHAR(128) NULL AFTER external_partner,
      ADD COLUMN external_version VARCHAR(64) NULL AFTER external_reservation_id,
      ADD UNIQUE KEY uq_bookings_external (external_partner, external_reservation_id),
      ADD KEY ix_bookings_venue_needs_table (venue_id, needs_table, date)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bookings
      DROP KEY ix_bookings_venue_needs_table,
      DROP KEY uq_bookings_external,
      DROP COLUMN external_version,
      DROP COLUMN external_reservation_id,
      DROP COLUMN external_partner,
      DROP COLUMN guest_name,
      DROP COLUMN needs_table`);
    await q.query('UPDATE bookings SET source = LEFT(source, 32) WHERE CHAR_LENGTH(source) > 32');
    await q.query("ALTER TABLE bookings MODIFY source VARCHAR(32) NOT NULL DEFAULT 'api'");
  }
}
