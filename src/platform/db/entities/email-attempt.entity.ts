import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One attempt to hand an email to the SMTP server: its outcome, the server's reply code and text. */
@Entity({ name: 'email_attempts' })
export class EmailAttempt {
  @PrimaryColumn({ type: 'varchar', length: 40 }) id!: string;
  @Column({ name: 'email_id', type: 'varchar', length: 40 }) emailId!: string;
  @Column({ type: 'int' }) attempt!: number;
  /** `sent`, `retry` (a temporary failure: tried again later) or `failed`. */
  @Column({ type: 'varchar', length: 16 }) outcome!: 'sent' | 'retry' | 'failed';
  @Column({ name: 'smtp_code', type: 'int', nullable: true }) smtpCode!: number | null;
  @Column({ type: 'varchar', length: 1000, nullable: true }) response!: string | null;
  @Column({ name: 'duration_ms', type: 'int' }) durationMs!: number;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
}
