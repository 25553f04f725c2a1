/**
 * The guest's link to their own booking (CONTRACT §10, §15): `PUBLIC_URL/manage/<token>`. A token is 192
 * random bits (base64url, 32 characters), never derived from an id, and stored only as its SHA-256
 * (booking_manage_tokens). A booking may have several: the one its creation returns (`manage_url`) and one
 * for each later email that carries a link, since the raw token is not kept anywhere to be read back.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Booking } from '../../platform/db/entities';
import type { SqlStatement } from '../../platform/db/session-pool';
import type { OutboxEntry } from '../outbox';

export const MANAGE_TOKEN_BYTES = 24;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32}$/;

/** How a booking writer hands out links: the origin guests reach, and how a raw token is sealed for the outbox. */
export interface ManageLinks {
  /** PUBLIC_URL, without a trailing slash. */
  publicUrl: string;
  /** Seals the raw token for the outbox's private data (AES-GCM with ENCRYPTION_KEY); only the email subscriber opens it. */
  seal(token: string): string;
}

/**
 * What a new booking's outbox entry adds for its confirmation email: the raw manage token sealed in the row's
 * private data, which only the email subscriber reads (README "Emails"); webhook receivers get the view
 * without it. Nothing when the booking has no token or the writer hands out no links.
 */
export function sealedManageToken(links: ManageLinks | undefined, manage: { token: string } | null): Pick<OutboxEntry, 'private'> {
  return manage && links ? { private: { manage_token: links.seal(manage.token) } } : {};
}

export function newManageToken(): { token: string; hash: string } {
  const token = randomBytes(MANAGE_TOKEN_BYTES).toString('base64url');
  return { token, hash: hashManageToken(token) };
}

export function hashManageToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Whether a string can be a token at all (anything else is a 404 without a lookup). */
export function looksLikeManageToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

export function manageUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/manage/${token}`;
}

export function insertManageTokenStatement(hash: string, bookingId: string, now: Date): SqlStatement {
  return { sql: 'INSERT INTO booking_manage_tokens (token_hash, booking_id, created_at) VALUES (?, ?, ?)', params: [hash, bookingId, now] };
}

/** Mints another token for a booking (an email carrying a link), inside the caller's transaction. */
export async function mintManageToken(em: EntityManager, bookingId: string, now = new Date()): Promise<string> {
  const { token, hash } = newManageToken();
  const s = insertManageTokenStatement(hash, bookingId, now);
  await em.query(s.sql, s.params);
  return token;
}

/** The booking a token opens (optionally locked FOR UPDATE), or null: a wrong token and a malformed one alike. */
export async function findBookingByManageToken(em: EntityManager, token: string, opts: { lock?: boolean } = {}): Promise<Booking | null> {
  if (!looksLikeManageToken(token)) return null;
  const qb = em
    .createQueryBuilder(Booking, 'b')
    .innerJoin('booking_manage_tokens', 't', 't.booking_id = b.id')
    .where('t.token_hash = :hash', { hash: hashManageToken(token) });
  if (opts.lock) qb.setLock('pessimistic_write');
  return qb.getOne();
}
