import { randomUUID } from 'node:crypto';
import type { RedisClient as Redis } from './redis-connections';
import type { Logger } from './logger';

/**
 * A per-process cache of database lookups (partners, API keys) that a change made through any process
 * reaches before that change answers:
 *
 * - a change drops what this process keeps and writes a new change version to one Redis key
 *   (announceChange), after it committed and before it answers;
 * - every get first reads that key and drops everything kept when the version is not the one its entries
 *   were loaded under. The gets of one event-loop turn share one GET (changeVersion), sent after the last of
 *   them was asked for. So a request sent after a change has answered never gets what was kept before it,
 *   in any process, on one server or on a cluster alike. (Pub/sub could not promise that: even on one server, and with sharded pub/sub on a
 *   cluster, the message may reach another process after the publisher's answer; README "Scaling out".)
 * - while the version cannot be read (Redis down), every get loads, exactly as without a cache;
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

export class ChangeAwareCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly loading = new Map<string, Promise<T | null>>();
  /** Bumped by every invalidation, so a load that started before it is not kept. */
  private generation = 0;
  /** The change version the entries were loaded under. */
  private version: string | null = null;

  /**
   * @param readVersion the current change version (changeVersion), or null when it cannot be read.
   */
  constructor(
    private readonly load: (key: string) => Promise<T | null>,
    private readonly readVersion: () => Promise<string | null>,
    private readonly options: ChangeAwareCacheOptions,
  ) {}

  /** The value for `key`, or null when there is none. */
  async get(key: string): Promise<T | null> {
    const version = await this.readVersion();
    if (version === null) return this.load(key);
    if (version !== this.version) {
      this.invalidate();
      this.version = version;
    }
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > Date.now()) return hit.value;
    const pending = this.loading.get(key);
    if (pending) return pending;
    const generation = this.generation;
    const promise = this.load(key)
      .then((value) => {
        if ((value !== null || this.options.keepMisses) && generation === this.generation) {
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

  /** Drops everything kept here; gets from now on load again. */
  invalidate(): void {
    this.generation++;
    this.entries.clear();
    this.loading.clear();
  }
}

/**
 * The reader of a cache's change version at `key`: null while Redis cannot answer (the commands
 * connection fails fast and logs the outage). A missing key (a new deployment, a Redis that lost its
 * data) is given a version first, so that any change after the read is a value never seen before.
 *
 * One GET per event-loop turn, not one per lookup: the reads asked for in a turn share one GET, sent in
 * that turn's check phase (setImmediate: where ioredis's auto-pipelining sends it anyway), after every
 * read that shares it was asked for. So each lookup still sees every change announced before it was
 * asked for (a change that answered before a request was sent is in Redis before the request arrives,
 * and the GET goes after that); a read asked for once the GET has gone waits for the next one.
 */
export function changeVersion(redis: Redis, key: string): () => Promise<string | null> {
  const read = async (): Promise<string | null> => {
    try {
      const version = await redis.get(key);
      if (version !== null) return version;
      await redis.set(key, randomUUID(), 'NX');
      return await redis.get(key);
    } catch {
      return null;
    }
  };
  let next: Promise<string | null> | null = null;
  return () =>
    (next ??= new Promise((resolve) => {
      setImmediate(() => {
        next = null;
        resolve(read());
      });
    }));
}

/**
 * After a change (committed): drops everything here at once and gives the cache a new change version, so
 * every process drops what it keeps on its next get. If the version cannot be written, the other
 * processes catch up within the TTL.
 */
export async function announceChange(redis: Redis, key: string, cache: ChangeAwareCache<unknown>, logger: Logger): Promise<void> {
  cache.invalidate();
  try {
    await redis.set(key, randomUUID());
  } catch (err) {
    logger.warn({ key, err: (err as Error).message }, 'cache change not recorded; other processes refresh within the cache TTL');
  }
}
