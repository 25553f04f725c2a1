import type { FromSchema } from 'json-schema-to-ts';
/**
 * Admin partner hub schemas (CONTRACT §3): the request bodies the routes validate with ajv, and the
 * response objects, both feeding the OpenAPI document.
 */
import {
  ACK, ADAPTER, CONFLICT, EVENT_STATUS, HEADER, PARTNER_NAME, PARTNER_TIMESTAMP as TIMESTAMP, SCHEME, TABLE_ALIASES,
  catalogTemplateSchema, inboundEventDetailSchema, inboundEventSchema, locationSchema, mappingVersionSchema, partnerCreatedSchema, partnerSchema,
} from '../../../modules/partners';
import { PAGINATION_QUERY_PROPERTIES } from './pagination.schema';

// The response objects, and the fragments they share with the requests, are the partners module's views
// (src/modules/partners/partner-views.ts): the same objects.
export { catalogTemplateSchema, inboundEventDetailSchema, inboundEventSchema, locationSchema, mappingVersionSchema, partnerCreatedSchema, partnerSchema };

const SECRET = {
  type: 'string',
  minLength: 1,
  maxLength: 512,
  description: 'Shared secret (`user:password` for `basic`). Never returned.',
} as const;

export const createPartnerSchema = {
  $id: 'CreatePartner',
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: PARTNER_NAME,
    template: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description:
        'A catalog template name (`GET /admin/v1/catalog`): the partner gets its adapter, signature scheme and header, ack and conflict modes, and its mappings as their first versions. Without a template, `signature.scheme` is required.',
      example: 'toast',
    },
    // No ajv defaults here (validation fills them in): a template's own settings must win when omitted.
    adapter: { ...ADAPTER, description: `${ADAPTER.description} Default \`generic\`; not with \`template\`.` },
    signature: {
      type: 'object',
      additionalProperties: false,
      description: 'Required without `template` (then `scheme` is required too); with one, each field overrides it.',
      properties: {
        scheme: SCHEME,
        header: HEADER,
        secret: { ...SECRET, description: `${SECRET.description} Generated and returned once when omitted.` },
      },
    },
    ack: { ...ACK, description: "Default `queued` (or the template's)." },
    conflict: { ...CONFLICT, description: "Default `reject` (or the template's)." },
    enabled: { type: 'boolean', default: true },
    send_confirmation: { type: 'boolean', description: 'Guests of reservations from this partner get our confirmation email (§12); false when the platform sends its own. Default true.' },
  },
} as const;
export type CreatePartnerBody = FromSchema<typeof createPartnerSchema>;

export const updatePartnerSchema = {
  $id: 'UpdatePartner',
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    adapter: ADAPTER,
    signature: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: { scheme: SCHEME, header: HEADER, secret: SECRET },
    },
    rotate_secret: {
      type: 'boolean',
      description: 'Generate a new secret; the response carries it this once.',
    },
    ack: ACK,
    conflict: CONFLICT,
    enabled: { type: 'boolean' },
    send_confirmation: { type: 'boolean', description: 'Guests of reservations from this partner get our confirmation email (§12); false when the platform sends its own. Default true.' },
  },
} as const;
export type UpdatePartnerBody = FromSchema<typeof updatePartnerSchema>;

/** `tables` on a location link: the POS's own table ids → the venue's table numbers. */

export const putLocationSchema = {
  $id: 'PutPartnerLocation',
  type: 'object',
  additionalProperties: false,
  required: ['venue_id'],
  properties: {
    venue_id: { type: 'string', minLength: 1, maxLength: 40, example: 'ven_0mhv2k1q3a8x4n2p7r9t1c' },
    enabled: { type: 'boolean', default: true },
    tables: TABLE_ALIASES,
  },
} as const;
export type PutLocationBody = FromSchema<typeof putLocationSchema>;

export const putMappingSchema = {
  $id: 'PutMapping',
  type: 'object',
  additionalProperties: false,
  required: ['expression'],
  properties: {
    expression: { type: 'string', minLength: 1, maxLength: 1_000_000, description: 'A JSONata expression.' },
  },
} as const;
export type PutMappingBody = FromSchema<typeof putMappingSchema>;

