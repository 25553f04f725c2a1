import jsonata from 'jsonata';
import { AppError } from '../../../platform/app-error';
import { compileDirectMapping, type DirectMapping, NEEDS_JSONATA } from './direct-mapping';
import { MAPPING_FUNCTIONS } from './mapping-functions';
import { configurePool, runInPool, type MappingKind } from './mapping-pool';

/**
 * Where mappings run, under which limits.
 *
 * A mapping in the direct reader's grammar (direct-mapping.ts: literals, name paths, constructors and the
 * mapping functions; no ranges, regexes, loops or recursion, work linear in the input and checked against
 * the clock) is read in-process: most live mappings are renames, and a thread hop would cost more than
 * the work. Every other expression runs in a small pool of worker threads (mapping-pool.ts), which the
 * pool terminates and replaces when one evaluation overruns the time limit: JSONata's own guard (below)
 * is checked between nodes, so it cannot stop a single slow built-in (`[1..10000000]`, a catastrophic
 * regex), and a thread can be stopped where a function call cannot. Outputs are capped in size on both
 * paths (measured as JSON text while the plain copy is made), a thread's heap is capped too.
 *
 * Inside a thread, JSONata 2.x runs with a time limit and a depth guard: JSONata's own guardrails (its
 * `timeout` and `stack` options), checked synchronously as every node is entered, against a clock and a
 * depth counter that belong to one evaluation (its execution frame), so one cached expression can be
 * evaluated concurrently. The limits are options of a compiled instance: the default ones are compiled
 * with the mapping, others on first use (cached with it). The mapping functions (mapping-functions.ts)
 * are registered on every instance, here and nowhere else.
 */

// Defined beside the pool (which evaluates it in its threads) so the two files do not import each other.
export type { MappingKind };

export interface CompiledMapping {
  readonly expression: string;
  /** Compiled with the guard at the default limits. */
  readonly jsonata: jsonata.Expression;
  /** Compiles the same expression again (a slice: cut the same way) with the guard at other limits. */
  readonly build: (limits: GuardLimits) => jsonata.Expression;
  /** A synchronous reader giving JSONata's result when the mapping is a plain rename (direct-mapping.ts). */
  readonly direct: DirectMapping | null;
  /** A thread compiles the same kind from the expression (sale-id-mapping.ts for a slice). */
  readonly kind: MappingKind;
}

export interface EvaluateOptions {
  /** Wall-clock budget for one evaluation. @defaultValue 1000 */
  timeoutMs?: number;
  /** Deepest nesting of evaluated nodes (recursion). @defaultValue 100 */
  maxDepth?: number;
  /** Largest output, as JSON text. @defaultValue 1 MiB (MAPPING_MAX_OUTPUT_BYTES) */
  maxOutputBytes?: number;
  /** Extra variables visible as `$name`, e.g. `{event_type}`. */
  bindings?: Record<string, unknown>;
}

export const DEFAULT_TIMEOUT_MS = 1000;
export const DEFAULT_MAX_DEPTH = 100;
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/** The limits used when an evaluation names none (config.ts: MAPPING_TIMEOUT_MS, MAPPING_MAX_OUTPUT_BYTES). */
export interface MappingLimits {
  timeoutMs: number;
  maxDepth: number;
  maxOutputBytes: number;
}

let defaults: Readonly<MappingLimits> = Object.freeze({
  timeoutMs: DEFAULT_TIMEOUT_MS,
  maxDepth: DEFAULT_MAX_DEPTH,
  maxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES,
});

/** Sets the process's mapping limits and thread count (composition root, from config). */
export function configureMappings(settings: Partial<MappingLimits> & { threads?: number }): void {
  const { threads, ...limits } = settings;
  defaults = Object.freeze({ ...defaults, ...limits });
  if (threads !== undefined) configurePool({ threads });
}

export function mappingLimits(): Readonly<MappingLimits> {
  return defaults;
}

/** JSONata's guardrail options: `timeout` ms per evaluation, `stack` nodes deep. */
export interface GuardLimits {
  timeout: number;
  stack: number;
}

interface JsonataFailure {
  code?: string;
  message?: string;
  position?: number;
  token?: unknown;
}

export const TIMEOUT_CODE = 'U1002';
export const DEPTH_CODE = 'U1001';
export const OUTPUT_SIZE_CODE = 'U1003';
export const MEMORY_CODE = 'U1004';
/** JSONata's own codes for its guardrails. */
const JSONATA_DEPTH_CODE = 'D1011';
const JSONATA_TIMEOUT_CODE = 'D1012';

