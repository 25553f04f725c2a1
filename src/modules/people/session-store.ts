import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient as Redis } from '../../platform/redis-connections';

/**
 * Server-side sessions in Redis. Every API process reads the same keys, so ending a session (sign-out, a
 * removed user) takes effect at once everywhere; expiry is Redis's own TTL. The cookie carries a random
 * token; Redis holds only its SHA-256, so a copy of Redis cannot be replayed as cookies.
 * Keys (one key per command, so a Redis Cluster needs no shared slot):
 *   <prefix>:session:<sha256(token)>   JSON StoredSession, TTL = idle timeout, renewed on use
 *   <prefix>:user-sessions:<user id>   set of that user's session hashes, to end them all
 */

/** A session idle this long ends. @defaultValue 7 days */
export const SESSION_IDLE_MS = 7 * 24 * 3600 * 1000;
/** A session ends this long after sign-in, however busy. @defaultValue 30 days */
export const SESSION_MAX_AGE_MS = 30 * 24 * 3600 * 1000;

export interface StoredSession {
  user_id: string;
  csrf_token: string;
  created_at: number;
}

export interface Session extends StoredSession {
  /** The hash the session is stored under. */
  id: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export class SessionStore {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  private sessionKey(id: string) {
    return `${this.prefix}:session:${id}`;
  }

  private userKey(userId: string) {
    return `${this.prefix}:user-sessions:${userId}`;
  }

  /** A new session; returns the cookie token (shown to the browser only) and the session. */
  async create(userId: string, now = Date.now()): Promise<{ token: string; session: Session }> {
    const token = randomBytes(32).toString('base64url');
    const id = hashToken(token);
    const stored: StoredSession = { user_id: userId, csrf_token: randomBytes(24).toString('base64url'), created_at: now };
    await this.redis.set(this.sessionKey(id), JSON.stringify(stored), 'PX', SESSION_IDLE_MS);
    await this.redis.sadd(this.userKey(userId), id);
    await this.redis.pexpire(this.userKey(userId), SESSION_MAX_AGE_MS);
    return { token, session: { id, ...stored } };
  }

  /** The live session of a cookie token (its idle timer renewed), or null. */
  async get(token: string, now = Date.now()): Promise<Session | null> {
    const id = hashToken(token);
    const raw = await this.redis.getex(this.sessionKey(id), 'PX', SESSION_IDLE_MS);
    if (!raw) return null;
    const stored = JSON.parse(raw) as StoredSession;
    if (now - stored.created_at > SESSION_MAX_AGE_MS) {
      await this.destroy({ id, ...stored });
      return null;
    }
    return { id, ...stored };
  }

  async destroy(session: Pick<Session, 'id' | 'user_id'>): Promise<void> {
    await this.redis.del(this.sessionKey(session.id));
    await this.redis.srem(this.userKey(session.user_id), session.id);
  }

  /** Ends every session of a user (removed, or signed out everywhere). */
  async destroyAllOf(userId: string): Promise<void> {
    const ids = await this.redis.smembers(this.userKey(userId));
    // One DEL per key: in a Redis Cluster the keys sit in different slots.
    await Promise.all(ids.map((id) => this.redis.del(this.sessionKey(id))));
    await this.redis.del(this.userKey(userId));
  }
}
