import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient as Redis } from '../../platform/redis-connections';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { DataSource, EntityManager } from 'typeorm';
import { isDuplicateKey } from '../../platform/db/db-errors';
import { AppError, notFound } from '../../platform/app-error';
import { newId } from '../../platform/ids';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PasswordHasher, type PasswordCost } from './passwords';
import { ROLE_SCOPES, type Role, type VenueRole } from './roles';
import { SessionStore } from './session-store';
import { announceChange, ChangeAwareCache, changeVersion } from '../../platform/change-aware-cache';
import type { Logger } from '../../platform/logger';
import type { UserView } from './user.view';

/**
 * People (CONTRACT §8): venue users and operators, invites, sign-in with its limits, and sessions. The
 * door of the module: HTTP routes and scripts call these methods, never the SQL or Redis keys below.
 */

export { ROLE_SCOPES, STAFF_SCOPES, VENUE_ROLES, isVenueRole, type Role, type StaffScope, type VenueRole } from './roles';
export { MIN_PASSWORD_LENGTH } from './passwords';
export { SESSION_MAX_AGE_MS, type Session } from './session-store';
export { USER_PROPERTIES, userResponseSchema, type UserView } from './user.view';

/** An invite link works this long. @defaultValue 7 days */
export const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;
/** Failed sign-ins per email allowed in SIGN_IN_WINDOW_S; the next attempt is 429 (§15). */
export const SIGN_IN_FAILURES_ALLOWED = 10;
export const SIGN_IN_WINDOW_S = 15 * 60;
/**
 * A signed-in user's record (role, venue) is kept in memory this long between requests. A change made
 * through People (role, removal) reaches every process at once (src/platform/change-aware-cache.ts); a
 * venue's own fields (zone, currency, plan), like an API key's, within this TTL. @defaultValue 10 s
 */
export const SIGNED_IN_USER_TTL_MS = 10_000;

export interface UserRecord {
  id: string;
  venueId: string | null;
  role: Role;
  email: string;
  name: string;
  hasPassword: boolean;
  createdAt: Date;
  /** The venue's fields a principal needs; null for operators. */
  venue: { id: string; timezone: string; currency: string; country: string | null; plan: string } | null;
}

/** The user as the API shows it. */
export function presentUser(u: UserRecord): UserView {
  return {
    id: u.id, email: u.email, name: u.name, role: u.role, venue_id: u.venueId,
    status: u.hasPassword ? 'active' : 'invited', created_at: u.createdAt.toISOString(),
  };
}

interface UserRow {
  id: string;
  venue_id: string | null;
  role: Role;
  email: string;
  name: string;
  password_hash: string | null;
  created_at: Date;
  timezone: string | null;
  currency: string | null;
  country: string | null;
  plan: string | null;
}

const USER_SELECT = `SELECT u.id, u.venue_id, u.role, u.email, u.name, u.password_hash, u.created_at,
    v.timezone, v.currency, v.country, v.plan
  FROM users u LEFT JOIN venues v ON v.id = u.venue_id`;

function toRecord(r: UserRow): UserRecord {
  return {
    id: r.id, venueId: r.venue_id, role: r.role, email: r.email, name: r.name, hasPassword: r.password_hash !== null,
    createdAt: r.created_at,
    venue: r.venue_id ? { id: r.venue_id, timezone: r.timezone!, currency: r.currency!, country: r.country, plan: r.plan! } : null,
  };
}

