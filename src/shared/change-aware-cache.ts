import type { RedisClient as Redis } from './redis-connections';
import type { Logger } from './logger';

/**
 * A per-process cache of database lookups (partners, API keys) that changes made through any process reach
 * at once:
 *
 * - the process making a change drops the entry before it answers, and tells every other process on a
 *   Redis pub/sub channel (announceChange), whose subscriber drops theirs on receipt (listenForChanges);
 * - a process serves from memory only while its subscription is live; while it is not (Redis down,
 *   reconnecting), every get loads, exactly as without a cache;
 * - a load that started before an invalidation is not kept;
 * - the TTL bounds how long a change made outside the app (SQL by hand) can go unseen.
 */

export interface ChangeAwareCacheOptions {
  ttlMs: number;
  /**
   * Keep "not found" too. Right when every creation is announced (partners); wrong when it is not (a new
   * API key must work at once).
   */
  keepMisses: boolean;
  /** @defaultValue 10_000 */
  maxEntries?: number;
}

interface Entry<T> {
  value: T | null;
  expiresAt: number;
}

/** The message that drops every entry. */
const EVERYTHING = '*';

export class ChangeAwareCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly loading = new Map<string, Promise<T | null>>();
  /** Bumped by every invalidation, so a load that started before it is not kept. */
  private generation = 0;
  private live = false;

  constructor(
    private readonly load: (key: string) => Promise<T | null>,
    private readonly options: ChangeAwareCacheOptions,
  ) {}

  /** The value for `key`, or null when there is none. */
  async get(key: string): Promise<T | null> {
    if (!this.live) return this.load(key);
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > Date.now()) return hit.value;
    const pending = this.loading.get(key);
    if (pending) return pending;
    const generation = this.generation;
    const promise = this.load(key)
      .then((value) => {
        if ((value !== null || this.options.keepMisses) && this.live && generation === this.generation) {
          if (this.entries.size >= (this.options.maxEntries ?? 10_000)) this.entries.clear();
          this.entries.set(key, { value, expiresAt: Date.now() + this.options.ttlMs });
        }
        return value;
      })
      .finally(() => {
        if (this.loading.get(key) === promise) this.loading.delete(key);
      });
    this.loading.set(key, promise);
    return promise;
  }

  /** Drops one entry, or everything; gets from now on load again. */
  invalidate(key?: string): void {
    this.generation++;
    if (key === undefined) {
      this.entries.clear();
      this.loading.clear();
    } else {
      this.entries.delete(key);
      this.loading.delete(key);
    }
  }

  /** Whether gets are served from memory (this process hears of changes). */
  get isLive(): boolean {
    return this.live;
  }

  /** Changes reach this process (or no longer do): the cache is used only while they do. */
  setLive(live: boolean): void {
    if (live !== this.live) this.invalidate();
    this.live = live;
  }
}

/**
 * After a change: drops `key` (or, without one, everything) here at once and tells the other processes.
 * If the message cannot be sent, the other processes catch up within the TTL.
 */
export async function announceChange(
  redis: Redis,
  channel: string,
  cache: ChangeAwareCache<unknown>,
  key: string | undefined,
  logger: Logger,
): Promise<void> {
  cache.invalidate(key);
  try {
    await redis.publish(channel, key ?? EVERYTHING);
  } catch (err) {
    logger.warn({ channel, key, err: (err as Error).message }, 'cache change not broadcast; other processes refresh within the cache TTL');
  }
}

/**
 * Listens for changes on a dedicated subscriber connection (made by the composition root); the cache is
 * live only while subscribed. Messages published while disconnected are lost, so it goes live again only
 * once subscribed again (and starts empty).
 */
export function listenForChanges(
  subscriber: Redis,
  channel: string,
  cache: ChangeAwareCache<unknown>,
  logger: Logger,
  name: string,
): { name: string; close(): Promise<void> } {
  let closed = false;
  let lastError = 0;
  const down = () => cache.setLive(false);
  subscriber.on('error', (err: Error) => {
    down();
    // Repeats on every reconnect attempt while Redis is down: log at most every 10 s.
    if (Date.now() - lastError > 10_000) {
      lastError = Date.now();
      logger.error({ err: err.message, channel }, 'cache subscriber error');
    }
  });
  subscriber.on('close', down);
  subscriber.on('end', down);
  subscriber.on('reconnecting', down);
  subscriber.on('message', (ch: string, key: string) => {
    if (ch === channel) cache.invalidate(key === EVERYTHING ? undefined : key);
  });
  subscriber.on('ready', () => {
    subscriber.subscribe(channel).then(
      () => {
        if (!closed && subscriber.status === 'ready') cache.setLive(true);
      },
      (err: Error) => logger.error({ err: err.message, channel }, 'cache subscription failed; every lookup goes to the database'),
    );
  });
  return {
    name,
    async close() {
      closed = true;
      down();
      subscriber.disconnect();
    },
  };
}
