import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Stripe-style Idempotency-Key store: fingerprint of the request, the first response, kept 24 h. */
@Entity({ name: 'idempotency_records' })
export class IdempotencyRecord {
  @PrimaryColumn({ type: 'varchar', length: 40 }) id!: string;
  @Column({ name: 'api_key_id', type: 'varchar', length: 40 }) apiKeyId!: string;
  @Column({ name: 'idempotency_key', type: 'varchar', length: 255 }) idempotencyKey!: string;
  @Column({ type: 'char', length: 64 }) fingerprint!: string;
  @Column({ type: 'varchar', length: 16 }) state!: 'in_progress' | 'completed';
  @Column({ name: 'response_status', type: 'int', nullable: true }) responseStatus!: number | null;
  @Column({ name: 'response_body', type: 'mediumtext', nullable: true }) responseBody!: string | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 }) expiresAt!: Date;
}