const normaliseEmail = (email: string) => email.trim().toLowerCase();
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function passwordError(password: string): AppError | null {
  if (password.length >= MIN_PASSWORD_LENGTH && password.length <= MAX_PASSWORD_LENGTH) return null;
  const message = password.length < MIN_PASSWORD_LENGTH
    ? `must be at least ${MIN_PASSWORD_LENGTH} characters`
    : `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  return new AppError('validation_error', `Invalid password: ${message}.`, { field: 'password', errors: [{ field: 'password', message }] });
}

export interface NewUser {
  /** null: a platform operator. */
  venueId: string | null;
  email: string;
  name: string;
  role: Role;
  password?: string;
}

export interface PeopleOptions {
  dataSource: DataSource;
  redis: Redis;
  keyPrefix: string;
  publicUrl: string;
  passwordCost: PasswordCost;
  logger: Logger;
}

export class People {
  readonly sessions: SessionStore;
  private readonly passwords: PasswordHasher;
  private readonly signInFailures: RateLimiterRedis;
  /** Users by id for signed-in requests (a database round trip saved per request; see SIGNED_IN_USER_TTL_MS). */
  private readonly signedIn: ChangeAwareCache<UserRecord>;

  constructor(private readonly opts: PeopleOptions) {
    this.sessions = new SessionStore(opts.redis, opts.keyPrefix);
    this.signedIn = new ChangeAwareCache<UserRecord>((id) => this.findById(id), changeVersion(opts.redis, this.changesKey), {
      ttlMs: SIGNED_IN_USER_TTL_MS,
      keepMisses: false,
    });
    this.passwords = new PasswordHasher(opts.passwordCost);
    this.signInFailures = new RateLimiterRedis({
      storeClient: opts.redis, keyPrefix: `${opts.keyPrefix}:signin-failures`,
      points: SIGN_IN_FAILURES_ALLOWED, duration: SIGN_IN_WINDOW_S,
    });
  }

  private get db(): EntityManager {
    return this.opts.dataSource.manager;
  }

  async findById(id: string): Promise<UserRecord | null> {
    const rows = (await this.db.query(`${USER_SELECT} WHERE u.id = ?`, [id])) as UserRow[];
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** The user a session belongs to (kept briefly; a change made through People applies at once). */
  signedInUser(id: string): Promise<UserRecord | null> {
    return this.signedIn.get(id);
  }

  /** The users' change version (src/platform/change-aware-cache.ts), read by every process's next get. */
  private get changesKey(): string {
    return `${this.opts.keyPrefix}:users:version`;
  }

  /** After a user changed: dropped here, and in every process at its next get (a new change version). */
  private announceUserChange(): Promise<void> {
    return announceChange(this.opts.redis, this.changesKey, this.signedIn, this.opts.logger);
  }

  /** A venue's user, or 404 (another venue's user is not found, CONTRACT §6). */
  async venueUser(venueId: string, id: string): Promise<UserRecord> {
    const user = await this.findById(id);
    if (!user || user.venueId !== venueId) throw notFound('User');
    return user;
  }

  /** Creates a user; without a password the answer carries an invite link, shown this once. */
  async create(input: NewUser, now = new Date()): Promise<{ user: UserRecord; inviteUrl: string | null }> {
    if (input.password !== undefined) {
      const err = passwordError(input.password);
      if (err) throw err;
    }
    if (input.venueId) {
      const venues = (await this.db.query('SELECT id FROM venues WHERE id = ?', [input.venueId])) as unknown[];
      if (!venues.length) throw notFound('Venue');
    }
    const id = newId('usr');
    const passwordHash = input.password !== undefined ? await this.passwords.hash(input.password) : null;
    const token = input.password === undefined ? randomBytes(32).toString('base64url') : null;
    try {
      await this.opts.dataSource.transaction(async (em) => {
        await em.query(
          'INSERT INTO users (id, venue_id, role, email, name, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          [id, input.venueId, input.role, normaliseEmail(input.email), input.name.trim(), passwordHash, now, now],
        );
        if (token) {
          await em.query('INSERT INTO invites (id, user_id, token_hash, expires_at, used_at, created_at) VALUES (?, ?, ?, ?, NULL, ?)', [
            newId('inv'), id, sha256(token), new Date(now.getTime() + INVITE_TTL_MS), now,
          ]);
        }
      });
    } catch (err) {
      if (isDuplicateKey(err)) throw new AppError('conflict', 'A person with this email already has an account.', { field: 'email' });
      throw err;
    }
    const user = (await this.findById(id))!;
    return { user, inviteUrl: token ? `${this.opts.publicUrl}/app/invite/${token}` : null };
  }

  async list(venueId: string, page: { limit: number; after: string | null }): Promise<{ users: UserRecord[]; next: string | null }> {
    const rows = (await this.db.query(
      `${USER_SELECT} WHERE u.venue_id = ? AND u.id > ? ORDER BY u.id LIMIT ?`,
      [venueId, page.after ?? '', page.limit + 1],
    )) as UserRow[];
    const users = rows.slice(0, page.limit).map(toRecord);
    return { users, next: rows.length > page.limit ? users[users.length - 1]!.id : null };
  }

  async update(venueId: string, id: string, change: { name?: string; role?: VenueRole }, now = new Date()): Promise<UserRecord> {
    await this.opts.dataSource.transaction(async (em) => {
      const rows = (await em.query('SELECT id, role FROM users WHERE id = ? AND venue_id = ? FOR UPDATE', [id, venueId])) as { role: Role }[];
      if (!rows.length) throw notFound('User');
      if (change.role && change.role !== 'owner' && rows[0]!.role === 'owner') await this.keepAnOwner(em, venueId, id);
      await em.query('UPDATE users SET name = COALESCE(?, name), role = COALESCE(?, role), updated_at = ? WHERE id = ?', [
        change.name?.trim() ?? null, change.role ?? null, now, id,
      ]);
    });
    await this.announceUserChange();
    return (await this.findById(id))!;
  }

  /** Removes a venue's user: their sessions end at once, in every process. */
  async remove(venueId: string, id: string): Promise<void> {
    await this.opts.dataSource.transaction(async (em) => {
      const rows = (await em.query('SELECT id, role FROM users WHERE id = ? AND venue_id = ? FOR UPDATE', [id, venueId])) as { role: Role }[];
      if (!rows.length) throw notFound('User');
      if (rows[0]!.role === 'owner') await this.keepAnOwner(em, venueId, id);
      await em.query('DELETE FROM users WHERE id = ?', [id]);
    });
    await this.sessions.destroyAllOf(id);
    await this.announceUserChange();
  }

  /** A venue keeps at least one owner: someone must be able to manage its people and keys. */
  private async keepAnOwner(em: EntityManager, venueId: string, leavingId: string): Promise<void> {
    // Locks the venue's owners, so two owners removing each other at once cannot both succeed.
    const owners = (await em.query("SELECT id FROM users WHERE venue_id = ? AND role = 'owner' FOR UPDATE", [venueId])) as { id: string }[];
    if (!owners.some((o) => o.id !== leavingId)) {
      throw new AppError('conflict', 'A venue needs at least one owner: make someone else owner first.', { reason: 'last_owner' });
    }
  }

  /**
   * Checks an email and password. The same 401 for an unknown email and a wrong password, in about the
   * same time (an unknown email still costs one verification). More than SIGN_IN_FAILURES_ALLOWED
   * failures for an email within the window → 429 until it passes, even for the right password; a
   * success clears the count.
   */
  async checkCredentials(email: string, password: string): Promise<UserRecord> {
    const key = normaliseEmail(email);
    const failures = await this.signInFailures.get(key);
    if (failures && failures.consumedPoints >= SIGN_IN_FAILURES_ALLOWED) throw rateLimited(failures);

    const rows = (await this.db.query(`${USER_SELECT} WHERE u.email = ?`, [key])) as UserRow[];
    const row = rows[0];
    const ok = row?.password_hash && password.length <= MAX_PASSWORD_LENGTH
      ? await this.passwords.verify(row.password_hash, password)
      : await this.passwords.verifyNothing(password.slice(0, MAX_PASSWORD_LENGTH));
    if (!ok || !row) {
      await this.signInFailures.penalty(key);
      throw new AppError('invalid_credentials', 'The email or password is not right.');
    }
    await this.signInFailures.delete(key);
    return toRecord(row);
  }

  /** What an invite link shows before its password is set; 410 when used or expired. */
  async invite(token: string, now = new Date()): Promise<{ user: UserRecord; expiresAt: Date }> {
    const rows = (await this.db.query(
      'SELECT user_id, expires_at FROM invites WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?',
      [sha256(token), now],
    )) as { user_id: string; expires_at: Date }[];
    const user = rows[0] ? await this.findById(rows[0].user_id) : null;
    if (!user) throw inviteExpired();
    return { user, expiresAt: rows[0]!.expires_at };
  }

  /** Sets the password of an invited person; the invite is used once (a second → 410). */
  async acceptInvite(token: string, password: string, now = new Date()): Promise<UserRecord> {
    const err = passwordError(password);
    if (err) throw err;
    const hashed = await this.passwords.hash(password);
    const userId = await this.opts.dataSource.transaction(async (em) => {
      const rows = (await em.query(
        'SELECT id, user_id FROM invites WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? FOR UPDATE',
        [sha256(token), now],
      )) as { id: string; user_id: string }[];
      if (!rows.length) throw inviteExpired();
      await em.query('UPDATE invites SET used_at = ? WHERE id = ?', [now, rows[0]!.id]);
      await em.query('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?', [hashed, now, rows[0]!.user_id]);
      return rows[0]!.user_id;
    });
    await this.announceUserChange();
    return (await this.findById(userId))!;
  }

  /** The scopes of a venue user's role (operators hold none on /api/v1). */
  scopesOf(user: UserRecord): readonly string[] {
    return user.role === 'operator' ? [] : ROLE_SCOPES[user.role];
  }
}

function rateLimited(res: RateLimiterRes): AppError {
  const retryAfter = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new AppError('rate_limited', 'Too many failed sign-ins for this email: try again later.', { retry_after_seconds: retryAfter }, {
    'Retry-After': String(retryAfter),
  });
}

const inviteExpired = () => new AppError('invite_expired', 'This invite link was used already or has expired: ask for a new one.');
