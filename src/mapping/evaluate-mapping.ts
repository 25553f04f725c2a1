import jsonata from 'jsonata';
import { AppError } from '../shared/app-error';

/**
 * JSONata 2.x with a time limit and a depth guard. JSONata's evaluate calls the
 * `Symbol.for('jsonata.__evaluate_entry' | 'jsonata.__evaluate_exit')` bindings around every
 * node (the `timeboxExpression` pattern of jsonata's own test suite; 2.x looks the hooks up by
 * Symbol, not by the plain name 1.x used). The hooks are assigned once per compiled expression;
 * the per-run budget travels in a binding JSONata code cannot name (it contains a space), so one
 * cached expression can be evaluated concurrently.
 * Limits: the clock is checked between nodes, so a single slow built-in (a pathological regex)
 * is not interrupted.
 */

export interface CompiledMapping {
  readonly expression: string;
  readonly jsonata: jsonata.Expression;
}

export interface EvaluateOptions {
  /** Wall-clock budget for one evaluation. @defaultValue 1000 */
  timeoutMs?: number;
  /** Deepest nesting of evaluated nodes (recursion). @defaultValue 100 */
  maxDepth?: number;
  /** Extra variables visible as `$name`, e.g. `{event_type}`. */
  bindings?: Record<string, unknown>;
}

interface Budget {
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly maxDepth: number;
  depth: number;
}

interface JsonataEnvironment {
  lookup(name: string | symbol): unknown;
}

interface JsonataFailure {
  code?: string;
  message?: string;
  position?: number;
  token?: unknown;
}

const BUDGET_BINDING = 'tablesync budget';
export const TIMEOUT_CODE = 'U1002';
export const DEPTH_CODE = 'U1001';

function budgetOf(environment: JsonataEnvironment): Budget | undefined {
  return environment.lookup(BUDGET_BINDING) as Budget | undefined;
}

function checkBudget(budget: Budget): void {
  if (budget.depth > budget.maxDepth) {
    throw {
      code: DEPTH_CODE,
      message: `Mapping exceeded the maximum depth of ${budget.maxDepth} (non-terminating recursion?)`,
    };
  }
  if (Date.now() > budget.deadline) {
    throw { code: TIMEOUT_CODE, message: `Mapping ran longer than ${budget.timeoutMs} ms (infinite loop?)` };
  }
}

/** Installs the time and depth guard on a compiled expression (once per expression). */
export function installGuard(expr: jsonata.Expression): void {
  // assign() is typed for string names; 2.x needs the Symbol keys.
  const assign = expr.assign as (name: string | symbol, value: unknown) => void;
  assign(Symbol.for('jsonata.__evaluate_entry'), (_node: unknown, _input: unknown, env: JsonataEnvironment) => {
    const budget = budgetOf(env);
    if (!budget) return;
    budget.depth += 1;
    checkBudget(budget);
  });
  assign(
    Symbol.for('jsonata.__evaluate_exit'),
    (_node: unknown, _input: unknown, env: JsonataEnvironment) => {
      const budget = budgetOf(env);
      if (!budget) return;
      budget.depth -= 1;
      checkBudget(budget);
    },
  );
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
  let expr: jsonata.Expression;
  try {
    expr = jsonata(expression);
  } catch (err) {
    const e = err as JsonataFailure;
    const position = typeof e.position === 'number' ? e.position : null;
    throw new AppError(
      'invalid_mapping',
      `The mapping does not compile: ${e.message ?? String(err)}${position === null ? '' : ` (at position ${position})`}`,
      { position, token: e.token ?? null, code: e.code ?? null },
    );
  }
  installGuard(expr);
  const compiled: CompiledMapping = Object.freeze({ expression, jsonata: expr });
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
  const timeoutMs = options.timeoutMs ?? 1000;
  const maxDepth = options.maxDepth ?? 100;
  const budget: Budget = { deadline: Date.now() + timeoutMs, timeoutMs, maxDepth, depth: 0 };
  try {
    const result = await compiled.jsonata.evaluate(input, { ...options.bindings, [BUDGET_BINDING]: budget });
    return toPlainJson(result);
  } catch (err) {
    if (err instanceof RangeError) {
      // The JS stack ran out before the depth guard tripped (a very large maxDepth).
      throw new AppError('mapping_failed', `Mapping failed: ${err.message}`, { code: DEPTH_CODE, position: null, token: null });
    }
    const e = err as JsonataFailure;
    throw new AppError('mapping_failed', `Mapping failed: ${e.message ?? String(err)}`, {
      code: e.code ?? null,
      position: typeof e.position === 'number' ? e.position : null,
      token: e.token ?? null,
    });
  }
}
