import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import { MappingVersion, Partner } from '../../../platform/db/entities';
import { createPartner, findPartnerByName, isDuplicateKey } from '../partners';
import type { MappingView } from '../partner-views';
import { AppError, notFound } from '../../../platform/app-error';
import { newId } from '../../../platform/ids';
import type { Logger } from '../../../platform/logger';
import type { SecretBox } from '../../../platform/secret-box';
import { type CompiledMapping, compileMapping } from './evaluate-mapping';
import { compileSaleIdMapping, type SaleIdSlice } from './sale-id-mapping';
import {
  DEFAULT_MAPPINGS_DIR,
  eventTypeFromStem,
  FALLBACK_EVENT_TYPE,
  readPartnerManifest,
} from './fixture-runner';

/**
 * The versioned mapping store (CONTRACT §3, §13): one mapping_versions row per PUT or changed file; the
 * live one per (partner, event type) is named by mapping_live (the newest, unless an older one was
 * activated again), older ones are kept. File mappings under
 * `mappings/<partner>/` are synced in at start; a partner manager's PUT wins over the file.
 */

export type MappingSource = 'api' | 'file';

export interface LiveMapping {
  eventType: string;
  version: number;
  expression: string;
  source: MappingSource;
  createdAt: Date;
}

function toLive(m: MappingVersion): LiveMapping {
  return {
    eventType: m.eventType,
    version: m.version,
    expression: m.expression,
    source: m.source as MappingSource,
    createdAt: m.createdAt,
  };
}

/** Joins each version to the live pointer of its (partner, event type): `l.version = m.version` is the live one. */
const LIVE_JOIN = 'l.partner_id = m.partner_id AND l.event_type = m.event_type AND l.version = m.version';

/** The live version of each of a partner's event types (mapping_live: the newest unless an older one was activated). */
export async function liveMappings(em: EntityManager, partnerId: string): Promise<LiveMapping[]> {
  const rows = await em
    .createQueryBuilder(MappingVersion, 'm')
    .innerJoin('mapping_live', 'l', LIVE_JOIN)
    .where('m.partner_id = :partnerId', { partnerId })
    .orderBy('m.event_type', 'ASC')
    .getMany();
  return rows.map(toLive);
}

/** The live mapping for an event type, else the partner's fallback `*`, else null. */
export function pickMapping(live: ReadonlyMap<string, LiveMapping>, eventType: string): LiveMapping | null {
  return live.get(eventType) ?? live.get(FALLBACK_EVENT_TYPE) ?? null;
}

export async function liveMappingFor(em: EntityManager, partnerId: string, eventType: string): Promise<LiveMapping | null> {
  const rows = await em
    .createQueryBuilder(MappingVersion, 'm')
    .innerJoin('mapping_live', 'l', LIVE_JOIN)
    .where('m.partner_id = :partnerId AND m.event_type IN (:...types)', {
      partnerId,
      types: [eventType, FALLBACK_EVENT_TYPE],
    })
    .getMany();
  return pickMapping(new Map(rows.map((row) => [row.eventType, toLive(row)])), eventType);
}

/** Runs `work` in the caller's transaction, or in a new one when the caller has none. */
async function inTransaction<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  return em.queryRunner?.isTransactionActive ? work(em) : em.transaction(work);
}

/**
 * Stores a new version (compiled first: a syntax error is 400 invalid_mapping with JSONata's
 * position and token) and makes it live. Concurrent writers racing for the same number retry with the
 * next one; of two racing PUTs the higher version ends up live (GREATEST), whatever order they commit in.
 */
