import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getAdapter } from '../../../../adapters';
import { AppError } from '../../../platform/app-error';
import { PROJECT_ROOT } from '../../../platform/project-root';
import type { CommandError } from '../../commands';
import { mapNativeEvent } from './map-native-event';

/**
 * Finds and runs mapping fixtures: `mappings/<partner>/fixtures/<event_type>--<case>.json`
 * (the native payload, bytes as the POS sends them) against `<case>.expected.json` (the
 * canonical command(s); `[]` for ignored). The mapping is `<event_type>.jsonata`, else the
 * partner's fallback `_fallback.jsonata` (event type `*`). Shared by jest and
 * `npm run mappings:test`, through the production mapNativeEvent().
 */

// From the project root, not __dirname: the compiled code runs from dist/src/.
export const DEFAULT_MAPPINGS_DIR = join(PROJECT_ROOT, 'mappings');
export const FALLBACK_FILE_STEM = '_fallback';
export const FALLBACK_EVENT_TYPE = '*';
/**
 * The hub's own ping (CONTRACT §4): signed like any event, answered `{"status": "ok"}` before any mapping
 * runs, nothing stored. A fixture of this event type (`webhooks.test_notification--<case>.json`, expected
 * `[]`) checks a template's signature scheme over HTTP where the vendor documents no ping of its own.
 */
export const TEST_NOTIFICATION = 'webhooks.test_notification';

export interface PartnerManifest {
  adapter: string;
  signature?: { scheme: string; header?: string };
  ack?: 'queued' | 'processed';
  /** Installed as a partner at start (without a secret, disabled); otherwise a catalog template (CONTRACT §15). */
  install?: boolean;
  [key: string]: unknown;
}

export interface FixtureCase {
  /** `<partner>/<event_type>--<case>` */
  name: string;
  partner: string;
  adapter: string;
  /** The event type as posted (`*` for `_fallback`). */
  eventType: string;
  caseName: string;
  payloadPath: string;
  expectedPath: string;
  /** The mapping file that applies, or null when there is none. */
  mappingPath: string | null;
}

export interface FixtureResult {
  case: FixtureCase;
  pass: boolean;
  /** The mapping output as an array of commands. */
  actual?: unknown[];
  expected?: unknown[];
  schemaErrors: CommandError[];
  /** Readable line-by-line differences, `- expected` / `+ actual`. */
  diff: string[];
  /** Why the case could not run (missing files, invalid payload, mapping error). */
  error?: string;
}

/** On-disk stem ↔ event type: `*` is awkward in file names. */
export const eventTypeFromStem = (stem: string): string => (stem === FALLBACK_FILE_STEM ? FALLBACK_EVENT_TYPE : stem);
export const stemFromEventType = (eventType: string): string =>
  eventType === FALLBACK_EVENT_TYPE ? FALLBACK_FILE_STEM : eventType;

export function readPartnerManifest(partnerDir: string): PartnerManifest {
  const file = join(partnerDir, 'partner.json');
  if (!existsSync(file)) return { adapter: 'generic' };
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as PartnerManifest;
  return { ...manifest, adapter: manifest.adapter ?? 'generic' };
}

/** The mapping file for an event type: exact match, else the fallback, else null. */
export function mappingFileFor(partnerDir: string, eventType: string): string | null {
  for (const stem of [stemFromEventType(eventType), FALLBACK_FILE_STEM]) {
    const file = join(partnerDir, `${stem}.jsonata`);
    if (existsSync(file)) return file;
  }
  return null;
}

function partnerDirs(mappingsDir: string): string[] {
  if (!existsSync(mappingsDir)) return [];
  return readdirSync(mappingsDir)
    .filter((name) => /^[a-z0-9-]+$/.test(name) && statSync(join(mappingsDir, name)).isDirectory())
    .sort();
}

/** Every fixture case under `mappingsDir`, sorted. Orphan expected files are cases too (they fail). */
export function discoverFixtureCases(mappingsDir: string = DEFAULT_MAPPINGS_DIR): FixtureCase[] {
  const cases: FixtureCase[] = [];
  for (const partner of partnerDirs(mappingsDir)) {
    const partnerDir = join(mappingsDir, partner);
    const fixturesDir = join(partnerDir, 'fixtures');
    if (!existsSync(fixturesDir)) continue;
    const { adapter } = readPartnerManifest(partnerDir);
    const stems = new Set<string>();
    for (const file of readdirSync(fixturesDir)) {
      if (file.endsWith('.expected.json')) stems.add(file.slice(0, -'.expected.json'.length));
      else if (file.endsWith('.json')) stems.add(file.slice(0, -'.json'.length));
    }
    for (const stem of [...stems].sort()) {
      const split = stem.indexOf('--');
      const eventStem = split < 0 ? stem : stem.slice(0, split);
      const eventType = eventTypeFromStem(eventStem);
      cases.push({
        name: `${partner}/${stem}`,
        partner,
        adapter,
        eventType,
        caseName: split < 0 ? '' : stem.slice(split + 2),
        payloadPath: join(fixturesDir, `${stem}.json`),
        expectedPath: join(fixturesDir, `${stem}.expected.json`),
        mappingPath: mappingFileFor(partnerDir, eventType),
      });
    }
  }
  return cases;
}

