/**
 * Pagination fragments shared by every list endpoint (CONTRACT §2: `{data, next_cursor}`, `limit` 1–200
 * default 50, opaque `cursor`). Spread PAGINATION_QUERY_PROPERTIES into a list's query schema and describe
 * its response with listEnvelopeSchema(item).
 */

export const MAX_PAGE_LIMIT = 200;
export const DEFAULT_PAGE_LIMIT = 50;

export interface PaginationQuery {
  limit: number;
  cursor?: string;
}

export const LIMIT_PARAM = {
  type: 'integer',
  minimum: 1,
  maximum: MAX_PAGE_LIMIT,
  default: DEFAULT_PAGE_LIMIT,
  description: `Page size, 1–${MAX_PAGE_LIMIT}.`,
  example: 50,
} as const;

export const CURSOR_PARAM = {
  type: 'string',
  minLength: 1,
  maxLength: 1024,
  description: 'Opaque position from the previous page\'s `next_cursor`; omit for the first page.',
  example: 'eyJsIjoiYm9va2luZ3MiLCJ2IjpbIjIwMjYtMDUtMDEiXX0',
} as const;

export const PAGINATION_QUERY_PROPERTIES = { limit: LIMIT_PARAM, cursor: CURSOR_PARAM } as const;

/** The list envelope around `item` (a schema), for the OpenAPI document. */
export function listEnvelopeSchema(item: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'object',
    required: ['data', 'next_cursor'],
    properties: {
      data: { type: 'array', items: item },
      next_cursor: {
        type: ['string', 'null'],
        description: 'Pass as `cursor` to get the next page; null on the last page.',
      },
    },
  };
}
