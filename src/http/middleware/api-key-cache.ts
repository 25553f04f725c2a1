import type { Redis } from 'ioredis';
import type { AppDeps } from '../../app-deps';

/**
 * API key lookups (key hash → who is calling), kept in memory briefly so a busy key does not cost a
 * database round trip per request. Revocation still takes effect at once:
 *
 * - the admin API drops the whole cache here before it answers, and tells every other process through
 *   Redis pub/sub (announceApiKeyChange), whose subscriber drops theirs on receipt;
 * - a process serves lookups from memory only while its subscription is live; while it is not (Redis down,
 *   reconnecting), every request looks its key up, exactly as without a cache;
 * - a lookup that started before an invalidation is not kept, and unknown or revoked keys are never kept
 *   (a new key works at once, a revoked one fails at once);
 * - the TTL bounds how long a change made outside the admin API (e.g. SQL by hand) can go unseen.
 */

/** @defaultValue 10 s */
export const API_KEY_CACHE_TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;

interface Entry<T> {
  value: T;
  expiresAt: number;
}

export class ApiKeyCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly loading = new Map<string, Promise<T | null>>();
  /** Bumped by every invalidation, so a lookup that started before it is not kept. */
  private generation = 0;
  private live = false;

  constructor(private readonly ttlMs = API_KEY_CACHE_TTL_MS) {}

  /** The cached value for `hash`, else `load(hash)` (kept when not null and the cache is live). */
  async get(hash: string, load: (hash: string) => Promise<T | null>): Promise<T | null> {
    if (!this.live) return load(hash);
    const hit = this.entries.get(hash);
    if (hit && hit.expiresAt > Date.now()) return hit.value;
    const pending = this.loading.get(hash);
    if (pending) return pending;
    const generation = this.generation;
    const promise = load(hash)
      .then((value) => {
        if (value !== null && this.live && generation === this.generation) {
          if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
          this.entries.set(hash, { value, expiresAt: Date.now() + this.ttlMs });
        }
        return value;
      })
      .finally(() => {
        if (this.loading.get(hash) === promise) this.loading.delete(hash);
      });
    this.loading.set(hash, promise);
    return promise;
  }

  /** Drops everything; requests from now on look their keys up again. */
  invalidate(): void {
    this.generation++;
    this.entries.clear();
    this.loading.clear();
  }

  /** Whether lookups are served from memory (this process hears of key changes). */
  get isLive(): boolean {
    return this.live;
  }

  /** Whether changes made by other processes reach this one; the cache is used only while they do. */
  setLive(live: boolean): void {
    if (live !== this.live) this.invalidate();
    this.live = live;
  }
}

// One cache per composed app. Keyed by the deps object so apps composed side by side (tests) never share.
const caches = new WeakMap<object, ApiKeyCache<unknown>>();

export function apiKeyCacheOf<T>(deps: AppDeps): ApiKeyCache<T> {
  let cache = caches.get(deps);
  if (!cache) {
    cache = new ApiKeyCache<unknown>();
    caches.set(deps, cache);
  }
  return cache as ApiKeyCache<T>;
}

export function apiKeyChangesChannel(prefix: string): string {
  return `${prefix}:api-keys:changed`;
}

/**
 * After an API key changed (revoked): drop the cache here at once and tell the other processes. If the
 * message cannot be sent, the other processes' caches expire within the TTL.
 */
export async function announceApiKeyChange(deps: AppDeps, keyId: string): Promise<void> {
  apiKeyCacheOf(deps).invalidate();
  try {
    await deps.redis.publish(apiKeyChangesChannel(deps.keyPrefix), keyId);
  } catch (err) {
    deps.logger.warn({ api_key: keyId, err: (err as Error).message }, 'API key change not broadcast; other processes refresh within the cache TTL');
  }
}

/**
 * Listens for API key changes on a dedicated subscriber connection (made by the composition root). The
 * cache is live only while subscribed.
 */
export function subscribeToApiKeyChanges(subscriber: Redis, deps: AppDeps): { name: string; close(): Promise<void> } {
  const cache = apiKeyCacheOf(deps);
  const channel = apiKeyChangesChannel(deps.keyPrefix);
  let closed = false;
  let lastError = 0;
  const down = () => cache.setLive(false);
  subscriber.on('error', (err: Error) => {
    down();
    if (Date.now() - lastError > 10_000) {
      lastError = Date.now();
      deps.logger.error({ err: err.message }, 'API key cache subscriber error');
    }
  });
  subscriber.on('close', down);
  subscriber.on('end', down);
  subscriber.on('reconnecting', down);
  subscriber.on('message', (ch: string) => {
    if (ch === channel) cache.invalidate();
  });
  const subscribe = () => {
    subscriber.subscribe(channel).then(
      () => {
        if (!closed && subscriber.status === 'ready') cache.setLive(true);
      },
      (err: Error) => deps.logger.error({ err: err.message }, 'API key cache subscription failed; keys are looked up on every request'),
    );
  };
  // Messages published while we were disconnected are lost: live again only once subscribed again.
  subscriber.on('ready', subscribe);
  return {
    name: 'api-key-cache-subscriber',
    async close() {
      closed = true;
      down();
      subscriber.disconnect();
    },
  };
}