export async function putMapping(
  em: EntityManager,
  partner: Pick<Partner, 'id'>,
  eventType: string,
  expression: string,
  source: MappingSource = 'api',
  now = new Date(),
): Promise<LiveMapping> {
  compileMapping(expression);
  for (let attempt = 0; ; attempt++) {
    try {
      return await inTransaction(em, async (tx) => {
        const row = await tx
          .createQueryBuilder(MappingVersion, 'm')
          .select('MAX(m.version)', 'max')
          .where('m.partner_id = :partnerId AND m.event_type = :eventType', { partnerId: partner.id, eventType })
          .getRawOne<{ max: number | null }>();
        const mapping = tx.create(MappingVersion, {
          id: newId('map'),
          partnerId: partner.id,
          eventType,
          version: Number(row?.max ?? 0) + 1,
          expression,
          source,
          createdAt: now,
        });
        await tx.insert(MappingVersion, mapping);
        // activated_at first: MariaDB evaluates the assignments in order, so it still sees the old version.
        await tx.query(
          `INSERT INTO mapping_live (partner_id, event_type, version, activated_at) VALUES (?, ?, ?, ?)
           ON DUPLICATE KEY UPDATE activated_at = IF(VALUES(version) > version, VALUES(activated_at), activated_at),
                                   version = GREATEST(version, VALUES(version))`,
          [partner.id, eventType, mapping.version, now],
        );
        return toLive(mapping);
      });
    } catch (err) {
      if (!isDuplicateKey(err) || attempt >= 5) throw err;
    }
  }
}

/** A version of an event type's mapping, with whether it is the live one. */
export interface MappingVersionView extends LiveMapping {
  live: boolean;
}

/** Every version of an event type's mapping, newest first, the live one marked. */
export async function mappingVersions(em: EntityManager, partnerId: string, eventType: string): Promise<MappingVersionView[]> {
  const [rows, live] = await Promise.all([
    em.find(MappingVersion, { where: { partnerId, eventType }, order: { version: 'DESC' } }),
    liveVersionOf(em, partnerId, eventType),
  ]);
  return rows.map((r) => ({ ...toLive(r), live: r.version === live }));
}

async function liveVersionOf(em: EntityManager, partnerId: string, eventType: string): Promise<number | null> {
  const rows = (await em.query('SELECT version FROM mapping_live WHERE partner_id = ? AND event_type = ?', [partnerId, eventType])) as {
    version: number;
  }[];
  return rows[0] ? Number(rows[0].version) : null;
}

/**
 * Makes a stored version live again (CONTRACT §13: `POST …/versions/:version/activate`); 404 when the event
 * type has no such version. The caller announces the change (announcePartnerChange), as after a PUT: the
 * partner caches of every process, which the ingest edge and the workers read, then load the new live set.
 */
export async function activateMapping(
  em: EntityManager,
  partner: Pick<Partner, 'id'>,
  eventType: string,
  version: number,
  now = new Date(),
): Promise<LiveMapping> {
  const row = await em.findOne(MappingVersion, { where: { partnerId: partner.id, eventType, version } });
  if (!row) throw notFound(`Version ${version} of the ${eventType} mapping`);
  await em.query(
    `INSERT INTO mapping_live (partner_id, event_type, version, activated_at) VALUES (?, ?, ?, ?)
     ON DUPLICATE KEY UPDATE version = VALUES(version), activated_at = VALUES(activated_at)`,
    [partner.id, eventType, version, now],
  );
  return toLive(row);
}

const compiled = new Map<string, CompiledMapping>();
const COMPILED_LIMIT = 1000;

/**
 * A live mapping compiled once per (partner, event type, version); versions never change, so the
 * cache needs no invalidation, only a size bound.
 */
export function compiledMapping(partnerId: string, m: LiveMapping): CompiledMapping {
  const key = `${partnerId}\u0000${m.eventType}\u0000${m.version}`;
  let hit = compiled.get(key);
  if (!hit) {
    hit = compileMapping(m.expression);
    compiled.set(key, hit);
    if (compiled.size > COMPILED_LIMIT) compiled.delete(compiled.keys().next().value as string);
  }
  return hit;
}

const slices = new Map<string, SaleIdSlice>();

/** The sale-id slice of a live mapping (sale-id-mapping.ts), compiled once per version like compiledMapping. */
export function saleIdMapping(partnerId: string, m: LiveMapping): SaleIdSlice {
  const key = `${partnerId}\u0000${m.eventType}\u0000${m.version}`;
  let hit = slices.get(key);
  if (!hit) {
    hit = compileSaleIdMapping(m.expression);
    slices.set(key, hit);
    if (slices.size > COMPILED_LIMIT) slices.delete(slices.keys().next().value as string);
  }
  return hit;
}