export const testMappingSchema = {
  $id: 'TestMapping',
  type: 'object',
  additionalProperties: false,
  description: 'Exactly one of `payload`, `event_id`, `fixture` is the input.',
  properties: {
    payload: {
      description:
        'The native payload. A string is taken as the raw body text (keeps integers beyond 2^53 exact); any other JSON value is serialised.',
    },
    event_id: { type: 'string', minLength: 1, maxLength: 40, description: "A stored event of the partner: its raw payload as received." },
    fixture: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: "A fixture of the partner's catalog template, by name (`GET /admin/v1/partners/:name/fixtures`).",
    },
    expression: {
      type: 'string',
      minLength: 1,
      maxLength: 1_000_000,
      description: "A JSONata expression to try; the event type's live mapping when omitted.",
    },
  },
} as const;
export const testMappingQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    inline_errors: {
      type: 'boolean',
      default: false,
      description:
        'For an editor that evaluates as one types: `invalid_payload`, `invalid_mapping` and `mapping_failed` are answered 200 with ' +
        'the same `{code, message, details}` under `error` (and empty `output`, `errors`, `matches`) instead of 4xx.',
    },
  },
} as const;
export type TestMappingQuery = FromSchema<typeof testMappingQuerySchema>;

export type TestMappingBody = FromSchema<typeof testMappingSchema>;

/** The event log's filters (CONTRACT §13), shared by the list and replay-many. */
const EVENT_FILTER_PROPERTIES = {
  status: EVENT_STATUS,
  event_type: { type: 'string', minLength: 1, maxLength: 128, example: 'order_updated' },
  since: { ...TIMESTAMP, description: 'Received at or after this instant.' },
  until: { ...TIMESTAMP, description: 'Received at or before this instant.' },
  sale_id: { type: 'string', minLength: 1, maxLength: 128, description: "The POS's own sale id." },
} as const;

export const listPartnerEventsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { ...EVENT_FILTER_PROPERTIES, ...PAGINATION_QUERY_PROPERTIES },
} as const;
export type ListPartnerEventsQuery = FromSchema<typeof listPartnerEventsQuerySchema>;

export const replayEventsSchema = {
  $id: 'ReplayPartnerEvents',
  type: 'object',
  additionalProperties: false,
  description: 'Which events to replay; every field narrows the set, none: all of the partner\'s finished events.',
  properties: EVENT_FILTER_PROPERTIES,
} as const;
export type ReplayEventsBody = FromSchema<typeof replayEventsSchema>;

export const replayEventsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { dry_run: { type: 'boolean', default: false, description: 'Count only: answers 200 `{would_replay}` and replays nothing.' } },
} as const;
export type ReplayEventsQuery = FromSchema<typeof replayEventsQuerySchema>;

export const replayEventsResultSchema = {
  type: 'object',
  required: ['replayed', 'skipped'],
  properties: {
    replayed: { type: 'integer', minimum: 0, description: 'Events queued again, under their own ids.' },
    skipped: { type: 'integer', minimum: 0, description: 'Events of the filter in flight (queued or processing): not replayed.' },
  },
} as const;

export const replayEventsDryRunSchema = {
  type: 'object',
  required: ['would_replay'],
  properties: {
    would_replay: { type: 'integer', minimum: 0 },
    would_skip: { type: 'integer', minimum: 0, description: 'In flight now: a replay would skip them.' },
  },
} as const;

export const partnerStatsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    since: { ...TIMESTAMP, description: 'Default: 24 hours before `until`.' },
    until: { ...TIMESTAMP, description: 'Default: now.' },
  },
} as const;
export type PartnerStatsQuery = FromSchema<typeof partnerStatsQuerySchema>;

const COUNT = { type: 'integer', minimum: 0 } as const;
export const partnerStatsSchema = {
  type: 'object',
  required: ['partner', 'received', 'queued', 'processing', 'processed', 'ignored', 'failed'],
  properties: {
    partner: PARTNER_NAME,
    received: { ...COUNT, description: 'Events received in the window (every status).' },
    queued: COUNT,
    processing: COUNT,
    processed: COUNT,
    ignored: COUNT,
    failed: COUNT,
  },
} as const;

