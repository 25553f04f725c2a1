import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Partner } from '../../platform/db/entities';
import { DEFAULT_MAPPINGS_DIR, discoverFixtureCases } from '../partners';

/**
 * A partner's fixtures (CONTRACT §13, the mapping editor's inputs): those of its catalog template
 * (`mappings/<template>/fixtures/`), or of the folder of its own name when it has no template. The payload is
 * the file's text, byte for byte; `expected` is what the template's mapping yields for it.
 */

export interface PartnerFixture {
  name: string;
  event_type: string;
  case: string;
  payload: string;
  expected: unknown;
}

export function fixtureFolderOf(partner: Pick<Partner, 'name' | 'template'>): string {
  return partner.template ?? partner.name;
}

export function partnerFixtures(partner: Pick<Partner, 'name' | 'template'>, mappingsDir: string = DEFAULT_MAPPINGS_DIR): PartnerFixture[] {
  const folder = fixtureFolderOf(partner);
  if (!existsSync(join(mappingsDir, folder))) return [];
  return discoverFixtureCases(mappingsDir)
    .filter((c) => c.partner === folder && existsSync(c.payloadPath))
    .map((c) => {
      let expected: unknown = null;
      try {
        expected = existsSync(c.expectedPath) ? JSON.parse(readFileSync(c.expectedPath, 'utf8')) : null;
      } catch {
        expected = null;
      }
      return {
        name: c.name.slice(folder.length + 1),
        event_type: c.eventType,
        case: c.caseName,
        payload: readFileSync(c.payloadPath, 'utf8'),
        expected,
      };
    });
}
