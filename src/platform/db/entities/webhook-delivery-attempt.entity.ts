import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'webhook_delivery_attempts' })
export class WebhookDeliveryAttempt {
  @PrimaryColumn({ type: 'varchar', length: 40 }) id!: string;
  @Column({ name: 'delivery_id', type: 'varchar', length: 40 }) deliveryId!: string;
  @Column({ type: 'int' }) attempt!: number;
  @Column({ name: 'status_code', type: 'int', nullable: true }) statusCode!: number | null;
  @Column({ name: 'duration_ms', type: 'int' }) durationMs!: number;
  /** Truncated to 2 KiB. */
  @Column({ name: 'response_body', type: 'text', nullable: true }) responseBody!: string | null;
  @Column({ type: 'varchar', length: 1000, nullable: true }) error!: string | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
}
