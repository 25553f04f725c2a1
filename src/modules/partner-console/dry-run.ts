import type { EntityManager } from 'typeorm';
import { getAdapter } from '../../../adapters';
import type { Partner } from '../../platform/db/entities';
import { type CommandPreview, previewCommands } from '../sales';
import { asCommandList } from '../partners';
import { mapNativeEvent } from '../partners';
import { compiledMapping, type LiveMapping, liveMappingFor } from '../partners';
import { storedEventInput } from '../partners';
import { AppError, notFound } from '../../platform/app-error';
import { stringifyJson } from '../../platform/lossless-json';
import { partnerFixtures } from './fixtures';

/**
 * The mapping editor's dry run (CONTRACT §3 `…/mappings/:event_type/test`, §13): one input — a pasted
 * payload, a stored event of the partner (by id), or a fixture of its template — through the production
 * path (adapter → JSONata under its guard → command schemas, map-native-event.ts), then the matcher's dry
 * run for the valid commands (domain/sales/match-preview.ts). Nothing is stored.
 * Errors: a payload the adapter cannot parse → 400 invalid_payload; an expression that does not compile →
 * 400 invalid_mapping with JSONata's position; an evaluation error or a limit (a loop, runaway recursion) →
 * 422 mapping_failed naming the limit; an unknown event or fixture → 404.
 */

export interface DryRunInput {
  payload?: unknown;
  event_id?: string;
  fixture?: string;
  expression?: string;
}

export interface DryRunResult {
  output: unknown[];
  errors: unknown[];
  matches: CommandPreview[];
  /** The live version run, or null when the request brought its own expression. */
  mapping_version: number | null;
  input: 'payload' | 'event' | 'fixture';
}

const SOURCES = ['payload', 'event_id', 'fixture'] as const;

interface Input {
  raw: string;
  contentType: string;
  receivedAt: Date;
  kind: DryRunResult['input'];
}

async function resolveInput(em: EntityManager, partner: Partner, body: DryRunInput): Promise<Input> {
  const given = SOURCES.filter((k) => body[k] !== undefined);
  if (given.length !== 1) {
    const message = given.length ? `give only one of ${given.join(', ')}` : 'is required (or event_id, or fixture)';
    throw new AppError('validation_error', `Invalid payload: ${message}.`, { field: 'payload', errors: [{ field: 'payload', message }] });
  }
  if (body.event_id !== undefined) {
    // Only the three columns the dry run reads (not the stored output, outcome and errors an entity would bring).
    const row = await storedEventInput(em, body.event_id, partner.name);
    if (!row) throw notFound('Event');
    return { raw: row.raw_payload, contentType: row.content_type ?? 'application/json', receivedAt: row.received_at, kind: 'event' };
  }
  if (body.fixture !== undefined) {
    const fixture = partnerFixtures(partner).find((f) => f.name === body.fixture);
    if (!fixture) throw notFound(`Fixture ${body.fixture}`);
    return { raw: fixture.payload, contentType: 'application/json', receivedAt: new Date(), kind: 'fixture' };
  }
  const raw = typeof body.payload === 'string' ? body.payload : stringifyJson(body.payload);
  return { raw, contentType: 'application/json', receivedAt: new Date(), kind: 'payload' };
}

/**
 * `live`: the event type's live mapping as the caller already knows it (the partner cache the ingest edge and
 * the workers read, so the dry run runs what they run); omitted, it is read from the store.
 */
export async function dryRunMapping(
  em: EntityManager,
  partner: Partner,
  eventType: string,
  body: DryRunInput,
  live?: LiveMapping | null,
): Promise<DryRunResult> {
  const adapter = getAdapter(partner.adapter);
  if (!adapter) throw new AppError('validation_error', `The partner's adapter "${partner.adapter}" is not known.`, { field: 'adapter' });
  // The input and the live mapping are independent reads: one round trip for both.
  const [input, mapping] = await Promise.all([
    resolveInput(em, partner, body),
    body.expression !== undefined ? Promise.resolve(null) : live !== undefined ? Promise.resolve(live) : liveMappingFor(em, partner.id, eventType),
  ]);
  const expression = body.expression ?? mapping?.expression;
  if (expression === undefined) throw new AppError('not_found', `No mapping for event type ${eventType} and no fallback.`);
  const mapped = await mapNativeEvent({
    adapter, rawBody: input.raw, headers: { 'content-type': input.contentType }, eventType,
    ...(mapping && body.expression === undefined ? { compiled: compiledMapping(partner.id, mapping) } : { expression }),
  });
  const output = asCommandList(mapped.output);
  let matches: CommandPreview[] = [];
  if (!mapped.errors.length && mapped.commands.length) {
    // Command k of the valid list is the k-th item of the output that is not null.
    const at = output.flatMap((v, i) => (v === null || v === undefined ? [] : [i]));
    matches = (await previewCommands(em, partner, mapped.commands, input.receivedAt)).map((m) => ({ ...m, index: at[m.index] ?? m.index }));
  }
  return { output, errors: mapped.errors, matches, mapping_version: body.expression === undefined ? (mapping?.version ?? null) : null, input: input.kind };
}