export function presentMapping(m: LiveMapping): MappingView {
  return {
    event_type: m.eventType,
    version: m.version,
    expression: m.expression,
    source: m.source,
    created_at: m.createdAt.toISOString(),
  };
}

// ---------------------------------------------------------------------------------------------
// File mappings

export interface FileSyncReport {
  partnersCreated: string[];
  /** `<partner>/<event_type>@<version>` for every version written. */
  versionsWritten: string[];
  /** Files skipped, with why. */
  skipped: string[];
}

function partnerDirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^[a-z0-9-]+$/.test(name) && statSync(join(dir, name)).isDirectory())
    .sort();
}

async function ensureFilePartner(
  ds: DataSource,
  secretBox: SecretBox,
  logger: Logger,
  name: string,
  dir: string,
  report: FileSyncReport,
): Promise<Partner> {
  const existing = await findPartnerByName(ds.manager, name);
  if (existing) return existing;
  const manifest = readPartnerManifest(dir);
  try {
    const { partner } = await createPartner(ds.manager, secretBox, {
      name,
      adapter: manifest.adapter,
      template: name,
      signature: { scheme: manifest.signature?.scheme ?? 'hmac-sha256-hex', header: manifest.signature?.header ?? null },
      ack: manifest.ack,
      conflict: manifest.conflict === 'queue' ? 'queue' : undefined,
      withoutSecret: true,
    });
    logger.info({ partner: name }, 'partner installed from mappings/, disabled until a secret is set or rotated (PATCH /admin/v1/partners/:name)');
    report.partnersCreated.push(name);
    return partner;
  } catch (err) {
    // Another process starting at the same time created it first.
    if (err instanceof AppError && err.code === 'conflict') return (await findPartnerByName(ds.manager, name))!;
    throw err;
  }
}

/**
 * Loads `mappings/<partner>/<event_type>.jsonata` (`_fallback.jsonata` is `*`) into the store:
 * creates the partners named by `partner.json` when missing, and writes a new version only when the
 * file differs from the live version and that version came from a file (a PUT wins over files).
 * A file that does not compile is logged and skipped; start-up goes on.
 */
export async function syncFileMappings(
  ds: DataSource,
  secretBox: SecretBox,
  logger: Logger,
  mappingsDir: string = DEFAULT_MAPPINGS_DIR,
): Promise<FileSyncReport> {
  const report: FileSyncReport = { partnersCreated: [], versionsWritten: [], skipped: [] };
  for (const name of partnerDirs(mappingsDir)) {
    const dir = join(mappingsDir, name);
    if (!existsSync(join(dir, 'partner.json'))) {
      report.skipped.push(`${name}: no partner.json`);
      continue;
    }
    // Only a partner.json with "install": true is a partner at start; the others are catalog templates.
    if (readPartnerManifest(dir).install !== true) {
      report.skipped.push(`${name}: a template (partner.json has no "install": true)`);
      continue;
    }
    const partner = await ensureFilePartner(ds, secretBox, logger, name, dir, report);
    const live = new Map((await liveMappings(ds.manager, partner.id)).map((m) => [m.eventType, m]));
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonata')).sort()) {
      const eventType = eventTypeFromStem(file.slice(0, -'.jsonata'.length));
      const text = readFileSync(join(dir, file), 'utf8');
      const current = live.get(eventType);
      if (current && (current.source !== 'file' || current.expression === text)) continue;
      try {
        const written = await putMapping(ds.manager, partner, eventType, text, 'file');
        report.versionsWritten.push(`${name}/${eventType}@${written.version}`);
      } catch (err) {
        const why = err instanceof AppError ? err.message : String(err);
        report.skipped.push(`${name}/${file}: ${why}`);
        logger.error({ partner: name, file, err: why }, 'mapping file not loaded');
      }
    }
  }
  if (report.versionsWritten.length || report.partnersCreated.length) {
    logger.info({ partners: report.partnersCreated, versions: report.versionsWritten }, 'file mappings synced');
  }
  return report;
}
