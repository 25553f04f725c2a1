/**
 * A synchronous reader for the plainest mappings: renames. Most mappings are one object constructor of
 * literals and name paths, with arrays of line items mapped by `[path.{…}]` (mappings/demo-pos). JSONata 2.x
 * evaluates every node as an async function, so such a mapping costs far more in promises and garbage than
 * in work; this reader gives the same result from the same (processed) AST in one synchronous pass.
 *
 * It is exact by construction, not by approximation: it accepts only a small grammar whose JSONata meaning
 * over plain JSON is spelled out below, and anything else, found when compiling (any other kind of node,
 * a node with any other property: predicates, stages, grouping, focus, `[]` flags, …) or when reading (an
 * input it does not model, such as an array where a name path goes on), makes it step aside for JSONata
 * (NEEDS_JSONATA), which then evaluates the mapping as always. The unit tests compare it with JSONata on
 * every bundled mapping and fixture and on inputs built to hit each rule.
 *
 * The grammar (E = an expression, evaluated against one plain object, the context):
 * - a literal (string, number, true, false, null): its value;
 * - a name path `a.b.c`: each name read as an own property of a plain object; on anything else (a string,
 *   null, nothing) the path yields nothing. An array met anywhere on the way, the end included, needs JSONata
 *   (its sequences flatten and unwrap arrays);
 * - an object constructor `{"k": E, …}` with distinct literal string keys: each E against the same context,
 *   pairs yielding nothing left out, in the order written;
 * - an array constructor `[E, …]`: each E in order, nothing left out; a nested `[…]` is one element; a
 *   mapped path (below) contributes each of its objects;
 * - inside an array constructor only, a mapped path `a.b.{…}`: the names read as above except that arrays
 *   on the way are flattened into the sequence (one level, as JSONata's path steps do), then the object
 *   constructor is applied to each item, every item being a plain object (else JSONata);
 * - a call of a mapping function (`$json`, `$minor`, `$instant`: mapping-functions.ts, the very
 *   implementations JSONata is given) with E arguments; a result that is an array needs JSONata (it would
 *   be a sequence there).
 *
 * Why it may run in-process (evaluate-mapping.ts): nothing in the grammar loops or recurses (no ranges,
 * regexes, JSONata functions, lambdas or variables), the AST is at most MAX_NODES nodes, and the mapping
 * functions are linear in their argument, so a read is linear in the input times the mapping; the clock
 * is checked every so many constructors and after every function call, and a read past a tenth of the
 * time limit hands over to the thread pool. The output's size is capped by the plain copy made of it.
 *
 * Guard: the nesting of such an AST is fixed, so the depth JSONata would reach is known when compiling; a
 * mapping deeper than half the depth limit is left to JSONata.
 */

import { MAPPING_FUNCTIONS } from './mapping-functions';

/** Returned when the input needs JSONata's own semantics. */
export const NEEDS_JSONATA: unique symbol = Symbol('needs-jsonata');

type Context = Record<string, unknown>;
type Reader = (context: Context, clock: Clock) => unknown;

interface AstNode {
  type?: string;
  value?: unknown;
  [key: string]: unknown;
}

/** Time checks during a read (every so many items) against the hand-over deadline. */
interface Clock {
  deadline: number;
  ticks: number;
}

class Bail extends Error {}

export interface DirectMapping {
  /** How deep JSONata's evaluation of this AST nests (each evaluated node is one level). */
  readonly depth: number;
  /** The mapping's plain JSON output for this input (undefined: nothing), or NEEDS_JSONATA. */
  read(input: unknown, timeoutMs: number): unknown;
}

