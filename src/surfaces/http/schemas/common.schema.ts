/** Shared JSON Schema fragments (also used by the OpenAPI document). */
export const HHMM = { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', example: '19:30' } as const;
export const DATE = { type: 'string', format: 'date', example: '2026-05-01' } as const;
export const CURRENCY = { type: 'string', pattern: '^[A-Z]{3}$', example: 'GBP' } as const;
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
