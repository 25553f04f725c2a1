/**
 * Types derived from JSON Schemas (json-schema-to-ts), and the fragments shared by the schemas of
 * modules and surfaces alike (a module's response schema lives beside its presenter, in the module; the
 * OpenAPI document publishes that same object).
 */
import type { FromSchema, FromSchemaDefaultOptions, FromSchemaOptions, JSONSchema } from 'json-schema-to-ts';

/**
 * Drops the `[x: string]: unknown` that FromSchema gives an object schema without
 * `additionalProperties: false`, at every depth, so a presenter's object literal may name only the schema's
 * properties. An object schema with no properties (`{type: 'object'}`) or a typed `additionalProperties`
 * keeps its index signature.
 */
export type Exact<T> = T extends readonly (infer U)[]
  ? Exact<U>[]
  : T extends object
    ? [KnownKeys<T>] extends [never]
      ? T
      : unknown extends T[string & keyof T]
        ? { [K in keyof T as string extends K ? never : number extends K ? never : K]: Exact<T[K]> }
        : T
    : T;

type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: true };

/**
 * What a presenter returns: the type of its response schema (the one the OpenAPI document shows, written
 * `as const`), with no room for fields the schema does not name. A field the presenter leaves out that the
 * schema requires, or one it adds that the schema lacks, fails to compile; a schema with a `$ref` names the
 * referenced schemas in `O` (`{ references: [typeof emailSchema] }`); test/api/views.test.ts checks
 * real rows against the same schemas at run time.
 */
export type View<S extends JSONSchema, O extends FromSchemaOptions = FromSchemaDefaultOptions> = Exact<FromSchema<S, O>>;

/** Shared JSON Schema fragments (also used by the OpenAPI document). */
export const HHMM = { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', example: '19:30' } as const;
export const DATE = { type: 'string', format: 'date', example: '2026-05-01' } as const;
export const CURRENCY = { type: 'string', pattern: '^[A-Z]{3}$', example: 'GBP' } as const;
