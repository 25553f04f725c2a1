import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A transactional email (CONTRACT §10.3), rendered once; the worker sends it with retries. */
@Entity({ name: 'emails' })
export class Email {
  @PrimaryColumn({ type: 'varchar', length: 40 }) id!: string;
  @Column({ name: 'venue_id', type: 'varchar', length: 40 }) venueId!: string;
  @Column({ name: 'booking_id', type: 'varchar', length: 40, nullable: true }) bookingId!: string | null;
  @Column({ type: 'varchar', length: 32 }) kind!: string;
  @Column({ name: 'to_address', type: 'varchar', length: 320 }) toAddress!: string;
  @Column({ name: 'reply_to', type: 'varchar', length: 320, nullable: true }) replyTo!: string | null;
  @Column({ type: 'varchar', length: 300 }) subject!: string;
  @Column({ name: 'text_body', type: 'mediumtext' }) textBody!: string;
  @Column({ name: 'html_body', type: 'mediumtext' }) htmlBody!: string;
  /** The Message-ID header, the same on every attempt. */
  @Column({ name: 'message_id_header', type: 'varchar', length: 255 }) messageIdHeader!: string;
  /** `<outbox message id>:<kind>`: relaying the same outbox row twice makes one email. */
  @Column({ name: 'source_key', type: 'varchar', length: 100 }) sourceKey!: string;
  @Column({ type: 'varchar', length: 16 }) status!: 'queued' | 'sent' | 'kept' | 'failed';
  @Column({ type: 'int' }) attempts!: number;
  @Column({ name: 'last_error', type: 'varchar', length: 1000, nullable: true }) lastError!: string | null;
  @Column({ name: 'next_attempt_at', type: 'datetime', precision: 3, nullable: true }) nextAttemptAt!: Date | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'sent_at', type: 'datetime', precision: 3, nullable: true }) sentAt!: Date | null;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt!: Date;
}
