import { InvalidPayloadError, parseJsonBody, type PartnerAdapter } from '../../../../adapters/types';
import { AppError } from '../../../platform/app-error';
import { wellFormed } from '../../../platform/storable';
import { type CanonicalCommand, type CommandError, commandLockKey, validateCommands } from '../../commands';
import { type CompiledMapping, compileMapping, evaluateMapping, type EvaluateOptions } from './evaluate-mapping';

/**
 * The one production path from native bytes to canonical commands: adapter.parse →
 * adapter.normalise → JSONata → JSON Schema. Shared by the worker, the admin dry run, the
 * ingest edge (sale ids for the lock) and the fixture runner. Pure: no I/O.
 */

export interface MapNativeEventInput {
  adapter: PartnerAdapter;
  rawBody: Buffer | string;
  /** Request headers, lower-cased names. */
  headers?: Readonly<Record<string, string>>;
  eventType: string;
  /** The mapping source; compiled through the cache. Give this or `compiled`. */
  expression?: string;
  compiled?: CompiledMapping;
  timeoutMs?: EvaluateOptions['timeoutMs'];
  maxDepth?: EvaluateOptions['maxDepth'];
}

export interface MappedEvent {
  /** The parsed, normalised payload the mapping saw. */
  input: unknown;
  /** The mapping's plain output (undefined when it yielded nothing). */
  output: unknown;
  /** Schema-valid commands; empty with no errors means "ignored". */
  commands: CanonicalCommand[];
  /** Schema errors; when not empty the event fails. */
  errors: CommandError[];
}

/** Parses and normalises a native body. Unparseable input is AppError('invalid_payload'). */
export function parseNativeEvent(
  adapter: PartnerAdapter,
  rawBody: Buffer | string,
  headers: Readonly<Record<string, string>>,
  eventType: string,
): unknown {
  const bytes = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  try {
    const body = adapter.parse ? adapter.parse(bytes, headers) : parseJsonBody(bytes);
    return adapter.normalise ? adapter.normalise(body, { eventType }) : body;
  } catch (err) {
    if (err instanceof InvalidPayloadError) throw new AppError('invalid_payload', err.message);
    throw err;
  }
}

/**
 * Throws AppError `invalid_payload` (body), `invalid_mapping` (expression does not compile) or
 * `mapping_failed` (evaluation error, time or depth limit). Schema errors are returned, not
 * thrown, so a dry run can show them.
 */
export async function mapNativeEvent(args: MapNativeEventInput): Promise<MappedEvent> {
  const compiled = args.compiled ?? (args.expression !== undefined ? compileMapping(args.expression) : undefined);
  if (!compiled) throw new AppError('invalid_mapping', 'No mapping expression was given.');
  const input = parseNativeEvent(args.adapter, args.rawBody, args.headers ?? {}, args.eventType);
  // Well-formed text from here on: every column written from the commands (and the stored output) can hold it.
  const output = wellFormed(
    await evaluateMapping(compiled, input, {
      timeoutMs: args.timeoutMs,
      maxDepth: args.maxDepth,
      bindings: { event_type: args.eventType },
    }),
  );
  const { commands, errors } = validateCommands(output);
  return { input, output, commands, errors };
}

/**
 * The distinct lock keys of the commands — `sale` commands' sale ids and `reservation` commands' reservation
 * ids — as strings (the per-sale lock, the event log's `sale_id`).
 */
export function extractSaleIds(commands: readonly CanonicalCommand[]): string[] {
  const ids = new Set<string>();
  for (const command of commands) {
    const key = commandLockKey(command);
    if (key !== null) ids.add(key);
  }
  return [...ids];
}
