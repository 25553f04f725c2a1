import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Written in the same transaction as the change it announces; the relay moves it to the delivery queue. */
@Entity({ name: 'outbox' })
export class OutboxMessage {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: number;
  @Column({ name: 'message_id', type: 'varchar', length: 40 }) messageId!: string;
  @Column({ name: 'venue_id', type: 'varchar', length: 40 }) venueId!: string;
  @Column({ type: 'varchar', length: 64 }) event!: string;
  @Column({ name: 'resource_id', type: 'varchar', length: 40 }) resourceId!: string;
  @Column({ name: 'resource_version', type: 'int' }) resourceVersion!: number;
  /** JSON of the event's `data`. */
  @Column({ type: 'mediumtext' }) payload!: string;
  /** JSON only the outbox's subscribers read, never sent to webhook receivers (secrets in it are sealed). */
  @Column({ name: 'private_data', type: 'mediumtext', nullable: true }) privateData!: string | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'relayed_at', type: 'datetime', precision: 3, nullable: true }) relayedAt!: Date | null;
}
