import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One version of a partner's JSONata mapping for an event type ('*' = fallback). Newest is live. */
@Entity({ name: 'mapping_versions' })
export class MappingVersion {
  @PrimaryColumn({ type: 'varchar', length: 40 }) id!: string;
  @Column({ name: 'partner_id', type: 'varchar', length: 40 }) partnerId!: string;
  @Column({ name: 'event_type', type: 'varchar', length: 128 }) eventType!: string;
  @Column({ type: 'int' }) version!: number;
  @Column({ type: 'mediumtext' }) expression!: string;
  /** 'file' when synced from mappings/, 'api' when PUT by a partner manager. */
  @Column({ type: 'varchar', length: 16 }) source!: string;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
}
