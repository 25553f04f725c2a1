import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Table aliases per location (CONTRACT §3 `tables`): partner_location_tables maps a POS's own table id
 * (a GUID, "Bar 3") to the venue's table number. Sales keep the POS's table id as sent (now up to 128
 * characters: GUIDs are 36) and the venue table it names (`venue_table_number`, else the table id as sent), which re-matching reads
 * through ix_sales_venue_table_time. inbound_events.outcome: what each command of an event did.
 */
export class TableAliasesAndOutcomes1767000000000 implements MigrationInterface {
  name = 'TableAliasesAndOutcomes1767000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE partner_location_tables (
      location_ref VARCHAR(40) NOT NULL,
      pos_table VARCHAR(128) NOT NULL,
      table_number VARCHAR(32) NOT NULL,
      PRIMARY KEY (location_ref, pos_table),
      CONSTRAINT fk_location_tables_location FOREIGN KEY (location_ref) REFERENCES partner_locations(id) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`ALTER TABLE sales
      MODIFY table_number VARCHAR(128) NULL,
      ADD COLUMN venue_table_number VARCHAR(128) NULL AFTER table_number,
      DROP KEY ix_sales_venue_table_time,
      ADD KEY ix_sales_venue_table_time (venue_id, venue_table_number, match_at)`);
    await q.query('UPDATE sales SET venue_table_number = table_number WHERE table_number IS NOT NULL');
    await q.query('ALTER TABLE inbound_events ADD COLUMN outcome JSON NULL AFTER errors');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE inbound_events DROP COLUMN outcome');
    await q.query('UPDATE sales SET table_number = LEFT(table_number, 32) WHERE CHAR_LENGTH(table_number) > 32');
    await q.query(`ALTER TABLE sales
      DROP KEY ix_sales_venue_table_time,
      DROP COLUMN venue_table_number,
      MODIFY table_number VARCHAR(32) NULL,
      ADD KEY ix_sales_venue_table_time (venue_id, table_number, match_at)`);
    await q.query('DROP TABLE partner_location_tables');
  }
}