/**
 * The guard's limits as JSONata options. JSONata disables a limit of 0, so the smallest is 1 (a depth of
 * 1 still stops any nesting; a 1 ms budget is as good as none).
 */
export function guardLimits(timeoutMs = DEFAULT_TIMEOUT_MS, maxDepth = DEFAULT_MAX_DEPTH): GuardLimits {
  return { timeout: Math.max(1, timeoutMs), stack: Math.max(1, maxDepth) };
}

/** The default limits (one shared object: JSONata keeps the options it was compiled with). */
export const DEFAULT_GUARD: Readonly<GuardLimits> = Object.freeze(guardLimits());

/** The instance of a compiled mapping for these limits (other limits compiled once, then kept). */
const variants = new WeakMap<CompiledMapping, Map<string, jsonata.Expression>>();
const VARIANT_LIMIT = 8;

/** Whether these are the default limits (those of CompiledMapping.jsonata). */
export function isDefaultGuard(limits: GuardLimits): boolean {
  return limits.timeout === DEFAULT_GUARD.timeout && limits.stack === DEFAULT_GUARD.stack;
}

function instanceFor(compiled: CompiledMapping, limits: GuardLimits): jsonata.Expression {
  if (isDefaultGuard(limits)) return compiled.jsonata;
  let mine = variants.get(compiled);
  if (!mine) variants.set(compiled, (mine = new Map()));
  const key = `${limits.timeout}/${limits.stack}`;
  let expr = mine.get(key);
  if (!expr) {
    expr = compiled.build(limits);
    mine.set(key, expr);
    if (mine.size > VARIANT_LIMIT) mine.delete(mine.keys().next().value as string);
  }
  return expr;
}

/** A JSONata instance of the expression with the mapping functions registered: the one way one is built. */
export function newJsonata(expression: string, limits: GuardLimits = DEFAULT_GUARD): jsonata.Expression {
  const expr = jsonata(expression, limits);
  for (const [name, implementation] of Object.entries(MAPPING_FUNCTIONS)) expr.registerFunction(name, implementation);
  return expr;
}

/** Wraps an expression built by `build` (default limits first) as a CompiledMapping. */
export function compiledFrom(
  expression: string,
  build: (limits: GuardLimits) => jsonata.Expression,
  kind: MappingKind = 'full',
): CompiledMapping {
  const expr = build(DEFAULT_GUARD);
  return Object.freeze({ expression, jsonata: expr, build, direct: compileDirectMapping(expr.ast()), kind });
}

const CACHE_LIMIT = 500;
const cache = new Map<string, CompiledMapping>();

/**
 * Compiles a JSONata expression (cached by its text). A syntax error is
 * AppError('invalid_mapping') with JSONata's `{position, token, code}` in details.
 */
export function compileMapping(expression: string): CompiledMapping {
  const hit = cache.get(expression);
  if (hit) {
    // Refresh recency: Map iteration order is insertion order.
    cache.delete(expression);
    cache.set(expression, hit);
    return hit;
  }
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw new AppError('invalid_mapping', 'The mapping expression is empty.', { position: 0, token: null, code: null });
  }
  let compiled: CompiledMapping;
  try {
    compiled = compiledFrom(expression, (limits) => newJsonata(expression, limits));
  } catch (err) {
    const e = err as JsonataFailure;
    const position = typeof e.position === 'number' ? e.position : null;
    throw new AppError(
      'invalid_mapping',
      `The mapping does not compile: ${e.message ?? String(err)}${position === null ? '' : ` (at position ${position})`}`,
      { position, token: e.token ?? null, code: e.code ?? null },
    );
  }
  cache.set(expression, compiled);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return compiled;
}

/** Drops the compiled-expression cache (tests). */
export function clearMappingCache(): void {
  cache.clear();
}

/** The output passed the size limit (its JSON text, counted while it is copied). */
class OutputTooLarge extends Error {}

/**
 * JSONata results carry hidden flags (`sequence`, `keepSingleton`, …) on arrays and may hold
 * functions. Rebuild plain JSON so results deep-equal what a fixture file parses to. With a limit,
 * the size of the JSON text is counted on the way and the copy stops (OutputTooLarge) past it.
 */
export function toPlainJson(value: unknown, maxOutputBytes = Infinity): unknown {
  const budget = { left: maxOutputBytes };
  return plain(value, budget);
}

