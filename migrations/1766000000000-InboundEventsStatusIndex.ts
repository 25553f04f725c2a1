import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ix_inbound_status_updated: the stranded-event sweep (src/pipeline/stranded-events.ts) looks for unfinished
 * events of every partner untouched for a while; on (status, updated_at) that is a short range read.
 */
export class InboundEventsStatusIndex1766000000000 implements MigrationInterface {
  name = 'InboundEventsStatusIndex1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE inbound_events ADD KEY ix_inbound_status_updated (status, updated_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE inbound_events DROP KEY ix_inbound_status_updated');
  }
}
