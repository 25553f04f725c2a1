import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Booking requests and booking channels (CONTRACT §11).
 *
 * bookings: `expires_at` (a request's end: the earlier of created + the venue's request_hold_hours and the
 * booking's start), `decline_reason`, and `channel_id` (the channel whose key made it: a channel key sees
 * only these). `source` grows to hold `channel:<name>` (channel names are at most 100 characters).
 * ix_bookings_status_expiry serves the expiry sweep (status = 'requested' AND expires_at <= now);
 * ix_bookings_venue_channel a channel's own bookings at a venue, in the list's order.
 *
 * channels, channel_api_keys (stored as SHA-256 hashes, as api_keys are) and channel_grants (a venue lets a
 * channel in, booking or only requesting).
 */
export class RequestsAndChannels1767700000000 implements MigrationInterface {
  name = 'RequestsAndChannels1767700000000';

  async up(q: QueryRunner): Promise<void> {
    const opts = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
    await q.query(`ALTER TABLE bookings
      MODIFY source VARCHAR(120) NOT NULL DEFAULT 'api',
      ADD COLUMN expires_at DATETIME(3) NULL AFTER end_at,
      ADD COLUMN decline_reason VARCHAR(1000) NULL AFTER notes,
      ADD COLUMN channel_id VARCHAR(40) NULL AFTER source,
      ADD KEY ix_bookings_status_expiry (status, expires_at),
      ADD KEY ix_bookings_venue_channel (venue_id, channel_id, date, time)`);
    await q.query(`CREATE TABLE channels (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      name VARCHAR(100) NOT NULL,
      created_at DATETIME(3) NOT NULL
    ) ${opts}`);
    await q.query(`CREATE TABLE channel_api_keys (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      channel_id VARCHAR(40) NOT NULL,
      name VARCHAR(200) NOT NULL,
      key_hash CHAR(64) NOT NULL,
      prefix VARCHAR(24) NOT NULL,
      rate_limit_per_minute INT NOT NULL DEFAULT 60,
      revoked_at DATETIME(3) NULL,
      created_at DATETIME(3) NOT NULL,
      UNIQUE KEY uq_channel_api_keys_hash (key_hash),
      KEY ix_channel_api_keys_channel (channel_id),
      CONSTRAINT fk_channel_api_keys_channel FOREIGN KEY (channel_id) REFERENCES channels(id) ON DELETE CASCADE
    ) ${opts}`);
    await q.query(`CREATE TABLE channel_grants (
      venue_id VARCHAR(40) NOT NULL,
      channel_id VARCHAR(40) NOT NULL,
      can_book TINYINT(1) NOT NULL,
      created_at DATETIME(3) NOT NULL,
      updated_at DATETIME(3) NOT NULL,
      PRIMARY KEY (channel_id, venue_id),
      KEY ix_channel_grants_venue (venue_id),
      CONSTRAINT fk_channel_grants_venue FOREIGN KEY (venue_id) REFERENCES venues(id) ON DELETE CASCADE,
      CONSTRAINT fk_channel_grants_channel FOREIGN KEY (channel_id) REFERENCES channels(id) ON DELETE CASCADE
    ) ${opts}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE channel_grants');
    await q.query('DROP TABLE channel_api_keys');
    await q.query('DROP TABLE channels');
    await q.query(`UPDATE bookings SET source = LEFT(source, 32) WHERE CHAR_LENGTH(source) > 32`);
    await q.query(`ALTER TABLE bookings
      DROP KEY ix_bookings_venue_channel,
      DROP KEY ix_bookings_status_expiry,
      DROP COLUMN channel_id,
      DROP COLUMN decline_reason,
      DROP COLUMN expires_at,
      MODIFY source VARCHAR(32) NOT NULL DEFAULT 'api'`);
  }
}