export const partnerStatsResponseSchema = {
  type: 'object',
  required: ['since', 'until', 'data', 'next_cursor'],
  properties: {
    since: TIMESTAMP,
    until: TIMESTAMP,
    data: { type: 'array', items: partnerStatsSchema, description: 'One entry per partner (zeros included), by name.' },
    next_cursor: { type: 'null' },
  },
} as const;

export const fixtureSchema = {
  type: 'object',
  required: ['name', 'event_type', 'case', 'payload', 'expected'],
  properties: {
    name: { type: 'string', example: 'order_updated--closed-with-items', description: 'Pass as `fixture` to the dry run.' },
    event_type: { type: 'string', example: 'order_updated' },
    case: { type: 'string', example: 'closed-with-items' },
    payload: { type: 'string', description: 'The native payload, byte for byte as the vendor documents it.' },
    expected: { description: 'The canonical commands the template mapping yields for it (null when there is no expected file).' },
  },
} as const;

// ---------------------------------------------------------------------------------------------
// Responses




export const partnerFromTemplateSchema = {
  type: 'object',
  required: [...partnerSchema.required],
  properties: {
    ...partnerCreatedSchema.properties,
    template: { type: ['string', 'null'], description: 'The template it was made from (null without one).', example: 'toast' },
    mappings: {
      type: 'array',
      description: "The template's mappings, stored as the partner's first versions.",
      items: {
        type: 'object',
        required: ['event_type', 'version'],
        properties: { event_type: { type: 'string', example: 'order_updated' }, version: { type: 'integer', example: 1 } },
      },
    },
  },
} as const;




const COMMAND_PREVIEW = {
  type: 'object',
  required: ['index', 'type', 'location_id', 'venue_id', 'result', 'reason', 'sale', 'booking', 'match', 'unmatched_reason'],
  properties: {
    index: { type: 'integer', description: "The command's index in `output`." },
    type: { type: 'string', example: 'sale' },
    location_id: { type: ['string', 'null'] },
    venue_id: { type: ['string', 'null'], description: 'The venue the location resolves to (null: unknown location, disabled integration).' },
    result: { type: 'string', enum: ['applied', 'ignored', 'failed'], description: 'What applying it would do now.' },
    reason: { type: ['string', 'null'], description: 'Why it would be ignored or fail.' },
    sale: { type: ['string', 'null'], description: 'The stored sale it would update (`sl_…`); null for a new one.' },
    booking: { type: ['object', 'null'], description: 'The booking it would match (the booking view), or null.' },
    match: { type: ['string', 'null'], enum: ['booking_id', 'table_time', 'manual', null] },
    unmatched_reason: { type: ['string', 'null'], example: 'no booking at table 12 between 18:30 and 21:00 on 2026-05-01' },
  },
} as const;

export const mappingTestResultSchema = {
  type: 'object',
  required: ['output', 'errors'],
  properties: {
    output: { type: 'array', items: { type: 'object' }, description: 'The canonical commands the mapping yields.' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'path', 'message'],
        properties: { index: { type: 'integer' }, path: { type: 'string' }, message: { type: 'string' } },
      },
    },
    matches: {
      type: 'array',
      items: COMMAND_PREVIEW,
      description: 'A read-only dry run of the matcher for the valid commands: the venue, the sale it would update, the booking it would match or why none.',
    },
    mapping_version: { type: ['integer', 'null'], description: 'The live version run (null when `expression` was given).' },
    input: { type: 'string', enum: ['payload', 'event', 'fixture'], description: 'Which input ran.' },
    error: {
      type: 'object',
      description: 'Only with `?inline_errors=true`: the error the request would otherwise have answered with (4xx).',
      required: ['code', 'message', 'details'],
      properties: { code: { type: 'string', enum: ['invalid_payload', 'invalid_mapping', 'mapping_failed'] }, message: { type: 'string' }, details: {} },
    },
  },
} as const;

export const mappingVersionHistorySchema = {
  type: 'object',
  required: [...['event_type', 'version', 'expression', 'source', 'created_at'], 'live'],
  properties: {
    event_type: { type: 'string', example: 'sale.updated' },
    version: { type: 'integer', minimum: 1, example: 3 },
    expression: { type: 'string' },
    source: { type: 'string', enum: ['api', 'file'] },
    created_at: TIMESTAMP,
    live: { type: 'boolean', description: 'Whether this is the live version.' },
  },
} as const;