/** A mapping may yield one command, an array, or nothing; compare as arrays. */
export function asCommandList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export async function runFixtureCase(c: FixtureCase): Promise<FixtureResult> {
  const fail = (error: string): FixtureResult => ({ case: c, pass: false, schemaErrors: [], diff: [], error });
  if (!existsSync(c.payloadPath)) return fail(`missing payload ${c.payloadPath}`);
  if (!existsSync(c.expectedPath)) return fail(`missing expected output ${c.expectedPath}`);
  if (c.eventType === TEST_NOTIFICATION) {
    // Answered before any mapping runs: nothing can come of it.
    let expected: unknown[];
    try {
      expected = asCommandList(JSON.parse(readFileSync(c.expectedPath, 'utf8')));
    } catch (err) {
      return fail(`expected file is not JSON: ${(err as Error).message}`);
    }
    const diff = jsonDiff(expected, []);
    return { case: c, pass: diff.length === 0, actual: [], expected, schemaErrors: [], diff };
  }
  if (!c.mappingPath) return fail(`no mapping for event type "${c.eventType}" and no ${FALLBACK_FILE_STEM}.jsonata`);
  const adapter = getAdapter(c.adapter);
  if (!adapter) return fail(`unknown adapter "${c.adapter}" in partner.json`);

  let expected: unknown[];
  try {
    expected = asCommandList(JSON.parse(readFileSync(c.expectedPath, 'utf8')));
  } catch (err) {
    return fail(`expected file is not JSON: ${(err as Error).message}`);
  }
  try {
    const mapped = await mapNativeEvent({
      adapter,
      rawBody: readFileSync(c.payloadPath),
      headers: { 'content-type': 'application/json' },
      eventType: c.eventType,
      expression: readFileSync(c.mappingPath, 'utf8'),
    });
    const actual = asCommandList(mapped.output);
    const diff = jsonDiff(expected, actual);
    return {
      case: c,
      pass: diff.length === 0 && mapped.errors.length === 0,
      actual,
      expected,
      schemaErrors: mapped.errors,
      diff,
    };
  } catch (err) {
    const detail = err instanceof AppError && err.details ? ` ${JSON.stringify(err.details)}` : '';
    return fail(`${err instanceof AppError ? `${err.code}: ` : ''}${(err as Error).message}${detail}`);
  }
}

export async function runFixtures(mappingsDir: string = DEFAULT_MAPPINGS_DIR): Promise<FixtureResult[]> {
  const results: FixtureResult[] = [];
  for (const c of discoverFixtureCases(mappingsDir)) results.push(await runFixtureCase(c));
  return results;
}

/** Human-readable report lines for one result (empty for a pass). */
export function describeFailure(result: FixtureResult): string[] {
  const lines: string[] = [];
  if (result.error) lines.push(`  error: ${result.error}`);
  for (const e of result.schemaErrors) lines.push(`  schema: command ${e.index} ${e.path || '(root)'} ${e.message}`);
  if (result.diff.length > 0) lines.push('  diff (- expected, + actual):', ...result.diff.map((line) => `    ${line}`));
  return lines;
}

// ---------------------------------------------------------------------------------------------
// A tiny structural JSON diff: one line per differing JSON Pointer path.

export function deepEqual(a: unknown, b: unknown): boolean {
  return jsonDiff(a, b).length === 0;
}

const show = (value: unknown): string => (value === undefined ? '(absent)' : JSON.stringify(value));

/**
 * Lines describing how `actual` differs from `expected`, keyed by JSON Pointer:
 * `- /0/total: 8450` (expected) then `+ /0/total: 8400` (actual). Object key order is ignored;
 * array order matters. Empty when equal.
 */
export function jsonDiff(expected: unknown, actual: unknown, path = ''): string[] {
  const here = path || '/';
  if (Object.is(expected, actual)) return [];
  const bothArrays = Array.isArray(expected) && Array.isArray(actual);
  const bothObjects =
    typeof expected === 'object' && typeof actual === 'object' && expected !== null && actual !== null &&
    !Array.isArray(expected) && !Array.isArray(actual);
  if (bothArrays) {
    const lines: string[] = [];
    const max = Math.max(expected.length, actual.length);
    for (let i = 0; i < max; i += 1) lines.push(...jsonDiff(expected[i], actual[i], `${path}/${i}`));
    return lines;
  }
  if (bothObjects) {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    const keys = [...Object.keys(e), ...Object.keys(a).filter((k) => !(k in e))];
    const lines: string[] = [];
    for (const key of keys) {
      const escaped = key.replace(/~/g, '~0').replace(/\//g, '~1');
      lines.push(...jsonDiff(e[key], a[key], `${path}/${escaped}`));
    }
    return lines;
  }
  // 0 and -0 are the same JSON number.
  if (typeof expected === 'number' && typeof actual === 'number' && expected === actual) return [];
  return [
    ...(expected === undefined ? [] : [`- ${here}: ${show(expected)}`]),
    ...(actual === undefined ? [] : [`+ ${here}: ${show(actual)}`]),
  ];
}
