import { commandLockKey, LOCK_KEY_FIELDS } from '../../commands';
import type { CompiledMapping } from './evaluate-mapping';
import { compiledFrom, compileMapping, evaluateMapping, type GuardLimits, isDefaultGuard, newJsonata } from './evaluate-mapping';

/**
 * The ingest edge needs only the sale ids an event will touch (for the per-sale lock), not the whole
 * command: evaluating a full mapping (every item, every payment, JSONata's per-node guard) per request is
 * most of the cost of taking an event. So the edge evaluates a *slice* of the mapping: the same expression
 * with every command object constructor (a `{…}` whose literal `"type"` is `"sale"` or
 * `"booking_status"` or `"reservation"`) cut down to its `type` and lock key (`sale_id`, `reservation_id`) pairs. Everything that decides whether there
 * is a command and what its sale id is (variables, conditions, lookups) is kept as written; only fields
 * that cannot change a sale id are dropped.
 *
 * The slice runs under the same limits and in the same place as the full mapping (evaluate-mapping.ts:
 * in-process when the direct reader takes it, else in the mapping thread pool, where a runaway is
 * stopped), so a runaway mapping cannot hold the endpoint, let alone the API process. The worker always evaluates the full mapping, validates it and
 * locks the union of both id sets, so the slice only decides which sales are held while the event waits.
 */

/** Pairs a command keeps in the slice: its type and its lock key (a reservation is ordered like a sale). */
const KEPT_KEYS = new Set(['type', ...Object.values(LOCK_KEY_FIELDS)]);
const COMMAND_TYPES = new Set(['sale', 'booking_status', 'reservation']);

interface AstNode {
  type?: string;
  value?: unknown;
  [key: string]: unknown;
}
type Pair = [AstNode, AstNode];

function isStringLiteral(node: unknown, value?: string): boolean {
  const n = node as AstNode | null;
  return !!n && n.type === 'string' && typeof n.value === 'string' && (value === undefined || n.value === value);
}

/** A constructor's pairs describe a canonical command: a literal "type" naming a command type. */
function isCommandPairs(pairs: Pair[]): boolean {
  return pairs.some(
    ([key, value]) => isStringLiteral(key, 'type') && isStringLiteral(value) && COMMAND_TYPES.has(value.value as string),
  );
}

function prunePairs(pairs: Pair[]): Pair[] {
  // Keys that are not literals are kept: they might evaluate to "sale_id".
  return pairs.filter(([key]) => !isStringLiteral(key) || KEPT_KEYS.has(key.value as string));
}

/** Walks the (processed) AST and cuts command constructors down, in place. Returns how many were cut. */
function prune(node: unknown, seen = new Set<unknown>()): number {
  if (node === null || typeof node !== 'object' || seen.has(node)) return 0;
  seen.add(node);
  let cut = 0;
  if (Array.isArray(node)) {
    for (const item of node) cut += prune(item, seen);
    return cut;
  }
  const n = node as AstNode;
  // `{…}` on its own (unary) and `path.{…}` (a step's group) hold their pairs in `lhs`.
  if (n.type === 'unary' && n.value === '{' && Array.isArray(n.lhs) && isCommandPairs(n.lhs as Pair[])) {
    n.lhs = prunePairs(n.lhs as Pair[]);
    cut++;
  }
  const group = n.group as AstNode | undefined;
  if (group && Array.isArray(group.lhs) && isCommandPairs(group.lhs as Pair[])) {
    group.lhs = prunePairs(group.lhs as Pair[]);
    cut++;
  }
  for (const key of Object.keys(n)) {
    if (key === 'position' || key === 'value' || key === 'type') continue;
    cut += prune(n[key], seen);
  }
  return cut;
}

/**
 * A mapping's sale-id slice, compiled like any mapping: a slice simple enough (literals and name paths in
 * command constructors) is read by the direct reader (direct-mapping.ts) inside evaluateMapping.
 */
export interface SaleIdSlice {
  readonly compiled: CompiledMapping;
}

const CACHE_LIMIT = 500;
const cache = new Map<string, SaleIdSlice>();

/**
 * The sale-id slice of a mapping (cached by its text). A mapping with no command constructor to cut is
 * its own slice. Throws like compileMapping when the expression does not compile.
 */
export function compileSaleIdMapping(expression: string): SaleIdSlice {
  const hit = cache.get(expression);
  if (hit) return hit;
  const full = compileMapping(expression);
  // A second, private instance: the full one is shared with the worker and must stay whole.
  const expr = newJsonata(expression);
  const ast = expr.ast() as unknown as AstNode;
  let slice: SaleIdSlice = { compiled: full };
  if (prune(ast) > 0) {
    // Other guard limits: another instance, cut the same way.
    const build = (limits: GuardLimits) => {
      if (isDefaultGuard(limits)) return expr;
      const other = newJsonata(expression, limits);
      prune(other.ast());
      return other;
    };
    slice = Object.freeze({ compiled: compiledFrom(expression, build, 'sale-ids') });
  }
  cache.set(expression, slice);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return slice;
}

/**
 * The distinct sale ids the mapping's commands name for this input, evaluating the slice under the mapping
 * guard (time and depth limits). Throws like evaluateMapping.
 */
export async function readSaleIds(slice: SaleIdSlice, input: unknown, eventType: string): Promise<string[]> {
  return saleIdsOfOutput(await evaluateMapping(slice.compiled, input, { bindings: { event_type: eventType } }));
}

/** The distinct lock keys (sale ids, reservation ids) of the commands in a (sliced) mapping output, as strings. */
export function saleIdsOfOutput(output: unknown): string[] {
  if (output === undefined || output === null) return [];
  const ids = new Set<string>();
  for (const command of Array.isArray(output) ? output : [output]) {
    if (typeof command !== 'object' || command === null || Array.isArray(command)) continue;
    const key = commandLockKey(command as Record<string, unknown>);
    if (key !== null) ids.add(key);
  }
  return [...ids];
}
