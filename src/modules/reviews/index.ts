/**
 * Verified reviews (CONTRACT §11, §15): a booking that reaches `completed` gets one invitation (a token of
 * 128 random bits, stored only as its SHA-256 hash, valid 30 days) by the outbox subscriber below; the guest
 * posts one review with it; the venue lists, publishes or hides, and replies. The door of the module: routes
 * and the relay call these functions, never the SQL.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { isDuplicateKey } from '../../platform/db/db-errors';
import { venueSettings } from '../venues';
import { writeOutbox, type OutboxEntry } from '../outbox';
import { AppError, notFound } from '../../platform/app-error';
import { newId } from '../../platform/ids';
import { type PublicReviewView, type ReviewView } from './review.view';

export { publicReviewSchema, type PublicReviewView, reviewSchema, type ReviewView } from './review.view';

/** An invitation works this long (§11). */
export const REVIEW_INVITATION_TTL_MS = 30 * 24 * 3600 * 1000;

export type ReviewStatus = 'published' | 'hidden' | 'pending';

interface ReviewRow {
  id: string;
  venue_id: string;
  booking_id: string;
  customer_id: string | null;
  rating: number;
  title: string | null;
  content: string | null;
  author: string;
  status: ReviewStatus;
  reply_text: string | null;
  reply_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const REVIEW_COLUMNS = 'id, venue_id, booking_id, customer_id, rating, title, content, author, status, reply_text, reply_at, created_at, updated_at';

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** "Robin Hood" → "Robin H." (§15): the first name and the surname's initial; a single name as it is. */
export function reviewAuthor(name: string | null | undefined): string {
  const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (!parts.length) return 'Guest';
  const first = parts[0]!;
  const last = parts.length > 1 ? parts[parts.length - 1]! : '';
  return (last ? `${first} ${[...last][0]!.toUpperCase()}.` : first).slice(0, 120);
}

function presentReply(r: ReviewRow): { text: string; created_at: string } | null {
  return r.reply_text !== null && r.reply_at ? { text: r.reply_text, created_at: r.reply_at.toISOString() } : null;
}

/** The review as the venue sees it (`GET /api/v1/reviews`, the `review.posted` webhook). */
export function presentReview(r: ReviewRow): ReviewView {
  return {
    id: r.id, booking_id: r.booking_id, customer_id: r.customer_id, rating: r.rating, title: r.title, content: r.content,
    author: r.author, verified: true, status: r.status, reply: presentReply(r),
    created_at: r.created_at.toISOString(), updated_at: r.updated_at.toISOString(),
  };
}

/** The review as guests see it: no ids. */
export function presentPublicReview(r: ReviewRow): PublicReviewView {
  return { rating: r.rating, title: r.title, content: r.content, author: r.author, verified: true, created_at: r.created_at.toISOString(), reply: presentReply(r) };
}

function reviewPosted(r: ReviewRow): OutboxEntry {
  // Reviews are never edited by their author; the venue's changes do not re-announce them.
  return { venueId: r.venue_id, event: 'review.posted', resourceId: r.id, resourceVersion: 1, data: presentReview(r) };
}

// ---------------------------------------------------------------------------------------------
// Invitations

/** What the invitation email needs: sent by the caller's `invite` hook inside the invitation's transaction. */
export interface ReviewInvitation {
  venueId: string;
  bookingId: string;
  /** The guest's address and name, from the booking as the outbox carried it. */
  to: string;
  guestName: string | null;
  /** The raw token: only here, on its way into the email; the table keeps its hash. */
  token: string;
  expiresAt: Date;
}

/** Sends (queues) the invitation email in the given transaction. */
export type InvitationSender = (tx: EntityManager, invitation: ReviewInvitation) => Promise<void>;

interface OutboxBookingView {
  id?: string;
  status?: string;
  customer?: { name?: string | null; email?: string | null } | null;
}

/**
 * Writes the invitation of each completed booking among the given outbox rows (as the relay hands them,
 * payload included) that has none yet, and calls `send` for it in the same transaction (one per booking: a
 * unique key, so re-relayed rows and a booking updated again after completion never invite twice). Bookings
 * without a guest email get none.
 */
export async function inviteCompletedBookings(
  ds: DataSource,
  outboxRows: readonly { venue_id: string; event: string; payload: string | OutboxBookingView }[],
  send: InvitationSender,
  now = new Date(),
): Promise<number> {
  let invited = 0;
  for (const row of outboxRows) {
    if (row.event !== 'booking.updated') continue;
    const booking = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as OutboxBookingView;
    const to = booking.customer?.email;
    if (booking.status !== 'completed' || !booking.id || !to) continue;
    const token = randomBytes(16).toString('base64url');
    const expiresAt = new Date(now.getTime() + REVIEW_INVITATION_TTL_MS);
    const made = await ds.transaction(async (tx) => {
      const result = (await tx.query(
        // IGNORE: affectedRows is 0 for a booking invited before (ON DUPLICATE KEY would count it as found).
        `INSERT IGNORE INTO review_invitations (id, venue_id, booking_id, token_hash, expires_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
        [newId('rvi'), row.venue_id, booking.id, hashToken(token), expiresAt, now],
      )) as { affectedRows: number };
      if (result.affectedRows !== 1) return false; // invited before
      await send(tx, { venueId: row.venue_id, bookingId: booking.id!, to, guestName: booking.customer?.name ?? null, token, expiresAt });
      return true;
    });
    if (made) invited++;
  }
  return invited;
}

// ---------------------------------------------------------------------------------------------
// Posting, listing, moderating

export interface PostReviewInput {
  rating: number;
  title?: string | null;
  content?: string | null;
}

/**
 * The guest's review through their invitation (§11): 404 for a wrong or expired token, 409 conflict for a
 * second review of the booking. Published at once unless the venue moderates; `review.posted` in the same
 * transaction.
 */
export async function postReview(ds: DataSource, token: string, input: PostReviewInput, now = new Date()): Promise<ReviewRow> {
  return ds.transaction(async (tx) => {
    const [invitation] = (await tx.query(
      `SELECT i.venue_id, i.booking_id, i.expires_at, b.customer_id, c.name AS customer_name, v.settings
         FROM review_invitations i
         JOIN bookings b ON b.id = i.booking_id
         JOIN venues v ON v.id = i.venue_id
         LEFT JOIN customers c ON c.id = b.customer_id
        WHERE i.token_hash = ?`,
      [hashToken(token)],
    )) as { venue_id: string; booking_id: string; expires_at: Date; customer_id: string | null; customer_name: string | null; settings: unknown }[];
    if (!invitation || invitation.expires_at.getTime() <= now.getTime()) throw notFound('Review invitation');
    const settings = venueSettings({ settings: typeof invitation.settings === 'string' ? JSON.parse(invitation.settings) : (invitation.settings as object | null) });
    const review: ReviewRow = {
      id: newId('rv'), venue_id: invitation.venue_id, booking_id: invitation.booking_id, customer_id: invitation.customer_id,
      rating: input.rating, title: input.title ?? null, content: input.content ?? null, author: reviewAuthor(invitation.customer_name),
      status: settings.review_moderation ? 'pending' : 'published', reply_text: null, reply_at: null, created_at: now, updated_at: now,
    };
    try {
      await tx.query(
        `INSERT INTO reviews (${REVIEW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?)`,
        [review.id, review.venue_id, review.booking_id, review.customer_id, review.rating, review.title, review.content, review.author, review.status, now, now],
      );
    } catch (err) {
      if (isDuplicateKey(err)) throw new AppError('conflict', 'This visit has been reviewed already.', null);
      throw err;
    }
    await writeOutbox(tx, reviewPosted(review), now);
    return review;
  });
}

export interface ReviewPage {
  rows: ReviewRow[];
  /** The last row's id when there are more. */
  nextAfter: string | null;
}

/** A venue's reviews, newest first (ids are time-ordered), optionally of one status; `after` continues a page. */
export async function listReviews(
  em: EntityManager,
  venueId: string,
  opts: { status?: ReviewStatus; after?: string; limit: number },
): Promise<ReviewPage> {
  const where = ['venue_id = ?'];
  const params: unknown[] = [venueId];
  if (opts.status) { where.push('status = ?'); params.push(opts.status); }
  if (opts.after) { where.push('id < ?'); params.push(opts.after); }
  const rows = (await em.query(
    `SELECT ${REVIEW_COLUMNS} FROM reviews WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`,
    [...params, opts.limit + 1],
  )) as ReviewRow[];
  const more = rows.length > opts.limit;
  const page = rows.slice(0, opts.limit);
  return { rows: page, nextAfter: more ? page[page.length - 1]!.id : null };
}

/** `{average, count}` over a venue's published reviews (§10, §15). */
export async function publishedSummary(em: EntityManager, venueId: string): Promise<{ average: number | null; count: number }> {
  const [row] = (await em.query(
    "SELECT COUNT(*) AS n, AVG(rating) AS average FROM reviews WHERE venue_id = ? AND status = 'published'",
    [venueId],
  )) as { n: number | string; average: number | string | null }[];
  const count = Number(row?.n ?? 0);
  return { count, average: count && row?.average !== null ? Math.round(Number(row!.average) * 100) / 100 : null };
}

export async function getReview(em: EntityManager, venueId: string, id: string): Promise<ReviewRow> {
  const [row] = (await em.query(`SELECT ${REVIEW_COLUMNS} FROM reviews WHERE id = ? AND venue_id = ?`, [id, venueId])) as ReviewRow[];
  if (!row) throw notFound('Review');
  return row;
}

/** Publish or hide, and reply (a string; null or "" removes the reply). */
export async function updateReview(
  em: EntityManager,
  venueId: string,
  id: string,
  patch: { status?: 'published' | 'hidden'; reply?: string | null },
  now = new Date(),
): Promise<ReviewRow> {
  const review = await getReview(em, venueId, id);
  if (patch.status !== undefined) review.status = patch.status;
  if (patch.reply !== undefined) {
    const text = patch.reply?.trim() ? patch.reply : null;
    review.reply_text = text;
    review.reply_at = text === null ? null : now;
  }
  review.updated_at = now;
  await em.query('UPDATE reviews SET status = ?, reply_text = ?, reply_at = ?, updated_at = ? WHERE id = ?', [
    review.status, review.reply_text, review.reply_at, now, review.id,
  ]);
  return review;
}
