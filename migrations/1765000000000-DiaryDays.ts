import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The diary lock: one row per venue and venue-local date, locked FOR UPDATE by booking writers for the
 * dates their booking can claim (src/domain/bookings/venue-context.ts lockDiaryDays), so bookings on
 * different days of one venue no longer queue behind each other. Rows are created on first use.
 *
 * ix_bookings_venue_start: the engine reads the bookings overlapping a time range (start_at < to AND
 * end_at > from, a sitting lasting at most a day); on (venue_id, start_at, end_at) that is one short range
 * whose end_at filter runs in the index, instead of a scan of every booking of the venue's nearby dates.
 */
export class DiaryDays1765000000000 implements MigrationInterface {
  name = 'DiaryDays1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE diary_days (
      venue_id VARCHAR(40) NOT NULL,
      date DATE NOT NULL,
      PRIMARY KEY (venue_id, date),
      CONSTRAINT fk_diary_days_venue FOREIGN KEY (venue_id) REFERENCES venues(id) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query('ALTER TABLE bookings ADD KEY ix_bookings_venue_start (venue_id, start_at, end_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE bookings DROP KEY ix_bookings_venue_start');
    await q.query('DROP TABLE IF EXISTS diary_days');
  }
}
