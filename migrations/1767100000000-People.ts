import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * People (CONTRACT §8): venue users (owner, manager, host) and platform operators (venue_id NULL, role
 * `operator`), one account per email (stored lowercased: sign-in is by email alone); invites are
 * single-use tokens stored as SHA-256 hashes. Sessions live in Redis (src/modules/people/session-store.ts).
 */
export class People1767100000000 implements MigrationInterface {
  name = 'People1767100000000';

  async up(q: QueryRunner): Promise<void> {
    const opts = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
    await q.query(`CREATE TABLE users (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      venue_id VARCHAR(40) NULL,
      role VARCHAR(16) NOT NULL,
      email VARCHAR(320) NOT NULL,
      name VARCHAR(200) NOT NULL,
      password_hash VARCHAR(255) NULL,
      created_at DATETIME(3) NOT NULL,
      updated_at DATETIME(3) NOT NULL,
      UNIQUE KEY uq_users_email (email),
      KEY ix_users_venue (venue_id, id),
      CONSTRAINT fk_users_venue FOREIGN KEY (venue_id) REFERENCES venues(id) ON DELETE CASCADE
    ) ${opts}`);
    await q.query(`CREATE TABLE invites (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      user_id VARCHAR(40) NOT NULL,
      token_hash CHAR(64) NOT NULL,
      expires_at DATETIME(3) NOT NULL,
      used_at DATETIME(3) NULL,
      created_at DATETIME(3) NOT NULL,
      UNIQUE KEY uq_invites_token (token_hash),
      KEY ix_invites_user (user_id),
      CONSTRAINT fk_invites_user FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
    ) ${opts}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE invites');
    await q.query('DROP TABLE users');
  }
}
