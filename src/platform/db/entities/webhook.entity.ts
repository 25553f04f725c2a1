import { Column, Entity, PrimaryColumn } from 'typeorm';
import { tinyBool } from './columns';

@Entity({ name: 'webhooks' })
export class Webhook {
  @PrimaryColumn({ type: 'varchar', length: 40 }) id!: string;
  @Column({ name: 'venue_id', type: 'varchar', length: 40 }) venueId!: string;
  @Column({ type: 'varchar', length: 2048 }) url!: string;
  @Column({ type: 'json' }) events!: string[];
  @Column({ name: 'secret_encrypted', type: 'text' }) secretEncrypted!: string;
  @Column({ type: 'tinyint', transformer: tinyBool }) enabled!: boolean;
  @Column({ name: 'disabled_reason', type: 'varchar', length: 500, nullable: true }) disabledReason!: string | null;
  @Column({ name: 'failing_since', type: 'datetime', precision: 3, nullable: true }) failingSince!: Date | null;
  @Column({ name: 'deleted_at', type: 'datetime', precision: 3, nullable: true }) deletedAt!: Date | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt!: Date;
}
