import { Column, Entity, PrimaryColumn } from 'typeorm';

// The statuses are the partners module's list (a dependency-free file, which eslint/layout-plugin.cjs lets the platform import).
import type { InboundEventStatus } from '../../../modules/partners/pipeline/event-statuses';

/** The event log and the store replay reads: one row per accepted POS event. */
@Entity({ name: 'inbound_events' })
export class InboundEvent {
  @PrimaryColumn({ type: 'varchar', length: 40 }) id!: string;
  @Column({ type: 'varchar', length: 64 }) partner!: string;
  @Column({ name: 'event_type', type: 'varchar', length: 128 }) eventType!: string;
  /** The exact body as received (UTF-8). */
  @Column({ name: 'raw_payload', type: 'mediumtext' }) rawPayload!: string;
  /** The request headers as received (lower-case names), signatures and secrets masked at the edge; null for older events. */
  @Column({ type: 'json', nullable: true }) headers!: Record<string, string> | null;
  @Column({ type: 'varchar', length: 16 }) status!: InboundEventStatus;
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ name: 'sale_id', type: 'varchar', length: 128, nullable: true }) saleId!: string | null;
  @Column({ type: 'int' }) attempts!: number;
  @Column({ name: 'mapping_version', type: 'int', nullable: true }) mappingVersion!: number | null;
  @Column({ type: 'json', nullable: true }) output!: unknown;
  @Column({ type: 'json', nullable: true }) errors!: unknown;
  /** What each command did (venue, sale and booking written, match or why none): see CommandOutcome. */
  @Column({ type: 'json', nullable: true }) outcome!: unknown;
  @Column({ name: 'received_at', type: 'datetime', precision: 3 }) receivedAt!: Date;
  @Column({ name: 'processed_at', type: 'datetime', precision: 3, nullable: true }) processedAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt!: Date;
}
