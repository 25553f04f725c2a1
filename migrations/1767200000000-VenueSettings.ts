import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Venue settings (CONTRACT "Venue settings"): a venue keeps only the settings it changed (`settings` JSON,
 * NULL = every default), so a default that changes later reaches every venue that never set it. Services may
 * need the venue's approval (§11); a partner may leave the confirmation email to its platform (§12).
 */
export class VenueSettings1767200000000 implements MigrationInterface {
  name = 'VenueSettings1767200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE venues ADD COLUMN settings JSON NULL');
    await q.query('ALTER TABLE services ADD COLUMN requires_approval TINYINT(1) NOT NULL DEFAULT 0');
    await q.query('ALTER TABLE partners ADD COLUMN send_confirmation TINYINT(1) NOT NULL DEFAULT 1');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE partners DROP COLUMN send_confirmation');
    await q.query('ALTER TABLE services DROP COLUMN requires_approval');
    await q.query('ALTER TABLE venues DROP COLUMN settings');
  }
}
