import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { getAdapter } from '../../adapters';
import type { PartnerAdapter, SignatureVerifier } from '../../adapters/types';
import type { AppDeps } from '../app-deps';
import { Partner } from '../db/entities';
import { type LiveMapping, liveMappings } from '../mapping/mapping-store';
import type { Logger } from '../shared/logger';
import type { SecretBox } from '../shared/secret-box';
import { resolveVerifier } from './signature-schemes';

/**
 * Partners by name, with their decrypted secret, adapter, verifier and live mappings, cached in
 * memory so the ingest hot path touches Redis alone. A change through the admin API drops the entry
 * here at once and, through Redis pub/sub, in every other process; a short TTL bounds staleness if a
 * message is ever missed (a subscriber reconnecting also drops everything).
 */

export interface PartnerSnapshot {
  readonly partner: Partner;
  /** Decrypted; lives in memory only, never logged or sent to Redis. */
  readonly secret: string;
  /** undefined: the row names an adapter this build does not have (the partner is refused). */
  readonly adapter: PartnerAdapter | undefined;
  /** undefined: the adapter cannot verify the row's scheme (the partner is refused). */
  readonly verifier: SignatureVerifier | undefined;
  /** Live mapping per event type (`*` = fallback). */
  readonly mappings: ReadonlyMap<string, LiveMapping>;
}

/** @defaultValue 30 s */
export const PARTNER_CACHE_TTL_MS = 30_000;

interface Entry {
  snapshot: PartnerSnapshot | null;
  expiresAt: number;
}

export class PartnerCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<PartnerSnapshot | null>>();
  /** Bumped by every invalidation, so a load that started before it is not cached. */
  private generation = 0;

  constructor(
    private readonly load: (name: string) => Promise<PartnerSnapshot | null>,
    private readonly ttlMs = PARTNER_CACHE_TTL_MS,
  ) {}

  /** The partner (enabled or not), or null when there is no such partner. Unknown names are cached too. */
  async get(name: string): Promise<PartnerSnapshot | null> {
    const hit = this.entries.get(name);
    if (hit && hit.expiresAt > Date.now()) return hit.snapshot;
    const pending = this.loading.get(name);
    if (pending) return pending;
    const generation = this.generation;
    const promise = this.load(name)
      .then((snapshot) => {
        if (generation === this.generation) this.entries.set(name, { snapshot, expiresAt: Date.now() + this.ttlMs });
        return snapshot;
      })
      .finally(() => {
        if (this.loading.get(name) === promise) this.loading.delete(name);
      });
    this.loading.set(name, promise);
    return promise;
  }

  /** Drops one partner, or everything. */
  invalidate(name?: string): void {
    this.generation++;
    if (name === undefined) this.entries.clear();
    else this.entries.delete(name);
    // Requests already waiting on a load get its (possibly stale) result; new ones load again.
    if (name === undefined) this.loading.clear();
    else this.loading.delete(name);
  }
}

export function loadPartnerSnapshot(
  ds: DataSource,
  secretBox: SecretBox,
  logger: Logger,
): (name: string) => Promise<PartnerSnapshot | null> {
  return async (name) => {
    const partner = await ds.manager.findOne(Partner, { where: { name } });
    if (!partner) return null;
    const adapter = getAdapter(partner.adapter);
    const verifier = resolveVerifier(partner.signatureScheme, adapter);
    if (!adapter || !verifier) {
      logger.error(
        { partner: name, adapter: partner.adapter, scheme: partner.signatureScheme },
        'partner names an unknown adapter or signature scheme; its events are refused',
      );
    }
    const mappings = new Map((await liveMappings(ds.manager, partner.id)).map((m) => [m.eventType, m]));
    return { partner, secret: secretBox.decrypt(partner.secretEncrypted), adapter, verifier, mappings };
  };
}

// One cache per composed app. Keyed by the deps object so apps composed side by side (tests) never share.
const caches = new WeakMap<AppDeps, PartnerCache>();

export function partnerCacheOf(deps: AppDeps): PartnerCache {
  let cache = caches.get(deps);
  if (!cache) {
    cache = new PartnerCache(loadPartnerSnapshot(deps.dataSource, deps.secretBox, deps.logger));
    caches.set(deps, cache);
  }
  return cache;
}

export function partnerChangesChannel(prefix: string): string {
  return `${prefix}:partners:changed`;
}

/**
 * After a partner, its secret or its mappings changed: drop it here at once and tell the other
 * processes. If Redis is down they catch up within the cache TTL.
 */
export async function announcePartnerChange(deps: AppDeps, name: string): Promise<void> {
  partnerCacheOf(deps).invalidate(name);
  try {
    await deps.redis.publish(partnerChangesChannel(deps.keyPrefix), name);
  } catch (err) {
    deps.logger.warn({ partner: name, err: (err as Error).message }, 'partner change not broadcast; other processes refresh within the cache TTL');
  }
}

/**
 * Listens for partner changes on a dedicated subscriber connection (made by the composition root).
 * Returns the close function.
 */
export function subscribeToPartnerChanges(subscriber: Redis, deps: AppDeps): { name: string; close(): Promise<void> } {
  const cache = partnerCacheOf(deps);
  const channel = partnerChangesChannel(deps.keyPrefix);
  let subscribedOnce = false;
  let lastError = 0;
  subscriber.on('error', (err: Error) => {
    // Repeats on every reconnect attempt while Redis is down: log at most every 10 s.
    if (Date.now() - lastError > 10_000) {
      lastError = Date.now();
      deps.logger.error({ err: err.message }, 'partner cache subscriber error');
    }
  });
  subscriber.on('message', (ch: string, name: string) => {
    if (ch === channel) cache.invalidate(name);
  });
  subscriber.on('ready', () => {
    // Messages published while we were disconnected are lost: start from a clean cache.
    if (subscribedOnce) cache.invalidate();
    subscribedOnce = true;
  });
  subscriber.subscribe(channel).catch((err: Error) => {
    deps.logger.error({ err: err.message }, 'partner cache subscription failed; relying on the cache TTL');
  });
  return {
    name: 'partner-cache-subscriber',
    async close() {
      subscriber.disconnect();
    },
  };
}
