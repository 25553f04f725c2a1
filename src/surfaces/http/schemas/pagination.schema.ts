/**
 * Pagination fragments shared by every list endpoint (CONTRACT §2: `{data, next_cursor}`, `limit` 1–200
 * default 50, opaque `cursor`). A list without filters takes PAGE_QUERY_SCHEMA; one with filters spreads
 * PAGINATION_QUERY_PROPERTIES into its query schema. Its response is listEnvelopeSchema(item), its body
 * listResponse()/pageResponse() (../pagination.ts).
 */
import type { FromSchema } from 'json-schema-to-ts';

export const MAX_PAGE_LIMIT = 200;
export const DEFAULT_PAGE_LIMIT = 50;

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

/** The query of a list without filters: the page size and the cursor only. */
export const PAGE_QUERY_SCHEMA = { type: 'object', additionalProperties: false, properties: PAGINATION_QUERY_PROPERTIES } as const;
/** ajv fills the default, so `limit` is always there. */
export type PaginationQuery = FromSchema<typeof PAGE_QUERY_SCHEMA>;

const NEXT_CURSOR = {
  type: ['string', 'null'],
  description: 'Pass as `cursor` to get the next page; null on the last page.',
} as const;

/** The list envelope around `item` (a response schema), typed as written so FromSchema/View read it. */
export function listEnvelopeSchema<const S extends object>(item: S) {
  return {
    type: 'object',
    required: ['data', 'next_cursor'],
    properties: { data: { type: 'array', items: item }, next_cursor: NEXT_CURSOR },
  } as const;
}
