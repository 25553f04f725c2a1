import type { DataSource } from 'typeorm';
import { getAdapter } from '../../../../adapters';
import type { PartnerAdapter, SignatureVerifier } from '../../../../adapters/types';
import type { PlatformDeps } from '../../../platform/platform-deps';
import { Partner } from '../../../platform/db/entities';
import { type LiveMapping, liveMappings } from '../mapping/mapping-store';
import { announceChange, ChangeAwareCache, changeVersion } from '../../../platform/change-aware-cache';
import type { Logger } from '../../../platform/logger';
import { partnerSecret } from '../partners';
import type { SecretBox } from '../../../platform/secret-box';
import { resolveVerifier } from './signature-schemes';

/**
 * Partners by name, with their decrypted secret, adapter, verifier and live mappings, cached in
 * memory so the ingest hot path touches Redis alone. A change through the admin API reaches every
 * process at once (src/platform/change-aware-cache.ts).
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

export type PartnerCache = ChangeAwareCache<PartnerSnapshot>;

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
    return { partner, secret: partnerSecret(secretBox, partner), adapter, verifier, mappings };
  };
}

/** What builds the partner cache: the platform parts it reads through. */
export type PartnerCacheParts = Pick<PlatformDeps, 'dataSource' | 'secretBox' | 'logger' | 'redis' | 'keyPrefix'>;

/**
 * THE way to build the partner cache (the composition root, once per composed app; AppDeps.partnerCache):
 * the partner (enabled or not) by name, or null when there is no such partner (kept too: creations are announced).
 */
export function createPartnerCache(parts: PartnerCacheParts): PartnerCache {
  return new ChangeAwareCache(loadPartnerSnapshot(parts.dataSource, parts.secretBox, parts.logger), changeVersion(parts.redis, partnerChangesKey(parts.keyPrefix)), {
    ttlMs: PARTNER_CACHE_TTL_MS,
    keepMisses: true,
  });
}

/** The Redis key holding the partner cache's change version. */
export function partnerChangesKey(prefix: string): string {
  return `${prefix}:partners:version`;
}

/** After a partner, its secret or its mappings changed: every process drops what it keeps. */
export async function announcePartnerChange(deps: PlatformDeps & { readonly partnerCache: PartnerCache }): Promise<void> {
  await announceChange(deps.redis, partnerChangesKey(deps.keyPrefix), deps.partnerCache, deps.logger);
}
