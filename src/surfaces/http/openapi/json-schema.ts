/**
 * Turns the ajv schema objects that validate requests into OpenAPI 3.1 Schema Objects (JSON Schema
 * 2020-12), so the document is generated from what the code enforces and the two cannot drift.
 *
 * The walk is keyword-aware: it only rewrites schema positions (`properties.*`, `items`, `allOf[*]`, …),
 * never values (`enum`, `const`, `default`, `examples`), so a property that happens to be called `example`
 * or `nullable` is left alone.
 */

export type JsonSchema = Record<string, unknown>;

/** Keywords only ajv (or its plug-ins) understands, or that would change `$ref` resolution in the document. */
const DROPPED = new Set([
  '$id', '$schema', '$async', '$comment', 'errorMessage', 'instanceof', 'typeof', 'transform', 'dynamicDefaults',
  'regexp', 'uniqueItemProperties', 'allRequired', 'anyRequired', 'oneRequired', 'patternRequired', 'prohibited',
  'deepProperties', 'deepRequired', 'select', 'selectCases', 'selectDefault', 'range', 'exclusiveRange', 'nullable',
]);

const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];
const SCHEMA_SINGLE = [
  'additionalProperties', 'unevaluatedProperties', 'propertyNames', 'contains', 'not', 'if', 'then', 'else',
  'unevaluatedItems', 'contentSchema',
];
const SCHEMA_ARRAYS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];

export interface ConvertOptions {
  /**
   * JSON pointer (as a URI fragment) where the converted schema's root will sit in the document, e.g.
   * `#/components/schemas/CreateVenue`. Local refs (`#/definitions/x`) are rebased onto it.
   */
  basePointer?: string;
  /** ajv `$id` → the `$ref` it becomes in the document (e.g. `CreateVenue` → `#/components/schemas/CreateVenue`). */
  idRefs?: ReadonlyMap<string, string>;
  /**
   * A nested schema object that is also a named component becomes a `$ref` to it (matched by identity,
   * so `items: saleResponseSchema` is written once under components and referenced everywhere).
   */
  refFor?: (schema: object) => string | undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A deep copy of a plain JSON value (drops the `as const` readonly-ness along the way). */
function copyValue(v: unknown): unknown {
  return v === undefined ? undefined : (JSON.parse(JSON.stringify(v)) as unknown);
}

function rewriteRef(ref: string, opts: ConvertOptions): string {
  if (ref.startsWith('#')) {
    if (!opts.basePointer) throw new Error(`Local $ref ${ref} needs a basePointer to be placed in the document`);
    const rest = ref.slice(1).replace(/^\/definitions\//, '/$defs/');
    return `${opts.basePointer}${rest}`;
  }
  const target = opts.idRefs?.get(ref.replace(/#$/, ''));
  if (!target) throw new Error(`$ref ${ref} names no schema known to the OpenAPI document`);
  return target;
}

/** ajv schema (draft-07 style, as the app writes them) → OpenAPI 3.1 Schema Object. */
export function toOpenApiSchema(schema: unknown, opts: ConvertOptions = {}): JsonSchema {
  if (typeof schema === 'boolean') return schema ? {} : { not: {} };
  if (!isObject(schema)) throw new Error('A JSON Schema must be an object or a boolean');
  const out: JsonSchema = {};
  const sub = (s: unknown): JsonSchema => {
    const ref = isObject(s) ? opts.refFor?.(s) : undefined;
    return ref ? { $ref: ref } : toOpenApiSchema(s, opts);
  };

  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED.has(key) || value === undefined) continue;
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = rewriteRef(value, opts);
    } else if (SCHEMA_MAPS.includes(key) && isObject(value)) {
      const target = key === 'definitions' ? '$defs' : key;
      out[target] = Object.fromEntries(Object.entries(value).map(([k, s]) => [k, sub(s)]));
    } else if (SCHEMA_SINGLE.includes(key) && (isObject(value) || typeof value === 'boolean')) {
      out[key] = sub(value);
    } else if (SCHEMA_ARRAYS.includes(key) && Array.isArray(value)) {
      out[key] = value.map((s) => sub(s));
    } else if (key === 'items') {
      // draft-07 tuple form `items: [a, b]` (+ `additionalItems`) is `prefixItems` (+ `items`) in 2020-12.
      if (Array.isArray(value)) out.prefixItems = value.map((s) => sub(s));
      else out.items = sub(value);
    } else if (key === 'additionalItems') {
      if (Array.isArray(schema.items)) out.items = sub(value);
    } else if (key === 'dependencies' && isObject(value)) {
      // draft-07 `dependencies` splits into `dependentRequired` and `dependentSchemas`.
      for (const [prop, dep] of Object.entries(value)) {
        const bucket = Array.isArray(dep) ? 'dependentRequired' : 'dependentSchemas';
        const map = (out[bucket] ??= {}) as Record<string, unknown>;
        map[prop] = Array.isArray(dep) ? copyValue(dep) : sub(dep);
      }
    } else if (key === 'example') {
      // `example` is deprecated in OpenAPI 3.1 schemas; JSON Schema's `examples` is an array.
      if (!('examples' in schema)) out.examples = [copyValue(value)];
    } else {
      out[key] = copyValue(value);
    }
  }

  // OpenAPI 3.0's `nullable: true` (which ajv also accepts) is a `null` type in 3.1.
  if (schema.nullable === true) {
    const types = out.type === undefined ? [] : Array.isArray(out.type) ? (out.type as string[]) : [out.type as string];
    if (types.length && !types.includes('null')) out.type = [...types, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...(out.enum as unknown[]), null];
  }
  return out;
}

export interface QueryParameter {
  name: string;
  in: 'query';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

/**
 * An ajv query-string schema (an object whose properties are the parameters) → OpenAPI query parameters.
 * The property's `description` moves up to the parameter, where documentation tools show it.
 */
export function queryParameters(schema: unknown, opts: ConvertOptions = {}): QueryParameter[] {
  if (!isObject(schema) || !isObject(schema.properties)) throw new Error('A query schema must be an object schema with properties');
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  return Object.entries(schema.properties).map(([name, prop]) => {
    const converted = toOpenApiSchema(prop, opts);
    const { description, ...rest } = converted;
    const param: QueryParameter = { name, in: 'query', required: required.has(name), schema: rest };
    if (typeof description === 'string') param.description = description;
    return param;
  });
}