function plain(value: unknown, budget: { left: number }): unknown {
  if (Array.isArray(value)) {
    budget.left -= 1 + value.length;
    const out: unknown[] = [];
    for (const item of value) {
      const copy = plain(item, budget);
      if (copy !== undefined) out.push(copy);
    }
    return out;
  }
  if (typeof value === 'function' || value === undefined) return undefined;
  if (typeof value === 'object' && value !== null) {
    budget.left -= 2;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const copy = plain(item, budget);
      if (copy !== undefined) {
        out[key] = copy;
        budget.left -= key.length + 4;
      }
    }
    return out;
  }
  budget.left -= typeof value === 'string' ? value.length + 2 : String(value).length;
  if (budget.left < 0) throw new OutputTooLarge();
  return value;
}

/** The limits of one evaluation: the options given, else the process's. */
function resolveLimits(options: EvaluateOptions): { guard: GuardLimits; maxOutputBytes: number } {
  return {
    guard: guardLimits(options.timeoutMs ?? defaults.timeoutMs, options.maxDepth ?? defaults.maxDepth),
    maxOutputBytes: Math.max(1, options.maxOutputBytes ?? defaults.maxOutputBytes),
  };
}

function failed(message: string, code: string | null, extra: Record<string, unknown> = {}, position: number | null = null, token: unknown = null): AppError {
  return new AppError('mapping_failed', `Mapping failed: ${message}`, { code, position, token, ...extra });
}

/** JSONata's guard stopped an evaluation at the time limit (mapping-pool.ts stops the rest). */
function timeLimitFailure(timeoutMs: number): AppError {
  return failed(`Mapping ran longer than ${timeoutMs} ms (infinite loop?)`, TIMEOUT_CODE, {
    limit: 'time',
    limit_ms: timeoutMs,
  });
}

/** Any error of an evaluation as AppError('mapping_failed'), naming the limit when one was hit. */
function mappingFailure(err: unknown, limits: { guard: GuardLimits; maxOutputBytes: number }): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof OutputTooLarge) {
    return failed(`Mapping output is larger than ${limits.maxOutputBytes} bytes of JSON`, OUTPUT_SIZE_CODE, {
      limit: 'output_size',
      limit_bytes: limits.maxOutputBytes,
    });
  }
  if (err instanceof RangeError) {
    // The JS stack ran out before the depth guard tripped (a very large maxDepth).
    return failed(err.message, DEPTH_CODE, { limit: 'depth', limit_depth: limits.guard.stack });
  }
  const e = err as JsonataFailure;
  if (e.code === JSONATA_DEPTH_CODE) {
    return failed(`Mapping exceeded the maximum depth of ${limits.guard.stack} (non-terminating recursion?)`, DEPTH_CODE, {
      limit: 'depth',
      limit_depth: limits.guard.stack,
    });
  }
  if (e.code === JSONATA_TIMEOUT_CODE) return timeLimitFailure(limits.guard.timeout);
  return failed(e.message ?? String(err), e.code ?? null, {}, typeof e.position === 'number' ? e.position : null, e.token ?? null);
}

/**
 * Evaluates a compiled mapping here, in this thread, with JSONata under its guard (the pool's threads
 * call this; nothing else should: a single built-in can hold the thread past the limit).
 */
export async function evaluateInThisThread(compiled: CompiledMapping, input: unknown, options: EvaluateOptions = {}): Promise<unknown> {
  const limits = resolveLimits(options);
  try {
    const result = await instanceFor(compiled, limits.guard).evaluate(input, options.bindings);
    return toPlainJson(result, limits.maxOutputBytes);
  } catch (err) {
    throw mappingFailure(err, limits);
  }
}

/**
 * Evaluates a compiled mapping against an input document. Returns the plain result (undefined
 * when the mapping yields nothing). Any evaluation error, including the time, depth, output-size and
 * memory limits, is AppError('mapping_failed') with JSONata's `{code, position, token}` in details, and
 * `limit` (plus its value) when a limit stopped it. A direct mapping is read here; any other runs in
 * the mapping thread pool.
 */
export async function evaluateMapping(
  compiled: CompiledMapping,
  input: unknown,
  options: EvaluateOptions = {},
): Promise<unknown> {
  const limits = resolveLimits(options);
  // A plain rename is read directly when JSONata's depth limit could not trip on it (half the limit: margin).
  const direct = compiled.direct;
  if (direct && direct.depth * 2 <= limits.guard.stack) {
    try {
      const output = direct.read(input, limits.guard.timeout);
      if (output !== NEEDS_JSONATA) return toPlainJson(output, limits.maxOutputBytes);
    } catch (err) {
      throw mappingFailure(err, limits);
    }
  }
  return runInPool({
    expression: compiled.expression,
    kind: compiled.kind,
    input,
    bindings: options.bindings,
    timeoutMs: limits.guard.timeout,
    maxDepth: limits.guard.stack,
    maxOutputBytes: limits.maxOutputBytes,
  });
}
