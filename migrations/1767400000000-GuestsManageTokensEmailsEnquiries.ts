import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Guests (CONTRACT §10, §10.3):
 * - booking_manage_tokens: the guest's links to their booking (`PUBLIC_URL/manage/<token>`), stored only as
 *   the token's SHA-256; a booking may have several (each email that carries a link mints its own).
 * - emails and email_attempts: every transactional email, rendered once (text and HTML) with a stable
 *   Message-ID, and every attempt to send it. `source_key` (the outbox message and the kind) makes relaying
 *   an outbox row twice harmless.
 * - enquiries: the public widget's enquiry form (private events, large groups).
 * - outbox.private_data: what only the outbox's subscribers read (never a webhook body): e.g. the new
 *   booking's manage token, sealed with ENCRYPTION_KEY, and a move's previous date and time.
 */
export class GuestsManageTokensEmailsEnquiries1767400000000 implements MigrationInterface {
  name = 'GuestsManageTokensEmailsEnquiries1767400000000';

  async up(q: QueryRunner): Promise<void> {
    const opts = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
    await q.query(`CREATE TABLE booking_manage_tokens (
      token_hash CHAR(64) NOT NULL PRIMARY KEY,
      booking_id VARCHAR(40) NOT NULL,
      created_at DATETIME(3) NOT NULL,
      KEY ix_manage_tokens_booking (booking_id),
      CONSTRAINT fk_manage_tokens_booking FOREIGN KEY (booking_id) REFERENCES bookings(id) ON DELETE CASCADE
    ) ${opts}`);
    await q.query(`CREATE TABLE emails (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      venue_id VARCHAR(40) NOT NULL,
      booking_id VARCHAR(40) NULL,
      kind VARCHAR(32) NOT NULL,
      to_address VARCHAR(320) NOT NULL,
      reply_to VARCHAR(320) NULL,
      subject VARCHAR(300) NOT NULL,
      text_body MEDIUMTEXT NOT NULL,
      html_body MEDIUMTEXT NOT NULL,
      message_id_header VARCHAR(255) NOT NULL,
      source_key VARCHAR(100) NOT NULL,
      status VARCHAR(16) NOT NULL,
      attempts INT NOT NULL DEFAULT 0,
      last_error VARCHAR(1000) NULL,
      next_attempt_at DATETIME(3) NULL,
      created_at DATETIME(3) NOT NULL,
      sent_at DATETIME(3) NULL,
      updated_at DATETIME(3) NOT NULL,
      UNIQUE KEY uq_emails_source (source_key),
      KEY ix_emails_venue (venue_id, id),
      KEY ix_emails_booking (booking_id),
      KEY ix_emails_pending (status, next_attempt_at),
      CONSTRAINT fk_emails_venue FOREIGN KEY (venue_id) REFERENCES venues(id) ON DELETE CASCADE
    ) ${opts}`);
    await q.query(`CREATE TABLE email_attempts (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      email_id VARCHAR(40) NOT NULL,
      attempt INT NOT NULL,
      outcome VARCHAR(16) NOT NULL,
      smtp_code INT NULL,
      response VARCHAR(1000) NULL,
      duration_ms INT NOT NULL,
      created_at DATETIME(3) NOT NULL,
      KEY ix_email_attempts_email (email_id, attempt),
      CONSTRAINT fk_email_attempts_email FOREIGN KEY (email_id) REFERENCES emails(id) ON DELETE CASCADE
    ) ${opts}`);
    await q.query(`CREATE TABLE enquiries (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      venue_id VARCHAR(40) NOT NULL,
      name VARCHAR(200) NOT NULL,
      email VARCHAR(254) NOT NULL,
      phone VARCHAR(32) NULL,
      date DATE NULL,
      party_size INT NULL,
      message TEXT NOT NULL,
      created_at DATETIME(3) NOT NULL,
      KEY ix_enquiries_venue (venue_id, id),
      CONSTRAINT fk_enquiries_venue FOREIGN KEY (venue_id) REFERENCES venues(id) ON DELETE CASCADE
    ) ${opts}`);
    await q.query('ALTER TABLE outbox ADD COLUMN private_data MEDIUMTEXT NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE outbox DROP COLUMN private_data');
    await q.query('DROP TABLE enquiries');
    await q.query('DROP TABLE email_attempts');
    await q.query('DROP TABLE emails');
    await q.query('DROP TABLE booking_manage_tokens');
  }
}
