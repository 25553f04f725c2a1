import Ajv, { type ErrorObject, type JSONSchemaType, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { AppError } from './app-error';

/**
 * One ajv instance for request validation. Schemas are compiled once at boot and are also the source of
 * the OpenAPI document, so validation and documentation cannot drift.
 */
export const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: true });
addFormats(ajv);

export type Validator<T> = ValidateFunction<T>;

export function compileSchema<T>(schema: JSONSchemaType<T> | Record<string, unknown>): ValidateFunction<T> {
  return ajv.compile<T>(schema as JSONSchemaType<T>);
}

/** `/areas/0/tables/1/max_covers` → `areas[0].tables[1].max_covers` */
function fieldOf(e: ErrorObject): string {
  const base = e.instancePath
    .split('/')
    .filter(Boolean)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join('')
    .replace(/^\./, '');
  const extra =
    e.keyword === 'required' ? (e.params as { missingProperty: string }).missingProperty
    : e.keyword === 'additionalProperties' ? (e.params as { additionalProperty: string }).additionalProperty
    : null;
  if (extra) return base ? `${base}.${extra}` : extra;
  return base || '(body)';
}

function messageOf(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') return 'is not a known field';
  if (e.keyword === 'required') return 'is required';
  return e.message ?? 'is invalid';
}

export function validationError(errors: ErrorObject[] | null | undefined, where = 'body'): AppError {
  const list = (errors ?? []).map((e) => ({ field: fieldOf(e), message: messageOf(e) }));
  const first = list[0];
  return new AppError(
    'validation_error',
    first ? `Invalid ${where}: ${first.field} ${first.message}.` : `Invalid ${where}.`,
    { field: first?.field ?? null, errors: list },
  );
}

/** Validates and returns the typed value, or throws 400 validation_error naming the field. */
export function parseWith<T>(validate: ValidateFunction<T>, value: unknown, where = 'body'): T {
  if (!validate(value)) throw validationError(validate.errors, where);
  return value;
}

/** A single-field validation error, for checks a schema cannot express. */
export function fieldError(field: string, message: string): AppError {
  return new AppError('validation_error', `Invalid ${field}: ${message}.`, {
    field,
    errors: [{ field, message }],
  });
}
