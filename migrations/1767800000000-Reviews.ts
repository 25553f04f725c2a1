import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Verified reviews (CONTRACT §11): a completed booking gets one invitation (its token stored only as a
 * SHA-256 hash, valid 30 days) and takes at most one review — both unique by booking, so a re-run of the
 * outbox subscriber or two guests racing with one link can never make a second.
 */
export class Reviews1767800000000 implements MigrationInterface {
  name = 'Reviews1767800000000';

  async up(q: QueryRunner): Promise<void> {
    const opts = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
    await q.query(`CREATE TABLE review_invitations (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      venue_id VARCHAR(40) NOT NULL,
      booking_id VARCHAR(40) NOT NULL,
      token_hash CHAR(64) NOT NULL,
      expires_at DATETIME(3) NOT NULL,
      created_at DATETIME(3) NOT NULL,
      UNIQUE KEY uq_review_invitations_booking (booking_id),
      UNIQUE KEY uq_review_invitations_token (token_hash),
      CONSTRAINT fk_review_invitations_venue FOREIGN KEY (venue_id) REFERENCES venues(id) ON DELETE CASCADE
    ) ${opts}`);
    await q.query(`CREATE TABLE reviews (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      venue_id VARCHAR(40) NOT NULL,
      booking_id VARCHAR(40) NOT NULL,
      customer_id VARCHAR(40) NULL,
      rating TINYINT NOT NULL,
      title VARCHAR(200) NULL,
      content TEXT NULL,
      author VARCHAR(120) NOT NULL,
      status VARCHAR(16) NOT NULL,
      reply_text TEXT NULL,
      reply_at DATETIME(3) NULL,
      created_at DATETIME(3) NOT NULL,
      updated_at DATETIME(3) NOT NULL,
      UNIQUE KEY uq_reviews_booking (booking_id),
      KEY ix_reviews_venue_status (venue_id, status, id),
      KEY ix_reviews_venue (venue_id, id),
      CONSTRAINT fk_reviews_venue FOREIGN KEY (venue_id) REFERENCES venues(id) ON DELETE CASCADE
    ) ${opts}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE reviews');
    await q.query('DROP TABLE review_invitations');
  }
}
