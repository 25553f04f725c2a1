import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The partner console (CONTRACT §13):
 * - mapping_live: which version of each (partner, event type) mapping is live. A new version is live when it
 *   is written; `POST …/versions/:version/activate` makes an older one live again. Until now the newest
 *   version was live, so every existing mapping's row is its newest version.
 * - partners.template: the catalog template a partner was made from (its fixtures are the console's inputs).
 * - inbound_events.headers: the request headers as received, signatures and secrets masked at the edge.
 */
export class MappingLiveTemplateAndEventHeaders1767600000000 implements MigrationInterface {
  name = 'MappingLiveTemplateAndEventHeaders1767600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE mapping_live (
      partner_id VARCHAR(40) NOT NULL,
      event_type VARCHAR(128) NOT NULL,
      version INT NOT NULL,
      activated_at DATETIME(3) NOT NULL,
      PRIMARY KEY (partner_id, event_type)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`INSERT INTO mapping_live (partner_id, event_type, version, activated_at)
      SELECT partner_id, event_type, MAX(version), MAX(created_at) FROM mapping_versions GROUP BY partner_id, event_type`);
    await q.query('ALTER TABLE partners ADD COLUMN template VARCHAR(64) NULL AFTER adapter');
    await q.query('ALTER TABLE inbound_events ADD COLUMN headers JSON NULL AFTER raw_payload');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE inbound_events DROP COLUMN headers');
    await q.query('ALTER TABLE partners DROP COLUMN template');
    await q.query('DROP TABLE mapping_live');
  }
}