function isPlainObject(value: unknown): value is Context {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasOnly(node: AstNode, keys: readonly string[]): boolean {
  return Object.keys(node).every((k) => keys.includes(k));
}

const own = Object.prototype.hasOwnProperty;

const LITERAL_TYPES = new Set(['string', 'number', 'value']);
/** Keys JSONata itself refuses in a constructor (D1013), and one that would set a prototype. */
const RESERVED_KEYS = new Set(['_jsonata_lambda', '_jsonata_function', '__proto__']);

interface Compiled {
  read: Reader;
  depth: number;
  /** AST nodes read (bounds the work per context). */
  size: number;
}

/** A larger mapping goes to the thread pool: the work of one read stays small between clock checks. */
export const MAX_NODES = 5000;

function overDeadline(clock: Clock): boolean {
  return Date.now() > clock.deadline;
}

function literal(node: AstNode): Compiled | null {
  if (!LITERAL_TYPES.has(node.type ?? '') || !hasOnly(node, ['type', 'value', 'position'])) return null;
  const value = node.value;
  if (!(value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) return null;
  return { read: () => value, depth: 1, size: 1 };
}

/** The names of a path's plain name steps (from `from`), or null when a step is anything else. */
function plainNames(steps: AstNode[]): string[] | null {
  const names: string[] = [];
  for (const step of steps) {
    if (step.type !== 'name' || typeof step.value !== 'string' || !hasOnly(step, ['type', 'value', 'position'])) return null;
    names.push(step.value);
  }
  return names;
}

function namePath(node: AstNode): Compiled | null {
  if (node.type !== 'path' || !Array.isArray(node.steps) || node.steps.length === 0) return null;
  if (!hasOnly(node, ['type', 'steps', 'position'])) return null;
  const names = plainNames(node.steps as AstNode[]);
  if (!names) return null;
  return {
    // evaluate(path) → evaluateStep → evaluate(step)
    depth: 2,
    size: 1 + names.length,
    read: (context) => {
      let current: unknown = context;
      for (const name of names) {
        if (Array.isArray(current)) return NEEDS_JSONATA;
        if (!isPlainObject(current)) return undefined;
        current = own.call(current, name) ? current[name] : undefined;
      }
      return Array.isArray(current) ? NEEDS_JSONATA : current;
    },
  };
}

function objectConstructor(node: AstNode): Compiled | null {
  if (node.type !== 'unary' || node.value !== '{' || !Array.isArray(node.lhs)) return null;
  if (!hasOnly(node, ['type', 'value', 'position', 'lhs'])) return null;
  const fields: [string, Reader][] = [];
  let depth = 1;
  let size = 1;
  for (const pair of node.lhs as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2) return null;
    const key = literal(pair[0] as AstNode);
    const k = (pair[0] as AstNode).value;
    if (!key || typeof k !== 'string' || RESERVED_KEYS.has(k) || fields.some(([f]) => f === k)) return null;
    const value = valueExpression(pair[1] as AstNode);
    if (!value) return null;
    fields.push([k, value.read]);
    depth = Math.max(depth, 1 + value.depth);
    size += 1 + value.size;
  }
  return {
    depth,
    size,
    read: (context, clock) => {
      if ((++clock.ticks & 255) === 0 && overDeadline(clock)) throw new Bail();
      const out: Record<string, unknown> = {};
      for (const [key, read] of fields) {
        const value = read(context, clock);
        if (value === NEEDS_JSONATA) return NEEDS_JSONATA;
        if (value !== undefined) out[key] = value;
      }
      return out;
    },
  };
}

/** `a.b.{…}`: the items the names reach (arrays flattened one level per step), each through the constructor. */
function mappedPath(node: AstNode): Compiled | null {
  if (node.type !== 'path' || !Array.isArray(node.steps) || node.steps.length < 2) return null;
  if (!hasOnly(node, ['type', 'steps', 'position'])) return null;
  const steps = node.steps as AstNode[];
  const names = plainNames(steps.slice(0, -1));
  const each = objectConstructor(steps[steps.length - 1]!);
  if (!names || !each) return null;
  return {
    depth: 1 + Math.max(1, each.depth),
    size: 1 + names.length + each.size,
    read: (context, clock) => {
      let sequence: unknown[] = [context];
      for (const name of names) {
        const next: unknown[] = [];
        for (const item of sequence) {
          // A name on an array maps over it (nested arrays): JSONata's business.
          if (Array.isArray(item)) return NEEDS_JSONATA;
          if (!isPlainObject(item) || !own.call(item, name)) continue;
          const value = item[name];
          if (value === undefined) continue;
          if (Array.isArray(value)) for (const v of value) next.push(v);
          else next.push(value);
        }
        if (next.length === 0) return [];
        sequence = next;
      }
      const out: unknown[] = [];
      for (const item of sequence) {
        if (!isPlainObject(item)) return NEEDS_JSONATA;
        const value = each.read(item, clock);
        if (value === NEEDS_JSONATA) return NEEDS_JSONATA;
        out.push(value);
      }
      return out;
    },
  };
}

function arrayConstructor(node: AstNode): Compiled | null {
  if (node.type !== 'unary' || node.value !== '[' || !Array.isArray(node.expressions)) return null;
  if (!hasOnly(node, ['type', 'value', 'position', 'expressions', 'consarray'])) return null;
  const items: { read: Reader; spread: boolean }[] = [];
  let depth = 1;
  let size = 1;
  for (const expression of node.expressions as AstNode[]) {
    const mapped = mappedPath(expression);
    const item = mapped ?? valueExpression(expression);
    if (!item) return null;
    items.push({ read: item.read, spread: mapped !== null });
    depth = Math.max(depth, 1 + item.depth);
    size += item.size;
  }
  return {
    depth,
    size,
    read: (context, clock) => {
      const out: unknown[] = [];
      for (const { read, spread } of items) {
        const value = read(context, clock);
        if (value === NEEDS_JSONATA) return NEEDS_JSONATA;
        if (value === undefined) continue;
        if (spread) for (const v of value as unknown[]) out.push(v);
        else out.push(value);
      }
      return out;
    },
  };
}

/** `$minor(a.b, "GBP")`: a mapping function (by its registered name) of value expressions. */
function functionCall(node: AstNode): Compiled | null {
  if (node.type !== 'function' || node.value !== '(' || !Array.isArray(node.arguments)) return null;
  // `name` is set (to undefined) by JSONata's parser on every call node.
  if (!hasOnly(node, ['type', 'name', 'value', 'position', 'arguments', 'procedure']) || node.name !== undefined) return null;
  const procedure = node.procedure as AstNode | undefined;
  if (!procedure || procedure.type !== 'variable' || !hasOnly(procedure, ['type', 'value', 'position'])) return null;
  const name = procedure.value;
  if (typeof name !== 'string' || !own.call(MAPPING_FUNCTIONS, name)) return null;
  const implementation = MAPPING_FUNCTIONS[name]!;
  const args: Reader[] = [];
  let depth = 1;
  let size = 2;
  for (const argument of node.arguments as AstNode[]) {
    const value = valueExpression(argument);
    if (!value) return null;
    args.push(value.read);
    depth = Math.max(depth, value.depth);
    size += value.size;
  }
  return {
    // evaluate(function) → evaluateFunction → evaluate(argument), plus one for margin.
    depth: 2 + depth,
    size,
    read: (context, clock) => {
      const values: unknown[] = [];
      for (const read of args) {
        const value = read(context, clock);
        if (value === NEEDS_JSONATA) return NEEDS_JSONATA;
        values.push(value);
      }
      const result = implementation(...values);
      if (overDeadline(clock)) throw new Bail();
      return Array.isArray(result) ? NEEDS_JSONATA : result;
    },
  };
}

/** What may stand as a constructor's value (or an array constructor's element). */
function valueExpression(node: AstNode): Compiled | null {
  if (typeof node !== 'object' || node === null) return null;
  return literal(node) ?? namePath(node) ?? functionCall(node) ?? objectConstructor(node) ?? arrayConstructor(node);
}

/**
 * The direct reader of a processed JSONata AST (`jsonata(…).ast()`), or null when the mapping is not in
 * the grammar. The whole mapping must be an object or an array constructor; the input a plain object.
 */
export function compileDirectMapping(ast: unknown): DirectMapping | null {
  const node = ast as AstNode;
  if (typeof node !== 'object' || node === null) return null;
  const root = objectConstructor(node) ?? arrayConstructor(node);
  if (!root || root.size > MAX_NODES) return null;
  return {
    depth: root.depth,
    read(input, timeoutMs) {
      if (!isPlainObject(input)) return NEEDS_JSONATA;
      const clock: Clock = { deadline: Date.now() + timeoutMs / 10, ticks: 0 };
      try {
        return root.read(input, clock);
      } catch (err) {
        if (err instanceof Bail) return NEEDS_JSONATA;
        throw err;
      }
    },
  };
}
