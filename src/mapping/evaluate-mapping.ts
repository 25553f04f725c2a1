import jsonata from 'jsonata';
import { AppError } from '../shared/app-error';
import { compileDirectMapping, type DirectMapping, NEEDS_JSONATA } from './direct-mapping';

/**
 * JSONata 2.x with a time limit and a depth guard: JSONata's own guardrails (its `timeout` and `stack`
 * options), checked synchronously as every node is entered, against a clock and a depth counter that belong
 * to one evaluation (its execution frame), so one cached expression can be evaluated concurrently. (The
 * `__evaluate_entry`/`__evaluate_exit` hooks do the same job, but JSONata awaits them around every node,
 * which made the guard cost a third of an evaluation.) The limits are options of a compiled instance: the
 * default ones are compiled with the mapping, others on first use (cached with it).
 * Limits: the clock is checked between nodes, so a single slow built-in (a pathological regex)
 * is not interrupted.
 */

export interface CompiledMapping {
  readonly expression: string;
  /** Compiled with the guard at the default limits. */
  readonly jsonata: jsonata.Expression;
  /** Compiles the same expression again (a slice: cut the same way) with the guard at other limits. */
  readonly build: (limits: GuardLimits) => jsonata.Expression;
  /** A synchronous reader giving JSONata's result when the mapping is a plain rename (direct-mapping.ts). */
  readonly direct: DirectMapping | null;
}

export interface EvaluateOptions {
  /** Wall-clock budget for one evaluation. @defaultValue 1000 */
  timeoutMs?: number;
  /** Deepest nesting of evaluated nodes (recursion). @defaultValue 100 */
  maxDepth?: number;
  /** Extra variables visible as `$name`, e.g. `{event_type}`. */
  bindings?: Record<string, unknown>;
}

export const DEFAULT_TIMEOUT_MS = 1000;
export const DEFAULT_MAX_DEPTH = 100;

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

/** Wraps an expression built by `build` (default limits first) as a CompiledMapping. */
export function compiledFrom(expression: string, build: (limits: GuardLimits) => jsonata.Expression): CompiledMapping {
  const expr = build(DEFAULT_GUARD);
  return Object.freeze({ expression, jsonata: expr, build, direct: compileDirectMapping(expr.ast()) });
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
    compiled = compiledFrom(expression, (limits) => jsonata(expression, limits));
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

/**
 * JSONata results carry hidden flags (`sequence`, `keepSingleton`, …) on arrays and may hold
 * functions. Rebuild plain JSON so results deep-equal what a fixture file parses to.
 */
export function toPlainJson(value: unknown): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const plain = toPlainJson(item);
      if (plain !== undefined) out.push(plain);
    }
    return out;
  }
  if (typeof value === 'function' || value === undefined) return undefined;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const plain = toPlainJson(item);
      if (plain !== undefined) out[key] = plain;
    }
    return out;
  }
  return value;
}

/**
 * Evaluates a compiled mapping against an input document. Returns the plain result (undefined
 * when the mapping yields nothing). Any evaluation error, including the time and depth limits,
 * is AppError('mapping_failed') with JSONata's `{code, position, token}` in details.
 */
export async function evaluateMapping(
  compiled: CompiledMapping,
  input: unknown,
  options: EvaluateOptions = {},
): Promise<unknown> {
  const limits = guardLimits(options.timeoutMs, options.maxDepth);
  // A plain rename is read directly when JSONata's depth limit could not trip on it (half the limit: margin).
  const direct = compiled.direct;
  if (direct && direct.depth * 2 <= limits.stack) {
    const output = direct.read(input, limits.timeout);
    if (output !== NEEDS_JSONATA) return toPlainJson(output);
  }
  try {
    const result = await instanceFor(compiled, limits).evaluate(input, options.bindings);
    return toPlainJson(result);
  } catch (err) {
    if (err instanceof RangeError) {
      // The JS stack ran out before the depth guard tripped (a very large maxDepth).
      throw new AppError('mapping_failed', `Mapping failed: ${err.message}`, { code: DEPTH_CODE, position: null, token: null });
    }
    const e = err as JsonataFailure;
    if (e.code === JSONATA_DEPTH_CODE) {
      throw new AppError('mapping_failed', `Mapping failed: Mapping exceeded the maximum depth of ${limits.stack} (non-terminating recursion?)`, {
        code: DEPTH_CODE,
        position: null,
        token: null,
      });
    }
    if (e.code === JSONATA_TIMEOUT_CODE) {
      throw new AppError('mapping_failed', `Mapping failed: Mapping ran longer than ${limits.timeout} ms (infinite loop?)`, {
        code: TIMEOUT_CODE,
        position: null,
        token: null,
      });
    }
    throw new AppError('mapping_failed', `Mapping failed: ${e.message ?? String(err)}`, {
      code: e.code ?? null,
      position: typeof e.position === 'number' ? e.position : null,
      token: e.token ?? null,
    });
  }
}
