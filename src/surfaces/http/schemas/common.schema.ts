/** Shared JSON Schema fragments (also used by the OpenAPI document); the ones module schemas use live in the platform. */
export { CURRENCY, DATE, HHMM } from '../../../platform/json-schema';
export const COUNTRY = { type: 'string', pattern: '^[A-Z]{2}$', example: 'GB' } as const;
export const TABLE_NUMBER = {
  oneOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9 ._-]+$' },
  ],
} as const;

export const ERROR_ENVELOPE_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      properties: {
        code: { type: 'string', example: 'validation_error' },
        message: { type: 'string' },
        details: { type: ['object', 'null'] },
      },
    },
  },
} as const;
