import type jsonata from 'jsonata';

/**
 * Constant tables built once per compiled expression instead of once per evaluation. A mapping that binds
 * a literal lookup table in its block (`$status := {"BOOKED": "booked", …}`, the sevenrooms mapping) makes
 * JSONata build that object again on every evaluation, one async step per pair: a fifth to a third of such a
 * mapping's cost. Here, at compile time, such a right-hand side — an object constructor (`{…}` on its own,
 * no predicate, group or other step) whose keys are string literals, each once, and whose values are string,
 * number, true/false/null literals — is built once with the same keys in the same order, frozen, assigned
 * to the expression's own environment under a name no mapping can write (it has spaces), and the node is
 * turned into a lookup of that variable. Evaluating `$status := <the variable>` binds the very same value
 * JSONata would have built, so the output is the same; only the building is skipped.
 *
 * Only the right-hand side of a `:=` is touched: the direct reader (direct-mapping.ts) takes no blocks or
 * bindings, so what it reads is unchanged, and an object constructor elsewhere (whose value JSONata may
 * evaluate per item of a path) is left as it is.
 */

type Node = Record<string, unknown>;

/** What JSONata's parser leaves on an object constructor written on its own (no predicate, group, stages, …). */
const CONSTRUCTOR_KEYS = new Set(['type', 'value', 'position', 'lhs']);
const LITERAL_KEYS = new Set(['type', 'value', 'position']);

const isObject = (v: unknown): v is Node => typeof v === 'object' && v !== null;
const hasOnly = (n: Node, allowed: ReadonlySet<string>): boolean => Object.keys(n).every((k) => allowed.has(k));

function literalValue(n: unknown): { value: string | number | boolean | null } | null {
  if (!isObject(n) || !hasOnly(n, LITERAL_KEYS)) return null;
  if (n.type === 'string' && typeof n.value === 'string') return { value: n.value };
  if (n.type === 'number' && typeof n.value === 'number') return { value: n.value };
  if (n.type === 'value' && (n.value === true || n.value === false || n.value === null)) return { value: n.value };
  return null;
}

/** The object a constant constructor node builds, or null when the node is not one. */
function constantObject(n: unknown): Readonly<Record<string, unknown>> | null {
  if (!isObject(n) || n.type !== 'unary' || n.value !== '{' || !Array.isArray(n.lhs) || !hasOnly(n, CONSTRUCTOR_KEYS)) return null;
  const out: Record<string, unknown> = {};
  for (const pair of n.lhs as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2) return null;
    const key = literalValue(pair[0]);
    const value = literalValue(pair[1]);
    // A key twice is JSONata's error D1009 at evaluation: left to JSONata.
    if (!key || typeof key.value !== 'string' || !value || Object.prototype.hasOwnProperty.call(out, key.value)) return null;
    out[key.value] = value.value;
  }
  return Object.freeze(out);
}

/** Folds the expression's constant bound tables in place (see the file's comment); returns how many. */
export function foldConstantBindings(expr: jsonata.Expression): number {
  let count = 0;
  const seen = new Set<unknown>();
  const walk = (node: unknown): void => {
    if (!isObject(node) || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (node.type === 'bind' && isObject(node.rhs)) {
      const table = constantObject(node.rhs);
      if (table) {
        const name = ` constant ${count++}`;
        expr.assign(name, table);
        const rhs = node.rhs;
        for (const k of Object.keys(rhs)) if (k !== 'position') delete rhs[k];
        Object.assign(rhs, { type: 'variable', value: name });
      }
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'position' && k !== 'value' && k !== 'type') walk(v);
  };
  walk(expr.ast());
  return count;
}
