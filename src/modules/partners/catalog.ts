import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EntityManager } from 'typeorm';
import type { AckMode, ConflictMode } from '../../platform/db/entities';
import { DEFAULT_MAPPINGS_DIR, eventTypeFromStem, readPartnerManifest } from './mapping/fixture-runner';
import { putMapping } from './mapping/mapping-store';
import { AppError } from '../../platform/app-error';
import type { SecretBox } from '../../platform/secret-box';
import { createPartner, type PartnerWithSecret } from './partners';
import type { CatalogTemplateView } from './partner-views';

/**
 * The partner catalog (CONTRACT §13, §15): every `mappings/<vendor>/` folder with a partner.json is a
 * template — adapter, signature scheme and header, ack and conflict modes, and one mapping per event type.
 * A template becomes a partner only through `POST /admin/v1/partners {name, template}`.
 */

export type CatalogKind = 'pos' | 'reservations';

export interface CatalogTemplate {
  name: string;
  kind: CatalogKind;
  vendor: string;
  adapter: string;
  signature: { scheme: string; header: string | null };
  ack: AckMode;
  conflict: ConflictMode;
  /** `*` is the template's fallback mapping (`_fallback.jsonata`). */
  event_types: string[];
  docs: string[];
  /** Installed as a file partner at start (the demo's); every other template only on request. */
  install: boolean;
  /** Event type → JSONata expression. */
  mappings: ReadonlyMap<string, string>;
}

function readTemplate(dir: string, name: string): CatalogTemplate {
  const manifest = readPartnerManifest(dir);
  const mappings = new Map<string, string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonata')).sort()) {
    mappings.set(eventTypeFromStem(file.slice(0, -'.jsonata'.length)), readFileSync(join(dir, file), 'utf8'));
  }
  const text = (value: unknown, fallback: string) => (typeof value === 'string' && value !== '' ? value : fallback);
  return {
    name,
    kind: manifest.kind === 'reservations' ? 'reservations' : 'pos',
    vendor: text(manifest.vendor, name),
    adapter: manifest.adapter,
    signature: { scheme: manifest.signature?.scheme ?? 'hmac-sha256-hex', header: manifest.signature?.header ?? null },
    ack: manifest.ack === 'processed' ? 'processed' : 'queued',
    conflict: manifest.conflict === 'queue' ? 'queue' : 'reject',
    event_types: [...mappings.keys()],
    docs: Array.isArray(manifest.docs) ? manifest.docs.filter((d): d is string => typeof d === 'string') : [],
    install: manifest.install === true,
    mappings,
  };
}

const loaded = new Map<string, CatalogTemplate[]>();

/** Every template under `mappingsDir`, by name; read once per directory (the files ship with the code). */
export function listTemplates(mappingsDir: string = DEFAULT_MAPPINGS_DIR): CatalogTemplate[] {
  let templates = loaded.get(mappingsDir);
  if (!templates) {
    templates = existsSync(mappingsDir)
      ? readdirSync(mappingsDir)
          .filter((name) => /^[a-z0-9-]+$/.test(name) && statSync(join(mappingsDir, name)).isDirectory())
          .filter((name) => existsSync(join(mappingsDir, name, 'partner.json')))
          .sort()
          .map((name) => readTemplate(join(mappingsDir, name), name))
      : [];
    loaded.set(mappingsDir, templates);
  }
  return templates;
}

/** The template, or 400 validation_error listing the valid names. */
export function requireTemplate(name: string, mappingsDir?: string): CatalogTemplate {
  const templates = listTemplates(mappingsDir);
  const found = templates.find((t) => t.name === name);
  if (found) return found;
  const valid = templates.map((t) => t.name);
  throw new AppError('validation_error', `Invalid template: "${name}" is not in the catalog; use one of ${valid.join(', ')}.`, {
    field: 'template',
    valid,
    errors: [{ field: 'template', message: `must be one of ${valid.join(', ')}` }],
  });
}

export function presentTemplate(t: CatalogTemplate): CatalogTemplateView {
  return {
    name: t.name,
    kind: t.kind,
    vendor: t.vendor,
    adapter: t.adapter,
    signature: t.signature,
    ack: t.ack,
    conflict: t.conflict,
    event_types: t.event_types,
    docs: t.docs,
  };
}

export interface CreateFromTemplateInput {
  name: string;
  template: string;
  signature?: { scheme?: string; header?: string | null; secret?: string };
  ack?: AckMode;
  conflict?: ConflictMode;
  enabled?: boolean;
  send_confirmation?: boolean;
}

export interface PartnerFromTemplate extends PartnerWithSecret {
  template: CatalogTemplate;
  mappings: { event_type: string; version: number }[];
}

/**
 * A partner with the template's settings (each may be overridden) and its mappings as their first
 * versions, in one transaction: a name already taken leaves nothing behind.
 */
export async function createPartnerFromTemplate(
  em: EntityManager,
  secretBox: SecretBox,
  input: CreateFromTemplateInput,
  mappingsDir?: string,
): Promise<PartnerFromTemplate> {
  const template = requireTemplate(input.template, mappingsDir);
  return em.transaction(async (tx) => {
    const created = await createPartner(tx, secretBox, {
      name: input.name,
      adapter: template.adapter,
      template: template.name,
      signature: {
        scheme: input.signature?.scheme ?? template.signature.scheme,
        header: input.signature && 'header' in input.signature ? input.signature.header : template.signature.header,
        ...(input.signature?.secret !== undefined ? { secret: input.signature.secret } : {}),
      },
      ack: input.ack ?? template.ack,
      conflict: input.conflict ?? template.conflict,
      enabled: input.enabled,
      send_confirmation: input.send_confirmation,
    });
    const mappings: { event_type: string; version: number }[] = [];
    for (const [eventType, expression] of template.mappings) {
      const written = await putMapping(tx, created.partner, eventType, expression, 'file');
      mappings.push({ event_type: eventType, version: written.version });
    }
    return { ...created, template, mappings };
  });
}
